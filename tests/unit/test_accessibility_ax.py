"""The AX API on macOS (accessibility/_ax.py), with a fake ApplicationServices and fake
elements: the mapping from AX attributes to nodes, the chain up to the window, the walk."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

from desktop_app.accessibility import _ax
from desktop_app.accessibility._ax import (
    API_DISABLED,
    ATTRIBUTE_UNSUPPORTED,
    NO_VALUE,
    item_from_attributes,
    node_from_attributes,
    rect_of,
)
from desktop_app.core import messages
from desktop_app.core.accessible import AccessibleNode, Role, State
from desktop_app.core.errors import AccessibilityError
from desktop_app.core.types import Rect

POINT, SIZE = "CGPoint", "CGSize"


class Missing:
    """What CopyMultipleAttributeValues gives for an attribute the element lacks (an AXValue
    of the AXError type)."""


def _attrs(role: str, title: str = "", rect: tuple[float, ...] = (), **more: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"AXRole": role, "AXTitle": title}
    if rect:
        found["AXPosition"], found["AXSize"] = rect[:2], rect[2:]
    found.update({f"AX{key}": value for key, value in more.items()})
    return found


# --- attributes to nodes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "role", "words"),
    [
        (_attrs("AXButton"), Role.BUTTON, ""),
        (_attrs("AXCheckBox", Subrole="AXToggle"), Role.TOGGLE_BUTTON, ""),
        (_attrs("AXCheckBox", Subrole="AXSwitch"), Role.TOGGLE_BUTTON, ""),
        (_attrs("AXCheckBox"), Role.CHECK_BOX, ""),
        (_attrs("AXRadioButton", Subrole="AXTabButton"), Role.TAB, ""),
        (_attrs("AXTextField", Subrole="AXSearchField"), Role.TEXT_FIELD, ""),
        (_attrs("AXStaticText"), Role.LABEL, ""),
        (_attrs("AXHeading"), Role.HEADING, ""),
        (_attrs("AXWebArea"), Role.DOCUMENT, ""),
        (_attrs("AXRow", Subrole="AXOutlineRow"), Role.TREE_ITEM, ""),
        (_attrs("AXRow", RoleDescription="row"), Role.OTHER, "row"),
        (_attrs("AXWindow", Subrole="AXStandardWindow"), Role.WINDOW, ""),
        (_attrs("AXWindow", Subrole="AXDialog"), Role.DIALOG, ""),
        (_attrs("AXSheet"), Role.DIALOG, ""),
        (_attrs("AXPopUpButton"), Role.COMBO_BOX, ""),
        (_attrs("AXScrollArea", RoleDescription="scroll area"), Role.OTHER, "scroll area"),
        ({"AXRole": Missing()}, Role.OTHER, ""),
    ],
)
def test_roles_and_subroles_map_to_roles(
    attributes: dict[str, Any], role: Role, words: str
) -> None:
    node = node_from_attributes(attributes)
    assert (node.role, node.role_name) == (role, words)


@pytest.mark.parametrize(
    ("attributes", "states"),
    [
        (_attrs("AXButton", Focused=True, Enabled=True), {State.FOCUSED}),
        (_attrs("AXButton", Enabled=False, Focused=Missing()), {State.UNAVAILABLE}),
        (_attrs("AXCheckBox", Value=1), {State.CHECKED}),
        (_attrs("AXCheckBox", Value=0), set()),
        (_attrs("AXCheckBox", Value=2), set()),  # Mixed: neither.
        (_attrs("AXRadioButton", Value=1), {State.CHECKED}),
        (_attrs("AXCheckBox", Subrole="AXSwitch", Value=True), {State.PRESSED}),
        (_attrs("AXStaticText", Value=1), set()),
        (_attrs("AXRow", Selected=True), {State.SELECTED}),
        (_attrs("AXPopUpButton", Expanded=False), {State.COLLAPSED}),
        (_attrs("AXPopUpButton", Expanded=True), {State.EXPANDED}),
        (_attrs("AXTextField", Required=True, Invalid="true"), {State.REQUIRED, State.INVALID}),
        (_attrs("AXTextField", Invalid="spelling"), {State.INVALID}),
        (_attrs("AXTextField", Invalid="false"), set()),
        (_attrs("AXGroup", ElementBusy=True), {State.BUSY}),
    ],
)
def test_attributes_map_to_states(attributes: dict[str, Any], states: set[State]) -> None:
    assert node_from_attributes(attributes).states == frozenset(states)


def test_names_values_and_descriptions() -> None:
    field = node_from_attributes(_attrs("AXTextField", " Name ", Value="Ada", Help="Your name"))
    assert (field.name, field.value, field.description) == ("Name", "Ada", "Your name")
    icon = node_from_attributes(_attrs("AXButton", "", Description="Close"))
    assert (icon.name, icon.description) == ("Close", "")
    both = node_from_attributes(_attrs("AXButton", "OK", Description="Saves the file"))
    assert (both.name, both.description) == ("OK", "Saves the file")
    label = node_from_attributes(_attrs("AXStaticText", Value="Ready"))
    assert (label.name, label.value) == ("Ready", "")  # Static text keeps its text in AXValue.
    secret = _attrs("AXTextField", "Password", Subrole="AXSecureTextField", Value="hunter2")
    assert node_from_attributes(secret).value == ""  # Never a password's text.
    assert node_from_attributes(_attrs("AXSlider", Value=0.5)).value == "0.5"
    assert node_from_attributes(_attrs("AXSlider", Value=50, ValueDescription="50%")).value == "50%"
    assert node_from_attributes(_attrs("AXProgressIndicator", Value=Missing())).value == ""
    assert node_from_attributes(_attrs("AXCheckBox", Value=1)).value == ""
    assert node_from_attributes(_attrs("AXHeading", "Intro", Value=2)).value == ""  # Its level.
    assert len(node_from_attributes(_attrs("AXTextArea", Value="word " * 1000)).value) <= 1000


@pytest.mark.parametrize(
    ("attributes", "rect"),
    [
        (_attrs("AXButton", rect=(10.0, 20.0, 100.0, 30.0)), Rect(10, 20, 100, 30)),
        (_attrs("AXButton", rect=(-1440.0, 0.4, 50.6, 10.0)), Rect(-1440, 0, 51, 10)),
        (_attrs("AXButton", rect=(10.0, 20.0, 0.0, 30.0)), None),
        ({"AXPosition": (1.0, 2.0), "AXSize": None}, None),
        ({"AXPosition": (1.0, True), "AXSize": (3.0, 4.0)}, None),
        ({"AXPosition": Missing(), "AXSize": (3.0, 4.0)}, None),
        ({}, None),
    ],
)
def test_rectangles(attributes: dict[str, Any], rect: Rect | None) -> None:
    assert rect_of(attributes) == rect


def test_an_item_from_its_parents_up_to_the_window() -> None:
    button = _attrs("AXButton", "OK", (110, 320, 80, 30), Focused=True)
    group = _attrs("AXGroup", "", (100, 100, 400, 300))
    window = _attrs("AXWindow", "Save", (90, 60, 500, 400), Subrole="AXDialog")
    item = item_from_attributes(button, [group, window], "TextEdit")
    assert item.node == AccessibleNode(
        Role.BUTTON, "OK", Rect(110, 320, 80, 30), frozenset({State.FOCUSED}), depth=2
    )
    assert item.window == AccessibleNode(Role.DIALOG, "Save", Rect(90, 60, 500, 400))
    assert item.ancestors == (AccessibleNode(Role.GROUP, rect=Rect(100, 100, 400, 300), depth=1),)
    assert item.application == "TextEdit"
    alone = item_from_attributes(window, [])
    assert alone.window == alone.node and alone.ancestors == ()


# --- the AX glue, with fake elements ------------------------------------------------------------


class Element:
    """An AXUIElementRef: attributes as AX gives them (points and sizes as AXValues)."""

    def __init__(self, attributes: dict[str, Any], *children: Element) -> None:
        self.attributes = dict(attributes)
        for name, kind in (("AXPosition", POINT), ("AXSize", SIZE)):
            if name in self.attributes:
                self.attributes[name] = AXValue(kind, *self.attributes[name])
        self.attributes["AXChildren"] = list(children)
        self.attributes.setdefault("AXParent", None)
        for child in children:
            child.attributes["AXParent"] = self


class AXValue:
    def __init__(self, kind: str, first: float, second: float) -> None:
        self.kind = kind
        names = ("x", "y") if kind == POINT else ("width", "height")
        self.payload = types.SimpleNamespace(**dict(zip(names, (first, second), strict=True)))


def fake_application_services(
    monkeypatch: pytest.MonkeyPatch,
    focused: Element | None,
    application: Element | None,
    trusted: bool = True,
) -> types.ModuleType:
    """An ApplicationServices over fake elements; `ax.errors` maps an attribute to an AXError."""
    ax = types.ModuleType("ApplicationServices")
    system = Element({"AXRole": "AXSystemWide"})
    system.attributes.update(AXFocusedUIElement=focused, AXFocusedApplication=application)
    ax.errors = {}  # type: ignore[attr-defined]
    ax.timeouts = []  # type: ignore[attr-defined]
    ax.points = []  # type: ignore[attr-defined]
    ax.kAXValueCGPointType, ax.kAXValueCGSizeType = POINT, SIZE  # type: ignore[attr-defined]
    ax.AXIsProcessTrusted = lambda: trusted  # type: ignore[attr-defined]
    ax.AXUIElementCreateSystemWide = lambda: system  # type: ignore[attr-defined]
    ax.AXUIElementSetMessagingTimeout = lambda element, seconds: ax.timeouts.append(seconds)  # type: ignore[attr-defined]

    def copy(element: Element, attribute: str, out: None) -> tuple[int, Any]:
        if attribute in ax.errors:  # type: ignore[attr-defined]
            return ax.errors[attribute], None  # type: ignore[attr-defined]
        value = element.attributes.get(attribute)
        return (NO_VALUE, None) if value is None else (0, value)

    def copy_many(
        element: Element, names: tuple[str, ...], options: int, out: None
    ) -> tuple[int, list[Any]]:
        assert options == 0
        return 0, [element.attributes.get(name, Missing()) for name in names]

    def get_value(value: Any, kind: str, out: None) -> tuple[bool, Any]:
        if not isinstance(value, AXValue):
            raise TypeError("not an AXValueRef")
        return (True, value.payload) if value.kind == kind else (False, None)

    def at_position(system: Element, x: float, y: float, out: None) -> tuple[int, Any]:
        ax.points.append((x, y))  # type: ignore[attr-defined]
        return (0, focused) if focused is not None else (NO_VALUE, None)

    ax.AXUIElementCopyAttributeValue = copy  # type: ignore[attr-defined]
    ax.AXUIElementCopyMultipleAttributeValues = copy_many  # type: ignore[attr-defined]
    ax.AXValueGetValue = get_value  # type: ignore[attr-defined]
    ax.AXUIElementCopyElementAtPosition = at_position  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ApplicationServices", ax)
    monkeypatch.setattr(_ax, "_TIMEOUT_SET", [])
    return ax


def _desktop() -> tuple[Element, Element, Element]:
    ok = Element(_attrs("AXButton", "OK", (110, 320, 80, 30), Focused=True))
    rows = [Element(_attrs("AXRow", f"Row {n}", (110, 120 + 20 * n, 300, 20))) for n in range(4)]
    table = Element(_attrs("AXTable", "Files", (100, 110, 400, 200)), *rows)
    table.attributes["AXVisibleChildren"] = rows[:3]  # Row 3 is scrolled away.
    away = Element(_attrs("AXButton", "Elsewhere", (2000, 0, 10, 10)))
    window = Element(_attrs("AXWindow", "Open", (90, 60, 500, 400)), table, away, ok)
    application = Element(_attrs("AXApplication", "TextEdit"), window)
    application.attributes["AXFocusedWindow"] = window
    return application, table, ok


@pytest.fixture
def ax(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    application, _, ok = _desktop()
    yield fake_application_services(monkeypatch, ok, application)


def test_focused_item_climbs_to_its_window(ax: types.ModuleType) -> None:
    item = _ax.focused_item()
    assert item is not None
    assert item.node == AccessibleNode(
        Role.BUTTON, "OK", Rect(110, 320, 80, 30), frozenset({State.FOCUSED}), depth=1
    )
    assert item.window == AccessibleNode(Role.WINDOW, "Open", Rect(90, 60, 500, 400))
    assert (item.ancestors, item.application) == ((), "TextEdit")
    assert ax.timeouts == [1.0]  # type: ignore[attr-defined]
    _ax.focused_item()
    assert ax.timeouts == [1.0]  # type: ignore[attr-defined]  # Set once.


def test_item_at_a_point(monkeypatch: pytest.MonkeyPatch) -> None:
    application, table, _ = _desktop()
    row = table.attributes["AXChildren"][1]
    ax = fake_application_services(monkeypatch, row, application)
    item = _ax.item_at(150, 145)
    assert ax.points == [(150.0, 145.0)]  # type: ignore[attr-defined]
    assert item is not None
    assert (item.node.name, item.node.depth) == ("Row 1", 2)
    assert [(node.name, node.depth) for node in item.ancestors] == [("Files", 1)]


def test_nothing_focused_or_under_the_pointer_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_application_services(monkeypatch, None, None)
    assert _ax.focused_item() is None
    assert _ax.item_at(5, 5) is None
    assert _ax.active_window_tree(10.0, 100) is None


def test_the_tree_of_the_focused_window(ax: types.ModuleType) -> None:
    tree = _ax.active_window_tree(10.0, 100)
    assert tree is not None
    assert (tree.window.name, tree.application) == ("Open", "TextEdit")
    assert [(node.name, node.depth) for node in tree.nodes] == [
        ("Files", 1), ("Row 0", 2), ("Row 1", 2), ("Row 2", 2), ("OK", 1),
    ]  # fmt: skip  # Only the visible rows; nothing outside the window.
    assert not tree.truncated


def test_the_tree_stops_at_the_node_limit(ax: types.ModuleType) -> None:
    tree = _ax.active_window_tree(10.0, 2)
    assert tree is not None
    assert [node.name for node in tree.nodes] == ["Files", "Row 0"]
    assert tree.truncated


def test_untrusted_is_the_permission_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    application, _, ok = _desktop()
    fake_application_services(monkeypatch, ok, application, trusted=False)
    for ask in (
        _ax.focused_item,
        lambda: _ax.item_at(1, 1),
        lambda: _ax.active_window_tree(1.0, 9),
    ):
        with pytest.raises(AccessibilityError) as caught:
            ask()
        assert caught.value.message == messages.ACCESSIBILITY_MACOS_PERMISSION
    assert "Privacy and Security, Accessibility" in messages.ACCESSIBILITY_MACOS_PERMISSION


def test_ax_errors_are_one_sentence(ax: types.ModuleType) -> None:
    ax.errors["AXFocusedUIElement"] = API_DISABLED  # type: ignore[attr-defined]
    with pytest.raises(AccessibilityError) as caught:
        _ax.focused_item()
    assert caught.value.message == messages.ACCESSIBILITY_MACOS_PERMISSION
    ax.errors["AXFocusedUIElement"] = -25204  # kAXErrorCannotComplete: the program hangs.
    with pytest.raises(AccessibilityError) as caught:
        _ax.focused_item()
    reason = "AX error -25204"
    assert caught.value.message == messages.ACCESSIBILITY_UNAVAILABLE.format(reason=reason)
    ax.errors["AXFocusedUIElement"] = ATTRIBUTE_UNSUPPORTED
    assert _ax.focused_item() is None


def test_unexpected_failures_are_one_sentence(ax: types.ModuleType) -> None:
    def broken(*args: Any) -> Any:
        raise ValueError("depythonifying 'pointer', got 'int'")

    ax.AXUIElementCopyElementAtPosition = broken  # type: ignore[attr-defined]
    with pytest.raises(AccessibilityError) as caught:
        _ax.item_at(1, 1)
    reason = "depythonifying 'pointer', got 'int'"
    assert caught.value.message == messages.ACCESSIBILITY_UNAVAILABLE.format(reason=reason)


def test_without_pyobjc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ApplicationServices", None)
    with pytest.raises(AccessibilityError) as caught:
        _ax.focused_item()
    package = "pyobjc-framework-ApplicationServices"
    assert caught.value.message == messages.ACCESSIBILITY_NEEDS_PACKAGE.format(package=package)
