"""Screen capture: the screen, the active window or a region, as in-memory RGB images.

Works on X11 (also XWayland), Windows and macOS; every failure is a CaptureError whose
message can be shown and spoken. Nothing is ever written to disk.
"""

from __future__ import annotations

from desktop_app.capture._api import (
    activate_window,
    active_window_id,
    active_window_rect,
    capture_region,
    capture_screen,
    capture_window,
    desktop_bounds,
    monitors,
    move_pointer,
    pointer_position,
)
from desktop_app.capture._blank import Blank, blank_kind
from desktop_app.capture._screens import ORIGIN_KEY

__all__ = [
    "ORIGIN_KEY",
    "Blank",
    "activate_window",
    "active_window_id",
    "active_window_rect",
    "blank_kind",
    "capture_region",
    "capture_screen",
    "capture_window",
    "desktop_bounds",
    "monitors",
    "move_pointer",
    "pointer_position",
]
