"""Keeping torch's Python meta kernels out of a model process that loads from the int8 cache.

`import torch` ends by importing `torch._meta_registrations`: Python shape functions for the
operators whose meta-device kernels torch does not have in C++, and with them torch's
decompositions, primitives and reference operators (torch._decomp, torch._prims, torch._refs):
about 0.4 s of the model process's start on two cores and 20-30 MB of resident memory. They
are for tracing and for building a model on the meta device. A load from the int8 cache
builds its skeleton with only parameters on the meta device (`meta_init`), which needs none of
them, and answering never touches the meta device.

`defer_meta_registrations`, before torch is imported, puts a stand-in module in its place; any
attribute asked of the stand-in imports the real module. `real_meta_registrations` imports it
for any other load (transformers' loading and the streamed first int8 load build their models
on the meta device) and where an operator finds no meta kernel (`with_meta_kernels`).
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable
from typing import Any, TypeVar

MODULE = "torch._meta_registrations"

Built = TypeVar("Built")


class DeferredMetaRegistrations(types.ModuleType):
    """Stands for torch._meta_registrations until something is asked of it."""

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):  # inspect and pickle look over every module's dunders
            raise AttributeError(attribute)
        return getattr(real_meta_registrations(), attribute)


def meta_registrations_deferred() -> bool:
    """Whether the stand-in is in torch._meta_registrations' place now."""
    return isinstance(sys.modules.get(MODULE), DeferredMetaRegistrations)


def defer_meta_registrations() -> bool:
    """Put the stand-in in place. True when it is there (now or before); False, and nothing
    changed, once torch is imported (it has imported the real module then)."""
    if meta_registrations_deferred():
        return True
    if "torch" in sys.modules:
        return False
    sys.modules[MODULE] = DeferredMetaRegistrations(MODULE, "imported when first needed (Iris)")
    return True


def real_meta_registrations() -> types.ModuleType:
    """torch._meta_registrations itself (and torch with it), imported now if the stand-in is
    in its place."""
    import torch  # noqa: F401  (before the module: it is torch's last import)

    if meta_registrations_deferred():
        del sys.modules[MODULE]
    return importlib.import_module(MODULE)  # also torch._meta_registrations from now on


def with_meta_kernels(build: Callable[[], Built]) -> Built:
    """`build()`; where an operator has no meta kernel without the Python ones (they were
    deferred), the real module is imported and `build()` runs once more."""
    try:
        return build()
    except NotImplementedError:
        if not meta_registrations_deferred():
            raise
    real_meta_registrations()
    return build()
