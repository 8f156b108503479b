"""Telling how loading the model goes: progress shown at every step, spoken now and then."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot

from desktop_app.core import messages
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.model_session import ModelSession
from desktop_app.gui.voice import Voice

SPOKEN_PROGRESS_STEP = 20
"""Loading progress is spoken every this many percent (and shown at every step)."""


class LoadingStatus(QObject):
    """Shows and speaks the session's loading: progress, ready, failed, cancelled.

    `iris_active()` says whether Iris has the focus: then a screen reader reads the progress
    bar itself, and Iris says only the first step (one voice).
    """

    def __init__(
        self,
        window: MainWindow,
        session: ModelSession,
        voice: Voice,
        iris_active: Callable[[], bool],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.session = session
        self.voice = voice
        self.iris_active = iris_active
        self._spoken_step = -1
        self.after_loading: list[str] = []
        """Said (after what is being said) once loading ends: loading progress would cut
        them off."""
        session.loading.connect(self._on_loading)
        session.model_ready.connect(self._on_ready)
        session.model_failed.connect(self._on_failed)
        session.load_cancelled.connect(self._on_cancelled)
        session.reloading.connect(self._on_reloading)
        session.reloaded.connect(self._on_reloaded)
        session.unloaded.connect(self._on_unloaded)
        self._reloading = False

    @Slot(str, float)
    def _on_loading(self, stage: str, fraction: float) -> None:
        if stage == messages.STAGE_CONNECT:  # a server: one quick check, not a percentage
            if fraction == 0.0:
                self.voice.announce(messages.STATUS_CONNECTING)
            return
        self.window.show_progress(fraction)
        if self._reloading:
            return  # said once as it began: the answer comes next
        percent = int(fraction * 100)
        step = percent // SPOKEN_PROGRESS_STEP
        speak = step != self._spoken_step  # spoken every 20 percent, shown always
        if step > 0 and self.voice.screen_reader_running() and self.iris_active():
            speak = False  # the screen reader reads the progress bar: said once, not by both
        self._spoken_step = step
        self.voice.announce(messages.STATUS_LOADING.format(percent=percent), speak=speak)

    @Slot()
    def _on_reloading(self) -> None:
        self._reloading = True
        self.voice.announce(messages.STATUS_RELOADING)

    @Slot(str, float)
    def _on_reloaded(self, description: str, seconds: float) -> None:
        self._reloading = False
        self.window.show_progress(None)
        self.voice.announce(messages.STATUS_RELOADED.format(seconds=seconds), speak=False)

    @Slot(bool, bool)
    def _on_unloaded(self, was_loaded: bool, idle: bool) -> None:
        """Said when the user asked; shown only when it was for being unused (the user
        is elsewhere: nothing is spoken out of the blue)."""
        self._reloading = False
        self.window.show_progress(None)
        if idle:
            if was_loaded:
                minutes = self.session.settings.current.engine.unload_after_minutes
                self.voice.announce(
                    messages.STATUS_UNLOADED_IDLE.format(count=minutes), speak=False
                )
            return
        if was_loaded:
            self.voice.announce(messages.STATUS_UNLOADED)
        elif self.session.settings.current.server.enabled:
            self.voice.announce(messages.STATUS_NOTHING_TO_UNLOAD_SERVER)
        else:
            self.voice.announce(messages.STATUS_NOTHING_TO_UNLOAD)

    @Slot()
    def _on_cancelled(self) -> None:
        self._reloading = False
        self.window.show_progress(None)
        self.voice.announce(messages.STATUS_LOADING_CANCELLED)
        self._tell_after_loading()

    @Slot(str)
    def _on_ready(self, description: str) -> None:
        self._spoken_step = -1
        self.window.show_progress(None)
        self.voice.announce(messages.STATUS_READY.format(model=description), speak=False)
        self.voice.say(messages.SPOKEN_READY)
        warning = self.session.plain_http_warning()
        if warning is not None:  # after the loading progress, which interrupts speech
            self.voice.announce(warning, interrupt=False)
        self._tell_after_loading()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.window.show_progress(None)
        self.voice.announce(message)
        self._tell_after_loading()

    def _tell_after_loading(self) -> None:
        told, self.after_loading = self.after_loading, []
        for text in told:
            self.voice.announce(text, interrupt=False)
