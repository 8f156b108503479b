"""Byte-level BPE tokenizers trained in-process on a small built-in English text.

Any Unicode text encodes (byte fallback through the byte-level alphabet) and generated ids
decode to real, if meaningless, text. Each family's special tokens are stored in
tokenizer.json itself as special added tokens, so they never split. The tiny models use the
640-entry BPE trained here; real-shape models pass in a SmolLM2-sized one (`_real_tokenizer`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

CORPUS = """\
A small grey cat sits on a wooden table next to an open window. The sun is shining and the
sky is a clear, bright blue with a few white clouds. There is a red car parked in the street,
and two people are walking past a shop with a green door and a striped awning.
The screen shows a text editor with a document open. The menu bar has File, Edit, View,
Insert, Format, Tools and Help. A button labelled Save is in the top right corner of the
dialog, next to a Cancel button. The status bar at the bottom says that the file was saved.
This photo was taken in a kitchen. On the counter there are three apples, a loaf of bread,
a knife and a glass of water. The light is warm and comes from a lamp on the left.
The chart has a title, two axes and a legend. The line goes up from January to June and then
falls sharply in July. The numbers on the vertical axis go from zero to one hundred.
A dog is running across a green field towards a ball. In the background there are tall trees,
a wooden fence and a small house with a brown roof. The image is slightly blurry.
The web page has a search box, a list of links and a large picture of a mountain lake.
The text at the top reads: Welcome to our city. Below it is a map with several blue markers.
A woman in a yellow coat is holding an umbrella while she waits for the bus. It is raining,
and the road reflects the lights of the shops. A man on a bicycle rides past her.
The table lists the names, dates and prices of six items. The total is written in bold at the
bottom of the page. Some of the words are underlined and one cell is highlighted in orange.
What is in this image? Describe the picture in detail. Read the text on the screen, please.
There is nothing else to see. It looks like a quiet morning in a small town by the sea.
User: What is in this image? Assistant: A photo of a cat. User: And this one? Assistant: A dog.
"""
"""The training text: scene and screen descriptions, the kind of words the app deals with."""

TRAIN_VOCAB_SIZE = 640
"""Target size of the trained byte-level BPE (256 byte symbols plus merges)."""


@dataclass(frozen=True)
class TokenizerSpec:
    """Which special tokens a family's tokenizer has and how it wraps text."""

    leading: tuple[str, ...]
    """Special tokens with the first ids (0, 1, 2, ...)."""
    extra: tuple[str, ...]
    """Special tokens appended after the vocabulary, in this order."""
    eos: str
    pad: str
    bos: str | None = None
    unk: str | None = None
    add_bos: bool = False
    """Whether encoding text prepends `bos` (Llama-style tokenizers)."""
    named: tuple[tuple[str, str], ...] = ()
    """(attribute, token) pairs the processor reads from the tokenizer (`boi_token`, ...); each
    token is also in `leading` or `extra`."""


@lru_cache(maxsize=8)
def _trained_json(leading: tuple[str, ...]) -> str:
    """The trained byte-level BPE with `leading` special tokens, as tokenizer.json text."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=TRAIN_VOCAB_SIZE,
        special_tokens=list(leading),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    lines = [line for line in CORPUS.splitlines() if line]
    tokenizer.train_from_iterator(lines, trainer=trainer)
    return str(tokenizer.to_str())


def _padded_json(trained: str, filler: int) -> str:
    """The `trained` tokenizer.json with `filler` never-merged vocabulary entries appended."""
    data: dict[str, Any] = json.loads(trained)
    vocab: dict[str, int] = data["model"]["vocab"]
    first = max(vocab.values()) + 1
    for index in range(filler):
        vocab[f"\u0120filler{index}"] = first + index  # byte-level for " filler7"
    if len(vocab) != first + filler:
        raise ValueError("filler tokens clash with the trained vocabulary")
    return json.dumps(data, ensure_ascii=False)


def build_tokenizer(
    spec: TokenizerSpec, *, total_size: int | None = None, trained: str | None = None
) -> Any:
    """A PreTrainedTokenizerFast for `spec`; `total_size` pads the vocabulary to that length.

    `trained` is the BPE's tokenizer.json text, with `spec.leading` first; by default the
    small one trained on CORPUS.
    """
    from tokenizers import AddedToken, Tokenizer, processors
    from transformers import PreTrainedTokenizerFast

    trained = _trained_json(spec.leading) if trained is None else trained
    base = Tokenizer.from_str(trained)
    filler = 0
    if total_size is not None:
        filler = total_size - base.get_vocab_size() - len(spec.extra)
        if filler < 0:
            raise ValueError(f"total_size {total_size} is smaller than the tokenizer")
    tokenizer = Tokenizer.from_str(_padded_json(trained, filler)) if filler else base
    tokenizer.add_special_tokens(
        [AddedToken(token, special=True, normalized=False) for token in spec.extra]
    )
    byte_level = processors.ByteLevel(trim_offsets=False)
    if spec.add_bos and spec.bos is not None:
        bos_id = tokenizer.token_to_id(spec.bos)
        template = processors.TemplateProcessing(
            single=f"{spec.bos} $A",
            pair=f"{spec.bos} $A {spec.bos} $B",
            special_tokens=[(spec.bos, bos_id)],
        )
        tokenizer.post_processor = processors.Sequence([byte_level, template])
    else:
        tokenizer.post_processor = byte_level
    named = {"bos_token": spec.bos, "eos_token": spec.eos, "pad_token": spec.pad}
    named["unk_token"] = spec.unk
    options = {key: value for key, value in named.items() if value is not None}
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        model_max_length=4096,
        extra_special_tokens=dict(spec.named) if spec.named else list(spec.extra),
        **options,
    )
    return wrapped


def special_ids(tokenizer: Any, tokens: Sequence[str]) -> list[int]:
    """The ids of `tokens`, each of which must be a single known token."""
    ids = [tokenizer.convert_tokens_to_ids(token) for token in tokens]
    for token, token_id in zip(tokens, ids, strict=True):
        if token_id is None or tokenizer.convert_ids_to_tokens(token_id) != token:
            raise ValueError(f"{token!r} is not a single token")
    return [int(i) for i in ids]
