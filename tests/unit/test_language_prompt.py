"""What a tiny Idefics3 model's processor receives when answers are asked for in a language:
the instruction after the image's text (which stays as written), none for English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from desktop_app.core.languages import answer_language
from desktop_app.core.types import Request
from desktop_app.engine.local.families import ChatTemplateFamily
from desktop_app.engine.tasks import GROUNDED, GROUNDING, describe_prompt
from desktop_app.settings import DescriptionStyle

SCREEN_TEXT = "Save changes? [Save] [Cancel]"


class ProcessorSpy:
    """The real processor, remembering the text of each call."""

    def __init__(self, processor: Any) -> None:
        self.processor = processor
        self.texts: list[str] = []

    def __call__(self, *, text: str, **options: Any) -> Any:
        self.texts.append(text)
        return self.processor(text=text, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.processor, name)


@pytest.fixture(scope="module")
def processor(tiny_models: dict[str, Path]) -> Any:
    """The tiny Idefics3 model's processor (SmolVLM's family), built offline for the session."""
    from transformers import AutoProcessor

    return AutoProcessor.from_pretrained(tiny_models["idefics3"])


def _received(processor: Any, prompt: str) -> tuple[str, str]:
    """The text the processor was given for a grounded one-image turn, and its tokens decoded."""
    spy = ProcessorSpy(processor)
    image = Image.new("RGB", (64, 48), (200, 200, 200))
    grounded = GROUNDED.format(grounding=GROUNDING.format(text=SCREEN_TEXT), prompt=prompt)
    inputs = ChatTemplateFamily("idefics3").build_inputs(
        spy, Request.single(grounded, [image]), [image]
    )
    (text,) = spy.texts
    return text, processor.decode(inputs["input_ids"][0], skip_special_tokens=True)


def test_german_answers_are_asked_for_after_the_screen_text(processor: Any) -> None:
    language = answer_language("", "de")  # the interface is German, the setting empty
    text, tokens = _received(processor, describe_prompt(DescriptionStyle.SHORT, "", language.name))
    for received in (text, tokens):
        assert received.count("Answer in German.") == 1
        assert "Quote text from the image exactly as written, without translating it." in received
        assert SCREEN_TEXT in received  # the screen's text goes in as written
    assert text.index(SCREEN_TEXT) < text.index("Answer in German.")


def test_a_typed_language_name_is_told_in_english(processor: Any) -> None:
    language = answer_language("français", "de")
    text, _ = _received(processor, describe_prompt(DescriptionStyle.DETAILED, "", language.name))
    assert "Answer in French." in text and "Answer in German" not in text


@pytest.mark.parametrize("setting", ["", "English", "en"])
def test_english_answers_get_no_instruction(processor: Any, setting: str) -> None:
    language = answer_language(setting, "en")
    text, tokens = _received(processor, describe_prompt(DescriptionStyle.SHORT, "", language.name))
    assert "Answer in" not in text and "Answer in" not in tokens
    assert "translat" not in text
