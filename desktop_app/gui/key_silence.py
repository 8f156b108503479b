"""A key pressed in any of Iris's windows silences Iris, as screen readers silence themselves."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent

_QUIET_MODIFIERS = frozenset({Qt.Key.Key_Shift, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr})
"""Modifiers that do not silence on their own (Ctrl does, as in NVDA and Orca)."""

_KEY_EVENTS = frozenset({QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress})


class SilenceOnKey(QObject):
    """An application event filter calling `silence()` once per key press (a press reaches
    several objects, first as a shortcut check, then as a key press)."""

    def __init__(self, silence: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._silence = silence
        self._handled = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() in _KEY_EVENTS
            and isinstance(event, QKeyEvent)
            and event.key() not in _QUIET_MODIFIERS
            and not event.isAutoRepeat()
            and not self._handled
        ):
            self._handled = True
            QTimer.singleShot(0, self._next_press)
            self._silence()
        return False

    def _next_press(self) -> None:
        self._handled = False
