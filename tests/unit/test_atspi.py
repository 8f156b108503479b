"""The AT-SPI client without a bus: roles and states, the pipelined reader on a fake
connection (calls in flight, the time and node limits), the connection's cache."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from jeepney import HeaderFields, new_error, new_method_return
from jeepney.low_level import Message, Parser

from desktop_app.accessibility import _atspi, _atspi_bus, _atspi_reader, _atspi_wire
from desktop_app.accessibility import _atspi_roles as roles
from desktop_app.core import messages
from desktop_app.core.accessible import AccessibleItem, Role, State
from desktop_app.core.errors import AccessibilityError
from desktop_app.core.types import Rect

SHOWN = (roles.SHOWING, roles.ENABLED, roles.SENSITIVE)


@dataclass
class Obj:
    """An object of the fake application."""

    role: int
    name: str = ""
    bits: tuple[int, ...] = SHOWN
    children: list[str] = field(default_factory=list)
    extents: tuple[int, int, int, int] = (10, 20, 30, 40)
    parent: str = ""
    text: str = ""


class FakeLink:
    """A bus with one application ("app", `objects` by path) and the registry; answers each
    call when the reader next receives, and notes how many calls were in flight. Calls and
    replies go through the wire: ours read by jeepney, jeepney's replies read by ours."""

    def __init__(self, objects: dict[str, Obj], whole: bool = True, pid: int = 1) -> None:
        self.objects = objects
        self.whole = whole
        self.pids = {":1.5": pid}
        self.replies: deque[_atspi_wire.Received] = deque()
        self.serial = 0
        self.in_flight = 0
        self.most_in_flight = 0
        self.asked: list[tuple[str, str, str]] = []
        self.clock: list[float] | None = None
        """When set, each reply advances this fake clock by 1 ms."""
        self.broken = False

    def send(self, batch: Sequence[_atspi_bus.Call]) -> list[int]:
        if self.broken:
            raise ConnectionResetError("gone")
        serials = []
        for call in batch:
            self.serial += 1
            parser = Parser()
            parser.add_data(call.wire(self.serial))
            message = parser.get_next_message()
            assert message is not None
            serials.append(self.serial)
            answer = self._answer(message).serialise(serial=1000 + self.serial)
            self.replies.append(_atspi_wire.parse_message(answer))
        self.in_flight += len(batch)
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        return serials

    def receive(self, timeout: float) -> _atspi_wire.Received:
        if not self.replies:
            raise TimeoutError
        self.in_flight -= 1
        if self.clock is not None:
            self.clock[0] += 0.001
        return self.replies.popleft()

    def close(self) -> None:
        pass

    def _answer(self, message: Message) -> Message:
        fields = message.header.fields
        bus, path = fields.get(HeaderFields.destination), fields[HeaderFields.path]
        interface, method = fields.get(HeaderFields.interface), fields[HeaderFields.member]
        self.asked.append((str(bus), str(path), str(method)))
        body = message.body
        if method == "Hello":
            return new_method_return(message, "s", (":me",))
        if method == "GetConnectionUnixProcessID":
            return new_method_return(message, "u", (self.pids.get(body[0], 1),))
        if bus == "org.a11y.atspi.Registry":
            return new_method_return(message, "a(so)", ([(name, "/root") for name in self.pids],))
        if path == "/root" and method == "Get":
            return new_method_return(message, "v", (("s", "App"),))
        if path == "/root":
            return new_method_return(message, "a(so)", ([(":1.5", "/w")],))
        obj = self.objects[path]
        if method == "GetState":
            return new_method_return(message, "au", (roles.state_words(*obj.bits),))
        if method == "GetRole":
            return new_method_return(message, "u", (obj.role,))
        if method == "GetRoleName":
            return new_method_return(message, "s", (f"role {obj.role}",))
        if method == "GetExtents":
            return new_method_return(message, "(iiii)", (obj.extents,))
        if method == "GetChildren":
            return new_method_return(message, "a(so)", ([(":1.5", c) for c in obj.children],))
        if method == "GetChildAtIndex":
            return new_method_return(message, "(so)", ((":1.5", obj.children[body[0]]),))
        if method == "GetText":
            return new_method_return(message, "s", (obj.text[body[0] : body[1]],))
        if method == "GetAll":
            if not self.whole:
                return new_error(message, "org.freedesktop.DBus.Error.UnknownMethod")
            found = {"Name": ("s", obj.name), "Description": ("s", ""),
                     "ChildCount": ("i", len(obj.children))}  # fmt: skip
            return new_method_return(message, "a{sv}", (found,))
        if method == "Get":
            values = {"Name": ("s", obj.name), "Description": ("s", ""),
                      "ChildCount": ("i", len(obj.children)),
                      "Parent": ("(so)", (":1.5", obj.parent or "/root"))}  # fmt: skip
            return new_method_return(message, "v", (values[body[1]],))
        if method == "GetMatches" and interface == _atspi.COLLECTION:
            focused = [p for p, o in self.objects.items() if roles.FOCUSED in o.bits and p != path]
            under = [p for p in focused if self._inside(p, str(path))]
            return new_method_return(message, "a(so)", ([(":1.5", p) for p in under[:1]],))
        return new_error(message, "org.freedesktop.DBus.Error.UnknownMethod")

    def _inside(self, path: str, ancestor: str) -> bool:
        while path:
            path = self.objects[path].parent
            if path == ancestor:
                return True
        return False


def _window(leaves: int = 3, **extra: Obj) -> dict[str, Obj]:
    """A window with a panel of `leaves` labels, plus `extra` objects in the panel."""
    names = [f"/l{i}" for i in range(leaves)] + list(extra)
    objects = {
        "/w": Obj(23, "Window", (roles.ACTIVE, *SHOWN), ["/p"], (0, 0, 800, 600)),
        "/p": Obj(39, "", SHOWN, names, parent="/w"),
    }
    for index, path in enumerate(names[:leaves]):
        objects[path] = Obj(29, f"Label {index}", parent="/p")
    for path, obj in extra.items():
        obj.parent = "/p"
        objects[path] = obj
    return objects


def _bus(link: FakeLink) -> _atspi_bus.Bus:
    return _atspi_bus.Bus(link)


# -- roles and states ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("number", "role"),
    [(43, Role.BUTTON), (27, Role.IMAGE), (32, Role.LIST_ITEM), (79, Role.TEXT_FIELD),
     (23, Role.WINDOW), (62, Role.TOGGLE_BUTTON), (91, Role.TREE_ITEM), (60, Role.TERMINAL),
     (20, Role.OTHER), (74, Role.OTHER), (999, Role.OTHER)],
)  # fmt: skip
def test_roles(number: int, role: Role) -> None:
    assert roles.role_of(number) is role


def test_state_bits_decode_both_words() -> None:
    # an active frame, as GTK reports it; READ_ONLY is bit 11 of the second word
    assert roles.state_bits([1126170882, 0]) == {1, 8, 21, 24, 25, 30}
    assert roles.state_bits([0, 2048]) == {roles.READ_ONLY}
    assert roles.state_words(roles.FOCUSED, roles.READ_ONLY) == [1 << 12, 1 << 11]
    assert roles.state_bits(roles.state_words(3, 36, 43)) == {3, 36, 43}


def test_states_in_iris_words() -> None:
    usable = {roles.SENSITIVE, roles.ENABLED}
    assert roles.states_of(frozenset(usable)) == frozenset()
    assert roles.states_of(frozenset({*usable, roles.FOCUSED, roles.CHECKED})) == {
        State.FOCUSED, State.CHECKED,
    }  # fmt: skip
    assert roles.states_of(frozenset({*usable, roles.EXPANDABLE})) == {State.COLLAPSED}
    assert roles.states_of(frozenset({*usable, roles.EXPANDABLE, roles.EXPANDED})) == {
        State.EXPANDED
    }
    assert State.UNAVAILABLE in roles.states_of(frozenset({roles.SHOWING}))
    everything = {roles.PRESSED, roles.SELECTED, roles.READ_ONLY, roles.REQUIRED,
                  roles.INVALID_ENTRY, roles.BUSY}  # fmt: skip
    assert roles.states_of(frozenset(usable | everything)) == {
        State.PRESSED, State.SELECTED, State.READ_ONLY, State.REQUIRED, State.INVALID, State.BUSY,
    }  # fmt: skip


# -- the reader ----------------------------------------------------------------------------------
def _read(link: FakeLink, limit_s: float = 5.0, node_limit: int = 5000) -> _atspi_reader.Reader:
    import time

    reader = _atspi_reader.Reader(_bus(link), time.monotonic() + limit_s, node_limit)
    reader.add((":1.5", "/w"), walk=True)
    reader.run()
    return reader


@pytest.mark.parametrize("whole", [True, False], ids=["GetAll (GTK)", "Get (Qt)"])
def test_tree_in_document_order_with_calls_in_flight(whole: bool) -> None:
    objects = _window(
        3,
        **{"/hidden": Obj(43, "Hidden", (), ["/under"]), "/e": Obj(79, "Entry", text="x" * 900),
           "/odd": Obj(74, "Ruler"), "/flat": Obj(43, "Flat", extents=(5, 5, 0, 0))},
    )  # fmt: skip
    objects["/under"] = Obj(43, "Under hidden", parent="/hidden")
    link = FakeLink(objects, whole=whole)
    reader = _read(link)
    nodes = [record.node() for record in reader.in_order()]
    assert not reader.truncated
    assert [node.name for node in nodes] == [
        "Window", "", "Label 0", "Label 1", "Label 2", "Entry", "Ruler", "Flat",
    ]  # fmt: skip
    assert [node.depth for node in nodes] == [0, 1, 2, 2, 2, 2, 2, 2]
    assert nodes[2].role is Role.LABEL and nodes[2].rect == Rect(10, 20, 30, 40)
    assert nodes[5].value == "x" * _atspi_reader.TEXT_LIMIT
    assert nodes[6].role is Role.OTHER and nodes[6].role_name == "role 74"
    assert nodes[7].rect is None
    # a hidden object's subtree is never walked
    assert not any(path == "/under" for _, path, _ in link.asked)
    assert 1 < link.most_in_flight <= _atspi_reader.IN_FLIGHT


def test_long_child_lists_come_a_chunk_at_a_time() -> None:
    count = _atspi_reader.CHUNK * 3 + 5
    link = FakeLink(_window(count))
    reader = _read(link)
    names = [record.name for record in reader.in_order()]
    assert names[2:] == [f"Label {i}" for i in range(count)]
    assert sum(method == "GetChildAtIndex" for _, _, method in link.asked) == count
    assert not any(path == "/p" and m == "GetChildren" for _, path, m in link.asked)


def test_node_limit_cuts_the_tree() -> None:
    link = FakeLink(_window(20))
    reader = _read(link, node_limit=10)
    assert reader.truncated
    assert 1 <= len(reader.in_order()) - 1 <= 10


def test_time_limit_cuts_the_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    link = FakeLink(_window(300))
    link.clock = clock
    monkeypatch.setattr(_atspi_bus.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(_atspi_reader, "IN_FLIGHT", 4)
    reader = _atspi_reader.Reader(_bus(link), clock[0] + 0.150)
    reader.add((":1.5", "/w"), walk=True)
    reader.run()
    assert reader.truncated
    assert clock[0] == pytest.approx(1000.150, abs=0.002)
    read = reader.in_order()
    assert read[0].name == "Window" and 10 < len(read) < 300
    assert len(link.asked) < 200  # stopped asking, not only stopped waiting


# -- the public functions on the fake bus --------------------------------------------------------
def _with_fake(monkeypatch: pytest.MonkeyPatch, link: FakeLink) -> None:
    monkeypatch.setattr(_atspi_bus, "_cached", {})
    monkeypatch.setattr(_atspi_bus, "connect", lambda: _bus(link))

    def run(task: Any, connector: Any = None) -> Any:
        return task(_bus(link))

    monkeypatch.setattr(_atspi, "with_bus", run)


def test_focused_item_with_its_containers(monkeypatch: pytest.MonkeyPatch) -> None:
    objects = _window(2, **{"/b": Obj(43, "Save", (*SHOWN, roles.FOCUSED))})
    link = FakeLink(objects)
    _with_fake(monkeypatch, link)
    item = _atspi.focused_item()
    assert isinstance(item, AccessibleItem)
    assert (item.node.role, item.node.name, item.node.depth) == (Role.BUTTON, "Save", 2)
    assert State.FOCUSED in item.node.states
    assert item.window is not None and item.window.name == "Window"
    assert item.application == "App"
    assert [node.role_name for node in item.ancestors] == ["role 39"]


def test_no_focus_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    _with_fake(monkeypatch, FakeLink(_window(2)))
    assert _atspi.focused_item() is None


def test_own_application_is_never_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    link = FakeLink(_window(2), pid=os.getpid())
    _with_fake(monkeypatch, link)
    assert _atspi.focused_item() is None
    assert _atspi.active_window_tree(0.15, 100) is None
    assert not any(bus == ":1.5" for bus, _, _ in link.asked)


def test_active_window_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    _with_fake(monkeypatch, FakeLink(_window(4)))
    tree = _atspi.active_window_tree(1.0, 100)
    assert tree is not None and not tree.truncated
    assert tree.window.role is Role.WINDOW and tree.window.name == "Window"
    assert [node.name for node in tree.nodes] == ["", "Label 0", "Label 1", "Label 2", "Label 3"]
    assert 0 < tree.elapsed_s < 1.0


# -- the connection ------------------------------------------------------------------------------
def test_no_session_bus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AT_SPI_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/iris-bus")
    with pytest.raises(AccessibilityError) as raised:
        _atspi_bus.connect()
    assert raised.value.message == messages.ACCESSIBILITY_UNAVAILABLE.format(
        reason=messages.ATSPI_NO_SESSION_BUS
    )


def test_broken_connection_is_opened_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_atspi_bus, "_cached", {})
    links = [FakeLink(_window(1)), FakeLink(_window(1))]
    opened: list[FakeLink] = []

    def connector() -> _atspi_bus.Bus:
        opened.append(links[len(opened)])
        return _bus(opened[-1])

    def task(bus: _atspi_bus.Bus) -> int:
        return len(_atspi.applications(bus))

    assert _atspi_bus.with_bus(task, connector) == 1
    assert _atspi_bus.with_bus(task, connector) == 1 and len(opened) == 1  # kept
    links[0].broken = True
    assert _atspi_bus.with_bus(task, connector) == 1 and len(opened) == 2  # reopened
    links[1].broken = True
    links.append(FakeLink(_window(1)))
    links[2].broken = True
    with pytest.raises(AccessibilityError) as raised:  # a fresh one broken too: told
        _atspi_bus.with_bus(task, connector)
    assert messages.ATSPI_LOST in raised.value.message
