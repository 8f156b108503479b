"""Giving back the resident pages of GPU libraries that a model on the CPU never runs.

torch's CUDA build (the one PyPI serves) links libtorch_cuda and NVIDIA's libraries (cuBLASLt,
nvJitLink, NVRTC, cuDNN...) into every process that imports torch, and loading them leaves
about 150 MB of their files resident in the model process on a computer without an NVIDIA GPU,
where nothing calls them again. `page_out_gpu_libraries` asks Linux (madvise MADV_PAGEOUT,
kernel 5.4 and later) to reclaim those pages as a model on the CPU begins to load (measured with
SmolVLM-256M's shapes: 159 MB of them resident before, 15 MB after, and the loading and the
answers took back under 1 MB). The libraries stay mapped and a page touched again is read back
from its file, so nothing can break; where the kernel or system lacks the call, nothing
changes. What their start-up wrote (cuBLASLt's static data, 84 MB measured) is anonymous
memory, which only swap can take: the kernel pages that out too where there is swap, and keeps
it where there is none. Linux does not reclaim a page that another process maps too.
"""

from __future__ import annotations

import ctypes
import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

MADV_PAGEOUT = 21
"""Linux's madvise advice: reclaim these pages now (include/uapi/asm-generic/mman-common.h)."""
GPU_LIBRARY = re.compile(
    r"/(libcu|libnv|libnccl|libcudnn|libtorch_cuda|libc10_cuda|libtorch_nvshmem)[^/]*\.so[^/]*$"
    r"|/cuda/bindings/[^/]*\.so$"
)
"""A mapped file that is one of CUDA's libraries (NVIDIA's, torch's CUDA parts, cuda-python's)."""

Advise = Callable[[int, int], bool]
"""Page out `length` bytes from `start`; whether the kernel took the advice."""


def gpu_library_ranges(maps: str) -> list[tuple[int, int]]:
    """(start, length) of each mapping of a GPU library in a /proc/PID/maps text."""
    ranges = []
    for line in maps.splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and GPU_LIBRARY.search(fields[5].strip()):
            start, end = (int(bound, 16) for bound in fields[0].split("-"))
            ranges.append((start, end - start))
    return ranges


def resident_kb(smaps: str, files: re.Pattern[str] = GPU_LIBRARY) -> tuple[int, int]:
    """Resident and private clean kB, in a /proc/PID/smaps text, of the mappings of the files
    `files` matches (GPU libraries unless told). Private clean pages are those the kernel can
    take back at this process's request."""
    resident = private_clean = 0
    wanted = False
    for line in smaps.splitlines():
        fields = line.split(maxsplit=5)
        if not fields:
            continue
        if not fields[0].endswith(":"):  # a mapping's first line, as in /proc/PID/maps
            wanted = len(fields) == 6 and files.search(fields[5].strip()) is not None
        elif wanted and fields[0] == "Rss:":
            resident += int(fields[1])
        elif wanted and fields[0] == "Private_Clean:":
            private_clean += int(fields[1])
    return resident, private_clean


def page_out_gpu_libraries(advise: Advise | None = None) -> int:
    """Ask the kernel to reclaim this process's pages of GPU libraries; how many mappings it
    took (0 off Linux, with no GPU library loaded, or where the kernel refuses)."""
    maps = Path("/proc/self/maps")
    if not sys.platform.startswith("linux") or not maps.exists():
        return 0
    advise = advise or _madvise()
    if advise is None:
        return 0
    telling = log.isEnabledFor(logging.DEBUG)
    before = _own_resident_kb() if telling else 0
    taken = sum(advise(start, length) for start, length in gpu_library_ranges(maps.read_text()))
    if telling:
        log.debug(
            "paged out %d mappings of GPU libraries: %d kB resident before, %d kB after",
            taken, before, _own_resident_kb(),
        )  # fmt: skip
    return taken


def _own_resident_kb() -> int:
    return resident_kb(Path("/proc/self/smaps").read_text())[0]


def _madvise() -> Advise | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        call = libc.madvise
    except (OSError, AttributeError):
        return None
    call.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    call.restype = ctypes.c_int

    def advise(start: int, length: int) -> bool:
        return call(start, length, MADV_PAGEOUT) == 0

    return advise
