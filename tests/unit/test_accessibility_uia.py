"""UI Automation on Windows (accessibility/_uia.py), with a fake comtypes and fake elements:
the mapping from UIA's properties to nodes, the chain up to the window, the bounded walk."""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Iterator
from typing import Any

import pytest

from desktop_app.accessibility import _uia
from desktop_app.accessibility._uia import (
    BOUNDING_RECTANGLE,
    CONTROL_TYPE,
    HEADING_LEVEL,
    IS_DIALOG,
    IS_OFFSCREEN,
    NAME,
    item_from_properties,
    node_from_properties,
    rect_of,
)
from desktop_app.core import messages
from desktop_app.core.accessible import AccessibleNode, Role, State
from desktop_app.core.errors import AccessibilityError
from desktop_app.core.types import Rect

NOT_SUPPORTED = object()
"""What UIA gives for a property of a pattern the element lacks (ReservedNotSupportedValue)."""

BUTTON, CHECK_BOX, EDIT, LIST, LIST_ITEM = 50000, 50002, 50004, 50008, 50007
TEXT, WINDOW, PANE, CUSTOM, RADIO, SLIDER = 50020, 50032, 50033, 50025, 50013, 50015


def _props(
    control_type: int, name: str = "", box: tuple[float, ...] = (), **more: Any
) -> dict[int, Any]:
    found: dict[int, Any] = {CONTROL_TYPE: control_type, NAME: name}
    if box:
        found[BOUNDING_RECTANGLE] = box
    found.update({getattr(_uia, key): value for key, value in more.items()})  # _uia's names
    return found


# --- properties to nodes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("properties", "role", "words"),
    [
        (_props(BUTTON), Role.BUTTON, ""),
        (_props(BUTTON, IS_TOGGLE_PATTERN_AVAILABLE=True), Role.TOGGLE_BUTTON, ""),
        (_props(BUTTON, IS_TOGGLE_PATTERN_AVAILABLE=NOT_SUPPORTED), Role.BUTTON, ""),
        (_props(EDIT), Role.TEXT_FIELD, ""),
        (_props(TEXT), Role.LABEL, ""),
        (_props(TEXT, HEADING_LEVEL=80052), Role.HEADING, ""),
        (_props(TEXT, HEADING_LEVEL=80050), Role.LABEL, ""),  # HeadingLevel_None
        (_props(WINDOW), Role.WINDOW, ""),
        (_props(WINDOW, IS_DIALOG=True), Role.DIALOG, ""),
        (_props(50018), Role.TAB_LIST, ""),
        (_props(50019), Role.TAB, ""),
        (_props(50005), Role.LINK, ""),
        (_props(PANE), Role.GROUP, ""),
        (_props(CUSTOM, LOCALIZED_CONTROL_TYPE="ruler"), Role.OTHER, "ruler"),
        (_props(50001, LOCALIZED_CONTROL_TYPE="calendar"), Role.OTHER, "calendar"),
        ({CONTROL_TYPE: NOT_SUPPORTED}, Role.OTHER, ""),
        ({}, Role.OTHER, ""),
    ],
)
def test_control_types_map_to_roles(properties: dict[int, Any], role: Role, words: str) -> None:
    node = node_from_properties(properties)
    assert (node.role, node.role_name) == (role, words)


@pytest.mark.parametrize(
    ("properties", "states"),
    [
        (_props(BUTTON, HAS_KEYBOARD_FOCUS=True, IS_ENABLED=True), {State.FOCUSED}),
        (_props(BUTTON, IS_ENABLED=False), {State.UNAVAILABLE}),
        (_props(CHECK_BOX, TOGGLE_STATE=1), {State.CHECKED}),
        (_props(CHECK_BOX, TOGGLE_STATE=0), set()),
        (_props(CHECK_BOX, TOGGLE_STATE=2), set()),  # Indeterminate: neither.
        (_props(BUTTON, IS_TOGGLE_PATTERN_AVAILABLE=True, TOGGLE_STATE=1), {State.PRESSED}),
        (_props(LIST_ITEM, SELECTION_ITEM_IS_SELECTED=True), {State.SELECTED}),
        (_props(RADIO, SELECTION_ITEM_IS_SELECTED=True), {State.CHECKED}),
        (_props(50024, EXPAND_COLLAPSE_STATE=0), {State.COLLAPSED}),
        (_props(50024, EXPAND_COLLAPSE_STATE=1), {State.EXPANDED}),
        (_props(50024, EXPAND_COLLAPSE_STATE=2), {State.EXPANDED}),  # Partly expanded.
        (_props(50024, EXPAND_COLLAPSE_STATE=3), set()),  # A leaf.
        (_props(EDIT, VALUE_IS_READ_ONLY=True), {State.READ_ONLY}),
        (_props(50030, VALUE_IS_READ_ONLY=True), set()),  # Documents are read, not edited.
        (
            _props(EDIT, IS_REQUIRED_FOR_FORM=True, IS_DATA_VALID_FOR_FORM=False),
            {State.REQUIRED, State.INVALID},
        ),
        (
            _props(EDIT, IS_DATA_VALID_FOR_FORM=True, SELECTION_ITEM_IS_SELECTED=NOT_SUPPORTED),
            set(),
        ),
    ],
)
def test_properties_map_to_states(properties: dict[int, Any], states: set[State]) -> None:
    assert node_from_properties(properties).states == frozenset(states)


def test_values_names_and_descriptions() -> None:
    edit = node_from_properties(_props(EDIT, " Name ", VALUE_VALUE="Ada", HELP_TEXT="Your name"))
    assert (edit.name, edit.value, edit.description) == ("Name", "Ada", "Your name")
    full = _props(EDIT, HELP_TEXT="short", FULL_DESCRIPTION="The full description")
    assert node_from_properties(full).description == "The full description"
    secret = _props(EDIT, "Password", VALUE_VALUE="hunter2", IS_PASSWORD=True)
    assert node_from_properties(secret).value == ""  # Never a password's text.
    assert node_from_properties(_props(SLIDER, RANGE_VALUE_VALUE=50.0)).value == "50"
    assert node_from_properties(_props(SLIDER, RANGE_VALUE_VALUE=0.25)).value == "0.25"
    assert node_from_properties(_props(SLIDER, RANGE_VALUE_VALUE=NOT_SUPPORTED)).value == ""
    huge = node_from_properties(_props(50030, VALUE_VALUE="word " * 1000))
    assert 0 < len(huge.value) <= 1000


@pytest.mark.parametrize(
    ("properties", "rect"),
    [
        ({BOUNDING_RECTANGLE: (10.0, 20.0, 100.0, 30.0)}, Rect(10, 20, 100, 30)),
        ({BOUNDING_RECTANGLE: (-1920.0, 0.4, 50.6, 10.0)}, Rect(-1920, 0, 51, 10)),
        ({BOUNDING_RECTANGLE: (0.0, 0.0, 0.0, 0.0)}, None),  # UIA's "no place".
        ({BOUNDING_RECTANGLE: (5.0, 5.0, 0.2, 10.0)}, None),
        ({BOUNDING_RECTANGLE: (10.0, 20.0, 100.0, 30.0), IS_OFFSCREEN: True}, None),
        (
            {BOUNDING_RECTANGLE: (10.0, 20.0, 100.0, 30.0), IS_OFFSCREEN: False},
            Rect(10, 20, 100, 30),
        ),
        ({BOUNDING_RECTANGLE: NOT_SUPPORTED}, None),
        ({BOUNDING_RECTANGLE: ("a", 1, 2, 3)}, None),
        ({}, None),
    ],
)
def test_bounding_rectangles(properties: dict[int, Any], rect: Rect | None) -> None:
    assert rect_of(properties) == rect


def test_an_item_from_its_parents_up_to_the_window() -> None:
    button = _props(BUTTON, "OK", (110, 120, 80, 30), HAS_KEYBOARD_FOCUS=True)
    pane = _props(PANE, "", (100, 100, 400, 300))
    window = _props(WINDOW, "Save", (90, 60, 500, 400), IS_DIALOG=True)
    item = item_from_properties(button, [pane, window], "notepad")
    assert item.node == AccessibleNode(
        Role.BUTTON, "OK", Rect(110, 120, 80, 30), frozenset({State.FOCUSED}), depth=2
    )
    assert item.window == AccessibleNode(Role.DIALOG, "Save", Rect(90, 60, 500, 400))
    assert item.ancestors == (AccessibleNode(Role.GROUP, rect=Rect(100, 100, 400, 300), depth=1),)
    assert item.application == "notepad"
    alone = item_from_properties(window, [])
    assert alone.window == alone.node and alone.ancestors == ()


# --- the COM glue, with fake elements ----------------------------------------------------------


class Element:
    """A UI Automation element as comtypes hands it over (a truthy COM pointer)."""

    def __init__(self, properties: dict[int, Any], *children: Element) -> None:
        self.properties = properties
        self.children = list(children)
        self.parent: Element | None = None
        for child in children:
            child.parent = self

    def GetCachedPropertyValue(self, property_id: int) -> Any:
        if property_id not in self.properties:
            return NOT_SUPPORTED
        return self.properties[property_id]

    def sibling(self) -> Element | None:
        if self.parent is None:
            return None
        brothers = self.parent.children
        index = brothers.index(self) + 1
        return brothers[index] if index < len(brothers) else None


class Walker:
    def __init__(self, automation: Automation) -> None:
        self.automation = automation
        self.calls = 0

    def _step(self, found: Element | None) -> Element | None:
        self.calls += 1
        if self.automation.fail_after is not None and self.calls > self.automation.fail_after:
            raise OSError("(-2147220991, 'The element is not available')")
        return found

    def GetParentElementBuildCache(self, element: Element, cache: Any) -> Element | None:
        return self._step(element.parent)

    def GetFirstChildElementBuildCache(self, element: Element, cache: Any) -> Element | None:
        return self._step(element.children[0] if element.children else None)

    def GetNextSiblingElementBuildCache(self, element: Element, cache: Any) -> Element | None:
        return self._step(element.sibling())


class Cache:
    def __init__(self, unknown: set[int]) -> None:
        self.unknown = unknown
        self.added: list[int] = []

    def AddProperty(self, property_id: int) -> None:
        if property_id in self.unknown:
            raise OSError("E_INVALIDARG")  # An older Windows.
        self.added.append(property_id)


class Automation:
    """IUIAutomation over a desktop of fake elements."""

    def __init__(self, root: Element, focused: Element | None = None) -> None:
        self.root = root
        self.focused = focused
        self.fail_after: int | None = None
        self.cache = Cache({IS_DIALOG, HEADING_LEVEL})
        self.ControlViewWalker = Walker(self)
        self.points: list[Any] = []
        self.handles: list[int] = []

    def CreateCacheRequest(self) -> Cache:
        return self.cache

    def GetRootElement(self) -> Element:
        return self.root

    def CompareElements(self, first: Element, second: Element) -> bool:
        return first is second

    def GetFocusedElementBuildCache(self, cache: Cache) -> Element | None:
        assert cache is self.cache
        return self.focused

    def ElementFromPointBuildCache(self, point: Any, cache: Cache) -> Element | None:
        self.points.append(point)
        return self.focused

    def ElementFromHandleBuildCache(self, hwnd: int, cache: Cache) -> Element | None:
        self.handles.append(hwnd)
        return self.root.children[0] if self.root.children else None

    def QueryInterface(self, interface: Any) -> Any:
        raise OSError("E_NOINTERFACE")  # Windows 7: no IUIAutomation2.


def fake_comtypes(monkeypatch: pytest.MonkeyPatch, automation: Automation) -> list[str]:
    """A comtypes whose CreateObject gives `automation`; returns the calls made."""
    calls: list[str] = []
    uia = types.ModuleType("comtypes.gen.UIAutomationClient")
    uia.CUIAutomation = "CUIAutomation"  # type: ignore[attr-defined]
    uia.IUIAutomation = "IUIAutomation"  # type: ignore[attr-defined]
    uia.IUIAutomation2 = "IUIAutomation2"  # type: ignore[attr-defined]
    uia.tagPOINT = lambda x, y: ("POINT", x, y)  # type: ignore[attr-defined]
    gen = types.ModuleType("comtypes.gen")
    gen.UIAutomationClient = uia  # type: ignore[attr-defined]
    client = types.ModuleType("comtypes.client")

    def create_object(clsid: str, interface: str) -> Automation:
        calls.append(f"CreateObject {clsid} {interface}")
        return automation

    client.GetModule = lambda name: calls.append(f"GetModule {name}")  # type: ignore[attr-defined]
    client.CreateObject = create_object  # type: ignore[attr-defined]
    comtypes = types.ModuleType("comtypes")
    comtypes.client = client  # type: ignore[attr-defined]
    comtypes.gen = gen  # type: ignore[attr-defined]
    comtypes.CoInitialize = lambda: calls.append("CoInitialize")  # type: ignore[attr-defined]
    for name, module in (
        ("comtypes", comtypes),
        ("comtypes.client", client),
        ("comtypes.gen", gen),
        ("comtypes.gen.UIAutomationClient", uia),
    ):
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(_uia, "_THREAD", threading.local())
    monkeypatch.setattr(_uia, "_process_name", lambda pid: {42: "notepad"}.get(pid or 0, ""))
    return calls


def _desktop() -> tuple[Element, Element, Element, Element]:
    ok = Element(_props(BUTTON, "OK", (110, 320, 80, 30), HAS_KEYBOARD_FOCUS=True))
    hidden = Element(
        _props(PANE, "Hidden", (0, 0, 10, 10), IS_OFFSCREEN=True), Element(_props(BUTTON, "Ghost"))
    )
    rows = [Element(_props(LIST_ITEM, f"Row {n}", (110, 120 + 20 * n, 300, 20))) for n in range(3)]
    files = Element(_props(LIST, "Files", (100, 110, 400, 200)), *rows)
    window = Element(_props(WINDOW, "Open", (90, 60, 500, 400), PROCESS_ID=42), files, hidden, ok)
    root = Element(_props(PANE, "Desktop", (0, 0, 1920, 1080)), window)
    return root, window, files, ok


@pytest.fixture
def desktop(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Automation, list[str]]]:
    root, _, _, ok = _desktop()
    automation = Automation(root, focused=ok)
    monkeypatch.setattr(_uia, "_foreground_window", lambda: 0x1234)
    yield automation, fake_comtypes(monkeypatch, automation)


def test_focused_item_climbs_to_its_window(desktop: tuple[Automation, list[str]]) -> None:
    automation, calls = desktop
    item = _uia.focused_item()
    assert item is not None
    assert (item.node.role, item.node.name, item.node.states) == (
        Role.BUTTON,
        "OK",
        frozenset({State.FOCUSED}),
    )
    assert item.node.depth == 1
    assert item.window == AccessibleNode(Role.WINDOW, "Open", Rect(90, 60, 500, 400))
    assert item.ancestors == ()
    assert item.application == "notepad"
    assert calls == [
        "CoInitialize",
        "GetModule UIAutomationCore.dll",
        "CreateObject CUIAutomation IUIAutomation",
    ]
    assert IS_DIALOG not in automation.cache.added and NAME in automation.cache.added
    assert _uia.focused_item() is not None
    assert calls.count("CoInitialize") == 1  # One session per thread.


def test_item_at_a_point(desktop: tuple[Automation, list[str]]) -> None:
    automation, _ = desktop
    automation.focused = automation.root.children[0].children[0].children[1]  # Row 1
    item = _uia.item_at(150, 145)
    assert automation.points == [("POINT", 150, 145)]
    assert item is not None
    assert item.node.name == "Row 1" and item.node.depth == 2
    assert [node.name for node in item.ancestors] == ["Files"]
    assert item.ancestors[0].depth == 1


def test_no_focused_element_is_none(desktop: tuple[Automation, list[str]]) -> None:
    automation, _ = desktop
    automation.focused = None
    assert _uia.focused_item() is None
    assert _uia.item_at(5, 5) is None


def test_the_tree_of_the_foreground_window(desktop: tuple[Automation, list[str]]) -> None:
    automation, _ = desktop
    tree = _uia.active_window_tree(10.0, 100)
    assert tree is not None
    assert automation.handles == [0x1234]
    assert tree.window.name == "Open" and tree.application == "notepad"
    assert [(node.name, node.depth) for node in tree.nodes] == [
        ("Files", 1), ("Row 0", 2), ("Row 1", 2), ("Row 2", 2), ("OK", 1),
    ]  # fmt: skip  # The off-screen pane and its child are left out.
    assert not tree.truncated


def test_the_tree_stops_at_the_node_limit(desktop: tuple[Automation, list[str]]) -> None:
    tree = _uia.active_window_tree(10.0, 3)
    assert tree is not None
    assert [node.name for node in tree.nodes] == ["Files", "Row 0", "Row 1"]
    assert tree.truncated


def test_an_element_gone_mid_walk_keeps_what_was_read(
    desktop: tuple[Automation, list[str]],
) -> None:
    automation, _ = desktop
    automation.fail_after = 3
    tree = _uia.active_window_tree(10.0, 100)
    assert tree is not None
    assert [node.name for node in tree.nodes][:2] == ["Files", "Row 0"]
    assert "Row 2" not in [node.name for node in tree.nodes]


def test_no_foreground_window_is_none(
    desktop: tuple[Automation, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_uia, "_foreground_window", lambda: 0)
    assert _uia.active_window_tree(10.0, 100) is None


def test_com_failures_are_one_sentence(desktop: tuple[Automation, list[str]]) -> None:
    automation, _ = desktop
    automation.fail_after = 0
    with pytest.raises(AccessibilityError) as caught:
        _uia.focused_item()
    reason = "(-2147220991, 'The element is not available')"
    assert caught.value.message == messages.ACCESSIBILITY_UNAVAILABLE.format(reason=reason)


def test_a_failing_com_set_up_is_one_sentence(
    desktop: tuple[Automation, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_module(name: str) -> None:
        raise OSError("cannot load UIAutomationCore.dll")

    monkeypatch.setattr(sys.modules["comtypes.client"], "GetModule", no_module)
    with pytest.raises(AccessibilityError) as caught:
        _uia.item_at(1, 1)
    reason = "cannot load UIAutomationCore.dll"
    assert caught.value.message == messages.ACCESSIBILITY_UNAVAILABLE.format(reason=reason)


def test_without_comtypes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "comtypes", None)
    monkeypatch.setattr(_uia, "_THREAD", threading.local())
    with pytest.raises(AccessibilityError) as caught:
        _uia.focused_item()
    assert caught.value.message == messages.ACCESSIBILITY_NEEDS_PACKAGE.format(package="comtypes")


def test_off_windows_the_helpers_say_nothing() -> None:
    assert _uia._process_name(1234) == ""
    with pytest.raises(OSError):
        _uia._foreground_window()
