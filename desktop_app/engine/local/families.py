"""Per model family: how a conversation becomes model inputs, and which tokens end a turn.

Chat-template families (Idefics2, Idefics3/SmolVLM, SmolVLM2, LLaVA, ...) render the
conversation with the checkpoint's own chat template. The first IDEFICS takes a list mixing
text and images, as in the transformers IDEFICS guide.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import UnsupportedModelError
from desktop_app.core.types import Request
from desktop_app.settings import DEFAULT_MODEL

END_OF_TURN_TOKENS = ("<end_of_utterance>", "<|im_end|>", "<|eot_id|>", "<|endoftext|>")
NEVER_GENERATE_TOKENS = ("<image>", "<fake_token_around_image>", "<global-img>", "<video>")
NESTED_IMAGE_TYPES = ("idefics2", "idefics3", "smolvlm")


def _single_token_ids(tokenizer: Any, tokens: tuple[str, ...]) -> list[int]:
    """Ids of those `tokens` that the tokenizer knows as one token."""
    ids: list[int] = []
    unknown = getattr(tokenizer, "unk_token_id", None)
    for token in tokens:
        encoded = tokenizer(token, add_special_tokens=False).input_ids
        if len(encoded) == 1 and encoded[0] != unknown:
            ids.append(int(encoded[0]))
    return ids


class Family(ABC):
    """How one kind of model is loaded and prompted."""

    model_type: str
    reuses_cache = True
    """Follow-ups may continue from the conversation's kept keys and values."""

    def __init__(self, model_type: str) -> None:
        self.model_type = model_type

    @abstractmethod
    def model_class(self) -> Any:
        """The transformers class that loads this family's weights."""

    def check_prompt(self, folder: Path, model: str) -> None:
        """Raise UnsupportedModelError, before anything loads, if Iris cannot prompt the model
        in `folder` the way it was trained (every family here has a known prompt)."""
        return None

    @abstractmethod
    def build_inputs(self, processor: Any, request: Request, images: list[Any]) -> Any:
        """Tokenized text and pixel values for `request`, its images already prepared.

        With `request.detail`, images are split into tiles where the processor can.
        """

    def image_token_ids(self, model: Any) -> set[int]:
        """The placeholder tokens whose embeddings the model replaces by image features."""
        config = getattr(model, "config", None)
        ids = {getattr(config, name, None) for name in ("image_token_id", "image_token_index")}
        return {int(i) for i in ids if isinstance(i, int)}

    def stop_token_ids(self, processor: Any, model: Any) -> list[int]:
        """Tokens that end the assistant's turn."""
        ids = set(_single_token_ids(processor.tokenizer, END_OF_TURN_TOKENS))
        configured = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
        if isinstance(configured, int):
            ids.add(configured)
        elif isinstance(configured, list):
            ids.update(int(i) for i in configured)
        return sorted(ids)

    def banned_token_ids(self, processor: Any) -> list[list[int]]:
        """Token sequences the model must not write (image placeholders)."""
        return [[i] for i in _single_token_ids(processor.tokenizer, NEVER_GENERATE_TOKENS)]


class ChatTemplateFamily(Family):
    """Models loaded with AutoModelForImageTextToText and prompted by their chat template."""

    def model_class(self) -> Any:
        from transformers import AutoModelForImageTextToText

        return AutoModelForImageTextToText

    def check_prompt(self, folder: Path, model: str) -> None:
        if not has_chat_template(folder):
            raise UnsupportedModelError(
                messages.MODEL_NO_CHAT_TEMPLATE.format(
                    model=model, kind=self.model_type, default=DEFAULT_MODEL
                )
            )

    def build_inputs(self, processor: Any, request: Request, images: list[Any]) -> Any:
        prompt = processor.apply_chat_template(
            chat_messages(request), add_generation_prompt=True, tokenize=False
        )
        options = bos_options(processor.tokenizer, prompt)
        if not images:
            return processor(text=prompt, return_tensors="pt", **options)
        grouped: Any = [images] if self.model_type in NESTED_IMAGE_TYPES else images
        if request.detail:
            options |= detail_options(processor.image_processor, images)
        return processor(text=prompt, images=grouped, return_tensors="pt", **options)


def bos_options(tokenizer: Any, prompt: str) -> dict[str, Any]:
    """`add_special_tokens=False` when the rendered template already starts with the bos
    token (Gemma 3, Aya Vision, Mistral 3, LFM2-VL), so the prompt has exactly one."""
    bos = getattr(tokenizer, "bos_token", None)
    if isinstance(bos, str) and bos and prompt.startswith(bos):
        return {"add_special_tokens": False}
    return {}


CHAT_TEMPLATE_FILES = ("chat_template.jinja", "chat_template.json")
"""Where transformers keeps a processor's chat template beside the weights."""


def has_chat_template(folder: Path) -> bool:
    """Whether the checkpoint in `folder` ships a chat template (its own file, a template
    folder, or inside tokenizer_config.json or processor_config.json)."""
    if any((folder / name).is_file() for name in CHAT_TEMPLATE_FILES):
        return True
    if any((folder / "additional_chat_templates").glob("*.jinja")):
        return True
    for name in ("tokenizer_config.json", "processor_config.json"):
        try:
            data = json.loads((folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("chat_template"):
            return True
    return False


def detail_options(image_processor: Any, images: list[Any]) -> dict[str, Any]:
    """Processor options that split images into tiles at their own resolution.

    SmolVLM enlarges every image to 2048 pixels before cutting 512-pixel tiles (13 tiles for
    any screenshot); Iris stops at the tile multiple that holds the largest image, so a
    1280x800 screenshot makes 7 tiles and nothing is enlarged beyond its pixels. The resize
    to that edge is turned back on where Iris turned it off for single tiles
    (`image_size.square_in_one_resize`): without it the image is tiled at full size.
    """
    if not hasattr(image_processor, "do_image_splitting"):
        return {}
    options: dict[str, Any] = {"do_image_splitting": True}
    if hasattr(image_processor, "do_resize"):
        options["do_resize"] = True
    tile = _longest_edge(getattr(image_processor, "max_image_size", None))
    cap = _longest_edge(getattr(image_processor, "size", None))
    if tile and cap and images:
        longest = max(max(image.size) for image in images)
        edge = min(cap, max(tile, -(-longest // tile) * tile))
        options["size"] = {"longest_edge": edge}
    return options


def _longest_edge(size: Any) -> int | None:
    try:
        value = size["longest_edge"]
    except (KeyError, TypeError, AttributeError):
        return None
    return int(value) if value else None


def chat_messages(request: Request) -> list[dict[str, Any]]:
    """The conversation as chat-template messages; few-shot examples come first."""
    conversation: list[dict[str, Any]] = []
    first_text = request.turns[0].text
    for example in request.examples:
        conversation.append(_user_message(1, first_text))
        conversation.append(_assistant_message(example.answer))
    for turn in request.turns:
        conversation.append(_user_message(len(turn.images), turn.text))
        if turn.answer is not None:
            conversation.append(_assistant_message(turn.answer))
    return conversation


def _user_message(image_count: int, text: str) -> dict[str, Any]:
    content: list[dict[str, str]] = [{"type": "image"} for _ in range(image_count)]
    content.append({"type": "text", "text": text})
    return {"role": "user", "content": content}


def _assistant_message(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": [{"type": "text", "text": text}]}


class IdeficsFamily(Family):
    """The first IDEFICS (Flamingo-style): prompts are lists of strings and images.

    Its text attends to the images through cross-attention at every step, so it encodes
    the whole conversation each time rather than continuing from a kept cache.
    """

    reuses_cache = False

    def model_class(self) -> Any:
        from transformers import IdeficsForVisionText2Text

        return IdeficsForVisionText2Text

    def build_inputs(self, processor: Any, request: Request, images: list[Any]) -> Any:
        prompt = idefics_prompt(request, images)
        return processor(text=[prompt], add_end_of_utterance_token=False, return_tensors="pt")


def idefics_prompt(request: Request, images: list[Any]) -> list[Any]:
    """The guide's instruct format: 'User:', images, text<end_of_utterance>, '\\nAssistant:'."""
    remaining = iter(images)
    rounds: list[tuple[int, str, str | None]] = [
        (1, request.turns[0].text, example.answer) for example in request.examples
    ]
    rounds += [(len(turn.images), turn.text, turn.answer) for turn in request.turns]
    prompt: list[Any] = []
    for index, (image_count, text, answer) in enumerate(rounds):
        prompt.append("User:" if index == 0 else "\nUser:")
        prompt.extend(next(remaining) for _ in range(image_count))
        prompt.append(f"{text}<end_of_utterance>")
        if answer is None:
            prompt.append("\nAssistant:")
        else:
            prompt.append(f"\nAssistant: {answer}<end_of_utterance>")
    return prompt


def family_for(config: dict[str, Any], model: str) -> Family:
    """The family of a model from its config.json, or UnsupportedModelError."""
    model_type = str(config.get("model_type", ""))
    if model_type == "idefics":
        return IdeficsFamily(model_type)
    from transformers.models.auto.modeling_auto import MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES

    if model_type in MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES:
        return ChatTemplateFamily(model_type)
    raise UnsupportedModelError(
        messages.MODEL_UNSUPPORTED.format(model=model, kind=model_type or "unknown type")
    )
