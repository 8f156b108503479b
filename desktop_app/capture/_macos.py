"""Pointer and frontmost window on macOS through pyobjc's Quartz. Untested in CI (Linux only).

Coordinates are points (mss grabs at nominal resolution, so one point is one image pixel).
"""

from __future__ import annotations

from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import CaptureError
from desktop_app.core.types import Rect


def check_access() -> None:
    """Screen Recording permission (macOS 10.15+); asking shows the system prompt once."""
    quartz = _quartz()
    preflight = getattr(quartz, "CGPreflightScreenCaptureAccess", None)
    if preflight is None or preflight():
        return
    request = getattr(quartz, "CGRequestScreenCaptureAccess", None)
    if request is not None:
        request()
    raise CaptureError(messages.CAPTURE_MACOS_PERMISSION)


def pointer_position() -> tuple[int, int]:
    """The pointer's location, in global display points."""
    quartz = _quartz()
    point = quartz.CGEventGetLocation(quartz.CGEventCreate(None))
    return round(point.x), round(point.y)


def move_pointer(x: int, y: int) -> None:
    """CGWarpMouseCursorPosition in global display points; the mouse moves it again at once
    (a warp otherwise holds the pointer still for a quarter of a second)."""
    quartz = _quartz()
    error = quartz.CGWarpMouseCursorPosition((float(x), float(y)))
    if error:
        reason = f"CGWarpMouseCursorPosition error {error}"
        raise CaptureError(messages.POINTER_MOVE_FAILED.format(reason=reason))
    quartz.CGAssociateMouseAndMouseCursorPosition(True)


def active_window_rect() -> Rect:
    """The frontmost application's frontmost normal window (layer 0)."""
    quartz = _quartz()
    options = quartz.kCGWindowListOptionOnScreenOnly | quartz.kCGWindowListExcludeDesktopElements
    windows = quartz.CGWindowListCopyWindowInfo(options, quartz.kCGNullWindowID) or []
    normal = [info for info in windows if info.get("kCGWindowLayer") == 0]
    pid = _frontmost_pid()
    ordered = [info for info in normal if info.get("kCGWindowOwnerPID") == pid] + normal
    for info in ordered:
        bounds = info.get("kCGWindowBounds") or {}
        width, height = round(bounds.get("Width", 0)), round(bounds.get("Height", 0))
        if width > 0 and height > 0:
            return Rect(round(bounds.get("X", 0)), round(bounds.get("Y", 0)), width, height)
    raise CaptureError(messages.CAPTURE_NO_ACTIVE_WINDOW)


def active_window_id() -> int | None:
    """The frontmost application's process id (macOS activates applications, not windows)."""
    return _frontmost_pid()


def activate_window(window_id: int) -> None:
    """Bring the application with process id `window_id` to the front."""
    from AppKit import NSRunningApplication

    app = NSRunningApplication.runningApplicationWithProcessIdentifier_(window_id)
    if app is not None:
        app.activateWithOptions_(0)


def _frontmost_pid() -> int | None:
    try:
        from AppKit import NSWorkspace
    except ImportError:
        return None
    app = NSWorkspace.sharedWorkspace().frontmostApplication()
    return None if app is None else int(app.processIdentifier())


def _quartz() -> Any:
    try:
        import Quartz
    except ImportError:
        package = "pyobjc-framework-Quartz"
        raise CaptureError(messages.CAPTURE_NEEDS_PACKAGE.format(package=package)) from None
    return Quartz
