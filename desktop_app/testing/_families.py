"""Per-family builders of tiny random vision-language models (see random_models)."""

from __future__ import annotations

from typing import Any

from desktop_app.testing import _templates as tpl
from desktop_app.testing._tokenizer import build_tokenizer, special_ids

VISION_IMAGE_SIZE = 32
"""Side of the square each tiny vision encoder sees."""
PATCH_SIZE = 8
"""Vision patch side: a 32 px crop is 4 x 4 patches."""
SCALE_FACTOR = 2
"""Idefics3/SmolVLM pixel shuffle: 16 patches become 4 image tokens."""
IMAGE_SEQ_LEN = (VISION_IMAGE_SIZE // PATCH_SIZE) ** 2 // SCALE_FACTOR**2
"""`<image>` tokens per crop (idefics3, smolvlm2)."""
IDEFICS2_LATENTS = 8
"""`<image>` tokens per crop for idefics2 (its perceiver's latents)."""
LLAVA_IMAGE_TOKENS = (VISION_IMAGE_SIZE // PATCH_SIZE) ** 2
"""`<image>` tokens per image for llava (all SigLIP patches, strategy "full")."""
SPLIT_LONGEST_EDGE = 4 * VISION_IMAGE_SIZE
"""Idefics3/SmolVLM resize the longest edge to this before cutting 32 px crops (4 x 4 max)."""

# Every Linear layer has at least 64 inputs: bitsandbytes' 4-bit CPU kernel packs 64-wide blocks.
_TEXT: dict[str, Any] = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 4096,
    "rms_norm_eps": 1e-5,
}
_VISION: dict[str, Any] = {
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 1,
    "num_attention_heads": 2,
    "image_size": VISION_IMAGE_SIZE,
    "patch_size": PATCH_SIZE,
}


def _ids(tokenizer: Any, *tokens: str) -> list[int]:
    return special_ids(tokenizer, tokens)


def build_idefics3_like(family: str) -> tuple[Any, Any, int, int]:
    """Idefics3 (SmolVLM v1) or SmolVLM2: SigLIP-style encoder, pixel shuffle, Llama."""
    from transformers import (
        AutoModelForImageTextToText,
        Idefics3Config,
        Idefics3ImageProcessor,
        Idefics3Processor,
        SmolVLMConfig,
        SmolVLMImageProcessor,
        SmolVLMProcessor,
        SmolVLMVideoProcessor,
    )

    smol2 = family == "smolvlm2"
    spec = tpl.SMOLVLM2_TOKENS if smol2 else tpl.SMOLVLM_TOKENS
    tokenizer = build_tokenizer(spec)
    bos, eos, pad, image = _ids(
        tokenizer, "<|im_start|>", "<end_of_utterance>", "<|im_end|>", "<image>"
    )
    text = _text_config("llama", tokenizer, bos=bos, eos=eos, pad=pad)
    config_class = SmolVLMConfig if smol2 else Idefics3Config
    config = config_class(
        text_config=text,
        vision_config=dict(_VISION),
        scale_factor=SCALE_FACTOR,
        image_token_id=image,
        **legacy_pad(pad),
    )
    sizes: dict[str, Any] = {
        "size": {"longest_edge": SPLIT_LONGEST_EDGE},
        "max_image_size": {"longest_edge": VISION_IMAGE_SIZE},
        "do_image_splitting": True,
        "image_mean": [0.5, 0.5, 0.5],
        "image_std": [0.5, 0.5, 0.5],
    }
    processor: Any
    if smol2:
        video_options: dict[str, Any] = {
            "size": {"longest_edge": VISION_IMAGE_SIZE},
            "max_image_size": {"longest_edge": VISION_IMAGE_SIZE},
            "image_mean": [0.5, 0.5, 0.5],
            "image_std": [0.5, 0.5, 0.5],
            # SmolVLM2's frame sampling block; the processor reads fps and max_frames here.
            "video_sampling": {
                "fps": 1,
                "max_frames": 4,
                "video_size": {"longest_edge": VISION_IMAGE_SIZE},
            },
        }
        video = SmolVLMVideoProcessor(**video_options)
        processor = SmolVLMProcessor(
            image_processor=SmolVLMImageProcessor(**sizes),
            tokenizer=tokenizer,
            video_processor=video,
            image_seq_len=IMAGE_SEQ_LEN,
            chat_template=tpl.SMOLVLM2_TEMPLATE,
        )
    else:
        processor = Idefics3Processor(
            image_processor=Idefics3ImageProcessor(**sizes),
            tokenizer=tokenizer,
            image_seq_len=IMAGE_SEQ_LEN,
            chat_template=tpl.SMOLVLM_TEMPLATE,
        )
    model = AutoModelForImageTextToText.from_config(config)
    return model, processor, eos, pad


def build_idefics2(family: str) -> tuple[Any, Any, int, int]:
    """Idefics2: SigLIP-style encoder at native aspect ratio, perceiver resampler, Mistral."""
    from transformers import (
        AutoModelForImageTextToText,
        Idefics2Config,
        Idefics2ImageProcessor,
        Idefics2Processor,
    )

    tokenizer = build_tokenizer(tpl.IDEFICS2_TOKENS)
    bos, eos, pad, image = _ids(tokenizer, "<s>", "<end_of_utterance>", "<unk>", "<image>")
    text = _text_config("mistral", tokenizer, bos=bos, eos=eos, pad=pad, sliding_window=None)
    perceiver = {
        "hidden_size": _TEXT["hidden_size"],
        "rms_norm_eps": 1e-5,
        "resampler_n_latents": IDEFICS2_LATENTS,
        "resampler_depth": 1,
        "resampler_n_heads": 2,
        "resampler_head_dim": 32,  # o_proj input 64: bitsandbytes 4-bit CPU needs >= 64
        "num_key_value_heads": 1,
    }
    config = Idefics2Config(
        text_config=text,
        vision_config=dict(_VISION),
        perceiver_config=perceiver,
        image_token_id=image,
    )
    image_processor = Idefics2ImageProcessor(
        size={"shortest_edge": VISION_IMAGE_SIZE // 2, "longest_edge": VISION_IMAGE_SIZE},
        do_image_splitting=False,  # as HuggingFaceM4/idefics2-8b ships it
        image_mean=[0.5, 0.5, 0.5],
        image_std=[0.5, 0.5, 0.5],
    )
    processor = Idefics2Processor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        image_seq_len=IDEFICS2_LATENTS,
        chat_template=tpl.IDEFICS2_TEMPLATE,
    )
    model = AutoModelForImageTextToText.from_config(config)
    return model, processor, eos, pad


def build_idefics(family: str) -> tuple[Any, Any, int, int]:
    """IDEFICS (Flamingo-style): CLIP-style encoder, gated cross-attention into LLaMA."""
    from transformers import (
        IdeficsConfig,
        IdeficsForVisionText2Text,
        IdeficsImageProcessor,
        IdeficsProcessor,
    )

    tokenizer = build_tokenizer(tpl.IDEFICS_TOKENS)
    bos, eos, pad = _ids(tokenizer, "<s>", "</s>", "<unk>")
    end_of_turn = _ids(tokenizer, "<end_of_utterance>")[0]
    additional = 2  # <fake_token_around_image> and <image>: decoupled embeddings, last ids
    config = IdeficsConfig(
        vocab_size=len(tokenizer) - additional,
        additional_vocab_size=additional,
        hidden_size=_TEXT["hidden_size"],
        intermediate_size=_TEXT["intermediate_size"],
        num_hidden_layers=_TEXT["num_hidden_layers"],
        num_attention_heads=_TEXT["num_attention_heads"],
        max_position_embeddings=_TEXT["max_position_embeddings"],
        cross_layer_interval=1,
        bos_token_id=bos,
        eos_token_id=eos,
        pad_token_id=pad,
        vision_config={
            "embed_dim": _VISION["hidden_size"],
            "intermediate_size": _VISION["intermediate_size"],
            "num_hidden_layers": _VISION["num_hidden_layers"],
            "num_attention_heads": _VISION["num_attention_heads"],
            "image_size": VISION_IMAGE_SIZE,
            "patch_size": PATCH_SIZE,
        },
    )
    processor = IdeficsProcessor(
        image_processor=IdeficsImageProcessor(image_size=VISION_IMAGE_SIZE),
        tokenizer=tokenizer,
        image_size=VISION_IMAGE_SIZE,
    )
    model = IdeficsForVisionText2Text(config)
    return model, processor, end_of_turn, pad


def build_llava(family: str) -> tuple[Any, Any, int, int]:
    """LLaVA-interleave style: SigLIP encoder, MLP projector, Qwen2 text model."""
    from transformers import (
        AutoModelForImageTextToText,
        LlavaConfig,
        LlavaProcessor,
        SiglipImageProcessor,
    )

    tokenizer = build_tokenizer(tpl.QWEN2_TOKENS)
    eos, pad, image = _ids(tokenizer, "<|im_end|>", "<|endoftext|>", "<image>")
    text = _text_config("qwen2", tokenizer, bos=None, eos=eos, pad=pad)
    vision = dict(_VISION, model_type="siglip_vision_model")
    config = LlavaConfig(
        vision_config=vision,
        text_config=text,
        image_token_index=image,
        image_seq_length=LLAVA_IMAGE_TOKENS,
        vision_feature_select_strategy="full",
        vision_feature_layer=-1,
    )
    image_processor = SiglipImageProcessor(
        size={"height": VISION_IMAGE_SIZE, "width": VISION_IMAGE_SIZE},
        image_mean=[0.5, 0.5, 0.5],
        image_std=[0.5, 0.5, 0.5],
    )
    processor = LlavaProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=PATCH_SIZE,
        vision_feature_select_strategy="full",
        num_additional_image_tokens=0,
        chat_template=tpl.LLAVA_INTERLEAVE_TEMPLATE,
    )
    model = AutoModelForImageTextToText.from_config(config)
    return model, processor, eos, pad


def legacy_pad(pad: int) -> dict[str, Any]:
    """The top-level pad id Idefics3/SmolVLM configs still keep (else it reads 128002)."""
    return {"pad_token_id": pad}


def _text_config(
    model_type: str, tokenizer: Any, *, bos: int | None, eos: int, pad: int, **extra: Any
) -> dict[str, Any]:
    """A tiny decoder config whose vocabulary is exactly the tokenizer's."""
    return {
        "model_type": model_type,
        **_TEXT,
        "vocab_size": len(tokenizer),
        "bos_token_id": bos,
        "eos_token_id": eos,
        "pad_token_id": pad,
        "tie_word_embeddings": False,
        **extra,
    }


BUILDERS = {
    "idefics3": build_idefics3_like,
    "smolvlm2": build_idefics3_like,
    "idefics2": build_idefics2,
    "idefics": build_idefics,
    "llava": build_llava,
}
"""Family name -> builder returning (model, processor, end-of-turn id, pad id)."""
