"""Random-weight vision-language models, built offline for tests and benchmarks.

Everything (tokenizer, processor, config, weights) is made in code: nothing is downloaded.
Each folder is written with `save_pretrained` (safetensors only) and loads like a Hub
checkpoint:

* idefics3, smolvlm2, idefics2, llava: `AutoProcessor` + `AutoModelForImageTextToText`;
* idefics (the first IDEFICS): `AutoProcessor` + `IdeficsForVisionText2Text`;
* the other families (`MORE_FAMILIES`: Qwen-VL, Gemma 3, PaliGemma, LLaVA-NeXT/OneVision,
  Mistral 3, InternVL, Aya Vision, LFM2-VL): `AutoProcessor` + `AutoModelForImageTextToText`.

Weights are random, so generated text is gibberish; shapes, token ids and formats are real.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.testing import _templates as tpl
from desktop_app.testing._families import BUILDERS, legacy_pad
from desktop_app.testing._families_more import MORE_BUILDERS
from desktop_app.testing._real_tokenizer import trained_json
from desktop_app.testing._tokenizer import build_tokenizer, special_ids

if TYPE_CHECKING:
    from transformers import PretrainedConfig

FAMILIES: tuple[str, ...] = ("idefics3", "smolvlm2", "idefics2", "idefics", "llava")
"""The seed families (the `tiny_models` fixture builds each)."""
MORE_FAMILIES: tuple[str, ...] = tuple(MORE_BUILDERS)
"""The other families `build_tiny_model` writes (named by their model_type)."""
ALL_FAMILIES: tuple[str, ...] = FAMILIES + MORE_FAMILIES
"""Every family `build_tiny_model` can write."""
PROMPTED_FAMILIES: tuple[str, ...] = tuple(f for f in ALL_FAMILIES if f != "paligemma")
"""The families Iris prompts (PaliGemma has no chat template: it is refused)."""
_ALL_BUILDERS = {**BUILDERS, **MORE_BUILDERS}

REAL_SHAPES: tuple[str, ...] = (
    "SmolVLM-256M-Instruct",
    "SmolVLM-500M-Instruct",
    "SmolVLM-Instruct",
)
"""Published SmolVLM checkpoints whose layer sizes `build_real_shape_model` copies
(SmolVLM-Instruct is the 2.2B one)."""

REAL_VOCAB_SIZE = 49280
"""SmolVLM-256M/500M's vocabulary: SmolLM2's 49152 tokens plus 128 added ones."""


@dataclass(frozen=True)
class _Shape:
    """One published checkpoint's sizes (config.json and preprocessor_config.json)."""

    text: dict[str, int]
    vision: dict[str, int]
    scale_factor: int
    vocab_size: int
    rope_theta: float
    max_positions: int
    longest_edge: int
    """The processor's size: images are resized to this edge before tiling."""

    @property
    def image_seq_len(self) -> int:
        side = self.vision["image_size"] // self.vision["patch_size"]
        return side**2 // self.scale_factor**2


# Layer sizes from the checkpoints' config.json files on the Hub. 256M / 500M: SmolLM2-135M /
# SmolLM2-360M (a Llama) and SigLIP base-patch16-512, scale_factor 4, image_token_id 49190.
# SmolVLM-Instruct (2.2B): SmolLM2-1.7B and SigLIP so400m-patch14-384, scale_factor 3,
# vocabulary 49155. All three have an untied lm_head (what makes the published totals).
_SIGLIP_BASE_512 = {
    "hidden_size": 768,
    "intermediate_size": 3072,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "image_size": 512,
    "patch_size": 16,
}
_SHAPES: dict[str, _Shape] = {
    "SmolVLM-256M-Instruct": _Shape(
        text={
            "hidden_size": 576,
            "intermediate_size": 1536,
            "num_hidden_layers": 30,
            "num_attention_heads": 9,
            "num_key_value_heads": 3,
        },
        vision=_SIGLIP_BASE_512,
        scale_factor=4,
        vocab_size=REAL_VOCAB_SIZE,
        rope_theta=100000.0,
        max_positions=8192,
        longest_edge=2048,
    ),
    "SmolVLM-500M-Instruct": _Shape(
        text={
            "hidden_size": 960,
            "intermediate_size": 2560,
            "num_hidden_layers": 32,
            "num_attention_heads": 15,
            "num_key_value_heads": 5,
        },
        vision=_SIGLIP_BASE_512,
        scale_factor=4,
        vocab_size=REAL_VOCAB_SIZE,
        rope_theta=100000.0,
        max_positions=8192,
        longest_edge=2048,
    ),
    "SmolVLM-Instruct": _Shape(
        text={
            "hidden_size": 2048,
            "intermediate_size": 8192,
            "num_hidden_layers": 24,
            "num_attention_heads": 32,
            "num_key_value_heads": 32,
        },
        vision={
            "hidden_size": 1152,
            "intermediate_size": 4304,
            "num_hidden_layers": 27,
            "num_attention_heads": 16,
            "image_size": 384,
            "patch_size": 14,
        },
        scale_factor=3,
        vocab_size=49155,
        rope_theta=273768.0,
        max_positions=16384,
        longest_edge=1536,
    ),
}


def build_tiny_model(family: str, folder: Path, *, seed: int = 0) -> Path:
    """Write a tiny random model of `family` into `folder` (created) and return it."""
    if family not in _ALL_BUILDERS:
        raise ValueError(f"unknown family {family!r}; choose from {ALL_FAMILIES}")
    import torch

    torch.manual_seed(seed)
    model, processor, eos, pad = _ALL_BUILDERS[family](family)
    return _save(Path(folder), model, processor, eos=eos, pad=pad)


def real_shape_config(name: str, *, layers: tuple[int, int] | None = None) -> PretrainedConfig:
    """An Idefics3Config with the exact published layer sizes of SmolVLM `name`; `layers`
    (text, vision) keeps only that many layers of each, every width as published."""
    shape = _shape(name)
    from transformers import Idefics3Config

    tokenizer = real_shape_tokenizer(name)
    bos, eos, pad, image = special_ids(
        tokenizer, ("<|im_start|>", "<end_of_utterance>", "<|im_end|>", "<image>")
    )
    text: dict[str, Any] = {
        "model_type": "llama",
        **shape.text,
        "head_dim": 64,
        "vocab_size": shape.vocab_size,
        "max_position_embeddings": shape.max_positions,
        "rms_norm_eps": 1e-5,
        "rope_parameters": {"rope_type": "default", "rope_theta": shape.rope_theta},
        "tie_word_embeddings": False,
        "bos_token_id": bos,
        "eos_token_id": eos,
        "pad_token_id": pad,
    }
    vision: dict[str, Any] = dict(shape.vision)
    if layers is not None:
        text["num_hidden_layers"], vision["num_hidden_layers"] = layers
    return Idefics3Config(
        text_config=text,
        vision_config=vision,
        scale_factor=shape.scale_factor,
        image_token_id=image,
        tie_word_embeddings=False,
        **legacy_pad(pad),
    )


def _shape(name: str) -> _Shape:
    if name not in _SHAPES:
        raise ValueError(f"unknown real shape {name!r}; choose from {REAL_SHAPES}")
    return _SHAPES[name]


def real_shape_tokenizer(name: str = "SmolVLM-256M-Instruct") -> Any:
    """SmolVLM's special tokens on a byte-level BPE trained to SmolLM2's size on the Python
    standard library (`_real_tokenizer`), exactly as many tokens as `name`'s vocabulary."""
    spec = tpl.SMOLVLM_TOKENS
    size = _shape(name).vocab_size
    trained = trained_json(spec.leading, size - len(spec.extra))
    return build_tokenizer(spec, total_size=size, trained=trained)


def build_real_shape_model(
    name: str,
    folder: Path,
    *,
    seed: int = 0,
    dtype: str = "bfloat16",
    layers: tuple[int, int] | None = None,
) -> Path:
    """Random weights with the exact published SmolVLM layer sizes, plus a working processor
    (`layers`: as `real_shape_config`).

    Takes several seconds and writes about 0.5 GB (256M), 1 GB (500M) or 4.5 GB (2.2B) in
    bfloat16; the 2.2B shape needs about 5 GB of memory while it is built.
    """
    import torch
    from transformers import (
        AutoModelForImageTextToText,
        Idefics3ImageProcessor,
        Idefics3Processor,
    )

    shape = _shape(name)
    config = real_shape_config(name, layers=layers)
    tokenizer = real_shape_tokenizer(name)
    image_processor = Idefics3ImageProcessor(
        size={"longest_edge": shape.longest_edge},
        max_image_size={"longest_edge": shape.vision["image_size"]},
        do_image_splitting=True,
        image_mean=[0.5, 0.5, 0.5],
        image_std=[0.5, 0.5, 0.5],
    )
    processor = Idefics3Processor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        image_seq_len=shape.image_seq_len,
        chat_template=tpl.SMOLVLM_TEMPLATE,
    )
    torch.manual_seed(seed)
    model = AutoModelForImageTextToText.from_config(config, dtype=getattr(torch, dtype))
    eos, pad = special_ids(tokenizer, ("<end_of_utterance>", "<|im_end|>"))
    return _save(Path(folder), model, processor, eos=eos, pad=pad)


def _save(folder: Path, model: Any, processor: Any, *, eos: int, pad: int) -> Path:
    """Write weights (safetensors), generation config, tokenizer and processor files."""
    from transformers import GenerationConfig

    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = processor.tokenizer
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=eos,
        pad_token_id=pad,
    )
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    _write_special_tokens_map(folder, tokenizer)
    return folder


def _write_special_tokens_map(folder: Path, tokenizer: Any) -> None:
    """special_tokens_map.json, which transformers 5 no longer writes but older readers use."""
    named: dict[str, Any] = {
        key: str(getattr(tokenizer, key))
        for key in ("bos_token", "eos_token", "unk_token", "pad_token")
        if getattr(tokenizer, key, None) is not None
    }
    named["additional_special_tokens"] = [str(t) for t in tokenizer.extra_special_tokens]
    text = json.dumps(named, indent=2, ensure_ascii=False) + "\n"
    (folder / "special_tokens_map.json").write_text(text, encoding="utf-8")
