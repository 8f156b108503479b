"""The int8 token embedding: its lookups, its place in int8 models, and a tied output layer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import safetensors.torch
import torch
from PIL import Image

from desktop_app.core.types import Request
from desktop_app.engine.local import int8_cache, loading
from desktop_app.engine.local.int8_embedding import Int8Embedding, quantize_input_embeddings
from desktop_app.engine.local.precision import Hardware
from desktop_app.settings import EngineSettings, Quantization
from desktop_app.testing.int8_quality import logit_agreement

HARDWARE = Hardware(cores=2)
DynamicLinear = torch.ao.nn.quantized.dynamic.Linear


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "int8"
    monkeypatch.setenv("IRIS_CACHE_DIR", str(folder))
    return folder


def _load(folder: Path, quantization: Quantization = Quantization.INT8) -> loading.LoadedModel:
    settings = EngineSettings(model=str(folder), quantization=quantization, max_new_tokens=4)
    return loading.load_model(folder, folder.name, settings, HARDWARE)


def _inputs(loaded: loading.LoadedModel) -> dict[str, torch.Tensor]:
    image = Image.linear_gradient("L").resize((96, 64)).convert("RGB")
    request = Request.single("Describe.", [image], max_new_tokens=4)
    return dict(loaded.family.build_inputs(loaded.processor, request, [image]))


def test_lookup_is_within_half_a_step_of_each_float_row() -> None:
    torch.manual_seed(0)
    table = torch.nn.Embedding(300, 48, padding_idx=0)
    layer = Int8Embedding.from_float(table)
    ids = torch.tensor([[0, 5, 299], [7, 7, 1]])
    expected, found = table(ids), layer(ids)
    assert found.shape == expected.shape == (2, 3, 48)
    assert found.dtype == torch.float32
    steps = layer.row_scale[ids].unsqueeze(-1)
    assert bool(((found - expected).abs() <= steps / 2 + 1e-7).all())
    assert layer.qweight.dtype == torch.int8
    assert layer.qweight.numel() == 300 * 48
    assert torch.allclose(layer.weight, Int8Embedding.from_float(table).weight)


def test_an_all_zero_row_stays_zero() -> None:
    table = torch.nn.Embedding(4, 8)
    with torch.no_grad():
        table.weight[2] = 0.0
    found = Int8Embedding.from_float(table)(torch.tensor([2]))
    assert torch.count_nonzero(found) == 0
    assert bool(torch.isfinite(found).all())


def test_weights_of_another_shape_are_refused() -> None:
    layer = Int8Embedding(10, 4, None)
    with pytest.raises(ValueError, match="shape"):
        layer.set_weights(torch.zeros(10, 5, dtype=torch.int8), torch.ones(10))
    with pytest.raises(ValueError, match="float64"):
        layer.set_weights(torch.zeros(10, 4, dtype=torch.int8), torch.ones(10, dtype=torch.float64))


def test_only_a_plain_embedding_is_replaced() -> None:
    class Decoupled(torch.nn.Embedding):
        pass

    class Model(torch.nn.Module):
        def __init__(self, table: torch.nn.Embedding) -> None:
            super().__init__()
            self.inner = torch.nn.Sequential(table)

        def get_input_embeddings(self) -> torch.nn.Module:
            return self.inner[0]

    plain = Model(torch.nn.Embedding(20, 4))
    assert quantize_input_embeddings(plain) == "inner.0"
    assert isinstance(plain.get_input_embeddings(), Int8Embedding)
    assert quantize_input_embeddings(Model(Decoupled(20, 4))) is None
    assert quantize_input_embeddings(torch.nn.Linear(2, 2)) is None


def test_int8_loads_keep_the_token_embedding_in_int8(
    tiny_models: dict[str, Path], cache_dir: Path
) -> None:
    folder = tiny_models["idefics3"]
    full = _load(folder, Quantization.NONE).model.get_input_embeddings()
    cold, warm = _load(folder).model, _load(folder).model
    manifest = json.loads((int8_cache.cache_folder(folder) / int8_cache.MANIFEST).read_text())
    assert manifest["format"] == int8_cache.FORMAT_VERSION == 5
    assert list(manifest["embeddings"]) == ["model.text_model.embed_tokens"]
    for model in (cold, warm):
        table = model.get_input_embeddings()
        assert isinstance(table, Int8Embedding)
        assert table.qweight.shape == full.weight.shape
        assert table.qweight.dtype == torch.int8
        assert table.padding_idx == full.padding_idx
    assert torch.equal(warm.get_input_embeddings().qweight, cold.get_input_embeddings().qweight)


def _tied_copy(folder: Path, target: Path) -> Path:
    """`folder`'s model with its output layer tied to the token embedding."""
    shutil.copytree(folder, target)
    config = json.loads((target / "config.json").read_text())
    config["tie_word_embeddings"] = True
    config["text_config"]["tie_word_embeddings"] = True
    (target / "config.json").write_text(json.dumps(config))
    weights = safetensors.torch.load_file(target / "model.safetensors")
    del weights["lm_head.weight"]
    safetensors.torch.save_file(weights, target / "model.safetensors", {"format": "pt"})
    return target


def test_a_tied_output_layer_stays_right_in_int8(
    tiny_models: dict[str, Path], cache_dir: Path, tmp_path: Path
) -> None:
    folder = _tied_copy(tiny_models["idefics3"], tmp_path / "tied")
    full = _load(folder, Quantization.NONE)
    assert full.model.lm_head.weight is full.model.get_input_embeddings().weight
    cold, warm = _load(folder), _load(folder)
    inputs = _inputs(full)
    for loaded in (cold, warm):
        assert isinstance(loaded.model.lm_head, DynamicLinear)
        assert isinstance(loaded.model.get_input_embeddings(), Int8Embedding)
        similarities = logit_agreement(full.model, loaded.model, inputs, steps=4)
        assert len(similarities) == 4
        assert min(similarities) >= 0.99, similarities
    with torch.inference_mode():
        assert torch.equal(cold.model(**inputs).logits, warm.model(**inputs).logits)
