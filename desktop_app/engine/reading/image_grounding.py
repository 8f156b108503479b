"""Everything known about one image's text, for its prompt: the accessibility facts kept with
it and, only where those have no text, what the text reader finds."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop_app.core.accessible import ScreenFacts, facts_of
from desktop_app.core.reading import LineEnd, TextBlock, TextLine, TextReading
from desktop_app.core.types import Rect
from desktop_app.engine import tasks
from desktop_app.engine.reading.grounding import grounding_text
from desktop_app.engine.reading.layout import union
from desktop_app.engine.reading.reader import TextReader
from desktop_app.engine.reading.tree_grounding import (
    item_facts,
    on_picture,
    tree_lines,
    unread_parts,
)


@dataclass(frozen=True)
class ImageGround:
    """What the prompt is told about one image, and the text lines read on it."""

    text: str
    """The grounding for the prompt (GROUNDING, ITEM_GROUNDING, TREE_GROUNDING, ...); may be
    empty."""
    lines: tuple[TextLine, ...] = ()
    """Lines the text reader found, boxes in the image's pixels."""
    parts_read: tuple[Rect, ...] = ()
    """The parts of the image the reader read (the whole image when the facts had no text)."""


def ground_image(
    image: Any,
    reader: TextReader | None,
    due: threading.Event,
    so_far: Callable[[str], None] | None = None,
) -> ImageGround:
    """The grounding of `image`: its facts' names first, the reader only where they have none
    (nowhere when `reader` is None); once `due` is set the reader stops, and what it read so
    far is used. An image read whole gives `so_far` the grounding of the blocks read so far
    as each block ends, in the order the lines came (`BlocksSoFar`), and its grounding is
    then made the same way, so that it begins with each of those (unless the image had to be
    turned to read it)."""
    facts = facts_of(image)
    size = (int(image.width), int(image.height))
    if facts is None or (facts.tree is None and facts.item is None):
        if reader is None:
            return ImageGround("")
        stream = None if so_far is None else BlocksSoFar(size, so_far)
        reading = reader.read(image, None if stream is None else stream.add, cancelled=due)
        if stream is not None and not reading.rotated:
            text = stream.grounding()
        else:  # the lines' boxes are in the turned image's pixels: the reading's own size
            found = grounding_text(reading)
            text = tasks.GROUNDING.format(text=found) if found else ""
        whole = (Rect(0, 0, *size),)
        return ImageGround(text, tuple(reading.lines) if not reading.rotated else (), whole)
    parts = unread_parts(facts, size)
    blocks: list[tuple[TextBlock, Rect]] = []
    for part in parts:
        if due.is_set() or reader is None:
            break
        crop = image.crop((part.x, part.y, part.x + part.width, part.y + part.height))
        reading = reader.read(crop, cancelled=due)
        if not reading.rotated:
            blocks.extend((_shifted(block, part.x, part.y), part) for block in reading.blocks)
    kept = tuple(_new_text(blocks, facts, size))
    sections = []
    if facts.item is not None:
        sections.append(tasks.ITEM_GROUNDING.format(facts=item_facts(facts, size)))
    listed = tree_lines(facts, size)
    if listed:
        sections.append(tasks.TREE_GROUNDING.format(items=listed))
    found = grounding_text(TextReading(kept, *size))
    if found:
        sections.append(tasks.TREE_READER.format(text=found))
    lines = tuple(line for block in kept for line in block.lines)
    return ImageGround("\n\n".join(sections), lines, tuple(parts) if reader else ())


class BlocksSoFar:
    """Gathers a reading's lines as they come (`add`, a LineCallback) into blocks and, as
    each block ends, gives `told` the grounding of the blocks so far.

    The order is the order the lines came in, which is the reading's own except for its first
    line: the reader says the top line first, read before the rest was detected, and a line
    of a table row may then come before the cells to its left."""

    def __init__(self, size: tuple[int, int], told: Callable[[str], None]) -> None:
        self._size = size
        self._told = told
        self._blocks: list[TextBlock] = []
        self._lines: list[TextLine] = []
        self._ends: list[LineEnd] = []

    def add(self, line: TextLine, end: LineEnd) -> None:
        self._lines.append(line)
        self._ends.append(end)
        if end is LineEnd.BLOCK:
            self._blocks.append(self._open_block())
            self._lines, self._ends = [], []
            self._told(self.grounding())

    def grounding(self) -> str:
        """The grounding of the lines so far (those of a block not ended yet included)."""
        blocks = [*self._blocks, self._open_block()] if self._lines else self._blocks
        found = grounding_text(TextReading(tuple(blocks), *self._size))
        return tasks.GROUNDING.format(text=found) if found else ""

    def _open_block(self) -> TextBlock:
        wrapped = [end is LineEnd.WRAP for end in self._ends]
        row = any(end is LineEnd.CELL for end in self._ends)
        box = union([line.box for line in self._lines])
        return TextBlock(tuple(self._lines), box, row, tuple(wrapped) if any(wrapped) else ())


def item_grounding(image: Any) -> str:
    """What the accessibility API says of the item `image` was captured for ("a button with
    no name, focused, …"), for its prompt; empty for other images. Used with text grounding
    off too: it costs no reading."""
    facts = facts_of(image)
    if facts is None or facts.item is None:
        return ""
    size = (int(image.width), int(image.height))
    return tasks.ITEM_GROUNDING.format(facts=item_facts(facts, size))


def _shifted(block: TextBlock, dx: int, dy: int) -> TextBlock:
    lines = tuple(
        TextLine(line.words, _moved(line.box, dx, dy), line.confidence) for line in block.lines
    )
    return TextBlock(lines, _moved(block.box, dx, dy), block.is_row, block.wrapped)


def _moved(box: Rect, dx: int, dy: int) -> Rect:
    return Rect(box.x + dx, box.y + dy, box.width, box.height)


def _new_text(
    blocks: list[tuple[TextBlock, Rect]], facts: ScreenFacts, size: tuple[int, int]
) -> list[TextBlock]:
    """The blocks without lines the facts already name: the same words, or a line lying on a
    named object smaller than the part read (a misreading of its name)."""
    names = {text.strip().casefold() for text in _texts(facts) if text.strip()}
    named = [
        part
        for node in _nodes(facts)
        if node.has_text
        for part in [on_picture(facts, node.rect, size)]
        if part is not None
    ]
    kept = []
    for block, read in blocks:
        inside = [part for part in named if _area(part) < _area(read)]
        new = block.with_lines(
            [
                line
                if line.text.strip().casefold() not in names
                and not any(_on(line.box, part) for part in inside)
                else None
                for line in block.lines
            ]
        )
        if new is not None:
            kept.append(new)
    return kept


def _nodes(facts: ScreenFacts) -> list[Any]:
    nodes = list(facts.tree.nodes) if facts.tree is not None else []
    if facts.item is not None:
        nodes.append(facts.item.node)
    return nodes


def _texts(facts: ScreenFacts) -> list[str]:
    return [text for node in _nodes(facts) for text in (node.name, node.value)]


def _on(box: Rect, part: Rect) -> bool:
    return part.contains(box.x + box.width // 2, box.y + box.height // 2)


def _area(rect: Rect) -> int:
    return rect.width * rect.height
