"""Remembering transformers' import structure from one model process to the next.

`import transformers` reads the source of every model it ships (some 550 folders, 1,600 files)
to learn what each module exports (`define_import_structure`), and the first import of
`transformers.models` reads them all again under another spelling of the same folder: about
0.7 s on two cores at every start of the model process, that is every time the model is loaded
again after an unload. The answer changes only when transformers does, so the model process
keeps it beside the int8 cache, stamped with transformers' version, folder and the modification
times of its model folders (adding, removing or replacing a file changes its folder's), and
reads it back in milliseconds. A stamp that differs, or a file that cannot be read, means the
source is read as before.

The hook must be in place before transformers is imported: `remember_import_structure` installs
an import hook that wraps `define_import_structure` as soon as its module has run, which is
before transformers' own `__init__` calls it.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import importlib.util
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

MODULE = "transformers.utils.import_utils"
"""Where transformers defines `define_import_structure`."""
FILE_NAME = "transformers-imports.json"

Structure = dict[frozenset[str], dict[str, set[str]]]
"""What `define_import_structure` returns: for each set of backends, module to exported names."""


def remember_import_structure() -> bool:
    """Make this process read transformers' import structure from the cache (written the first
    time). False, and nothing changed, where transformers is imported already or the hook is
    in place."""
    if MODULE in sys.modules or any(isinstance(f, _Hook) for f in sys.meta_path):
        return False
    sys.meta_path.insert(0, _Hook())
    return True


class _Hook(importlib.abc.MetaPathFinder):
    """Finds transformers' import_utils as the other finders do, and wraps its function once
    the module has run; then steps aside."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != MODULE:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)  # as the finders after this one find it
        loader = spec.loader if spec is not None else None
        if spec is None or not isinstance(loader, importlib.abc.Loader):
            return spec
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            del loader.exec_module  # the loader's own again: it may load other modules too
            run(module)
            original = getattr(module, "define_import_structure", None)
            if callable(original):
                module.define_import_structure = remembered(original)  # type: ignore[attr-defined]

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def remembered(define: Callable[..., Structure]) -> Callable[..., Structure]:
    """`define` (transformers' `define_import_structure`), answered from the cache where the
    stamp of the folder it reads still holds."""

    @functools.lru_cache  # as transformers' own: callers may share the answer
    def define_import_structure(module_path: str, prefix: str | None = None) -> Structure:
        key = f"{os.fspath(module_path)}|{prefix or ''}"
        stamp = _stamp(module_path)
        known = _read(stamp, key) if stamp is not None else None
        if known is not None:
            return known
        structure = define(module_path, prefix)
        if stamp is not None:
            _write(stamp, key, structure)
        return structure

    return define_import_structure


def _stamp(module_path: str) -> list[Any] | None:
    """transformers' version, the folder `module_path` names and each entry's modification
    time; None where the folder cannot be listed."""
    folder = Path(module_path)
    if not folder.is_dir():
        folder = folder.parent
    version = getattr(sys.modules.get("transformers"), "__version__", "")
    try:
        with os.scandir(folder) as entries:
            times = sorted([entry.name, entry.stat().st_mtime_ns] for entry in entries)
    except OSError:
        return None
    return [version, str(folder.resolve()), times]


def _read(stamp: list[Any], key: str) -> Structure | None:
    stamps, structures = _load()
    if stamps.get(key) != stamp:
        return None
    try:
        return {
            frozenset(backends): {module: set(names) for module, names in modules.items()}
            for backends, modules in structures[key]
        }
    except (KeyError, TypeError, AttributeError, ValueError):
        return None


def _write(stamp: list[Any], key: str, structure: Structure) -> None:
    stamps, structures = _load()
    stamps[key] = stamp
    structures[key] = [
        [sorted(backends), {module: sorted(names) for module, names in modules.items()}]
        for backends, modules in structure.items()
    ]
    target = _kept_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, staged = tempfile.mkstemp(dir=target.parent, prefix=".imports-")
    except OSError as error:
        log.debug("could not keep transformers' import structure: %s", error)
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump({"stamps": stamps, "structures": structures}, file)
        os.replace(staged, target)
    except OSError as error:
        log.debug("could not keep transformers' import structure: %s", error)
        Path(staged).unlink(missing_ok=True)


def _load() -> tuple[dict[str, Any], dict[str, Any]]:
    """The stamps and structures kept, by key; empty where none can be read. Read once per
    process and file: transformers asks several times as it imports, and `_write` adds to
    what was read."""
    return _loaded(_kept_file())


@functools.cache
def _loaded(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    if not isinstance(loaded, dict):
        return {}, {}
    stamps, structures = loaded.get("stamps"), loaded.get("structures")
    if not isinstance(stamps, dict) or not isinstance(structures, dict):
        return {}, {}
    return stamps, structures


def _kept_file() -> Path:
    """Beside the int8 cache (imported here, not above: the text reader's process, which never
    imports transformers, has no use for the int8 cache's imports)."""
    from desktop_app.engine.local.int8_cache import cache_root

    return cache_root() / FILE_NAME
