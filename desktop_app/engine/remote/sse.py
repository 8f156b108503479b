"""Server-sent events, read line by line from a streaming HTTP response (the WHATWG rules)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

MAX_LINE_BYTES = 4 * 2**20
"""A longer line is not an answer chunk: the stream is treated as malformed."""


class MalformedStream(Exception):
    """The bytes are not a server-sent event stream. The message says what was wrong."""


@dataclass(frozen=True)
class Event:
    """One dispatched event: its type ("message" unless the server named it) and its data."""

    kind: str
    data: str


def events(readline: Callable[[int], bytes]) -> Iterator[Event]:
    """Each event as it completes. Ends at the end of the stream; an event the stream
    ended in the middle of is dropped (the caller sees the answer was not finished)."""
    data: list[str] = []
    kind = ""
    while True:
        raw = readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE_BYTES:
            raise MalformedStream("a line longer than 4 MB")
        try:
            line = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise MalformedStream("bytes that are not UTF-8 text") from None
        if not line:
            if data:
                yield Event(kind or "message", "\n".join(data))
            data, kind = [], ""
            continue
        if line.startswith(":"):
            continue  # a comment, often a keep-alive
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            data.append(value)
        elif name == "event":
            kind = value
        # "id", "retry" and unknown fields are ignored, as the standard says
