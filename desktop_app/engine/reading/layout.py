"""Reading order: lines → blocks (paragraphs, table rows) → top to bottom, left to right.

A recursive XY-cut. Lines close under one another merge into paragraph blocks first (and a
centred label's wrapped lines into one; not pieces of one line that the detector split at a
wider space: a terminal's columns); then
each region is cut at its widest empty band. A vertical band between cells that line up
row by row on both sides (a table, a form, a row of buttons) is not a column gutter: such
regions are cut into rows, and each row is read left to right as one `is_row` block.
Pure Python over boxes; no image needed.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop_app.core.reading import TextBlock, TextLine
from desktop_app.core.types import Rect

PARAGRAPH_GAP = 0.8
"""Lines merge into one block when the space between them is under this x their height."""
PARAGRAPH_LINE = 10.0
"""…and one of them is at least this many heights wide (prose, not a table column)."""
ROW_PARTNERS = 0.6
"""A vertical cut is a table's when this share of cells on each side has a partner in line."""
LABEL_CENTRE = 0.25
"""Short lines one under the other, closer than `LABEL_GAP` x their height, are one centred
label wrapped (a file manager's icon names) when their centres are closer than this x their
height and both their left and their right edges farther apart: a table's column, aligned
left or right, has one edge in common."""
LABEL_GAP = 0.4
LABEL_SAME_CENTRE = 0.1
"""…or, for a line under one of a row of labels with nothing beside it, when their centres
are closer than this x their height (names wrapped into two lines of about the same width)."""
PIECE_GAP = 1.5
"""Boxes in line with less than this x their height between them are pieces of one line."""
ROW_NEIGHBOUR = 3.0
"""A line has a neighbour in its row when another in line is less than this x its height away."""


def reading_order(lines: Sequence[TextLine]) -> tuple[TextBlock, ...]:
    """Group `lines` into blocks and put the blocks in reading order."""
    return tuple(_cut(_paragraphs(lines)))


def _paragraphs(lines: Sequence[TextLine]) -> list[TextBlock]:
    blocks: list[list[TextLine]] = []
    wraps: list[list[bool]] = []  # per block: whether each line goes on as a wrapped label
    pieces, in_rows = _neighbours_in_line(lines)
    for line in sorted(lines, key=lambda line: (line.box.y, line.box.x)):
        for block, wrapped in zip(blocks, wraps, strict=True):
            label = _wraps_label(block[-1], line, _in_a_row_alone(block[-1], line, in_rows))
            if label or (
                id(line) not in pieces
                and id(block[-1]) not in pieces
                and _next_paragraph_line(block[-1], line)
            ):
                wrapped[-1] = label
                block.append(line)
                wrapped.append(False)
                break
        else:
            blocks.append([line])
            wraps.append([False])
    return [
        TextBlock(tuple(block), union([line.box for line in block]), False, _flags(wrapped))
        for block, wrapped in zip(blocks, wraps, strict=True)
    ]


def _flags(wrapped: Sequence[bool]) -> tuple[bool, ...]:
    """`TextBlock.wrapped`: empty when no line goes on."""
    return tuple(wrapped) if any(wrapped) else ()


def _neighbours_in_line(lines: Sequence[TextLine]) -> tuple[set[int], set[int]]:
    """The ids of lines with another about as tall in the same line: (pieces, in_rows).
    Pieces are less than PIECE_GAP heights from it, a space or so: parts of one line, to be
    read with their row rather than merged down into a paragraph. In rows are less than
    ROW_NEIGHBOUR heights from it: lines with a neighbour in their row."""
    pieces: set[int] = set()
    in_rows: set[int] = set()
    ordered = sorted(lines, key=lambda line: line.box.y)
    for index, line in enumerate(ordered):
        a = line.box
        for other in ordered[index + 1 :]:
            b = other.box
            if b.y >= a.y + a.height:
                break
            height = min(a.height, b.height)
            if not _in_line(a, b) or max(a.height, b.height) >= 1.6 * height:
                continue
            gap = max(b.x - (a.x + a.width), a.x - (b.x + b.width))
            if gap < PIECE_GAP * height:
                pieces.update((id(line), id(other)))
            if gap < ROW_NEIGHBOUR * height:
                in_rows.update((id(line), id(other)))
    return pieces, in_rows


def _close_below(above: Rect, below: Rect, gap_heights: float) -> bool:
    """Whether `below` starts under `above`, less than `gap_heights` x their height down,
    and the two are about as tall."""
    height = min(above.height, below.height)
    gap = below.y - (above.y + above.height)
    return (
        -0.5 * height <= gap < gap_heights * height
        and max(above.height, below.height) < 1.6 * height
    )


def _next_paragraph_line(above: TextLine, below: TextLine) -> bool:
    """Whether `below` is a paragraph's next line after `above`."""
    a, b = above.box, below.box
    height = min(a.height, b.height)
    return (
        _close_below(a, b, PARAGRAPH_GAP)
        and max(a.width, b.width) >= PARAGRAPH_LINE * height
        and abs(a.x - b.x) < 1.5 * height
    )


def _wraps_label(above: TextLine, below: TextLine, in_a_grid: bool) -> bool:
    """Whether `below` is the rest of a centred label wrapped under an icon. Such labels sit
    closer side by side than a line's pieces may (a file manager's grid), so this holds for
    pieces too: a terminal's columns are aligned left or right, never centred. Two lines of
    about the same width have edges too close to tell; `in_a_grid` (`above` one of a row of
    labels, `below` on its own) lets them be one label when centred within `LABEL_SAME_CENTRE`."""
    a, b = above.box, below.box
    height = min(a.height, b.height)
    if not _close_below(a, b, LABEL_GAP) or max(a.width, b.width) >= PARAGRAPH_LINE * height:
        return False
    centres_apart = abs((a.x + a.width / 2) - (b.x + b.width / 2))
    edges_apart = min(abs(a.x - b.x), abs(a.x + a.width - b.x - b.width))
    if in_a_grid and centres_apart < LABEL_SAME_CENTRE * height:
        return True
    return centres_apart < LABEL_CENTRE * height < edges_apart


def _in_a_row_alone(above: TextLine, below: TextLine, in_rows: set[int]) -> bool:
    """Whether `above` sits in a row beside others while `below` has nothing near it in its
    own (`in_rows`: lines with a neighbour within ROW_NEIGHBOUR): the second line of a label
    in a grid of icon names, not a row of a table or a terminal."""
    return id(above) in in_rows and id(below) not in in_rows


def _unmerged(block: TextBlock) -> list[TextBlock]:
    """A paragraph's lines, each a block again (they were rows); a wrapped label stays whole."""
    if not _is_prose(block):
        return [block]
    return [TextBlock((line,), line.box) for line in block.lines]


def _is_prose(block: TextBlock) -> bool:
    """A paragraph of several lines (not a label wrapped onto two)."""
    height = min(line.box.height for line in block.lines)
    return len(block.lines) > 1 and block.box.width >= PARAGRAPH_LINE * height


def _cut(blocks: list[TextBlock]) -> list[TextBlock]:
    if len(blocks) <= 1:
        return blocks
    rows = _bands(blocks, vertical=False)
    columns = []
    for gap, left, right in _bands(blocks, vertical=True):
        if _is_table_cut(left, right):
            continue
        if _paragraphs_beside_cells(left, right):
            return _cut([part for block in blocks for part in _unmerged(block)])
        columns.append((gap, left, right))
    widest_row = max(rows, default=None, key=lambda band: band[0])
    widest_column = max(columns, default=None, key=lambda band: band[0])
    if widest_column and (not widest_row or widest_column[0] > widest_row[0]):
        return _cut(widest_column[1]) + _cut(widest_column[2])
    if widest_row:
        return _cut(widest_row[1]) + _cut(widest_row[2])
    return [_row(row) for row in _rows(blocks)]


def _bands(
    blocks: list[TextBlock], vertical: bool
) -> list[tuple[int, list[TextBlock], list[TextBlock]]]:
    """Every empty band across the region: (its width, blocks before it, blocks after it)."""

    def span(block: TextBlock) -> tuple[int, int]:
        box = block.box
        return (box.x, box.x + box.width) if vertical else (box.y, box.y + box.height)

    ordered = sorted(blocks, key=span)
    bands = []
    reach = span(ordered[0])[1]
    for index in range(1, len(ordered)):
        start, end = span(ordered[index])
        if start > reach:
            bands.append((start - reach, ordered[:index], ordered[index:]))
        reach = max(reach, end)
    return bands


def _is_table_cut(left: list[TextBlock], right: list[TextBlock]) -> bool:
    if any(_is_prose(block) for block in (*left, *right)):
        return False
    return _partnered(left, right) >= ROW_PARTNERS and _partnered(right, left) >= ROW_PARTNERS


def _paragraphs_beside_cells(left: list[TextBlock], right: list[TextBlock]) -> bool:
    """Whether one side is single lines, the other lines merged into paragraphs, and they
    line up line by line (a terminal's listing, a table with long last cells): rows, not
    columns."""
    multi_left = any(_is_prose(block) for block in left)
    multi_right = any(_is_prose(block) for block in right)
    if multi_left == multi_right:
        return False
    lines_left = [line.box for block in left for line in block.lines]
    lines_right = [line.box for block in right for line in block.lines]
    return (
        _partnered_boxes(lines_left, lines_right) >= ROW_PARTNERS
        and _partnered_boxes(lines_right, lines_left) >= ROW_PARTNERS
    )


def _partnered(blocks: list[TextBlock], others: list[TextBlock]) -> float:
    return _partnered_boxes([block.box for block in blocks], [other.box for other in others])


def _partnered_boxes(boxes: list[Rect], others: list[Rect]) -> float:
    found = sum(any(_in_line(box, other) for other in others) for box in boxes)
    return found / len(boxes)


def _in_line(a: Rect, b: Rect) -> bool:
    """Whether two boxes share at least half the height of the lower one: the same line."""
    overlap = min(a.y + a.height, b.y + b.height) - max(a.y, b.y)
    return overlap >= 0.5 * min(a.height, b.height)


def _rows(blocks: list[TextBlock]) -> list[list[TextBlock]]:
    """Blocks with no empty band between them grouped into rows, top to bottom: lines whose
    boxes touch the next row's (a terminal's tight lines) are still read row by row."""
    rows: list[list[TextBlock]] = []
    for block in sorted(blocks, key=lambda block: block.box.y + block.box.height / 2):
        box = block.box
        if rows and _partnered_boxes([box], [rows[-1][0].box]) == 1.0:
            rows[-1].append(block)
        else:
            rows.append([block])
    return rows


def _row(blocks: list[TextBlock]) -> TextBlock:
    """Blocks side by side with no empty band under them: one row, read left to right."""
    ordered = sorted(blocks, key=lambda block: block.box.x)
    lines = tuple(line for block in ordered for line in block.lines)
    wrapped = [block.goes_on(index) for block in ordered for index in range(len(block.lines))]
    return TextBlock(
        lines, union([block.box for block in ordered]), len(ordered) > 1, _flags(wrapped)
    )


def union(boxes: Sequence[Rect]) -> Rect:
    """The smallest box around `boxes`."""
    left = min(box.x for box in boxes)
    top = min(box.y for box in boxes)
    right = max(box.x + box.width for box in boxes)
    bottom = max(box.y + box.height for box in boxes)
    return Rect(left, top, right - left, bottom - top)
