"""Int8 fidelity at SmolVLM-2.2B's widths: random weights, every layer as published, 4 of
each tower's layers; the first int8 load (layer by layer) agrees with float32 (the cache
gives the same model: test_int8_stream.py).
The whole model's figures are in docs/performance.md (benchmarks/large_model.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from desktop_app.core.types import Request
from desktop_app.engine.local import loading
from desktop_app.engine.local.int8_rotated import RotatedInt8Linear
from desktop_app.engine.local.precision import Hardware
from desktop_app.settings import EngineSettings, Quantization
from desktop_app.testing.int8_quality import logit_agreement
from desktop_app.testing.random_models import build_real_shape_model

MIN_COSINE = 0.995
"""The issue's target for the whole 2.2B model; with 4 layers torch's own dynamic int8
(7-bit activations, nothing rotated) reaches only 0.993 here."""
LAYERS = (4, 4)


@pytest.fixture(scope="module")
def shaped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("smolvlm-2.2b-shape") / "SmolVLM-Instruct"
    return build_real_shape_model("SmolVLM-Instruct", folder, layers=LAYERS)


def _load(folder: Path, quantization: Quantization) -> loading.LoadedModel:
    settings = EngineSettings(model=str(folder), quantization=quantization)
    return loading.load_model(folder, folder.name, settings, Hardware(cores=2))


@pytest.mark.slow
def test_int8_logits_follow_float32_at_the_2b_shape(
    shaped: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "int8"))
    full = _load(shaped, Quantization.NONE)
    image = Image.effect_mandelbrot((640, 400), (-2.0, -1.2, 1.0, 1.2), 80).convert("RGB")
    inputs = dict(
        full.family.build_inputs(full.processor, Request.single("Describe.", [image]), [image])
    )
    first = _load(shaped, Quantization.INT8)  # layer by layer, then written to the cache
    rotated = [m for m in first.model.modules() if isinstance(m, RotatedInt8Linear)]
    assert len(rotated) == LAYERS[0]  # each text layer's down_proj
    similarities = logit_agreement(full.model, first.model, inputs, steps=4)
    assert min(similarities) >= MIN_COSINE, similarities
