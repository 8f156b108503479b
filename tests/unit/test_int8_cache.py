"""The int8 cache: later int8 loads skip float32 weights, give the same model, survive damage."""

from __future__ import annotations

import errno
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import safetensors.torch
import torch
from PIL import Image

from desktop_app.core.types import Request
from desktop_app.engine.local import int8_cache, loading
from desktop_app.engine.local.backend import LocalBackend
from desktop_app.engine.local.precision import Hardware
from desktop_app.settings import EngineSettings, Quantization
from desktop_app.testing.int8_quality import logit_agreement
from desktop_app.testing.random_models import FAMILIES

HARDWARE = Hardware(cores=2)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "int8"
    monkeypatch.setenv("IRIS_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def float32_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders quantized from their checkpoint (a cache miss: layer by layer, or through
    from_pretrained where that cannot be), in order."""
    calls: list[Path] = []
    into_cache, streaming = loading.stream_into_cache, loading.quantize_streaming
    whole = loading._load_weights

    def streamed_into_cache(family: Any, folder: Path, *args: Any) -> None:
        into_cache(family, folder, *args)
        calls.append(folder)

    def streamed(family: Any, folder: Path, *args: Any) -> Any:
        model = streaming(family, folder, *args)
        calls.append(folder)
        return model

    def loaded_whole(family: Any, folder: Path, placement: Any) -> Any:
        calls.append(folder)
        return whole(family, folder, placement)

    monkeypatch.setattr(loading, "stream_into_cache", streamed_into_cache)
    monkeypatch.setattr(loading, "quantize_streaming", streamed)
    monkeypatch.setattr(loading, "_load_weights", loaded_whole)
    return calls


@pytest.fixture
def linear_devices(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The device of every float nn.Linear weight made while the test runs."""
    devices: list[str] = []
    original = torch.nn.Linear.__init__

    def recording(self: torch.nn.Linear, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        devices.append(self.weight.device.type)

    monkeypatch.setattr(torch.nn.Linear, "__init__", recording)
    yield devices


def _image() -> Image.Image:
    return Image.linear_gradient("L").resize((96, 64)).convert("RGB")


def _request() -> Request:
    return Request.single("Describe.", [_image()], max_new_tokens=4)


def _load(folder: Path, quantization: Quantization = Quantization.INT8) -> loading.LoadedModel:
    settings = EngineSettings(model=str(folder), quantization=quantization, max_new_tokens=4)
    return loading.load_model(folder, folder.name, settings, HARDWARE)


def _logits(loaded: loading.LoadedModel) -> torch.Tensor:
    images = [_image()]
    inputs = loaded.family.build_inputs(loaded.processor, _request(), images)
    with torch.inference_mode():
        logits: torch.Tensor = loaded.model(**inputs).logits
    return logits


def _answer(folder: Path) -> tuple[str, int]:
    backend = LocalBackend(EngineSettings(model=str(folder), max_new_tokens=4))
    answer = backend.start(_request(), lambda piece: None)
    return answer.text, answer.prompt_tokens


def _quantized_layers(model: Any) -> list[str]:
    kind = torch.ao.nn.quantized.dynamic.Linear
    return [name for name, module in model.named_modules() if isinstance(module, kind)]


@pytest.mark.parametrize("family", FAMILIES)
def test_warm_cache_gives_the_same_model_without_float32_weights(
    tiny_models: dict[str, Path],
    family: str,
    cache_dir: Path,
    float32_loads: list[Path],
    linear_devices: list[str],
) -> None:
    folder = tiny_models[family]
    cold = _load(folder)
    assert float32_loads == [folder]
    assert (int8_cache.cache_folder(folder) / int8_cache.MANIFEST).is_file()
    linear_devices.clear()

    warm = _load(folder)

    assert float32_loads == [folder], "the warm load went through from_pretrained"
    assert linear_devices and set(linear_devices) == {"meta"}
    assert _quantized_layers(warm.model) == _quantized_layers(cold.model)
    kinds = [type(loaded.model.get_input_embeddings()).__name__ for loaded in (cold, warm)]
    assert kinds == ["Int8Embedding"] * 2 or family == "idefics", kinds  # its own embedding
    assert not any(t.is_meta for t in [*warm.model.parameters(), *warm.model.buffers()])
    assert not warm.model.training
    assert torch.equal(_logits(warm), _logits(cold))
    assert warm.model.generation_config.to_dict() == cold.model.generation_config.to_dict()
    assert warm.model.config.to_dict() == cold.model.config.to_dict()


@pytest.mark.parametrize("family", FAMILIES)
def test_warm_cache_answers_as_the_cold_load(
    tiny_models: dict[str, Path], family: str, cache_dir: Path, float32_loads: list[Path]
) -> None:
    cold = _answer(tiny_models[family])
    warm = _answer(tiny_models[family])
    assert len(float32_loads) == 1
    assert warm == cold
    assert cold[1] > 0


def _truncate(cached: Path) -> None:
    weights = cached / int8_cache.WEIGHTS
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])


def _truncate_and_fix_manifest(cached: Path) -> None:
    """The manifest agrees with the cut file, so only reading the tensors finds the damage."""
    _truncate(cached)
    _edit_manifest(cached, weights_bytes=(cached / int8_cache.WEIGHTS).stat().st_size)


def _edit_manifest(cached: Path, **changes: Any) -> None:
    manifest = json.loads((cached / int8_cache.MANIFEST).read_text())
    (cached / int8_cache.MANIFEST).write_text(json.dumps({**manifest, **changes}))


def _rename_a_layer(cached: Path) -> None:
    manifest = json.loads((cached / int8_cache.MANIFEST).read_text())
    quantized = manifest["quantized"]
    first = next(iter(quantized))
    _edit_manifest(cached, quantized={**quantized, first + "_renamed": quantized.pop(first)})


def _resize_the_embedding(cached: Path) -> None:
    manifest = json.loads((cached / int8_cache.MANIFEST).read_text())
    embeddings = {
        name: [count + 1, *rest] for name, (count, *rest) in manifest["embeddings"].items()
    }
    assert embeddings
    _edit_manifest(cached, embeddings=embeddings)


def _shorten_a_layers_scales(cached: Path) -> None:
    """One layer's scales and zero points one short; the file otherwise whole."""
    weights = cached / int8_cache.WEIGHTS
    tensors = safetensors.torch.load_file(str(weights))
    name = next(iter(json.loads((cached / int8_cache.MANIFEST).read_text())["quantized"]))
    for part in (".scale", ".zero_point"):
        tensors[name + part] = tensors[name + part][:-1].clone()
    weights.unlink()
    safetensors.torch.save_file(tensors, str(weights))
    _edit_manifest(cached, weights_bytes=weights.stat().st_size)


def _garble_header(cached: Path) -> None:
    weights = cached / int8_cache.WEIGHTS
    data = bytearray(weights.read_bytes())
    data[8:40] = b"x" * 32
    weights.write_bytes(bytes(data))


DAMAGE = {
    "weights truncated": _truncate,
    "weights truncated, manifest agreeing": _truncate_and_fix_manifest,
    "weights header garbled": _garble_header,
    "weights missing": lambda cached: (cached / int8_cache.WEIGHTS).unlink(),
    "manifest missing": lambda cached: (cached / int8_cache.MANIFEST).unlink(),
    "manifest not json": lambda cached: (cached / int8_cache.MANIFEST).write_text("{"),
    "manifest of another torch": lambda cached: _edit_manifest(cached, torch="0.1"),
    "manifest naming a missing layer": _rename_a_layer,
    "manifest of another model class": lambda c: _edit_manifest(c, model_class="Other"),
    "manifest of the format before int8 embeddings": lambda c: _edit_manifest(c, format=1),
    "embedding of another size": _resize_the_embedding,
    "a layer's scales one short": _shorten_a_layers_scales,
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_damaged_cache_is_rebuilt(
    tiny_models: dict[str, Path], cache_dir: Path, float32_loads: list[Path], damage: str
) -> None:
    folder = tiny_models["idefics3"]
    expected = _logits(_load(folder))
    DAMAGE[damage](int8_cache.cache_folder(folder))

    rebuilt = _load(folder)
    assert len(float32_loads) == 2
    assert torch.equal(_logits(rebuilt), expected)

    again = _load(folder)
    assert len(float32_loads) == 2, "the cache was not written again"
    assert torch.equal(_logits(again), expected)


def test_unwritable_cache_folder_still_loads(
    tiny_models: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("IRIS_CACHE_DIR", str(blocker / "int8"))
    loaded = _load(tiny_models["idefics3"])
    assert _quantized_layers(loaded.model)
    assert not (blocker / "int8").exists()


def test_full_disk_still_loads_and_leaves_nothing_behind(
    tiny_models: dict[str, Path], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(path: Path, *args: Any) -> None:
        path.write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(int8_cache, "write_tensor_file", full_disk)
    loaded = _load(tiny_models["idefics3"])
    assert _quantized_layers(loaded.model)
    assert list(cache_dir.iterdir()) == []


def test_read_only_warm_cache_loads(
    tiny_models: dict[str, Path], cache_dir: Path, float32_loads: list[Path]
) -> None:
    folder = tiny_models["idefics3"]
    _load(folder)
    cached = int8_cache.cache_folder(folder)
    for path in [cache_dir, cached, *cached.iterdir()]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        _load(folder)
    finally:
        for path in [cache_dir, cached]:
            path.chmod(0o755)
    assert len(float32_loads) == 1


def test_cache_key_is_model_id_and_commit_for_hub_snapshots(tmp_path: Path) -> None:
    snapshot = tmp_path / "models--HuggingFaceTB--SmolVLM-256M-Instruct" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    assert int8_cache.cache_key(snapshot) == "HuggingFaceTB--SmolVLM-256M-Instruct--abc123"


def test_cache_key_of_a_folder_changes_with_its_weights(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"12345678")
    before = int8_cache.cache_key(folder)
    assert int8_cache.cache_key(folder) == before
    (folder / "model.safetensors").write_bytes(b"123456789")
    assert int8_cache.cache_key(folder) != before


def test_cache_location_honours_xdg_and_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IRIS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert int8_cache.cache_root() == tmp_path / "xdg" / "iris" / "int8"
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "mine"))
    assert int8_cache.cache_root() == tmp_path / "mine"


def test_cache_holds_safetensors_and_json_only(
    tiny_models: dict[str, Path], cache_dir: Path
) -> None:
    folder = tiny_models["llava"]
    _load(folder)
    cached = int8_cache.cache_folder(folder)
    assert sorted(p.name for p in cached.iterdir()) == [int8_cache.MANIFEST, int8_cache.WEIGHTS]
    manifest = json.loads((cached / int8_cache.MANIFEST).read_text())
    assert manifest["torch"] == torch.__version__
    assert manifest["quantized"]
    stored = safetensors.torch.load_file(cached / int8_cache.WEIGHTS)  # any reader opens it
    layer = next(iter(manifest["quantized"]))
    assert stored[layer + ".qweight"].dtype == torch.int8
    assert stored[layer + ".scale"].dtype == torch.float64


def test_caches_of_deleted_model_folders_are_removed(
    tiny_models: dict[str, Path], cache_dir: Path, tmp_path: Path
) -> None:
    import shutil

    copy = shutil.copytree(tiny_models["idefics3"], tmp_path / "copy")
    _load(copy)
    stale = int8_cache.cache_folder(copy)
    shutil.rmtree(copy)
    _load(tiny_models["idefics3"])
    assert not stale.exists()
    assert int8_cache.cache_folder(tiny_models["idefics3"]).exists()


def test_old_half_written_caches_are_removed(tiny_models: dict[str, Path], cache_dir: Path) -> None:
    old, fresh = cache_dir / ".model-old", cache_dir / ".model-fresh"
    for staging in (old, fresh):
        staging.mkdir(parents=True)
        (staging / int8_cache.WEIGHTS).write_bytes(b"partial")
    long_ago = time.time() - int8_cache.STAGING_MAX_AGE_S - 60
    os.utime(old, (long_ago, long_ago))
    _load(tiny_models["idefics3"])
    assert not old.exists()
    assert fresh.exists(), "it may still be being written"


def test_int8_logits_follow_float32(tiny_models: dict[str, Path], cache_dir: Path) -> None:
    folder = tiny_models["idefics3"]
    full = _load(folder, Quantization.NONE)
    _load(folder)  # fills the cache
    int8 = _load(folder)
    inputs = full.family.build_inputs(full.processor, _request(), [_image()])
    similarities = logit_agreement(full.model, int8.model, dict(inputs), steps=4)
    assert len(similarities) == 4
    assert min(similarities) >= 0.99, similarities


def test_mapped_tensors_equal_read_ones_and_never_write_the_file(tmp_path: Path) -> None:
    path = tmp_path / "t.safetensors"
    tensors = {"a": torch.arange(5000, dtype=torch.int8), "b": torch.randn(3, 7)}
    safetensors.torch.save_file(tensors, str(path))
    before = path.read_bytes()
    with int8_cache.TensorFile(path) as stored:
        mapped = {name: stored.map(name) for name in tensors}
        for name, tensor in tensors.items():
            assert torch.equal(mapped[name], stored.get(name))
            assert torch.equal(mapped[name], tensor)
    mapped["a"][:10] = 0  # a private copy of the page
    assert path.read_bytes() == before


def test_tensors_are_read_into_memory_of_their_own_or_given_only_when_they_fit(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.safetensors"
    tensors = {"a": torch.arange(60, dtype=torch.int8).reshape(6, 10), "b": torch.randn(7)}
    tensors["c"] = torch.randn(3, 5).to(torch.bfloat16)
    safetensors.torch.save_file(tensors, str(path))
    with int8_cache.TensorFile(path) as stored:
        for name, tensor in tensors.items():
            assert torch.equal(stored.get(name), tensor), name
            assert stored.dtype_and_shape(name) == (
                str(tensor.dtype).removeprefix("torch."),
                tuple(tensor.shape),
            )
        given = torch.zeros(6, 10, dtype=torch.int8)
        stored.read_into("a", given)
        assert torch.equal(given, tensors["a"])
        reordered = torch.zeros(10, 6, dtype=torch.int8).t()  # the right shape, not contiguous
        for wrong in (torch.zeros(10, 6, dtype=torch.int8), torch.zeros(6, 10), reordered):
            with pytest.raises(ValueError):
                stored.read_into("a", wrong)
    path.write_bytes(path.read_bytes()[:-8])  # the last tensor cut short
    with pytest.raises(ValueError):
        int8_cache.TensorFile(path)


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="Linux")
def test_the_int8_embedding_reads_its_rows_from_the_mapped_cache(
    tiny_models: dict[str, Path], cache_dir: Path
) -> None:
    folder = tiny_models["idefics3"]
    weights = str(int8_cache.cache_folder(folder) / int8_cache.WEIGHTS)
    for loaded in (_load(folder), _load(folder)):  # cold (mapped once written), warm
        embedding = loaded.model.get_input_embeddings()
        address = embedding.qweight.data_ptr()
        mappings = Path("/proc/self/maps").read_text().splitlines()
        assert any(
            line.endswith(weights)
            and int(line.split("-")[0], 16) <= address < int(line.split()[0].split("-")[1], 16)
            for line in mappings
        )


def test_running_out_of_memory_on_a_warm_load_is_said_not_taken_for_damage(
    tiny_models: dict[str, Path],
    cache_dir: Path,
    float32_loads: list[Path],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The cache the first load has just written is whole: a warm load that runs out of memory
    is the user's out-of-memory error, never "damaged; it will be written again" followed by
    quantizing the checkpoint again in memory."""
    from desktop_app.core.errors import OutOfMemoryError

    def no_memory(*args: Any) -> Any:
        raise RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate 1")

    monkeypatch.setattr(int8_cache.CacheLoad, "build", no_memory)
    folder = tiny_models["idefics3"]
    with pytest.raises(OutOfMemoryError):
        _load(folder)

    assert float32_loads == [folder]  # streamed into the cache once, never again in memory
    assert (int8_cache.cache_folder(folder) / int8_cache.MANIFEST).is_file()
    assert "damaged" not in caplog.text


def _packing_threads() -> list[str]:
    import threading

    return [thread.name for thread in threading.enumerate() if thread.name.startswith("iris-pack")]


def test_a_warm_load_packs_its_layers_while_the_processor_loads(
    tiny_models: dict[str, Path], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The packing (a second of CPU for the 256M model) runs beside the processor's imports
    (one core), not after them."""
    import threading

    folder = tiny_models["idefics3"]
    _load(folder)  # writes the cache
    packed = threading.Event()
    pack, load_processor = int8_cache.CacheLoad._layer, loading._load_processor
    packed_before_processor: list[bool] = []

    def packing(self: Any, *args: Any) -> Any:
        layer = pack(self, *args)
        packed.set()
        return layer

    def processor_waiting_for_a_layer(*args: Any) -> Any:
        packed_before_processor.append(packed.wait(timeout=30))
        return load_processor(*args)

    monkeypatch.setattr(int8_cache.CacheLoad, "_layer", packing)
    monkeypatch.setattr(loading, "_load_processor", processor_waiting_for_a_layer)
    warm = _load(folder)

    assert packed_before_processor == [True]
    assert _quantized_layers(warm.model)
    assert _packing_threads() == []


def test_a_warm_load_packs_its_largest_layers_first(
    tiny_models: dict[str, Path], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The output layer (the largest) is not left to the end, packed on one thread alone."""
    folder = tiny_models["idefics3"]
    _load(folder)
    monkeypatch.setattr(int8_cache, "PACKING_THREADS", 1)  # packed in the order given
    pack = int8_cache.CacheLoad._layer
    sizes: list[int] = []

    def packing(self: Any, *layers: int8_cache.Layer) -> Any:
        sizes.append(sum(shape[0] * shape[1] for _, shape, _, _ in layers))
        return pack(self, *layers)

    monkeypatch.setattr(int8_cache.CacheLoad, "_layer", packing)
    warm = _load(folder)
    # One packed layer per unit: a group sharing its input is one (int8_shared).
    assert len(sizes) == len(_quantized_layers(warm.model)) > 1
    assert sizes == sorted(sizes, reverse=True)


def test_a_load_failing_while_its_layers_are_packed_stops_the_packing(
    tiny_models: dict[str, Path], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.core.errors import ModelError

    folder = tiny_models["idefics3"]
    _load(folder)
    weights = (int8_cache.cache_folder(folder) / int8_cache.WEIGHTS).resolve()

    def broken_processor(*args: Any) -> Any:
        assert _packing_threads(), "packing had not begun"
        raise RuntimeError("processor_config.json: unexpected key")

    monkeypatch.setattr(loading, "_load_processor", broken_processor)
    with pytest.raises(ModelError, match="unexpected key"):
        _load(folder)

    assert _packing_threads() == []
    open_files = {
        Path(os.readlink(fd)) for fd in Path("/proc/self/fd").iterdir() if fd.is_symlink()
    }
    assert weights not in open_files
