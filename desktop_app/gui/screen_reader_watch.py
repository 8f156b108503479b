"""Notices a screen reader starting or stopping after Iris started (Iris and Orca both start at
login, in either order), so that "Automatic" speech follows it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

WATCH_INTERVAL_MS = 15_000
"""How often to look again; one look reads the process list (and asks AT-SPI when no screen
reader program runs), on a thread of its own."""


class ScreenReaderWatch(QObject):
    """Emits `changed(name)` on the GUI thread when the running screen reader differs from
    `known` (the name, or "" for none)."""

    changed = Signal(str)
    _looked = Signal(str)

    def __init__(
        self,
        detect: Callable[[], str | None],
        known: str | None,
        parent: QObject | None = None,
        interval_ms: int = WATCH_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self._detect = detect
        self.known = known or ""
        self._looking = False
        self._looked.connect(self._compare)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.look)
        self._timer.start()

    def look(self) -> None:
        """Look once, off the GUI thread (skipped while a look is running)."""
        if self._looking:
            return
        self._looking = True
        threading.Thread(target=self._run, name="screen-reader-watch", daemon=True).start()

    def _run(self) -> None:
        found = self._detect() or ""
        with contextlib.suppress(RuntimeError):  # Iris closed meanwhile
            self._looked.emit(found)

    def _compare(self, found: str) -> None:
        self._looking = False
        if found != self.known:
            self.known = found
            self.changed.emit(found)

    def stop(self) -> None:
        """No more looks."""
        self._timer.stop()
