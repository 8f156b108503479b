"""The typical height of a screen's text, which sets how small detection may see it."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from desktop_app.engine.reading import ocr
from desktop_app.engine.reading.regions import typical_text_height

WORDS = "Settings Window Model Answer Speech Hotkeys Describe screen Read text"


def page(font_size: int, dark: bool = False) -> np.ndarray:
    """A 1280x800 BGR page of text lines in DejaVu Sans at `font_size` pixels."""
    paper, ink = ((30, 30, 30), (230, 230, 230)) if dark else ((255, 255, 255), (20, 20, 20))
    image = Image.new("RGB", (1280, 800), paper)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("DejaVuSans.ttf", font_size)
    for row in range(0, 760, font_size * 2):
        draw.text((20, 20 + row), WORDS, fill=ink, font=font)
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])


@pytest.mark.parametrize("dark", [False, True])
def test_text_twice_as_high_measures_about_twice_as_high(dark: bool) -> None:
    normal, large = typical_text_height(page(14, dark)), typical_text_height(page(28, dark))
    assert normal is not None and large is not None
    assert 8 <= normal <= 20
    assert 1.6 <= large / normal <= 2.5


def test_only_large_text_is_detected_smaller() -> None:
    assert ocr.text_shrink(page(14)) == 1.0
    assert 0.5 <= ocr.text_shrink(page(32)) < 0.8
    blank = np.full((800, 1280, 3), 255, dtype=np.uint8)
    assert typical_text_height(blank) is None and ocr.text_shrink(blank) == 1.0
