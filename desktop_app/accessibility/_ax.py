"""The focused item, the item at a point and the focused window's tree on macOS, through the AX
API (pyobjc's ApplicationServices). Untested in CI (Linux only): the AX calls are thin, and
what they return is turned into nodes by the pure functions here, which are tested with fakes.

Coordinates are global display points, top-left origin, as the capture module's on macOS.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from desktop_app.accessibility._walk import walk
from desktop_app.core import messages
from desktop_app.core.accessible import (
    AccessibleItem,
    AccessibleNode,
    AccessibleTree,
    Role,
    State,
)
from desktop_app.core.errors import AccessibilityError, first_line
from desktop_app.core.types import Rect

ATTRIBUTES = (
    "AXRole", "AXSubrole", "AXRoleDescription", "AXTitle", "AXDescription", "AXHelp",
    "AXValue", "AXValueDescription", "AXPosition", "AXSize", "AXFocused", "AXEnabled",
    "AXSelected", "AXExpanded", "AXRequired", "AXInvalid", "AXElementBusy",
)  # fmt: skip
"""Read in one call per element (AXUIElementCopyMultipleAttributeValues)."""
CHILDREN = ("AXVisibleChildren", "AXChildren")
"""Read with the attributes while walking; the visible children win where a list has them."""

ROLES: dict[str, Role] = {
    "AXButton": Role.BUTTON,
    "AXMenuButton": Role.BUTTON,
    "AXCheckBox": Role.CHECK_BOX,
    "AXRadioButton": Role.RADIO_BUTTON,
    "AXLink": Role.LINK,
    "AXImage": Role.IMAGE,
    "AXTextField": Role.TEXT_FIELD,
    "AXTextArea": Role.TEXT_FIELD,
    "AXStaticText": Role.LABEL,
    "AXHeading": Role.HEADING,
    "AXWebArea": Role.DOCUMENT,
    "AXList": Role.LIST,
    "AXTable": Role.TABLE,
    "AXOutline": Role.TREE,
    "AXCell": Role.CELL,
    "AXMenuBar": Role.MENU_BAR,
    "AXMenu": Role.MENU,
    "AXMenuItem": Role.MENU_ITEM,
    "AXMenuBarItem": Role.MENU_ITEM,
    "AXTabGroup": Role.TAB_LIST,
    "AXComboBox": Role.COMBO_BOX,
    "AXPopUpButton": Role.COMBO_BOX,
    "AXSlider": Role.SLIDER,
    "AXIncrementor": Role.SPIN_BUTTON,
    "AXScrollBar": Role.SCROLL_BAR,
    "AXProgressIndicator": Role.PROGRESS_BAR,
    "AXBusyIndicator": Role.PROGRESS_BAR,
    "AXToolbar": Role.TOOL_BAR,
    "AXWindow": Role.WINDOW,
    "AXSheet": Role.DIALOG,
    "AXGroup": Role.GROUP,
    "AXRadioGroup": Role.GROUP,
    "AXSplitGroup": Role.GROUP,
    "AXSplitter": Role.SEPARATOR,
}
"""AX roles; the others (scroll area, row, date field, ...) are Role.OTHER with AX's own role
description as their words."""
SUBROLES: dict[str, Role] = {
    "AXToggle": Role.TOGGLE_BUTTON,
    "AXSwitch": Role.TOGGLE_BUTTON,
    "AXTabButton": Role.TAB,
    "AXOutlineRow": Role.TREE_ITEM,
    "AXDialog": Role.DIALOG,
    "AXSystemDialog": Role.DIALOG,
    "AXContentSeparator": Role.SEPARATOR,
    "AXApplicationStatus": Role.STATUS_BAR,
    "AXDocument": Role.DOCUMENT,
}
"""Subroles that say more than their role."""

_SECURE = "AXSecureTextField"
_CHECKABLE = frozenset({Role.CHECK_BOX, Role.RADIO_BUTTON})
_NUMERIC = frozenset({Role.SLIDER, Role.PROGRESS_BAR, Role.SPIN_BUTTON, Role.SCROLL_BAR})
_NO_TEXT_VALUE = _CHECKABLE | {Role.TOGGLE_BUTTON, Role.HEADING, Role.TAB, Role.TREE_ITEM}
_VALUE_LIMIT = 1000
"""Characters of a value kept (a text area's value is its whole text)."""
_MAX_DEPTH = 256
_MESSAGING_TIMEOUT_S = 1.0
"""A program that does not answer within this long is given up on (AX's default is 6 s)."""

# AXError codes (AXError.h).
SUCCESS = 0
INVALID_ELEMENT = -25202
ATTRIBUTE_UNSUPPORTED = -25205
API_DISABLED = -25211
NO_VALUE = -25212
_NOTHING_THERE = frozenset({INVALID_ELEMENT, ATTRIBUTE_UNSUPPORTED, NO_VALUE})


# --- from attributes to nodes (pure) -----------------------------------------------------------


def role_of(attributes: Mapping[str, Any]) -> tuple[Role, str]:
    """The role and, for Role.OTHER, AX's words for it."""
    role = SUBROLES.get(_text(attributes.get("AXSubrole")))
    if role is None:
        role = ROLES.get(_text(attributes.get("AXRole")), Role.OTHER)
    words = _text(attributes.get("AXRoleDescription")) if role is Role.OTHER else ""
    return role, words


def states_of(attributes: Mapping[str, Any], role: Role) -> frozenset[State]:
    """The states AX tells, in the words screen readers use."""
    states: set[State] = set()
    if attributes.get("AXFocused") is True:
        states.add(State.FOCUSED)
    if attributes.get("AXEnabled") is False:
        states.add(State.UNAVAILABLE)
    if attributes.get("AXSelected") is True:
        states.add(State.SELECTED)
    expanded = attributes.get("AXExpanded")
    if isinstance(expanded, bool):
        states.add(State.EXPANDED if expanded else State.COLLAPSED)
    value = attributes.get("AXValue")
    on = value is True or _number(value) == 1
    if on and role in _CHECKABLE:
        states.add(State.CHECKED)
    elif on and role is Role.TOGGLE_BUTTON:
        states.add(State.PRESSED)
    if attributes.get("AXRequired") is True:
        states.add(State.REQUIRED)
    invalid = attributes.get("AXInvalid")
    if invalid is True or (isinstance(invalid, str) and invalid not in ("", "false")):
        states.add(State.INVALID)
    if attributes.get("AXElementBusy") is True:
        states.add(State.BUSY)
    return frozenset(states)


def value_of(attributes: Mapping[str, Any], role: Role) -> str:
    """A text's value, a slider's or progress bar's number; never a password's text."""
    if _text(attributes.get("AXSubrole")) == _SECURE or role in _NO_TEXT_VALUE:
        return ""
    value = attributes.get("AXValue")
    if role in _NUMERIC:
        described = _text(attributes.get("AXValueDescription"))
        number = _number(value)
        return described or ("" if number is None else f"{number:g}")
    return _text(value)[:_VALUE_LIMIT]


def rect_of(attributes: Mapping[str, Any]) -> Rect | None:
    """AXPosition and AXSize (decoded to (x, y) and (width, height)) in whole points."""
    position, size = _pair(attributes.get("AXPosition")), _pair(attributes.get("AXSize"))
    if position is None or size is None:
        return None
    left, top = round(position[0]), round(position[1])
    return Rect.from_edges(left, top, round(position[0] + size[0]), round(position[1] + size[1]))


def node_from_attributes(attributes: Mapping[str, Any], depth: int = 0) -> AccessibleNode:
    """One element's node from its attributes (missing ones are left out)."""
    role, words = role_of(attributes)
    title, label = _text(attributes.get("AXTitle")), _text(attributes.get("AXDescription"))
    value = value_of(attributes, role)
    name = title or label
    if not name and role is Role.LABEL:  # Static text keeps its text in AXValue.
        name, value = value, ""
    described = label if label not in ("", name) else _text(attributes.get("AXHelp"))
    return AccessibleNode(
        role=role,
        name=name,
        rect=rect_of(attributes),
        states=states_of(attributes, role),
        value=value,
        description=described,
        role_name=words,
        depth=depth,
    )


def item_from_attributes(
    attributes: Mapping[str, Any],
    chain: Sequence[Mapping[str, Any]],
    application: str = "",
) -> AccessibleItem:
    """An item from its attributes and its parents' (its parent first, up to the window; the
    application left out). An item with no parent is its own window."""
    if not chain:
        node = node_from_attributes(attributes)
        return AccessibleItem(node=node, window=node, application=application)
    top = len(chain) - 1
    return AccessibleItem(
        node=node_from_attributes(attributes, depth=len(chain)),
        window=node_from_attributes(chain[top]),
        ancestors=tuple(
            node_from_attributes(chain[index], depth=top - index)
            for index in range(top - 1, -1, -1)
        ),
        application=application,
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _pair(value: Any) -> tuple[float, float] | None:
    if not isinstance(value, tuple) or len(value) != 2:
        return None
    first, second = (_number(part) for part in value)
    return None if first is None or second is None else (first, second)


# --- the AX glue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    """An element with its attributes (and its children's references, while walking)."""

    element: Any
    attributes: Mapping[str, Any]


def focused_item() -> AccessibleItem | None:
    """The system-wide AXFocusedUIElement, with its parents up to its window."""
    with _asking() as ax:
        element = _copy(ax, ax.AXUIElementCreateSystemWide(), "AXFocusedUIElement")
        return None if element is None else _item(ax, element)


def item_at(x: int, y: int) -> AccessibleItem | None:
    """AXUIElementCopyElementAtPosition at desktop point (x, y)."""
    with _asking() as ax:
        system = ax.AXUIElementCreateSystemWide()
        error, element = ax.AXUIElementCopyElementAtPosition(system, float(x), float(y), None)
        if error in _NOTHING_THERE or (error == SUCCESS and element is None):
            return None
        _check(error)
        return _item(ax, element)


def active_window_tree(time_limit_s: float, node_limit: int) -> AccessibleTree | None:
    """The frontmost application's AXFocusedWindow, walked until the time or node limit."""
    with _asking() as ax:
        application = _copy(ax, ax.AXUIElementCreateSystemWide(), "AXFocusedApplication")
        window = None if application is None else _copy(ax, application, "AXFocusedWindow")
        if window is None:
            return None
        root = _Found(window, _attributes(ax, window, CHILDREN))
        window_node = node_from_attributes(root.attributes)
        walked = walk(
            root,
            lambda found: _children(ax, found),
            lambda found, depth: _showing(found.attributes, depth, window_node.rect),
            time_limit_s,
            node_limit,
        )
        return AccessibleTree(
            window=window_node,
            nodes=walked.nodes,
            truncated=walked.truncated,
            elapsed_s=walked.elapsed_s,
            application=_text(_attributes(ax, application).get("AXTitle")),
        )


_TIMEOUT_SET: list[bool] = []


@contextmanager
def _asking() -> Iterator[Any]:
    """ApplicationServices, once Iris may use it; any failure becomes an AccessibilityError."""
    try:
        import ApplicationServices as ax
    except ImportError:
        package = "pyobjc-framework-ApplicationServices"
        raise AccessibilityError(
            messages.ACCESSIBILITY_NEEDS_PACKAGE.format(package=package)
        ) from None
    try:
        if not ax.AXIsProcessTrusted():
            raise AccessibilityError(messages.ACCESSIBILITY_MACOS_PERMISSION)
        if not _TIMEOUT_SET:
            system = ax.AXUIElementCreateSystemWide()
            ax.AXUIElementSetMessagingTimeout(system, _MESSAGING_TIMEOUT_S)
            _TIMEOUT_SET.append(True)
        yield ax
    except AccessibilityError:
        raise
    except Exception as error:  # pyobjc's and the AX API's errors: all one story for the user
        reason = first_line(error)
        raise AccessibilityError(
            messages.ACCESSIBILITY_UNAVAILABLE.format(reason=reason)
        ) from error


def _check(error: int) -> None:
    if error == API_DISABLED:
        raise AccessibilityError(messages.ACCESSIBILITY_MACOS_PERMISSION)
    if error != SUCCESS:
        reason = f"AX error {error}"
        raise AccessibilityError(messages.ACCESSIBILITY_UNAVAILABLE.format(reason=reason))


def _copy(ax: Any, element: Any, attribute: str) -> Any:
    """One attribute's value; None when the element has none."""
    error, value = ax.AXUIElementCopyAttributeValue(element, attribute, None)
    if error in _NOTHING_THERE:
        return None
    _check(error)
    return value


def _attributes(ax: Any, element: Any, extra: Sequence[str] = ()) -> dict[str, Any]:
    names = (*ATTRIBUTES, *extra)
    error, values = ax.AXUIElementCopyMultipleAttributeValues(element, names, 0, None)
    if error in _NOTHING_THERE:
        return {}
    _check(error)
    found = dict(zip(names, values or (), strict=False))
    found["AXPosition"] = _decoded(ax, found.get("AXPosition"), ax.kAXValueCGPointType)
    found["AXSize"] = _decoded(ax, found.get("AXSize"), ax.kAXValueCGSizeType)
    return found


def _decoded(ax: Any, value: Any, kind: Any) -> tuple[float, float] | None:
    """An AXValue's point or size as a pair; None for a missing attribute's error value."""
    if value is None:
        return None
    try:
        ok, found = ax.AXValueGetValue(value, kind, None)
    except (TypeError, ValueError):  # Not an AXValue at all.
        return None
    if not ok:
        return None
    if kind == ax.kAXValueCGPointType:
        return float(found.x), float(found.y)
    return float(found.width), float(found.height)


def _item(ax: Any, element: Any) -> AccessibleItem:
    chain: list[dict[str, Any]] = []
    application = ""
    parent = _copy(ax, element, "AXParent")
    while parent is not None and len(chain) < _MAX_DEPTH:
        attributes = _attributes(ax, parent)
        if _text(attributes.get("AXRole")) == "AXApplication":
            application = _text(attributes.get("AXTitle"))
            break
        chain.append(attributes)
        parent = _copy(ax, parent, "AXParent")
    return item_from_attributes(_attributes(ax, element), chain, application)


def _children(ax: Any, found: _Found) -> Iterator[_Found]:
    children = _elements(found.attributes.get("AXVisibleChildren"))
    for child in children or _elements(found.attributes.get("AXChildren")):
        try:
            attributes = _attributes(ax, child, CHILDREN)
        except AccessibilityError:  # The element went away meanwhile: keep what was read.
            return
        yield _Found(child, attributes)


def _elements(value: Any) -> list[Any]:
    """An NSArray of elements as a list; [] for anything else (a missing attribute's error)."""
    if value is None or isinstance(value, str | bytes):
        return []
    try:
        return list(value)
    except TypeError:
        return []


def _showing(
    attributes: Mapping[str, Any], depth: int, window: Rect | None
) -> AccessibleNode | None:
    if not attributes:  # The element went away between listing and reading it.
        return None
    node = node_from_attributes(attributes, depth)
    if window is not None and node.rect is not None and not _overlap(node.rect, window):
        return None
    return node


def _overlap(first: Rect, second: Rect) -> bool:
    return (
        first.x < second.x + second.width
        and second.x < first.x + first.width
        and first.y < second.y + second.height
        and second.y < first.y + first.height
    )
