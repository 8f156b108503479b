"""Where a screenshot has anything on it: detection skips the flat parts.

Screens are mostly empty (a page's margins, a dialog's background, a dark desktop). The
detection model's work grows with the pixels it sees, so it runs on the rectangles around
what is not flat, found cheaply on a quarter-size copy. Straight lines do not count: a
panel's border, a separator or a page's edge would otherwise join everything on a light
screen into one rectangle as large as the screen. numpy and OpenCV load lazily.
"""

from __future__ import annotations

from typing import Any

SHRINK = 4
"""Flatness is judged on a copy this many times smaller on each side."""
EDGE = 10
"""A pixel whose 3x3 neighbourhood (small copy) varies by more than this (0-255) has ink."""
REACH = 6
"""Ink this close (small-copy pixels) joins one region: the words of a line, a paragraph."""
MARGIN = 16
"""Each region grows by this much (image pixels), so text at its edge keeps its border."""
WHOLE_SHARE = 0.6
"""When regions cover more than this share of the image, it is detected whole."""
MAX_REGIONS = 48
"""Past this many regions, one run on the whole image costs less than many small ones."""


HEIGHT_SHRINK = 2
"""Text height is judged on a copy this many times smaller on each side."""
WORD_JOIN = 5
"""Ink this close along a line (small-copy pixels) joins one word."""
GRADIENT_BORDER = 2
"""The ink mask (a 3x3 gradient) is this much higher than the glyphs (small-copy pixels)."""
WORD_HEIGHTS = (4, 40)
"""Word-like ink (at least twice as wide as high) of these heights (small copy) counts."""

Box = tuple[int, int, int, int]
"""left, top, right, bottom (image pixels)."""


def typical_text_height(pixels: Any) -> float | None:
    """The median height (image pixels) of the word-like ink in `pixels` (HxWx3), or None
    when there is none: about 14 for a 1920x1080 screen's text, 28 or more at HiDPI scale 2."""
    import cv2
    import numpy as np

    height, width = pixels.shape[:2]
    if min(height, width) < 8 * HEIGHT_SHRINK:
        return None
    ink = _ink(pixels, HEIGHT_SHRINK)
    words = cv2.dilate(ink, np.ones((1, WORD_JOIN), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(words, connectivity=8)
    low, high = WORD_HEIGHTS
    heights = [
        box_height
        for _left, _top, box_width, box_height, _area in stats[1:count].tolist()
        if box_width >= 2 * box_height and low <= box_height <= high
    ]
    return (float(np.median(heights)) - GRADIENT_BORDER) * HEIGHT_SHRINK if heights else None


def content_regions(pixels: Any) -> list[Box]:
    """Rectangles that hold everything in `pixels` (an HxWx3 array) but flat parts and
    straight lines, or the whole image as one rectangle where cutting it up would not save
    work."""
    import cv2
    import numpy as np

    height, width = pixels.shape[:2]
    whole = [(0, 0, width, height)]
    if min(height, width) < 8 * SHRINK:
        return whole
    ink = _ink_not_lines(pixels, SHRINK)
    joined = cv2.dilate(ink, np.ones((2 * REACH + 1, 2 * REACH + 1), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    boxes = []
    for left, top, box_width, box_height, _area in stats[1:count].tolist():
        boxes.append(
            (
                max(0, left * SHRINK - MARGIN),
                max(0, top * SHRINK - MARGIN),
                min(width, (left + box_width) * SHRINK + MARGIN),
                min(height, (top + box_height) * SHRINK + MARGIN),
            )
        )
    boxes = _merged(boxes)
    area = sum((right - left) * (bottom - top) for left, top, right, bottom in boxes)
    if not boxes or len(boxes) > MAX_REGIONS or area > WHOLE_SHARE * width * height:
        return whole
    return boxes


def _ink(pixels: Any, shrink: int) -> Any:
    """Where `pixels` (HxWx3) are not flat, on a copy `shrink` times smaller each way: 1 where
    a pixel's 3x3 neighbourhood varies by more than EDGE, else 0 (uint8)."""
    import cv2
    import numpy as np

    small = _small_gray(pixels, shrink)
    gradient = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    return (gradient > EDGE).astype(np.uint8)


def _ink_not_lines(pixels: Any, shrink: int) -> Any:
    """Like `_ink`, but only where the image changes both along and across (text, icons,
    pictures): a straight line or a flat rectangle's border changes one way only, and is
    left out except at its ends."""
    import cv2
    import numpy as np

    small = _small_gray(pixels, shrink)
    across = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((1, 3), np.uint8)) > EDGE
    down = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((3, 1), np.uint8)) > EDGE
    near = np.ones((3, 3), np.uint8)
    return cv2.bitwise_and(
        cv2.dilate(across.astype(np.uint8), near), cv2.dilate(down.astype(np.uint8), near)
    )


def _small_gray(pixels: Any, shrink: int) -> Any:
    """`pixels` (HxWx3, BGR) in grey, `shrink` times smaller each way."""
    import cv2

    height, width = pixels.shape[:2]
    gray = cv2.cvtColor(pixels, cv2.COLOR_BGR2GRAY)
    return cv2.resize(gray, (width // shrink, height // shrink), interpolation=cv2.INTER_AREA)


def _merged(boxes: list[Box]) -> list[Box]:
    """Overlapping rectangles joined until none overlap."""
    merged = sorted(boxes)
    changed = True
    while changed:
        changed = False
        kept: list[Box] = []
        for box in merged:
            for index, other in enumerate(kept):
                if (
                    box[0] < other[2]
                    and other[0] < box[2]
                    and box[1] < other[3]
                    and other[1] < box[3]
                ):
                    kept[index] = (
                        min(box[0], other[0]),
                        min(box[1], other[1]),
                        max(box[2], other[2]),
                        max(box[3], other[3]),
                    )
                    changed = True
                    break
            else:
                kept.append(box)
        merged = kept
    return merged
