"""Checking downloaded model files against the hashes the Hugging Face Hub lists for them.

The Hub's file listing gives each file's git blob id (`sha1("blob <size>\\0" + content)`)
and, for files kept in Git LFS (weights), the sha256 of the content. A file that matches
neither what the listing says is deleted, with the cached blob it points to, so the next
download fetches it again instead of reusing it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHUNK = 1 << 20


@dataclass(frozen=True)
class ListedFile:
    """One file as the Hub lists it at a commit."""

    path: str
    size: int
    blob_id: str
    sha256: str | None = None
    """The content's sha256 for a Git LFS file (weights); None for a file kept in git."""

    @classmethod
    def from_repo_file(cls, entry: Any) -> ListedFile:
        """From huggingface_hub's `RepoFile` (listing or `paths-info`)."""
        lfs = getattr(entry, "lfs", None)
        sha256 = getattr(lfs, "sha256", None) if lfs is not None else None
        return cls(str(entry.path), int(entry.size), str(entry.blob_id), sha256)


def git_blob_id(path: Path) -> str:
    """The git object id of the file's content, as `git hash-object` gives it."""
    digest = hashlib.sha1(b"blob %d\0" % path.stat().st_size)
    _feed(digest, path)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    """The sha256 of the file's content."""
    digest = hashlib.sha256()
    _feed(digest, path)
    return digest.hexdigest()


def _feed(digest: Any, path: Path) -> None:
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)


def matches(path: Path, listed: ListedFile) -> bool:
    """True when the file's size and hash are what the listing says."""
    if not path.is_file() or path.stat().st_size != listed.size:
        return False
    if listed.sha256 is not None:
        return sha256_of(path) == listed.sha256
    return git_blob_id(path) == listed.blob_id


def mismatched(folder: Path, listing: Mapping[str, ListedFile], names: Iterable[str]) -> list[str]:
    """Those of `names` (paths in the repo) whose file in `folder` is missing or differs."""
    return [name for name in names if not matches(folder / name, listing[name])]


def discard(folder: Path, names: Iterable[str]) -> None:
    """Delete the named files of a snapshot folder, and the cached blobs they link to."""
    for name in names:
        link = folder / name
        target = link.resolve() if link.is_symlink() else None
        link.unlink(missing_ok=True)
        if target is not None:
            target.unlink(missing_ok=True)
