"""Without tiles, Idefics3/SmolVLM processors resize an image once, straight to its tile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from desktop_app.engine.local import loading
from desktop_app.engine.local.image_size import square_in_one_resize
from desktop_app.settings import EngineSettings

SCREEN = Image.radial_gradient("L").resize((400, 225)).convert("RGB")
"""A wide screenshot's shape, smaller than the tiles' canvas (it was enlarged first)."""


def _processor(folder: Path, **settings: Any) -> Any:
    return loading._load_processor(folder, EngineSettings(model=str(folder), **settings), "cpu")


def _tile(processor: Any, image: Image.Image) -> np.ndarray:
    return np.asarray(processor.image_processor(image)["pixel_values"], dtype=np.float32)


@pytest.mark.parametrize("family", ["idefics3", "smolvlm2"])
def test_the_cpu_default_resizes_once_to_the_same_tile(
    every_family: dict[str, Path], family: str
) -> None:
    processor = _processor(every_family[family])
    assert processor.image_processor.do_resize is False
    once = _tile(processor, SCREEN)
    processor.image_processor.do_resize = True  # the processor's own two resizes
    twice = _tile(processor, SCREEN)
    assert once.shape == twice.shape  # the same square tile, the same image tokens
    levels = np.abs(once - twice) * 255 / 2  # normalized to -1..1
    assert levels.mean() < 2.0 and not np.array_equal(once, twice)


@pytest.mark.parametrize(
    "settings",
    [{"split_image": True}, {"split_image": False, "longest_edge": 64}],
    ids=["tiles", "longest edge set"],
)
def test_tiles_or_a_longest_edge_keep_the_first_resize(
    tiny_models: dict[str, Path], settings: dict[str, Any]
) -> None:
    assert _processor(tiny_models["idefics3"], **settings).image_processor.do_resize is True


def test_other_processors_are_left_alone(every_family: dict[str, Path]) -> None:
    for family in ("idefics2", "llava", "qwen2_vl"):
        processor = _processor(every_family[family])
        image_processor = processor.image_processor
        assert not square_in_one_resize(image_processor), family
        assert getattr(image_processor, "do_resize", True) is not False, family
