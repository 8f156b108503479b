"""A check run before each of a model's layers, for as long as a `with` block lasts: how a
Stop reaches into a forward pass (the check raises) instead of waiting for it to end."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

LayerCheck = Callable[[Any, tuple[Any, ...], dict[str, Any]], None]
"""Called with the layer, its positional and its keyword arguments before it runs."""


@contextmanager
def checked_before(layers: Iterable[Any], check: LayerCheck) -> Iterator[None]:
    """Run `check` before every one of `layers` (torch modules) until the block ends."""
    handles = [layer.register_forward_pre_hook(check, with_kwargs=True) for layer in layers]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
