"""Typed errors. Each carries a message fit to be shown and spoken, and a CLI exit code."""

from __future__ import annotations


class IrisError(Exception):
    """Base of every error Iris reports to the user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInputError(IrisError):
    """The user's input (a file, an image, an argument) cannot be used."""

    exit_code = 2


class ImageError(BadInputError):
    """A file is missing, unreadable, not an image, truncated or too large."""


class ModelError(IrisError):
    """The model is missing, offline, unsupported, unsafe or does not fit in memory."""

    exit_code = 3


class ModelNotFoundError(ModelError):
    """No such model folder or Hub id."""


class ModelOfflineError(ModelError):
    """The model is not downloaded and the network cannot be reached."""


class UnsafeModelError(ModelError):
    """The model would need pickle weights or custom code, which Iris refuses to run."""


class ModelIntegrityError(UnsafeModelError):
    """A downloaded file does not match the checksum the Hub lists; it was deleted."""


class UnsupportedModelError(ModelError):
    """The model's architecture or the requested precision is not supported here."""


class OutOfMemoryError(ModelError):
    """The model does not fit in the memory available."""


class GenerationError(IrisError):
    """Generation failed after the model loaded."""

    exit_code = 3


def first_line(error: BaseException, limit: int = 300) -> str:
    """The first line of an exception's message (or its type's name), for one-line reports."""
    lines = str(error).strip().splitlines()
    return (lines[0] if lines else type(error).__name__)[:limit]


class CaptureError(IrisError):
    """The screen, a window or a region could not be captured (no display, no permission)."""

    exit_code = 2


class SpeechError(IrisError):
    """The speech engine is missing or failed; Iris goes on silently and shows the text."""


class HotkeyError(IrisError):
    """A global hotkey could not be registered (taken by another program, or unsupported)."""
