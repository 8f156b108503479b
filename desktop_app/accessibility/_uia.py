"""The focused item, the item at a point and the foreground window's tree on Windows, through
UI Automation (comtypes). Untested in CI (Linux only): the COM calls are thin, and what they
return is turned into nodes by the pure functions here, which are tested with fakes.

Coordinates are physical pixels: Qt and mss make the process per-monitor DPI aware, and UI
Automation then reports physical pixels.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import PureWindowsPath
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

# Property ids (UIAutomationClient.h).
BOUNDING_RECTANGLE = 30001
PROCESS_ID = 30002
CONTROL_TYPE = 30003
LOCALIZED_CONTROL_TYPE = 30004
NAME = 30005
HAS_KEYBOARD_FOCUS = 30008
IS_ENABLED = 30010
HELP_TEXT = 30013
IS_PASSWORD = 30019
IS_OFFSCREEN = 30022
IS_REQUIRED_FOR_FORM = 30025
IS_TOGGLE_PATTERN_AVAILABLE = 30041
VALUE_VALUE = 30045
VALUE_IS_READ_ONLY = 30046
RANGE_VALUE_VALUE = 30047
EXPAND_COLLAPSE_STATE = 30070
SELECTION_ITEM_IS_SELECTED = 30079
TOGGLE_STATE = 30086
IS_DATA_VALID_FOR_FORM = 30103
FULL_DESCRIPTION = 30159  # Windows 10 1703 and later
HEADING_LEVEL = 30173  # Windows 10 1803 and later
IS_DIALOG = 30174  # Windows 10 1809 and later

PROPERTIES = (
    BOUNDING_RECTANGLE, PROCESS_ID, CONTROL_TYPE, LOCALIZED_CONTROL_TYPE, NAME,
    HAS_KEYBOARD_FOCUS, IS_ENABLED, HELP_TEXT, IS_PASSWORD, IS_OFFSCREEN, IS_REQUIRED_FOR_FORM,
    IS_TOGGLE_PATTERN_AVAILABLE, VALUE_VALUE, VALUE_IS_READ_ONLY, RANGE_VALUE_VALUE,
    EXPAND_COLLAPSE_STATE, SELECTION_ITEM_IS_SELECTED, TOGGLE_STATE, IS_DATA_VALID_FOR_FORM,
    FULL_DESCRIPTION, HEADING_LEVEL, IS_DIALOG,
)  # fmt: skip
"""Read in one cross-process call per element (a CacheRequest)."""

BUTTON, CHECK_BOX, EDIT, TEXT, WINDOW = 50000, 50002, 50004, 50020, 50032
CONTROL_TYPES: dict[int, Role] = {
    BUTTON: Role.BUTTON,
    CHECK_BOX: Role.CHECK_BOX,
    50003: Role.COMBO_BOX,
    EDIT: Role.TEXT_FIELD,
    50005: Role.LINK,  # Hyperlink
    50006: Role.IMAGE,
    50007: Role.LIST_ITEM,
    50008: Role.LIST,
    50009: Role.MENU,
    50010: Role.MENU_BAR,
    50011: Role.MENU_ITEM,
    50012: Role.PROGRESS_BAR,
    50013: Role.RADIO_BUTTON,
    50014: Role.SCROLL_BAR,
    50015: Role.SLIDER,
    50016: Role.SPIN_BUTTON,  # Spinner
    50017: Role.STATUS_BAR,
    50018: Role.TAB_LIST,  # Tab: the strip of tabs
    50019: Role.TAB,  # TabItem
    TEXT: Role.LABEL,
    50021: Role.TOOL_BAR,
    50023: Role.TREE,
    50024: Role.TREE_ITEM,
    50026: Role.GROUP,
    50028: Role.TABLE,  # DataGrid
    50029: Role.LIST_ITEM,  # DataItem: a row of a data grid or a details view
    50030: Role.DOCUMENT,
    50031: Role.BUTTON,  # SplitButton
    WINDOW: Role.WINDOW,
    50033: Role.GROUP,  # Pane: a plain container
    50036: Role.TABLE,
    50038: Role.SEPARATOR,
    50040: Role.TOOL_BAR,  # AppBar
}
"""UIA control type ids; the others (calendar, tool tip, custom, header, title bar, ...) are
Role.OTHER with UIA's localized control type as their words."""

_HEADING_LEVELS = range(80051, 80060)  # HeadingLevel1 ... HeadingLevel9
_TOGGLE_ON = 1
_EXPAND_STATES = {0: State.COLLAPSED, 1: State.EXPANDED, 2: State.EXPANDED}  # 3: a leaf
_EDITABLE = frozenset({Role.TEXT_FIELD, Role.COMBO_BOX})
_VALUE_LIMIT = 1000
"""Characters of a value kept (a document's value can be its whole text)."""
_MAX_DEPTH = 256
_PROCESS_QUERY_LIMITED_INFORMATION = 0x1000


# --- from properties to nodes (pure) -----------------------------------------------------------


def role_of(properties: Mapping[int, Any]) -> tuple[Role, str]:
    """The role and, for Role.OTHER, the platform's words for it."""
    control_type = _int(properties.get(CONTROL_TYPE))
    role = CONTROL_TYPES.get(control_type, Role.OTHER) if control_type is not None else Role.OTHER
    if control_type == BUTTON and properties.get(IS_TOGGLE_PATTERN_AVAILABLE) is True:
        role = Role.TOGGLE_BUTTON
    elif control_type == TEXT and _int(properties.get(HEADING_LEVEL)) in _HEADING_LEVELS:
        role = Role.HEADING
    elif control_type == WINDOW and properties.get(IS_DIALOG) is True:
        role = Role.DIALOG
    words = _text(properties.get(LOCALIZED_CONTROL_TYPE)) if role is Role.OTHER else ""
    return role, words


def states_of(properties: Mapping[int, Any], role: Role) -> frozenset[State]:
    """The states UIA tells, in the words screen readers use."""
    states: set[State] = set()
    if properties.get(HAS_KEYBOARD_FOCUS) is True:
        states.add(State.FOCUSED)
    if properties.get(IS_ENABLED) is False:
        states.add(State.UNAVAILABLE)
    if properties.get(SELECTION_ITEM_IS_SELECTED) is True:
        states.add(State.CHECKED if role is Role.RADIO_BUTTON else State.SELECTED)
    if _int(properties.get(TOGGLE_STATE)) == _TOGGLE_ON:
        states.add(State.PRESSED if role is Role.TOGGLE_BUTTON else State.CHECKED)
    expand = _int(properties.get(EXPAND_COLLAPSE_STATE))
    if expand in _EXPAND_STATES:
        states.add(_EXPAND_STATES[expand])
    if role in _EDITABLE and properties.get(VALUE_IS_READ_ONLY) is True:
        states.add(State.READ_ONLY)
    if properties.get(IS_REQUIRED_FOR_FORM) is True:
        states.add(State.REQUIRED)
    if properties.get(IS_DATA_VALID_FOR_FORM) is False:
        states.add(State.INVALID)
    return frozenset(states)


def value_of(properties: Mapping[int, Any]) -> str:
    """The Value pattern's text, else the RangeValue's number; never a password's text."""
    if properties.get(IS_PASSWORD) is True:
        return ""
    text = _text(properties.get(VALUE_VALUE))
    if text:
        return text[:_VALUE_LIMIT]
    number = properties.get(RANGE_VALUE_VALUE)
    if isinstance(number, int | float) and not isinstance(number, bool):
        return f"{number:g}"
    return ""


def rect_of(properties: Mapping[int, Any]) -> Rect | None:
    """BoundingRectangle (left, top, width, height in doubles) in whole pixels; None when empty
    or when UIA says the element is off the screen."""
    if properties.get(IS_OFFSCREEN) is True:
        return None
    bounds = properties.get(BOUNDING_RECTANGLE)
    if not isinstance(bounds, Sequence) or len(bounds) != 4:
        return None
    if not all(isinstance(part, int | float) for part in bounds):
        return None
    left, top = round(bounds[0]), round(bounds[1])
    return Rect.from_edges(left, top, round(bounds[0] + bounds[2]), round(bounds[1] + bounds[3]))


def node_from_properties(properties: Mapping[int, Any], depth: int = 0) -> AccessibleNode:
    """One element's node from its cached properties (missing ones are left out)."""
    role, words = role_of(properties)
    description = _text(properties.get(FULL_DESCRIPTION)) or _text(properties.get(HELP_TEXT))
    return AccessibleNode(
        role=role,
        name=_text(properties.get(NAME)),
        rect=rect_of(properties),
        states=states_of(properties, role),
        value=value_of(properties),
        description=description,
        role_name=words,
        depth=depth,
    )


def item_from_properties(
    properties: Mapping[int, Any],
    chain: Sequence[Mapping[int, Any]],
    application: str = "",
) -> AccessibleItem:
    """An item from its properties and its parents' (its parent first, up to the top-level
    window; the desktop left out). An item with no parent is its own window."""
    if not chain:
        node = node_from_properties(properties)
        return AccessibleItem(node=node, window=node, application=application)
    top = len(chain) - 1
    return AccessibleItem(
        node=node_from_properties(properties, depth=len(chain)),
        window=node_from_properties(chain[top]),
        ancestors=tuple(
            node_from_properties(chain[i], depth=top - i) for i in range(top - 1, -1, -1)
        ),
        application=application,
    )


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# --- the COM glue ------------------------------------------------------------------------------


def focused_item() -> AccessibleItem | None:
    """IUIAutomation.GetFocusedElement, with its parents up to its window."""
    with _asking() as session:
        element = session.automation.GetFocusedElementBuildCache(session.cache)
        return _item(session, element) if element else None


def item_at(x: int, y: int) -> AccessibleItem | None:
    """IUIAutomation.ElementFromPoint at desktop pixel (x, y)."""
    with _asking() as session:
        point = session.uia.tagPOINT(x, y)
        element = session.automation.ElementFromPointBuildCache(point, session.cache)
        return _item(session, element) if element else None


def active_window_tree(time_limit_s: float, node_limit: int) -> AccessibleTree | None:
    """The foreground window's showing elements (the control view), walked with a TreeWalker
    until the time or node limit."""
    with _asking() as session:
        hwnd = _foreground_window()
        if not hwnd:
            return None
        window = session.automation.ElementFromHandleBuildCache(hwnd, session.cache)
        if not window:
            return None
        properties = _properties(window)
        walked = walk(
            window,
            lambda element: _children(session, element),
            lambda element, depth: _showing(_properties(element), depth),
            time_limit_s,
            node_limit,
        )
        return AccessibleTree(
            window=node_from_properties(properties),
            nodes=walked.nodes,
            truncated=walked.truncated,
            elapsed_s=walked.elapsed_s,
            application=_process_name(_int(properties.get(PROCESS_ID))),
        )


class _Session:
    """This thread's UI Automation object, cache request and control-view walker."""

    def __init__(self, uia: Any, automation: Any) -> None:
        self.uia = uia
        self.automation = automation
        self.cache = automation.CreateCacheRequest()
        for property_id in PROPERTIES:
            try:
                self.cache.AddProperty(property_id)
            except Exception:  # A property this Windows does not know yet.
                continue
        self.walker = automation.ControlViewWalker
        self.root = automation.GetRootElement()


_THREAD = threading.local()


@contextmanager
def _asking() -> Iterator[_Session]:
    """This thread's session; any failure in it becomes an AccessibilityError."""
    try:
        session = getattr(_THREAD, "session", None)
        if session is None:
            session = _THREAD.session = _open_session()
        yield session
    except AccessibilityError:
        raise
    except Exception as error:  # COMError, OSError, ctypes' errors: all one story for the user
        reason = first_line(error)
        raise AccessibilityError(
            messages.ACCESSIBILITY_UNAVAILABLE.format(reason=reason)
        ) from error


def _open_session() -> _Session:
    try:
        import comtypes
        import comtypes.client
    except ImportError:
        package = "comtypes"
        raise AccessibilityError(
            messages.ACCESSIBILITY_NEEDS_PACKAGE.format(package=package)
        ) from None
    with suppress(OSError):  # A thread with an apartment of the other kind keeps that one.
        comtypes.CoInitialize()
    comtypes.client.GetModule("UIAutomationCore.dll")
    from comtypes.gen import UIAutomationClient as uia

    automation = comtypes.client.CreateObject(uia.CUIAutomation, interface=uia.IUIAutomation)
    with suppress(Exception):  # A hung program is given up on after a second (Windows 8+).
        automation.QueryInterface(uia.IUIAutomation2).TransactionTimeout = 1000
    return _Session(uia, automation)


def _properties(element: Any) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for property_id in PROPERTIES:
        try:
            found[property_id] = element.GetCachedPropertyValue(property_id)
        except Exception:  # Not in the cache: this Windows does not know it.
            continue
    return found


def _item(session: _Session, element: Any) -> AccessibleItem:
    chain: list[dict[int, Any]] = []
    parent = session.walker.GetParentElementBuildCache(element, session.cache)
    while parent and len(chain) < _MAX_DEPTH:
        if session.automation.CompareElements(parent, session.root):
            break
        chain.append(_properties(parent))
        parent = session.walker.GetParentElementBuildCache(parent, session.cache)
    properties = _properties(element)
    window = chain[-1] if chain else properties
    application = _process_name(_int(window.get(PROCESS_ID)))
    return item_from_properties(properties, chain, application)


def _children(session: _Session, element: Any) -> Iterator[Any]:
    try:
        child = session.walker.GetFirstChildElementBuildCache(element, session.cache)
        while child:
            yield child
            child = session.walker.GetNextSiblingElementBuildCache(child, session.cache)
    except Exception:  # The element went away meanwhile: keep what was read.
        return


def _showing(properties: Mapping[int, Any], depth: int) -> AccessibleNode | None:
    if properties.get(IS_OFFSCREEN) is True:
        return None
    return node_from_properties(properties, depth)


def _foreground_window() -> int:
    if sys.platform != "win32":
        raise OSError("user32.dll exists only on Windows")
    return int(ctypes.WinDLL("user32").GetForegroundWindow() or 0)


def _process_name(pid: int | None) -> str:
    """The program's file name without `.exe` ("notepad"); "" when Windows will not say."""
    if not pid or sys.platform != "win32":
        return ""
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    kernel32.OpenProcess.argtypes = [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD]
    kernel32.QueryFullProcessImageNameW.argtypes = [
        wintypes.HANDLE, wintypes.DWORD, wintypes.LPWSTR, ctypes.POINTER(wintypes.DWORD),
    ]  # fmt: skip
    kernel32.CloseHandle.argtypes = [wintypes.HANDLE]
    handle = kernel32.OpenProcess(_PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:
        return ""
    try:
        size = wintypes.DWORD(1024)
        path = ctypes.create_unicode_buffer(size.value)
        if not kernel32.QueryFullProcessImageNameW(handle, 0, path, ctypes.byref(size)):
            return ""
        return PureWindowsPath(path.value).stem
    finally:
        kernel32.CloseHandle(handle)
