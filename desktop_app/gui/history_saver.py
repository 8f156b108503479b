"""Keeping the conversations' text, off the GUI thread, and telling when it cannot be kept."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.core import messages
from desktop_app.core.types import Turn
from desktop_app.settings import ConversationHistory, save_error_message

Announce = Callable[..., None]
"""The Voice's `announce(text, *, speak=True, interrupt=True)`."""


class HistorySaver(QObject):
    """Saves each answered conversation in `history` (on its own thread); a save that fails
    is told once, after the answer, until a save works again."""

    saved = Signal(object)
    """After each save: None, or the OSError it failed with."""
    _written = Signal(object)

    def __init__(self, history: ConversationHistory, announce: Announce) -> None:
        super().__init__()
        self.history = history
        self.announce = announce
        self._problem_told: str | None = None
        self._written.connect(self._on_written)

    @property
    def enabled(self) -> bool:
        """Whether conversations are kept."""
        return self.history.enabled

    def record(self, turns: tuple[Turn, ...]) -> None:
        """Save the conversation's text (no stall on the GUI thread)."""
        saving = self.history.record(turns)
        if saving is not None:
            saving.add_done_callback(lambda done: self._written.emit(done.exception()))

    @Slot(object)
    def _on_written(self, error: BaseException | None) -> None:
        if isinstance(error, OSError):
            problem = save_error_message(error, self.history.path, messages.SAVE_WHAT_HISTORY)
            if problem != self._problem_told:
                self._problem_told = problem
                text = messages.SAVE_HISTORY_KEPT.format(problem=problem)
                self.announce(text, interrupt=False)  # after the answer, not cutting it off
        elif error is None:
            self._problem_told = None
        self.saved.emit(error)

    def clear(self) -> str:
        """Delete the saved history at once, and say so (shown and spoken)."""
        return self._change(lambda: messages.HISTORY_CLEARED.format(count=self.history.clear()))

    def switch(self, keep: bool) -> str:
        """Keep conversations from now on, or stop and delete what was kept."""

        def switch() -> str:
            count = self.history.set_enabled(keep)
            if keep:
                return messages.HISTORY_TURNED_ON
            return messages.HISTORY_TURNED_OFF.format(count=count)

        return self._change(switch)

    def _change(self, change: Callable[[], str]) -> str:
        """Run `change` (it says what it did) and announce that, or why the file stayed."""
        try:
            done = change()
        except OSError as error:
            done = messages.HISTORY_CLEAR_FAILED.format(
                path=self.history.path, reason=error.strerror or error
            )
        self.announce(done)
        return done

    def close(self) -> None:
        """Finish the save under way."""
        self.history.close()
