"""The D-Bus wire format by hand, for the messages AT-SPI's client sends and reads: method calls
with basic arguments (their header fields built once per destination, interface, member and
signature), and messages of any signature, parsed with `struct` by parsers compiled once per
signature. Many times cheaper than jeepney's message objects; jeepney still opens and
authenticates the connection, and serialises the rare call with a container argument."""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jeepney import DBusAddress, new_method_call

from desktop_app.core import messages
from desktop_app.core.errors import AccessibilityError

METHOD_CALL, METHOD_RETURN, ERROR, SIGNAL = 1, 2, 3, 4
HEADER = 16
"""The fixed start of a message: endianness, type, flags, version, body length, serial and the
header fields' length."""
MAX_MESSAGE = 1 << 27
"""The longest message D-Bus allows (128 MiB)."""
PATH, INTERFACE, MEMBER, ERROR_NAME, REPLY_SERIAL, DESTINATION, SIGNATURE = 1, 2, 3, 4, 5, 6, 8
_ENDIAN = {ord("l"): "<", ord("B"): ">"}
_FIXED = {"y": "B", "b": "I", "n": "h", "q": "H", "i": "i", "u": "I", "x": "q", "t": "Q",
          "d": "d", "h": "I"}  # fmt: skip
"""The fixed-size basic types' struct codes (their size is their alignment)."""
_ALIGN = {**{code: struct.calcsize(kind) for code, kind in _FIXED.items()},
          "s": 4, "o": 4, "g": 1, "v": 1, "a": 4, "(": 8, "{": 8}  # fmt: skip

_BASIC = frozenset([*_FIXED, "s", "o", "g"])
_WORD = {endian: struct.Struct(endian + "I") for endian in "<>"}
_STRINGS, _SIGNATURE, _UINT32 = frozenset(b"so"), ord("g"), ord("u")
Parse = Callable[[bytes, int], tuple[Any, int]]
"""Reads one value at a position of a message; the value and the position after it."""


class WireError(AccessibilityError):
    """A message that breaks the wire format: the connection can no longer be trusted."""

    def __init__(self, detail: str) -> None:
        super().__init__(messages.ACCESSIBILITY_UNAVAILABLE.format(reason=messages.ATSPI_LOST))
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Received:
    """A message read from the bus."""

    kind: int
    reply_serial: int | None
    error_name: str
    body: tuple[Any, ...]


def _pad(length: int, align: int) -> bytes:
    return b"\0" * (-length % align)


# -- method calls ---------------------------------------------------------------------------------
def _field(code: int, kind: str, value: str, last: bool = False) -> bytes:
    """A header field holding a string, object path or signature (padded to 8 unless last)."""
    data = value.encode()
    if kind == "g":
        packed = struct.pack("<BBcxB", code, 1, b"g", len(data)) + data + b"\0"
    else:
        packed = struct.pack("<BBcxI", code, 1, kind.encode(), len(data)) + data + b"\0"
    return packed if last else packed + _pad(len(packed), 8)


@lru_cache(maxsize=512)
def _fields(destination: str, interface: str, member: str, signature: str) -> bytes:
    """The header fields after the object path, by code (as jeepney orders them); the last
    unpadded."""
    wanted = [(INTERFACE, "s", interface), (MEMBER, "s", member),
              (DESTINATION, "s", destination), (SIGNATURE, "g", signature)]  # fmt: skip
    present = [field for field in wanted if field[2]]
    return b"".join(
        _field(*field, last=index == len(present) - 1) for index, field in enumerate(present)
    )


def _arguments(signature: str, body: tuple[Any, ...]) -> bytes | None:
    """Arguments of basic types, packed; None for a signature with containers."""
    if len(signature) != len(body):
        return None
    parts: list[bytes] = []
    length = 0
    for code, value in zip(signature, body, strict=True):
        if code in _FIXED:
            padding = _pad(length, _ALIGN[code])
            part = struct.pack("<" + _FIXED[code], value)
        elif code in "so":
            data = str(value).encode()
            padding, part = _pad(length, 4), struct.pack("<I", len(data)) + data + b"\0"
        else:
            return None
        parts += (padding, part)
        length += len(padding) + len(part)
    return b"".join(parts)


def method_call(
    destination: str, path: str, interface: str, member: str, signature: str = "",
    body: tuple[Any, ...] = (), serial: int = 1,
) -> bytes:  # fmt: skip
    """A method call, little-endian, with `serial`."""
    arguments = _arguments(signature, body) if signature else b""
    if arguments is None:
        address = DBusAddress(path, bus_name=destination or None, interface=interface or None)
        return new_method_call(address, member, signature, body).serialise(serial=serial)
    fields = _field(PATH, "o", path) + _fields(destination, interface, member, signature)
    start = struct.pack("<cBBBIII", b"l", METHOD_CALL, 0, 1, len(arguments), serial, len(fields))
    return b"".join((start, fields, _pad(len(fields), 8), arguments))


# -- parsing -------------------------------------------------------------------------------------
def _fixed(code: str, endian: str) -> Parse:
    layout = struct.Struct(endian + _FIXED[code])
    size = layout.size
    as_bool = code == "b"

    def parse(data: bytes, at: int) -> tuple[Any, int]:
        at += -at % size
        (value,) = layout.unpack_from(data, at)
        return (bool(value) if as_bool else value), at + size

    return parse


def _text(code: str, endian: str) -> Parse:
    length = struct.Struct(endian + ("B" if code == "g" else "I"))

    def parse(data: bytes, at: int) -> tuple[Any, int]:
        at += -at % length.size
        (size,) = length.unpack_from(data, at)
        start = at + length.size
        end = start + size
        if end >= len(data) or data[end]:
            raise WireError("a string runs past its message or lacks its nul")
        return data[start:end].decode(), end + 1

    return parse


def _array(element: str, endian: str) -> Parse:
    length = struct.Struct(endian + "I")
    align = _ALIGN[element[0]]
    entries = element[0] == "{"
    if entries and not (len(element) == 4 and element[1] in _BASIC and element[3] == "}"):
        raise WireError(f"not a dict entry: {element!r}")
    parse_one = _struct(element[1:-1], endian) if entries else _single(element, endian)
    kind = _FIXED.get(element, "")
    size = _ALIGN[element] if kind else 0

    def parse(data: bytes, at: int) -> tuple[Any, int]:
        at += -at % 4
        (count,) = length.unpack_from(data, at)
        at += 4 + -(at + 4) % align
        end = at + count
        if end > len(data):
            raise WireError("an array runs past its message")
        if element == "y":  # bytes, as jeepney gives them
            return data[at:end], end
        if size:  # fixed-size items: all at once
            if count % size:
                raise WireError("an array's length is not a whole number of items")
            items = list(struct.unpack_from(f"{endian}{count // size}{kind}", data, at))
            return (items if element != "b" else [bool(item) for item in items]), end
        found: list[Any] = []
        while at < end:
            item, at = parse_one(data, at)
            found.append(item)
        if at != end:
            raise WireError("an array's items overrun its length")
        return (dict(found) if entries else found), end

    return parse


def _struct(fields: str, endian: str) -> Parse:
    parsers = [_single(code, endian) for code in _split(fields)]

    def parse(data: bytes, at: int) -> tuple[Any, int]:
        at += -at % 8
        values = []
        for parse_one in parsers:
            value, at = parse_one(data, at)
            values.append(value)
        return tuple(values), at

    return parse


def _variant(endian: str) -> Parse:
    read_signature = _text("g", endian)

    def parse(data: bytes, at: int) -> tuple[Any, int]:
        signature, at = read_signature(data, at)
        value, at = _single(signature, endian)(data, at)
        return (signature, value), at

    return parse


def _split(signature: str) -> list[str]:
    """The complete types of `signature`, one by one."""
    found, at = [], 0
    while at < len(signature):
        end = at
        while signature[end] == "a":
            end += 1
        if signature[end] in "({":
            depth = 1
            while depth:
                end += 1
                if end == len(signature):
                    raise WireError(f"an unclosed container in {signature!r}")
                depth += (signature[end] in "({") - (signature[end] in ")}")
        found.append(signature[at : end + 1])
        at = end + 1
    return found


@lru_cache(maxsize=256)
def _single(signature: str, endian: str) -> Parse:
    """The parser of one complete type."""
    if len(_split(signature)) != 1:
        raise WireError(f"not one complete type: {signature!r}")
    code = signature[0]
    if code in _FIXED and len(signature) == 1:
        return _fixed(code, endian)
    if code in "sog" and len(signature) == 1:
        return _text(code, endian)
    if code == "v" and len(signature) == 1:
        return _variant(endian)
    if code == "a":
        return _array(signature[1:], endian)
    if code == "(" and len(signature) > 2:
        return _struct(signature[1:-1], endian)
    raise WireError(f"an unknown type: {signature!r}")


@lru_cache(maxsize=256)
def _body(signature: str, endian: str) -> list[Parse]:
    return [_single(code, endian) for code in _split(signature)]


def message_length(data: bytes | bytearray) -> int | None:
    """The whole length of the message at the start of `data`; None while its fixed header
    has not all come."""
    if len(data) < HEADER:
        return None
    endian = _ENDIAN.get(data[0])
    if endian is None or data[3] != 1:
        raise WireError("not a D-Bus message")
    body, _, fields = struct.unpack_from(endian + "III", data, 4)
    length = HEADER + fields + -fields % 8 + body
    if length > MAX_MESSAGE:
        raise WireError("a message longer than D-Bus allows")
    return length


def _header(data: bytes, end: int, endian: str) -> tuple[dict[int, Any], int]:
    """The header fields by code (ending at `end`), and where the body starts."""
    word = _WORD[endian]
    found: dict[int, Any] = {}
    at = HEADER
    while at < end:
        at += -at % 8
        code, simple, kind = data[at], data[at + 1] == 1 and data[at + 3] == 0, data[at + 2]
        if simple and kind in _STRINGS:  # the usual fields, read in place
            start = at + 8
            stop = start + word.unpack_from(data, at + 4)[0]
            if data[stop]:
                raise WireError("a header field lacks its nul")
            found[code], at = data[start:stop].decode(), stop + 1
        elif simple and kind == _SIGNATURE:
            stop = at + 5 + data[at + 4]
            if data[stop]:
                raise WireError("a header field lacks its nul")
            found[code], at = data[at + 5 : stop].decode(), stop + 1
        elif simple and kind == _UINT32:
            found[code], at = word.unpack_from(data, at + 4)[0], at + 8
        else:
            (_, found[code]), at = _single("v", endian)(data, at + 1)
    if at != end:
        raise WireError("header fields overrun their length")
    return found, at + -at % 8


def parse_message(data: bytes) -> Received:
    """The message that is the whole of `data`; WireError when it breaks the format."""
    try:
        length = message_length(data)
        if length is None or length != len(data):
            raise WireError("a message of the wrong length")
        endian = _ENDIAN[data[0]]
        end = HEADER + struct.unpack_from(endian + "I", data, 12)[0]
        header, at = _header(data, end, endian)
        body = []
        for parse_one in _body(str(header.get(SIGNATURE, "")), endian):
            value, at = parse_one(data, at)
            body.append(value)
        if at != len(data):
            raise WireError("a body of another length than its signature's")
        reply = header.get(REPLY_SERIAL)
        return Received(data[1], reply, str(header.get(ERROR_NAME, "")), tuple(body))
    except (struct.error, IndexError, UnicodeDecodeError, RecursionError, TypeError) as error:
        raise WireError(f"a malformed message: {error}") from None
