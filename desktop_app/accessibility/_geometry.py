"""Which part of the desktop to capture for an item: its visible part, a margin, context."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core.accessible import CONTEXT_SIZE, ITEM_MARGIN, SMALL_ITEM, AccessibleItem
from desktop_app.core.types import Rect


@dataclass(frozen=True)
class ItemCapture:
    """Where to capture an item, and where the item lies on that capture."""

    rect: Rect
    """The rectangle to capture, in desktop pixels."""
    clipped: bool
    """Part of the item is scrolled away, outside its window or off the screen."""
    item_rect: Rect
    """The item's visible part, in the capture's pixels."""


def item_capture(item: AccessibleItem, desktop: Rect) -> ItemCapture | None:
    """The capture for `item` on `desktop`; None when it has no place or none of it shows.

    The visible part is the item's rectangle cut by every ancestor that has one (scroll panes
    clip), the window and the desktop. The capture is that part with ITEM_MARGIN around it; a
    part narrower or lower than SMALL_ITEM gets its surroundings, at least CONTEXT_SIZE, centred
    on it and shifted (not shrunk) at the window's or desktop's edges.
    """
    rect = item.node.rect
    if rect is None:
        return None
    window = item.window.rect if item.window is not None else None
    limit = desktop if window is None else window.intersection(desktop)
    visible = None if limit is None else rect.intersection(limit)
    for ancestor in item.ancestors:
        if visible is not None and ancestor.rect is not None:
            visible = visible.intersection(ancestor.rect)
    if visible is None or limit is None:
        return None
    grown = Rect(
        visible.x - ITEM_MARGIN,
        visible.y - ITEM_MARGIN,
        visible.width + 2 * ITEM_MARGIN,
        visible.height + 2 * ITEM_MARGIN,
    )
    capture = grown.intersection(limit) or visible
    if visible.width < SMALL_ITEM or visible.height < SMALL_ITEM:
        capture = _with_context(visible, capture, limit)
    return ItemCapture(
        rect=capture,
        clipped=(visible.width, visible.height) != (rect.width, rect.height),
        item_rect=Rect(visible.x - capture.x, visible.y - capture.y, visible.width, visible.height),
    )


def _with_context(visible: Rect, capture: Rect, limit: Rect) -> Rect:
    context_width, context_height = CONTEXT_SIZE
    x, width = _span(
        visible.x, visible.width, max(capture.width, context_width), limit.x, limit.width
    )
    y, height = _span(
        visible.y, visible.height, max(capture.height, context_height), limit.y, limit.height
    )
    return Rect(x, y, width, height)


def _span(start: int, length: int, wanted: int, low: int, room: int) -> tuple[int, int]:
    """A span of `wanted` pixels centred on [start, start + length), kept inside
    [low, low + room) by shifting; shorter only where the room is."""
    size = min(wanted, room)
    begin = start + length // 2 - size // 2
    begin = max(low, min(begin, low + room - size))
    return begin, size
