"""Pointer and active window on X11 (also XWayland) through python-xlib."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import CaptureError, first_line
from desktop_app.core.types import Rect

_IS_VIEWABLE = 2


def check_access() -> None:
    """Nothing to ask for on X11: a display that opens can be read."""


def pointer_position() -> tuple[int, int]:
    """The pointer's position on the root window."""
    with _connect() as display:
        reply = display.screen().root.query_pointer()
        return int(reply.root_x), int(reply.root_y)


def move_pointer(x: int, y: int) -> None:
    """Move the pointer as a mouse would (XTest, so programs see the motion), or warp it where
    the server lacks XTest; returns once the server has done it."""
    from Xlib import X
    from Xlib import error as xerror

    with _connect() as display:
        try:
            if display.has_extension("XTEST"):
                from Xlib.ext import xtest

                xtest.fake_input(display, X.MotionNotify, x=x, y=y)
            else:
                display.screen().root.warp_pointer(x, y)
            display.sync()
        except xerror.XError as error:
            reason = first_line(error)
            raise CaptureError(messages.POINTER_MOVE_FAILED.format(reason=reason)) from None


def active_window_rect() -> Rect:
    """The active window (`_NET_ACTIVE_WINDOW`, else the input focus) with its frame."""
    from Xlib import error as xerror

    with _connect() as display:
        root = display.screen().root
        for find in (_net_active_window, _focused_window):
            try:
                window = find(display, root)
                if window is not None:
                    return _outer_rect(display, root, window)
            except xerror.XError:  # The window went away meanwhile; try the next way.
                continue
    raise CaptureError(messages.CAPTURE_NO_ACTIVE_WINDOW)


def active_window_id() -> int | None:
    """The active top-level window's id (`_NET_ACTIVE_WINDOW`, else the input focus)."""
    from Xlib import error as xerror

    with _connect() as display:
        root = display.screen().root
        for find in (_net_active_window, _focused_window):
            try:
                window = find(display, root)
            except xerror.XError:
                continue
            if window is not None:
                return int(window.id)
    return None


def activate_window(window_id: int) -> None:
    """Ask the window manager to activate `window_id`, as a pager or task bar does
    (`_NET_ACTIVE_WINDOW` with source indication 2, so focus-stealing rules let it through)."""
    from Xlib import X
    from Xlib.protocol import event

    with _connect() as display:
        root = display.screen().root
        window = display.create_resource_object("window", window_id)
        message = event.ClientMessage(
            window=window,
            client_type=display.intern_atom("_NET_ACTIVE_WINDOW"),
            data=(32, [2, X.CurrentTime, 0, 0, 0]),
        )
        mask = X.SubstructureRedirectMask | X.SubstructureNotifyMask
        root.send_event(message, event_mask=mask)
        display.sync()


@contextmanager
def _connect() -> Iterator[Any]:
    try:
        from Xlib import display as xdisplay
        from Xlib import error as xerror
    except ImportError:
        raise CaptureError(messages.CAPTURE_NEEDS_PACKAGE.format(package="python-xlib")) from None
    name = os.environ.get("DISPLAY", "")
    try:
        display = xdisplay.Display()
    except (xerror.DisplayError, xerror.XauthError, OSError) as error:
        reason = first_line(error)
        raise CaptureError(
            messages.CAPTURE_DISPLAY_FAILED.format(display=name, reason=reason)
        ) from None
    try:
        yield display
    finally:
        display.close()


def _net_active_window(display: Any, root: Any) -> Any:
    window_id = _cardinals(display, root, "_NET_ACTIVE_WINDOW")
    if not window_id or not window_id[0]:
        return None
    window = display.create_resource_object("window", window_id[0])
    return window if _viewable(window) else None


def _focused_window(display: Any, root: Any) -> Any:
    focus = display.get_input_focus().focus
    if isinstance(focus, int) or focus.id == root.id:  # None, PointerRoot or the root itself.
        return None
    window = focus
    while True:  # Climb to the top-level window (a child of the root).
        parent = window.query_tree().parent
        if isinstance(parent, int) or parent.id == root.id:
            break
        window = parent
    return window if _viewable(window) else None


def _outer_rect(display: Any, root: Any, window: Any) -> Rect:
    geometry = window.get_geometry()
    origin = root.translate_coords(window, 0, 0)
    extents = _cardinals(display, window, "_NET_FRAME_EXTENTS")
    left, right, top, bottom = extents[:4] if len(extents) >= 4 else (0, 0, 0, 0)
    return Rect(
        int(origin.x) - left,
        int(origin.y) - top,
        int(geometry.width) + left + right,
        int(geometry.height) + top + bottom,
    )


def _cardinals(display: Any, window: Any, name: str) -> list[int]:
    from Xlib import X

    atom = display.intern_atom(name, only_if_exists=True)
    if not atom:
        return []
    prop = window.get_full_property(atom, X.AnyPropertyType)
    return [int(value) for value in prop.value] if prop is not None else []


def _viewable(window: Any) -> bool:
    return int(window.get_attributes().map_state) == _IS_VIEWABLE
