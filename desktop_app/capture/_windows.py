"""Pointer and foreground window on Windows (ctypes). Untested in CI (Linux only).

Coordinates are physical pixels: mss makes the process per-monitor DPI aware, and so does Qt.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from ctypes import wintypes
from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import CaptureError
from desktop_app.core.types import Rect

_DWMWA_EXTENDED_FRAME_BOUNDS = 9
_PER_MONITOR_AWARE_V2 = -4  # DPI_AWARENESS_CONTEXT_PER_MONITOR_AWARE_V2


def check_access() -> None:
    """Windows lets every desktop program read the screen."""


def pointer_position() -> tuple[int, int]:
    """GetCursorPos."""
    point = wintypes.POINT()
    if not _dll("user32").GetCursorPos(ctypes.byref(point)):
        raise CaptureError(messages.CAPTURE_FAILED.format(reason="GetCursorPos failed"))
    return int(point.x), int(point.y)


def move_pointer(x: int, y: int) -> None:
    """SetCursorPos in physical pixels: the calling thread is per-monitor DPI aware for the
    call, so the place is right even where nothing has made the process aware yet."""
    user32 = _dll("user32")
    with _physical_pixels(user32):
        if not user32.SetCursorPos(int(x), int(y)):
            reason = "SetCursorPos failed"
            raise CaptureError(messages.POINTER_MOVE_FAILED.format(reason=reason))


def active_window_rect() -> Rect:
    """The foreground window's visible frame (DWM bounds, without the invisible resize border)."""
    user32 = _dll("user32")
    hwnd = user32.GetForegroundWindow()
    if not hwnd or user32.IsIconic(hwnd) or not user32.IsWindowVisible(hwnd):
        raise CaptureError(messages.CAPTURE_NO_ACTIVE_WINDOW)
    rect = wintypes.RECT()
    found = _dwm_bounds(hwnd, rect) or user32.GetWindowRect(hwnd, ctypes.byref(rect))
    if not found or rect.right <= rect.left or rect.bottom <= rect.top:
        raise CaptureError(messages.CAPTURE_NO_ACTIVE_WINDOW)
    return Rect(rect.left, rect.top, rect.right - rect.left, rect.bottom - rect.top)


def active_window_id() -> int | None:
    """GetForegroundWindow's handle."""
    hwnd = _dll("user32").GetForegroundWindow()
    return int(hwnd) if hwnd else None


def activate_window(window_id: int) -> None:
    """SetForegroundWindow (Windows allows it to the program that had the last input)."""
    user32 = _dll("user32")
    if user32.IsIconic(window_id):
        user32.ShowWindow(window_id, 9)  # SW_RESTORE
    user32.SetForegroundWindow(window_id)


@contextmanager
def _physical_pixels(user32: Any) -> Iterator[None]:
    """The calling thread per-monitor DPI aware (Windows 10 1607+), then as it was."""
    set_context = getattr(user32, "SetThreadDpiAwarenessContext", None)
    if set_context is None:
        yield
        return
    set_context.restype = ctypes.c_void_p
    set_context.argtypes = [ctypes.c_void_p]
    previous = set_context(ctypes.c_void_p(_PER_MONITOR_AWARE_V2))
    try:
        yield
    finally:
        if previous:
            set_context(ctypes.c_void_p(previous))


def _dwm_bounds(hwnd: int, rect: wintypes.RECT) -> bool:
    try:
        dwmapi = _dll("dwmapi")
    except OSError:
        return False
    result = dwmapi.DwmGetWindowAttribute(
        wintypes.HWND(hwnd),
        wintypes.DWORD(_DWMWA_EXTENDED_FRAME_BOUNDS),
        ctypes.byref(rect),
        wintypes.DWORD(ctypes.sizeof(rect)),
    )
    return int(result) == 0  # S_OK


def _dll(name: str) -> Any:
    if sys.platform != "win32":
        raise OSError(f"{name}.dll exists only on Windows")
    return ctypes.WinDLL(name, use_last_error=True)
