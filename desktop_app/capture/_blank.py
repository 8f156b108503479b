"""Captures with nothing in them: all black, all white or one flat colour.

NVDA's Screen Curtain, a locked or sleeping screen, protected video and a capture without
permission give such pictures; describing them would cost a model call for nothing. A picture
counts as blank when, in each of red, green and blue, all but a few pixels are within a small
distance of that channel's most common value (JPEG artefacts and dithering stay within it; one
short line of text does not).
"""

from __future__ import annotations

import enum

from PIL import Image

NOISE_LEVELS = 24
"""How far (of 255) a pixel may be from the picture's main colour and still count as it."""
MAX_OTHER_PIXELS = 8
"""More pixels than this away from the main colour (in any channel) make a real picture: one
letter of small text has a dozen or more."""
DARK_BELOW = 24
"""A main colour with every channel below this is black."""
LIGHT_ABOVE = 232
"""A main colour with every channel above this is white."""


class Blank(enum.Enum):
    """What a blank capture shows."""

    BLACK = "black"
    WHITE = "white"
    ONE_COLOUR = "one colour"


def blank_kind(image: Image.Image) -> Blank | None:
    """Blank.BLACK, WHITE or ONE_COLOUR for a picture with nothing in it, else None.

    One pass over the pixels (PIL's histogram): a few milliseconds for a 2880x1800 screen."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    histogram = rgb.histogram()
    main: list[int] = []
    for channel in range(3):
        counts = histogram[channel * 256 : (channel + 1) * 256]
        mode = max(range(256), key=counts.__getitem__)
        near = sum(counts[max(0, mode - NOISE_LEVELS) : mode + NOISE_LEVELS + 1])
        if sum(counts) - near > MAX_OTHER_PIXELS:
            return None
        main.append(mode)
    if all(level < DARK_BELOW for level in main):
        return Blank.BLACK
    if all(level > LIGHT_ABOVE for level in main):
        return Blank.WHITE
    return Blank.ONE_COLOUR
