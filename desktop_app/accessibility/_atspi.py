"""The focused item, the item at a point and the active window's tree on Linux: AT-SPI over
D-Bus with jeepney (no PyGObject).

Iris's own application is never asked: its Qt bridge answers on Iris's GUI thread, which waits
here while we ask."""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass
from typing import Any

from desktop_app.accessibility import _atspi_roles as roles
from desktop_app.accessibility._atspi_bus import (
    DBUS,
    Bus,
    Call,
    CallError,
    Ref,
    Result,
    with_bus,
)
from desktop_app.accessibility._atspi_reader import (
    ACCESSIBLE,
    COMPONENT,
    NULL_PATH,
    PROPERTIES,
    SCREEN,
    Reader,
)
from desktop_app.core import messages
from desktop_app.core.accessible import (
    TREE_TIME_LIMIT_S,
    AccessibleItem,
    AccessibleNode,
    AccessibleTree,
    Role,
)
from desktop_app.core.errors import AccessibilityError
from desktop_app.core.types import Rect

REGISTRY: Ref = ("org.a11y.atspi.Registry", "/org/a11y/atspi/accessible/root")
APPLICATION_PATH = "/org/a11y/atspi/accessible/root"
COLLECTION = "org.a11y.atspi.Collection"
MATCH_ALL, SORT_CANONICAL = 1, 1
MAX_DEPTH = 64
"""Containers climbed or descended at most (a guard against cycles)."""
ITEM_TIME_S = 0.5
"""The longest reading one item and its containers may take."""


@dataclass(frozen=True)
class Window:
    """A top-level object of an application, and its states."""

    ref: Ref
    application: Ref
    bits: frozenset[int]


def focused_item() -> AccessibleItem | None:
    """The object with the FOCUSED state in the active window; None when there is none."""
    return with_bus(_focused_item)


def item_at(x: int, y: int) -> AccessibleItem | None:
    """The deepest object at screen pixel (x, y) in the showing window there (the active one
    first); None when no window there is on the bus."""
    return with_bus(lambda bus: _item_at(bus, x, y))


def active_window_tree(time_limit_s: float, node_limit: int) -> AccessibleTree | None:
    """The active window's showing objects in document order, read for at most `time_limit_s`
    and `node_limit` objects (then `truncated`); None when no window is active."""
    return with_bus(lambda bus: _tree(bus, time.monotonic(), time_limit_s, node_limit))


# -- applications and windows --------------------------------------------------------------------
def _body(result: Result | None) -> tuple[Any, ...] | None:
    return None if result is None or isinstance(result, CallError) else result


def applications(bus: Bus) -> list[Ref]:
    """The applications on the bus, but this process's own."""
    try:
        (found,) = bus.call(Call(REGISTRY, ACCESSIBLE, "GetChildren"))
    except CallError:
        raise AccessibilityError(
            messages.ACCESSIBILITY_UNAVAILABLE.format(reason=messages.ATSPI_NO_REGISTRY)
        ) from None
    apps = [(str(name), str(path)) for name, path in found if path != NULL_PATH]
    unknown = sorted({name for name, _ in apps} - bus.pids.keys())
    ask = Call(DBUS, "org.freedesktop.DBus", "GetConnectionUnixProcessID", "s")
    pids = bus.call_all([dataclasses.replace(ask, body=(name,)) for name in unknown])
    for name, result in zip(unknown, pids, strict=True):
        body = _body(result)
        bus.pids[name] = int(str(body[0])) if body else None
    return [app for app in apps if bus.pids.get(app[0]) != os.getpid()]


def windows(bus: Bus) -> list[Window]:
    """Every application's top-level objects, with their states."""
    apps = applications(bus)
    children = bus.call_all([Call(app, ACCESSIBLE, "GetChildren") for app in apps])
    found: list[tuple[Ref, Ref]] = []
    for app, reply in zip(apps, children, strict=True):
        body = _body(reply)
        refs = body[0] if body else []
        found += [(app, (str(n), str(p))) for n, p in refs if p != NULL_PATH]
    states = bus.call_all([Call(ref, ACCESSIBLE, "GetState") for _, ref in found])
    tops: list[Window] = []
    for (app, ref), state in zip(found, states, strict=True):
        body = _body(state)
        if body is not None:
            tops.append(Window(ref, app, roles.state_bits(body[0])))
    return tops


def _active(found: list[Window]) -> Window | None:
    active = [window for window in found if roles.ACTIVE in window.bits]
    showing = [window for window in active if roles.SHOWING in window.bits]
    return next(iter(showing or active), None)


def _application_name(bus: Bus, app: Ref) -> str:
    try:
        (variant,) = bus.call(Call(app, PROPERTIES, "Get", "ss", (ACCESSIBLE, "Name")))
    except (CallError, TimeoutError):
        return ""
    return str(variant[1])


def _as_window(node: AccessibleNode) -> AccessibleNode:
    """A top-level object as a window (Qt gives a plain QWidget window the role "filler")."""
    if node.role in (Role.WINDOW, Role.DIALOG):
        return node
    return dataclasses.replace(node, role=Role.WINDOW, role_name="")


# -- the focused item, the item at a point ---------------------------------------------------
def _focused_item(bus: Bus) -> AccessibleItem | None:
    window = _active(windows(bus))
    if window is None:
        return None
    try:
        found = _focused_below(bus, window.ref)
    except CallError:  # no Collection: walk the window
        return _focused_by_walking(bus, window)
    if found is None:
        return None
    # Qt marks a list focused and its current item too: the item is the one inside
    for _ in range(MAX_DEPTH):
        try:
            deeper = _focused_below(bus, found)
        except CallError:
            break
        if deeper is None or deeper == found:
            break
        found = deeper
    return _item(bus, window, _climb(bus, window.ref, found))


def _focused_below(bus: Bus, ref: Ref) -> Ref | None:
    """The first object inside `ref` with the FOCUSED state (Collection.GetMatches)."""
    rule: tuple[Any, ...] = (
        roles.state_words(roles.FOCUSED), MATCH_ALL, {}, MATCH_ALL, [], MATCH_ALL, [],
        MATCH_ALL, False,
    )  # fmt: skip
    call = Call(
        ref, COLLECTION, "GetMatches", "(aiia{ss}iaiiasib)uib", (rule, SORT_CANONICAL, 1, True)
    )
    (found,) = bus.call(call)
    matches = [(str(n), str(p)) for n, p in found if p != NULL_PATH]
    return matches[0] if matches else None


def _focused_by_walking(bus: Bus, window: Window) -> AccessibleItem | None:
    reader = Reader(bus, time.monotonic() + TREE_TIME_LIMIT_S)
    reader.add(window.ref, walk=True)
    reader.run()
    for record in reader.in_order():
        if record.bits is not None and roles.FOCUSED in record.bits and record.depth > 0:
            path = []
            index: int | None = record.index
            while index is not None:
                path.append(reader.records[index].ref)
                index = reader.records[index].parent
            return _item(bus, window, path[::-1])
    return None


def _climb(bus: Bus, window: Ref, ref: Ref) -> list[Ref]:
    """`ref` and its containers up to `window` (or its top-level object), outermost first."""
    path = [ref]
    for _ in range(MAX_DEPTH):
        try:
            (variant,) = bus.call(Call(path[-1], PROPERTIES, "Get", "ss", (ACCESSIBLE, "Parent")))
        except CallError:
            break
        parent = (str(variant[1][0]), str(variant[1][1]))
        if parent[1] in (NULL_PATH, APPLICATION_PATH) or parent in path:
            break
        path.append(parent)
        if parent == window:
            break
    return path[::-1]


def _item_at(bus: Bus, x: int, y: int) -> AccessibleItem | None:
    found = [window for window in windows(bus) if roles.SHOWING in window.bits]
    active = _active(found)
    if active is not None:
        found = [active, *(window for window in found if window != active)]
    places = bus.call_all([Call(w.ref, COMPONENT, "GetExtents", "u", (SCREEN,)) for w in found])
    for window, place in zip(found, places, strict=True):
        body = _body(place)
        if body is None:
            continue
        left, top, width, height = (int(number) for number in body[0])
        if width > 0 and height > 0 and Rect(left, top, width, height).contains(x, y):
            return _item(bus, window, _descend(bus, window.ref, x, y))
    return None


def _descend(bus: Bus, window: Ref, x: int, y: int) -> list[Ref]:
    """`window` and the objects at (x, y) inside it, each inside the one before."""
    path = [window]
    for _ in range(MAX_DEPTH):
        call = Call(path[-1], COMPONENT, "GetAccessibleAtPoint", "iiu", (x, y, SCREEN))
        try:
            ((name, object_path),) = bus.call(call)
        except CallError:
            break
        child = (str(name), str(object_path))
        if not child[0] or child[1] == NULL_PATH or child in path:
            break
        path.append(child)
    return path


def _item(bus: Bus, window: Window, path: list[Ref]) -> AccessibleItem:
    """The item at the end of `path` (the top-level object first), with its containers."""
    reader = Reader(bus, time.monotonic() + ITEM_TIME_S)
    for depth, ref in enumerate(path):
        reader.add(ref, depth)
    reader.run()
    nodes = [record.node() for record in reader.records]
    return AccessibleItem(
        node=nodes[-1], window=_as_window(nodes[0]), ancestors=tuple(nodes[1:-1]),
        application=_application_name(bus, window.application),
    )  # fmt: skip


# -- the active window's tree ----------------------------------------------------------------
def _tree(bus: Bus, started: float, time_limit_s: float, node_limit: int) -> AccessibleTree | None:
    window = _active(windows(bus))
    if window is None:
        return None
    application = _application_name(bus, window.application)
    reader = Reader(bus, started + time_limit_s, node_limit)
    reader.add(window.ref, walk=True)
    reader.run()
    read = reader.in_order()
    top = read[0].node() if read and read[0].index == 0 else AccessibleNode(Role.WINDOW)
    return AccessibleTree(
        window=_as_window(top), nodes=tuple(record.node() for record in read[1:]),
        truncated=reader.truncated, elapsed_s=time.monotonic() - started,
        application=application,
    )  # fmt: skip
