"""Every window and dialog in the pseudo-locale (en_XA): each text shown or given to a screen
reader is pseudo-localized (a text that is not escaped translation, or was built by
concatenation), and no label or button is narrower than its longer text needs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from PIL import Image
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.core import i18n, messages
from desktop_app.core.actions import SHOW_WINDOW
from desktop_app.core.pseudo_locale import PSEUDO_LANGUAGE, is_pseudo_localized
from desktop_app.gui.closing import ask_close
from desktop_app.gui.region_selector import RegionSelector
from desktop_app.gui.settings_dialog import SettingsDialog
from desktop_app.gui.tray import tray_menu
from desktop_app.settings import AppSettings, InterfaceLanguage
from tests.helpers.controllers import ControllerFactory
from tests.helpers.widget_texts import Shown, actions_texts, cut_off, texts_of

WINDOW_SIZE = (1280, 800)
NOT_TRANSLATED = {
    *i18n.LANGUAGE_NAMES.values(),  # each language named in its own language, on purpose
}
"""Texts shown as they are in every language."""


def _untranslated(shown: Iterator[Shown]) -> list[str]:
    """Texts with words in them that did not come through the pseudo-locale."""
    return sorted(
        {
            f"{item.where}: {item.text!r}"
            for item in shown
            if re.search(r"[A-Za-z]{2}", item.text)
            and not is_pseudo_localized(item.text)
            and item.text not in NOT_TRANSLATED
            and not _qt_own(item.text)
        }
    )


QT_OWN = {"&Yes", "&No", "Cancel", "&Cancel", "OK", "&OK", "Yes", "No"}
QT_OWN |= {"Scroll Left", "Scroll Right"}  # a tab bar's arrows
"""Qt's own words, translated by Qt's catalogue (qtbase_<language>.qm), not Iris's."""
KEYS = re.compile(r"((ctrl|alt|shift|super|meta|[a-z0-9,.-]|f\d+)\+?)+", re.IGNORECASE)
"""Keys as typed in a hotkey field (ctrl+alt+shift+d) or as Qt writes them (Ctrl+D)."""


def _qt_own(text: str) -> bool:
    return text in QT_OWN or bool(KEYS.fullmatch(text))


@pytest.fixture(autouse=True)
def pseudo_locale() -> None:
    """Installed after every module was imported: words captured at import must follow."""
    i18n.install(PSEUDO_LANGUAGE)


def test_the_main_window_and_its_menus(make_controller: ControllerFactory, qtbot: QtBot) -> None:
    controller = make_controller(show=True)
    window = controller.window
    window.resize(*WINDOW_SIZE)
    qtbot.waitExposed(window)
    controller.announce(messages.STATUS_DONE)
    shown = list(texts_of(window))
    assert len([item for item in shown if item.text]) > 100
    assert _untranslated(iter(shown)) == []
    assert cut_off(window) == []


def test_every_settings_page(qtbot: QtBot) -> None:
    dialog = SettingsDialog(AppSettings())
    qtbot.addWidget(dialog)
    dialog.resize(*WINDOW_SIZE)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert _untranslated(texts_of(dialog)) == []
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        qtbot.waitUntil(lambda index=index: dialog.tabs.currentIndex() == index)
        assert cut_off(dialog) == [], dialog.tabs.tabText(index)


def test_the_tray_menu(make_controller: ControllerFactory) -> None:
    window = make_controller().window
    show = QAction(SHOW_WINDOW.shown_label, window)
    menu = tray_menu(window.actions_by_key, show, window)
    shown = [item for action in menu.actions() for item in actions_texts(action, "tray")]
    assert len(shown) > 10
    assert _untranslated(iter(shown)) == []


def test_the_region_selector(qtbot: QtBot) -> None:
    selector = RegionSelector(Image.new("RGB", (1280, 800), (200, 200, 200)))
    qtbot.addWidget(selector)
    selector.show()
    assert _untranslated(texts_of(selector)) == []


def _walk_the_dialog_shown(seen: list[Shown], narrow: list[str]) -> Callable[[], None]:
    """Reads the modal dialog once it is shown, then closes it."""

    def walk() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QWidget)
        seen.extend(texts_of(box))
        narrow.extend(cut_off(box))
        box.close()

    return walk


def test_the_close_question(make_controller: ControllerFactory, qtbot: QtBot) -> None:
    window = make_controller(show=True).window
    seen: list[Shown] = []
    narrow: list[str] = []
    QTimer.singleShot(0, _walk_the_dialog_shown(seen, narrow))
    question = messages.CLOSE_QUESTION.format(show_hotkey="Ctrl+Alt+Shift+I")
    ask_close(window, question)
    assert question in {item.text for item in seen}
    assert _untranslated(iter(seen)) == [] and narrow == []


@pytest.mark.parametrize(
    ("title", "question"),
    [
        ("FIRST_RUN_TITLE", "FIRST_RUN_DOWNLOAD"),
        ("SERVER_CONSENT_TITLE", "SERVER_CONSENT_QUESTION"),
    ],
)
def test_the_questions_iris_asks(
    make_controller: ControllerFactory, title: str, question: str
) -> None:
    window = make_controller(show=True).window
    seen: list[Shown] = []
    narrow: list[str] = []
    QTimer.singleShot(0, _walk_the_dialog_shown(seen, narrow))
    text = getattr(messages, question).format(model="m", size="1 GB", server="gpu:8000")
    QMessageBox.question(window, getattr(messages, title), text)
    assert text in {item.text for item in seen}
    assert _untranslated(iter(seen)) == [] and narrow == []


def test_a_new_interface_language_is_said_to_apply_after_a_restart(
    make_controller: ControllerFactory,
) -> None:
    controller = make_controller()
    said: list[str] = []
    controller.voice.status_changed.connect(said.append)
    same = controller.settings.with_changes(answer_language="German")
    controller.preferences.apply(same)
    assert messages.INTERFACE_LANGUAGE_AFTER_RESTART not in said
    german = same.with_changes(interface_language=InterfaceLanguage.GERMAN)
    controller.preferences.apply(german)
    assert said[-1] == messages.INTERFACE_LANGUAGE_AFTER_RESTART
    assert is_pseudo_localized(said[-1])
    assert i18n.interface_language() == PSEUDO_LANGUAGE  # from the next start only
