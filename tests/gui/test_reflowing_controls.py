"""Controls and the layout that reflow rather than scroll sideways (offscreen, 800 pixels wide)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible, QImage, QPalette
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.gui.appearance import focus_style_sheet
from desktop_app.gui.flow_layout import FlowLayout
from desktop_app.gui.reflowing_controls import ShrinkingComboBox, WrappingCheckBox, WrappingLabel
from desktop_app.gui.screen_room import screen_room

LONG_LABEL = "Keep Iris in the notification area when its window is closed, and more words"


def _in_form(qtbot: QtBot, widget: QWidget, width: int) -> QWidget:
    """`widget` alone on a form row, in a shown window `width` pixels wide."""
    window = QWidget()
    qtbot.addWidget(window)
    QFormLayout(window).addRow(widget)
    window.resize(width, 400)
    window.show()
    qtbot.waitExposed(window)
    return window


def _ink_rows(image: QImage) -> list[int]:
    """The rows of `image` with a dark pixel (text) right of the box."""
    return [
        y
        for y in range(image.height())
        if any(image.pixelColor(x, y).lightness() < 100 for x in range(30, image.width()))
    ]


def test_a_check_box_label_wraps_where_the_row_is_narrow(qtbot: QtBot) -> None:
    box = WrappingCheckBox(LONG_LABEL)
    large = box.font()
    large.setPointSizeF(large.pointSizeF() * 2)  # large text: the box is small beside a line
    box.setFont(large)
    window = _in_form(qtbot, box, 440)  # noqa: F841 (kept alive)
    one_line = box.sizeHint().height()
    assert box.minimumSizeHint().width() < box.sizeHint().width() // 3
    assert box.heightForWidth(box.sizeHint().width()) == one_line
    line = box.fontMetrics().height()
    assert box.height() == box.heightForWidth(box.width()) >= one_line + 2 * line  # 3 lines
    # drawn on every line, the last one whole (its foot is not at the bottom edge)
    ink = _ink_rows(box.grab().toImage())
    assert ink[0] < one_line < ink[-1] < box.height() - box.fontMetrics().descent() // 2
    # still a check box to a screen reader, named by its label
    accessible = QAccessible.queryAccessibleInterface(box)
    assert accessible is not None
    assert accessible.role() == QAccessible.Role.CheckBox
    assert accessible.text(QAccessible.Text.Name) == LONG_LABEL


def test_a_wide_row_keeps_a_check_box_on_one_line(qtbot: QtBot) -> None:
    box = WrappingCheckBox("Describe all monitors")
    window = _in_form(qtbot, box, 700)  # noqa: F841 (kept alive)
    assert box.height() == box.sizeHint().height()
    ink = _ink_rows(box.grab().toImage())
    assert ink and ink[-1] < box.height()


def test_a_focused_check_box_gets_iris_s_focus_frame_around_every_line(qtbot: QtBot) -> None:
    box = WrappingCheckBox(LONG_LABEL)
    window = _in_form(qtbot, box, 220)
    highlight = window.palette().color(QPalette.ColorRole.Highlight)
    window.setStyleSheet(focus_style_sheet(window.palette()))

    def left_edge() -> set[str]:
        image = box.grab().toImage()
        return {image.pixelColor(0, y).name() for y in range(2, box.height() - 2)}

    assert highlight.name() not in left_edge()
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    assert left_edge() == {highlight.name()}


def test_a_click_on_a_wrapped_label_s_last_line_and_space_toggle_the_box(qtbot: QtBot) -> None:
    box = WrappingCheckBox(LONG_LABEL)
    window = _in_form(qtbot, box, 300)  # noqa: F841 (kept alive)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(60, box.height() - 6))
    assert box.isChecked()
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert not box.isChecked()


def test_a_combo_box_asks_for_its_widest_item_and_narrows_to_a_few_characters() -> None:
    combo = ShrinkingComboBox()
    combo.addItems(["Automatic (best for this computer, whatever it has in it)", "int8"])
    assert combo.minimumSizeHint().width() < combo.sizeHint().width() // 2
    short = ShrinkingComboBox()
    short.addItems(["On", "Off"])
    assert short.minimumSizeHint().width() == short.sizeHint().width()


def test_a_label_asks_for_one_line_up_to_half_the_screen_s_room(qtbot: QtBot) -> None:
    short = WrappingLabel("Speech rate")
    long = WrappingLabel(LONG_LABEL)
    qtbot.addWidget(short)
    qtbot.addWidget(long)
    one_line = QLabel("Speech rate").sizeHint()
    assert short.sizeHint() == one_line
    half = screen_room(long).width() // 2
    assert long.sizeHint().width() == half
    assert long.sizeHint().height() > one_line.height()
    assert long.heightForWidth(half * 2) == long.sizeHint().height()  # laid out at the hint


def _buttons(
    qtbot: QtBot, count: int, width: int | None = None
) -> tuple[QWidget, list[QPushButton]]:
    """A shown page `width` pixels wide (its hint's when None) with `count` buttons in a flow."""
    page = QWidget()
    qtbot.addWidget(page)
    row = FlowLayout()
    buttons = [QPushButton(f"Button number {index}") for index in range(count)]
    for button in buttons:
        row.addWidget(button)
    column = QVBoxLayout(page)
    column.addLayout(row)
    column.addStretch(1)
    page.resize(page.sizeHint().width() if width is None else width, 400)
    page.show()
    qtbot.waitExposed(page)
    return page, buttons


def test_buttons_in_a_flow_share_a_row_where_it_is_wide_enough(qtbot: QtBot) -> None:
    _page, buttons = _buttons(qtbot, 3)
    assert len({button.y() for button in buttons}) == 1
    lefts = [button.x() for button in buttons]
    assert lefts == sorted(lefts)


def test_buttons_in_a_flow_wrap_onto_more_rows_in_order_and_stay_in_view(qtbot: QtBot) -> None:
    width = 2 * QPushButton("Button number 0").sizeHint().width() + 40
    page, buttons = _buttons(qtbot, 7, width)
    rows = sorted({button.y() for button in buttons})
    assert len(rows) == 4
    assert [(rows.index(b.y()), b.x()) for b in buttons] == sorted(
        (rows.index(b.y()), b.x()) for b in buttons
    )  # reading order is the order added (and the focus order)
    assert all(button.geometry().right() < page.width() for button in buttons)
    layout = page.layout()
    assert layout is not None
    assert layout.minimumSize().width() < page.width()
    assert layout.totalHeightForWidth(page.width()) > layout.totalHeightForWidth(2000)


def test_a_hidden_button_takes_no_place_in_the_flow(qtbot: QtBot) -> None:
    _page, buttons = _buttons(qtbot, 3)
    first_gap = buttons[1].x() - buttons[0].geometry().right()
    buttons[1].hide()
    qtbot.waitUntil(lambda: buttons[2].x() - buttons[0].geometry().right() == first_gap)
