"""AT-SPI's D-Bus plumbing: finding and opening the accessibility bus with jeepney (one
connection per process, reopened when it breaks), then calls in our own wire codec
(`_atspi_wire`) with time limits, many in flight at once (sent in one write, their replies
read in large chunks and matched by serial)."""

from __future__ import annotations

import itertools
import os
import select
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from jeepney.bus import get_bus
from jeepney.io.blocking import prep_socket

from desktop_app.accessibility._atspi_wire import (
    ERROR,
    Received,
    WireError,
    message_length,
    method_call,
    parse_message,
)
from desktop_app.core import messages
from desktop_app.core.errors import AccessibilityError

CALL_TIMEOUT_S = 0.5
"""The longest any one call waits for its reply."""
RECEIVE_SIZE = 1 << 18
"""Bytes read from the socket at most at once."""
DBUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus")
A11Y_BUS = ("org.a11y.Bus", "/org/a11y/bus")

Ref = tuple[str, str]
"""An accessible object: its application's bus name and its object path."""
T = TypeVar("T")


class CallError(Exception):
    """The other side answered a call with a D-Bus error."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(f"{name}: {text}")
        self.name = name


Result = tuple[Any, ...] | CallError
"""A reply's body, or the error it was."""


@dataclass(frozen=True)
class Call:
    """One method call on an object."""

    ref: Ref
    interface: str
    method: str
    signature: str | None = None
    body: tuple[Any, ...] = ()

    def wire(self, serial: int) -> bytes:
        """The D-Bus message, with `serial`."""
        ref = self.ref
        return method_call(
            ref[0], ref[1], self.interface, self.method, self.signature or "", self.body, serial
        )


class Link(Protocol):
    """A connection to a bus: messages out, messages in."""

    def send(self, batch: Sequence[Call]) -> list[int]:
        """Send the calls of `batch` (in one write); their serials."""

    def receive(self, timeout: float) -> Received:
        """The next message; TimeoutError after `timeout` seconds (0: only what has come),
        WireError when what came breaks the wire format."""

    def close(self) -> None:
        """Close the connection."""


class SocketLink:
    """A `Link` over a connected, authenticated socket."""

    def __init__(self, connected: socket.socket, timeout: float = CALL_TIMEOUT_S) -> None:
        self._socket = connected
        self._socket.settimeout(timeout)  # a send the bus never takes breaks the link
        self._buffer = bytearray()
        self._serials = itertools.count(1)

    def send(self, batch: Sequence[Call]) -> list[int]:
        serials = [next(self._serials) for _ in batch]
        data = b"".join(call.wire(serial) for call, serial in zip(batch, serials, strict=True))
        try:
            self._socket.sendall(data)
        except TimeoutError as error:
            raise ConnectionError("the bus takes no more messages") from error
        return serials

    def receive(self, timeout: float) -> Received:
        deadline = time.monotonic() + timeout
        while (message := self._next()) is None:
            ready, _, _ = select.select(
                [self._socket], [], [], max(0.0, deadline - time.monotonic())
            )
            if not ready:
                raise TimeoutError
            data = self._socket.recv(RECEIVE_SIZE)
            if not data:
                raise ConnectionResetError("the bus closed the connection")
            self._buffer += data
        return message

    def _next(self) -> Received | None:
        """The first whole message in the buffer, taken out of it."""
        length = message_length(self._buffer)
        if length is None or len(self._buffer) < length:
            return None
        data = bytes(self._buffer[:length])
        del self._buffer[:length]
        return parse_message(data)

    def close(self) -> None:
        self._socket.close()


def _result(message: Received) -> Result:
    if message.kind == ERROR:
        body = message.body
        return CallError(message.error_name, str(body[0]) if body else "")
    return message.body


class Bus:
    """Calls on one connection: one at a time (`call`) or many in flight (`start`, `collect`).

    Replies to calls it no longer waits for (timed out, or forgotten) are dropped on arrival."""

    def __init__(self, link: Link) -> None:
        self.link = link
        self.waiting: set[int] = set()
        self.pids: dict[str, int | None] = {}
        """Each application's process id, by its unique bus name."""
        self.whole_properties: dict[str, bool] = {}
        """Whether each application answers `Properties.GetAll` (Qt does not)."""

    def start(self, calls: Sequence[Call]) -> list[int]:
        """Send `calls` together; their serials, for `collect`."""
        serials = self.link.send(calls)
        self.waiting.update(serials)
        return serials

    def collect(self, deadline: float, wait: bool = True) -> tuple[int, Result] | None:
        """The next reply to a started call, (serial, result); None when `deadline`
        (time.monotonic) has passed, or (unless `wait`) when none has come yet."""
        while self.waiting and time.monotonic() < deadline:
            try:
                message = self.link.receive(max(0.0, deadline - time.monotonic()) if wait else 0)
            except TimeoutError:
                return None
            serial = message.reply_serial
            if serial in self.waiting:
                self.waiting.discard(serial)
                return serial, _result(message)
        return None

    def forget(self) -> None:
        """Stop waiting for the replies still to come."""
        self.waiting.clear()

    def call_all(
        self, calls: Sequence[Call], timeout: float = CALL_TIMEOUT_S
    ) -> list[Result | None]:
        """All of `calls` in flight at once; each one's result, None for those unanswered
        within `timeout`."""
        deadline = time.monotonic() + min(timeout, CALL_TIMEOUT_S)
        serials = self.start(calls)
        results: dict[int, Result] = {}
        while len(results) < len(serials) and (got := self.collect(deadline)) is not None:
            results[got[0]] = got[1]
        self.waiting.difference_update(serials)
        return [results.get(serial) for serial in serials]

    def call(self, call: Call, timeout: float = CALL_TIMEOUT_S) -> tuple[Any, ...]:
        """One call's reply body; CallError for an error reply, TimeoutError for none."""
        (result,) = self.call_all([call], timeout)
        if result is None:
            raise TimeoutError(f"no reply to {call.method} from {call.ref[0]}")
        if isinstance(result, CallError):
            raise result
        return result


def _unavailable(reason: str) -> AccessibilityError:
    return AccessibilityError(messages.ACCESSIBILITY_UNAVAILABLE.format(reason=reason))


def _open_link(address: str) -> Bus:
    """A connection to the bus at `address` (or "SESSION"), past its Hello."""
    bus = Bus(SocketLink(prep_socket(get_bus(address), timeout=CALL_TIMEOUT_S)))
    try:
        bus.call(Call(DBUS, "org.freedesktop.DBus", "Hello"))
    except BaseException:
        bus.link.close()
        raise
    return bus


def accessibility_address() -> str:
    """The accessibility bus's address: AT_SPI_BUS_ADDRESS, else the session bus's
    `org.a11y.Bus.GetAddress` (which starts the bus when it is not running)."""
    if found := os.environ.get("AT_SPI_BUS_ADDRESS"):
        return found
    try:
        session = _open_link("SESSION")
    except (KeyError, ValueError, OSError):
        raise _unavailable(messages.ATSPI_NO_SESSION_BUS) from None
    try:
        (address,) = session.call(Call(A11Y_BUS, "org.a11y.Bus", "GetAddress"))
    except TimeoutError:
        raise _unavailable(messages.ATSPI_NO_ANSWER) from None
    except (CallError, OSError, ValueError):
        raise _unavailable(messages.ATSPI_NO_BUS) from None
    finally:
        session.link.close()
    return str(address)


def connect() -> Bus:
    """A new connection to the accessibility bus; AccessibilityError when there is none."""
    address = accessibility_address()
    try:
        return _open_link(address)
    except TimeoutError:
        raise _unavailable(messages.ATSPI_NO_ANSWER) from None
    except (CallError, OSError, ValueError):
        raise _unavailable(messages.ATSPI_NO_BUS) from None


_lock = threading.Lock()
_cached: dict[tuple[Any, ...], Bus] = {}


def _key() -> tuple[Any, ...]:
    environ = os.environ
    return os.getpid(), environ.get("AT_SPI_BUS_ADDRESS"), environ.get("DBUS_SESSION_BUS_ADDRESS")


def _drop() -> None:
    for bus in _cached.values():
        bus.link.close()
    _cached.clear()


def with_bus(task: Callable[[Bus], T], connector: Callable[[], Bus] = connect) -> T:
    """`task(bus)` on this process's connection (one task at a time); opened on first use
    (and again when the environment names another bus); when it turns out broken, opened
    again and the task run once more. AccessibilityError when the bus cannot be reached."""
    with _lock:
        for attempt in range(2):
            key = _key()
            fresh = key not in _cached
            if fresh:
                _drop()
                _cached[key] = connector()
            bus = _cached[key]
            try:
                return task(bus)
            except TimeoutError:
                bus.forget()
                raise _unavailable(messages.ATSPI_NO_ANSWER) from None
            except WireError:  # out of step with the bus: start afresh next time
                _drop()
                raise
            except OSError:
                _drop()
                if fresh or attempt:
                    raise _unavailable(messages.ATSPI_LOST) from None
            finally:
                bus.forget()
        raise AssertionError("unreachable")
