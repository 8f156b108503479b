"""Reading order from boxes alone: columns kept apart, tables and forms read row by row."""

from __future__ import annotations

from desktop_app.core import messages
from desktop_app.core.reading import TextLine, TextWord
from desktop_app.core.types import Rect
from desktop_app.engine.reading.layout import reading_order
from desktop_app.engine.reading.render import block_text


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
            centre, top = 240 + column * 120, 180 + row * 110
            for index, part in enumerate(name.split("|")):
                width = 7 * len(part)
                lines.append(line(part, centre - width // 2, top + index * 17, width, 18))
    expected = [
        part for row_names in names_by_row for name in row_names for part in name.split("|")
    ]
    blocks = reading_order(lines)
    order = [cell.text for block in blocks for cell in block.lines]
    assert order == expected
    # each name is one cell: its lines joined by a space, the names by the cell separator
    assert [block_text(block) for block in blocks] == [
        messages.CELL_SEPARATOR.join(name.replace("|", " ") for name in row_names)
        for row_names in names_by_row
    ]


def test_a_wrapped_names_first_line_goes_on_only_into_a_line_that_was_read() -> None:
    """The reader leaves out lines it could not read: a name's first line then no longer
    goes on, and the next name is a cell of its own again."""
    lines = [line("bank statement", 300, 100, 98, 18), line("march.pdf", 314, 117, 70, 18),
             line("Budget 2026.ods", 420, 100, 105, 18)]  # fmt: skip
    (row,) = reading_order(lines)
    assert row.wrapped == (True, False, False)
    unread = row.with_lines([row.lines[0], None, row.lines[2]])
    assert unread is not None and unread.wrapped == () and unread.is_row
    assert block_text(unread) == messages.CELL_SEPARATOR.join(["bank statement", "Budget 2026.ods"])
    assert row.with_lines([None, None, None]) is None


THUNAR_1920 = [  # (text, x, y, width, height): a file manager's window as the detector boxed it
    ("File Edit View Go Bookmarks Help", 5, 2, 287, 21),
    ("/tmp/Documents/", 174, 39, 211, 17),
    ("Warning: you are using the root account. You may harm your system.", 6, 74, 452, 19),
    ("Places", 6, 107, 54, 18),
    ("home", 11, 128, 77, 30),
    ("Devices", 5, 159, 66, 20),
    ("File System", 39, 186, 85, 19),
    ("Holiday photos", 192, 174, 105, 25),
    ("music", 361, 178, 45, 18),
    ("Recipes", 496, 178, 56, 18),
    ("school reports", 614, 173, 100, 25),
    ("bank statement", 751, 176, 109, 20),
    ("march.pdf", 765, 192, 76, 22),
    ("Budget 2026.ods", 887, 176, 114, 20),
    ("doctor", 1059, 174, 50, 23),
    ("appointment.ics", 1027, 192, 113, 23),
    ("insurance", 1188, 177, 72, 20),
    ("renewal.pdf", 1181, 192, 86, 23),
    ("Invoice 4471.pdf", 1307, 176, 115, 20),
    ("Letter to the", 1461, 176, 86, 20),
    ("council.odt", 1465, 192, 80, 22),
    ("Meeting notes.txt", 1584, 177, 122, 20),
    ("Passport scan.png", 1719, 176, 127, 22),
    ("Tax return draft.odt", 179, 286, 132, 22),
    ("Train tickets.pdf", 328, 285, 111, 25),
    ("Wedding", 491, 286, 65, 23),
    ("speech.odt", 483, 303, 81, 23),
    ("4 folders | 11 files: 11 bytes", 184, 1060, 192, 15),
    ("Free space: 28.2 GiB", 389, 1060, 138, 19),
]


def test_a_file_managers_wrapped_names_are_read_whole_beside_its_sidebar() -> None:
    """Thunar at 1920x1080: the warning bar's line joins the sidebar's first entry into a
    paragraph, which lines up with the icons' rows: the rows are then read line by line, and
    the wrapped names must stay whole through that."""
    lines = [line(text, x, y, width, height) for text, x, y, width, height in THUNAR_1920]
    order = [cell.text for block in reading_order(lines) for cell in block.lines]
    for first, rest in [("bank statement", "march.pdf"), ("doctor", "appointment.ics"),
                        ("insurance", "renewal.pdf"), ("Wedding", "speech.odt"),
                        ("Letter to the", "council.odt")]:  # fmt: skip
        assert order[order.index(first) + 1] == rest, order
    assert order.index("Holiday photos") < order.index("bank statement") < order.index("doctor")


def test_a_name_wrapped_into_two_lines_of_the_same_width_is_one_cell() -> None:
    """ "Letter to the" over "council.odt": the edges are a few pixels apart, too close to
    tell centred from aligned; the first line stands in a row of names and the second alone,
    so it is one name, read whole in its row."""
    lines = [
        line("Invoice 4471.pdf", 1307, 176, 115, 20),
        line("Letter to the", 1461, 176, 86, 20),
        line("council.odt", 1465, 192, 80, 22),
        line("Meeting notes.txt", 1584, 177, 122, 20),
    ]
    (row,) = reading_order(lines)
    assert block_text(row) == messages.CELL_SEPARATOR.join(
        ["Invoice 4471.pdf", "Letter to the council.odt", "Meeting notes.txt"]
    )


def test_lines_of_the_same_width_in_a_terminal_stay_lines() -> None:
    """A terminal's names of one length, one under the other: in columns (each line has
    neighbours in its row) and alone (no row at all), every line is a line of its own."""
    grid = [line(f"file{row}{column}.txt", 4 + column * 130, 4 + row * 17, 88, 18)
            for row in range(3) for column in range(3)]  # fmt: skip
    assert [block_text(block) for block in reading_order(grid)] == [
        messages.CELL_SEPARATOR.join(f"file{row}{column}.txt" for column in range(3))
        for row in range(3)
    ]
    column = [
        line(f"file{row}.txt", 4 + row % 2, 4 + row * 17, 88 - row % 2, 18) for row in range(3)
    ]
    assert [block_text(block) for block in reading_order(column)] == [
        f"file{row}.txt" for row in range(3)
    ]
