"""Choose the pointer and active-window code for this platform and session."""

from __future__ import annotations

import os
import sys
from typing import Protocol

from desktop_app.core import messages
from desktop_app.core.errors import CaptureError
from desktop_app.core.types import Rect


class Platform(Protocol):
    """What each platform module (`_x11`, `_windows`, `_macos`) provides."""

    def check_access(self) -> None:
        """Raise CaptureError when the screen cannot be read at all (no display, no permission)."""

    def pointer_position(self) -> tuple[int, int]:
        """The pointer's position in virtual-desktop pixels."""

    def move_pointer(self, x: int, y: int) -> None:
        """Put the pointer at (x, y), in the same pixels as `pointer_position`; CaptureError
        when the system refuses."""

    def active_window_rect(self) -> Rect:
        """The focused window's outer rectangle (unclipped), or CaptureError."""

    def active_window_id(self) -> int | None:
        """The active window (on macOS the frontmost application), as a number to give back
        to `activate_window`; None when there is none."""

    def activate_window(self, window_id: int) -> None:
        """Give the keyboard focus back to `window_id`."""


def current() -> Platform:
    """The platform module for this session; CaptureError when capture cannot work here."""
    if sys.platform == "win32":
        import desktop_app.capture._windows as _windows

        return _windows
    if sys.platform == "darwin":
        import desktop_app.capture._macos as _macos

        return _macos
    if os.environ.get("DISPLAY"):  # X11, or XWayland under a Wayland desktop.
        import desktop_app.capture._x11 as _x11

        return _x11
    if os.environ.get("WAYLAND_DISPLAY"):
        raise CaptureError(messages.CAPTURE_WAYLAND)
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        raise CaptureError(messages.CAPTURE_NO_DISPLAY)
    raise CaptureError(messages.CAPTURE_UNSUPPORTED_PLATFORM.format(platform=sys.platform))
