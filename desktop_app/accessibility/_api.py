"""The public functions, and the protocol each platform module keeps."""

from __future__ import annotations

import os
import sys
from typing import Protocol

from desktop_app.core import messages
from desktop_app.core.accessible import (
    TREE_NODE_LIMIT,
    TREE_TIME_LIMIT_S,
    AccessibleItem,
    AccessibleTree,
)
from desktop_app.core.errors import AccessibilityError


class AccessibilityPlatform(Protocol):
    """What each platform module (`_atspi`, `_uia`, `_ax`) provides."""

    def focused_item(self) -> AccessibleItem | None:
        """The object with the keyboard focus, None when there is none."""

    def item_at(self, x: int, y: int) -> AccessibleItem | None:
        """The deepest object at desktop pixel (x, y), None when no program tells."""

    def active_window_tree(self, time_limit_s: float, node_limit: int) -> AccessibleTree | None:
        """The active window's showing objects, read for at most `time_limit_s` seconds and
        `node_limit` objects; None when there is no active window on the bus."""


def current() -> AccessibilityPlatform:
    """The platform module for this session; AccessibilityError where there is none."""
    if sys.platform == "win32":
        import desktop_app.accessibility._uia as _uia

        return _uia
    if sys.platform == "darwin":
        import desktop_app.accessibility._ax as _ax

        return _ax
    if sys.platform.startswith("linux") and (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        import desktop_app.accessibility._atspi as _atspi

        return _atspi
    raise AccessibilityError(messages.ACCESSIBILITY_UNSUPPORTED.format(platform=sys.platform))


def focused_item() -> AccessibleItem | None:
    """The object with the keyboard focus, in any program."""
    return current().focused_item()


def item_at(x: int, y: int) -> AccessibleItem | None:
    """The deepest object at desktop pixel (x, y)."""
    return current().item_at(x, y)


def active_window_tree(
    time_limit_s: float = TREE_TIME_LIMIT_S, node_limit: int = TREE_NODE_LIMIT
) -> AccessibleTree | None:
    """The active window's tree, bounded in time and objects."""
    return current().active_window_tree(time_limit_s, node_limit)
