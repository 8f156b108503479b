"""Settings dialog, region selector and tray icon, driven as a keyboard user would (offscreen)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible, QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.core import messages as text
from desktop_app.core.actions import SHOW_WINDOW
from desktop_app.core.types import Rect
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.region_selector import RegionSelector
from desktop_app.gui.screen_room import screen_room
from desktop_app.gui.settings_dialog import SettingsDialog
from desktop_app.gui.tray import TrayIcon, tray_available, tray_menu
from desktop_app.settings import (
    AUTO_MODEL,
    DEFAULT_HOTKEYS,
    AppSettings,
    DescriptionStyle,
    DeviceChoice,
    EngineSettings,
    Quantization,
    SpeechOutput,
    SpeechSettings,
    load_settings,
)
from desktop_app.settings.keeper import SettingsKeeper
from tests.helpers.reflow import cut_off

CUSTOM = AppSettings(
    engine=EngineSettings(
        model="/models/smolvlm",
        device=DeviceChoice.CPU,
        quantization=Quantization.INT8,
        max_new_tokens=400,
        longest_edge=1024,
        split_image=True,
    ),
    speech=SpeechSettings(
        enabled=False,
        voice="en-gb",
        rate_wpm=260,
        volume=0.8,
        output=SpeechOutput.SCREEN_READER,
    ),
    hotkeys={**DEFAULT_HOTKEYS, "describe_screen": "ctrl+alt+f5", "stop": "super+escape"},
    style=DescriptionStyle.CUSTOM,
    custom_prompt="Read every button label.",
    answer_language="French",
    all_monitors=True,
    keep_in_tray=False,
    start_at_login=True,
)


@pytest.fixture
def dialog(qtbot: QtBot) -> Iterator[SettingsDialog]:
    widget = SettingsDialog(AppSettings())
    qtbot.addWidget(widget)
    widget.show()
    yield widget


def _accessible_name(widget: QWidget) -> str:
    """The name a screen reader gets (own name, buddy label or button text)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return interface.text(QAccessible.Text.Name)


# -- settings dialog -------------------------------------------------------------------------
def test_every_field_has_an_accessible_name(dialog: SettingsDialog) -> None:
    editable = (QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QAbstractButton)
    fields = [
        widget
        for widget in dialog.findChildren(QWidget)
        if isinstance(widget, editable) and widget.focusPolicy() != Qt.FocusPolicy.NoFocus
    ]
    # spin boxes' and combo boxes' inner line edits are parts of their owner
    fields = [w for w in fields if not isinstance(w.parent(), QAbstractSpinBox | QComboBox)]
    assert len(fields) > 20
    unnamed = [w.objectName() or type(w).__name__ for w in fields if not _accessible_name(w)]
    assert unnamed == []
    assert dialog.hotkey_fields["describe_screen"].accessibleName() == (
        "Hotkey for Describe screen"
    )
    assert dialog.problems.accessibleName() == "Problems"
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles == ["General", "Model", "Hotkeys", "Speech", "Prompts"]
    pages = [dialog.general_page, dialog.model_page, dialog.hotkeys_page, dialog.speech_page]
    pages.append(dialog.prompts_page)
    assert [dialog.tabs.indexOf(page) for page in pages] == [0, 1, 2, 3, 4]
    panels = [dialog.tabs.panel(index) for index in range(len(pages))]
    assert all(panel.isAncestorOf(page) for panel, page in zip(panels, pages, strict=True))
    assert [panel.accessibleName() for panel in panels] == titles


def _scroll_of(page: QWidget) -> QScrollArea:
    scroll = page.parentWidget().parentWidget()  # page → viewport → scroll area
    assert isinstance(scroll, QScrollArea)
    return scroll


def test_at_double_text_size_every_settings_page_scrolls_to_the_focused_field(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    font = dialog.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    dialog.setFont(font)
    dialog.resize(1280, 800)
    qtbot.waitUntil(lambda: dialog.height() <= 800)
    dialog.tabs.setCurrentIndex(1)  # Model: the tallest page
    page = dialog.model_page
    scroll = _scroll_of(page)
    qtbot.waitUntil(lambda: page.height() > scroll.viewport().height())  # it must scroll
    last = dialog.max_new_tokens
    dialog.model.setFocus()
    for _ in range(40):  # Tab through the page, as the user does
        if last.hasFocus():
            break
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert last.hasFocus()
    top_left = last.mapTo(scroll.viewport(), last.rect().topLeft())
    assert scroll.viewport().rect().contains(top_left)


def _shown_pages(
    qtbot: QtBot, dialog: SettingsDialog
) -> Iterator[tuple[str, QWidget, QScrollArea]]:
    """Each page in turn, shown and laid out: its title, the page and its scroll area."""
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        page = dialog.tabs.widget(index)
        assert page is not None
        qtbot.waitUntil(page.isVisible)
        QApplication.processEvents()  # the page's layout request
        yield dialog.tabs.tabText(index), page, _scroll_of(page)


def _sideways_on_tabbing(qtbot: QtBot, dialog: SettingsDialog) -> list[str]:
    """Tab through every page, as the user does; each control whose page scrolled sideways
    or which is not wholly in view across, as "page: control"."""
    found: list[str] = []
    for title, page, scroll in _shown_pages(qtbot, dialog):
        first = page.nextInFocusChain()
        first.setFocus(Qt.FocusReason.TabFocusReason)
        seen: set[int] = set()
        while (focused := QApplication.focusWidget()) is not None and page.isAncestorOf(focused):
            if id(focused) in seen:
                break
            seen.add(id(focused))
            left = focused.mapTo(scroll.viewport(), focused.rect().topLeft()).x()
            sideways = scroll.horizontalScrollBar().maximum() > 0
            if sideways or left < 0 or left + focused.width() > scroll.viewport().width():
                found.append(f"{title}: {focused.objectName()}")
            qtbot.keyClick(focused, Qt.Key.Key_Tab)
        assert len(seen) > 1, title
    return found


def _cut_off(qtbot: QtBot, dialog: SettingsDialog) -> list[str]:
    """`cut_off` on each page, as "page: kind name"."""
    return [
        f"{title}: {each}"
        for title, page, scroll in _shown_pages(qtbot, dialog)
        for each in cut_off(page, scroll.viewport())
    ]


@pytest.mark.parametrize(
    ("language", "factor"),
    [("en", 1), ("en", 2), ("de", 1.5), ("de", 2), ("fr", 2), ("es", 2), ("de", 3)],
    ids=[
        "default text",
        "double text",
        "German, text one and a half times",
        "German, double text",
        "French, double text",
        "Spanish, double text",
        "German, triple text",
    ],
)
def test_no_settings_page_scrolls_sideways_as_the_focus_moves(
    qtbot: QtBot,
    interface_language: Callable[[str], str],
    text_size: Callable[[float], None],
    language: str,
    factor: float,
) -> None:
    """The window opens wide enough for every page, and its forms reflow (fields under their
    labels, labels and check boxes on more lines, buttons on more rows) rather than scroll
    sideways or cut text off; the offscreen screen is 800 pixels wide. As a new user sees
    them: the model still to download (the Model page's Download the model button)."""
    interface_language(language)
    text_size(factor)
    dialog = SettingsDialog(AppSettings(), model_missing=True)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() <= dialog.screen().availableGeometry().width()
    assert _sideways_on_tabbing(qtbot, dialog) == []
    assert _cut_off(qtbot, dialog) == []


def test_settings_open_as_wide_as_their_pages_where_the_screen_has_room(
    qtbot: QtBot, dialog: SettingsDialog
) -> None:
    """Not at Qt's two thirds of the screen (533 pixels here), where the Model page's fields
    went under their labels at the default text size (Precision among them)."""
    room = screen_room(dialog).width()
    assert dialog.sizeHint().width() > dialog.screen().availableGeometry().width() * 2 // 3
    assert dialog.width() == min(dialog.sizeHint().width(), room)
    dialog.tabs.setCurrentIndex(dialog.tabs.indexOf(dialog.model_page))
    QApplication.processEvents()
    field = dialog.quantization
    (label,) = [found for found in dialog.model_page.findChildren(QLabel) if found.buddy() is field]
    assert label.mapToGlobal(label.rect().center()).y() == pytest.approx(
        field.mapToGlobal(field.rect().center()).y(), abs=4
    )  # beside its label, not under it


def test_first_focus_and_tab_order(qtbot: QtBot, dialog: SettingsDialog) -> None:
    assert dialog.focusWidget() is dialog.answer_language
    order = []
    for _ in range(14):
        widget = dialog.focusWidget()
        assert widget is not None
        order.append(widget.objectName() or type(widget).__name__)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    # the disabled custom prompt and Clear history (no controller here) are skipped;
    # OK, Cancel and the tab bar close the circle
    assert order == [
        "answer_language",
        "style",
        "keep_in_tray",
        "bring_to_front",
        "start_at_login",
        "all_monitors",
        "interface_language",
        "keep_history",
        "theme",
        "text_size_percent",
        "QPushButton",
        "QPushButton",
        "page_tab_bar",
        "answer_language",
    ]


def test_round_trip_keeps_non_default_settings(qtbot: QtBot) -> None:
    widget = SettingsDialog(CUSTOM)
    qtbot.addWidget(widget)
    assert widget.result_settings() == CUSTOM


def test_round_trip_keeps_defaults(dialog: SettingsDialog) -> None:
    assert dialog.result_settings() == AppSettings()


def test_edits_reach_the_result(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.answer_language.clear()
    qtbot.keyClicks(dialog.answer_language, "German")
    dialog.style_combo.setCurrentIndex(1)
    dialog.quantization.setCurrentIndex(dialog.quantization.findText(text.QUANT_BNB_4BIT))
    dialog.device.setCurrentIndex(dialog.device.findText(text.DEVICE_CUDA))
    dialog.longest_edge.setValue(768)
    dialog.max_new_tokens.setValue(512)
    qtbot.keyClick(dialog.split_image, Qt.Key.Key_Space)
    field = dialog.hotkey_fields["repeat"]
    field.clear()
    qtbot.keyClicks(field, "Ctrl+Alt+F9")
    dialog.volume.setValue(55)
    qtbot.keyClicks(dialog.voice, "Samantha")
    dialog.speech_output.setCurrentIndex(
        dialog.speech_output.findText(text.SPEECH_OUTPUT_OWN_VOICE)
    )
    dialog.keep_in_tray.setChecked(False)
    qtbot.keyClick(dialog.bring_to_front, Qt.Key.Key_Space)

    result = dialog.result_settings()
    assert result.answer_language == "German"
    assert result.style is DescriptionStyle.DETAILED
    assert result.engine.quantization is Quantization.BNB_4BIT
    assert result.engine.device is DeviceChoice.CUDA
    assert result.engine.longest_edge == 768
    assert result.engine.max_new_tokens == 512
    assert result.engine.split_image is True
    assert result.hotkeys["repeat"] == "ctrl+alt+f9"
    assert result.speech.volume == pytest.approx(0.55)
    assert result.speech.voice == "Samantha"
    assert result.speech.output is SpeechOutput.OWN_VOICE
    assert result.keep_in_tray is False
    assert result.bring_to_front is True

    dialog.longest_edge.setValue(0)
    assert dialog.result_settings().engine.longest_edge is None


def test_choose_folder_fills_the_model_field(
    qtbot: QtBot, dialog: SettingsDialog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(tmp_path))
    qtbot.mouseClick(dialog.choose_folder, Qt.MouseButton.LeftButton)
    assert dialog.result_settings().engine.model == str(tmp_path)
    assert dialog.choose_folder.accessibleName()


def test_the_recommended_model_is_said_and_one_button_follows_it(dialog: SettingsDialog) -> None:
    from desktop_app.engine.models.choice import recommend, this_computer

    reason = recommend(this_computer()).reason
    shown = text.MODEL_RECOMMENDED.format(reason=reason)
    assert dialog.recommendation.text() == shown and not dialog.recommendation.isHidden()
    assert dialog.use_recommended.accessibleDescription() == shown  # spoken with the button
    dialog.use_recommended.click()
    assert dialog.result_settings().engine.model == AUTO_MODEL


def test_the_recommendation_is_as_tall_as_its_lines(qtbot: QtBot, dialog: SettingsDialog) -> None:
    """No blank lines between the sentence and its button (a form's field column gave the
    label the height of its narrowest wrapping)."""
    dialog.tabs.setCurrentIndex(1)
    dialog.resize(780, 700)  # the window's opening size on a 1280-pixel screen
    label = dialog.recommendation
    qtbot.waitUntil(lambda: label.isVisible() and dialog.width() == 780)
    QApplication.processEvents()
    assert label.height() == label.heightForWidth(label.width())


def test_custom_prompt_enabled_only_for_custom(dialog: SettingsDialog) -> None:
    names = [dialog.style_combo.itemText(i) for i in range(dialog.style_combo.count())]
    assert names == ["Short", "Detailed", "Custom"]
    assert not dialog.custom_prompt.isEnabled()
    dialog.style_combo.setCurrentIndex(2)
    assert dialog.custom_prompt.isEnabled()
    dialog.style_combo.setCurrentIndex(1)
    assert not dialog.custom_prompt.isEnabled()


def test_duplicate_hotkeys_are_refused(qtbot: QtBot, dialog: SettingsDialog) -> None:
    field = dialog.hotkey_fields["repeat"]
    field.setText("Ctrl+Alt+Shift+D")  # same as Describe screen, other spelling
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert dialog.isVisible()
    assert dialog.result() == 0
    assert dialog.problems.isVisible()
    assert "already used for Describe screen" in dialog.problems.text()
    assert dialog.tabs.currentWidget() is dialog.hotkeys_page
    assert dialog.focusWidget() is field
    assert "already used" in field.accessibleDescription()
    with pytest.raises(ValueError, match="already used"):
        dialog.result_settings()

    field.setText("ctrl+alt+shift+l")
    with qtbot.waitSignal(dialog.accepted):
        dialog.accept()
    assert not dialog.problems.isVisible()
    assert field.accessibleDescription() == "ctrl+alt+shift+l"  # its whole value again


@pytest.mark.parametrize("bad", ["d", "f5", "ctrl+", "ctrl+alt+nonsense", ""])
def test_hotkey_needs_a_modifier_and_a_key(dialog: SettingsDialog, bad: str) -> None:
    field = dialog.hotkey_fields["describe_window"]
    field.setText(bad)
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.problems.isVisible()
    assert dialog.problems.text().startswith("Hotkey for Describe window")
    assert dialog.focusWidget() is field


def test_too_small_longest_edge_is_refused(dialog: SettingsDialog) -> None:
    dialog.longest_edge.setValue(8)
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.problems.text() == text.PROBLEM_LONGEST_EDGE
    assert dialog.tabs.currentWidget() is dialog.model_page
    assert dialog.focusWidget() is dialog.longest_edge


def test_saving_the_dialogs_settings_writes_the_file(qtbot: QtBot, tmp_path: Path) -> None:
    widget = SettingsDialog(CUSTOM)
    qtbot.addWidget(widget)
    target = tmp_path / "iris" / "settings.json"
    assert SettingsKeeper(AppSettings(), target).save(widget.result_settings()) is None
    assert load_settings(target) == CUSTOM
    assert json.loads(target.read_text(encoding="utf-8"))["engine"]["quantization"] == "int8"


def test_saving_the_dialogs_settings_to_the_default_path(dialog: SettingsDialog) -> None:
    from desktop_app.settings import settings_path

    assert SettingsKeeper(AppSettings()).save(dialog.result_settings()) is None
    assert load_settings(settings_path()) == AppSettings()


def test_saving_the_dialogs_settings_reports_unwritable_target(
    dialog: SettingsDialog, tmp_path: Path
) -> None:
    target = tmp_path / "settings.json"
    target.mkdir()  # a folder where the file should be: root ignores chmod, not this
    message = SettingsKeeper(AppSettings(), target).save(dialog.result_settings())
    assert message is not None
    assert "cannot save" in message
    assert str(target) in message
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


# -- region selector -------------------------------------------------------------------------
@pytest.fixture
def selector(qtbot: QtBot) -> Iterator[RegionSelector]:
    widget = RegionSelector(Image.new("RGB", (1280, 800), (200, 200, 200)))
    qtbot.addWidget(widget)
    widget.resize(640, 400)  # half size: every widget pixel is two screenshot pixels
    widget.show()
    widget.setFocus()
    yield widget


def test_region_starts_centred_and_is_described(selector: RegionSelector) -> None:
    assert selector.region() == Rect(320, 200, 640, 400)
    assert selector.accessibleName() == "Choose a region"
    assert selector.accessibleDescription().startswith("Region 640 by 400 at 320, 200. ")
    assert "Escape" in selector.accessibleDescription()


def test_region_by_keyboard_only(qtbot: QtBot, selector: RegionSelector) -> None:
    qtbot.keyClick(selector, Qt.Key.Key_Right)
    qtbot.keyClick(selector, Qt.Key.Key_Right)
    qtbot.keyClick(selector, Qt.Key.Key_Up)
    qtbot.keyClick(selector, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(selector, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(selector, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(selector, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    shrink = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(selector, Qt.Key.Key_Left, shrink)
    expected = Rect(339, 190, 649, 420)
    assert selector.accessibleDescription().startswith("Region 649 by 420 at 339, 190.")
    with qtbot.waitSignal(selector.selected) as blocker:
        qtbot.keyClick(selector, Qt.Key.Key_Return)
    assert blocker.args == [expected]
    assert not selector.isVisible()


def test_region_escape_cancels(qtbot: QtBot, selector: RegionSelector) -> None:
    with qtbot.assertNotEmitted(selector.selected), qtbot.waitSignal(selector.cancelled):
        qtbot.keyClick(selector, Qt.Key.Key_Escape)
    assert not selector.isVisible()


def test_region_is_clamped_to_the_screenshot(qtbot: QtBot, selector: RegionSelector) -> None:
    for _ in range(100):
        qtbot.keyClick(selector, Qt.Key.Key_Right)
        qtbot.keyClick(selector, Qt.Key.Key_Down)
    assert selector.region() == Rect(640, 400, 640, 400)
    for _ in range(100):
        qtbot.keyClick(selector, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert selector.region() == Rect(640, 400, 640, 400)
    for _ in range(100):
        qtbot.keyClick(selector, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    assert selector.region() == Rect(640, 400, 1, 400)
    for _ in range(100):
        qtbot.keyClick(selector, Qt.Key.Key_Left)
        qtbot.keyClick(selector, Qt.Key.Key_Up)
    assert selector.region() == Rect(0, 0, 1, 400)
    with qtbot.waitSignal(selector.selected) as blocker:
        qtbot.keyClick(selector, Qt.Key.Key_Enter)
    assert blocker.args == [Rect(0, 0, 1, 400)]


def test_region_by_mouse_drag(qtbot: QtBot, selector: RegionSelector) -> None:
    # widget points are half the screenshot's pixels; dragging up-left works as well
    qtbot.mousePress(selector, Qt.MouseButton.LeftButton, pos=QPoint(300, 250))
    qtbot.mouseMove(selector, QPoint(200, 150))
    with qtbot.waitSignal(selector.selected) as blocker:
        qtbot.mouseRelease(selector, Qt.MouseButton.LeftButton, pos=QPoint(50, 100))
    assert blocker.args == [Rect(100, 200, 500, 300)]


def test_mouse_drag_is_clamped(qtbot: QtBot) -> None:
    widget = RegionSelector(Image.new("RGB", (300, 200)))
    qtbot.addWidget(widget)
    widget.resize(300, 200)
    widget.show()
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=QPoint(100, 50))
    with qtbot.waitSignal(widget.selected) as blocker:
        qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=QPoint(299, 199))
    assert blocker.args == [Rect(100, 50, 199, 149)]
    assert widget.to_image(QPoint(-40, 900)) == (0, 200)


def test_closing_the_selector_cancels(qtbot: QtBot, selector: RegionSelector) -> None:
    with qtbot.waitSignal(selector.cancelled):
        selector.close()


# -- tray ------------------------------------------------------------------------------------
def test_no_tray_offscreen_and_no_icon(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    assert tray_available() is False
    tray = TrayIcon(window.actions_by_key, window)
    assert tray.icon is None
    assert not tray.available
    tray.hide()  # harmless without an icon


def test_tray_menu_lists_the_main_actions(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    show = QAction(SHOW_WINDOW.label, window)
    menu = tray_menu(window.actions_by_key, show, window)
    names = [action.text() for action in menu.actions() if not action.isSeparator()]
    assert names == [
        "Describe screen",
        "Describe window",
        "Describe region",
        "Stop",
        "Repeat",
        "Unload the model",
        "Show Iris",
        "Quit",
    ]


def test_tray_show_window_brings_the_window_back(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    tray = TrayIcon(window.actions_by_key, window)
    assert not window.isVisible()
    tray.show_action.trigger()
    qtbot.waitUntil(window.isVisible)
