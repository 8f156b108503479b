"""Finding a model: a local folder, or a Hub id fetched into the standard Hugging Face cache.

Only safetensors weights and configuration files are ever downloaded, each checked against
the hash the Hub lists for it, at a commit that is then recorded and reused; a folder that
needs pickle weights or custom Python code is refused.
"""

from __future__ import annotations

import io
import json
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from desktop_app.core import messages
from desktop_app.core.errors import (
    ModelError,
    ModelIntegrityError,
    ModelNotFoundError,
    ModelOfflineError,
    UnsafeModelError,
    first_line,
)
from desktop_app.core.types import ProgressCallback
from desktop_app.engine.models.bundled import bundled_folder
from desktop_app.engine.models.catalogue import pinned_revision
from desktop_app.engine.models.integrity import ListedFile, discard, mismatched
from desktop_app.engine.models.revisions import (
    DEFAULT_REVISION,
    Pin,
    RevisionRecord,
    choose_commit,
    is_commit,
)

ALLOWED_PATTERNS = [
    "*.json",
    "*.safetensors",
    "*.jinja",
    "*.txt",
    "*.model",
    "*.tiktoken",
]
"""Files fetched from the Hub: configuration, tokenizer, templates and safetensors weights."""

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


def looks_like_path(model: str) -> bool:
    """True when `model` names a folder rather than a Hub id such as `org/name`."""
    return (
        model.startswith((".", "/", "~"))
        or "\\" in model
        or model.count("/") > 1
        or Path(model).expanduser().exists()
    )


def resolve_model(
    model: str,
    *,
    revision: str | None = None,
    on_progress: ProgressCallback | None = None,
    allow_download: bool = True,
    refresh: bool = False,
) -> Path:
    """Return a checked local folder for `model`, downloading a Hub id when needed.

    A Hub id loads the folder shipped with the app when there is one (engine/models/bundled.py),
    else the commit `revisions.choose_commit` picks; with `refresh`, a branch or tag in
    `revision` is looked up on the Hub again (an explicit download).
    """
    if looks_like_path(model):
        folder = Path(model).expanduser()
        if not folder.is_dir():
            raise ModelNotFoundError(messages.MODEL_FOLDER_NOT_FOUND.format(path=folder))
    else:
        cached = None if refresh else _local_copy(model, revision)
        if cached is not None:
            folder = cached
        elif allow_download:
            commit = revision if refresh else _pinned_commit(model, revision)
            folder = download(model, revision=commit or revision, on_progress=on_progress)
        else:
            raise ModelOfflineError(messages.MODEL_OFFLINE.format(model=model))
    check_model_folder(folder, model)
    return folder


def is_downloaded(model: str, revision: str | None = None) -> bool:
    """True when loading `model` needs no download: a folder path (a missing folder is reported
    when loading, never downloaded), a model shipped with the app, or a Hub id whose snapshot
    at the commit loading would use is in the Hugging Face cache.

    `revision` is the one loading is given (EngineSettings.revision, `--revision`); the commit
    is picked as `resolve_model` picks it (see `cached_snapshot`), so a pinned commit that is
    not in the cache counts as not downloaded even when another commit of the model is.
    """
    return looks_like_path(model) or _local_copy(model, revision) is not None


def _local_copy(model: str, revision: str | None) -> Path | None:
    """The folder Hub id `model` loads from without the network: the one shipped with the app,
    else the cached snapshot of the commit to load; None when it must be downloaded."""
    return bundled_folder(model) or cached_snapshot(model, revision)


def _pinned_commit(model: str, revision: str | None) -> str | None:
    return choose_commit(revision, pinned_revision(model), RevisionRecord().get(model))


def cached_snapshot(model: str, revision: str | None = None) -> Path | None:
    """The folder of `model` in the Hugging Face cache, or None when it is not downloaded.

    When a commit is pinned (by `revision`, the catalogue or Iris's record) only that commit
    counts; otherwise whatever the cache's own refs name (a download made by another program).
    """
    return _snapshot(model, _pinned_commit(model, revision) or revision)


def _snapshot(model: str, revision: str | None) -> Path | None:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError, LocalEntryNotFoundError

    try:
        folder = snapshot_download(
            model, revision=revision, allow_patterns=ALLOWED_PATTERNS, local_files_only=True
        )
    except (LocalEntryNotFoundError, HFValidationError, FileNotFoundError, OSError):
        return None
    path = Path(str(folder))
    return path if any(path.iterdir()) else None


def download(
    model: str, *, revision: str | None = None, on_progress: ProgressCallback | None = None
) -> Path:
    """Download `model`'s safetensors weights and configuration into the Hugging Face cache.

    A branch or tag is resolved to the Hub's current commit first; the files of that commit
    are listed, fetched, checked against the listing's hashes, and the commit is recorded.
    Pickle-only repos are refused before anything is fetched.
    """
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.utils import filter_repo_objects

    api = HfApi()
    requested = revision or DEFAULT_REVISION
    with _hub_errors(model):
        commit = (
            requested if is_commit(requested) else str(api.repo_info(model, revision=requested).sha)
        )
        listing = {
            entry.path: ListedFile.from_repo_file(entry)
            for entry in api.list_repo_tree(model, revision=commit, recursive=True)
            if hasattr(entry, "blob_id")  # files, not folders
        }
    wanted = list(filter_repo_objects(listing, allow_patterns=ALLOWED_PATTERNS))
    if not any(name.endswith(".safetensors") for name in wanted) and any(
        name.endswith(PICKLE_SUFFIXES) for name in listing
    ):
        raise UnsafeModelError(messages.MODEL_PICKLE_ONLY_HUB.format(model=model))
    expected_bytes = sum(listing[name].size for name in wanted)
    with _hub_errors(model):
        folder = Path(
            str(
                snapshot_download(
                    model,
                    revision=commit,
                    allow_patterns=ALLOWED_PATTERNS,
                    tqdm_class=_progress_class(on_progress, expected_bytes),
                )
            )
        )
    bad = mismatched(folder, listing, wanted)
    if bad:
        discard(folder, bad)
        shutil.rmtree(folder, ignore_errors=True)  # links to the good blobs, kept for a retry
        raise ModelIntegrityError(
            messages.MODEL_HASH_MISMATCH.format(model=model, files=", ".join(bad))
        )
    RevisionRecord().put(model, Pin(requested, commit))
    if on_progress is not None:
        on_progress(messages.STAGE_DOWNLOAD, 1.0)
    return folder


@contextmanager
def _hub_errors(model: str) -> Iterator[None]:
    """Turn huggingface_hub's and the network's errors into Iris's, with one-line reasons."""
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        HFValidationError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        yield
    except GatedRepoError as error:  # before RepositoryNotFoundError, its base class
        raise ModelError(
            messages.MODEL_DOWNLOAD_FAILED.format(model=model, reason=first_line(error))
        ) from None
    except (RepositoryNotFoundError, RevisionNotFoundError, HFValidationError):
        raise ModelNotFoundError(messages.MODEL_UNKNOWN.format(model=model)) from None
    except (LocalEntryNotFoundError, OfflineModeIsEnabled, ConnectionError, TimeoutError):
        raise ModelOfflineError(messages.MODEL_OFFLINE.format(model=model)) from None
    except (HfHubHTTPError, OSError) as error:
        raise ModelError(
            messages.MODEL_DOWNLOAD_FAILED.format(model=model, reason=first_line(error))
        ) from None
    except Exception as error:
        if not _is_network_error(error):
            raise
        raise ModelOfflineError(messages.MODEL_OFFLINE.format(model=model)) from None


def _is_network_error(error: BaseException) -> bool:
    """True for the HTTP client's connection and timeout errors (httpx's TransportError)."""
    return any(kind.__name__ == "TransportError" for kind in type(error).__mro__)


def _progress_class(on_progress: ProgressCallback | None, expected: int) -> type[tqdm] | None:
    """A silent tqdm class that reports byte progress through `on_progress`.

    snapshot_download grows its byte bar's total as each file starts, so the fraction is taken
    against `expected`, the size of all files to fetch in the Hub's listing, and never
    reported lower than before.
    """
    if on_progress is None:
        return None
    callback = on_progress
    lock = threading.Lock()
    state: dict[str, float] = {}

    class _Reporter(tqdm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.pop("name", None)
            kwargs["disable"] = False
            kwargs["file"] = io.StringIO()
            super().__init__(*args, **kwargs)

        def update(self, n: float | None = 1) -> bool | None:
            with lock:
                shown = super().update(n)
                if self.unit == "B" and self.total:
                    done = min(1.0, self.n / max(self.total, expected))
                    state["done"] = max(state.get("done", 0.0), done)
                    callback(messages.STAGE_DOWNLOAD, state["done"])
            return shown

    return _Reporter


def check_model_folder(folder: Path, model: str | None = None) -> dict[str, Any]:
    """Refuse folders without a config, without safetensors weights, or needing custom code.

    Returns the parsed config.json.
    """
    name = model or str(folder)
    config_file = folder / "config.json"
    if not config_file.is_file():
        raise ModelNotFoundError(messages.MODEL_NO_CONFIG.format(path=folder))
    try:
        config: dict[str, Any] = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelError(
            messages.MODEL_BROKEN.format(model=name, reason=first_line(error))
        ) from None
    if "auto_map" in config or any(folder.glob("*.py")):
        raise UnsafeModelError(messages.MODEL_CUSTOM_CODE.format(model=name))
    if not any(folder.glob("*.safetensors")):
        if any(f.suffix in PICKLE_SUFFIXES for f in folder.iterdir()):
            raise UnsafeModelError(messages.MODEL_PICKLE_ONLY.format(path=folder))
        raise ModelNotFoundError(messages.MODEL_NO_WEIGHTS.format(path=folder))
    return config


def weights_size(folder: Path) -> int:
    """Bytes of safetensors weights in `folder`."""
    return sum(f.stat().st_size for f in folder.glob("*.safetensors"))
