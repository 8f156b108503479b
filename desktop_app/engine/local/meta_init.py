"""Building a model on the meta device without running torch's weight initialisers on it.

A model made on the meta device (the int8 cache's skeleton, whose weights all come from the
cache, and `int8_stream`'s, whose weights come from the checkpoint) still has each Linear,
Embedding, convolution and norm layer call torch.nn.init on its weights as it is made. On the
meta device those calls change nothing, yet each one runs through torch's Python reference
operators (torch._refs): with SmolVLM-256M's shapes on two cores, 0.15-0.25 s of a 0.65 s
skeleton, on the way to the first answer after a load. `meta_initialisers_skipped` has
torch.nn.init's functions hand a meta tensor back untouched for the while; any other tensor is
initialised as before. `parameters_on_meta` makes each parameter registered meanwhile on the
meta device and leaves buffers on the CPU, where the few made at construction (rotary
frequencies, position ids) cost nothing and need no meta operators. `skeleton` makes a model
so, configured as from_pretrained configures it, for both int8 loads.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from desktop_app.engine.local.deferred_meta import with_meta_kernels

log = logging.getLogger(__name__)


def concrete_class(model_class: Any, config: Any) -> Any:
    """The model class that `model_class` (an Auto class, or a model class itself) makes for
    `config`; KeyError where an Auto class has none for it."""
    mapping = getattr(model_class, "_model_mapping", None)
    return mapping[type(config)] if mapping is not None else model_class


def skeleton(concrete: Any, config: Any, folder: Path, attentions: Iterable[str]) -> Any:
    """`concrete` made from `config` with its parameters on the meta device and no weight
    initialised, with the first of `attentions` it supports (the last one's ValueError where
    none is), and `folder`'s generation config, as from_pretrained configures a model."""
    import torch
    from transformers import GenerationConfig

    def build(attention: str) -> Any:
        with parameters_on_meta(), meta_initialisers_skipped():
            return concrete._from_config(config, attn_implementation=attention, dtype=torch.float32)

    model, refused = None, ValueError("no attention implementation to try")
    for attention in attentions:
        try:
            model = with_meta_kernels(functools.partial(build, attention))
            break
        except ValueError as error:  # this attention is not supported here
            log.debug("%s attention: %s", attention, error)
            refused = error
    if model is None:
        raise refused
    if (folder / "generation_config.json").is_file():
        model.generation_config = GenerationConfig.from_pretrained(folder, local_files_only=True)
    return model


@contextmanager
def meta_initialisers_skipped() -> Iterator[None]:
    """torch.nn.init's functions leave meta tensors alone within the block (in every torch
    module that holds them by name, as transformers' `no_init_weights` patches them, and in
    the table through which transformers' own initialisers, its models' `_init_weights`, call
    them)."""
    from transformers.initialization import TORCH_INIT_FUNCTIONS, TORCH_MODULES_TO_PATCH

    replaced: list[tuple[Any, str, Any]] = []
    for module_name in TORCH_MODULES_TO_PATCH:
        module = sys.modules.get(module_name)
        for name in TORCH_INIT_FUNCTIONS:
            original = getattr(module, name, None) if module is not None else None
            if original is not None:
                replaced.append((module, name, original))
                setattr(module, name, _skipping_meta(original))
    # The table through which transformers' own initialisers call torch's:
    originals: dict[str, Any] = dict(TORCH_INIT_FUNCTIONS)
    TORCH_INIT_FUNCTIONS.update({name: _skipping_meta(f) for name, f in originals.items()})
    try:
        yield
    finally:
        TORCH_INIT_FUNCTIONS.update(originals)
        for module, name, original in reversed(replaced):
            setattr(module, name, original)


def _skipping_meta(initialise: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(initialise)
    def initialise_unless_meta(tensor: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(tensor, "is_meta", False):
            return tensor
        return initialise(tensor, *args, **kwargs)

    return initialise_unless_meta


@contextmanager
def parameters_on_meta() -> Iterator[None]:
    """Every parameter registered within the block is made on the meta device; buffers are
    not."""
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
