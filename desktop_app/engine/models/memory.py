"""Whether a model fits in the memory free now, checked before it loads.

A model too big for the memory left makes the system swap until it stops answering, or the
out-of-memory killer ends the process without a word; refusing first, with a sentence that
names a smaller model, is kinder. The check never refuses when the memory free is unknown.

What a new process can use (`available_memory_bytes`) is the least of:

- Linux: MemAvailable in /proc/meminfo (free memory plus the cache the kernel can drop);
- the memory cgroup of this process and of each cgroup above it (v2: memory.max minus
  memory.current; v1: memory.limit_in_bytes minus memory.usage_in_bytes), plus the file
  cache counted there, which the kernel reclaims before it kills;
- the soft RLIMIT_AS and RLIMIT_DATA, which a model process started from this one inherits.
  They count address space (every mapped library and file), not memory in use, so they are
  no measure of what is free, only a cap: a model whose need is above them cannot load;
- Windows: the physical memory available (GlobalMemoryStatusEx);
- macOS: psutil's available memory where psutil is installed, else the free, speculative
  and file-backed pages (sysctl).

The environment variable IRIS_MEMORY_LIMIT_MB caps the result at that many millions of
bytes (as the sizes Iris shows in GB are billions), to simulate a small computer in a test or
to keep Iris within a budget; it applies even where nothing else is known.
"""

from __future__ import annotations

import logging
import math
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from desktop_app.core import messages
from desktop_app.core.errors import OutOfMemoryError
from desktop_app.engine.models.catalogue import CATALOGUE, CatalogueEntry, find
from desktop_app.settings import DeviceChoice, EngineSettings

log = logging.getLogger(__name__)

LIMIT_VARIABLE = "IRIS_MEMORY_LIMIT_MB"
GB = 10**9
"""The catalogue's and the messages' gigabyte (as download sizes are given)."""
MARGIN_BYTES = 256 * 2**20
"""Kept free beyond the model's need: the model process's own Python and libraries grow, and
the system and the screen reader must go on answering."""
FLOAT_FROM_FILE = 2.0
"""Memory for an unknown model relative to its weight files. On a CPU Iris loads the weights
in float32 and quantizes them to int8 in place (engine/local/precision.py, loading.py), so the
peak is the float32 model: twice the 16-bit files that checkpoints are published in (on a GPU,
where they stay in bfloat16, the need is smaller, so this errs on the large side). It matches
the catalogue's small models (0.5 GB of files, 1 GB to load)."""
UNLIMITED = 2**60
"""Limits at or above this mean none (cgroup v1 writes 'no limit' as about 2**63)."""
_MEMINFO = Path("/proc/meminfo")
_PROC_CGROUP = Path("/proc/self/cgroup")
_CGROUP_ROOT = Path("/sys/fs/cgroup")
_FILE_CACHE_KEYS = (
    ("active_file", "inactive_file"),
    ("total_active_file", "total_inactive_file"),
)
"""memory.stat's reclaimable file cache: this cgroup's own (v2 and v1), then v1's whole
subtree (preferred where present)."""


def parse_meminfo(text: str) -> int | None:
    """Bytes available from /proc/meminfo's text; MemFree plus Cached on kernels before 3.14."""
    fields: dict[str, int] = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        parts = value.split()
        if parts and parts[0].isdigit():
            scale = 1024 if parts[1:] == ["kB"] else 1
            fields[name.strip()] = int(parts[0]) * scale
    if "MemAvailable" in fields:
        return fields["MemAvailable"]
    if "MemFree" in fields:
        return fields["MemFree"] + fields.get("Cached", 0)
    return None


def parse_memory_stat(text: str) -> dict[str, int]:
    """A cgroup's memory.stat ("name value" lines) as a dictionary."""
    stat: dict[str, int] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            stat[parts[0]] = int(parts[1])
    return stat


def cgroup_room(max_text: str, current_text: str, stat_text: str = "") -> int | None:
    """Bytes a cgroup still allows: its limit minus its use, plus the file cache it may drop.

    `max_text` is memory.max (v2, "max" for none) or memory.limit_in_bytes (v1);
    `current_text` memory.current or memory.usage_in_bytes; `stat_text` memory.stat.
    None when the cgroup has no limit or the texts are not numbers.
    """
    limit_text = max_text.strip()
    if limit_text == "max":
        return None
    try:
        limit, used = int(limit_text), int(current_text.strip())
    except ValueError:
        return None
    if limit >= UNLIMITED:
        return None
    stat = parse_memory_stat(stat_text)
    cache = max(sum(stat.get(key, 0) for key in keys) for keys in _FILE_CACHE_KEYS)
    return min(limit, max(0, limit - used + cache))


def cgroup_paths(proc_cgroup_text: str) -> tuple[str | None, str | None]:
    """This process's cgroup v2 path and cgroup v1 memory path, from /proc/self/cgroup."""
    unified: str | None = None
    memory: str | None = None
    for line in proc_cgroup_text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        number, controllers, path = parts
        if number == "0" and controllers == "":
            unified = path
        elif "memory" in controllers.split(","):
            memory = path
    return unified, memory


def cgroup_limit(root: Path, proc_cgroup_text: str) -> int | None:
    """The least room in this process's memory cgroups and those above them, under `root`.

    A path that is not under `root` (a container that sees only its own cgroup, at the root)
    is skipped, and its parents are tried, down to the root itself.
    """
    unified, memory = cgroup_paths(proc_cgroup_text)
    rooms: list[int] = []
    if memory is not None:
        base = root / "memory"
        rooms += _rooms(base, memory, "memory.limit_in_bytes", "memory.usage_in_bytes")
    if unified is not None:
        base = root / "unified" if (root / "unified").is_dir() else root
        rooms += _rooms(base, unified, "memory.max", "memory.current")
    return min(rooms, default=None)


def _rooms(base: Path, path: str, limit_name: str, usage_name: str) -> list[int]:
    """The room in the cgroup at `path` under `base` and in every one above it."""
    rooms: list[int] = []
    folder = base / path.strip("/")
    for directory in (folder, *folder.parents):
        if not directory.is_relative_to(base):
            break
        try:
            limit = (directory / limit_name).read_text()
            usage = (directory / usage_name).read_text()
        except OSError:
            continue
        try:
            stat = (directory / "memory.stat").read_text()
        except OSError:
            stat = ""
        room = cgroup_room(limit, usage, stat)
        if room is not None:
            rooms.append(room)
    return rooms


def rlimit_cap(limits: Iterable[int], infinity: int = -1) -> int | None:
    """The least of soft resource limits (RLIMIT_AS, RLIMIT_DATA), `infinity` meaning none."""
    finite = [limit for limit in limits if limit != infinity and limit >= 0]
    return min(finite, default=None)


def darwin_available(page_size: int, pages: Iterable[int | None]) -> int | None:
    """Bytes from macOS page counts (free, speculative, file-backed); None if none is known."""
    known = [count for count in pages if count is not None]
    return page_size * sum(known) if known and page_size > 0 else None


def limit_override(environ: Mapping[str, str]) -> int | None:
    """The cap IRIS_MEMORY_LIMIT_MB sets, in bytes; None when unset or not a number."""
    text = environ.get(LIMIT_VARIABLE, "").strip()
    if not text:
        return None
    try:
        megabytes = float(text)
    except ValueError:
        log.warning("%s=%r is not a number of megabytes; ignored", LIMIT_VARIABLE, text)
        return None
    if not math.isfinite(megabytes) or megabytes < 0:
        log.warning("%s=%r is not a number of megabytes; ignored", LIMIT_VARIABLE, text)
        return None
    return int(megabytes * 10**6)


def available_memory_bytes() -> int | None:
    """Bytes a new process can use now (see the module's docstring); None when unknown."""
    found = [value for value in _platform_sources() if value is not None]
    override = limit_override(os.environ)
    if override is not None:
        found.append(override)
    return min(found, default=None)


def _platform_sources() -> list[int | None]:
    """What this computer says about its free memory, one value per source."""
    if sys.platform == "win32":
        return [_windows_available()]
    sources = [_rlimit()]
    if sys.platform.startswith("linux"):
        sources += [_read_meminfo(), _read_cgroup()]
    elif sys.platform == "darwin":
        sources.append(_darwin_available())
    return sources


def _read_meminfo() -> int | None:
    try:
        return parse_meminfo(_MEMINFO.read_text())
    except OSError:
        return None


def _read_cgroup() -> int | None:
    try:
        return cgroup_limit(_CGROUP_ROOT, _PROC_CGROUP.read_text())
    except OSError:
        return None


def _rlimit() -> int | None:
    try:
        import resource
    except ImportError:
        return None
    soft = [resource.getrlimit(kind)[0] for kind in (resource.RLIMIT_AS, resource.RLIMIT_DATA)]
    return rlimit_cap(soft, resource.RLIM_INFINITY)


def _windows_available() -> int | None:
    if sys.platform != "win32":
        return None
    import ctypes
    from ctypes import wintypes

    class MemoryStatusEx(ctypes.Structure):
        _fields_ = [
            ("dwLength", wintypes.DWORD),
            ("dwMemoryLoad", wintypes.DWORD),
            ("ullTotalPhys", ctypes.c_ulonglong),
            ("ullAvailPhys", ctypes.c_ulonglong),
            ("ullTotalPageFile", ctypes.c_ulonglong),
            ("ullAvailPageFile", ctypes.c_ulonglong),
            ("ullTotalVirtual", ctypes.c_ulonglong),
            ("ullAvailVirtual", ctypes.c_ulonglong),
            ("ullAvailExtendedVirtual", ctypes.c_ulonglong),
        ]

    status = MemoryStatusEx()
    status.dwLength = ctypes.sizeof(MemoryStatusEx)
    try:
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        if not kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
            return None
    except (AttributeError, OSError):
        return None
    return int(status.ullAvailPhys)


def _darwin_available() -> int | None:
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:  # not installed, or it failed: sysctl below
        log.debug("psutil gave no memory figure", exc_info=True)
    page_size = _sysctl_int("hw.pagesize") or 0
    names = ("vm.page_free_count", "vm.page_speculative_count", "vm.page_pageable_external_count")
    return darwin_available(page_size, [_sysctl_int(name) for name in names])


def _sysctl_int(name: str) -> int | None:
    """A numeric sysctl by name (macOS), None where it is missing."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        value = ctypes.c_uint64(0)
        size = ctypes.c_size_t(ctypes.sizeof(value))
        if libc.sysctlbyname(name.encode(), ctypes.byref(value), ctypes.byref(size), None, 0):
            return None
    except (AttributeError, OSError):
        return None
    # A 32-bit value fills the low bytes of the (little-endian) 64-bit one.
    return int(value.value)


def weight_files_bytes(folder: Path) -> int:
    """Bytes of weights in `folder`: its safetensors files, else its pickle .bin files."""
    for pattern in ("*.safetensors", "*.bin"):
        files = [path for path in folder.glob(pattern) if path.is_file()]
        if files:
            return sum(path.stat().st_size for path in files)
    return 0


def model_need_bytes(hub_id: str, folder: Path | None) -> int | None:
    """Bytes loading `hub_id` needs on a CPU: the catalogue's figure, else an estimate.

    A model the catalogue does not know is estimated from its weight files in `folder`
    (times FLOAT_FROM_FILE); None when there is no folder or no weights in it.
    """
    entry = find(hub_id)
    if entry is not None:
        return _entry_need(entry)
    if folder is None or not folder.is_dir():
        return None
    weights = weight_files_bytes(folder)
    return int(weights * FLOAT_FROM_FILE) if weights else None


def smaller_model_than(hub_id: str, need: int | None = None) -> CatalogueEntry | None:
    """The next smaller catalogue model that runs on a CPU, the same family's where it ties.

    For a model the catalogue does not know, `need` (bytes) says how big it is; without it
    nothing can be called smaller. None when no smaller model runs on a CPU.
    """
    smaller = _smaller_models(hub_id, need)
    return smaller[-1] if smaller else None


def check_memory(hub_id: str, folder: Path | None, available: int | None = None) -> None:
    """Refuse, before loading, a model that needs more memory than is free.

    `available` is the bytes free (measured now when None). Nothing is refused when the need
    or the memory free is unknown.

    Raises:
        OutOfMemoryError: the need plus MARGIN_BYTES is more than `available`; the message
            names the largest smaller catalogue model that fits, where there is one.
    """
    need = model_need_bytes(hub_id, folder)
    if need is None:
        log.debug("memory check skipped: the need of %s is unknown", hub_id)
        return
    if available is None:
        available = available_memory_bytes()
    if available is None:
        log.debug("memory check skipped: the memory free is unknown")
        return
    log.debug("memory check: %s needs %d bytes, %d available", hub_id, need, available)
    if need + MARGIN_BYTES <= available:
        return
    sizes = {
        "model": hub_id,
        "need": _size(need + MARGIN_BYTES, up=True),
        "free": _size(available, up=False),
    }
    smaller = _smaller_models(hub_id, need)
    fitting = [entry for entry in smaller if _entry_need(entry) + MARGIN_BYTES <= available]
    if fitting:
        message = messages.MEMORY_TOO_LITTLE_TRY_SMALLER.format(smaller=fitting[-1].hub_id, **sizes)
    elif smaller:
        ties = [entry for entry in smaller if _entry_need(entry) == _entry_need(smaller[0])]
        least = ties[-1]  # the preferred of the smallest
        message = messages.MEMORY_TOO_LITTLE_EVEN_SMALLEST.format(
            smaller=least.hub_id,
            smallest_need=_size(_entry_need(least) + MARGIN_BYTES, up=True),
            **sizes,
        )
    else:
        message = messages.MEMORY_TOO_LITTLE_NO_SMALLER.format(**sizes)
    raise OutOfMemoryError(message)


def _entry_need(entry: CatalogueEntry) -> int:
    return int(entry.memory_gb * GB)


def _smaller_models(hub_id: str, need: int | None) -> list[CatalogueEntry]:
    """Catalogue models that run on a CPU and need less than `hub_id`, smallest first.

    Among models that need the same, the one of `hub_id`'s family comes last (preferred),
    then the catalogue's order.
    """
    entry = find(hub_id)
    if entry is not None:
        need = _entry_need(entry)
    if need is None:
        return []
    family = entry.family if entry is not None else None
    order = {candidate.hub_id: index for index, candidate in enumerate(CATALOGUE)}
    smaller = [
        candidate
        for candidate in CATALOGUE
        if not candidate.needs_gpu and _entry_need(candidate) < need
    ]
    return sorted(
        smaller,
        key=lambda c: (_entry_need(c), c.family == family, -order[c.hub_id]),
    )


def _size(size_bytes: int, up: bool) -> str:
    """SIZE_GB for `size_bytes` to two significant digits, rounded up (a need) or down."""
    if size_bytes < GB // 100:  # under 0.01 GB: 0 free, or 0.01 needed
        return messages.SIZE_GB.format(size=0.01 if up and size_bytes > 0 else 0)
    step = 10 ** max(0, len(str(size_bytes)) - 2)
    steps = -(-size_bytes // step) if up else size_bytes // step
    return messages.SIZE_GB.format(size=round(steps * step / GB, 12))


def check_before_loading(settings: EngineSettings) -> None:
    """`check_memory` for the model `settings` load, where it is to run in this computer's
    memory: not for CUDA, asked for or (AUTO) where an NVIDIA GPU is present; the folder is
    the model's own (a path) or its downloaded copy."""
    if settings.device is DeviceChoice.CUDA:
        return
    if settings.device is DeviceChoice.AUTO and _nvidia_gpu_present():
        return
    from desktop_app.engine.models.hub import cached_snapshot, looks_like_path

    model = settings.model
    folder: Path | None = Path(model).expanduser() if looks_like_path(model) else None
    if folder is None:
        folder = cached_snapshot(model, settings.revision)
    check_memory(model, folder if folder is not None and folder.is_dir() else None)


def _nvidia_gpu_present() -> bool:
    gpus = Path("/proc/driver/nvidia/gpus")
    if gpus.is_dir() and any(gpus.iterdir()):
        return True
    return (
        sys.platform == "win32"
        and Path(os.environ.get("SYSTEMROOT", "C:/Windows"), "System32", "nvml.dll").exists()
    )
