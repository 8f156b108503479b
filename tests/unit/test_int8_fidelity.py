"""Int8 fidelity at SmolVLM-2.2B's widths: random weights, every layer as published, 4 of
each tower's layers; the first int8 load (layer by layer) agrees with float32 (the cache
gives the same model: test_int8_stream.py).
The whole model's figures are in docs/performance.md (benchmarks/large_model.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from PIL import Image

from desktop_app.core.types import Request
from desktop_app.engine.local import int8_linear, loading
from desktop_app.engine.local.int8_rotated import RotatedInt8Linear, quantize_rotated, rotate
from desktop_app.engine.local.precision import Hardware
from desktop_app.settings import EngineSettings, Quantization
from desktop_app.testing.int8_quality import eight_bit_activations, logit_agreement
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


def _int8_layer(values: torch.Tensor, scale: float, bias: torch.Tensor | None) -> torch.nn.Module:
    qweight = int8_linear.qint8(values.to(torch.int8), torch.tensor(scale))
    return int8_linear.packed(int8_linear.Int8Linear, qweight, bias)


@pytest.mark.filterwarnings("ignore:.*quantized tensor creation:UserWarning")
def test_eight_bit_activations_compute_what_the_kernel_computes_without_saturating() -> None:
    """With weights no pair of which can saturate (|q| <= 64), the kernel's own 8-bit
    product on this CPU and the emulation agree, inputs of any range; outside the block the
    layer is the kernel again."""
    torch.manual_seed(4)
    layer = _int8_layer(torch.randint(-64, 65, (48, 96)), 0.01, torch.randn(48))
    packed = layer._packed_params._packed_params
    for inputs in (torch.randn(5, 96) + 0.3, torch.rand(2, 3, 96) * 7.0, -torch.rand(1, 96)):
        kernel = torch.ops.quantized.linear_dynamic(inputs, packed, reduce_range=False)
        with eight_bit_activations():
            emulated = layer(inputs)
        assert emulated.shape == kernel.shape
        assert torch.allclose(emulated, kernel, rtol=1e-4, atol=1e-4 * float(kernel.abs().max()))
    seven = not int8_linear.full_range_is_exact()  # the kernel with this CPU's bits again
    outside = torch.ops.quantized.linear_dynamic(inputs, packed, reduce_range=seven)
    assert torch.equal(layer(inputs), outside)


def test_eight_bit_activations_halve_the_activations_rounding_in_every_int8_layer() -> None:
    """Against the float product of the same int8 weights, 8-bit activations err about half
    as much as 7-bit ones: in Iris's layer, a rotated one and the split output layer."""
    torch.manual_seed(5)
    weight = torch.randn(64, 1024) * 0.02
    qweight = int8_linear.quantize_weight(weight, per_channel=False)
    layers = {
        "int8": _int8_layer(qweight.int_repr(), qweight.q_scale(), None),
        "rotated": quantize_rotated(weight, None, 128),
        "split": int8_linear.SplitInt8Linear(
            int8_linear.quantize_weight(weight[:, :600].contiguous(), per_channel=False), None
        ),
    }
    inputs = torch.randn(16, 1024)
    for name, layer in layers.items():
        x = inputs[:, : layer.in_features]
        if isinstance(layer, int8_linear.SplitInt8Linear):
            exact = x @ layer.weight_bias()[0].dequantize().T
        elif isinstance(layer, RotatedInt8Linear):
            exact = x @ weight.T  # the rotation undone by the weight's
        else:
            exact = x @ qweight.dequantize().T
        with eight_bit_activations():
            eight = layer(x)
        error_8 = float((eight - exact).norm() / exact.norm())
        error_7 = float((_seven_bit(layer, x) - exact).norm() / exact.norm())
        assert error_8 < 0.75 * error_7, (name, error_8, error_7)


def _seven_bit(layer: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    """`layer`'s product with 7-bit activations (torch's own dynamic int8)."""
    if isinstance(layer, int8_linear.SplitInt8Linear):
        qweight, bias = layer.weight_bias()
        packed = torch.ops.quantized.linear_prepack(qweight, bias)
    else:
        packed = layer._packed_params._packed_params
        if isinstance(layer, RotatedInt8Linear):
            x = rotate(x, layer.block)
    return torch.ops.quantized.linear_dynamic(x, packed, reduce_range=True)
