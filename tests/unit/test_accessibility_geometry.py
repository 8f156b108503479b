"""Which part of the desktop an item's capture takes (accessibility/_geometry.py)."""

from __future__ import annotations

import pytest

from desktop_app.accessibility import ItemCapture, item_capture
from desktop_app.core.accessible import (
    CONTEXT_SIZE,
    ITEM_MARGIN,
    AccessibleItem,
    AccessibleNode,
    Role,
)
from desktop_app.core.types import Rect

DESKTOP = Rect(0, 0, 1920, 1080)
WINDOW = AccessibleNode(Role.WINDOW, "Editor", Rect(100, 100, 1200, 800))


def _item(
    rect: Rect | None,
    *ancestors: Rect | None,
    window: AccessibleNode | None = WINDOW,
) -> AccessibleItem:
    return AccessibleItem(
        node=AccessibleNode(Role.BUTTON, "OK", rect),
        window=window,
        ancestors=tuple(AccessibleNode(Role.GROUP, rect=place) for place in ancestors),
    )


def test_a_large_item_gets_a_margin_on_each_side() -> None:
    found = item_capture(_item(Rect(400, 300, 200, 100)), DESKTOP)
    assert found == ItemCapture(
        rect=Rect(400 - ITEM_MARGIN, 300 - ITEM_MARGIN, 200 + 16, 100 + 16),
        clipped=False,
        item_rect=Rect(ITEM_MARGIN, ITEM_MARGIN, 200, 100),
    )


def test_the_margin_stops_at_the_window() -> None:
    found = item_capture(_item(Rect(100, 104, 300, 100)), DESKTOP)
    assert found is not None
    assert found.rect == Rect(100, 100, 308, 112)  # Nothing left of or above the window.
    assert found.item_rect == Rect(0, 4, 300, 100)
    assert not found.clipped


def test_a_scrolled_viewport_clips_the_item() -> None:
    viewport = Rect(200, 200, 400, 300)  # The item's lower half is scrolled out of it.
    found = item_capture(
        _item(Rect(250, 400, 200, 200), Rect(150, 150, 600, 600), viewport), DESKTOP
    )
    assert found is not None
    assert found.clipped
    assert found.rect == Rect(242, 392, 216, 116)  # The visible 200 x 100, plus the margin.
    assert found.item_rect == Rect(8, 8, 200, 100)


def test_ancestors_without_a_place_do_not_clip() -> None:
    found = item_capture(_item(Rect(400, 300, 200, 100), None, None), DESKTOP)
    assert found is not None
    assert not found.clipped
    assert found.rect == Rect(392, 292, 216, 116)


@pytest.mark.parametrize(
    "item",
    [
        _item(Rect(250, 600, 200, 100), Rect(200, 200, 400, 300)),  # Scrolled right away.
        _item(Rect(1400, 200, 100, 50)),  # Outside its window.
        _item(Rect(2000, 100, 100, 50), window=None),  # Off the desktop.
        _item(
            Rect(10, 10, 50, 50), window=AccessibleNode(Role.WINDOW, rect=Rect(-900, 0, 800, 600))
        ),
        _item(None),  # No place at all.
    ],
)
def test_nothing_visible_is_none(item: AccessibleItem) -> None:
    assert item_capture(item, DESKTOP) is None


def test_an_item_partly_off_the_desktop_is_clipped() -> None:
    window = AccessibleNode(Role.WINDOW, rect=Rect(1700, 900, 600, 400))
    found = item_capture(_item(Rect(1800, 1000, 200, 200), window=window), DESKTOP)
    assert found is not None
    assert found.clipped
    # The visible part is 120 x 80 (not small): margin only where the desktop has room.
    assert found.rect == Rect(1792, 992, 128, 88)
    assert found.item_rect == Rect(8, 8, 120, 80)


def test_a_small_item_is_captured_with_its_surroundings() -> None:
    found = item_capture(_item(Rect(600, 400, 24, 24)), DESKTOP)
    width, height = CONTEXT_SIZE
    assert found is not None
    assert (found.rect.width, found.rect.height) == CONTEXT_SIZE
    assert found.rect == Rect(612 - width // 2, 412 - height // 2, width, height)  # Centred.
    assert found.item_rect == Rect(600 - found.rect.x, 400 - found.rect.y, 24, 24)
    assert not found.clipped


def test_a_thin_item_keeps_its_long_side_and_gains_context() -> None:
    found = item_capture(_item(Rect(300, 500, 800, 20)), DESKTOP)  # Lower than SMALL_ITEM.
    assert found is not None
    assert found.rect.width == 800 + 2 * ITEM_MARGIN
    assert found.rect.height == CONTEXT_SIZE[1]
    assert found.item_rect.x == ITEM_MARGIN


def test_the_context_shifts_at_the_window_edge_instead_of_shrinking() -> None:
    found = item_capture(_item(Rect(102, 880, 20, 18)), DESKTOP)  # Bottom-left of the window.
    assert found is not None
    assert found.rect == Rect(100, 900 - CONTEXT_SIZE[1], *CONTEXT_SIZE)
    assert found.item_rect == Rect(2, 880 - found.rect.y, 20, 18)


def test_the_context_shifts_at_the_desktop_edge_without_a_window() -> None:
    found = item_capture(_item(Rect(1910, 0, 10, 10), window=None), DESKTOP)
    assert found is not None
    assert found.rect == Rect(1920 - CONTEXT_SIZE[0], 0, *CONTEXT_SIZE)
    assert found.item_rect == Rect(CONTEXT_SIZE[0] - 10, 0, 10, 10)


def test_the_context_shrinks_only_to_a_window_smaller_than_it() -> None:
    dialog = AccessibleNode(Role.DIALOG, rect=Rect(500, 500, 300, 150))
    found = item_capture(_item(Rect(700, 600, 16, 16), window=dialog), DESKTOP)
    assert found is not None
    assert found.rect == Rect(500, 500, 300, 150)
    assert found.item_rect == Rect(200, 100, 16, 16)


def test_a_small_visible_part_of_a_large_item_gets_context() -> None:
    viewport = Rect(100, 100, 1200, 400)
    found = item_capture(_item(Rect(400, 490, 300, 300), viewport), DESKTOP)  # 10 px show.
    assert found is not None
    assert found.clipped
    assert found.rect.height == CONTEXT_SIZE[1]
    assert found.rect.width == max(300 + 2 * ITEM_MARGIN, CONTEXT_SIZE[0])
    assert found.item_rect.height == 10


def test_a_desktop_left_of_the_primary_monitor() -> None:
    desktop = Rect(-1280, 0, 3200, 1080)
    found = item_capture(_item(Rect(-1270, 10, 100, 100), window=None), desktop)
    assert found is not None
    assert found.rect == Rect(-1278, 2, 116, 116)
    assert found.item_rect == Rect(8, 8, 100, 100)
