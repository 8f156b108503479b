"""Qt's Python binding keeps its references to None.

On CPython 3.11, where None is an ordinary object with a reference count, PySide6 6.12.0 gave
back one reference to None too many at every call of a Qt method that returns nothing
(`setText`, `update`, `setFocus`, `processEvents` ...). The count fell by about 11 at each Tab
press in Iris's window and by 600 to 800 at each description, and when it reached zero Python
stopped Iris with "Fatal Python error: none_dealloc": after about 1,600 Tab presses, or some 25
descriptions. (From Python 3.12 None's count never changes, and these tests cannot fail.)
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from tests.helpers.controllers import ControllerFactory

CALLS = 2_000
TAB_PRESSES = 300
SLACK = 50
"""References to None that other work (the garbage collector, caches) may take or give back
meanwhile; a lost reference at each call loses thousands."""


def test_qt_methods_that_return_nothing_keep_nones_references(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for number in range(CALLS):
        label.setText(str(number % 2))
        label.update()
    assert before - sys.getrefcount(None) < SLACK


def test_tab_presses_in_the_window_keep_nones_references(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    window = make_controller(show=True).window
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    before = sys.getrefcount(None)
    for _ in range(TAB_PRESSES):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    assert before - sys.getrefcount(None) < SLACK
