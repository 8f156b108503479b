"""Which Linear layers dynamic int8 quantization must leave in floating point.

A dynamically quantized Linear has no `weight` tensor (`weight()` is a method), so a layer
whose owner reads `self.<layer>.weight` as a tensor (SigLIP2's patch embedding takes its
dtype: `self.patch_embedding.weight.dtype`) would fail at the first image. Such layers are
found by reading their owner's source, for any model, and kept as they are.
"""

from __future__ import annotations

import functools
import inspect
import re
from typing import Any


def weight_readers(model: Any) -> set[str]:
    """Names of `model`'s Linear layers whose owning module's code reads their `.weight`."""
    import torch

    names: set[str] = set()
    for owner_name, owner in model.named_modules():
        for child_name, child in owner.named_children():
            owner_class: type = type(owner)
            if isinstance(child, torch.nn.Linear) and _reads_weight(owner_class, child_name):
                names.add(f"{owner_name}.{child_name}" if owner_name else child_name)
    return names


@functools.cache
def _reads_weight(owner: type, attribute: str) -> bool:
    pattern = re.compile(rf"self\.{re.escape(attribute)}\.weight\b(?!\s*\()")
    return any(pattern.search(source) for source in _sources(owner))


@functools.cache
def _sources(owner: type) -> tuple[str, ...]:
    """The source of `owner` and its bases, torch's own classes left out."""
    sources: list[str] = []
    for cls in owner.__mro__:
        if cls.__module__.startswith(("torch.", "builtins")) or cls is object:
            continue
        try:
            sources.append(inspect.getsource(cls))
        except (OSError, TypeError):
            continue
    return tuple(sources)
