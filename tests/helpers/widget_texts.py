"""Every text a widget tree shows or gives a screen reader, and the labels too narrow for
theirs: what the pseudo-locale test walks (tests/gui/test_translated_interface.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from PySide6.QtGui import QAccessible, QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)


@dataclass(frozen=True)
class Shown:
    """A text and where it is ("QLabel#status: text")."""

    where: str
    text: str


def _name(widget: QWidget) -> str:
    return f"{type(widget).__name__}#{widget.objectName()}"


def texts_of(root: QWidget) -> Iterator[Shown]:
    """The texts of `root` and of every widget in it: titles, labels, button and tab texts,
    placeholders, combo box items, tooltips, accessible names and descriptions, and menus'
    actions. Text the user typed or an answer is not included (text fields' contents)."""
    for widget in (root, *root.findChildren(QWidget)):
        where = _name(widget)
        if widget.isWindow():
            yield Shown(f"{where} title", widget.windowTitle())
        yield Shown(f"{where} tooltip", widget.toolTip())
        yield Shown(f"{where} accessible name", widget.accessibleName())
        yield Shown(f"{where} accessible description", widget.accessibleDescription())
        interface = QAccessible.queryAccessibleInterface(widget)
        if interface is not None:
            yield Shown(f"{where} name read", interface.text(QAccessible.Text.Name))
        yield from _own_texts(widget, where)


def _own_texts(widget: QWidget, where: str) -> Iterator[Shown]:
    if isinstance(widget, QLabel | QAbstractButton):
        yield Shown(where, widget.text())
    elif isinstance(widget, QGroupBox):
        yield Shown(where, widget.title())
    elif isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        yield Shown(f"{where} placeholder", widget.placeholderText())
    elif isinstance(widget, QComboBox):
        for index in range(widget.count()):
            yield Shown(f"{where} item {index}", widget.itemText(index))
    elif isinstance(widget, QTabBar | QTabWidget):
        for index in range(widget.count()):
            yield Shown(f"{where} tab {index}", widget.tabText(index))
    elif isinstance(widget, QMenu):
        yield Shown(f"{where} title", widget.title())
    if isinstance(widget, QAbstractSpinBox):
        yield Shown(f"{where} special value", widget.specialValueText())
    for action in widget.actions():
        yield from actions_texts(action, where)


def actions_texts(action: QAction, where: str) -> Iterator[Shown]:
    """An action's text and tooltip, and its menu's."""
    if action.isSeparator():
        return
    yield Shown(f"{where} action", action.text())
    yield Shown(f"{where} action tooltip", action.toolTip())
    menu = action.menu()
    if isinstance(menu, QMenu):
        yield Shown(f"{where} menu", menu.title())
        for inner in menu.actions():
            yield from actions_texts(inner, f"{where} menu")


def cut_off(root: QWidget) -> list[str]:
    """Visible labels and buttons narrower than their text needs (their size hint)."""
    found = []
    for widget in (root, *root.findChildren(QWidget)):
        if not widget.isVisible() or not isinstance(widget, QLabel | QAbstractButton):
            continue
        text = widget.text()
        if not text or (isinstance(widget, QLabel) and widget.wordWrap()):
            continue
        if widget.width() < widget.sizeHint().width():
            found.append(f"{_name(widget)} {widget.width()} < {widget.sizeHint().width()}: {text}")
    return found
