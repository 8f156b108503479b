"""Whether a model's load fits in the address space a resource limit leaves this process.

Under a soft RLIMIT_AS or RLIMIT_DATA (`ulimit -v`, `ulimit -d`) an allocation past the limit
fails. In Python code that is a MemoryError, which Iris turns into its "does not fit" message;
in native code it is not always: the Rust tokenizer aborts the process on a failed allocation,
and torch's int8 weight packing, on its threads, has written through the null pointer it got
(measured: a load of SmolVLM-256M's shapes under limits from 48 to 96 MB above what the tiny
model's run maps died by SIGSEGV or SIGABRT). So the model process checks, as the load begins,
that the limit leaves room for the weights and for the loading itself (`LOADING_ALLOWANCE`),
and refuses the model with the same message otherwise. Without such a limit (the usual case:
the kernel then never fails an allocation, it swaps or ends the process) nothing is checked.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

LOADING_ALLOWANCE = 512 * 2**20
"""Address space the load adds besides the weights: the processor's imports and tokenizer,
threads' stacks and heaps, the packed layers' working copies, the first answer. Measured for
SmolVLM-256M's shapes (a 0.5 GB file): its int8 load from the cache and a 2-token answer
mapped about 400 MB above the tiny model's run."""
FLOAT_ADDRESS_SPACE_FROM_FILE = 3
"""Address space of a load without int8, relative to the weights files: the 16-bit file
mapped while its float32 copy (twice its size) is made."""
_STATUS = Path("/proc/self/status")


def room_left(limits: Sequence[int | None], status: str) -> int | None:
    """Bytes left under the (RLIMIT_AS, RLIMIT_DATA) soft `limits` (None: no limit), given a
    /proc/PID/status text: each limit minus VmSize, VmData; the least; None without limits."""
    used = {}
    for line in status.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmSize", "VmData") and value.split():
            used[key] = int(value.split()[0]) * 1024
    rooms = [
        limit - used.get(key, 0)
        for limit, key in zip(limits, ("VmSize", "VmData"), strict=True)
        if limit is not None
    ]
    return min(rooms, default=None)


def address_space_room() -> int | None:
    """Bytes this process may still map under its soft resource limits; None without one
    (or off Linux, where the address space in use is not read)."""
    if not sys.platform.startswith("linux"):
        return None
    import resource

    soft = [resource.getrlimit(kind)[0] for kind in (resource.RLIMIT_AS, resource.RLIMIT_DATA)]
    limits = [None if limit == resource.RLIM_INFINITY else limit for limit in soft]
    if limits == [None, None]:
        return None
    try:
        return room_left(limits, _STATUS.read_text())
    except OSError:
        return None


def load_fits(weights_bytes: int, int8: bool, room: int | None) -> bool:
    """Whether a load of `weights_bytes` of weights files (quantized to int8 or not) fits in
    `room` bytes of address space (None: no limit)."""
    if room is None:
        return True
    weights = weights_bytes if int8 else weights_bytes * FLOAT_ADDRESS_SPACE_FROM_FILE
    return weights + LOADING_ALLOWANCE <= room
