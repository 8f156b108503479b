"""Tiny random builders of the families Iris was not built around (see random_models).

Each returns (model, processor, end-of-turn id, pad id) like `_families.BUILDERS`; vision
encoders see 32 px images in 8 px patches, text models are the seeds' 2-layer decoders.
"""

from __future__ import annotations

from typing import Any

from desktop_app.testing import _templates_more as tpl
from desktop_app.testing._families import (
    _TEXT,
    _VISION,
    PATCH_SIZE,
    VISION_IMAGE_SIZE,
    _ids,
    _text_config,
)
from desktop_app.testing._tokenizer import build_tokenizer

SLIDING_WINDOW = 16
"""Gemma 3's and Aya Vision's sliding-window layers attend to this many tokens: a two-turn
conversation outgrows it, as a real one outgrows 512 or 4096."""
QWEN_PIXELS = (16 * 16, 64 * 64)
"""Qwen-VL min/max pixels: a 16 px merged patch at least, 4 x 4 of them at most."""
_HALF = [0.5, 0.5, 0.5]


def _qwen_image_processor(patch: int) -> Any:
    from transformers import Qwen2VLImageProcessor

    low, high = QWEN_PIXELS
    return Qwen2VLImageProcessor(
        size={"shortest_edge": low, "longest_edge": high},
        patch_size=patch,
        merge_size=2,
        temporal_patch_size=2,
        image_mean=_HALF,
        image_std=_HALF,
    )


def _qwen_video_processor(patch: int) -> Any:
    from transformers import Qwen2VLVideoProcessor

    low, high = QWEN_PIXELS
    return Qwen2VLVideoProcessor(
        size={"shortest_edge": low, "longest_edge": high}, patch_size=patch, merge_size=2
    )


def build_qwen_vl(family: str) -> tuple[Any, Any, int, int]:
    """Qwen2-VL, Qwen2.5-VL or Qwen3-VL: a ViT with 2 x 2 patch merging, M-RoPE Qwen text."""
    import transformers as tf

    tokenizer = build_tokenizer(tpl.QWEN_VL_TOKENS)
    eos, pad, start, end, image, video = _ids(
        tokenizer,
        "<|im_end|>",
        "<|endoftext|>",
        "<|vision_start|>",
        "<|vision_end|>",
        "<|image_pad|>",
        "<|video_pad|>",
    )
    head_dim = _TEXT["hidden_size"] // _TEXT["num_attention_heads"]  # 16: M-RoPE sections 8
    rope = {"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 3, 3]}
    vision: dict[str, Any] = {
        "depth": 1,
        "num_heads": 2,
        "patch_size": PATCH_SIZE,
        "spatial_merge_size": 2,
        "temporal_patch_size": 2,
    }
    ids: dict[str, Any] = {
        "image_token_id": image,
        "video_token_id": video,
        "vision_start_token_id": start,
        "vision_end_token_id": end,
    }
    config_class: Any
    processor_class: Any
    if family == "qwen2_vl":
        text = _text_config("qwen2_vl_text", tokenizer, bos=None, eos=eos, pad=pad)
        vision |= {"embed_dim": 64, "hidden_size": 64, "mlp_ratio": 2}
        config_class, processor_class = tf.Qwen2VLConfig, tf.Qwen2VLProcessor
    elif family == "qwen2_5_vl":
        text = _text_config("qwen2_5_vl_text", tokenizer, bos=None, eos=eos, pad=pad)
        vision |= {"hidden_size": 64, "intermediate_size": 128, "out_hidden_size": 64}
        vision |= {"window_size": 32, "fullatt_block_indexes": [0]}
        config_class, processor_class = tf.Qwen2_5_VLConfig, tf.Qwen2_5_VLProcessor
    else:
        text = _text_config("qwen3_vl_text", tokenizer, bos=None, eos=eos, pad=pad)
        text["head_dim"] = head_dim
        rope = dict(rope, mrope_interleaved=True)
        vision |= {"hidden_size": 64, "intermediate_size": 128, "out_hidden_size": 64}
        vision |= {"num_position_embeddings": 16, "deepstack_visual_indexes": [0]}
        config_class, processor_class = tf.Qwen3VLConfig, tf.Qwen3VLProcessor
    text["rope_parameters"] = rope
    text.pop("tie_word_embeddings")
    config = config_class(text_config=text, vision_config=vision, **ids)
    processor = processor_class(
        image_processor=_qwen_image_processor(PATCH_SIZE),
        tokenizer=tokenizer,
        video_processor=_qwen_video_processor(PATCH_SIZE),
        chat_template=tpl.QWEN3_VL_TEMPLATE if family == "qwen3_vl" else tpl.QWEN2_VL_TEMPLATE,
    )
    model = tf.AutoModelForImageTextToText.from_config(config)
    return model, processor, eos, pad


def build_gemma3(family: str) -> tuple[Any, Any, int, int]:
    """Gemma 3: SigLIP, 2 x 2 average-pooled soft tokens, Gemma 3 text with a sliding window."""
    import transformers as tf

    tokenizer = build_tokenizer(tpl.GEMMA3_TOKENS)
    bos, eos, pad, end_turn, boi, eoi, image = _ids(
        tokenizer,
        "<bos>",
        "<eos>",
        "<pad>",
        "<end_of_turn>",
        "<start_of_image>",
        "<end_of_image>",
        "<image_soft_token>",
    )
    text = _text_config("gemma3_text", tokenizer, bos=bos, eos=eos, pad=pad)
    text |= {"head_dim": 16, "query_pre_attn_scalar": 16, "sliding_window": SLIDING_WINDOW}
    text |= {"layer_types": ["sliding_attention", "full_attention"]}
    vision = dict(_VISION, model_type="siglip_vision_model")
    config = tf.Gemma3Config(
        text_config=text,
        vision_config=vision,
        mm_tokens_per_image=4,
        boi_token_index=boi,
        eoi_token_index=eoi,
        image_token_index=image,
    )
    image_processor = tf.Gemma3ImageProcessor(
        size={"height": VISION_IMAGE_SIZE, "width": VISION_IMAGE_SIZE},
        image_mean=_HALF,
        image_std=_HALF,
    )
    processor = tf.Gemma3Processor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        chat_template=tpl.GEMMA3_TEMPLATE,
        image_seq_length=4,
    )
    model = tf.AutoModelForImageTextToText.from_config(config)
    return model, processor, end_turn, pad


def build_paligemma(family: str) -> tuple[Any, Any, int, int]:
    """PaliGemma: SigLIP, linear projector, Gemma; no chat template (task prefixes instead)."""
    import transformers as tf

    tokenizer = build_tokenizer(tpl.PALIGEMMA_TOKENS)
    image_processor = tf.SiglipImageProcessor(
        size={"height": VISION_IMAGE_SIZE, "width": VISION_IMAGE_SIZE},
        image_mean=_HALF,
        image_std=_HALF,
    )
    tokens = (VISION_IMAGE_SIZE // PATCH_SIZE) ** 2
    image_processor.image_seq_length = tokens  # type: ignore[attr-defined]  # as the Hub's
    processor = tf.PaliGemmaProcessor(image_processor=image_processor, tokenizer=tokenizer)
    tokenizer = processor.tokenizer  # with PaliGemma's <loc> and <seg> tokens added
    bos, eos, pad, image = _ids(tokenizer, "<bos>", "<eos>", "<pad>", "<image>")
    text = _text_config("gemma", tokenizer, bos=bos, eos=eos, pad=pad, head_dim=16)
    vision = dict(_VISION, model_type="siglip_vision_model", projection_dim=64)
    vision["num_image_tokens"] = tokens
    config = tf.PaliGemmaConfig(
        text_config=text,
        vision_config=vision,
        image_token_index=image,
        projection_dim=64,
        hidden_size=64,
    )
    model = tf.AutoModelForImageTextToText.from_config(config)
    return model, processor, eos, pad


def build_llava_next(family: str) -> tuple[Any, Any, int, int]:
    """LLaVA-NeXT (1.6): CLIP, any-resolution tiles plus a base image, Mistral text."""
    import transformers as tf

    tokenizer = build_tokenizer(tpl.LLAVA_NEXT_TOKENS)
    bos, eos, pad, image = _ids(tokenizer, "<s>", "</s>", "<unk>", "<image>")
    text = _text_config("mistral", tokenizer, bos=bos, eos=eos, pad=pad, sliding_window=None)
    vision = dict(_VISION, model_type="clip_vision_model", projection_dim=64)
    side = VISION_IMAGE_SIZE
    pinpoints = [[side, side], [side, 2 * side], [2 * side, side], [2 * side, 2 * side]]
    config = tf.LlavaNextConfig(
        text_config=text,
        vision_config=vision,
        image_token_index=image,
        image_grid_pinpoints=pinpoints,
        vision_feature_select_strategy="default",
        vision_feature_layer=-1,
        image_seq_length=(side // PATCH_SIZE) ** 2,
    )
    image_processor = tf.LlavaNextImageProcessor(
        size={"shortest_edge": side},
        crop_size={"height": side, "width": side},
        image_grid_pinpoints=pinpoints,
        image_mean=_HALF,
        image_std=_HALF,
    )
    processor = tf.LlavaNextProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=PATCH_SIZE,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,  # CLIP's class token, dropped by "default"
        chat_template=tpl.LLAVA_NEXT_TEMPLATE,
    )
    model = tf.AutoModelForImageTextToText.from_config(config)
    return model, processor, eos, pad


def build_llava_onevision(family: str) -> tuple[Any, Any, int, int]:
    """LLaVA-OneVision: SigLIP, any-resolution tiles, Qwen2 text."""
    import transformers as tf

    tokenizer = build_tokenizer(tpl.LLAVA_ONEVISION_TOKENS)
    eos, pad, image, video = _ids(tokenizer, "<|im_end|>", "<|endoftext|>", "<image>", "<video>")
    text = _text_config("qwen2", tokenizer, bos=None, eos=eos, pad=pad)
    vision = dict(_VISION, model_type="siglip_vision_model")
    side = VISION_IMAGE_SIZE
    pinpoints = [[side, side], [side, 2 * side], [2 * side, side], [2 * side, 2 * side]]
    config = tf.LlavaOnevisionConfig(
        text_config=text,
        vision_config=vision,
        image_token_index=image,
        video_token_index=video,
        image_grid_pinpoints=pinpoints,
        vision_feature_select_strategy="full",
        vision_feature_layer=-1,
    )
    image_processor = tf.LlavaOnevisionImageProcessor(
        size={"height": side, "width": side},
        image_grid_pinpoints=pinpoints,
        image_mean=_HALF,
        image_std=_HALF,
    )
    processor = tf.LlavaOnevisionProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        video_processor=tf.LlavaOnevisionVideoProcessor(size={"height": side, "width": side}),
        num_image_tokens=(side // PATCH_SIZE) ** 2,
        vision_feature_select_strategy="full",
        chat_template=tpl.LLAVA_ONEVISION_TEMPLATE,
    )
    model = tf.AutoModelForImageTextToText.from_config(config)
    return model, processor, eos, pad


def build_mistral3(family: str) -> tuple[Any, Any, int, int]:
    """Mistral 3 (Small 3.1): Pixtral at native resolution, 2 x 2 patch merger, Mistral."""
    import transformers as tf

    tokenizer = build_tokenizer(tpl.MISTRAL3_TOKENS)
    bos, eos, pad, image = _ids(tokenizer, "<s>", "</s>", "<unk>", "[IMG]")
    text = _text_config("mistral", tokenizer, bos=bos, eos=eos, pad=pad, sliding_window=None)
    vision = {
        "model_type": "pixtral",
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "image_size": 2 * VISION_IMAGE_SIZE,
        "patch_size": PATCH_SIZE,
        "head_dim": 32,
    }
    config = tf.Mistral3Config(
        text_config=text, vision_config=vision, image_token_index=image, spatial_merge_size=2
    )
    image_processor = tf.PixtralImageProcessor(
        size={"longest_edge": 2 * VISION_IMAGE_SIZE},
        patch_size={"height": PATCH_SIZE, "width": PATCH_SIZE},
        image_mean=_HALF,
        image_std=_HALF,
    )
    processor = tf.PixtralProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=PATCH_SIZE,
        spatial_merge_size=2,
        chat_template=tpl.MISTRAL3_TEMPLATE,
    )
    model = tf.AutoModelForImageTextToText.from_config(config)
    return model, processor, eos, pad


def build_internvl(family: str) -> tuple[Any, Any, int, int]:
    """InternVL 3: InternViT, pixel shuffle 0.5, MLP projector, Qwen2 text."""
    import transformers as tf

    tokenizer = build_tokenizer(tpl.INTERNVL_TOKENS)
    eos, pad, image = _ids(tokenizer, "<|im_end|>", "<|endoftext|>", "<IMG_CONTEXT>")
    text = _text_config("qwen2", tokenizer, bos=None, eos=eos, pad=pad)
    side = VISION_IMAGE_SIZE
    vision = {
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "image_size": [side, side],
        "patch_size": [PATCH_SIZE, PATCH_SIZE],
    }
    seq_length = (side // PATCH_SIZE) ** 2 // 4  # pixel shuffle by 0.5
    config = tf.InternVLConfig(
        text_config=text,
        vision_config=vision,
        image_token_id=image,
        image_seq_length=seq_length,
        downsample_ratio=0.5,
    )
    image_processor = tf.GotOcr2ImageProcessor(
        size={"height": side, "width": side},
        crop_to_patches=False,
        image_mean=_HALF,
        image_std=_HALF,
    )
    processor = tf.InternVLProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        video_processor=tf.InternVLVideoProcessor(size={"height": side, "width": side}),
        image_seq_length=seq_length,
        chat_template=tpl.INTERNVL_TEMPLATE,
    )
    model = tf.AutoModelForImageTextToText.from_config(config)
    return model, processor, eos, pad


def build_aya_vision(family: str) -> tuple[Any, Any, int, int]:
    """Aya Vision: SigLIP tiles, pixel shuffle 2, Cohere 2 text with a sliding window."""
    import transformers as tf

    tokenizer = build_tokenizer(tpl.AYA_VISION_TOKENS)
    bos, eos, pad, image = _ids(
        tokenizer, "<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>", "<PAD>", "<|IMG_PATCH|>"
    )
    text = _text_config("cohere2", tokenizer, bos=bos, eos=eos, pad=pad)
    text |= {"sliding_window": SLIDING_WINDOW}
    text |= {"layer_types": ["sliding_attention", "full_attention"]}
    text["layer_norm_eps"] = text.pop("rms_norm_eps")
    vision = dict(_VISION, model_type="siglip_vision_model")
    side = VISION_IMAGE_SIZE
    config = tf.AyaVisionConfig(
        text_config=text, vision_config=vision, image_token_index=image, downsample_factor=2
    )
    image_processor = tf.GotOcr2ImageProcessor(
        size={"height": side, "width": side},
        crop_to_patches=True,
        min_patches=1,
        max_patches=4,
        image_mean=_HALF,
        image_std=_HALF,
    )
    processor = tf.AyaVisionProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=PATCH_SIZE * 2,  # the encoder's patch times the pixel shuffle
        img_size=side,
        downsample_factor=1,
        chat_template=tpl.AYA_VISION_TEMPLATE,
    )
    model = tf.AutoModelForImageTextToText.from_config(config)
    return model, processor, eos, pad


def build_lfm2_vl(family: str) -> tuple[Any, Any, int, int]:
    """LFM2-VL: SigLIP2 NaFlex at native resolution, pixel unshuffle, LFM2 (convolutions)."""
    import transformers as tf

    tokenizer = build_tokenizer(tpl.LFM2_VL_TOKENS)
    bos, eos, pad, image = _ids(tokenizer, "<|startoftext|>", "<|im_end|>", "<|pad|>", "<image>")
    text = _text_config("lfm2", tokenizer, bos=bos, eos=eos, pad=pad)
    text["norm_eps"] = text.pop("rms_norm_eps")
    text |= {"layer_types": ["conv", "full_attention"], "block_auto_adjust_ff_dim": False}
    vision = {
        "model_type": "siglip2_vision_model",
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 1,
        "num_attention_heads": 2,
        "patch_size": PATCH_SIZE,
        "num_patches": 64,
        "vision_use_head": False,
    }
    config = tf.Lfm2VlConfig(
        text_config=text,
        vision_config=vision,
        image_token_id=image,
        projector_hidden_size=64,
        downsample_factor=2,
    )
    image_processor = tf.Lfm2VlImageProcessor(
        encoder_patch_size=PATCH_SIZE,
        downsample_factor=2,
        tile_size=VISION_IMAGE_SIZE,
        min_image_tokens=4,
        max_image_tokens=16,
        do_image_splitting=False,
        image_mean=_HALF,
        image_std=_HALF,
    )
    processor = tf.Lfm2VlProcessor(
        image_processor=image_processor, tokenizer=tokenizer, chat_template=tpl.LFM2_VL_TEMPLATE
    )
    model = tf.AutoModelForImageTextToText.from_config(config)
    return model, processor, eos, pad


MORE_BUILDERS = {
    "qwen2_vl": build_qwen_vl,
    "qwen2_5_vl": build_qwen_vl,
    "qwen3_vl": build_qwen_vl,
    "gemma3": build_gemma3,
    "paligemma": build_paligemma,
    "llava_next": build_llava_next,
    "llava_onevision": build_llava_onevision,
    "mistral3": build_mistral3,
    "internvl": build_internvl,
    "aya_vision": build_aya_vision,
    "lfm2_vl": build_lfm2_vl,
}
"""Family name (its model_type) -> builder returning (model, processor, end of turn, pad)."""
