"""Captures that leave the keyboard focus where the user works.

A global hotkey pressed in another program captures without raising or activating Iris: the
answer is spoken while the user stays in their program. Iris hides only when it is the active
window (then it is on top of what is captured) and comes back afterwards. "Ask about the
screen" is the one capture that brings Iris forward; it remembers the program the user came
from, and `return_to_previous` (Escape) goes back there.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.core.errors import IrisError
from desktop_app.gui.screen_reader_fixes import announce_activation

HIDE_BEFORE_CAPTURE_MS = 250
"""Time for the window manager to take Iris off the screen before a capture."""


class WindowSwitcher(Protocol):
    """The platform's active window, as `desktop_app.capture` tells and sets it."""

    def active_window_id(self) -> int | None: ...
    def activate(self, window_id: int) -> bool: ...


class FocusKeeper:
    """Runs captures around Iris's window without taking the focus from the user.

    `bring_forward()` says whether every capture from another program should still bring
    Iris to the front (the "Bring Iris to the front after a hotkey" setting).
    """

    def __init__(
        self, window: QWidget, switcher: WindowSwitcher, bring_forward: Callable[[], bool]
    ) -> None:
        self.window = window
        self.switcher = switcher
        self.bring_forward = bring_forward
        self.came_from: int | None = None
        """The program "Ask about the screen" was pressed in; Escape goes back there."""

    def iris_active(self) -> bool:
        """True while one of Iris's windows has the keyboard focus, as the platform tells it
        (Qt learns that Iris lost the focus only some 400 ms later on X11)."""
        active = self.switcher.active_window_id()
        if active is None:
            return QApplication.activeWindow() is not None
        return self._ours(active)

    def user_program(self) -> int | None:
        """The other program that has the focus, or None when Iris has it or nobody does
        (then Iris is on top of the screen)."""
        active = self.switcher.active_window_id()
        return None if active is None or self._ours(active) else active

    @staticmethod
    def _ours(window_id: int) -> bool:
        if sys.platform == "darwin":  # the frontmost application's process
            return window_id == os.getpid()
        shown = (widget for widget in QApplication.topLevelWidgets() if widget.isVisible())
        return window_id in {int(widget.winId()) for widget in shown}

    def capture(
        self,
        grab: Callable[[], Any],
        then: Callable[[Any], None],
        failed: Callable[[IrisError], None],
        *,
        come_forward: bool = False,
    ) -> None:
        """Grab (Iris hidden first if it is on top), then call `then(image)` or
        `failed(error)`. With `come_forward` (or the setting) Iris ends up active, and the
        program the user was in is remembered for `return_to_previous`."""
        came_from = self.user_program()
        was_active = came_from is None
        forward = come_forward or (not was_active and self.bring_forward())
        if come_forward:
            self.came_from = came_from
        hide = was_active and self.window.isVisible()
        if hide:
            self.window.hide()

        def take() -> None:
            try:
                image = grab()
            except IrisError as error:
                self._after(hide, forward)
                failed(error)
                return
            self._after(hide, forward)
            then(image)

        QTimer.singleShot(HIDE_BEFORE_CAPTURE_MS if hide else 0, take)

    def _after(self, was_hidden: bool, forward: bool) -> None:
        if was_hidden or forward:
            self.show_window()

    def show_window(self) -> None:
        """Bring the window back, in front, with the keyboard focus; screen readers are told
        even where Qt had not yet taken in that Iris lost the focus (screen_reader_fixes)."""
        unheard = self.window.isActiveWindow() and self.user_program() is not None
        if self.window.isMinimized():
            self.window.showNormal()
        else:
            self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        if unheard:
            announce_activation(self.window)

    def return_focus(self, came_from: int | None) -> None:
        """Give the focus back to `came_from` unless the user is already there (after a
        full-screen region chooser closes, say)."""
        if came_from is not None and self.switcher.active_window_id() != came_from:
            self.switcher.activate(came_from)

    def return_to_previous(self) -> bool:
        """Escape after "Ask about the screen": back to the program the user came from.
        True when there was one to go back to."""
        came_from, self.came_from = self.came_from, None
        if came_from is None or not self.iris_active():
            return False
        return self.switcher.activate(came_from)
