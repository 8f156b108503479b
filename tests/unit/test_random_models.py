"""Tiny random vision-language models: built offline, loaded and run like real checkpoints.

Weights are random, so only shapes, token counts, ids and types are checked, never words.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from PIL import Image
from transformers import AutoModelForImageTextToText, AutoProcessor, IdeficsForVisionText2Text

from desktop_app.testing.random_models import (
    FAMILIES,
    REAL_SHAPES,
    build_tiny_model,
    real_shape_config,
    real_shape_tokenizer,
)

NESTED = ("idefics3", "smolvlm2", "idefics2")
"""Families whose processors take images as one list per prompt."""
END_OF_TURN = {
    "idefics3": "<end_of_utterance>",
    "smolvlm2": "<end_of_utterance>",
    "idefics2": "<end_of_utterance>",
    "idefics": "<end_of_utterance>",
    "llava": "<|im_end|>",
}
IMAGE_TOKENS_PER_CROP = {"idefics3": 4, "smolvlm2": 4, "idefics2": 8, "llava": 16, "idefics": 1}
SIZES = ((1280, 800), (300, 200), (17, 900))
MAX_FOLDER_BYTES = 3 * 1024 * 1024
FIRST_TURN = [
    {
        "role": "user",
        "content": [{"type": "image"}, {"type": "text", "text": "Describe this image."}],
    }
]
TWO_TURNS = [
    *FIRST_TURN,
    {"role": "assistant", "content": [{"type": "text", "text": "A cat on a table."}]},
    {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "And this one?"}]},
]


@dataclass
class Loaded:
    family: str
    folder: Path
    seconds: float
    processor: Any
    model: Any


def image(width: int, height: int, seed: int = 0) -> Image.Image:
    """A noise image, so that different crops really differ."""
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


@pytest.fixture(scope="module", params=FAMILIES)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    family = request.param
    start = time.perf_counter()
    folder = build_tiny_model(family, tmp_path_factory.mktemp(family) / "model")
    seconds = time.perf_counter() - start
    processor = AutoProcessor.from_pretrained(folder, local_files_only=True)
    model_class = IdeficsForVisionText2Text if family == "idefics" else AutoModelForImageTextToText
    model = model_class.from_pretrained(folder, local_files_only=True, use_safetensors=True)
    return Loaded(family, folder, seconds, processor, model.eval())


def chat_inputs(loaded: Loaded, messages: list[dict[str, Any]], images: list[Any]) -> Any:
    """Model inputs the way the app builds them for chat-template families."""
    prompt = loaded.processor.apply_chat_template(messages, add_generation_prompt=True)
    assert isinstance(prompt, str)
    grouped = [images] if loaded.family in NESTED else images
    return loaded.processor(text=prompt, images=grouped, return_tensors="pt")


def idefics_inputs(loaded: Loaded, images: list[Any]) -> Any:
    """The IDEFICS guide's instruct prompt, one round per image."""
    prompt: list[Any] = []
    for index, picture in enumerate(images):
        if index:
            prompt += [" A cat.<end_of_utterance>", "\nUser:"]
        else:
            prompt.append("User: What is in this image?")
        prompt += [picture, "<end_of_utterance>", "\nAssistant:"]
    return loaded.processor(text=[prompt], return_tensors="pt")


def inputs_for(loaded: Loaded, images: list[Any]) -> Any:
    if loaded.family == "idefics":
        return idefics_inputs(loaded, images)
    return chat_inputs(loaded, FIRST_TURN if len(images) == 1 else TWO_TURNS, images)


def image_token_count(loaded: Loaded, inputs: Any) -> int:
    image_id = loaded.processor.tokenizer.convert_tokens_to_ids("<image>")
    return int((inputs["input_ids"] == image_id).sum())


def crops(loaded: Loaded, inputs: Any) -> int:
    """How many crops (sub-images) the processor made, all images together."""
    pixels = inputs["pixel_values"]
    return int(pixels.shape[0] if loaded.family == "llava" else pixels.shape[:2].numel())


def generate(loaded: Loaded, inputs: Any) -> torch.Tensor:
    """Eight greedy new tokens at most (fewer only if the end-of-turn token came)."""
    options: dict[str, Any] = {"max_new_tokens": 8, "do_sample": False}
    if loaded.family == "idefics":
        tokenizer = loaded.processor.tokenizer
        bad = tokenizer(["<image>", "<fake_token_around_image>"], add_special_tokens=False)
        options["bad_words_ids"] = bad.input_ids
        options["eos_token_id"] = tokenizer(
            "<end_of_utterance>", add_special_tokens=False
        ).input_ids
    with torch.inference_mode():
        output = loaded.model.generate(**inputs, **options)
    prompt_length = inputs["input_ids"].shape[1]
    new = output[0, prompt_length:]
    assert 1 <= new.numel() <= 8
    if new.numel() < 8:
        assert int(new[-1]) == loaded.model.generation_config.eos_token_id
    text = loaded.processor.decode(new, skip_special_tokens=True)
    assert isinstance(text, str)
    return new


def test_folder_is_small_and_safetensors_only(loaded: Loaded) -> None:
    names = {path.name for path in loaded.folder.iterdir()}
    expected = {"config.json", "model.safetensors", "generation_config.json", "tokenizer.json"}
    expected |= {"tokenizer_config.json", "special_tokens_map.json", "processor_config.json"}
    assert expected <= names
    if loaded.family != "idefics":
        assert "chat_template.jinja" in names
    assert not [n for n in names if n.endswith((".bin", ".pt", ".pth", ".ckpt", ".pkl"))]
    assert sum(path.stat().st_size for path in loaded.folder.iterdir()) < MAX_FOLDER_BYTES
    assert loaded.seconds < 10


def test_vocabulary_is_the_tokenizer(loaded: Loaded) -> None:
    tokenizer = loaded.processor.tokenizer
    inputs = inputs_for(loaded, [image(64, 48)])
    with torch.inference_mode():
        logits = loaded.model(**inputs).logits
    assert logits.shape[-1] == len(tokenizer)
    ids = tokenizer("Grüße, 世界 🐱 <x>", add_special_tokens=False).input_ids
    assert max(ids) < len(tokenizer)
    assert tokenizer.decode(ids) == "Grüße, 世界 🐱 <x>"


def test_special_tokens_live_in_tokenizer_json(loaded: Loaded) -> None:
    added = json.loads((loaded.folder / "tokenizer.json").read_text(encoding="utf-8"))
    special = {token["content"] for token in added["added_tokens"] if token["special"]}
    needed = {"<image>", END_OF_TURN[loaded.family]}
    if loaded.family in ("idefics3", "smolvlm2"):
        needed |= {"<fake_token_around_image>", "<global-img>"}
        needed |= {f"<row_{i}_col_{j}>" for i in range(1, 7) for j in range(1, 7)}
    if loaded.family == "smolvlm2":
        needed.add("<video>")
    if loaded.family == "llava":
        needed |= {"<|im_start|>", "<|endoftext|>"}
    assert needed <= special
    tokenizer = loaded.processor.tokenizer
    for token in needed:
        assert len(tokenizer(token, add_special_tokens=False).input_ids) == 1


def test_generation_config_stops_at_end_of_turn(loaded: Loaded) -> None:
    tokenizer = loaded.processor.tokenizer
    config = loaded.model.generation_config
    assert config.eos_token_id == tokenizer.convert_tokens_to_ids(END_OF_TURN[loaded.family])
    assert isinstance(config.pad_token_id, int)
    if loaded.family != "idefics":
        assert loaded.model.config.image_token_id == tokenizer.convert_tokens_to_ids("<image>")


CHAT_PROMPTS = {
    "idefics3": "<|im_start|>User:<image>Describe this image.<end_of_utterance>\nAssistant:",
    "smolvlm2": "<|im_start|>User:<image>Describe this image.<end_of_utterance>\nAssistant:",
    "idefics2": "User:<image>Describe this image.<end_of_utterance>\nAssistant:",
    "llava": "<|im_start|>user <image>\nDescribe this image.<|im_end|><|im_start|>assistant",
}


@pytest.mark.parametrize("loaded", list(CHAT_PROMPTS), indirect=True)
def test_chat_template_matches_the_real_checkpoint(loaded: Loaded) -> None:
    prompt = loaded.processor.apply_chat_template(FIRST_TURN, add_generation_prompt=True)
    assert prompt == CHAT_PROMPTS[loaded.family]
    two = loaded.processor.apply_chat_template(TWO_TURNS, add_generation_prompt=True)
    assert two.startswith(prompt) and two.count("<image>") == 2


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_one_turn_generates(loaded: Loaded, size: tuple[int, int]) -> None:
    inputs = inputs_for(loaded, [image(*size)])
    assert image_token_count(loaded, inputs) == IMAGE_TOKENS_PER_CROP[loaded.family] * (
        1 if loaded.family in ("llava", "idefics") else crops(loaded, inputs)
    )
    generate(loaded, inputs)


def test_two_turns_with_two_images_generate(loaded: Loaded) -> None:
    inputs = inputs_for(loaded, [image(1280, 800, seed=1), image(300, 200, seed=2)])
    per_crop = IMAGE_TOKENS_PER_CROP[loaded.family]
    if loaded.family in ("llava", "idefics"):
        assert image_token_count(loaded, inputs) == 2 * per_crop
        assert crops(loaded, inputs) == 2
    else:
        assert image_token_count(loaded, inputs) == per_crop * crops(loaded, inputs)
    if loaded.family == "idefics":
        assert inputs["image_attention_mask"].shape[-1] == 2
    generate(loaded, inputs)


SPLIT_CROPS = {"idefics3": (13, 1), "smolvlm2": (13, 1), "idefics2": (5, 1)}
"""Crops of a 1280x800 image with splitting on / off (4 x 3 grid + global; 4 + 1)."""


@pytest.mark.parametrize("loaded", list(SPLIT_CROPS), indirect=True)
@pytest.mark.parametrize("split", [True, False], ids=["split", "whole"])
def test_image_splitting_changes_image_tokens(loaded: Loaded, split: bool) -> None:
    image_processor = loaded.processor.image_processor
    before = image_processor.do_image_splitting
    image_processor.do_image_splitting = split
    try:
        inputs = inputs_for(loaded, [image(1280, 800)])
        expected_crops = SPLIT_CROPS[loaded.family][0 if split else 1]
        assert crops(loaded, inputs) == expected_crops
        per_crop = IMAGE_TOKENS_PER_CROP[loaded.family]
        assert image_token_count(loaded, inputs) == per_crop * expected_crops
        generate(loaded, inputs)
    finally:
        image_processor.do_image_splitting = before


@pytest.mark.parametrize("loaded", ["idefics"], indirect=True)
def test_idefics_instruct_tokens_are_single_ids(loaded: Loaded) -> None:
    tokenizer = loaded.processor.tokenizer
    bad = tokenizer(["<image>", "<fake_token_around_image>"], add_special_tokens=False).input_ids
    eos = tokenizer("<end_of_utterance>", add_special_tokens=False).input_ids
    assert [len(ids) for ids in bad] == [1, 1]
    assert len(eos) == 1
    # The two image tokens are IDEFICS's decoupled (additional) vocabulary, the last ids.
    config = loaded.model.config
    assert sorted(i for ids in bad for i in ids) == [config.vocab_size, config.vocab_size + 1]
    assert eos[0] < config.vocab_size


@pytest.mark.parametrize("loaded", ["smolvlm2"], indirect=True)
def test_smolvlm2_has_a_video_processor(loaded: Loaded) -> None:
    assert type(loaded.processor.video_processor).__name__ == "SmolVLMVideoProcessor"
    frames = np.random.default_rng(0).integers(0, 256, (2, 48, 64, 3), dtype=np.uint8)
    messages = [{"role": "user", "content": [{"type": "video"}, {"type": "text", "text": "Hi"}]}]
    prompt = loaded.processor.apply_chat_template(messages, add_generation_prompt=True)
    inputs = loaded.processor(text=prompt, videos=[frames], return_tensors="pt")
    assert tuple(inputs["pixel_values"].shape[:2]) == (1, 2)
    assert image_token_count(loaded, inputs) == 2 * IMAGE_TOKENS_PER_CROP["smolvlm2"]


def test_same_seed_same_model(tmp_path: Path) -> None:
    first = build_tiny_model("idefics3", tmp_path / "a", seed=3)
    again = build_tiny_model("idefics3", tmp_path / "b", seed=3)
    other = build_tiny_model("idefics3", tmp_path / "c", seed=4)
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        assert (first / name).read_bytes() == (again / name).read_bytes()
    assert (first / "model.safetensors").read_bytes() != (other / "model.safetensors").read_bytes()


def test_unknown_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        build_tiny_model("gpt2", tmp_path)
    with pytest.raises(ValueError):
        real_shape_config("SmolVLM-1T")


@pytest.mark.parametrize(
    ("name", "published", "vocabulary", "scale_factor", "image_tokens"),
    [
        ("SmolVLM-256M-Instruct", 256_484_928, 49280, 4, 64),
        ("SmolVLM-500M-Instruct", 507_482_304, 49280, 4, 64),
        ("SmolVLM-Instruct", 2_250_000_000, 49155, 3, 81),  # "2.25B params" on its card
    ],
)
def test_real_shape_parameter_count(
    name: str, published: int, vocabulary: int, scale_factor: int, image_tokens: int
) -> None:
    assert name in REAL_SHAPES
    config = real_shape_config(name)
    assert config.model_type == "idefics3"
    assert config.text_config.vocab_size == vocabulary
    assert config.scale_factor == scale_factor
    vision = config.vision_config
    assert (vision.image_size // vision.patch_size) ** 2 // config.scale_factor**2 == image_tokens
    with torch.device("meta"):
        model = AutoModelForImageTextToText.from_config(config)
    total = sum(parameter.numel() for parameter in model.parameters())
    assert abs(total - published) / published < 0.05


def test_fewer_layers_keep_every_width() -> None:
    full = real_shape_config("SmolVLM-Instruct")
    few = real_shape_config("SmolVLM-Instruct", layers=(2, 3))
    assert (few.text_config.num_hidden_layers, few.vision_config.num_hidden_layers) == (2, 3)
    for part in ("text_config", "vision_config"):
        widths = {k: v for k, v in getattr(full, part).to_dict().items() if "layers" not in k}
        fewer = {k: v for k, v in getattr(few, part).to_dict().items() if "layers" not in k}
        assert widths == fewer


def test_real_shape_tokenizer_has_the_real_vocabulary_size() -> None:
    tokenizer = real_shape_tokenizer()
    assert len(tokenizer) == 49280
    for token in ("<image>", "<end_of_utterance>", "<row_6_col_6>", "<global-img>"):
        assert len(tokenizer(token, add_special_tokens=False).input_ids) == 1
    assert tokenizer.decode(tokenizer("A grey cat.").input_ids) == "A grey cat."
