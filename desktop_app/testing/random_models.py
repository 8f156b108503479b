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
_ALL_BUILDERS = {**BUILDERS, **MORE_BUILDERS}

REAL_SHAPES: tuple[str, ...] = ("SmolVLM-256M-Instruct", "SmolVLM-500M-Instruct")
"""Published SmolVLM checkpoints whose layer sizes `build_real_shape_model` copies."""

REAL_VOCAB_SIZE = 49280
"""SmolVLM's vocabulary: SmolLM2's 49152 tokens plus 128 added ones."""

# Layer sizes of HuggingFaceTB/SmolVLM-256M-Instruct and SmolVLM-500M-Instruct, from their
# config.json files on the Hub (text: SmolLM2-135M / SmolLM2-360M, a Llama; vision: SigLIP
# base-patch16-512; both: scale_factor 4, image_token_id 49190, untied lm_head - which is
# what makes the published totals 256M / 507M parameters).
_REAL_TEXT: dict[str, dict[str, int]] = {
    "SmolVLM-256M-Instruct": {
        "hidden_size": 576,
        "intermediate_size": 1536,
        "num_hidden_layers": 30,
        "num_attention_heads": 9,
        "num_key_value_heads": 3,
    },
    "SmolVLM-500M-Instruct": {
        "hidden_size": 960,
        "intermediate_size": 2560,
        "num_hidden_layers": 32,
        "num_attention_heads": 15,
        "num_key_value_heads": 5,
    },
}
_REAL_VISION = {
    "hidden_size": 768,
    "intermediate_size": 3072,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "image_size": 512,
    "patch_size": 16,
}
_REAL_SCALE_FACTOR = 4
_REAL_IMAGE_SEQ_LEN = (512 // 16) ** 2 // _REAL_SCALE_FACTOR**2  # 64
_REAL_LONGEST_EDGE = 2048  # processor size; crops of max_image_size 512


def build_tiny_model(family: str, folder: Path, *, seed: int = 0) -> Path:
    """Write a tiny random model of `family` into `folder` (created) and return it."""
    if family not in _ALL_BUILDERS:
        raise ValueError(f"unknown family {family!r}; choose from {ALL_FAMILIES}")
    import torch

    torch.manual_seed(seed)
    model, processor, eos, pad = _ALL_BUILDERS[family](family)
    return _save(Path(folder), model, processor, eos=eos, pad=pad)


def real_shape_config(name: str) -> PretrainedConfig:
    """An Idefics3Config with the exact published layer sizes of SmolVLM `name`."""
    if name not in _REAL_TEXT:
        raise ValueError(f"unknown real shape {name!r}; choose from {REAL_SHAPES}")
    from transformers import Idefics3Config

    tokenizer = real_shape_tokenizer()
    bos, eos, pad, image = special_ids(
        tokenizer, ("<|im_start|>", "<end_of_utterance>", "<|im_end|>", "<image>")
    )
    text = {
        "model_type": "llama",
        **_REAL_TEXT[name],
        "head_dim": 64,
        "vocab_size": REAL_VOCAB_SIZE,
        "max_position_embeddings": 8192,
        "rms_norm_eps": 1e-5,
        "rope_parameters": {"rope_type": "default", "rope_theta": 100000.0},
        "tie_word_embeddings": False,
        "bos_token_id": bos,
        "eos_token_id": eos,
        "pad_token_id": pad,
    }
    return Idefics3Config(
        text_config=text,
        vision_config=dict(_REAL_VISION),
        scale_factor=_REAL_SCALE_FACTOR,
        image_token_id=image,
        tie_word_embeddings=False,
        **legacy_pad(pad),
    )


def real_shape_tokenizer() -> Any:
    """SmolVLM's special tokens on a byte-level BPE trained to SmolLM2's size on the Python
    standard library (`_real_tokenizer`), exactly 49280 tokens in all."""
    spec = tpl.SMOLVLM_TOKENS
    trained = trained_json(spec.leading, REAL_VOCAB_SIZE - len(spec.extra))
    return build_tokenizer(spec, total_size=REAL_VOCAB_SIZE, trained=trained)


def build_real_shape_model(
    name: str, folder: Path, *, seed: int = 0, dtype: str = "bfloat16"
) -> Path:
    """Random weights with the exact published SmolVLM layer sizes, plus a working processor.

    Takes several seconds and writes about 0.5 GB (256M) or 1 GB (500M) in bfloat16.
    """
    import torch
    from transformers import (
        AutoModelForImageTextToText,
        Idefics3ImageProcessor,
        Idefics3Processor,
    )

    config = real_shape_config(name)
    tokenizer = real_shape_tokenizer()
    image_processor = Idefics3ImageProcessor(
        size={"longest_edge": _REAL_LONGEST_EDGE},
        max_image_size={"longest_edge": _REAL_VISION["image_size"]},
        do_image_splitting=True,
        image_mean=[0.5, 0.5, 0.5],
        image_std=[0.5, 0.5, 0.5],
    )
    processor = Idefics3Processor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        image_seq_len=_REAL_IMAGE_SEQ_LEN,
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
