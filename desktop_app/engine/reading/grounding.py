"""The text found on an image, written compactly for a vision-language model's prompt."""

from __future__ import annotations

from desktop_app.core.reading import TextBlock, TextReading
from desktop_app.core.types import Rect
from desktop_app.engine.reading.render import block_text

GROUNDING_CHARS = 1500
"""At most this much found text goes into a prompt (about 400 tokens)."""
_ROWS = ("top", "middle", "bottom")
_COLUMNS = ("left", "centre", "right")


def thirds(box: Rect, width: int, height: int, left: int = 0, top: int = 0) -> tuple[int, int]:
    """Row and column (0-2) of the third of a `width` x `height` area at (`left`, `top`) that
    the box's centre is in."""
    centre_x = box.x - left + box.width / 2
    centre_y = box.y - top + box.height / 2
    row = max(0, min(2, int(3 * centre_y / max(1, height))))
    column = max(0, min(2, int(3 * centre_x / max(1, width))))
    return row, column


def place_words(box: Rect, width: int, height: int) -> str:
    """Where the box's centre is on a `width` x `height` image, in thirds: 'top left', …"""
    row, column = thirds(box, width, height)
    return f"{_ROWS[row]} {_COLUMNS[column]}"


def position(block: TextBlock, width: int, height: int) -> str:
    """Where the block's centre is, in thirds: 'top left', 'middle centre', …"""
    return place_words(block.box, width, height)


def grounding_text(reading: TextReading, limit: int = GROUNDING_CHARS) -> str:
    """One line per block, 'position: text', in reading order, cut at `limit` characters."""
    lines: list[str] = []
    used = 0
    for block in reading.blocks:
        line = f"{position(block, reading.width, reading.height)}: {block_text(block, ' ')}"
        if used + len(line) > limit:
            lines.append(line[: max(0, limit - used)].rstrip() + " …")
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)
