"""The CPU fast path: one tile by default, splitting when asked for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image
from pytestqt.qtbot import QtBot

from desktop_app.core.types import Request
from desktop_app.engine.local.backend import LocalBackend
from desktop_app.gui.worker import EngineWorker
from desktop_app.settings import DeviceChoice, EngineSettings
from tests.helpers.fakes import FakeBackend


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


def test_more_detail_tiles_images_at_their_own_resolution(tiny_models: dict[str, Path]) -> None:
    backend = LocalBackend(
        EngineSettings(model=str(tiny_models["idefics3"]), max_new_tokens=1, ground_in_text=False)
    )
    tile = backend.loaded.processor.image_processor.max_image_size["longest_edge"]

    def tokens(size: tuple[int, int], detail: bool) -> int:
        request = Request.single("Describe.", [Image.new("RGB", size, "white")], 1, detail=detail)
        return backend.start(request, lambda piece: None).prompt_tokens

    small, big = (tile + 1, tile), (1280, 800)
    print(f"tile {tile}: small {tokens(small, True)}, big {tokens(big, True)}")
    assert tokens(small, False) < tokens(small, True) < tokens(big, True)
    assert tokens(big, True) == prompt_tokens(tiny_models["idefics3"], split=True)


def test_warm_up_generates_once_and_keeps_nothing(tiny_models: dict[str, Path]) -> None:
    backend = LocalBackend(EngineSettings(model=str(tiny_models["idefics3"]), max_new_tokens=2))
    model = backend.loaded.model
    generate = model.generate
    calls: list[int] = []

    def counted(**inputs: Any) -> Any:
        calls.append(int(inputs["max_new_tokens"]))
        return generate(**inputs)

    model.generate = counted
    backend.warm_up()
    assert calls == [1]
    request = Request.single("Describe.", [Image.new("RGB", (64, 64), (128, 128, 128))], 2)
    assert backend.start(request, lambda piece: None).cached_tokens == 0


def test_the_window_worker_warms_the_model_up_after_loading(qtbot: QtBot) -> None:
    backend = FakeBackend(description="warming", start_error=AssertionError("not used"))
    worker = EngineWorker(backend)
    try:
        worker.load()
        assert backend.warmed.wait(timeout=10)
        assert backend.calls[:2] == ["load", "warm_up"]  # loaded first, then warmed up
    finally:
        worker.shutdown()
