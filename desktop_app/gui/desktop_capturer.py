"""The real screen capture, as the controller wants it, with what the accessibility API knows:
the focused item and the item under the pointer are captured by their place on the screen,
and window and screen captures carry the active window's tree (`core.accessible.ScreenFacts`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from desktop_app import accessibility, capture
from desktop_app.core import messages
from desktop_app.core.accessible import AccessibleItem, AccessibleTree, ScreenFacts, attach_facts
from desktop_app.core.errors import AccessibilityError
from desktop_app.settings import AppSettings

_LOG = logging.getLogger(__name__)


class DesktopCapturer:
    """Captures the screen, the active window, the focused item or the item under the pointer,
    and moves the pointer; every failure is an IrisError with a sentence to say."""

    def __init__(self, settings: AppSettings) -> None:
        self.settings = settings

    def screen(self) -> Any:
        return with_tree(lambda: capture.capture_screen(all_monitors=self.settings.all_monitors))

    def window(self) -> Any:
        return with_tree(capture.capture_window, of_window=True)

    def focused_item(self) -> Any:
        return capture_item(accessibility.focused_item(), messages.NO_FOCUSED_ITEM)

    def item_under_pointer(self) -> Any:
        x, y = capture.pointer_position()
        return capture_item(accessibility.item_at(x, y), messages.NO_ITEM_UNDER_POINTER)

    def move_pointer(self, x: int, y: int) -> None:
        capture.move_pointer(x, y)

    def active_window_id(self) -> int | None:
        return capture.active_window_id()

    def activate(self, window_id: int) -> bool:
        return capture.activate_window(window_id)


def capture_item(item: AccessibleItem | None, when_none: str) -> Any:
    """The visible part of `item` with a margin (small items with their surroundings), its
    facts attached; AccessibilityError with `when_none` when there is no item, or with a
    sentence when it has no place on the screen."""
    if item is None:
        raise AccessibilityError(when_none)
    plan = accessibility.item_capture(item, capture.desktop_bounds())
    if plan is None:
        raise AccessibilityError(not_on_screen(item))
    image = capture.capture_region(plan.rect)
    origin = (plan.rect.x, plan.rect.y)
    return attach_facts(image, ScreenFacts(origin, item=item, clipped=plan.clipped))


def not_on_screen(item: AccessibleItem) -> str:
    """The sentence for an item with no visible place."""
    node = item.node
    role = messages.ROLE_WORDS.get(node.role_words, node.role_words)
    if node.name.strip():
        return messages.ITEM_NOT_ON_SCREEN_NAMED.format(role=role, name=node.name)
    return messages.ITEM_NOT_ON_SCREEN.format(role=role)


def with_tree(grab: Callable[[], Any], of_window: bool = False) -> Any:
    """`grab()`'s image with the active window's tree attached when the accessibility API
    gives one; the tree is read (in at most core.accessible.TREE_TIME_LIMIT_S) while the
    screen is grabbed. `of_window`: `grab` captures the active window."""
    with ThreadPoolExecutor(1, thread_name_prefix="iris-tree") as pool:
        reading = pool.submit(_active_window_tree)
        image = grab()
        tree = reading.result()
    if tree is None:
        return image
    left, top = (int(value) for value in image.info.get(capture.ORIGIN_KEY, (0, 0)))
    return attach_facts(image, ScreenFacts((left, top), tree=tree, of_window=of_window))


def _active_window_tree() -> AccessibleTree | None:
    try:
        return accessibility.active_window_tree()
    except AccessibilityError as error:
        _LOG.info("no accessibility tree for the capture: %s", error.message)
        return None
