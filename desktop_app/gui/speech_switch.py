"""Which speaker Iris uses: made from the speech settings, and made again when they change or
when a screen reader starts or stops (Automatic follows it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject

from desktop_app.core.i18n import interface_language
from desktop_app.gui.screen_reader_watch import ScreenReaderWatch
from desktop_app.gui.voice import Voice
from desktop_app.settings import AppSettings, SpeechOutput, SpeechSettings
from desktop_app.speech import Speaker, StreamingSpeech, create_speaker, detect_screen_reader


class SpeechSwitch(QObject):
    """Gives `voice` the speaker `speech` asks for (WAV files in `speak_to_files` instead of
    sound, for tests and benchmarks), and a new one when needed."""

    def __init__(
        self,
        voice: Voice,
        speech: SpeechSettings,
        speak_to_files: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.voice = voice
        self.speech = speech
        self.speak_to_files = speak_to_files
        self.speaker = self._make(speech)
        self.watch = ScreenReaderWatch(detect_screen_reader, self.speaker.route.detected, self)
        self.watch.changed.connect(self._screen_reader_changed)
        voice.replace_speaker(self.speaker, self._streaming(self.speaker))

    def settings_changed(self, settings: AppSettings) -> None:
        """A new speaker when the speech settings changed."""
        if settings.speech != self.speech:
            self.use(settings.speech)

    def use(self, speech: SpeechSettings) -> None:
        """Close the speaker in use and speak with a new one for `speech`."""
        self.speech = speech
        self.speaker.close()
        self.speaker = self._make(speech)
        self.voice.replace_speaker(self.speaker, self._streaming(self.speaker))
        self.watch.known = self.speaker.route.detected or ""

    def close(self) -> None:
        """Stop watching and close the speaker."""
        self.watch.stop()
        self.speaker.close()

    def _screen_reader_changed(self, _name: str) -> None:
        if self.speech.output is SpeechOutput.AUTO and self.speak_to_files is None:
            self.use(self.speech)

    def _make(self, speech: SpeechSettings) -> Speaker:
        return create_speaker(
            speech,
            speak_to_files=self.speak_to_files,
            on_problem=self.voice.went_silent,
            language=interface_language(),
        )

    @staticmethod
    def _streaming(speaker: Speaker) -> Callable[[], StreamingSpeech]:
        return lambda: StreamingSpeech(speaker)
