"""Whether an error means the computer ran out of memory (host or accelerator)."""

from __future__ import annotations

import errno

_OUT_OF_MEMORY_WORDS = ("cannot allocate memory", "can't allocate memory", "out of memory")
"""How torch says so for host memory: its CPU allocator and its file mapping raise
RuntimeError ("DefaultCPUAllocator: can't allocate memory", "unable to mmap ...: Cannot
allocate memory (12)")."""


def is_out_of_memory(error: BaseException) -> bool:
    """True for host memory exhaustion and for torch's (CUDA/MPS) OutOfMemoryError."""
    if isinstance(error, MemoryError) or type(error).__name__ == "OutOfMemoryError":
        return True
    if isinstance(error, OSError) and error.errno == errno.ENOMEM:
        return True
    text = str(error).casefold()
    return any(words in text for words in _OUT_OF_MEMORY_WORDS)
