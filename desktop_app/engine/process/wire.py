"""What passes between the window's process and the model's: commands one way, replies the
other, each a pickled message with its length in front, over the child's standard input and
a duplicate of its standard output (see child.py).

Images go as their raw pixels (a PIL image pickles as its mode, size, `info` and bytes), so
the facts kept with a capture (`core.accessible.ScreenFacts`) come along; nothing is left in
shared memory for a crash to leak.
"""

from __future__ import annotations

import contextlib
import io
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
    """Stop the request `request_id` (or one started before it) within one decoding step;
    PREPARING stops the Prepare under way."""

    request_id: int


PREPARING = 0
"""The request id of a Cancel that stops a Prepare (requests count from 1)."""


@dataclass(frozen=True)
class Prepare:
    """Do the part of answering `request` that does not depend on its text, or with `prompt`
    all that a request beginning with its prompt can take up (Prepared)."""

    request: Request
    prompt: bool = False


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


PIPE_SIZE = 1 << 20
"""Bytes a pipe holds (Linux; 64 KB by default): a screenshot crosses in a few writes."""


def widen(stream: IO[bytes]) -> None:
    """Let the pipe under `stream` hold PIPE_SIZE bytes, where the system allows it."""
    try:
        import fcntl

        fcntl.fcntl(stream.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_SIZE)
    except (ImportError, OSError, ValueError):  # not Linux, not a pipe, or over the limit
        pass


class _ImagePickler(pickle.Pickler):
    """Pickles a message with each PIL image replaced by its mode, size and `info`; the
    pixels go to `pixels`, to be written raw after the message."""

    def __init__(self, file: IO[bytes], pixels: list[bytes]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.pixels = pixels

    def persistent_id(self, obj: Any) -> Any:
        if type(obj).__module__.startswith("PIL.") and hasattr(obj, "tobytes"):
            image = obj if obj.mode != "P" else obj.convert("RGBA")  # no palette to carry
            self.pixels.append(image.tobytes())
            return ("image", len(self.pixels) - 1, image.mode, image.size, dict(image.info))
        return None


class _ImageUnpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes], pixels: list[bytes]) -> None:
        super().__init__(file)
        self.pixels = pixels

    def persistent_load(self, pid: Any) -> Any:
        from PIL import Image

        _, index, mode, size, info = pid
        image = Image.frombytes(mode, size, self.pixels[index])
        image.info.update(info)
        return image


class Channel:
    """One direction of the pipe: whole messages written under a lock (any thread may
    write), read by one thread at a time. EOFError when the other side has gone."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self._lock = threading.Lock()
        widen(stream)

    def send(self, message: Any) -> None:
        pixels: list[bytes] = []
        header = io.BytesIO()
        pickler = _ImagePickler(header, pixels)
        pickler.dump(message)
        with self._lock:
            self.stream.write(_LENGTH.pack(header.tell()) + _LENGTH.pack(len(pixels)))
            self.stream.write(header.getbuffer())
            for data in pixels:  # each image's pixels as they are: no pickling of them
                self.stream.write(_LENGTH.pack(len(data)))
                self.stream.write(data)
            self.stream.flush()

    def receive(self) -> Any:
        size, count = _LENGTH.unpack(self._read(_LENGTH.size)) + _LENGTH.unpack(
            self._read(_LENGTH.size)
        )
        header = self._read(size)
        pixels = [self._read(_LENGTH.unpack(self._read(_LENGTH.size))[0]) for _ in range(count)]
        return _ImageUnpickler(io.BytesIO(header), pixels).load()

    def _read(self, size: int) -> bytes:
        data = self.stream.read(size)
        if data is None or len(data) < size:
            raise EOFError("the other process has gone")
        return data

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.stream.close()
