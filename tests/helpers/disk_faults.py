"""Saving faults without root tricks: openers that fail as a full disk or a read-only folder.

They are passed to Iris's atomic writer (`opener=`) in place of `os.open`.
"""

from __future__ import annotations

import enum
import errno
import os


class Fault(enum.Enum):
    """What goes wrong when Iris opens a file to save."""

    DISK_FULL = "disk full"
    READ_ONLY = "read-only folder"


class FaultyOpener:
    """Opens files as `os.open` does until `fault` is set, then fails like that fault.

    DISK_FULL creates the temporary file and then hands back /dev/full, so the write itself
    fails with ENOSPC, as when the disk fills up during a save (the temporary file exists and
    must be cleaned up). READ_ONLY refuses to create the file with EROFS, as a read-only
    mount does. Setting `fault` back to None "frees the disk".
    """

    def __init__(self, fault: Fault | None = None) -> None:
        self.fault = fault
        self.failures = 0

    def __call__(self, path: str, flags: int) -> int:
        if self.fault is Fault.READ_ONLY:
            self.failures += 1
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)
        descriptor = os.open(path, flags, 0o600)
        if self.fault is Fault.DISK_FULL:
            self.failures += 1
            os.close(descriptor)
            return os.open("/dev/full", os.O_WRONLY)
        return descriptor
