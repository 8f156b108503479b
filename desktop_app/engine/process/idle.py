"""When an unused model process is ended to give its memory back: the policy, with the clock
passed in (tests move it; the window asks every IDLE_CHECK_S)."""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable

LARGE_BLOCK_BYTES = 256 * 1024
"""Blocks this big or bigger (a screenshot's pixels are megabytes) are mapped on their own."""

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter

IDLE_CHECK_S = 30.0
"""How often the window asks whether the model has been unused long enough."""


class IdleClock:
    """Time since the model was last used. `touch` at every use (a request sent, answered,
    failed, spoken); `due` says whether `limit_s` has passed with nothing busy."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last_used = clock()

    def touch(self) -> None:
        self.last_used = self.clock()

    def idle_s(self) -> float:
        return self.clock() - self.last_used

    def due(self, limit_s: float | None, *, busy: bool) -> bool:
        """True when `limit_s` (None: never) has passed since the last use and nothing is
        busy now (answering, loading, speaking); a busy moment counts as a use."""
        if busy:
            self.touch()
            return False
        return limit_s is not None and self.idle_s() >= limit_s


def give_heap_back() -> None:
    """Collect garbage and hand the heap's free pages back to the system (glibc's
    malloc_trim; elsewhere only the collection): after unloading, what the answers and their
    pictures used is returned, not kept for later."""
    import gc

    gc.collect()
    if not sys.platform.startswith("linux"):
        return
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@functools.cache
def keep_large_blocks_mapped() -> bool:
    """Have glibc map every block of LARGE_BLOCK_BYTES or more on its own, so that freeing
    it gives it back at once (True where set; elsewhere nothing to do).

    glibc raises this threshold each time a mapped block is freed (up to 32 MB); past that,
    each request's pictures land in the heap, where small blocks allocated after them pin
    the pages: measured, the window grew by one 1280x800 picture per request. Setting the
    threshold once also stops it from moving.
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES))
    except (OSError, AttributeError):  # not glibc
        return False
