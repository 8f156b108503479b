"""A small SSIP client: one long-lived connection to speech-dispatcher over its Unix socket.

SSIP (speech-dispatcher's protocol, `info ssip`) is line based: each command is one line
answered by `CCC-data` lines and a final `CCC text` line; 7xx replies are events (a message
began, ended, was cancelled) that may arrive at any time between replies. A reader thread
sorts the two: replies go to the command waiting for them, events mark messages finished.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections import deque
from collections.abc import Callable, Collection, Mapping
from pathlib import Path

log = logging.getLogger(__name__)

SOCKET_NAME = Path("speech-dispatcher") / "speechd.sock"
REPLY_TIMEOUT_S = 5.0
"""Longest wait for the answer to one command; a daemon that takes longer is taken as gone."""

EVENT_BEGIN, EVENT_END, EVENT_CANCEL = 701, 702, 703
FINISHING_EVENTS = frozenset({EVENT_END, EVENT_CANCEL})


class SsipError(Exception):
    """The connection failed or speech-dispatcher refused a command; str() says why."""


def socket_path(env: Mapping[str, str]) -> Path:
    """speech-dispatcher's socket as its clients find it: SPEECHD_ADDRESS `unix_socket:PATH`,
    else SPEECHD_SOCKET, else $XDG_RUNTIME_DIR (or $XDG_CACHE_HOME, ~/.cache)/speech-dispatcher/
    speechd.sock. SsipError for an address that is not a Unix socket."""
    address = env.get("SPEECHD_ADDRESS", "")
    if address:
        method, _, rest = address.partition(":")
        if method != "unix_socket":
            raise SsipError(f"speech-dispatcher address {address!r} is not a Unix socket")
        if rest:
            return Path(rest)
    elif env.get("SPEECHD_SOCKET"):
        return Path(env["SPEECHD_SOCKET"])
    home = env.get("HOME") or os.path.expanduser("~")
    base = env.get("XDG_RUNTIME_DIR") or env.get("XDG_CACHE_HOME") or str(Path(home) / ".cache")
    return Path(base) / SOCKET_NAME


def encode_text(text: str) -> bytes:
    """`text` as SPEAK's data: CRLF line ends, a leading dot doubled, ended by a lone dot."""
    lines = text.replace("\0", "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    escaped = ["." + line if line.startswith(".") else line for line in lines]
    return ("\r\n".join(escaped) + "\r\n.\r\n").encode("utf-8")


class SsipConnection:
    """One connection; `command` and `speak` from any thread (one exchange at a time),
    `wait_finished` for a message's END or CANCEL event (with `SET SELF NOTIFICATION` on)."""

    def __init__(self, path: Path, timeout: float = REPLY_TIMEOUT_S) -> None:
        """Connect to the socket at `path`; SsipError if nobody listens there."""
        self.timeout = timeout
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._socket.settimeout(timeout)
            self._socket.connect(str(path))
            self._socket.settimeout(None)
        except OSError as error:
            self._socket.close()
            raise SsipError(f"cannot connect to {path}: {error.strerror or error}") from error
        self._exchange = threading.Lock()
        """Held for one command and its reply (SSIP is synchronous)."""
        self._condition = threading.Condition()
        self._replies: deque[tuple[int, list[str]]] = deque()
        self._events: dict[int, int] = {}
        """Message id -> its latest event (BEGIN, END, CANCEL...); finished ones until collected."""
        self.closed = False
        self.closed_event = threading.Event()
        """Set once the connection is closed (by either side)."""
        self._reader = threading.Thread(target=self._read, name="iris-ssip-reader", daemon=True)
        self._reader.start()

    # -- commands ---------------------------------------------------------------------------
    def command(self, line: str) -> tuple[int, list[str]]:
        """Send one command line; its reply's code and data lines. SsipError on an error
        reply (3xx-5xx) or a lost connection."""
        with self._exchange:
            self._send(line.encode("utf-8") + b"\r\n")
            return self._reply(line)

    def speak(self, text: str) -> int:
        """Queue `text` as a message; its id (for `wait_finished`)."""
        with self._exchange:
            self._send(b"SPEAK\r\n")
            self._reply("SPEAK")
            self._send(encode_text(text))
            _, data = self._reply("SPEAK data")
        try:
            return int(data[0])
        except (IndexError, ValueError) as error:
            raise SsipError(f"SPEAK gave no message id: {data!r}") from error

    def wait_finished(self, message: int, timeout: float, stop: Callable[[], bool]) -> int | None:
        """Wait until `message` ends or is cancelled (its event code), `stop()` is true, the
        connection closes or `timeout` passes (None for those three)."""
        return self.wait_event(message, FINISHING_EVENTS, timeout, stop)

    def wait_event(
        self,
        message: int,
        codes: Collection[int],
        timeout: float,
        stop: Callable[[], bool] = lambda: False,
    ) -> int | None:
        """Wait until `message`'s latest event is one of `codes` (returned; a finishing one is
        forgotten), or `stop()`, a closed connection or `timeout` (None)."""
        with self._condition:
            self._condition.wait_for(
                lambda: self._events.get(message) in codes or self.closed or stop(), timeout
            )
            code = self._events.get(message)
            if code not in codes:
                return None
            if code in FINISHING_EVENTS:
                del self._events[message]
            return code

    def wake(self) -> None:
        """Make `wait_finished` look at its `stop` again (after it became true)."""
        with self._condition:
            self._condition.notify_all()

    def close(self) -> None:
        """Say QUIT (briefly) and close; the reader thread ends."""
        if not self.closed:
            acquired = self._exchange.acquire(timeout=1.0)
            try:
                with contextlib.suppress(OSError):
                    self._socket.sendall(b"QUIT\r\n")
            finally:
                if acquired:
                    self._exchange.release()
        self._mark_closed()
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)
        self._socket.close()
        if self._reader is not threading.current_thread():
            self._reader.join(2.0)

    # -- plumbing ---------------------------------------------------------------------------
    def _send(self, data: bytes) -> None:
        if self.closed:
            raise SsipError("the connection to speech-dispatcher is closed")
        try:
            self._socket.sendall(data)
        except OSError as error:
            self._mark_closed()
            raise SsipError(f"speech-dispatcher connection lost: {error}") from error

    def _reply(self, what: str) -> tuple[int, list[str]]:
        with self._condition:
            if not self._condition.wait_for(lambda: self._replies or self.closed, self.timeout):
                self._mark_closed_locked()
                raise SsipError(f"speech-dispatcher did not answer {what} in {self.timeout:g} s")
            if not self._replies:
                raise SsipError("speech-dispatcher closed the connection")
            code, data = self._replies.popleft()
        if code >= 300:
            message = data[-1] if data else str(code)
            raise SsipError(f"speech-dispatcher refused {what}: {code} {message}")
        return code, data

    def _read(self) -> None:
        """The reader thread: sort reply blocks into replies and events until EOF."""
        block: list[str] = []
        try:
            with self._socket.makefile("rb") as stream:
                for raw in stream:
                    line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                    if len(line) < 4 or not line[:3].isdigit():
                        log.debug("unexpected SSIP line %r", line)
                        continue
                    block.append(line[4:])
                    if line[3] == " ":  # the block's last line
                        self._deliver(int(line[:3]), block)
                        block = []
        except (OSError, ValueError) as error:
            if not self.closed:
                log.debug("SSIP connection ended: %s", error)
        finally:
            self._mark_closed()

    def _deliver(self, code: int, block: list[str]) -> None:
        with self._condition:
            if 700 <= code < 800:
                if block and block[0].isdigit():
                    self._events[int(block[0])] = code
                    if len(self._events) > 1000:  # events of messages nobody waits for
                        for stale in sorted(self._events)[:500]:
                            del self._events[stale]
            else:
                self._replies.append((code, block))
            self._condition.notify_all()

    def _mark_closed(self) -> None:
        with self._condition:
            self._mark_closed_locked()

    def _mark_closed_locked(self) -> None:
        self.closed = True
        self.closed_event.set()
        self._condition.notify_all()
