"""Reading order from boxes alone: columns kept apart, tables and forms read row by row."""

from __future__ import annotations

from desktop_app.core.reading import TextLine, TextWord
from desktop_app.core.types import Rect
from desktop_app.engine.reading.layout import reading_order


def line(name: str, x: int, y: int, width: int, height: int = 16) -> TextLine:
    return TextLine((TextWord(name, 1.0),), Rect(x, y, width, height), 1.0)


def names(lines: list[TextLine]) -> list[str]:
    return [" ".join(block_line.text for block_line in block.lines) for block in
            reading_order(lines)]  # fmt: skip


def test_two_columns_of_prose_are_read_one_after_the_other() -> None:
    lines = [line("title", 40, 10, 900, 24)]
    for row in range(6):
        lines.append(line(f"L{row}", 40, 60 + row * 22, 420))
        lines.append(line(f"R{row}", 520, 60 + row * 22, 420))
    assert names(lines) == ["title", "L0 L1 L2 L3 L4 L5", "R0 R1 R2 R3 R4 R5"]


def test_a_table_is_read_row_by_row() -> None:
    lines = [
        line(f"{column}{row}", 40 + column_index * 200, 40 + row * 40, 90)
        for row in range(4)
        for column_index, column in enumerate("abc")
    ]
    blocks = reading_order(lines)
    assert [[cell.text for cell in block.lines] for block in blocks] == [
        [f"a{row}", f"b{row}", f"c{row}"] for row in range(4)
    ]
    assert all(block.is_row for block in blocks)


def test_a_sidebar_is_read_before_the_form_beside_it() -> None:
    sidebar = [line(f"section{index}", 20, 40 + index * 90, 80) for index in range(5)]
    form = [
        cell
        for row in range(8)
        for cell in (line(f"label{row}", 300, 40 + row * 60, 150),
                     line(f"value{row}", 700, 40 + row * 60, 90))
    ]  # fmt: skip
    order = names(sidebar[::-1] + form[::-1])
    assert order[:5] == [f"section{index}" for index in range(5)]
    assert order[5:] == [f"label{row} value{row}" for row in range(8)]


def test_a_terminal_line_split_at_wide_spaces_is_read_with_its_row() -> None:
    """The detector splits a listing's lines where the spaces widen (a right-aligned size):
    the pieces are read row by row, not as two columns of paragraphs."""
    lines = []
    for row in range(8):
        gap = 7 if row % 3 else 28  # one space; three spaces before a shorter number
        lines.append(line(f"left{row}", 4, 4 + row * 19, 212, 20))
        lines.append(line(f"right{row}", 216 + gap, 4 + row * 19, 360, 20))
    assert names(lines) == [f"left{row} right{row}" for row in range(8)]


def test_icon_labels_wrapped_under_their_icons_are_read_whole_row_by_row() -> None:
    """A file manager's icon view: names centred under icons, long ones wrapped onto a second
    line; each name is read whole, the icons left to right, then the next row."""
    names_by_row = [
        ["Holiday photos", "bank statement|march.pdf", "music", "doctor|appointment.ics"],
        ["Tax return draft.odt", "Wedding|speech.odt"],
    ]
    lines = []
    for row, row_names in enumerate(names_by_row):
        for column, name in enumerate(row_names):
            centre, top = 240 + column * 140, 180 + row * 110
            for index, part in enumerate(name.split("|")):
                width = 7 * len(part)
                lines.append(line(part, centre - width // 2, top + index * 17, width, 18))
    expected = [
        part for row_names in names_by_row for name in row_names for part in name.split("|")
    ]
    order = [cell.text for block in reading_order(lines) for cell in block.lines]
    assert order == expected
