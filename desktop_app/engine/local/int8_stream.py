"""The first int8 load without the float32 model: the checkpoint streamed layer by layer.

`stream_into_cache` writes the int8 cache straight from the checkpoint: it builds the model's
skeleton with its parameters on the meta device (no memory; buffers such as rotary
frequencies are made as usual) for the names and shapes, then reads the safetensors files one
tensor at a time (`TensorFile`: each tensor in memory of its own, nothing mapped) as the cache
file is written: each Linear layer's weight quantized as `quantize_dynamic_int8` quantizes it
(one scale per output channel; the output layer one scale, to be split; a gated MLP's output
layer rotated first), the token embedding row by row, every other tensor made float32. The
warm load then builds the model from the cache (`load_int8_cached`). Nothing is packed for
fbgemm and unpacked again to be written: SmolVLM-2.2B's first load took 92 s, 28 s of them
unpacking. `quantize_streaming` builds the same int8 model in memory, for when the cache
cannot be written. Memory grows to one float32 layer (then the int8 model), never the
float32 model (SmolVLM-2.2B's shape: 9 GB in float32).

It handles what it can prove it handles: one checkpoint name per parameter, exactly the
model's own names, no tied weights, no quantization config in the checkpoint. Anything else
raises `NotStreamable` and the caller takes the float32 path.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from desktop_app.engine.local.families import Family
from desktop_app.engine.local.int8_cache import release_free_memory
from desktop_app.engine.local.meta_init import concrete_class, skeleton
from desktop_app.engine.local.tensor_file import TensorFile, TensorSpec, spec_of

log = logging.getLogger(__name__)

Progress = Callable[[float], None]
"""Called with the fraction of the checkpoint's tensors done."""


class NotStreamable(Exception):
    """The model cannot be built layer by layer; load it whole."""


def stream_into_cache(
    family: Family, folder: Path, attention: str, on_progress: Progress | None = None
) -> None:
    """Write the int8 cache of `folder` from its checkpoint, layer by layer, without making
    the model; NotStreamable when it cannot be; OSError when the cache cannot be written."""
    from desktop_app.engine.local.int8_cache import write_cache

    with _checkpoint(family, folder, attention) as (model, where):
        specs, manifest = _cache_specs(model, where, attention, _Reader(where, on_progress))
        write_cache(folder, specs, manifest)
    release_free_memory()


def quantize_streaming(
    family: Family, folder: Path, attention: str, on_progress: Progress | None = None
) -> Any:
    """The int8 model of `folder`, built layer by layer in memory; NotStreamable when it
    cannot be."""
    with _checkpoint(family, folder, attention) as (model, where):
        _fill(model, where, _Reader(where, on_progress))
    release_free_memory()
    return model.eval()


@contextlib.contextmanager
def _checkpoint(
    family: Family, folder: Path, attention: str
) -> Iterator[tuple[Any, dict[str, TensorFile]]]:
    """The model's skeleton, and the open checkpoint file that holds each of its tensors."""
    with warnings.catch_warnings(), contextlib.ExitStack() as stack:
        # torch marks torch.ao.quantization deprecated; see quantize_dynamic_int8.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        model = _skeleton(family, folder, attention)
        files = sorted(folder.glob("*.safetensors"))
        opened = [stack.enter_context(TensorFile(path)) for path in files]
        yield model, _check_names(model, opened)


class _Reader:
    """Reads the checkpoint's tensors by name (floating ones made float32 unless asked as
    stored) and reports the share read."""

    def __init__(self, where: dict[str, TensorFile], on_progress: Progress | None) -> None:
        self._where = where
        self._on_progress = on_progress
        self._done = 0

    def __call__(self, name: str, *, as_stored: bool = False) -> Any:
        import torch

        self._done += 1
        if self._on_progress is not None and self._done % 16 == 0:
            self._on_progress(self._done / len(self._where))
        tensor = self._where[name].get(name)
        if as_stored or not tensor.is_floating_point():
            return tensor
        return tensor.to(torch.float32)

    def stored_as(self, name: str) -> tuple[str, tuple[int, ...]]:
        """The dtype (floating ones: float32) and shape `name` is read as."""
        import torch

        dtype, shape = self._where[name].dtype_and_shape(name)
        return ("float32" if getattr(torch, dtype).is_floating_point else dtype), shape


def _skeleton(family: Family, folder: Path, attention: str) -> Any:
    """The model with its parameters on the meta device (`meta_init.skeleton`), with
    `attention` or else eager attention, as loading does."""
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(folder, local_files_only=True, trust_remote_code=False)
    if getattr(config, "quantization_config", None) is not None:
        raise NotStreamable("the checkpoint is quantized already")
    try:
        concrete = concrete_class(family.model_class(), config)
    except KeyError:
        raise NotStreamable(f"no model class for {type(config).__name__}") from None
    try:
        return skeleton(concrete, config, folder, dict.fromkeys((attention, "eager")))
    except ValueError:
        raise NotStreamable("no attention implementation fits") from None


def _check_names(model: Any, opened: list[TensorFile]) -> dict[str, TensorFile]:
    """Which file holds each of the model's parameters and persistent buffers;
    NotStreamable unless the checkpoint holds exactly those, once each, and none is tied."""
    where: dict[str, TensorFile] = {}
    for stored in opened:
        for name in stored.names:
            if name in where:
                raise NotStreamable(f"{name} is in two files")
            where[name] = stored
    named = [*model.named_parameters(remove_duplicate=False)]
    if len({id(tensor) for _name, tensor in named}) != len(named):
        raise NotStreamable("tied weights")
    persistent = {
        f"{owner}.{name}" if owner else name
        for owner, module in model.named_modules()
        for name in module._buffers
        if name not in module._non_persistent_buffers_set and module._buffers[name] is not None
    }
    expected = {name for name, _tensor in named} | persistent
    if set(where) != expected:
        missing, extra = sorted(expected - set(where)), sorted(set(where) - expected)
        raise NotStreamable(f"names differ: missing {missing[:3]}, unexpected {extra[:3]}")
    return where


class _Plan:
    """Which of the skeleton's layers become int8, and how."""

    def __init__(self, model: Any) -> None:
        import torch

        from desktop_app.engine.local.int8_linear import WeightQuantizer
        from desktop_app.engine.local.int8_rotated import rotation_block
        from desktop_app.engine.local.int8_skip import weight_readers

        self.embedding = _input_embedding(model)
        self.output = _output_layer(model)
        kept = weight_readers(model)  # stay in float32, as quantize_dynamic_int8 leaves them
        self.linears = {
            name: module
            for name, module in model.named_modules()
            if type(module) is torch.nn.Linear and name not in kept
        }
        self.rotated = {
            name: block
            for name, module in self.linears.items()
            if name != self.output and (block := rotation_block(name, module.in_features))
        }
        inside = [*self.linears, *([self.embedding] if self.embedding else [])]
        self.inside = tuple(name + "." for name in inside)
        self._quantizer = WeightQuantizer()

    def quantized(self, read: _Reader, name: str) -> tuple[Any, Any, Any | None]:
        """Linear `name`'s int8 values, scale and float bias, as `quantize_dynamic_int8`
        makes them."""
        import torch

        from desktop_app.engine.local.int8_rotated import rotate

        weight = read(name + ".weight", as_stored=True)
        block = self.rotated.get(name)
        if block is not None:
            weight = rotate(weight.to(torch.float32), block)
        has_bias = self.linears[name].bias is not None
        bias = read(name + ".bias") if has_bias else None
        values, scale = self._quantizer.values_and_scale(weight, per_channel=name != self.output)
        return values, scale, bias

    def stored_parts(self, read: _Reader, name: str) -> list[Any]:
        """What the int8 cache keeps of Linear `name`: values, scale, zero point, bias."""
        from desktop_app.engine.local.int8_cache import stored_parts

        return stored_parts(*self.quantized(read, name))

    def embedding_table(self, model: Any, read: _Reader) -> Any:
        """The int8 token embedding made of the checkpoint's table."""
        import torch

        from desktop_app.engine.local.int8_embedding import Int8Embedding

        assert self.embedding is not None
        weights = read(self.embedding + ".weight")
        rows, width = weights.shape
        padding = model.get_submodule(self.embedding).padding_idx
        table = torch.nn.Embedding(rows, width, padding, _weight=weights, _freeze=True)
        return Int8Embedding.from_float(table)


def _fill(model: Any, where: dict[str, TensorFile], read: _Reader) -> None:
    """Quantize the Linear layers and the token embedding, and assign every other tensor."""
    from desktop_app.engine.local.int8_cache import _assign, _trim_heap, int8_layer
    from desktop_app.engine.local.int8_linear import qint8

    plan = _Plan(model)
    for name in plan.linears:
        values, scale, bias = plan.quantized(read, name)
        weight = qint8(values, scale)
        del values
        layer = int8_layer((weight, bias), name == plan.output, plan.rotated.get(name))
        model.set_submodule(name, layer)
        _trim_heap()  # the float32 copies; no garbage collection here: 0.27 s each time
    if plan.embedding is not None:
        model.set_submodule(plan.embedding, plan.embedding_table(model, read))
    for name in where:
        if not name.startswith(plan.inside):
            _assign(model, name, read(name))
    left = [n for n, t in [*model.named_parameters(), *model.named_buffers()] if t.is_meta]
    if left:
        raise NotStreamable(f"not in the checkpoint: {left[:3]}")


def _cache_specs(
    model: Any, where: dict[str, TensorFile], attention: str, read: _Reader
) -> tuple[list[TensorSpec], dict[str, Any]]:
    """What the int8 cache holds of the skeleton `model` (each tensor read and made as it is
    written), and its manifest: as `save_int8` writes the model `_fill` makes."""
    from desktop_app.engine.local.int8_cache import MadeTogether, linear_specs

    plan = _Plan(model)
    specs: list[TensorSpec] = []
    for name, layer in plan.linears.items():
        specs += linear_specs(
            name,
            (layer.out_features, layer.in_features),
            per_channel=name != plan.output,
            has_bias=layer.bias is not None,
            make=functools.partial(plan.stored_parts, read, name),
        )
    embeddings: dict[str, list[Any]] = {}
    if plan.embedding is not None:
        table = model.get_submodule(plan.embedding)
        embeddings[plan.embedding] = [table.num_embeddings, table.embedding_dim, table.padding_idx]
        take = MadeTogether(lambda: _int8_rows(plan.embedding_table(model, read))).taker
        rows = (table.num_embeddings, table.embedding_dim)
        specs += [
            TensorSpec(plan.embedding + ".qweight", "int8", rows, take(0)),
            TensorSpec(plan.embedding + ".row_scale", "float32", rows[:1], take(1)),
        ]
    for name in where:
        if not name.startswith(plan.inside):
            specs.append(TensorSpec(name, *read.stored_as(name), functools.partial(read, name)))
    for name, buffer in model.named_buffers():
        if name not in where:  # made with the skeleton: not saved with the model
            specs.append(spec_of(name, buffer))
    manifest = {
        "attention": attention,
        "attn_implementation": model.config._attn_implementation,
        "model_class": type(model).__name__,
        "quantized": {name: [m.in_features, m.out_features] for name, m in plan.linears.items()},
        "split": [plan.output] if plan.output in plan.linears else [],
        "rotated": plan.rotated,
        "embeddings": embeddings,
        "aliases": {},
    }
    return specs, manifest


def _int8_rows(table: Any) -> list[Any]:
    return [table.qweight, table.row_scale]


def _input_embedding(model: Any) -> str | None:
    """The name of the token embedding `quantize_input_embeddings` would replace."""
    import torch

    embedding = model.get_input_embeddings()
    if type(embedding) is not torch.nn.Embedding:
        return None
    return next(name for name, module in model.named_modules() if module is embedding)


def _output_layer(model: Any) -> str | None:
    """The name of the output layer `split_output_layer` would split."""
    import torch

    from desktop_app.engine.local.int8_linear import pads

    layer = model.get_output_embeddings()
    if type(layer) is not torch.nn.Linear or not pads(layer.in_features):
        return None
    return next(name for name, module in model.named_modules() if module is layer)
