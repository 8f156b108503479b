"""Building a model on the meta device without running torch's weight initialisers on it.

A model made on the meta device (the int8 cache's skeleton, whose weights all come from the
cache, and `int8_stream`'s, whose weights come from the checkpoint) still has each Linear,
Embedding, convolution and norm layer call torch.nn.init on its weights as it is made. On the
meta device those calls change nothing, yet each one runs through torch's Python reference
operators (torch._refs): with SmolVLM-256M's shapes on two cores, 0.15-0.25 s of a 0.65 s
skeleton, on the way to the first answer after a load. `meta_initialisers_skipped` has
torch.nn.init's functions hand a meta tensor back untouched for the while; any other tensor is
initialised as before.
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
    module that holds them by name, as transformers' `no_init_weights` patches them)."""
    from transformers.initialization import TORCH_INIT_FUNCTIONS, TORCH_MODULES_TO_PATCH

    replaced: list[tuple[Any, str, Any]] = []
    for module_name in TORCH_MODULES_TO_PATCH:
        module = sys.modules.get(module_name)
        for name in TORCH_INIT_FUNCTIONS:
            original = getattr(module, name, None) if module is not None else None
            if original is not None:
                replaced.append((module, name, original))
                setattr(module, name, _skipping_meta(original))
    try:
        yield
    finally:
        for module, name, original in reversed(replaced):
            setattr(module, name, original)


def _skipping_meta(initialise: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(initialise)
    def initialise_unless_meta(tensor: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(tensor, "is_meta", False):
            return tensor
        return initialise(tensor, *args, **kwargs)

    return initialise_unless_meta
