"""The platform's accessibility API: the focused item, the item at a point, the active
window's tree (AT-SPI over D-Bus on Linux, UI Automation on Windows, the AX API on macOS).

Never Qt. Every failure is an AccessibilityError whose message can be shown and spoken.
"""

from __future__ import annotations

from desktop_app.accessibility._api import (
    AccessibilityPlatform,
    active_window_tree,
    focused_item,
    item_at,
)
from desktop_app.accessibility._geometry import ItemCapture, item_capture

__all__ = [
    "AccessibilityPlatform",
    "ItemCapture",
    "active_window_tree",
    "focused_item",
    "item_at",
    "item_capture",
]
