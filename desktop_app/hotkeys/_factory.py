"""Pick the listener that works on this platform and session."""

from __future__ import annotations

import os
import sys

from desktop_app.core import messages
from desktop_app.core.errors import first_line
from desktop_app.hotkeys._listener import HotkeyListener, UnavailableListener


def create_listener() -> HotkeyListener:
    """The listener for this platform; never raises (problems come back from `start`).

    X11 (also XWayland) when DISPLAY is set, Windows, macOS; otherwise an UnavailableListener
    whose `start` reports one plain problem for every binding.
    """
    if sys.platform == "win32":
        from desktop_app.hotkeys._windows import WindowsListener

        try:
            return WindowsListener()
        except OSError as error:
            return UnavailableListener(
                messages.HOTKEY_FAILED.format(hotkey="", reason=first_line(error)).strip()
            )
    if sys.platform == "darwin":
        from desktop_app.hotkeys._macos import MacListener

        return MacListener()
    if os.environ.get("DISPLAY"):
        from desktop_app.hotkeys._x11 import X11Listener

        return X11Listener()
    if os.environ.get("WAYLAND_DISPLAY"):
        return UnavailableListener(messages.HOTKEY_WAYLAND)
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return UnavailableListener(messages.HOTKEY_NO_DISPLAY)
    return UnavailableListener(messages.HOTKEY_UNSUPPORTED_PLATFORM.format(platform=sys.platform))
