"""Where detection looks: the rectangles around a screen's content, not its lines."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from desktop_app.engine.reading.regions import Box, content_regions

SIZE = (1920, 1080)
TEXTS = {(60, 40): "File  Edit  View  Help", (400, 600): "Quarterly report for the garden"}


def light_window(frames: bool, dark: bool = False) -> np.ndarray:
    """A BGR screen with two pieces of text; with `frames`, what light themes draw around
    them: the window's border, a sidebar's edge, a status bar's separator, a page's edge."""
    paper, ink, line = ((40, 40, 40), (230, 230, 230), (90, 90, 90)) if dark else (
        (250, 250, 250), (20, 20, 20), (200, 200, 200))  # fmt: skip
    image = Image.new("RGB", SIZE, paper)
    draw = ImageDraw.Draw(image)
    if frames:
        draw.rectangle((0, 0, SIZE[0] - 1, SIZE[1] - 1), outline=line)
        draw.line((300, 100, 300, 1040), fill=line)
        draw.line((0, 1040, SIZE[0], 1040), fill=line, width=2)
        draw.rectangle((360, 560, 1500, 1000), outline=line, width=3)
    font = ImageFont.truetype("DejaVuSans.ttf", 14)
    for place, text in TEXTS.items():
        draw.text(place, text, fill=ink, font=font)
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])


def _area_share(boxes: list[Box]) -> float:
    return sum((r - left) * (b - top) for left, top, r, b in boxes) / (SIZE[0] * SIZE[1])


def _holds(boxes: list[Box], point: tuple[int, int]) -> bool:
    x, y = point
    return any(left <= x < r and top <= y < b for left, top, r, b in boxes)


@pytest.mark.parametrize("dark", [False, True])
def test_borders_and_separators_do_not_make_the_whole_screen_one_region(dark: bool) -> None:
    boxes = content_regions(light_window(frames=True, dark=dark))
    assert len(boxes) >= 2
    assert _area_share(boxes) < 0.1, boxes
    for left, top in TEXTS:
        assert _holds(boxes, (left + 5, top + 7)), (left, top, boxes)


def test_lines_add_no_more_than_small_regions_at_their_ends_and_crossings() -> None:
    with_lines = content_regions(light_window(frames=True))
    without = content_regions(light_window(frames=False))
    for left, top in TEXTS:
        assert _holds(with_lines, (left + 5, top + 7)) and _holds(without, (left + 5, top + 7))
    added = [box for box in with_lines if not any(_overlap(box, other) for other in without)]
    assert all((r - left) <= 200 and (b - top) <= 200 for left, top, r, b in added), added


def _overlap(box: Box, other: Box) -> bool:
    return box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]


def framed_page() -> Image.Image:
    """A word processor's window: menus, a ruler along the top and down the left, a scroll
    bar's grip and a status line, all touching at the corners (one frame of ink round the
    screen), a note in the corner where the rulers meet, and a page of text in the middle."""
    ink = (20, 20, 20)
    image = Image.new("RGB", SIZE, (250, 250, 250))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("DejaVuSans.ttf", 14)
    for x in range(8, SIZE[0] - 60, 16):
        draw.line((x, 40, x, 44 if x % 80 else 50), fill=ink)
    for y in range(60, SIZE[1] - 40, 16):
        draw.line((8, y, 12 if y % 80 else 18, y), fill=ink)
        draw.point((SIZE[0] - 10, y), fill=ink)
    draw.text((8, 8), "File  Edit  View  Insert  Format  Tools  Help", fill=ink, font=font)
    draw.text((24, 84), "Margin 25 mm", fill=ink, font=font)
    draw.text((8, SIZE[1] - 28), "Page 1 of 1", fill=ink, font=font)
    for row in range(8):
        draw.text((400, 400 + row * 24), PAGE_LINE, fill=ink, font=font)
    return image


PAGE_LINE = "The garden opened on the first of April with thirty members."


def test_a_frame_of_toolbars_and_rulers_is_looked_at_side_by_side() -> None:
    """The frame's rectangle is the whole screen; its sides and the page, about a quarter."""
    page = np.ascontiguousarray(np.asarray(framed_page())[:, :, ::-1])
    boxes = content_regions(page)
    assert _area_share(boxes) < 0.3, boxes
    for point in ((10, 15), (30, 90), (10, SIZE[1] - 20), (410, 405), (SIZE[0] - 10, 500)):
        assert _holds(boxes, point), (point, boxes)


def test_text_where_two_regions_overlap_is_read_once() -> None:
    """The note in the frame's corner lies in the menus' region and in the left ruler's."""
    from desktop_app.engine.reading.reader import TextReader

    page = framed_page()
    assert len(content_regions(np.asarray(page)[:, :, ::-1])) > 1
    texts = [line.text for line in TextReader().read(page).lines]
    assert texts.count("Margin 25 mm") == 1
    assert texts.count(PAGE_LINE) == 8


def test_a_blank_or_busy_screen_is_detected_whole() -> None:
    blank = np.full((SIZE[1], SIZE[0], 3), 255, dtype=np.uint8)
    assert content_regions(blank) == [(0, 0, *SIZE)]
    noise = np.random.default_rng(7).integers(0, 256, (SIZE[1], SIZE[0], 3), dtype=np.uint8)
    assert content_regions(noise) == [(0, 0, *SIZE)]


def _quad(left: float, top: float, right: float, bottom: float) -> np.ndarray:
    return np.array([[left, top], [right, top], [right, bottom], [left, bottom]], "float32")


def test_the_first_band_keeps_only_rows_wholly_above_the_cut_row() -> None:
    """A row that reaches the band's edge may be cut off; a piece of it found on its own
    (a number at its end) is left out too."""
    from desktop_app.engine.reading.ocr import _above_cut

    menu, cut_row, piece = _quad(10, 5, 300, 25), _quad(60, 74, 900, 94), _quad(700, 74, 790, 88)
    kept = _above_cut([menu, cut_row, piece], cut=93)
    assert [quad.tolist() for quad in kept] == [menu.tolist()]
    assert len(_above_cut([menu, piece], cut=93)) == 2  # nothing cut: all kept


def test_the_line_read_first_is_not_read_again_from_the_whole_detection() -> None:
    """The whole detection may find the first line again, alone or as part of a longer
    piece of its row: only what lies beside it is kept."""
    from desktop_app.engine.reading.ocr import _beside

    used = _quad(10, 10, 100, 30)  # "File Edit", read from the top band
    assert _beside(_quad(11, 12, 98, 29), used) == []  # the same text again
    longer = _beside(_quad(8, 11, 400, 31), used)  # "File Edit View Insert Format"
    assert [quad.min(axis=0)[0] > 100 for quad in longer] == [True]
    assert longer[0].max(axis=0)[0] == 400
    below = _quad(10, 40, 300, 60)
    assert [quad.tolist() for quad in _beside(below, used)] == [below.tolist()]
    assert _beside(_quad(150, 10, 300, 30), used)[0].tolist() == _quad(150, 10, 300, 30).tolist()


def test_covered_means_mostly_inside() -> None:
    from desktop_app.engine.reading.ocr import _covered

    line = _quad(60, 40, 900, 60)
    assert _covered(_quad(60, 48, 880, 60), [line])  # its lower part, found again
    assert not _covered(_quad(60, 70, 900, 90), [line])  # the next line
    assert not _covered(_quad(850, 40, 1200, 60), [line])  # mostly beyond it
