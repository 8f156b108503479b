"""Typed errors. Each carries a message fit to be shown and spoken, and a CLI exit code."""

from __future__ import annotations


class IrisError(Exception):
    """Base of every error Iris reports to the user."""

    exit_code = 1
    partial = ""
    """The answer's text so far, when the fault keeps it (a server's stream broke off)."""

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


class ServerError(IrisError):
    """The model server cannot be reached, refuses, or breaks off an answer.

    `partial` is the text that had arrived before the fault (kept, marked unfinished).
    """

    exit_code = 4

    def __init__(self, message: str, partial: str = "") -> None:
        super().__init__(message)
        self.partial = partial


class ServerUnreachableError(ServerError):
    """Nothing answers at the server's address (down, wrong host or port, TLS refused)."""


class ServerAuthError(ServerError):
    """The server refused the API key (401 or 403)."""


class ServerModelError(ServerError):
    """The server does not have the model asked for."""


class ServerBusyError(ServerError):
    """429 or 5xx. `retry_after_s` is how long the server asked to wait, if it said."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ServerStreamError(ServerError):
    """The answer's stream was cut, malformed, or stopped arriving."""


class ServerConsentError(ServerError):
    """Images would go to a host the user has not agreed to send them to."""


class CaptureError(IrisError):
    """The screen, a window or a region could not be captured (no display, no permission)."""

    exit_code = 2


class SpeechError(IrisError):
    """The speech engine is missing or failed; Iris goes on silently and shows the text."""


class HotkeyError(IrisError):
    """A global hotkey could not be registered (taken by another program, or unsupported)."""


class AccessibilityError(IrisError):
    """The platform's accessibility API could not be asked (no bus, no permission)."""

    exit_code = 2
