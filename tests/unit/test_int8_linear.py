"""The split int8 output layer: the padded layer's values and products, less memory."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import torch
from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

from desktop_app.engine.local import int8_cache, int8_linear, loading
from desktop_app.engine.local.int8_linear import SplitInt8Linear, split_output_layer
from desktop_app.engine.local.precision import Hardware
from desktop_app.settings import EngineSettings, Quantization


def _dynamic(in_features: int, out_features: int, bias: bool = True) -> DynamicLinear:
    torch.manual_seed(in_features + out_features)
    layer = torch.nn.Sequential(torch.nn.Linear(in_features, out_features, bias=bias))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quantized = torch.ao.quantization.quantize_dynamic(
            layer, {torch.nn.Linear}, dtype=torch.qint8
        )
    result: DynamicLinear = quantized[0]
    return result


@pytest.mark.parametrize(
    ("in_features", "out_features", "groups"),
    [(576, 1000, 8), (576, 1003, 8), (700, 33, 2), (1100, 20, 4), (513, 9, 512)],
)
def test_split_keeps_the_int8_values_and_gives_the_same_products(
    in_features: int, out_features: int, groups: int
) -> None:
    padded = _dynamic(in_features, out_features)
    weight, bias = padded._weight_bias()
    split = SplitInt8Linear(weight, bias)
    assert split.groups == groups

    again, again_bias = split.weight_bias()
    assert torch.equal(again.int_repr(), weight.int_repr())
    assert (again.q_scale(), again.q_zero_point()) == (weight.q_scale(), weight.q_zero_point())
    assert again_bias is not None and bias is not None and torch.equal(again_bias, bias)
    inputs = torch.randn(3, 2, in_features)
    exact = inputs @ weight.dequantize().T + bias
    found, reference = split(inputs), padded(inputs)
    assert found.shape == (3, 2, out_features)
    # Only the inputs' quantization differs (each part gets its own range).
    error = (found - exact).norm() / exact.norm()
    assert error <= 1.2 * (reference - exact).norm() / exact.norm() + 1e-3


def test_a_layer_without_bias_splits() -> None:
    padded = _dynamic(600, 40, bias=False)
    split = SplitInt8Linear(*padded._weight_bias())
    inputs = torch.randn(1, 600)
    assert split.weight_bias()[1] is None
    assert torch.allclose(split(inputs), padded(inputs), atol=0.05 * padded(inputs).abs().max())


def test_layers_that_need_no_split_are_refused() -> None:
    for in_features in (512, 1024, 300):
        with pytest.raises(ValueError, match="need no split"):
            SplitInt8Linear(*_dynamic(in_features, 8)._weight_bias())


def test_split_takes_less_memory_than_fbgemms_padding() -> None:
    padded = _dynamic(576, 4096)
    weight, bias = padded._weight_bias()
    split = SplitInt8Linear(weight, bias)
    # fbgemm's packed size is not visible; the split packs exactly these matrices.
    main = torch.ops.quantized.linear_unpack(split._main)[0]
    tail = torch.ops.quantized.linear_unpack(split._tail)[0]
    assert main.shape == (4096, 512) and tail.shape == (512, 512)
    assert main.numel() + tail.numel() == weight.numel()  # no padding at all


class _WithHead(torch.nn.Module):
    def __init__(self, head: torch.nn.Module) -> None:
        super().__init__()
        self.head = head

    def get_output_embeddings(self) -> torch.nn.Module:
        return self.head


def test_only_a_padded_dynamic_output_layer_is_split() -> None:
    model = _WithHead(_dynamic(576, 64))
    assert split_output_layer(model) == "head"
    assert isinstance(model.head, SplitInt8Linear)
    assert split_output_layer(model) is None  # already split
    for head in (_dynamic(512, 64), torch.nn.Linear(576, 64)):
        assert split_output_layer(_WithHead(head)) is None
    assert split_output_layer(torch.nn.Linear(576, 64)) is None


def test_a_cached_split_output_layer_loads_as_it_was_written(
    tiny_models: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "int8"))
    monkeypatch.setattr(int8_linear, "K_BLOCK", 48)  # tiny models' layers are narrow
    folder = tiny_models["idefics3"]
    settings = EngineSettings(model=str(folder), quantization=Quantization.INT8)

    def load() -> Any:
        return loading.load_model(folder, folder.name, settings, Hardware(cores=2)).model

    cold = load()
    head = cold.get_output_embeddings()
    assert isinstance(head, SplitInt8Linear), type(head)
    manifest = (int8_cache.cache_folder(folder) / int8_cache.MANIFEST).read_text()
    assert '"split": [\n  "lm_head"\n ]' in manifest
    warm = load()
    assert isinstance(warm.get_output_embeddings(), SplitInt8Linear)
    assert torch.equal(
        warm.get_output_embeddings().weight_bias()[0].int_repr(), head.weight_bias()[0].int_repr()
    )
    inputs = torch.randn(1, 3, head.in_features)
    assert torch.equal(warm.get_output_embeddings()(inputs), head(inputs))


def test_each_output_channel_keeps_its_own_scale() -> None:
    """A row 1000 times smaller than the others keeps its precision (one scale for the whole
    layer would round it to zero), and the int8 cache gives the scales back."""
    torch.manual_seed(0)
    weight = torch.randn(64, 128)
    weight[0] /= 1000.0
    layer = int8_linear.quantize_linear(weight, None)
    stored = layer._weight_bias()[0].dequantize()
    assert (stored[0] - weight[0]).norm() / weight[0].norm() < 0.02
    assert (stored - weight).norm() / weight.norm() < 0.01
    split = int8_linear.quantize_linear(torch.randn(8, 600), None, split=True)
    assert isinstance(split, SplitInt8Linear)  # spread rows share one scale


@pytest.mark.parametrize("rows_at_once", [7, 1000])
@pytest.mark.parametrize("per_channel", [True, False])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_quantize_weight_gives_torch_observers_values_exactly(
    per_channel: bool, dtype: torch.dtype, rows_at_once: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast quantization equals torch's observer and `_quantize_weight`, element for
    element, scales and zero points included: rows of zeros, ties and outliers among them,
    a few rows at a time or all at once."""
    from torch.ao.nn.quantized.modules.utils import _quantize_weight

    monkeypatch.setattr(int8_linear, "WORKSPACE_ELEMENTS", rows_at_once * 520)
    torch.manual_seed(1)
    weight = (torch.randn(300, 520) * 0.02).to(dtype)
    weight[3] = 0.0  # a row of zeros: its scale is eps
    weight[5, 7] = 3.0  # an outlier sets its row's scale
    weight[9] = torch.arange(520, dtype=torch.float32).to(dtype) / 8.0 - 32.0  # .5 ties
    observer = int8_linear.weight_qconfig(split=not per_channel).weight()
    observer(weight.float())
    expected = _quantize_weight(weight.float(), observer)
    found = int8_linear.quantize_weight(weight, per_channel=per_channel)
    assert found.qscheme() == expected.qscheme()
    assert torch.equal(found.int_repr(), expected.int_repr())
    if per_channel:
        assert torch.equal(found.q_per_channel_scales(), expected.q_per_channel_scales())
        assert torch.equal(found.q_per_channel_zero_points(), expected.q_per_channel_zero_points())
        assert found.q_per_channel_axis() == expected.q_per_channel_axis()
    else:
        assert (found.q_scale(), found.q_zero_point()) == (
            expected.q_scale(),
            expected.q_zero_point(),
        )


@pytest.mark.filterwarnings("ignore:.*quantized tensor creation:UserWarning")
def test_the_split_output_layer_takes_8_bit_activations_where_int8linear_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where the kernels take 8-bit activations the split layer does too: its products then
    err about half as much against the float product of its int8 weights. (Weights of at
    most 64 cannot saturate, so this CPU's kernels show it whatever they are.)"""
    torch.manual_seed(6)
    values = torch.randint(-64, 65, (40, 600), dtype=torch.int8)
    split = SplitInt8Linear(int8_linear.qint8(values, torch.tensor(0.01)), None)
    inputs = torch.randn(16, 600)
    exact = inputs @ (values.float() * 0.01).T
    errors = {}
    for eight_bits in (True, False):
        monkeypatch.setattr(int8_linear, "full_range_is_exact", lambda e=eight_bits: e)
        errors[eight_bits] = float((split(inputs) - exact).norm() / exact.norm())
    assert errors[True] < 0.75 * errors[False], errors
