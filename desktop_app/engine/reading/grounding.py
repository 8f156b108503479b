"""The text found on an image, written compactly for a vision-language model's prompt."""

from __future__ import annotations

from desktop_app.core.reading import TextBlock, TextReading
from desktop_app.engine.reading.render import block_text

GROUNDING_CHARS = 1500
"""At most this much found text goes into a prompt (about 400 tokens)."""
_ROWS = ("top", "middle", "bottom")
_COLUMNS = ("left", "centre", "right")


def position(block: TextBlock, width: int, height: int) -> str:
    """Where the block's centre is, in thirds: 'top left', 'middle centre', …"""
    centre_x = block.box.x + block.box.width / 2
    centre_y = block.box.y + block.box.height / 2
    row = _ROWS[min(2, int(3 * centre_y / max(1, height)))]
    column = _COLUMNS[min(2, int(3 * centre_x / max(1, width)))]
    return f"{row} {column}"


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
