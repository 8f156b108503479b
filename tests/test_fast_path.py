"""The CPU fast path: one tile by default, splitting when asked for."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from desktop_app.core.types import Request
from desktop_app.engine.local import LocalBackend
from desktop_app.settings import DeviceChoice, EngineSettings


def prompt_tokens(model: Path, split: bool | None) -> int:
    settings = EngineSettings(
        model=str(model), device=DeviceChoice.CPU, split_image=split, max_new_tokens=1,
        ground_in_text=False,
    )  # fmt: skip
    request = Request.single("Describe.", [Image.new("RGB", (1280, 800), "white")], 1)
    return LocalBackend(settings).start(request, lambda piece: None).prompt_tokens


def test_cpu_uses_one_tile_unless_splitting_is_asked_for(tiny_models: dict[str, Path]) -> None:
    model = tiny_models["idefics3"]
    default, one_tile, split = (prompt_tokens(model, choice) for choice in (None, False, True))
    print(f"prompt tokens: default {default}, one tile {one_tile}, split {split}")
    assert default == one_tile < split
