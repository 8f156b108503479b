"""Writing Iris's files so that a crash at any moment leaves the old contents or the new, whole.

One helper for every file Iris keeps (settings, conversation history): a temporary file in the
same folder is written and fsynced, renamed over the target, and the folder is fsynced.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from desktop_app.core import messages

log = logging.getLogger(__name__)

Opener = Callable[[str, int], int]
"""Opens a new file as `os.open(path, flags)` does and returns its descriptor. Passed in so
that tests can make a save fail as a full disk or a read-only folder does."""

TEMPORARY_SUFFIX = ".tmp"
STALE_AFTER_S = 60.0
"""A temporary file this old belongs to a save that was killed; it may be removed."""

_DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})
_READ_ONLY = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.EISDIR})
_NO_FOLDER_SYNC = frozenset({errno.EINVAL, errno.ENOTSUP, errno.EBADF})


def open_private(path: str, flags: int) -> int:
    """The default opener: readable and writable by the user only (the history is private)."""
    return os.open(path, flags, 0o600)


def write_atomically(path: Path, text: str, *, opener: Opener | None = None) -> None:
    """Replace `path` with `text` (UTF-8): write and fsync a temporary file beside it, rename
    it over `path`, fsync the folder. Raises OSError; on failure the old file is untouched
    and the temporary file is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}{TEMPORARY_SUFFIX}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    created = False
    try:
        descriptor = (opener or open_private)(str(temporary), flags)
        created = True
        try:
            _write_all(descriptor, text.encode("utf-8"))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable. Windows cannot open folders; some file systems refuse."""
    if os.name == "nt":
        return
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    except OSError as error:
        if error.errno not in _NO_FOLDER_SYNC:
            raise
    finally:
        os.close(descriptor)


def leftover_temporaries(path: Path) -> list[Path]:
    """Temporary files of `path` left by saves that never finished (killed mid-save)."""
    return sorted(path.parent.glob(f".{path.name}.*{TEMPORARY_SUFFIX}"))


def remove_leftovers(path: Path, *, older_than_s: float = STALE_AFTER_S) -> int:
    """Remove `path`'s leftover temporary files older than `older_than_s`; how many went."""
    removed = 0
    cutoff = time.time() - older_than_s
    for leftover in leftover_temporaries(path):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime <= cutoff:
                leftover.unlink()
                removed += 1
    return removed


def keep_corrupt_copy(path: Path) -> Path:
    """Move a damaged file aside as `NAME.corrupt-TIME`; the copy's path (or `path` if the
    move failed)."""
    backup = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        path.replace(backup)
    except OSError:
        return path
    return backup


def save_error_message(error: OSError, path: Path, what: str) -> str:
    """A message fit to show and speak for a failed save of `what` (a phrase from
    core.messages, such as SAVE_WHAT_SETTINGS) to `path`."""
    reason = error.strerror or str(error)
    if error.errno in _DISK_FULL:
        return messages.SAVE_DISK_FULL.format(what=what, path=path.parent)
    if error.errno in _READ_ONLY:
        return messages.SAVE_READ_ONLY.format(what=what, path=path, reason=reason)
    return messages.SAVE_FAILED.format(what=what, path=path, reason=reason)
