"""Which commit of a Hub model Iris loads: pinned by the user, by the catalogue, or recorded.

A branch such as `main` moves; a commit does not. Iris turns the requested revision into a
commit once, when it downloads (the Hub's current commit for that branch), checks the files
against the Hub's hashes, and records the commit in `model-revisions.json` beside its
settings. Later loads use exactly that commit, even when the branch has moved on or another
program has updated the Hugging Face cache.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from desktop_app.settings import config_dir, write_atomically

log = logging.getLogger(__name__)

DEFAULT_REVISION = "main"
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


def is_commit(revision: str | None) -> bool:
    """True for a full 40-hex git commit id (which names one fixed set of files)."""
    return revision is not None and _COMMIT.fullmatch(revision) is not None


@dataclass(frozen=True)
class Pin:
    """A model's recorded commit, and the revision that was asked for when it was resolved."""

    revision: str
    commit: str


def choose_commit(
    revision: str | None, pinned_by_catalogue: str | None, recorded: Pin | None
) -> str | None:
    """The commit to load, or None when it must be resolved on the Hub (at download).

    A commit given by the user wins; then the catalogue's pin (when the user names no
    revision); then the commit recorded for the same requested revision.
    """
    if is_commit(revision):
        return revision
    if revision is None and pinned_by_catalogue is not None:
        return pinned_by_catalogue
    if recorded is not None and revision in (None, recorded.revision):
        return recorded.commit
    return None


class RevisionRecord:
    """The commits Iris downloaded and checked, by Hub id, in a small JSON file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "model-revisions.json"

    def get(self, model: str) -> Pin | None:
        """The recorded pin of `model`, if any."""
        entry = self._read().get(model)
        if not isinstance(entry, dict):
            return None
        revision, commit = entry.get("revision"), entry.get("commit")
        if not isinstance(revision, str) or not is_commit(commit):
            return None
        return Pin(revision, str(commit))

    def put(self, model: str, pin: Pin) -> None:
        """Record `pin` for `model` (written atomically; a failure is logged, not raised)."""
        data = self._read()
        data[model] = {"revision": pin.revision, "commit": pin.commit}
        try:
            write_atomically(self.path, json.dumps(data, indent=2, sort_keys=True))
        except OSError as error:
            log.warning("could not record the revision of %s in %s: %s", model, self.path, error)

    def _read(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.warning("ignoring unreadable %s: %s", self.path, error)
            return {}
        return data if isinstance(data, dict) else {}
