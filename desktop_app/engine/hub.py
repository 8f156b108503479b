"""Finding a model: a local folder, or a Hub id fetched into the standard Hugging Face cache.

Only safetensors weights and configuration files are ever downloaded, and a folder that
needs pickle weights or custom Python code is refused.
"""

from __future__ import annotations

import io
import json
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
    return path if any(path.glob("*.safetensors")) or any(path.iterdir()) else None


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
            tqdm_class=_progress_class(on_progress),
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


def _progress_class(on_progress: ProgressCallback | None) -> type[tqdm] | None:
    """A silent tqdm class that reports byte progress through `on_progress`."""
    if on_progress is None:
        return None
    callback = on_progress

    class _Reporter(tqdm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.pop("name", None)
            kwargs["disable"] = False
            kwargs["file"] = io.StringIO()
            super().__init__(*args, **kwargs)

        def update(self, n: float | None = 1) -> bool | None:
            shown = super().update(n)
            if self.unit == "B" and self.total:
                callback(messages.STAGE_DOWNLOAD, min(1.0, self.n / self.total))
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
