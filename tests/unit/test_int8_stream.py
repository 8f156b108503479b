"""The first int8 load layer by layer: the same int8 model as quantizing the float32 one,
without it; what it cannot stream goes the float32 way."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import torch
from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

from desktop_app.core import messages
from desktop_app.core.types import Request
from desktop_app.engine.local import int8_cache, int8_stream, loading
from desktop_app.engine.local.families import family_for
from desktop_app.engine.local.int8_linear import SplitInt8Linear
from desktop_app.engine.local.precision import Hardware, quantize_dynamic_int8
from desktop_app.engine.models.hub import check_model_folder
from desktop_app.settings import EngineSettings, Quantization
from desktop_app.testing.random_models import FAMILIES

STREAMED = tuple(family for family in FAMILIES if family != "llava")
"""llava's checkpoint names are not its model's (transformers renames them as it loads)."""


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "int8"
    monkeypatch.setenv("IRIS_CACHE_DIR", str(folder))
    return folder


def _family(folder: Path) -> Any:
    return family_for(check_model_folder(folder, folder.name), folder.name)


def _whole(folder: Path) -> Any:
    """Today's other path: the float32 model, quantized."""
    model = _family(folder).model_class().from_pretrained(folder, dtype=torch.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return quantize_dynamic_int8(model).eval()


def _int8_weights(model: Any) -> dict[str, tuple[Any, ...]]:
    found = {}
    for name, module in model.named_modules():
        if isinstance(module, SplitInt8Linear):
            weight, bias = module.weight_bias()
        elif isinstance(module, DynamicLinear):
            weight, bias = module._weight_bias()
        else:
            continue
        kind = type(module).__name__
        found[name] = (kind, weight.int_repr(), *_scales(weight), bias)
    return found


def _scales(weight: torch.Tensor) -> tuple[Any, Any]:
    if weight.qscheme() == torch.per_tensor_affine:
        return weight.q_scale(), weight.q_zero_point()
    return weight.q_per_channel_scales().tolist(), weight.q_per_channel_zero_points().tolist()


def _inputs(folder: Path) -> dict[str, Any]:
    from PIL import Image
    from transformers import AutoProcessor

    image = Image.linear_gradient("L").resize((96, 64)).convert("RGB")
    request = Request.single("Describe.", [image], max_new_tokens=4)
    processor = AutoProcessor.from_pretrained(folder)
    return dict(_family(folder).build_inputs(processor, request, [image]))


@pytest.mark.parametrize("family", STREAMED)
def test_streaming_makes_the_same_int8_model_as_quantizing_the_float32_one(
    tiny_models: dict[str, Path], family: str
) -> None:
    folder = tiny_models[family]
    streamed = int8_stream.quantize_streaming(_family(folder), folder, "sdpa")
    whole = _whole(folder)

    ours, theirs = _int8_weights(streamed), _int8_weights(whole)
    assert ours.keys() == theirs.keys() and ours
    for name, (kind, values, scale, zero_point, bias) in ours.items():
        other_kind, other_values, other_scale, other_zero_point, other_bias = theirs[name]
        assert kind == other_kind, name
        assert torch.equal(values, other_values), name
        assert (scale, zero_point) == (other_scale, other_zero_point), name
        assert (bias is None) == (other_bias is None), name
        assert bias is None or torch.equal(bias, other_bias), name
    tensors = dict([*streamed.named_parameters(), *streamed.named_buffers()])
    expected = dict([*whole.named_parameters(), *whole.named_buffers()])
    assert tensors.keys() == expected.keys()
    for name, tensor in tensors.items():
        assert tensor.dtype == expected[name].dtype, name
        assert torch.equal(tensor, expected[name]), name
    assert not streamed.training
    inputs = _inputs(folder)
    with torch.inference_mode():
        assert torch.equal(streamed(**inputs).logits, whole(**inputs).logits)


def test_a_cold_load_streams_writes_the_cache_and_reports_its_progress(
    tiny_models: dict[str, Path], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_float32_model(*args: Any) -> Any:
        raise AssertionError("loaded through from_pretrained")

    monkeypatch.setattr(loading, "_load_weights", no_float32_model)
    folder = tiny_models["idefics3"]
    reports: list[tuple[str, float]] = []
    settings = EngineSettings(model=str(folder), quantization=Quantization.INT8)
    loaded = loading.load_model(
        folder, folder.name, settings, Hardware(cores=2), lambda *r: reports.append(r)
    )

    assert (int8_cache.cache_folder(folder) / int8_cache.MANIFEST).is_file()
    stages = [stage for stage, _fraction in reports]
    assert stages[0] == messages.STAGE_LOAD and stages[-1] == messages.STAGE_READY
    fractions = [fraction for stage, fraction in reports if stage == messages.STAGE_QUANTIZE]
    assert len(fractions) >= 2 and fractions == sorted(fractions)
    assert fractions[0] >= 0.0 and fractions[-1] <= 0.9
    warm = loading.load_model(folder, folder.name, settings, Hardware(cores=2))
    inputs = _inputs(folder)
    with torch.inference_mode():
        assert torch.equal(loaded.model(**inputs).logits, warm.model(**inputs).logits)


def test_checkpoint_names_the_model_does_not_have_fall_back_to_the_float32_model(
    tiny_models: dict[str, Path], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tiny_models["llava"]
    with pytest.raises(int8_stream.NotStreamable):
        int8_stream.quantize_streaming(_family(folder), folder, "sdpa")

    whole: list[Path] = []
    original = loading._load_weights
    monkeypatch.setattr(
        loading, "_load_weights", lambda f, p, pl: whole.append(p) or original(f, p, pl)
    )
    settings = EngineSettings(model=str(folder), quantization=Quantization.INT8)
    loaded = loading.load_model(folder, folder.name, settings, Hardware(cores=2))
    assert whole == [folder]
    assert _int8_weights(loaded.model)
    assert (int8_cache.cache_folder(folder) / int8_cache.MANIFEST).is_file()


class _Tied(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = torch.nn.Embedding(10, 4)
        self.head = torch.nn.Linear(4, 10, bias=False)
        self.head.weight = self.embed.weight


class _Plain(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.head = torch.nn.Linear(4, 10)
        self.register_buffer("kept", torch.zeros(2))
        self.register_buffer("made", torch.zeros(2), persistent=False)


def _stored(tmp_path: Path, tensors: dict[str, torch.Tensor]) -> int8_stream.TensorFile:
    import safetensors.torch

    path = tmp_path / "model.safetensors"
    safetensors.torch.save_file(tensors, path)
    return int8_stream.TensorFile(path)


def test_tied_weights_are_not_streamed(tmp_path: Path) -> None:
    stored = _stored(tmp_path, {"embed.weight": torch.zeros(10, 4)})
    with stored, pytest.raises(int8_stream.NotStreamable, match="tied"):
        int8_stream._check_names(_Tied(), [stored])


@pytest.mark.parametrize(
    ("names", "streamable"),
    [
        (("head.weight", "head.bias", "kept"), True),
        (("head.weight", "kept"), False),  # a tensor missing
        (("head.weight", "head.bias", "kept", "made"), False),  # one the model does not load
        (("head.weight", "head.bias", "kept", "other"), False),
    ],
)
def test_only_a_checkpoint_of_exactly_the_models_names_is_streamed(
    tmp_path: Path, names: tuple[str, ...], streamable: bool
) -> None:
    stored = _stored(tmp_path, {name: torch.zeros(2) for name in names})
    with stored:
        if streamable:
            assert set(int8_stream._check_names(_Plain(), [stored])) == set(names)
        else:
            with pytest.raises(int8_stream.NotStreamable):
                int8_stream._check_names(_Plain(), [stored])


def _cache_contents(folder: Path) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    import json

    cached = int8_cache.cache_folder(folder)
    manifest = json.loads((cached / int8_cache.MANIFEST).read_text(encoding="utf-8"))
    with int8_stream.TensorFile(cached / int8_cache.WEIGHTS) as stored:
        return manifest, {name: stored.get(name) for name in stored.names}


@pytest.mark.parametrize("family", STREAMED)
def test_streaming_into_the_cache_writes_what_the_float32_models_int8_copy_writes(
    tiny_models: dict[str, Path], family: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache written straight from the checkpoint holds the same tensors, names, dtypes
    and manifest as the one `save_int8` writes of the float32 model quantized whole."""
    folder = tiny_models[family]
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "streamed"))
    int8_stream.stream_into_cache(_family(folder), folder, "sdpa")
    streamed_manifest, streamed = _cache_contents(folder)
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "whole"))
    assert int8_cache.save_int8(_whole(folder), folder, "sdpa")
    whole_manifest, whole = _cache_contents(folder)

    assert streamed_manifest == whole_manifest
    assert streamed.keys() == whole.keys()
    assert any(name.endswith(".qweight") for name in streamed)
    for name, tensor in streamed.items():
        assert tensor.dtype == whole[name].dtype, name
        assert torch.equal(tensor, whole[name]), name


def test_a_cache_that_cannot_be_written_leaves_the_model_built_in_memory(
    tiny_models: dict[str, Path], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_float32_model(*args: Any) -> Any:
        raise AssertionError("loaded through from_pretrained")

    writes: list[Path] = []

    def full_disk(target: Path, *args: Any) -> None:
        writes.append(target)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(loading, "_load_weights", no_float32_model)
    monkeypatch.setattr(int8_cache, "_write_atomically", full_disk)
    folder = tiny_models["idefics3"]
    settings = EngineSettings(model=str(folder), quantization=Quantization.INT8)
    loaded = loading.load_model(folder, folder.name, settings, Hardware(cores=2))

    assert not int8_cache.cache_folder(folder).exists()
    assert len(writes) == 1, "the model built in memory was written again to a full disk"
    assert _int8_weights(loaded.model)
    expected = int8_stream.quantize_streaming(_family(folder), folder, "sdpa")
    inputs = _inputs(folder)
    with torch.inference_mode():
        assert torch.equal(loaded.model(**inputs).logits, expected(**inputs).logits)
