"""Prompt recipes: what Iris asks the model for each task.

These are instructions to the model, not text shown to the user.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from desktop_app.core.languages import ENGLISH, find_language
from desktop_app.settings import DescriptionStyle

DESCRIBE = (
    "Describe this image for someone who cannot see it. Start with the most important thing. "
    "Read out any visible text exactly. Do not begin with phrases like 'This image shows'. "
    "If you are not sure about something, say so plainly."
)
READ = (
    "Read all the text in this image exactly as written, in reading order: top to bottom, "
    "left to right, keeping columns apart. Output only the text."
)
CLASSIFY = (
    "Classify this image into exactly one of these categories: {labels}. "
    "Answer with the category only."
)
GROUNDING = (
    "A text reader found this text on the image (rough position: text). Use it for exact "
    "names, numbers and labels:\n{text}"
)
GROUNDED = "{grounding}\n\n{prompt}"
"""A turn's prompt after what is known about its images (GROUNDING, TREE_GROUNDING, ...)."""
TREE_GROUNDING = (
    "The program's accessibility tree names these items on the image (rough position: "
    'role "name" (states) value). These names and values are exact: where the picture '
    "seems to say otherwise, trust them:\n{items}"
)
TREE_CUT_OFF = "(The tree was cut off: more items are not listed.)"
TREE_READER = (
    "A text reader found this text where the tree has none (rough position: text):\n{text}"
)
ITEM_GROUNDING = (
    "The program's accessibility API says this picture shows {facts} This is exact: where "
    "the picture seems to say otherwise, trust it."
)
ITEM_NAMED = '{role} named "{name}"'
ITEM_UNNAMED = "{role} with no name"
ITEM_VALUE = ' with the value "{value}"'
ITEM_STATES = " ({states})"
ITEM_IN_NAMED = ' in {role} named "{name}"'
ITEM_IN = " in {role}"
ITEM_WINDOW = ', in the window "{window}"'
ITEM_APPLICATION = " of {application}"
ITEM_CLIPPED = " Only part of it is visible."
ITEM_PLACE = " It is at the {position} of the picture; the rest is what surrounds it."
NODE_LINE = "{position}: {node}"
NODE_NAMED = '{role} "{name}"'
NODE_VALUE = ' value "{value}"'
FOLLOW_UP_NEEDS_QUESTION = "a follow-up needs a question"


class Task(enum.Enum):
    """What the user wants from the first turn."""

    DESCRIBE = "describe"
    ASK = "ask"
    READ = "read"
    CLASSIFY = "classify"
    CUSTOM = "custom"


def prompt_for(
    task: Task,
    *,
    question: str | None = None,
    labels: Sequence[str] = (),
    instruction: str | None = None,
) -> str:
    """The text of a first turn for `task`."""
    if task is Task.DESCRIBE:
        return DESCRIBE
    if task is Task.READ:
        return READ
    if task is Task.CLASSIFY:
        cleaned = clean_labels(labels)
        if len(cleaned) < 2:
            raise ValueError("classify needs at least two labels")
        return CLASSIFY.format(labels=", ".join(cleaned))
    if task is Task.ASK:
        if not question or not question.strip():
            raise ValueError("ask needs a question")
        return question.strip()
    if not instruction or not instruction.strip():
        raise ValueError("a custom task needs an instruction")
    return instruction.strip()


def clean_labels(labels: Sequence[str]) -> tuple[str, ...]:
    """Labels stripped, empty ones dropped, duplicates removed (order kept)."""
    seen: dict[str, None] = {}
    for label in labels:
        text = label.strip()
        if text and text.casefold() not in {s.casefold() for s in seen}:
            seen[text] = None
    return tuple(seen)


def match_label(answer: str, labels: Sequence[str]) -> str | None:
    """The label an answer names (case and surrounding punctuation ignored), if any."""
    wanted = answer.strip().strip(".!,;:\"'").casefold()
    for label in labels:
        if label.casefold() == wanted:
            return label
    return None


DESCRIBE_DETAILED = (
    DESCRIBE + " Then describe the rest in detail: layout, colours, people, objects and all text."
)
ANSWER_IN = (
    " Answer in {language}. Quote text from the image exactly as written, without translating it."
)
"""Asks for the answer's language in plain words small models follow; text read on the image
stays as written (a German answer quotes an English button as "Save")."""
MORE_DETAIL = (
    "Look again more closely and describe the image in more detail: layout, colours, "
    "people, objects and all text."
)


def describe_prompt(style: DescriptionStyle, custom_prompt: str = "", language: str = "") -> str:
    """The describe instruction for the user's chosen style and answer language."""
    if style is DescriptionStyle.CUSTOM and custom_prompt.strip():
        text = custom_prompt.strip()
    elif style is DescriptionStyle.DETAILED:
        text = DESCRIBE_DETAILED
    else:
        text = DESCRIBE
    return text + language_instruction(language)


def language_instruction(language: str) -> str:
    """What asks for answers in `language` (a name or code: "German", "Deutsch" and "de" all
    ask in English words, "German"; other text as written): nothing for English, the models'
    own language, or for no language."""
    found = find_language(language)
    name = found.name if found is not None else language.strip()
    if not name or name == ENGLISH.name:
        return ""
    return ANSWER_IN.format(language=name)
