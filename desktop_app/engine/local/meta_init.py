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
frequencies, position ids) cost nothing and need no meta operators.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


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
