"""Reading many accessible objects at once: calls in flight together (up to IN_FLIGHT), each
reply handled as it comes, until all are read or the deadline passes.

An object is read in two steps: its states and child count, then, if it is showing, its role,
name, description and place (and text or value, by role) and, when walking, its children.
The objects found first (nearest the window) are read first, and a long list of children is
asked for a chunk at a time, so that one list of thousands does not hold up the rest."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from desktop_app.accessibility import _atspi_roles as roles
from desktop_app.accessibility._atspi_bus import Bus, Call, CallError, Ref, Result
from desktop_app.core.accessible import AccessibleNode, Role
from desktop_app.core.types import Rect

ACCESSIBLE = "org.a11y.atspi.Accessible"
COMPONENT = "org.a11y.atspi.Component"
PROPERTIES = "org.freedesktop.DBus.Properties"
TEXT = "org.a11y.atspi.Text"
VALUE = "org.a11y.atspi.Value"
NULL_PATH = "/org/a11y/atspi/null"
"""The path AT-SPI gives for no object."""
SCREEN = 0
"""Component coordinates relative to the screen."""
TEXT_LIMIT = 500
"""Characters of a text field's or terminal's text read."""
IN_FLIGHT = 32
"""Calls sent and not yet answered, at most: enough to keep the program busy, few enough that
it is soon free again when reading stops at the deadline (measured on 2,000-label GTK and Qt
windows: 32 reads a quarter more than 16 in 150 ms; 64, little more)."""
CHUNK = 32
"""Children asked for one by one, a chunk at a time, when there are more than this (one
`GetChildren` of 2,000 holds a Qt application up for longer than a whole reading may take)."""


@dataclass(eq=False)
class Record:
    """What has come back about one object so far."""

    index: int
    ref: Ref
    depth: int
    parent: int | None
    walk: bool
    bits: frozenset[int] | None = None
    count: int | None = None
    """How many children it has (when walking)."""
    role: int | None = None
    role_name: str = ""
    name: str = ""
    description: str = ""
    extents: tuple[int, int, int, int] | None = None
    value: str = ""
    kids: dict[int, int] = field(default_factory=dict)
    """Its children's records by their place among its children."""
    asked_children: int = 0
    """Children asked for so far."""
    missing: int = 0
    """Replies about itself still to come."""
    missing_children: int = 0
    """Replies naming its children still to come."""
    second: bool = False
    """Its role, name and place have been asked for."""

    @property
    def showing(self) -> bool:
        return self.bits is not None and roles.SHOWING in self.bits

    @property
    def done(self) -> bool:
        return self.second and self.missing == 0

    def node(self) -> AccessibleNode:
        """The object as Iris tells it."""
        role = roles.role_of(self.role) if self.role is not None else Role.OTHER
        rect = None
        if self.extents is not None and self.extents[2] > 0 and self.extents[3] > 0:
            rect = Rect(*self.extents)
        return AccessibleNode(
            role=role, name=self.name, rect=rect, states=roles.states_of(self.bits or frozenset()),
            value=self.value, description=self.description,
            role_name=self.role_name if role is Role.OTHER else "", depth=self.depth,
        )  # fmt: skip


Handler = Callable[[Record, Any], None]


def _variant(body: tuple[Any, ...]) -> Any:
    """The value of a `Properties.Get` reply: ((signature, value),)."""
    return body[0][1]


def _refs(found: Any) -> list[Ref]:
    return [(str(bus), str(path)) for bus, path in found]


class Reader:
    """Reads objects added with `add` (and, when walking, their showing descendants) with many
    calls in flight; `run` until done or `deadline` (time.monotonic)."""

    def __init__(self, bus: Bus, deadline: float, node_limit: int = 1 << 30) -> None:
        self.bus = bus
        self.deadline = deadline
        self.node_limit = node_limit
        self.records: list[Record] = []
        self.truncated = False
        """Reading stopped at the deadline or the node limit."""
        self._queue: list[tuple[int, int, int, bool, Call, Handler]] = []
        """Calls to send: a heap, the earliest-found object's first, then in the order asked."""
        self._asked = itertools.count()
        self._handlers: dict[int, tuple[int, bool, Handler]] = {}

    def add(self, ref: Ref, depth: int = 0, parent: int | None = None, walk: bool = False) -> int:
        """Read `ref` (and its showing descendants if `walk`); its record's index."""
        record = Record(len(self.records), ref, depth, parent, walk)
        self.records.append(record)
        self._ask(record, Call(ref, ACCESSIBLE, "GetState"), self._on_state)
        if self._whole(record):  # name, description and child count in one call
            self._ask(record, Call(ref, PROPERTIES, "GetAll", "s", (ACCESSIBLE,)), self._on_all)
        elif walk:
            self._ask_count(record)
        if not walk:
            self._second(record)
        return record.index

    def run(self) -> None:
        """Handle replies, sending more calls as they come, until nothing is left to read or
        the deadline passes (then `truncated`)."""
        while self._handlers or self._queue:
            room = min(IN_FLIGHT - len(self._handlers), len(self._queue))
            if room > 0:
                batch = [heapq.heappop(self._queue) for _ in range(room)]
                serials = self.bus.start([entry[4] for entry in batch])
                for serial, (_, _, index, own, _, handler) in zip(serials, batch, strict=True):
                    self._handlers[serial] = (index, own, handler)
            got = self.bus.collect(self.deadline)
            if got is None:
                self.truncated = True
                return
            while got is not None:  # every reply come so far, then the next calls in one write
                self._handle(*got)
                got = self.bus.collect(self.deadline, wait=False)

    def _handle(self, serial: int, result: Result) -> None:
        index, own, handler = self._handlers.pop(serial)
        record = self.records[index]
        if own:
            record.missing -= 1
        else:
            record.missing_children -= 1
        handler(record, result)

    def in_order(self) -> list[Record]:
        """The read, showing records (the first added, then its descendants), in document
        order."""
        found: list[Record] = []
        stack = [0] if self.records else []
        while stack:
            record = self.records[stack.pop()]
            if record.done and (record.showing or not record.walk):
                found.append(record)
                stack.extend(record.kids[place] for place in sorted(record.kids, reverse=True))
        return found

    # -- asking ------------------------------------------------------------------------------
    def _ask(
        self, record: Record, call: Call, handler: Handler, key: int | None = None,
        own: bool = True,
    ) -> None:  # fmt: skip
        """Queue `call` about `record` (`own`) or its children; sent before the calls of
        objects found later than `key` (by default `record`)."""
        if own:
            record.missing += 1
        else:
            record.missing_children += 1
        entry = (record.index if key is None else key, next(self._asked), record.index, own)
        heapq.heappush(self._queue, (*entry, call, handler))

    def _whole(self, record: Record) -> bool:
        return self.bus.whole_properties.get(record.ref[0], True)

    def _ask_count(self, record: Record) -> None:
        call = Call(record.ref, PROPERTIES, "Get", "ss", (ACCESSIBLE, "ChildCount"))
        self._ask(record, call, self._on_count)

    def _second(self, record: Record) -> None:
        """Ask for what is worth knowing of a showing object."""
        record.second = True
        ref = record.ref
        self._ask(record, Call(ref, ACCESSIBLE, "GetRole"), self._on_role)
        self._ask(record, Call(ref, COMPONENT, "GetExtents", "u", (SCREEN,)), self._on_extents)
        if not self._whole(record):
            self._ask_properties(record)

    def _ask_properties(self, record: Record) -> None:
        """Name and description one by one (where `GetAll` is not answered)."""
        ref = record.ref
        self._ask(record, Call(ref, PROPERTIES, "Get", "ss", (ACCESSIBLE, "Name")), self._on_name)
        call = Call(ref, PROPERTIES, "Get", "ss", (ACCESSIBLE, "Description"))
        self._ask(record, call, self._on_description)

    def _walk_on(self, record: Record) -> None:
        """Once its states and child count are known, a showing object is read and its
        children asked for."""
        if record.second or record.count is None or not record.showing:
            return
        self._second(record)
        if record.count <= CHUNK:
            record.asked_children = record.count
            if record.count:
                call = Call(record.ref, ACCESSIBLE, "GetChildren")
                self._ask(record, call, self._on_children, own=False)
        else:
            self._ask_chunk(record)

    def _ask_chunk(self, record: Record) -> None:
        """The next CHUNK children, one by one, after the objects found so far."""
        count = record.count or 0
        start, record.asked_children = (
            record.asked_children,
            min(count, record.asked_children + CHUNK),
        )
        for place in range(start, record.asked_children):
            call = Call(record.ref, ACCESSIBLE, "GetChildAtIndex", "i", (place,))
            self._ask(record, call, self._child_at(place), key=len(self.records), own=False)

    def _adopt(self, record: Record, place: int, child: Ref) -> None:
        if child[1] == NULL_PATH or not child[0]:
            return
        if len(self.records) > self.node_limit:  # the first record is the window
            self.truncated = True
            return
        record.kids[place] = self.add(child, record.depth + 1, record.index, walk=True)

    # -- replies -----------------------------------------------------------------------------
    def _on_state(self, record: Record, result: Result) -> None:
        record.bits = frozenset() if isinstance(result, CallError) else roles.state_bits(result[0])
        if record.walk:
            self._walk_on(record)

    def _on_count(self, record: Record, result: Result) -> None:
        record.count = 0 if isinstance(result, CallError) else int(_variant(result))
        self._walk_on(record)

    def _on_children(self, record: Record, result: Result) -> None:
        if not isinstance(result, CallError):
            for place, child in enumerate(_refs(result[0])):
                self._adopt(record, place, child)

    def _child_at(self, place: int) -> Handler:
        def handle(record: Record, result: Result) -> None:
            if not isinstance(result, CallError):
                self._adopt(record, place, _refs(result)[0])
            if record.missing_children == 0 and record.asked_children < (record.count or 0):
                self._ask_chunk(record)

        return handle

    def _on_all(self, record: Record, result: Result) -> None:
        if isinstance(result, CallError):  # Qt: each property alone
            self.bus.whole_properties[record.ref[0]] = False
            if record.walk:
                self._ask_count(record)
            if record.second:
                self._ask_properties(record)
            return
        self.bus.whole_properties[record.ref[0]] = True
        found = result[0]
        record.name = str(found.get("Name", ("s", ""))[1])
        record.description = str(found.get("Description", ("s", ""))[1])
        if record.walk:
            record.count = int(found.get("ChildCount", ("i", 0))[1])
            self._walk_on(record)

    def _on_role(self, record: Record, result: Result) -> None:
        if isinstance(result, CallError):
            return
        record.role = int(result[0])
        if record.role not in roles.ROLES:
            self._ask(record, Call(record.ref, ACCESSIBLE, "GetRoleName"), self._on_role_name)
        if record.role in roles.TEXT_ROLES:
            call = Call(record.ref, TEXT, "GetText", "ii", (0, TEXT_LIMIT))
            self._ask(record, call, self._on_text)
        elif record.role in roles.VALUE_ROLES:
            call = Call(record.ref, PROPERTIES, "Get", "ss", (VALUE, "CurrentValue"))
            self._ask(record, call, self._on_value)

    def _on_role_name(self, record: Record, result: Result) -> None:
        if not isinstance(result, CallError):
            record.role_name = str(result[0])

    def _on_extents(self, record: Record, result: Result) -> None:
        if not isinstance(result, CallError):
            x, y, width, height = (int(number) for number in result[0])
            record.extents = (x, y, width, height)

    def _on_name(self, record: Record, result: Result) -> None:
        if not isinstance(result, CallError):
            record.name = str(_variant(result))

    def _on_description(self, record: Record, result: Result) -> None:
        if not isinstance(result, CallError):
            record.description = str(_variant(result))

    def _on_text(self, record: Record, result: Result) -> None:
        if not isinstance(result, CallError):
            record.value = str(result[0])[:TEXT_LIMIT]

    def _on_value(self, record: Record, result: Result) -> None:
        if not isinstance(result, CallError):
            record.value = f"{float(_variant(result)):g}"
