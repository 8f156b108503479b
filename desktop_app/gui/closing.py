"""What closing the window does: never strand the user with hotkeys gone and nothing said.

With a tray icon and "Keep Iris in the tray", closing hides the window. Where the desktop has
no tray (stock GNOME), closing asks whether to keep Iris running in the background (its
hotkeys, and the Show Iris hotkey to bring the window back) or to quit.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.core import messages
from desktop_app.core.actions import readable_keys


class CloseChoice(enum.Enum):
    """The answer to the close question."""

    KEEP_RUNNING = "keep"
    QUIT = "quit"
    CANCEL = "cancel"


def ask_close(parent: QWidget, question: str) -> CloseChoice:
    """The close question as a dialog a screen reader reads: Keep running is the default,
    Escape cancels."""
    box = QMessageBox(QMessageBox.Icon.Question, messages.CLOSE_TITLE, question, parent=parent)
    box.setAccessibleName(messages.CLOSE_TITLE)
    keep = box.addButton(messages.CLOSE_KEEP_RUNNING, QMessageBox.ButtonRole.AcceptRole)
    quit_button = box.addButton(messages.CLOSE_QUIT, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(keep)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is keep:
        return CloseChoice.KEEP_RUNNING
    if clicked is quit_button:
        return CloseChoice.QUIT
    return CloseChoice.CANCEL


class ClosePolicy:
    """Decides, when the window is asked to close, whether Iris quits (True) or keeps
    running with the window hidden (False).

    `keep_in_tray()` and `show_hotkey()` read the current settings; `ask(question)` asks the
    user (a dialog); `announce(text)` tells what happened.
    """

    def __init__(
        self,
        window: QWidget,
        *,
        tray_available: bool,
        keep_in_tray: Callable[[], bool],
        show_hotkey: Callable[[], str],
        ask: Callable[[str], CloseChoice],
        announce: Callable[[str], None],
    ) -> None:
        self.window = window
        self.tray_available = tray_available
        self.keep_in_tray = keep_in_tray
        self.show_hotkey = show_hotkey
        self.ask = ask
        self.announce = announce

    def __call__(self) -> bool:
        if not self.keep_in_tray():
            return True
        if self.tray_available:
            self.window.hide()
            return False
        hotkey = readable_keys(self.show_hotkey())
        choice = self.ask(messages.CLOSE_QUESTION.format(show_hotkey=hotkey))
        if choice is CloseChoice.QUIT:
            return True
        if choice is CloseChoice.KEEP_RUNNING:
            self.window.hide()
            self.announce(messages.STATUS_RUNNING_IN_BACKGROUND.format(show_hotkey=hotkey))
        return False
