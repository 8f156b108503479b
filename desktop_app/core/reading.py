"""Text found on an image by the text reader: words, lines and blocks in reading order."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from desktop_app.core.types import Rect


@dataclass(frozen=True)
class TextWord:
    """One word and how sure the reader is of it (0.0-1.0)."""

    text: str
    confidence: float


class LineEnd(enum.Enum):
    """What follows a line in reading order."""

    CELL = "cell"
    """The next cell of the same row."""
    LINE = "line"
    """The next line of the same block."""
    WRAP = "wrap"
    """The same cell going on in the next line (a name wrapped under its icon)."""
    BLOCK = "block"
    """A new block (or the end)."""


@dataclass(frozen=True)
class TextLine:
    """A line (or one table cell) of text with its box on the image."""

    words: tuple[TextWord, ...]
    box: Rect
    confidence: float

    @property
    def text(self) -> str:
        """The words, separated by spaces."""
        return " ".join(word.text for word in self.words)


@dataclass(frozen=True)
class TextBlock:
    """Lines that belong together: a paragraph, a table row, a row of buttons."""

    lines: tuple[TextLine, ...]
    box: Rect
    is_row: bool = False
    """True when the lines sit side by side (cells of one row), not one under another."""
    wrapped: tuple[bool, ...] = ()
    """For each line, whether it goes on in the next (a label wrapped under its icon: one
    cell on two lines); empty when none does."""

    def goes_on(self, index: int) -> bool:
        """Whether line `index` goes on in the next line (LineEnd.WRAP)."""
        return index < len(self.wrapped) and self.wrapped[index]

    def end_of(self, index: int) -> LineEnd:
        """What follows line `index`: its label's next line, the next cell of the row, the
        next line of the block, or a new block."""
        if self.goes_on(index):
            return LineEnd.WRAP
        if index == len(self.lines) - 1:
            return LineEnd.BLOCK
        return LineEnd.CELL if self.is_row else LineEnd.LINE

    def with_lines(self, lines: Sequence[TextLine | None]) -> TextBlock | None:
        """This block with each line replaced by the one given in its place, those given as
        None left out (not read, or already named); None when none is left. A wrapped line
        goes on only into the line it went on into."""
        kept: list[TextLine] = []
        wrapped: list[bool] = []
        for index, line in enumerate(lines):
            if line is None:
                continue
            kept.append(line)
            wrapped.append(
                self.goes_on(index) and index + 1 < len(lines) and lines[index + 1] is not None
            )
        if not kept:
            return None
        return TextBlock(
            tuple(kept),
            self.box,
            self.is_row and len(kept) > 1,
            tuple(wrapped) if any(wrapped) else (),
        )


@dataclass(frozen=True)
class TextReading:
    """Everything the reader found on one image, blocks in reading order."""

    blocks: tuple[TextBlock, ...]
    width: int
    height: int
    rotated: int = 0
    """Degrees the image was turned (clockwise) to make its text upright; boxes are in
    the upright image's pixels."""

    @property
    def lines(self) -> list[TextLine]:
        """Every line, in reading order."""
        return [line for block in self.blocks for line in block.lines]

    @property
    def empty(self) -> bool:
        """True when no text was found."""
        return not self.blocks
