"""Saved prompts: the user's own instructions to the model, each with its options and an
optional global hotkey, kept in the settings file and exported or imported as a JSON file
(`{"version": 1, "prompts": [...]}`)."""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import BadInputError
from desktop_app.settings.atomic import write_atomically
from desktop_app.settings.schema import read_record, setting

FILE_VERSION = 1
"""The version of the export file this Iris writes and reads."""


class PromptDetail(enum.Enum):
    """How long the answer to a saved prompt is."""

    SHORT = "short"
    DETAILED = "detailed"


class PromptTarget(enum.Enum):
    """What a saved prompt captures and sends to the model."""

    SCREEN = "screen"
    WINDOW = "window"
    REGION = "region"
    CHANGES = "changes"
    """The active window now and its previous capture (kept in memory only)."""


@dataclass(frozen=True)
class SavedPrompt:
    """One saved prompt. The first field is its name: names are unique, compared without case."""

    name: str = setting("", messages.PROMPT_FIELD_NAME, required=messages.PROMPT_NAME_REQUIRED)
    instruction: str = setting(
        "",
        messages.PROMPT_FIELD_INSTRUCTION,
        multiline=True,
        required=messages.PROMPT_INSTRUCTION_REQUIRED,
    )
    question: str = setting(
        "",
        messages.PROMPT_FIELD_QUESTION,
        description=messages.PROMPT_FIELD_QUESTION_DESCRIPTION,
    )
    """Asked of the user before capturing; the answer goes into the prompt ("" for none)."""
    detail: PromptDetail = setting(
        PromptDetail.SHORT,
        messages.PROMPT_FIELD_DETAIL,
        choices={
            PromptDetail.SHORT: messages.PROMPT_DETAIL_SHORT,
            PromptDetail.DETAILED: messages.PROMPT_DETAIL_DETAILED,
        },
    )
    ground: bool = setting(True, messages.PROMPT_FIELD_GROUND)
    """Give the model the text found on the capture (where grounding is on in Settings)."""
    target: PromptTarget = setting(
        PromptTarget.SCREEN,
        messages.PROMPT_FIELD_TARGET,
        choices={
            PromptTarget.SCREEN: messages.PROMPT_TARGET_SCREEN,
            PromptTarget.WINDOW: messages.PROMPT_TARGET_WINDOW,
            PromptTarget.REGION: messages.PROMPT_TARGET_REGION,
            PromptTarget.CHANGES: messages.PROMPT_TARGET_CHANGES,
        },
    )
    hotkey: str = setting("", messages.PROMPT_FIELD_HOTKEY, placeholder=messages.HOTKEY_PLACEHOLDER)
    """A global hotkey that runs the prompt from any program ("" for none)."""


ALT_TEXT = (
    "Write alt text for this image, for a web page: one or two sentences saying what it "
    "shows and what matters about it. Do not begin with 'image of', 'picture of' or "
    "'photo of'. Output only the alt text."
)
ERROR_DIALOG = (
    "This is an error message or dialog. Say exactly what the error says, then in plain "
    "words what it means and what the user can do about it, naming the buttons to press."
)
CHART = (
    "This is a chart or graph. Say what kind of chart it is and its title, what each axis "
    "shows with its range and units, the overall trend, and the highest and lowest values "
    "with their labels."
)
WHAT_CHANGED = (
    "The first image is an earlier capture of a window and the second is the same window "
    "now. Say what changed between them: text, dialogs, messages, values, selections or "
    "controls that appeared, disappeared or changed. If nothing changed, say so."
)


def shipped_prompts() -> tuple[SavedPrompt, ...]:
    """The saved prompts Iris comes with."""
    return (
        SavedPrompt(messages.PROMPT_ALT_TEXT, ALT_TEXT, target=PromptTarget.WINDOW),
        SavedPrompt(
            messages.PROMPT_ERROR_DIALOG,
            ERROR_DIALOG,
            detail=PromptDetail.DETAILED,
            target=PromptTarget.WINDOW,
        ),
        SavedPrompt(messages.PROMPT_CHART, CHART, detail=PromptDetail.DETAILED),
        SavedPrompt(messages.PROMPT_WHAT_CHANGED, WHAT_CHANGED, target=PromptTarget.CHANGES),
    )


def find_prompt(prompts: Sequence[SavedPrompt], name: str) -> SavedPrompt | None:
    """The prompt called `name` (case and surrounding spaces ignored), or None."""
    wanted = name.strip().casefold()
    return next((p for p in prompts if p.name.strip().casefold() == wanted), None)


PROMPT_HOTKEY_PREFIX = "prompt:"
"""Global hotkeys of saved prompts are bound as "prompt:NAME", beside the actions' ids."""


def prompt_hotkeys(prompts: Sequence[SavedPrompt]) -> dict[str, str]:
    """The saved prompts' global hotkeys, by "prompt:NAME" (those without one left out)."""
    return {
        PROMPT_HOTKEY_PREFIX + prompt.name: prompt.hotkey
        for prompt in prompts
        if prompt.hotkey.strip()
    }


def prompt_of_hotkey(hotkey_id: str) -> str | None:
    """The saved prompt's name a bound hotkey id names, or None for an action's id."""
    if hotkey_id.startswith(PROMPT_HOTKEY_PREFIX):
        return hotkey_id[len(PROMPT_HOTKEY_PREFIX) :]
    return None


def merged(current: Sequence[SavedPrompt], added: Sequence[SavedPrompt]) -> tuple[SavedPrompt, ...]:
    """`current` with `added` in: one with the name of a current prompt replaces it in its
    place, the others come at the end."""
    result = list(current)
    for prompt in added:
        for index, old in enumerate(result):
            if old.name.strip().casefold() == prompt.name.strip().casefold():
                result[index] = prompt
                break
        else:
            result.append(prompt)
    return tuple(result)


def prompt_to_json(prompt: SavedPrompt) -> dict[str, Any]:
    """Plain JSON data for one prompt."""
    return {
        key: value.value if isinstance(value, enum.Enum) else value
        for key, value in asdict(prompt).items()
    }


def prompts_document(prompts: Sequence[SavedPrompt]) -> dict[str, Any]:
    """The export file's content."""
    return {"version": FILE_VERSION, "prompts": [prompt_to_json(p) for p in prompts]}


def export_prompts(path: Path, prompts: Sequence[SavedPrompt]) -> None:
    """Write `prompts` to `path` (atomically). Raises BadInputError with one sentence."""
    text = json.dumps(prompts_document(prompts), indent=2, ensure_ascii=False)
    try:
        write_atomically(path, text + "\n")
    except OSError as error:
        reason = error.strerror or str(error)
        message = messages.PROMPTS_FILE_NOT_WRITTEN.format(path=path, reason=reason)
        raise BadInputError(message) from error


def import_prompts(path: Path) -> tuple[SavedPrompt, ...]:
    """The prompts in the export file at `path`. Raises BadInputError, one sentence saying
    what is wrong and where, when the file cannot be read, is not JSON, is of another
    version, or has any bad entry (then nothing is taken from it)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        message = messages.FILE_UNREADABLE.format(path=path, reason=reason)
        raise BadInputError(message) from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadInputError(
            messages.PROMPTS_FILE_BAD_JSON.format(
                path=path, line=error.lineno, column=error.colno, reason=error.msg
            )
        ) from None
    return prompts_from_document(data, path)


def prompts_from_document(data: Any, path: Path | str) -> tuple[SavedPrompt, ...]:
    """The prompts of an export file's parsed content (see `import_prompts`)."""
    if not isinstance(data, dict) or "version" not in data:
        raise BadInputError(messages.PROMPTS_FILE_NOT_PROMPTS.format(path=path))
    if data["version"] != FILE_VERSION:
        version = json.dumps(data["version"], ensure_ascii=False)
        raise BadInputError(messages.PROMPTS_FILE_WRONG_VERSION.format(path=path, version=version))
    entries = data.get("prompts")
    if not isinstance(entries, list):
        raise BadInputError(messages.PROMPTS_FILE_NOT_PROMPTS.format(path=path))
    found: list[SavedPrompt] = []
    for number, entry in enumerate(entries, start=1):
        prompt, problem = read_record(SavedPrompt, entry)
        if prompt is not None and find_prompt(found, prompt.name) is not None:
            problem = messages.PROMPT_ENTRY_DUPLICATE.format(name=prompt.name)
        if prompt is None or problem:
            raise BadInputError(
                messages.PROMPTS_FILE_BAD_ENTRY.format(number=number, path=path, problem=problem)
            )
        found.append(replace(prompt, name=prompt.name.strip()))
    return tuple(found)
