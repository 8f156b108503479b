"""The vision encoder reads contiguous patches after a load, and computes the same numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from PIL import Image

from desktop_app.core.types import Request
from desktop_app.engine.local import loading
from desktop_app.engine.local.precision import Hardware
from desktop_app.engine.local.vision_layout import EMBEDDINGS_SUFFIX, contiguous_vision_embeddings
from desktop_app.settings import EngineSettings, Quantization


def _load(folder: Path, quantization: Quantization) -> loading.LoadedModel:
    settings = EngineSettings(model=str(folder), quantization=quantization, max_new_tokens=4)
    return loading.load_model(folder, folder.name, settings, Hardware(cores=2))


def _embeddings(model: Any) -> list[Any]:
    return [m for m in model.modules() if type(m).__name__.endswith(EMBEDDINGS_SUFFIX)]


def _run(loaded: loading.LoadedModel) -> tuple[torch.Tensor, list[bool]]:
    """The logits of one described image, and whether each embeddings output was contiguous
    as the encoder got it."""
    seen: list[bool] = []
    handles = [
        module.register_forward_hook(lambda m, a, out: seen.append(out.is_contiguous()))
        for module in _embeddings(loaded.model)
    ]  # registered after the load's own: they see what the encoder is given
    image = Image.linear_gradient("L").resize((96, 64)).convert("RGB")
    request = Request.single("Describe.", [image], max_new_tokens=4)
    inputs = dict(loaded.family.build_inputs(loaded.processor, request, [image]))
    try:
        with torch.inference_mode():
            return loaded.model(**inputs).logits, seen
    finally:
        for handle in handles:
            handle.remove()


@pytest.mark.parametrize("quantization", [Quantization.INT8, Quantization.NONE])
@pytest.mark.parametrize("family", ["idefics3", "smolvlm2", "llava"])
def test_the_encoder_gets_contiguous_patches_and_the_same_logits(
    tiny_models: dict[str, Path],
    family: str,
    quantization: Quantization,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "int8"))
    loaded = _load(tiny_models[family], quantization)
    logits, seen = _run(loaded)
    assert seen and all(seen)
    for module in _embeddings(loaded.model):
        module._forward_hooks.clear()  # as transformers leaves it
    as_shipped, seen_without = _run(loaded)
    assert torch.equal(logits, as_shipped)
    assert not any(seen_without)  # the patches as transformers lays them out: strided


def test_only_vision_embeddings_are_changed() -> None:
    class SiglipVisionEmbeddings(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x.transpose(0, 1)

    class TextEmbeddings(SiglipVisionEmbeddings):
        pass

    model = torch.nn.Sequential(SiglipVisionEmbeddings(), TextEmbeddings())
    assert contiguous_vision_embeddings(model) == 1
    patches = torch.arange(6.0).reshape(2, 3)
    assert model[0](patches).is_contiguous() and torch.equal(model[0](patches), patches.T)
    assert not model[1](patches).is_contiguous()
