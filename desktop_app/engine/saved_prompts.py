"""The text a saved prompt sends to the model: its instruction, the user's answer to its
question, its detail level and the answer language (`describe_prompt`'s own part).

These are instructions to the model, not text shown to the user.
"""

from __future__ import annotations

from desktop_app.engine.tasks import describe_prompt
from desktop_app.settings import DescriptionStyle, PromptDetail, SavedPrompt

USER_ANSWERED = 'Before this, the user was asked "{question}" and answered: "{answer}".'
SHORT = "Keep the answer short."
DETAILED = "Give a complete, detailed answer."
_DETAIL = {PromptDetail.SHORT: SHORT, PromptDetail.DETAILED: DETAILED}
_STYLE = {
    PromptDetail.SHORT: DescriptionStyle.SHORT,
    PromptDetail.DETAILED: DescriptionStyle.DETAILED,
}


def saved_prompt_text(prompt: SavedPrompt, *, answer: str = "", language: str = "") -> str:
    """The first turn's text for `prompt`, with `answer` (the user's answer to its question)
    and the answer `language` as every description has it."""
    parts = [prompt.instruction.strip()]
    if prompt.question.strip() and answer.strip():
        parts.append(USER_ANSWERED.format(question=prompt.question.strip(), answer=answer.strip()))
    parts.append(_DETAIL[prompt.detail])
    return describe_prompt(DescriptionStyle.CUSTOM, " ".join(parts), language)


def first_capture_text(prompt: SavedPrompt, *, language: str = "") -> str:
    """What a "what changed" prompt sends when there is no earlier capture to compare with:
    a description of the current one, at the prompt's detail level."""
    return describe_prompt(_STYLE[prompt.detail], "", language)
