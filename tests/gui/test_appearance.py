"""Low vision: high-contrast colours that meet WCAG, text that grows to 300 percent and is
saved, labels over the panes, a visible focus frame and caret, and a window that stays usable
at 200 percent text in 1280x800."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QPalette, QScreen
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QRadioButton,
    QStyle,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.core import messages
from desktop_app.gui import appearance
from desktop_app.gui.appearance import (
    CARET_PX,
    TEXT_PAIRS,
    contrast_ratio,
    high_contrast_palette,
)
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.reflowing_controls import WrappingCheckBox
from desktop_app.settings import AppSettings, Theme, load_settings
from tests.helpers.controllers import ControllerFactory
from tests.helpers.fakes import FakeSpeaker

HIGH_CONTRAST = (Theme.HIGH_CONTRAST_DARK, Theme.HIGH_CONTRAST_LIGHT)


@pytest.mark.parametrize("theme", HIGH_CONTRAST)
def test_every_text_of_a_high_contrast_theme_meets_wcag_aaa(theme: Theme) -> None:
    palette = high_contrast_palette(theme)
    for text, background in TEXT_PAIRS:
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Disabled):
            ratio = contrast_ratio(palette.color(group, text), palette.color(group, background))
            assert ratio >= 7.0, (theme, group, text, background, ratio)


def test_the_contrast_formula_matches_wcag() -> None:
    from PySide6.QtGui import QColor

    assert contrast_ratio(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio(QColor("#123456"), QColor("#123456")) == pytest.approx(1.0)


def sizes(widgets: list[QWidget]) -> list[float]:
    return [widget.font().pointSizeF() for widget in widgets]


def test_larger_and_smaller_text_are_saved_spoken_and_bounded(
    make_controller: ControllerFactory, tmp_path: Path
) -> None:
    settings_file = tmp_path / "settings.json"
    speaker = FakeSpeaker()
    controller = make_controller(speaker=speaker, settings_file=settings_file)
    window = controller.window
    zoomed = controller.appearance.zoomed_widgets()
    base = QApplication.font().pointSizeF()
    assert sizes(zoomed) == [pytest.approx(base)] * 3

    window.actions_by_key["larger_text"].trigger()
    assert sizes(zoomed) == [pytest.approx(base * 1.1)] * 3
    assert load_settings(settings_file).text_size_percent == 110
    assert speaker.said[-1][0] == messages.TEXT_SIZE_NOW.format(percent=110)

    for _ in range(30):
        window.actions_by_key["larger_text"].trigger()
    assert sizes(zoomed) == [pytest.approx(base * 3)] * 3
    assert load_settings(settings_file).text_size_percent == 300
    assert window.answer_view.maximumHeight() == 3 * appearance.ANSWER_HEIGHT_PX

    window.actions_by_key["normal_text"].trigger()
    assert load_settings(settings_file).text_size_percent == 100
    for _ in range(30):
        window.actions_by_key["smaller_text"].trigger()
    assert load_settings(settings_file).text_size_percent == appearance.SMALLEST
    assert sizes(zoomed) == [pytest.approx(base * appearance.SMALLEST / 100)] * 3


def test_the_saved_size_and_theme_apply_at_start_and_from_settings(
    make_controller: ControllerFactory,
) -> None:
    start = AppSettings().with_changes(text_size_percent=150, theme=Theme.HIGH_CONTRAST_DARK)
    controller = make_controller(start)
    window = controller.window
    base = QApplication.font().pointSizeF()
    assert window.question.font().pointSizeF() == pytest.approx(base * 1.5)
    dark = high_contrast_palette(Theme.HIGH_CONTRAST_DARK)
    assert window.palette().color(QPalette.ColorRole.Base) == dark.color(QPalette.ColorRole.Base)
    assert window.answer_view.palette().color(QPalette.ColorRole.Text) == dark.color(
        QPalette.ColorRole.Text
    )
    controller.preferences.apply(start.with_changes(theme=Theme.HIGH_CONTRAST_LIGHT))
    light = high_contrast_palette(Theme.HIGH_CONTRAST_LIGHT)
    assert window.palette().color(QPalette.ColorRole.Base) == light.color(QPalette.ColorRole.Base)
    highlight = light.color(QPalette.ColorRole.Highlight).name()
    assert f"border: 2px solid {highlight}" in window.styleSheet()  # the focus frame


def test_panes_have_visible_labels_and_fields_a_wide_caret(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    window = make_controller(show=True).window
    labels = {label.buddy(): label.text() for label in window.findChildren(QLabel)}
    assert labels[window.conversation] == messages.CONVERSATION_LABEL
    assert labels[window.answer_view] == messages.ANSWER_LABEL
    assert window.conversation_label.isVisible() and window.answer_label.isVisible()
    assert window.answer_view.cursorWidth() == CARET_PX
    for field in window.findChildren(QLineEdit):
        assert field.style().pixelMetric(QStyle.PixelMetric.PM_TextCursorWidth) == CARET_PX


def test_at_200_percent_every_control_fits_a_1280x800_window(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    start = AppSettings().with_changes(text_size_percent=200)
    window = make_controller(start, show=True).window
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.height() <= 800 and window.centralWidget().isVisible())
    central = window.centralWidget()
    controls = [
        child
        for child in central.findChildren(QWidget)
        if child.isVisible() and child.parentWidget() is central
    ]
    assert len(controls) >= 8
    for control in controls:
        box = control.geometry()
        assert central.rect().contains(box), control.objectName()
        assert box.height() >= control.minimumSizeHint().height(), control.objectName()
        assert box.width() >= control.minimumSizeHint().width(), control.objectName()
    # the text the user reads is still at least a line high in each pane
    for pane in (window.conversation, window.answer_view):
        assert pane.height() >= pane.fontMetrics().lineSpacing(), pane.objectName()


@pytest.mark.parametrize("theme", HIGH_CONTRAST)
def test_the_panes_labels_are_drawn_in_the_themes_colours(
    qtbot: QtBot, make_controller: ControllerFactory, theme: Theme
) -> None:
    """What is drawn, not only the palette: a label's pixels are the theme's text and
    background colours (a window-only palette left them the system's: black on black)."""
    from PySide6.QtGui import QColor

    window = make_controller(AppSettings().with_changes(theme=theme), show=True).window
    palette = high_contrast_palette(theme)
    text = palette.color(QPalette.ColorRole.WindowText)
    background = palette.color(QPalette.ColorRole.Window)
    image = window.conversation_label.grab().toImage()
    colours = {
        QColor(image.pixel(x, y)).rgb() for x in range(image.width()) for y in range(image.height())
    }
    assert background.rgb() in colours and text.rgb() in colours
    assert "border: 1px solid" in window.styleSheet()  # the panes' edges are drawn


@pytest.mark.parametrize(
    ("screen", "fits"),
    [(QSize(1920, 1040), QSize(720, 560)), (QSize(960, 510), QSize(720, 459))],
    ids=["1920x1080", "1920x1080 at 200 %"],
)
def test_the_window_opens_within_its_screen(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, screen: QSize, fits: QSize
) -> None:
    """A desktop scaled to 200 % gives Qt a screen of 960x540 (a panel takes 30): the window,
    720x560 where there is room, must leave its frame room on the screen."""
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _screen: QRect(QPoint(0, 0), screen))
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.size() == fits


@pytest.mark.parametrize("theme", HIGH_CONTRAST)
@pytest.mark.parametrize("kind", [WrappingCheckBox, QRadioButton])
def test_check_boxes_and_radio_buttons_are_drawn_in_the_text_colour(
    qtbot: QtBot, theme: Theme, kind: type[QAbstractButton]
) -> None:
    """Qt's own box is edged in a shade of the background: on a high-contrast theme's black
    it was invisible, so an unchecked box could not be told from no box at all."""
    from PySide6.QtGui import QColor

    palette = high_contrast_palette(theme)
    text = palette.color(QPalette.ColorRole.Text).rgb()
    window = QWidget()
    qtbot.addWidget(window)
    window.setPalette(palette)
    window.setStyleSheet(appearance.focus_style_sheet(palette, framed=True))
    button = kind("Describe all monitors", window)
    window.show()
    qtbot.waitExposed(window)

    def box_pixels_in_text_colour() -> int:
        image = button.grab().toImage()
        box = button.height()  # the box is no wider than a line is high
        return sum(
            QColor(image.pixel(x, y)).rgb() == text
            for x in range(box)
            for y in range(image.height())
        )

    unchecked = box_pixels_in_text_colour()
    assert unchecked >= 4 * button.fontMetrics().height() // 2  # its frame, all round
    button.setChecked(True)
    assert box_pixels_in_text_colour() > 2 * unchecked  # filled when on
