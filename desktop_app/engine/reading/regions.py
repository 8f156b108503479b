"""Where a screenshot has anything on it: detection skips the flat parts.

Screens are mostly empty (a page's margins, a dialog's background, a dark desktop). The
detection model's work grows with the pixels it sees, so it runs on the rectangles around
what is not flat, found cheaply on a quarter-size copy. Straight lines do not count: a
panel's border, a separator or a page's edge would otherwise join everything on a light
screen into one rectangle as large as the screen; and what joins round the screen's edges
(a word processor's toolbars, rulers and status line) is looked at side by side, not as
the rectangle round it. numpy and OpenCV load lazily.
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
WHOLE_SHARE = 0.8
"""When regions cover more than this share of the image, it is detected whole (a word
processor's page in its frame of toolbars and rulers, 72 % of a 1920x1080 screen, was
detected in 0.42 s in parts, 0.70 s whole)."""
MAX_REGIONS = 48
"""Past this many regions, one run on the whole image costs less than many small ones."""
SPARSE_FILL = 0.25
"""A region whose ink fills less than this share of its rectangle is covered by smaller
rectangles instead…"""
CELL = 8
"""…made of cells this many small-copy pixels square."""


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
    work. They may overlap (a frame's sides at its corners): detection keeps what two of
    them find there once."""
    import cv2
    import numpy as np

    height, width = pixels.shape[:2]
    whole = [(0, 0, width, height)]
    if min(height, width) < 8 * SHRINK:
        return whole
    ink = _ink_not_lines(pixels, SHRINK)
    joined = cv2.dilate(ink, np.ones((2 * REACH + 1, 2 * REACH + 1), np.uint8))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    boxes = []
    for label, (left, top, box_width, box_height, area) in enumerate(stats.tolist()):
        if label == 0:
            continue
        if area >= SPARSE_FILL * box_width * box_height:
            covering = [(left, top, left + box_width, top + box_height)]
        else:
            part = labels[top : top + box_height, left : left + box_width] == label
            covering = [
                (left + x0, top + y0, left + x1, top + y1) for x0, y0, x1, y1 in _covering(part)
            ]
        boxes += [
            (
                max(0, x0 * SHRINK - MARGIN),
                max(0, y0 * SHRINK - MARGIN),
                min(width, x1 * SHRINK + MARGIN),
                min(height, y1 * SHRINK + MARGIN),
            )
            for x0, y0, x1, y1 in covering
        ]
    boxes = _merged(boxes)
    area = sum(_area(box) for box in boxes)
    if not boxes or len(boxes) > MAX_REGIONS or area > WHOLE_SHARE * width * height:
        return whole
    return boxes


def _covering(mask: Any) -> list[Box]:
    """Rectangles (mask pixels, in cells of CELL) covering what `mask` holds: each row of
    cells cut into runs, and a run carried down while the rows below have the same one. A
    frame of toolbars, rulers and a status bar becomes its sides, not the whole screen."""
    import numpy as np

    rows, columns = -(-mask.shape[0] // CELL), -(-mask.shape[1] // CELL)
    padded = np.zeros((rows * CELL, columns * CELL), dtype=bool)
    padded[: mask.shape[0], : mask.shape[1]] = mask
    cells: Any = padded.reshape(rows, CELL, columns, CELL).any(axis=(1, 3))
    found: list[Box] = []
    open_runs: dict[tuple[int, int], int] = {}  # (first cell, end cell) -> first row
    for row in range(rows + 1):
        runs = set(_runs(cells[row])) if row < rows else set()
        for run in [run for run in open_runs if run not in runs]:
            start_row = open_runs.pop(run)
            found.append((run[0] * CELL, start_row * CELL, run[1] * CELL, row * CELL))
        for run in runs - open_runs.keys():
            open_runs[run] = row
    height, width = mask.shape
    return [(x0, y0, min(x1, width), min(y1, height)) for x0, y0, x1, y1 in found]


def _runs(cells: Any) -> list[tuple[int, int]]:
    """(start, end) of each run of True in a row of cells."""
    import numpy as np

    edges = np.flatnonzero(np.diff(np.concatenate(([0], cells.astype(np.int8), [0]))))
    return [(int(start), int(end)) for start, end in zip(edges[::2], edges[1::2], strict=True)]


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
    """Overlapping rectangles joined until none overlap that would cost no more pixels
    joined than apart (the sides of a frame overlap at its corners, and stay apart)."""
    merged = sorted(boxes)
    changed = True
    while changed:
        changed = False
        kept: list[Box] = []
        for box in merged:
            for index, other in enumerate(kept):
                joined = (
                    min(box[0], other[0]),
                    min(box[1], other[1]),
                    max(box[2], other[2]),
                    max(box[3], other[3]),
                )
                if overlap(box, other) and _area(joined) <= _area(box) + _area(other):
                    kept[index] = joined
                    changed = True
                    break
            else:
                kept.append(box)
        merged = kept
    return merged


def overlap(box: Box, other: Box) -> Box | None:
    """Where two rectangles overlap, or None."""
    left, top = max(box[0], other[0]), max(box[1], other[1])
    right, bottom = min(box[2], other[2]), min(box[3], other[3])
    return (left, top, right, bottom) if left < right and top < bottom else None


def _area(box: Box) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])
