"""Unloading the model when it has gone unused for the settings' minutes (a timer asks)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Slot

from desktop_app.engine.process.idle import IDLE_CHECK_S
from desktop_app.gui.model_session import ModelSession


class IdleUnloader(QObject):
    """Asks the session every `interval_s` to unload if unused; `speaking()` says whether an
    answer is being spoken (that counts as use)."""

    def __init__(
        self,
        session: ModelSession,
        speaking: Callable[[], bool],
        parent: QObject | None = None,
        interval_s: float = IDLE_CHECK_S,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.speaking = speaking
        self.timer = QTimer(self)
        self.timer.setInterval(int(interval_s * 1000))
        self.timer.timeout.connect(self.check)
        self.timer.start()

    @Slot()
    def check(self) -> bool:
        """Unload now if the model has gone unused long enough; True when it did."""
        return self.session.unload_if_idle(speaking=self.speaking())
