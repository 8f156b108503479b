"""Finding a model: a local folder, or a Hub id fetched into the standard Hugging Face cache.

Only safetensors weights and configuration files are ever downloaded, and a folder that
needs pickle weights or custom Python code is refused.
"""

from __future__ import annotations

import io
import json
import threading
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from desktop_app.core import messages
from desktop_app.core.errors import (
    ModelError,
    ModelNotFoundError,
    ModelOfflineError,
    UnsafeModelError,
    first_line,
)
from desktop_app.core.types import ProgressCallback

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
) -> Path:
    """Return a checked local folder for `model`, downloading a Hub id when needed."""
    if looks_like_path(model):
        folder = Path(model).expanduser()
        if not folder.is_dir():
            raise ModelNotFoundError(messages.MODEL_FOLDER_NOT_FOUND.format(path=folder))
    else:
        cached = cached_snapshot(model, revision)
        if cached is not None:
            folder = cached
        elif allow_download:
            folder = download(model, revision=revision, on_progress=on_progress)
        else:
            raise ModelOfflineError(messages.MODEL_OFFLINE.format(model=model))
        # Pickle files are never downloaded, so only the Hub's listing can show them.
        listed = _listed_files(model, revision)
        if not any(folder.glob("*.safetensors")) and any(
            path.endswith(PICKLE_SUFFIXES) for path, _ in listed
        ):
            raise UnsafeModelError(messages.MODEL_PICKLE_ONLY_HUB.format(model=model))
    check_model_folder(folder, model)
    return folder


def cached_snapshot(model: str, revision: str | None = None) -> Path | None:
    """The folder of `model` in the Hugging Face cache, or None when it is not downloaded."""
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
    """Download `model`'s safetensors weights and configuration into the Hugging Face cache."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        GatedRepoError,
        HFValidationError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        folder = snapshot_download(
            model,
            revision=revision,
            allow_patterns=ALLOWED_PATTERNS,
            tqdm_class=_progress_class(on_progress, model, revision),
        )
    except (RepositoryNotFoundError, RevisionNotFoundError, HFValidationError):
        raise ModelNotFoundError(messages.MODEL_UNKNOWN.format(model=model)) from None
    except GatedRepoError as error:
        raise ModelError(
            messages.MODEL_DOWNLOAD_FAILED.format(model=model, reason=first_line(error))
        ) from None
    except (LocalEntryNotFoundError, OfflineModeIsEnabled, ConnectionError):
        raise ModelOfflineError(messages.MODEL_OFFLINE.format(model=model)) from None
    except OSError as error:
        raise ModelError(
            messages.MODEL_DOWNLOAD_FAILED.format(model=model, reason=first_line(error))
        ) from None
    if on_progress is not None:
        on_progress(messages.STAGE_DOWNLOAD, 1.0)
    return Path(str(folder))


def _listed_files(model: str, revision: str | None) -> list[tuple[str, int]]:
    """(path, size) of each file in the Hub listing that `snapshot_download` caches, if any."""
    try:
        from huggingface_hub import get_cached_repo_tree
        from huggingface_hub.errors import CachedRepoTreeNotFoundError
    except ImportError:  # huggingface_hub before 2.4 keeps no listing
        return []
    try:
        files = get_cached_repo_tree(model, revision=revision)
    except (CachedRepoTreeNotFoundError, OSError, ValueError):
        return []
    return [(f.path, f.size) for f in files]


def _progress_class(
    on_progress: ProgressCallback | None, model: str, revision: str | None
) -> type[tqdm] | None:
    """A silent tqdm class that reports byte progress through `on_progress`.

    snapshot_download grows its byte bar's total as each file starts, so the fraction is taken
    against the size of all allowed files in the listing (cached before any file is fetched),
    and never reported lower than before.
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
                    if "expected" not in state:
                        state["expected"] = sum(
                            size
                            for path, size in _listed_files(model, revision)
                            if any(fnmatch(path, pattern) for pattern in ALLOWED_PATTERNS)
                        )
                    done = min(1.0, self.n / max(self.total, state["expected"]))
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
