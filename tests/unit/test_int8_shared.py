"""Sibling int8 layers that read the same input share one product, with the same values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from PIL import Image

from desktop_app.core.types import Request
from desktop_app.engine.local import int8_cache, loading
from desktop_app.engine.local.int8_linear import Int8Linear, quantize_linear
from desktop_app.engine.local.int8_shared import (
    Int8Share,
    SharedInputInt8Linear,
    joined,
    share_inputs,
    shared_groups,
    shared_modules,
)
from desktop_app.engine.local.precision import Hardware
from desktop_app.settings import EngineSettings, Quantization
from desktop_app.testing.random_models import PROMPTED_FAMILIES

NAMES = ["attn.q_proj", "attn.k_proj", "attn.v_proj"]


@pytest.fixture
def layers() -> list[Int8Linear]:
    """A query, key and value projection of 48 inputs; the key has no bias."""
    torch.manual_seed(0)
    made = []
    for outputs, bias in ((48, True), (16, False), (16, True)):
        layer = quantize_linear(
            torch.randn(outputs, 48) * 0.1, torch.randn(outputs) if bias else None
        )
        assert isinstance(layer, Int8Linear)
        made.append(layer)
    return made


@pytest.fixture
def products(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The (rows, outputs) of every int8 product computed while the test runs."""
    computed: list[tuple[int, int]] = []
    forward = Int8Linear.forward

    def counted(self: Int8Linear, x: torch.Tensor) -> torch.Tensor:
        out = forward(self, x)
        computed.append((x.numel() // x.shape[-1], int(out.shape[-1])))
        return out

    monkeypatch.setattr(Int8Linear, "forward", counted)
    return computed


def _group(layers: list[Int8Linear]) -> list[Any]:
    found = joined([layer._weight_bias() for layer in layers])
    assert found is not None
    made = shared_modules(NAMES, *found, [layer.out_features for layer in layers])
    assert [name for name, _ in made] == NAMES
    return [module for _, module in made]


@pytest.mark.parametrize("shape", [(1, 1, 48), (2, 7, 48), (5, 48)])
def test_each_layer_of_a_group_gives_its_own_values(
    layers: list[Int8Linear], shape: tuple[int, ...]
) -> None:
    group = _group(layers)
    x = torch.randn(shape)
    expected = [layer(x) for layer in layers]
    with torch.inference_mode():
        found = [module(x) for module in group]
    for got, want in zip(found, expected, strict=True):
        assert got.shape == want.shape
        assert torch.equal(got, want)
    assert isinstance(group[0], SharedInputInt8Linear)
    assert all(isinstance(share, Int8Share) for share in group[1:])
    assert [share.out_features for share in group[1:]] == [16, 16]


def test_the_layers_of_a_group_read_one_product_without_copying_it(
    layers: list[Int8Linear],
) -> None:
    x = torch.randn(2, 7, 48)
    outputs = [module(x) for module in _group(layers)]
    storages = {output.untyped_storage().data_ptr() for output in outputs}
    assert len(storages) == 1
    assert [output.shape[-1] for output in outputs] == [layer.out_features for layer in layers]


def test_a_group_computes_one_product_per_input_and_keeps_nothing_after(
    layers: list[Int8Linear], products: list[tuple[int, int]]
) -> None:
    first, key, value = _group(layers)
    x = torch.randn(1, 3, 48)
    first(x), key(x), value(x)
    assert products == [(3, 80)]
    assert first.kept.input is None and first.kept.product is None
    value(x)  # the same input again, as a new question: computed again
    assert products == [(3, 80)] * 2


def test_a_layer_asked_twice_for_one_input_before_its_siblings_computes_again(
    layers: list[Int8Linear], products: list[tuple[int, int]]
) -> None:
    _, key, _ = _group(layers)
    x = torch.randn(1, 2, 48)
    key(x)
    assert torch.equal(key(x), layers[1](x))
    assert len(products) == 2 + 1  # twice the group's, once the layer's own


def test_layers_given_other_inputs_get_their_own_values(layers: list[Int8Linear]) -> None:
    first, key, value = _group(layers)
    x, y = torch.randn(1, 4, 48), torch.randn(1, 4, 48)
    found = [first(x), key(y), value(x), key(x), first(y)]
    expected = [layers[0](x), layers[1](y), layers[2](x), layers[1](x), layers[0](y)]
    for got, want in zip(found, expected, strict=True):
        assert torch.equal(got, want)


def test_an_input_changed_in_place_is_computed_again(layers: list[Int8Linear]) -> None:
    first, key, _ = _group(layers)
    x = torch.randn(1, 4, 48)
    first(x)
    x.mul_(3.0)
    assert torch.equal(key(x), layers[1](x))


def test_weights_with_one_scale_for_all_are_not_shared(layers: list[Int8Linear]) -> None:
    weight, bias = layers[1]._weight_bias()
    one_scale = torch.quantize_per_tensor(weight.dequantize(), 0.01, 0, torch.qint8)
    read = [layers[0]._weight_bias(), (one_scale, bias), layers[2]._weight_bias()]
    assert joined(read) is None
    assert joined([layers[0]._weight_bias(), layers[2]._weight_bias()]) is not None


def test_widths_that_do_not_add_up_to_the_weight_are_refused(layers: list[Int8Linear]) -> None:
    found = joined([layer._weight_bias() for layer in layers])
    assert found is not None
    with pytest.raises(ValueError, match="outputs"):
        shared_modules(NAMES, *found, [48, 16, 8])


def test_groups_are_siblings_of_one_parent_with_the_same_inputs() -> None:
    layers = {
        "a.q_proj": (8, 4),
        "a.k_proj": (2, 4),
        "a.v_proj": (2, 4),
        "a.o_proj": (4, 8),
        "b.q_proj": (8, 4),
        "b.k_proj": (2, 4),  # b has no v_proj
        "c.gate_proj": (16, 4),
        "c.up_proj": (16, 4),
        "d.gate_proj": (16, 4),
        "d.up_proj": (16, 5),  # another input width
        "gate_proj": (3, 2),
        "up_proj": (3, 2),
    }
    assert shared_groups(layers) == [
        ["a.q_proj", "a.k_proj", "a.v_proj"],
        ["c.gate_proj", "c.up_proj"],
        ["gate_proj", "up_proj"],
    ]


class _Attention(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.q_proj, self.k_proj, self.v_proj = (torch.nn.Linear(8, n) for n in (8, 4, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.q_proj(x), self.k_proj(x), self.v_proj(x)], -1)


def test_share_inputs_replaces_a_quantized_models_groups_in_place() -> None:
    from desktop_app.engine.local.precision import quantize_dynamic_int8

    model = torch.nn.Sequential(_Attention(), torch.nn.Linear(16, 4))
    quantize_dynamic_int8(model)
    x = torch.randn(3, 8)
    expected = model(x)
    assert share_inputs(model) == [["0.q_proj", "0.k_proj", "0.v_proj"]]
    assert isinstance(model[0].q_proj, SharedInputInt8Linear)
    assert type(model[1]) is Int8Linear
    assert torch.equal(model(x), expected)
    assert share_inputs(model) == []  # nothing left to share


def _load(folder: Path) -> loading.LoadedModel:
    settings = EngineSettings(model=str(folder), quantization=Quantization.INT8)
    return loading.load_model(folder, folder.name, settings, Hardware(cores=2))


def _logits(loaded: loading.LoadedModel) -> torch.Tensor:
    image = Image.linear_gradient("L").resize((96, 64)).convert("RGB")
    request = Request.single("Describe.", [image], max_new_tokens=4)
    inputs = loaded.family.build_inputs(loaded.processor, request, [image])
    with torch.inference_mode():
        logits: torch.Tensor = loaded.model(**inputs).logits
    return logits


def _kinds(model: Any) -> set[str]:
    return {type(module).__name__ for module in model.modules()}


@pytest.mark.parametrize("family", PROMPTED_FAMILIES)
def test_every_family_loads_with_shared_inputs_and_the_same_logits(
    every_family: dict[str, Path],
    family: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cold load (into the cache, then from it) and the warm one share where a family has
    the groups; each layer packed alone gives exactly the same logits."""
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "int8"))
    cold = _load(every_family[family])
    shared = _logits(cold)
    monkeypatch.setattr(int8_cache, "packing_units", lambda wanted: [[one] for one in wanted])
    alone = _load(every_family[family])
    assert "SharedInputInt8Linear" not in _kinds(alone.model)
    assert torch.equal(shared, _logits(alone))
    if family in ("idefics3", "smolvlm2", "llava", "qwen2_vl", "gemma3"):
        assert {"SharedInputInt8Linear", "Int8Share"} <= _kinds(cold.model), family


def test_a_model_quantized_whole_shares_its_inputs_too(
    tiny_models: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the checkpoint cannot be streamed: the cache keeps each layer, the model in
    memory shares, and the warm load from that cache gives the same logits."""
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "int8"))

    def not_streamable(*args: Any) -> None:
        raise loading.NotStreamable("a test")

    monkeypatch.setattr(loading, "stream_into_cache", not_streamable)
    whole = _load(tiny_models["idefics3"])
    assert "SharedInputInt8Linear" in _kinds(whole.model)
    warm = _load(tiny_models["idefics3"])
    assert "SharedInputInt8Linear" in _kinds(warm.model)
    assert torch.equal(_logits(whole), _logits(warm))
