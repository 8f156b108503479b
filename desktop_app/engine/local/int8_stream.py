"""The first int8 load without the float32 model: the checkpoint streamed layer by layer.

`quantize_streaming` builds the model's skeleton with its parameters on the meta device (no
memory; buffers such as rotary frequencies are made as usual), then reads the safetensors
files one tensor at a time (`TensorFile`: each tensor in memory of its own, nothing mapped):
each Linear layer's weight is made float32 and quantized at once, exactly as
`quantize_dynamic_int8` quantizes it (`Int8Linear.from_float`, `Int8Embedding.from_float`,
the output layer split where fbgemm would pad it), and every other tensor is made float32 and
put in place. Memory grows to the int8 model plus one float32 layer, never the float32 model
(SmolVLM-2.2B's shape: 9 GB in float32).

It handles what it can prove it handles: one checkpoint name per parameter, exactly the
model's own names, no tied weights, no quantization config in the checkpoint. Anything else
raises `NotStreamable` and the caller takes the float32 path.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from desktop_app.engine.local.families import Family
from desktop_app.engine.local.int8_cache import release_free_memory
from desktop_app.engine.local.tensor_file import TensorFile

log = logging.getLogger(__name__)

Progress = Callable[[float], None]
"""Called with the fraction of the checkpoint's tensors done."""


class NotStreamable(Exception):
    """The model cannot be built layer by layer; load it whole."""


def quantize_streaming(
    family: Family, folder: Path, attention: str, on_progress: Progress | None = None
) -> Any:
    """The int8 model of `folder`, built layer by layer; NotStreamable when it cannot be."""
    with warnings.catch_warnings():
        # torch marks torch.ao.quantization deprecated; see quantize_dynamic_int8.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        model = _skeleton(family, folder, attention)
        files = sorted(folder.glob("*.safetensors"))
        with contextlib.ExitStack() as stack:
            opened = [stack.enter_context(TensorFile(path)) for path in files]
            where = _check_names(model, opened)
            _fill(model, where, on_progress)
    release_free_memory()
    return model.eval()


def _skeleton(family: Family, folder: Path, attention: str) -> Any:
    """The model with its parameters on the meta device, configured as from_pretrained does."""
    import torch
    from transformers import AutoConfig, GenerationConfig

    config = AutoConfig.from_pretrained(folder, local_files_only=True, trust_remote_code=False)
    if getattr(config, "quantization_config", None) is not None:
        raise NotStreamable("the checkpoint is quantized already")
    model_class = family.model_class()
    mapping = getattr(model_class, "_model_mapping", None)  # an Auto class
    try:
        concrete = mapping[type(config)] if mapping is not None else model_class
    except KeyError:
        raise NotStreamable(f"no model class for {type(config).__name__}") from None
    model = None
    for implementation in dict.fromkeys((attention, "eager")):
        try:
            with _parameters_on_meta():
                model = concrete._from_config(
                    config, attn_implementation=implementation, dtype=torch.float32
                )
            break
        except ValueError as error:  # this attention is not supported: eager, as loading does
            log.debug("%s attention: %s", implementation, error)
    if model is None:
        raise NotStreamable("no attention implementation fits")
    if (folder / "generation_config.json").is_file():
        model.generation_config = GenerationConfig.from_pretrained(folder, local_files_only=True)
    return model


@contextlib.contextmanager
def _parameters_on_meta() -> Iterator[None]:
    """Every parameter registered meanwhile is made on the meta device; buffers are not."""
    import torch

    original = torch.nn.Module.register_parameter

    def register(module: torch.nn.Module, name: str, parameter: Any) -> None:
        original(module, name, parameter)
        if parameter is not None and not parameter.is_meta:
            kind: Any = type(parameter)
            meta = parameter.to("meta")
            module._parameters[name] = kind(meta, requires_grad=parameter.requires_grad)

    torch.nn.Module.register_parameter = register  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        torch.nn.Module.register_parameter = original  # type: ignore[method-assign]


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


def _fill(model: Any, where: dict[str, TensorFile], on_progress: Progress | None) -> None:
    """Quantize the Linear layers and the token embedding, and assign every other tensor."""
    import torch

    from desktop_app.engine.local.int8_cache import _assign, _trim_heap
    from desktop_app.engine.local.int8_embedding import Int8Embedding
    from desktop_app.engine.local.int8_skip import weight_readers

    embedding = _input_embedding(model)
    output = _output_layer(model)
    kept = weight_readers(model)  # stay in float32, as quantize_dynamic_int8 leaves them
    linears = [n for n, m in model.named_modules() if type(m) is torch.nn.Linear and n not in kept]
    done, total = 0, len(where)

    def read(name: str) -> Any:
        nonlocal done
        done += 1
        if on_progress is not None and done % 16 == 0:
            on_progress(done / total)
        return where[name].get(name).to(torch.float32)

    for name in linears:
        layer = model.get_submodule(name)
        weight = read(name + ".weight")
        bias = read(name + ".bias") if layer.bias is not None else None
        model.set_submodule(name, _int8_linear(name, weight, bias, split=name == output))
        del weight, bias
        _trim_heap()  # the float32 copies; no garbage collection here: 0.27 s each time
    if embedding is not None:
        weights = read(embedding + ".weight")
        rows, width = weights.shape
        table = torch.nn.Embedding(
            rows,
            width,
            padding_idx=model.get_submodule(embedding).padding_idx,
            _weight=weights,
            _freeze=True,
        )
        model.set_submodule(embedding, Int8Embedding.from_float(table))
        del table
    inside = tuple(name + "." for name in [*linears, *([embedding] if embedding else [])])
    for name in where:
        if not name.startswith(inside):
            _assign(model, name, read(name))
    left = [n for n, t in [*model.named_parameters(), *model.named_buffers()] if t.is_meta]
    if left:
        raise NotStreamable(f"not in the checkpoint: {left[:3]}")


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


def _int8_linear(name: str, weight: Any, bias: Any | None, *, split: bool) -> Any:
    """The layer `quantize_dynamic_int8` makes of a float32 Linear with these tensors."""
    from desktop_app.engine.local.int8_linear import quantize_linear
    from desktop_app.engine.local.int8_rotated import quantize_rotated, rotation_block

    block = rotation_block(name, int(weight.shape[1]))
    if block is not None and not split:
        return quantize_rotated(weight, bias, block)
    return quantize_linear(weight, bias, split=split)
