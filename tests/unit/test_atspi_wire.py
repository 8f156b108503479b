"""The AT-SPI client's D-Bus wire codec against jeepney's: calls byte for byte, replies of every
shape the client reads, messages split from a stream, and malformed input refused cleanly."""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterator
from typing import Any

import pytest
from jeepney import (
    DBusAddress,
    Endianness,
    HeaderFields,
    new_error,
    new_method_call,
    new_method_return,
)
from jeepney.low_level import Message, Parser

from desktop_app.accessibility import _atspi_bus
from desktop_app.accessibility._atspi_wire import (
    ERROR,
    METHOD_RETURN,
    WireError,
    message_length,
    method_call,
    parse_message,
)
from desktop_app.core import messages
from desktop_app.core.errors import AccessibilityError

APP, PATH = ":1.42", "/org/a11y/atspi/accessible/2a"
ACCESSIBLE = "org.a11y.atspi.Accessible"
SHAPES: list[tuple[str, tuple[Any, ...]]] = [
    ("u", (7,)), ("s", ("Säve ✓",)), ("s", ("",)), ("au", ([1126170882, 2048],)), ("au", ([],)),
    ("(iiii)", ((-5, 20, 1200, 760),)), ("a(so)", ([(APP, PATH), (":1.7", "/a/b")],)),
    ("a(so)", ([],)), ("(so)", ((APP, PATH),)), ("v", (("s", "Name"),)), ("v", (("i", -3),)),
    ("v", (("d", 0.25),)), ("v", (("(so)", (APP, PATH)),)),
    ("a{sv}", ({"Name": ("s", "Save"), "Description": ("s", ""), "ChildCount": ("i", 2)},)),
    ("sb", ("x", True)), ("ayxtd", (b"\1\2\xff", -(1 << 40), 1 << 63, 1.5)), ("", ()),
]  # fmt: skip


def _call(serial: int = 7) -> Message:
    address = DBusAddress(PATH, bus_name=APP, interface=ACCESSIBLE)
    call = new_method_call(address, "GetRole")
    call.header.serial = serial
    return call


def _reply(signature: str, body: tuple[Any, ...], big: bool = False) -> bytes:
    reply = new_method_return(_call(), signature or None, body)
    reply.header.fields[HeaderFields.sender] = APP
    if big:
        reply.header.endianness = Endianness.big
    return reply.serialise(serial=99)


def _jeepney(data: bytes) -> Message:
    parser = Parser()
    parser.add_data(data)
    message = parser.get_next_message()
    assert message is not None
    return message


# -- calls ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("interface", "member", "signature", "body"),
    [(ACCESSIBLE, "GetRole", None, ()), ("org.a11y.atspi.Component", "GetExtents", "u", (0,)),
     ("org.freedesktop.DBus.Properties", "Get", "ss", (ACCESSIBLE, "Name")),
     ("org.freedesktop.DBus.Properties", "GetAll", "s", ("ünïcode",)),
     (ACCESSIBLE, "GetChildAtIndex", "i", (-1,)),
     ("org.a11y.atspi.Text", "GetText", "ii", (0, 500)),
     ("org.a11y.atspi.Component", "GetAccessibleAtPoint", "iiu", (640, 400, 0)),
     ("", "Ping", "yqxd", (255, 65535, -(1 << 62), 2.5))],
)  # fmt: skip
def test_calls_are_jeepneys_byte_for_byte(
    interface: str, member: str, signature: str | None, body: tuple[Any, ...]
) -> None:
    address = DBusAddress(PATH, bus_name=APP, interface=interface or None)
    expected = new_method_call(address, member, signature, body).serialise(serial=12345)
    assert method_call(APP, PATH, interface, member, signature or "", body, 12345) == expected


def test_a_call_with_containers_is_left_to_jeepney() -> None:
    rule = ([4096, 0], 1, {"k": "v"}, 1, [], 1, [], 1, False)
    signature = "(aiia{ss}iaiiasib)uib"
    data = method_call(APP, PATH, "org.a11y.atspi.Collection", "GetMatches", signature,
                       (rule, 1, 1, True), serial=3)  # fmt: skip
    message = _jeepney(data)
    assert message.header.serial == 3
    assert message.body == (([4096, 0], 1, {"k": "v"}, 1, [], 1, [], 1, False), 1, 1, True)


def test_a_call_object_serialises_with_its_serial() -> None:
    call = _atspi_bus.Call((APP, PATH), ACCESSIBLE, "GetChildAtIndex", "i", (4,))
    message = _jeepney(call.wire(31))
    assert (message.header.serial, message.body) == (31, (4,))
    assert message.header.fields[HeaderFields.member] == "GetChildAtIndex"


# -- replies --------------------------------------------------------------------------------------
@pytest.mark.parametrize("big", [False, True], ids=["little-endian", "big-endian"])
@pytest.mark.parametrize(("signature", "body"), SHAPES, ids=[s or "empty" for s, _ in SHAPES])
def test_replies_read_as_jeepney_reads_them(
    signature: str, body: tuple[Any, ...], big: bool
) -> None:
    data = _reply(signature, body, big)
    got = parse_message(data)
    assert (got.kind, got.reply_serial, got.error_name) == (METHOD_RETURN, 7, "")
    assert got.body == body == tuple(_jeepney(data).body)


def test_an_error_reply() -> None:
    data = new_error(_call(), "org.freedesktop.DBus.Error.UnknownMethod", "s", ("no",))
    got = parse_message(data.serialise(serial=5))
    assert (got.kind, got.reply_serial, got.body) == (ERROR, 7, ("no",))
    assert got.error_name == "org.freedesktop.DBus.Error.UnknownMethod"


def test_messages_split_from_a_stream() -> None:
    stream = b"".join(_reply(s, b) for s, b in SHAPES)
    found = []
    while stream:
        length = message_length(stream)
        assert length is not None
        found.append(parse_message(stream[:length]).body)
        stream = stream[length:]
    assert found == [body for _, body in SHAPES]
    assert message_length(_reply("u", (1,))[:15]) is None


@pytest.fixture
def pair() -> Iterator[tuple[_atspi_bus.SocketLink, socket.socket]]:
    ours, theirs = socket.socketpair()
    link = _atspi_bus.SocketLink(ours)
    yield link, theirs
    link.close()
    theirs.close()


def test_the_link_reads_messages_however_they_are_cut(
    pair: tuple[_atspi_bus.SocketLink, socket.socket],
) -> None:
    link, theirs = pair
    first, second = _reply("s", ("one",)), _reply("a(so)", ([(APP, PATH)],))
    theirs.sendall(first[:5])
    with pytest.raises(TimeoutError):
        link.receive(0)
    theirs.sendall(first[5:] + second[:-1])
    assert link.receive(1.0).body == ("one",)
    theirs.sendall(second[-1:])
    assert link.receive(1.0).body == ([(APP, PATH)],)
    sent = link.send([_atspi_bus.Call((APP, PATH), ACCESSIBLE, "GetRole")] * 2)
    theirs.settimeout(1.0)
    data = theirs.recv(1 << 16)
    length = message_length(data)
    assert length is not None and length < len(data)
    assert [_jeepney(data[:length]).header.serial, _jeepney(data[length:]).header.serial] == sent


# -- malformed input ------------------------------------------------------------------------------
def _raw(signature: str, body: bytes) -> bytes:
    """A reply with `signature` and `body`, whatever they are."""
    fields = struct.pack("<BBcxI", 5, 1, b"u", 7) + struct.pack(
        "<BBcxB", 8, 1, b"g", len(signature)
    ) + signature.encode() + b"\0"  # fmt: skip
    start = struct.pack("<cBBBIII", b"l", METHOD_RETURN, 0, 1, len(body), 9, len(fields))
    return start + fields + b"\0" * (-len(fields) % 8) + body


def _broken(data: bytes) -> WireError:
    with pytest.raises(WireError) as raised:
        parse_message(data)
    return raised.value


def test_malformed_messages_raise_a_clean_error() -> None:
    good = _reply("a{sv}", ({"Name": ("s", "Save")},))
    error = _broken(good[:-1])
    assert isinstance(error, AccessibilityError)
    assert error.message == messages.ACCESSIBILITY_UNAVAILABLE.format(reason=messages.ATSPI_LOST)
    for cut in (0, 8, 16, 40, len(good) - 3):  # short of its length
        _broken(good[:cut])
    _broken(good + b"\0")  # longer than it says
    _broken(b"X" + good[1:])  # no such endianness
    _broken(good[:3] + b"\2" + good[4:])  # no such protocol version
    body_at = len(good) - struct.unpack_from("<I", good, 4)[0]
    # the array's length points past the message
    _broken(good[:body_at] + struct.pack("<I", 1 << 20) + good[body_at + 4 :])
    for signature, value in (("s", ("abc",)), ("u", (1,))):
        data = bytearray(_reply(signature, value))
        if signature == "s":
            data[-1] = ord("x")  # a string without its nul
        else:
            data[-12:-8] = b"\0\0\0\0"  # the body's length no longer matches
        _broken(bytes(data))
    for signature in ("a", "(i", "i)", "()", "z", "{ii}", "a{vs}", "a{sss}", "ai"):
        _broken(_raw(signature, b"\0" * 8 if signature == "ai" else b"\0" * 4))
    with pytest.raises(WireError):
        message_length(b"l\2\0\1" + struct.pack("<III", 1 << 28, 1, 0))


def test_a_malformed_message_drops_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    class Garbled:
        closed = False

        def send(self, batch: Any) -> list[int]:
            return list(range(1, len(batch) + 1))

        def receive(self, timeout: float) -> Any:
            return parse_message(b"garbage that is not a message")

        def close(self) -> None:
            self.closed = True

    link = Garbled()
    monkeypatch.setattr(_atspi_bus, "_cached", {})
    task = lambda bus: bus.call(_atspi_bus.Call((APP, PATH), ACCESSIBLE, "GetRole"))  # noqa: E731
    with pytest.raises(AccessibilityError) as raised:
        _atspi_bus.with_bus(task, lambda: _atspi_bus.Bus(link))
    assert messages.ATSPI_LOST in raised.value.message
    assert link.closed and not _atspi_bus._cached
