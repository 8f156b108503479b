"""What passes between the window's process and the model's: commands one way, replies the
other, each a pickled message with its length in front, over the child's standard input and
a duplicate of its standard output (see child.py).

Images go as their raw pixels (a PIL image pickles as its mode, size, `info` and bytes), so
the facts kept with a capture (`core.accessible.ScreenFacts`) come along; nothing is left in
shared memory for a crash to leak.
"""

from __future__ import annotations

import contextlib
import pickle
import struct
import threading
from dataclasses import dataclass
from typing import IO, Any

from desktop_app.core import errors
from desktop_app.core.reading import LineEnd, TextLine, TextReading
from desktop_app.core.types import Answer, Request

_LENGTH = struct.Struct("!Q")


# -- commands (window -> model process) ----------------------------------------------------
@dataclass(frozen=True)
class Load:
    """Load the model (progress replies, then Loaded or Failed)."""


@dataclass(frozen=True)
class Start:
    """Answer `request` (Piece replies, then Answered or Failed with the same id)."""

    request_id: int
    request: Request


@dataclass(frozen=True)
class Cancel:
    """Stop the request `request_id` (or one started before it) within one decoding step."""

    request_id: int


@dataclass(frozen=True)
class Prepare:
    """Do the part of answering `request` that does not depend on its text (Prepared)."""

    request: Request


@dataclass(frozen=True)
class Read:
    """Read `image`'s text (a text reader's process): Line replies, then ReadDone or Failed."""

    request_id: int
    image: Any


@dataclass(frozen=True)
class WarmUp:
    """Spend idle time on what slows the first request (reply: WarmedUp)."""


@dataclass(frozen=True)
class Close:
    """Release the model and end the process."""


# -- replies (model process -> window) -----------------------------------------------------
@dataclass(frozen=True)
class Progress:
    stage: str
    fraction: float


@dataclass(frozen=True)
class Loaded:
    description: str
    seconds: float


@dataclass(frozen=True)
class Piece:
    request_id: int
    text: str


@dataclass(frozen=True)
class Answered:
    request_id: int
    answer: Answer


@dataclass(frozen=True)
class Failed:
    """An IrisError, by its class's name in core.errors (anything else: GenerationError)."""

    request_id: int | None
    kind: str
    message: str
    partial: str = ""

    @classmethod
    def of(cls, request_id: int | None, error: errors.IrisError) -> Failed:
        return cls(request_id, type(error).__name__, error.message, error.partial)

    def error(self) -> errors.IrisError:
        """The error again, on this side of the boundary."""
        kind = getattr(errors, self.kind, None)
        if not (isinstance(kind, type) and issubclass(kind, errors.IrisError)):
            kind = errors.GenerationError
        try:
            error = kind(self.message)
        except TypeError:  # a class that wants more than its message
            error = errors.GenerationError(self.message)
        error.partial = self.partial
        return error


@dataclass(frozen=True)
class WarmedUp:
    pass


@dataclass(frozen=True)
class Prepared:
    pass


@dataclass(frozen=True)
class Line:
    request_id: int
    line: TextLine
    end: LineEnd


@dataclass(frozen=True)
class ReadDone:
    request_id: int
    reading: TextReading


class Channel:
    """One direction of the pipe: whole messages written under a lock (any thread may
    write), read by one thread at a time. EOFError when the other side has gone."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self._lock = threading.Lock()

    def send(self, message: Any) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self.stream.write(_LENGTH.pack(len(data)))
            self.stream.write(data)
            self.stream.flush()

    def receive(self) -> Any:
        size = _LENGTH.unpack(self._read(_LENGTH.size))[0]
        return pickle.loads(self._read(size))

    def _read(self, size: int) -> bytes:
        data = self.stream.read(size)
        if data is None or len(data) < size:
            raise EOFError("the other process has gone")
        return data

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.stream.close()
