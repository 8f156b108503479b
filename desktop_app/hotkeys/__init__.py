"""Global hotkeys that work while another program has focus (no Qt).

`create_listener()` picks X11, Windows or macOS; `start(bindings, on_press)` reports, per action,
the bindings it could not set (never raising for them), and calls `on_press` on its own thread.
"""

from desktop_app.hotkeys._factory import create_listener
from desktop_app.hotkeys._keys import Hotkey, format_hotkey, parse_hotkey
from desktop_app.hotkeys._listener import HotkeyListener, UnavailableListener

__all__ = [
    "Hotkey",
    "HotkeyListener",
    "UnavailableListener",
    "create_listener",
    "format_hotkey",
    "parse_hotkey",
]
