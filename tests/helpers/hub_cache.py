"""Models laid out in the private Hugging Face cache as a download would leave them."""

from __future__ import annotations

import shutil
from pathlib import Path

CACHED_COMMIT = "0123456789abcdef0123456789abcdef01234567"
OTHER_COMMIT = "89abcdef0123456789abcdef0123456789abcdef"
"""A commit of the same repo that is not in the cache."""


def put_in_hub_cache(source: Path, repo_id: str, commit: str = CACHED_COMMIT) -> Path:
    """Lay `source` out as huggingface_hub's cache does after a download of `commit`."""
    from huggingface_hub import constants

    repo = Path(constants.HF_HUB_CACHE) / ("models--" + repo_id.replace("/", "--"))
    snapshot = repo / "snapshots" / commit
    shutil.copytree(source, snapshot)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(commit)
    return snapshot
