"""Captures with nothing in them are recognised (and real ones, dark themes included, are not)."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image, ImageDraw

from desktop_app.capture import Blank, blank_kind
from desktop_app.testing.text_screens import dialog


def _jpeg(image: Image.Image, quality: int = 40) -> Image.Image:
    data = io.BytesIO()
    image.save(data, "JPEG", quality=quality)
    return Image.open(io.BytesIO(data.getvalue())).convert("RGB")


@pytest.mark.parametrize(
    ("colour", "kind"),
    [
        ((0, 0, 0), Blank.BLACK),
        ((255, 255, 255), Blank.WHITE),
        ((40, 90, 160), Blank.ONE_COLOUR),  # a plain wallpaper, a locked screen's colour
        ((128, 128, 128), Blank.ONE_COLOUR),
    ],
)
def test_one_colour_captures_are_blank(colour: tuple[int, int, int], kind: Blank) -> None:
    for size in ((1920, 1080), (2880, 1800), (40, 30)):
        image = Image.new("RGB", size, colour)
        started = time.perf_counter()
        assert blank_kind(image) is kind
        print(f"{size}: {(time.perf_counter() - started) * 1000:.1f} ms")


def test_near_black_with_noise_and_jpeg_artefacts_is_black() -> None:
    noise = Image.effect_noise((1920, 1080), 6).point(lambda value: max(0, value - 120))
    assert blank_kind(_jpeg(noise.convert("RGB"))) is Blank.BLACK
    assert blank_kind(_jpeg(Image.new("RGB", (1280, 800), (8, 8, 10)), quality=20)) is Blank.BLACK


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_real_screens_are_not_blank(theme: str) -> None:
    screen = dialog(theme, "DejaVu Sans", 12).image
    assert blank_kind(screen) is None
    assert blank_kind(_jpeg(screen)) is None


def test_one_small_word_on_a_dark_screen_is_something() -> None:
    image = Image.new("RGB", (1920, 1080), (18, 18, 18))
    ImageDraw.Draw(image).text((900, 500), "Hi", fill=(220, 220, 220))
    assert blank_kind(image) is None


def test_other_modes_are_read_as_colour() -> None:
    assert blank_kind(Image.new("L", (100, 100), 0)) is Blank.BLACK
    assert blank_kind(Image.new("RGBA", (100, 100), (250, 250, 250, 255))) is Blank.WHITE
