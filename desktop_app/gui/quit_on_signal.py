"""End the app cleanly when the system asks it to (SIGTERM at logout or shutdown, SIGHUP when
its terminal closes, SIGINT for Ctrl+C where it was started from a terminal).

Python runs a signal handler only between bytecodes, and Qt's event loop may wait in C++ for
as long as nothing happens; so the signal's number is written to a socket (`set_wakeup_fd`)
that a QSocketNotifier watches, and the event loop is told to quit from there. `app.exec()`
then returns and the usual shutdown runs: the model process is ended, the conversation
history's saving is finished, speech's scratch files are removed.
"""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable
from types import FrameType
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier

log = logging.getLogger(__name__)

ENDING_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name)
)


def _note_only(signum: int, frame: FrameType | None) -> None:
    """Python's handler: the wakeup socket carries the signal to the event loop."""


class QuitOnSignal(QObject):
    """While alive, each of ENDING_SIGNALS calls `quit_app` from the event loop."""

    def __init__(self, quit_app: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._quit_app = quit_app
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._previous: dict[int, Any] = {}
        for number in ENDING_SIGNALS:
            self._previous[number] = signal.signal(number, _note_only)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._received)

    def _received(self) -> None:
        try:
            numbers = self._reader.recv(64)
        except BlockingIOError:
            return
        if any(number in ENDING_SIGNALS for number in numbers):
            log.info("ending on signal %s", ", ".join(str(number) for number in numbers))
            self.stop()  # a second signal, should the shutdown hang, ends the process as usual
            self._quit_app()

    def stop(self) -> None:
        """Give the signals back their previous handlers and close the socket (once)."""
        if self._reader.fileno() == -1:
            return
        self._notifier.setEnabled(False)
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._reader.close()
        self._writer.close()
