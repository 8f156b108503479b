"""Work-arounds that make Qt's widgets speak under Orca, measured with Orca 43 and Qt 6.11, 6.12.

- An empty text field is silent on Tab: Qt reports its caret move before its focus, so Orca
  takes the field as already presented. A name-changed event just after the focus makes Orca
  say the field's name. Linux only: NVDA and VoiceOver read the focus event itself.
- A dialog built while a screen reader listens floods it with events; see
  `accessibility_paused`.
- Orca reads a line edit's text without its last character (Qt reports zero-length text
  attribute runs); `describe_value` puts the whole value in the accessible description, which
  Orca reads after the field.
- Qt on X11 takes a loss of focus as final only 400 ms later. A window brought back within
  them was never inactive to Qt, which then tells screen readers nothing; Orca, which heard the
  other program's window activate, goes on presenting that one. `announce_activation` tells
  what Qt would have told.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QAccessible, QAccessibleEvent, QAccessibleStateChangeEvent
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTextEdit, QWidget


def _is_empty_text_field(widget: QObject) -> bool:
    if isinstance(widget, QLineEdit):
        return not widget.text()
    if isinstance(widget, (QPlainTextEdit, QTextEdit)):
        return not widget.toPlainText()
    return False


class SpeakEmptyFields(QObject):
    """An application event filter: an empty text field that gets the focus has its name
    announced again, so that Orca speaks it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and _is_empty_text_field(watched):
            assert isinstance(watched, QWidget)
            QTimer.singleShot(0, watched, lambda: _name_changed(watched))
        return False


def _name_changed(widget: QWidget) -> None:
    if widget.hasFocus():
        QAccessible.updateAccessibility(QAccessibleEvent(widget, QAccessible.Event.NameChanged))


def announce_activation(window: QWidget) -> None:
    """Tell screen readers that `window` is active and where its keyboard focus is, as Qt
    does when it learns of an activation (AT-SPI only)."""
    if not needed():
        return
    active = QAccessible.State()
    active.active = True
    QAccessible.updateAccessibility(QAccessibleStateChangeEvent(window, active))
    focused = window.focusWidget()
    if focused is not None:
        QAccessible.updateAccessibility(QAccessibleEvent(focused, QAccessible.Event.Focus))


def needed() -> bool:
    """True where the work-arounds apply (AT-SPI: Linux and the BSDs)."""
    return not sys.platform.startswith(("win32", "darwin"))


def describe_value(field: QLineEdit) -> None:
    """Keep `field`'s whole value in its accessible description, updated when editing ends
    (not at each key: Orca speaks a focused field's new description)."""
    field.setAccessibleDescription(field.text())
    field.editingFinished.connect(lambda: field.setAccessibleDescription(field.text()))


@contextmanager
def accessibility_paused() -> Iterator[None]:
    """Build a large window without telling screen readers about every widget as it is made.

    Building the Settings dialog sends hundreds of events; Orca 43 prunes its queue in such a
    flood and then misses the dialog's activation, so the dialog's name is never spoken. The
    finished window is read as usual once it is shown.
    """
    was_active = QAccessible.isActive()
    if was_active:
        QAccessible.setActive(False)
    try:
        yield
    finally:
        if was_active:
            QAccessible.setActive(True)
