"""Keeping torch's compiler (torch._dynamo) out of a process that only loads and runs a model.

transformers imports torch._dynamo whether or not anything is compiled: `@torch.compiler.disable`
and `allow_in_graph` decorate its classes as they are defined, deepgemm's integration applies
`@torch._dynamo.assume_constant_result`, and `masking_utils` imports a helper from one of its
submodules, which runs the package's `__init__`. That `__init__` costs about 150 MB of resident
memory and over a second on two cores, in every model process start, for nothing: Iris never
compiles (its int8 layers and hooks run eagerly).

`defer_dynamo` puts a stand-in package in its place: the decorators return what they decorate
(what they amount to when nothing is compiled); submodules load from torch's own folder without
the package's `__init__`; anything else asked of it (a static cache's `mark_static_address`, say)
imports the real package then and hands the question on, so code that does need it still works,
only at the cost it always had. Done only where the environment says the process loads one model
(`lean_imports.one_model_process`), before transformers' model code is imported.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from collections.abc import Callable
from typing import Any

from desktop_app.engine.local.deferred_meta import real_meta_registrations

PACKAGE = "torch._dynamo"
IDENTITY_DECORATORS = ("assume_constant_result", "allow_in_graph")
"""torch._dynamo's and torch.compiler's decorators that change nothing outside compilation."""


def _identity(function: Callable[..., Any]) -> Callable[..., Any]:
    return function


def _disable(
    function: Callable[..., Any] | None = None, recursive: bool = True, **options: Any
) -> Any:
    """torch.compiler.disable and torch._dynamo.disable (whose `options` are `reason` and
    `wrapping`) as they are when nothing is compiled: the function unchanged."""
    return _identity if function is None else function


class DeferredDynamo(types.ModuleType):
    """Stands for torch._dynamo until something other than its decorators is asked of it."""

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):  # inspect and pickle look over every module's dunders
            raise AttributeError(attribute)
        return getattr(real_dynamo(), attribute)


def real_dynamo() -> types.ModuleType:
    """torch._dynamo itself, imported now if the stand-in is in its place."""
    import torch

    real_meta_registrations()  # what traces a model needs torch's Python meta kernels
    found = sys.modules.get(PACKAGE)
    if not isinstance(found, DeferredDynamo):
        return importlib.import_module(PACKAGE)
    # Submodules loaded under the stand-in are loaded again under the package: one that
    # imported its siblings without the package's __init__ may be incomplete.
    loaded = {name: sys.modules.pop(name) for name in list(sys.modules) if _inside(name)}
    try:
        real = importlib.import_module(PACKAGE)
    except BaseException:
        for name in [name for name in sys.modules if _inside(name)]:
            del sys.modules[name]
        sys.modules.update(loaded)
        raise
    torch._dynamo = real
    return real


def _inside(name: str) -> bool:
    return name == PACKAGE or name.startswith(f"{PACKAGE}.")


def dynamo_deferred() -> bool:
    """Whether torch._dynamo is the stand-in now."""
    return isinstance(sys.modules.get(PACKAGE), DeferredDynamo)


def defer_dynamo() -> bool:
    """Put the stand-in in torch._dynamo's place. True when it is there (now or before); False,
    and nothing changed, when the real package is imported already."""
    if dynamo_deferred():
        return True
    if PACKAGE in sys.modules:
        return False
    import torch
    import torch.compiler

    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return False
    stand_in = DeferredDynamo(PACKAGE, "torch._dynamo, imported when first needed (Iris)")
    stand_in.__path__ = list(spec.submodule_search_locations)
    stand_in.__spec__ = spec
    stand_in.disable = _disable  # type: ignore[attr-defined]
    for name in IDENTITY_DECORATORS:
        setattr(stand_in, name, _identity)
        setattr(torch.compiler, name, _identity)
    torch.compiler.disable = _disable  # type: ignore[assignment]
    sys.modules[PACKAGE] = stand_in
    torch._dynamo = stand_in
    return True
