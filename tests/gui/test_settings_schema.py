"""The settings schema is the one place of a setting's label, range, choices and page: the
Settings dialog shows what it declares and writes none of it again; settings the file held but
Iris could not use are told once when the window starts."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.core import messages
from desktop_app.core.actions import DEFAULT_HOTKEYS
from desktop_app.gui import server_panel, setting_controls, settings_dialog
from desktop_app.gui.settings_dialog import SettingsDialog
from desktop_app.settings import PERCENT, SCHEMA, AppSettings, SchemaField
from tests.helpers.controllers import ControllerFactory
from tests.helpers.fakes import FakeSpeaker, NoCapture
from tests.helpers.settings_samples import CHANGED

GUI_MODULES = (settings_dialog, server_panel, setting_controls)
"""Where the Settings dialog is built: none of the schema's numbers or labels is written here."""


@pytest.fixture
def dialog(qtbot: QtBot) -> Iterator[SettingsDialog]:
    widget = SettingsDialog(AppSettings())
    qtbot.addWidget(widget)
    yield widget


def _shown_fields() -> list[SchemaField]:
    return [entry for entry in SCHEMA if entry.place is not None and not entry.is_section]


def _page_title(dialog: SettingsDialog, widget: QWidget) -> str:
    for index in range(dialog.tabs.count()):
        page = dialog.tabs.widget(index)
        if page is not None and page.isAncestorOf(widget):
            return dialog.tabs.tabText(index)
    return ""


def _group_title(widget: QWidget) -> str:
    """The title of the nearest titled group around `widget` (pages' panels have none)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QGroupBox) and parent.title():
            return parent.title()
        parent = parent.parentWidget()
    return ""


def _expected_range(entry: SchemaField) -> tuple[float, float, float]:
    assert entry.minimum is not None and entry.maximum is not None
    scale = PERCENT if entry.percent else 1
    lowest = 0 if entry.none_label else entry.minimum * scale
    return lowest, entry.maximum * scale, entry.step * scale if entry.step else 1


def test_every_setting_has_the_control_its_declaration_says(dialog: SettingsDialog) -> None:
    checked = []
    for entry in _shown_fields():
        assert entry.place is not None
        if entry.kind is dict:  # the hotkeys: one field per action of the action table
            assert entry.item_label is not None
            for action in DEFAULT_HOTKEYS:
                field = dialog.findChild(QLineEdit, f"hotkey_{action}")
                assert field is not None and field.accessibleName() == entry.item_label(action)
                assert _page_title(dialog, field) == entry.place.page
            checked.append(entry.key)
            continue
        widget = dialog.findChild(QWidget, entry.widget or entry.name)
        assert widget is not None, entry.key
        assert widget.accessibleName() == entry.label, entry.key
        assert _page_title(dialog, widget) == entry.place.page, entry.key
        assert _group_title(widget) == entry.place.title, entry.key
        assert widget.accessibleDescription() == entry.description, entry.key
        if entry.kind is bool:
            assert isinstance(widget, QAbstractButton) and widget.text() == entry.label
        elif entry.choices:
            assert isinstance(widget, QComboBox) and not widget.isEditable()
            shown = [widget.itemText(i) for i in range(widget.count())]
            assert shown == list(entry.choice_labels.values()), entry.key
        elif entry.kind in (int, float):
            assert isinstance(widget, QSpinBox), entry.key
            shown_range = (widget.minimum(), widget.maximum(), widget.singleStep())
            assert shown_range == _expected_range(entry), entry.key
            assert widget.specialValueText() == entry.none_label, entry.key
        elif entry.multiline:
            assert isinstance(widget, QPlainTextEdit), entry.key
        elif entry.record is not None:  # the saved prompts: a list edited on its own page
            assert isinstance(widget, QListWidget), entry.key
            assert widget.count() == len(entry.value_in(dialog.result_settings())), entry.key
        elif isinstance(widget, QComboBox):  # the server's model: typed, or chosen from a list
            assert entry.kind is str and widget.isEditable()
        else:
            assert isinstance(widget, QLineEdit), entry.key
            assert widget.placeholderText() == entry.placeholder_text, entry.key
        checked.append(entry.key)
    assert len(checked) > 25


def test_each_control_shows_the_saved_value_and_gives_it_back(qtbot: QtBot) -> None:
    """Every shown setting with a value other than its default survives the dialog."""
    widget = SettingsDialog(CHANGED)
    qtbot.addWidget(widget)
    result = widget.result_settings()
    assert result == CHANGED
    for entry in _shown_fields():
        assert entry.value_in(result) == entry.value_in(CHANGED), entry.key


def _schema_numbers() -> set[float]:
    numbers: set[float] = set()
    for entry in SCHEMA:
        for number in (entry.minimum, entry.maximum, entry.step):
            if number is not None:
                numbers.update({number, number * PERCENT} if entry.percent else {number})
    return numbers - {0, 1}  # a spin box's 0 for "none", stretch factors


def _schema_strings() -> set[str]:
    strings: set[str] = set()
    for entry in SCHEMA:
        declared = (entry.label, entry.description, entry.placeholder_text, entry.none_label)
        strings.update(text for text in declared if text)
        strings.update(text for text in (entry.required, entry.too_small) if text)
        strings.update(entry.choice_labels.values())
        if entry.place is not None:
            strings.update(text for text in (entry.place.page, entry.place.title) if text)
        if entry.item_label is not None:
            strings.update(entry.item_label(action) for action in DEFAULT_HOTKEYS)
    return strings


def _spelled(path: Path) -> list[tuple[int, object]]:
    """Every number and string written in `path`, and every `messages.NAME` it names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, object]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and not isinstance(node.value, bool):
            found.append((node.lineno, node.value))
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("text", "messages")  # how the GUI imports core.messages
            and hasattr(messages, node.attr)
        ):
            found.append((node.lineno, getattr(messages, node.attr)))
    return found


def test_the_dialog_writes_no_range_or_label_of_the_schema() -> None:
    numbers = _schema_numbers()
    strings = _schema_strings()
    assert {16, 16384, 20, 1000, 32768, 100, 600, 3600} <= numbers
    assert messages.FIELD_RATE in strings and messages.QUANT_INT8 in strings
    found = []
    for module in GUI_MODULES:
        assert module.__file__ is not None
        path = Path(module.__file__)
        for line, value in _spelled(path):
            number = isinstance(value, int | float) and value in numbers
            if number or (isinstance(value, str) and value in strings):
                found.append(f"{path.name}:{line}: {value!r}")
    assert found == []


def test_the_scan_finds_a_hard_coded_range_or_label(tmp_path: Path) -> None:
    copy = tmp_path / "settings_dialog.py"
    copy.write_text(
        "self.rate.setRange(20, 1000)\nform_row(form, text.FIELD_RATE, self.rate)\n",
        encoding="utf-8",
    )
    spelled = [value for _, value in _spelled(copy)]
    assert 20 in spelled and 1000 in spelled and messages.FIELD_RATE in spelled


# -- told once at the start ------------------------------------------------------------------------
def test_reset_settings_are_announced_once_at_the_start(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real `run_app` with a settings file holding a bad rate: the window starts with the
    other settings, and says once which setting is back to its default."""
    from desktop_app.gui.app import run_app
    from desktop_app.gui.controller import Controller
    from desktop_app.gui.main_window import MainWindow

    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("IRIS_CONFIG_DIR", str(config))
    # keep_in_tray off: closing the window at the end quits at once (no close question)
    saved = {"answer_language": "French", "keep_in_tray": False, "speech": {"rate_wpm": 5000}}
    (config / "settings.json").write_text(json.dumps(saved), encoding="utf-8")
    monkeypatch.delenv("DISPLAY", raising=False)  # no global hotkeys: the same on any machine
    monkeypatch.setattr(Controller, "load_model", lambda self: None)  # no model needed here
    said: list[tuple[str, bool]] = []
    started: list[Controller] = []
    announce = Controller.announce

    def recording(
        self: Controller, text: str, *, speak: bool = True, interrupt: bool = True
    ) -> None:
        said.append((text, interrupt))
        started.append(self)
        announce(self, text, speak=speak, interrupt=interrupt)

    monkeypatch.setattr(Controller, "announce", recording)
    notice = messages.SETTINGS_RESET.format(
        details="Speaking rate in words per minute (5000 is more than 1000)"
    )
    quit_on_close = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    ticks = {"after": 0}

    def watch() -> None:  # a few event-loop turns after the notice, to see it said only once
        if any(text == notice for text, _ in said):
            ticks["after"] += 1
        if ticks["after"] >= 5:
            qapp.exit(0)

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(watch)
    give_up = QTimer()
    give_up.setSingleShot(True)
    give_up.timeout.connect(lambda: qapp.exit(1))
    timer.start()
    give_up.start(20_000)
    try:
        code = run_app(["iris"], model="unused-model", speak_to_files=tmp_path / "speech")
    finally:
        timer.stop()
        give_up.stop()
        qapp.setQuitOnLastWindowClosed(quit_on_close)
        for window in qapp.topLevelWidgets():
            if isinstance(window, MainWindow):
                window.close()
                window.deleteLater()
    assert code == 0
    assert [said_text for said_text, _ in said].count(notice) == 1
    assert (notice, False) in said  # after whatever was being said, not over it
    assert started[0].settings.answer_language == "French"  # the other settings are kept
    assert started[0].settings.speech.rate_wpm == 200


def test_the_reset_notice_waits_for_loading_to_end(make_controller: ControllerFactory) -> None:
    """Loading progress interrupts speech, so the notice is said after "Ready.", not under
    the progress; when no loading starts it is said at once."""
    from desktop_app.gui.app import start_loading

    speaker = FakeSpeaker()
    controller = make_controller(speaker=speaker, capturer=NoCapture())
    controller.load_model = lambda: True  # type: ignore[method-assign]
    start_loading(controller, "Some settings were reset.")
    assert speaker.said == []  # not yet: the model is loading
    controller.session.loading.emit("load", 0.5)
    controller.session.model_ready.emit("tiny")
    spoken = [text for text, _ in speaker.said]
    assert spoken[-2:] == [messages.SPOKEN_READY, "Some settings were reset."]
    assert speaker.said[-1][1] is False  # after "Ready.", not over it
    controller.load_model = lambda: False  # type: ignore[method-assign]
    start_loading(controller, "Told at once.")
    assert speaker.said[-1] == ("Told at once.", False)
