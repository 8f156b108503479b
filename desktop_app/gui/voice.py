"""What Iris tells the user: the status line, shown and spoken; answers spoken as they stream."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.core import messages
from desktop_app.gui.main_window import MainWindow
from desktop_app.settings.keeper import SettingsKeeper
from desktop_app.speech import SilentSpeaker, SpeechRoute, StreamingSpeech, route_notice

log = logging.getLogger(__name__)


class Speaker(Protocol):
    """What the window needs of the speech layer."""

    def say(self, text: str, *, interrupt: bool = False) -> None: ...
    def stop(self) -> None: ...


class StreamingSpeaker(Protocol):
    """Speaks a streamed answer sentence by sentence."""

    language: str | None
    """The answer's language (a code such as "de"), for the voice; None: the speaker's own."""

    def feed(self, piece: str) -> None: ...
    def finish(self) -> None: ...
    def cancel(self) -> None: ...


class Voice(QObject):
    """Shows and speaks what Iris has to say, through the speaker in use, one voice at a time
    beside a screen reader; speaks the current answer as it streams."""

    status_changed = Signal(str)
    _went_silent = Signal()

    def __init__(
        self,
        window: MainWindow,
        settings: SettingsKeeper,
        speaker: Speaker | None = None,
        streaming: Callable[[], StreamingSpeaker] | None = None,
    ) -> None:
        """Silent until given a `speaker` (and its `streaming` speech), here or by
        `replace_speaker`."""
        super().__init__()
        self.window = window
        self.speaker: Speaker = speaker or SilentSpeaker()
        self._streaming = streaming or self._silent_stream
        self.settings = settings
        self.stream: StreamingSpeaker | None = None
        """The current answer's speech."""
        self._problem_told: str | None = None
        self._went_silent.connect(self.tell_problem)

    def _silent_stream(self) -> StreamingSpeaker:
        return StreamingSpeech(SilentSpeaker())

    def announce(self, text: str, *, speak: bool = True, interrupt: bool = True) -> None:
        """Show `text` on the status line and, by default, speak it at once (`interrupt`)
        or after what is being spoken. When Iris's speech is off, a screen reader that
        listens to announcements speaks it instead (never both: one voice)."""
        self.window.show_status(text)
        self.status_changed.emit(text)
        if not speak:
            return
        if isinstance(self.speaker, SilentSpeaker):
            self.window.announce_to_screen_reader(text)
        self.speaker.say(text, interrupt=interrupt)

    def say(self, text: str, *, interrupt: bool = False) -> None:
        """Speak `text` without showing it."""
        self.speaker.say(text, interrupt=interrupt)

    def speak_question(self, question: str) -> None:
        """Speak a question a dialog asks, unless the screen reader reads the dialog itself
        (Iris speaks through it, or it runs beside Iris's own voice): one voice, once."""
        if not self.screen_reader_running():
            self.speaker.say(question, interrupt=True)

    def route(self) -> SpeechRoute | None:
        """Whose voice speaks; None for a speaker that does not say (a test's fake)."""
        route: SpeechRoute | None = getattr(self.speaker, "route", None)
        return route

    def screen_reader_running(self) -> bool:
        """Whether a screen reader was found running when speech started."""
        route = self.route()
        return route is not None and route.detected is not None

    # -- the current answer ----------------------------------------------------------------
    def start_answer(self, language: str | None = None) -> None:
        """Speak a new answer as its pieces come (`feed`), in a voice of `language` (a code
        such as "de"; None: the voice of Iris's own messages)."""
        self.stream = self._streaming()
        self.stream.language = language

    def feed(self, piece: str) -> None:
        """Speak the answer's next piece (each sentence once it is whole)."""
        if self.stream is not None:
            self.stream.feed(piece)

    def end_answer(self, *, stopped: bool) -> None:
        """Speak the rest of the answer, or with `stopped` nothing more of it."""
        if self.stream is not None:
            if stopped:
                self.stream.cancel()
            else:
                self.stream.finish()

    def silence(self) -> None:
        """Stop speaking, as a screen reader does when a key is pressed."""
        if self.stream is not None:
            self.stream.cancel()
        self.speaker.stop()

    # -- the speaker -------------------------------------------------------------------------
    def replace_speaker(self, speaker: Speaker, streaming: Callable[[], StreamingSpeaker]) -> None:
        """Use a new voice (speech settings changed, or a screen reader came or went)."""
        self.speaker.stop()
        self.speaker = speaker
        self._streaming = streaming
        self._problem_told = None
        self.tell_problem()
        self.tell_route()

    def went_silent(self, problem: str = "") -> None:
        """From any thread (the speaker's `on_problem`): tell the user, on the GUI thread."""
        self._went_silent.emit()

    @Slot()
    def tell_problem(self) -> None:
        """Show (once) why speech went silent, if it did."""
        problem = getattr(self.speaker, "problem", None)
        if problem and problem != self._problem_told:
            self._problem_told = problem
            self.announce(messages.STATUS_SPEECH_PROBLEM.format(details=problem), speak=False)

    def tell_route(self) -> None:
        """Say once (remembered in the settings) whose voice Iris speaks with, and where to
        change it, when a screen reader runs."""
        route = self.route()
        notice = route_notice(route) if route is not None else None
        current = self.settings.current
        if notice is None or notice == current.speech_notice_told:
            return
        self.announce(notice, interrupt=False)
        problem = self.settings.save(current.with_changes(speech_notice_told=notice))
        if problem is not None:  # told again next time; nothing else is lost
            log.warning("cannot remember that the voice was told: %s", problem)
