"""Turning found text into what the user reads and hears: unsure words marked, cells joined."""

from __future__ import annotations

from desktop_app.core import messages
from desktop_app.core.reading import LineEnd, TextBlock, TextLine

UNSURE_BELOW = 0.6
"""A word whose least certain character is below this is marked as unclear."""


def line_text(line: TextLine) -> str:
    """The line's words, low-confidence ones marked, not guessed silently."""
    return " ".join(
        messages.UNCLEAR_WORD.format(word=word.text)
        if word.confidence < UNSURE_BELOW
        else word.text
        for word in line.words
    )


def separator(end: LineEnd) -> str:
    """What goes after a line: a cell separator, a line break, or a blank line."""
    if end is LineEnd.CELL:
        return messages.CELL_SEPARATOR
    if end is LineEnd.WRAP:
        return " "
    return "\n" if end is LineEnd.LINE else "\n\n"


def block_text(block: TextBlock, line_break: str = "\n") -> str:
    """A block as text: a row's cells on one line, a paragraph's lines one per line, a
    wrapped label's lines joined by a space."""
    parts = []
    for index, line in enumerate(block.lines):
        if index:
            end = block.end_of(index - 1)
            parts.append(line_break if end is LineEnd.LINE else separator(end))
        parts.append(line_text(line))
    return "".join(parts)
