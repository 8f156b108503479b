"""Faults and measurements for tests of the generation path under stress."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from desktop_app.engine.local.int8_cache import release_free_memory


class ForwardFault:
    """Makes one model's forward raise, once, after it is armed.

    It is a forward pre-hook on that model object only (no global patch): `generate` calls
    the model's forward at every decoding step, on whatever thread runs the generation.
    """

    def __init__(self, model: Any, error: Callable[[], BaseException]) -> None:
        """`error` makes a fresh exception each time (one raised again keeps every frame)."""
        self.armed = threading.Event()
        self.raised_on: list[int] = []
        """The ident of each thread it raised on."""
        self._error = error
        self._handle = model.register_forward_pre_hook(self._before_forward)

    def _before_forward(self, module: Any, args: Any) -> None:
        if self.armed.is_set():
            self.armed.clear()
            self.raised_on.append(threading.get_ident())
            raise self._error()

    def remove(self) -> None:
        """Detach from the model."""
        self._handle.remove()


def _status_field(name: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {name} in /proc/self/status")


def rss_mb() -> float:
    """Resident memory after a full collection and giving freed heap back (glibc)."""
    release_free_memory()
    return _status_field("VmRSS") / 1024


def os_threads() -> int:
    """Threads of this process as the kernel counts them (Qt's and torch's included)."""
    return _status_field("Threads")


def process_rss_mb(pid: int) -> float:
    """Resident memory of another process (Linux /proc), in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise ValueError(f"no VmRSS for process {pid}")


def raise_heap_threshold() -> None:
    """Allocate and free one 30 MB block, as torch or a big picture does early in a long
    session: glibc then keeps blocks of up to that size in its heap instead of mapping them."""
    block = bytearray(30 * 2**20)
    block[:: 2**12] = b"x" * len(block[:: 2**12])  # touch every page
    del block
