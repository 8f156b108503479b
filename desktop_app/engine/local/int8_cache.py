"""A local cache of int8 weights, so later loads never hold the float32 model in memory.

The first int8 load writes the cache straight from the checkpoint
(`int8_stream.stream_into_cache`), or, where that cannot be, quantizes the float32 model
(`quantize_dynamic_int8`) and `save_int8` writes it: every quantized Linear's int8 weight,
scale and zero point (and which of them are split, `SplitInt8Linear`), the int8 token
embedding's rows and row scales, and every other tensor as it is (buffers that are not saved
with the model included), into one safetensors file beside a JSON manifest.
`begin_load` starts reading the int8 Linear layers and packing them for fbgemm (two at a
time, on threads) as soon as the cache is found current, so that the packing, a second of CPU
for SmolVLM-256M, runs beside the processor's load (transformers' imports, on one core);
`load_int8_cached` builds the model on the meta device (no memory), puts the packed layers in
place, then the int8 embedding, and assigns the other tensors, so memory grows only to the
int8 model's size. The embedding's rows stay in the file, mapped: a lookup reads a few rows,
so only their pages become resident (27 MB less for SmolVLM-256M).

Nothing is pickled. A cache that is missing, stale (other torch, transformers or quantized
engine) or damaged is a miss: the caller takes the slow path and writes it again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from desktop_app.engine.local.families import Family
from desktop_app.engine.local.meta_init import concrete_class, skeleton
from desktop_app.engine.local.out_of_memory import is_out_of_memory
from desktop_app.engine.local.tensor_file import TensorFile, TensorSpec, spec_of, write_tensor_file

log = logging.getLogger(__name__)

FORMAT_VERSION = 5
"""Written into the manifest; a cache of another version is a miss (2: the int8 embedding;
3: the output layer split so that fbgemm does not pad it, the embedding mapped; 4: a gated
MLP's output layer rotated, `int8_rotated`; 5: one weight scale per output channel)."""
MANIFEST = "manifest.json"
WEIGHTS = "weights.safetensors"
PACKING_THREADS = 2
"""Layers read and packed for fbgemm at once by a warm load: fbgemm packs on one thread; two
at once took 0.6 of the time (SmolVLM-2.2B's 8192 x 2048 layers, 2 cores)."""
STAGING_MAX_AGE_S = 24 * 3600
"""A half-written cache folder older than this was left by a process that died."""
_QWEIGHT, _SCALE, _ZERO_POINT, _BIAS = ".qweight", ".scale", ".zero_point", ".bias"
_ROW_SCALE = ".row_scale"


def cache_root() -> Path:
    """`IRIS_CACHE_DIR`, else `$XDG_CACHE_HOME/iris/int8`, else `~/.cache/iris/int8`."""
    override = os.environ.get("IRIS_CACHE_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "iris" / "int8"


def cache_key(folder: Path) -> str:
    """Model id and commit for a Hugging Face snapshot; else a digest of the weights' files."""
    folder = folder.resolve()
    if folder.parent.name == "snapshots" and folder.parent.parent.name.startswith("models--"):
        return f"{folder.parent.parent.name.removeprefix('models--')}--{folder.name}"
    digest = hashlib.sha256(str(folder).encode())
    for path in sorted(folder.glob("*.safetensors")):
        stat = path.stat()
        digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    for name in ("config.json", "generation_config.json"):
        if (folder / name).is_file():
            digest.update((folder / name).read_bytes())
    return f"{folder.name}--{digest.hexdigest()[:20]}"


def cache_folder(folder: Path) -> Path:
    """Where the int8 weights of the model in `folder` are kept."""
    return cache_root() / cache_key(folder)


def begin_load(folder: Path, attention: str) -> CacheLoad | None:
    """A load of the int8 cache of the model in `folder`, its Linear layers being read and
    packed from now on; None on a miss (a missing, stale or unreadable cache)."""
    cached = cache_folder(folder)
    manifest = _read_manifest(cached, attention)
    if manifest is None:
        log.debug("no usable int8 cache at %s", cached)
        return None
    try:
        return CacheLoad(cached / WEIGHTS, manifest)
    except Exception:  # a manifest or header of other shapes
        log.warning("int8 cache at %s is damaged; it will be written again", cached, exc_info=True)
        return None


def load_int8_cached(
    family: Family, folder: Path, attention: str, begun: CacheLoad | None = None
) -> Any | None:
    """The int8 model from the cache (through `begun`, from `begin_load`, where given; it is
    closed), built without float32 weights; None on a miss."""
    load = begun if begun is not None else begin_load(folder, attention)
    if load is None:
        return None
    try:
        with warnings.catch_warnings():
            # torch deprecates creating quantized tensors (torch.ao); see quantize_dynamic_int8.
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", UserWarning)
            return load.build(family, folder)
    except Exception as error:
        if is_out_of_memory(error):
            raise  # the cache is whole; this computer cannot hold the model now
        log.warning("int8 cache of %s is damaged; it will be written again", folder, exc_info=True)
        return None
    finally:
        load.close()


def save_int8(model: Any, folder: Path, attention: str) -> bool:
    """Write `model`'s (quantized) weights into the cache, then let its int8 embedding read
    its rows from there (mapped, as a warm load does); False, logged, if that fails."""
    try:
        specs, manifest = _specs(model, attention)
        write_cache(folder, specs, manifest)
        _map_embeddings(model, cache_folder(folder) / WEIGHTS, manifest["embeddings"])
    except Exception:
        log.warning("could not write the int8 cache of %s", folder, exc_info=True)
        return False
    finally:
        _trim_heap()
    return True


def write_cache(folder: Path, specs: list[TensorSpec], manifest: dict[str, Any]) -> None:
    """Write `specs` (each tensor made as it is written) and `manifest` as the int8 cache of
    the model in `folder`, whole or not at all; then remove the caches of models that are
    gone. Raises OSError, and whatever making a tensor raises."""
    target = cache_folder(folder)
    manifest = {**_versions(), **manifest, "source": str(folder.resolve())}
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(target, specs, manifest)
    _remove_orphans(target.parent)


def linear_specs(
    name: str,
    shape: tuple[int, int],
    *,
    per_channel: bool,
    has_bias: bool,
    make: Callable[[], list[Any]],
) -> list[TensorSpec]:
    """What the cache keeps of one int8 Linear (out x in `shape`): its int8 values, scale and
    zero point (one per output channel, or one), and bias; all four made by one call of
    `make` when the first is written."""
    take = MadeTogether(make).taker
    scale_shape = (shape[0],) if per_channel else ()
    specs = [
        TensorSpec(name + _QWEIGHT, "int8", shape, take(0)),
        TensorSpec(name + _SCALE, "float64", scale_shape, take(1)),
        TensorSpec(name + _ZERO_POINT, "int64", scale_shape, take(2)),
    ]
    if has_bias:
        specs.append(TensorSpec(name + _BIAS, "float32", shape[:1], take(3)))
    return specs


class MadeTogether:
    """Tensors made by one call, when the first is asked for; each let go once taken."""

    def __init__(self, make: Callable[[], list[Any]]) -> None:
        self._make = make
        self._made: list[Any] | None = None

    def take(self, index: int) -> Any:
        """The `index`th tensor made (made now if none is yet)."""
        if self._made is None:
            self._made = self._make()
        made, self._made[index] = self._made[index], None
        return made

    def taker(self, index: int) -> Callable[[], Any]:
        """What takes the `index`th tensor: a TensorSpec's `make`."""
        return functools.partial(self.take, index)


def stored_parts(values: Any, scale: Any, bias: Any | None) -> list[Any]:
    """What the cache keeps of a symmetric int8 weight's `values` and float32 `scale` (one
    per output channel, or one), and its bias: values, scale, zero point, bias."""
    import torch

    return [values, scale.double(), torch.zeros(scale.shape, dtype=torch.int64), bias]


def _unpacked_parts(unpack: Callable[[], tuple[Any, Any | None]]) -> list[Any]:
    """What the cache keeps of the qint8 weight and bias `unpack` gives: values, scale, zero
    point, bias."""
    weight, bias = unpack()
    return [_int8_values(weight), *_scales(weight), bias]


def _map_embeddings(model: Any, weights: Path, embeddings: dict[str, Any]) -> None:
    """Give each int8 embedding in `embeddings` its rows from `weights` (just written from
    it), mapped, in place of the rows it holds in memory. Not compared: that would read
    every page of the mapping."""
    with TensorFile(weights) as stored:
        for name in embeddings:
            layer = model.get_submodule(name)
            layer.set_weights(stored.map(name + _QWEIGHT), layer.row_scale)


def release_free_memory() -> None:
    """Collect garbage cycles and give freed heap pages back to the system.

    After quantization the float32 Linear layers live on in reference cycles (torch gives
    each layer a quantization config whose closure holds the layer), and freed memory stays
    in glibc's heap: about 0.25 GB for SmolVLM-256M.
    """
    import gc

    gc.collect()
    _trim_heap()


def _trim_heap() -> None:
    """glibc's malloc_trim(0); nothing elsewhere."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None  # not glibc
    return trim


def _versions() -> dict[str, Any]:
    import torch
    import transformers

    return {
        "format": FORMAT_VERSION,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "engine": torch.backends.quantized.engine,
    }


def _read_manifest(cached: Path, attention: str) -> dict[str, Any] | None:
    try:
        manifest: dict[str, Any] = json.loads((cached / MANIFEST).read_text(encoding="utf-8"))
        size = (cached / WEIGHTS).stat().st_size
    except (OSError, ValueError):
        return None
    current = {**_versions(), "attention": attention, "weights_bytes": size}
    if not isinstance(manifest, dict) or any(manifest.get(k) != v for k, v in current.items()):
        return None
    return manifest


def _specs(model: Any, attention: str) -> tuple[list[TensorSpec], dict[str, Any]]:
    """What to write (int8 weights made one at a time) and the manifest describing it."""
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    from desktop_app.engine.local.int8_embedding import Int8Embedding
    from desktop_app.engine.local.int8_linear import SplitInt8Linear
    from desktop_app.engine.local.int8_rotated import RotatedInt8Linear

    schemes = (torch.per_tensor_affine, torch.per_channel_affine)
    specs: list[TensorSpec] = []
    quantized: dict[str, list[int]] = {}
    split: list[str] = []
    rotated: dict[str, int] = {}
    embeddings: dict[str, list[int | None]] = {}
    for name, module in model.named_modules():
        if isinstance(module, Int8Embedding):
            # Its buffers (rows and row scales) are written with the other tensors below.
            embeddings[name] = [module.num_embeddings, module.embedding_dim, module.padding_idx]
        if isinstance(module, RotatedInt8Linear):
            rotated[name] = module.block
        if isinstance(module, SplitInt8Linear):
            split.append(name)
            make = module.weight_bias
        elif isinstance(module, DynamicLinear):
            make = module._weight_bias
        else:
            continue
        weight, bias = make()  # unpacked once here for what it is, once more as it is written
        if weight.dtype != torch.qint8 or weight.qscheme() not in schemes:
            raise ValueError(f"{name}: {weight.dtype} {weight.qscheme()} is not stored")
        quantized[name] = [module.in_features, module.out_features]
        per_channel = weight.qscheme() == torch.per_channel_affine
        del weight
        shape = (module.out_features, module.in_features)
        parts = functools.partial(_unpacked_parts, make)
        specs += linear_specs(
            name, shape, per_channel=per_channel, has_bias=bias is not None, make=parts
        )
    aliases: dict[str, str] = {}
    first_name: dict[int, str] = {}
    named = [*model.named_parameters(remove_duplicate=False)]
    named += model.named_buffers(remove_duplicate=False)
    for name, tensor in named:
        if id(tensor) in first_name:
            aliases[name] = first_name[id(tensor)]  # tied weights
        else:
            first_name[id(tensor)] = name
            specs.append(spec_of(name, tensor))
    manifest = {
        "attention": attention,
        "attn_implementation": model.config._attn_implementation,
        "model_class": type(model).__name__,
        "quantized": quantized,
        "split": split,
        "rotated": rotated,
        "embeddings": embeddings,
        "aliases": aliases,
    }
    return specs, manifest


def _scales(weight: Any) -> tuple[Any, Any]:
    """A qint8 weight's scale and zero point: scalars (one per tensor) or one per output."""
    import torch

    if weight.qscheme() == torch.per_tensor_affine:
        scale = torch.tensor(weight.q_scale(), dtype=torch.float64)
        return scale, torch.tensor(weight.q_zero_point())
    return weight.q_per_channel_scales(), weight.q_per_channel_zero_points()


def _int8_values(weight: Any) -> Any:
    """A qint8 weight's int8 values: a view where it is contiguous (int_repr would copy)."""
    import torch

    if not weight.is_contiguous():
        return weight.int_repr()
    values = torch.empty(0, dtype=torch.int8)
    storage = weight.untyped_storage()
    return values.set_(storage, weight.storage_offset(), weight.shape, weight.stride())


def _write_atomically(target: Path, specs: list[TensorSpec], manifest: dict[str, Any]) -> None:
    """Write into a temporary folder beside `target`, then rename it into place."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        write_tensor_file(staging / WEIGHTS, specs, {"format": "pt"})
        manifest["weights_bytes"] = (staging / WEIGHTS).stat().st_size
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _remove_orphans(root: Path) -> None:
    """Remove caches of model folders that are gone and old half-written caches."""
    for entry in root.iterdir():
        if _is_orphan(entry):
            log.debug("removing the int8 cache %s", entry)
            shutil.rmtree(entry, ignore_errors=True)


def _is_orphan(entry: Path) -> bool:
    try:
        if entry.name.startswith("."):
            return time.time() - entry.stat().st_mtime > STAGING_MAX_AGE_S
        manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
        return not Path(manifest["source"]).exists()
    except (OSError, ValueError, KeyError, TypeError):
        return False  # being written or removed by another process, or not ours


def _skeleton(family: Family, folder: Path, manifest: dict[str, Any]) -> Any:
    """The model with its parameters on the meta device (`meta_init.skeleton`), of the class
    and attention the cache was written for."""
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(folder, local_files_only=True, trust_remote_code=False)
    concrete = concrete_class(family.model_class(), config)
    if concrete.__name__ != manifest["model_class"]:
        raise ValueError(f"cache holds {manifest['model_class']}, not {concrete.__name__}")
    return skeleton(concrete, config, folder, [manifest["attn_implementation"]])


class CacheLoad:
    """One load of an int8 cache. Its Linear layers are read and packed for fbgemm on
    PACKING_THREADS threads from the moment it is made, while the caller loads the processor
    (transformers' imports: one core, about a second); `build` puts them into the model's
    skeleton. Close it, built or not."""

    def __init__(self, weights: Path, manifest: dict[str, Any]) -> None:
        split, rotated = set(manifest["split"]), manifest["rotated"]
        wanted = [
            (name, (int(outputs), int(inputs)), name in split, rotated.get(name))
            for name, (inputs, outputs) in manifest["quantized"].items()
        ]
        _quiet_quantized_tensor_warning()
        self._manifest = manifest
        self._stored = TensorFile(weights)
        self._reading = threading.Lock()
        self._packers = ThreadPoolExecutor(PACKING_THREADS, thread_name_prefix="iris-pack")
        self._made = [
            self._packers.submit(self._layer, *unit)
            for unit in largest_first(packing_units(wanted))
        ]

    def _layer(self, *layers: Layer) -> list[Any]:
        """The Linear layers of one packing unit (`packing_units`), read and packed, by name:
        on a packing thread."""
        from desktop_app.engine.local.int8_shared import shared_modules

        with self._reading:
            group = _stored_group(self._stored, layers) if len(layers) > 1 else None
            read = [] if group else [_stored_linear(self._stored, n, s) for n, s, _, _ in layers]
        if group is not None:
            names, widths = [layer[0] for layer in layers], [layer[1][0] for layer in layers]
            made = shared_modules(names, *group, widths)
        else:  # one layer, or a group whose weights cannot share one product
            made = [
                (name, int8_layer(r, split, block))
                for (name, _, split, block), r in zip(layers, read, strict=True)
            ]
        del read, group
        _trim_heap()  # the layers' copies are freed; do not let the heap keep them
        return made

    def build(self, family: Family, folder: Path) -> Any:
        """The model: its skeleton with the packed layers and the other stored tensors."""
        manifest = self._manifest
        model = _skeleton(family, folder, manifest)
        for made in self._made:
            for name, layer in made.result():
                model.set_submodule(name, layer)
        self._made.clear()
        stored = self._stored
        embeddings: dict[str, list[Any]] = manifest["embeddings"]
        for name, (count, dimension, padding) in embeddings.items():
            model.set_submodule(name, _int8_embedding(stored, name, count, dimension, padding))
        inside = tuple(name + "." for name in [*manifest["quantized"], *embeddings])
        for name in stored.names:
            if not name.startswith(inside):
                _assign(model, name, stored.get(name))
        for alias, name in manifest["aliases"].items():
            _assign(model, alias, _tensor(model, name))
        left = [n for n, t in [*model.named_parameters(), *model.named_buffers()] if t.is_meta]
        if left:
            raise ValueError(f"not in the cache: {left[:5]}")
        return model.eval()

    def close(self) -> None:
        """Stop reading and packing (what is being packed is finished) and close the file."""
        self._packers.shutdown(wait=True, cancel_futures=True)
        self._made.clear()
        self._stored.close()


Layer = tuple[str, tuple[int, int], bool, int | None]
"""A stored Linear layer: its name, (out, in) shape, whether split, its rotation block."""


def packing_units(wanted: list[Layer]) -> list[list[Layer]]:
    """The layers packed together: each group of plain layers reading the same input
    (`int8_shared.shared_groups`) as one product, every other layer alone."""
    from desktop_app.engine.local.int8_shared import shared_groups

    plain = {name: shape for name, shape, split, block in wanted if not split and block is None}
    by_name = {layer[0]: layer for layer in wanted}
    units = [[by_name[name] for name in names] for names in shared_groups(plain)]
    grouped = {layer[0] for unit in units for layer in unit}
    return units + [[layer] for layer in wanted if layer[0] not in grouped]


def largest_first(units: list[list[Layer]]) -> list[list[Layer]]:
    """The packing units, the largest first: the last ones then finish together. In the
    model's order the output layer came last, a quarter of SmolVLM-256M's packing (0.28 s of
    1.17 s), while the other thread had nothing left."""
    return sorted(units, key=lambda unit: sum(o * i for _, (o, i), _, _ in unit), reverse=True)


def _quiet_quantized_tensor_warning() -> None:
    """Ignore torch's deprecation of quantized tensors (see quantize_dynamic_int8) in every
    thread, the packing threads included (`warnings.catch_warnings` is for one thread).
    Added again at each load: a `catch_warnings` around an earlier one may have removed it."""
    warnings.filterwarnings(
        "ignore",
        message=r"torch\.quantize_per_tensor, torch\.quantize_per_channel",
        category=UserWarning,
    )


def _stored_linear(stored: TensorFile, name: str, shape: tuple[int, int]) -> Any:
    """The qint8 weight (out x in `shape`) and float bias stored for the Linear `name`."""
    import torch

    has_bias = name + _BIAS in stored.names
    scale, zero_point = stored.get(name + _SCALE), stored.get(name + _ZERO_POINT)
    if scale.shape not in ((), shape[:1]) or zero_point.shape != scale.shape:
        raise ValueError(f"{name}: scales of shape {tuple(scale.shape)}")
    if scale.dim() == 1:
        weight = torch._empty_per_channel_affine_quantized(
            shape, scales=scale, zero_points=zero_point, axis=0, dtype=torch.qint8
        )
    else:
        weight = torch._empty_affine_quantized(
            shape, scale=float(scale), zero_point=int(zero_point), dtype=torch.qint8
        )
    stored.read_into(name + _QWEIGHT, _int8_values(weight))  # ValueError unless `shape`
    return weight, stored.get(name + _BIAS) if has_bias else None


def _stored_group(stored: TensorFile, layers: tuple[Layer, ...]) -> tuple[Any, Any | None] | None:
    """The qint8 weight of a group of Linear layers (their rows one after another, read
    straight into it: no copy) and their float biases (zeros for a layer without one, None
    where none has one); None unless every layer has one scale per output channel."""
    import torch

    from desktop_app.engine.local.int8_shared import joined_bias

    scales = [stored.get(name + _SCALE) for name, _, _, _ in layers]
    if any(scale.dim() != 1 for scale in scales):
        return None
    zero_points = [stored.get(name + _ZERO_POINT) for name, _, _, _ in layers]
    rows = [shape[0] for _, shape, _, _ in layers]
    if [int(scale.shape[0]) for scale in scales] != rows:
        raise ValueError(f"{layers[0][0]}: scales of other shapes than its group's rows")
    weight = torch._empty_per_channel_affine_quantized(
        (sum(rows), layers[0][1][1]),
        scales=torch.cat(scales),
        zero_points=torch.cat(zero_points),
        axis=0,
        dtype=torch.qint8,
    )
    values, start = _int8_values(weight), 0
    for (name, _, _, _), count in zip(layers, rows, strict=True):
        # read_into raises ValueError unless the stored layer has these rows and inputs.
        stored.read_into(name + _QWEIGHT, values[start : start + count])
        start += count
    biases = [
        stored.get(name + _BIAS) if name + _BIAS in stored.names else None
        for name, _, _, _ in layers
    ]
    return weight, joined_bias(biases, rows)


def int8_layer(read: tuple[Any, Any | None], split: bool = False, block: int | None = None) -> Any:
    """An Int8Linear holding a stored weight and bias, as `quantize_dynamic_int8` makes it
    (split: a SplitInt8Linear, as `split_output_layer` makes it; block: a
    RotatedInt8Linear)."""
    from desktop_app.engine.local.int8_linear import Int8Linear, SplitInt8Linear, packed
    from desktop_app.engine.local.int8_rotated import RotatedInt8Linear, hadamard

    weight, bias = read
    if split:
        return SplitInt8Linear(weight, bias)
    if block is None:
        return packed(Int8Linear, weight, bias)
    hadamard(block)  # ValueError unless a power of two
    layer = packed(RotatedInt8Linear, weight, bias)
    layer.block = block
    return layer


def _int8_embedding(
    stored: TensorFile, name: str, count: int, dimension: int, padding: int | None
) -> Any:
    """The int8 token embedding holding the stored row scales and the rows, mapped."""
    from desktop_app.engine.local.int8_embedding import Int8Embedding

    layer = Int8Embedding(count, dimension, padding)
    layer.set_weights(stored.map(name + _QWEIGHT), stored.get(name + _ROW_SCALE))
    return layer


def _tensor(model: Any, name: str) -> Any:
    """The parameter or buffer `name` (persistent or not)."""
    owner_name, _, attr = name.rpartition(".")
    owner = model.get_submodule(owner_name)
    return owner._parameters[attr] if attr in owner._parameters else owner._buffers[attr]


def _assign(model: Any, name: str, tensor: Any) -> None:
    """Put `tensor` in place of the parameter or buffer `name` (persistent or not)."""
    import torch

    owner_name, _, attr = name.rpartition(".")
    owner = model.get_submodule(owner_name)
    current = _tensor(model, name) if attr in owner._parameters or attr in owner._buffers else None
    if current is not None and current.shape != tensor.shape:
        raise ValueError(f"{name}: shape {tuple(tensor.shape)}, not {tuple(current.shape)}")
    if attr in owner._parameters:
        if not isinstance(tensor, torch.nn.Parameter):
            tensor = torch.nn.Parameter(tensor, requires_grad=tensor.is_floating_point())
        owner._parameters[attr] = tensor
    elif attr in owner._buffers:
        owner._buffers[attr] = tensor
    else:
        raise ValueError(f"{name} is neither a parameter nor a buffer of the model")
