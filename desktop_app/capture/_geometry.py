"""Rectangle arithmetic in virtual-desktop pixels; no display needed."""

from __future__ import annotations

from collections.abc import Sequence

from desktop_app.core import messages
from desktop_app.core.types import Rect


def clip(rect: Rect, bounds: Rect) -> Rect | None:
    """The part of `rect` inside `bounds`, or None when they do not overlap."""
    return rect.intersection(bounds)


def monitor_at(monitors: Sequence[Rect], x: int, y: int) -> Rect:
    """The monitor containing the point, else the first (primary) one."""
    if not monitors:
        raise ValueError("no monitors")
    return next((monitor for monitor in monitors if monitor.contains(x, y)), monitors[0])


def format_region(rect: Rect) -> str:
    """A rectangle as a screen reader should read it."""
    return messages.CAPTURE_REGION.format(x=rect.x, y=rect.y, width=rect.width, height=rect.height)
