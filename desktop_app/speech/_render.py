"""Iris's own voice: pyttsx3 renders each utterance to a WAV file, an AudioOutput takes it.

Rendering to a file and playing it with a process we own is how the end of an utterance is
known (the player exits) and how stop is immediate (the player is killed): pyttsx3's own
playback on Linux cannot be interrupted and prints to stdout.
"""

from __future__ import annotations

import importlib
import itertools
import logging
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from desktop_app.core import messages
from desktop_app.core import messages as new_messages
from desktop_app.core.errors import SpeechError, first_line
from desktop_app.settings import SpeechSettings
from desktop_app.speech._audio import AudioOutput, wav_seconds, write_silence
from desktop_app.speech._voices import voice_for_language

log = logging.getLogger(__name__)

_PYTTSX3_LOCK = threading.Lock()
"""pyttsx3 shares one engine per driver in a process, and espeak is initialised only once:
every use of it, by any speaker, holds this lock."""

RENDER_TIMEOUT_S = 30.0
"""Longest wait for an engine that started an utterance to say it has finished it."""


class Synthesizer(Protocol):
    """Turns text into a WAV file. Made, used and closed on the speaker's thread only."""

    def render(self, text: str, path: Path) -> None:
        """Write `text` spoken to `path`; raise on failure."""
        ...

    def close(self) -> None:
        """Release the engine."""
        ...


class Pyttsx3Synthesizer:
    """pyttsx3's `save_to_file`, with the voice, rate and volume of the settings."""

    def __init__(
        self, settings: SpeechSettings, engine_factory: Callable[[], Any] | None = None
    ) -> None:
        """`engine_factory` makes a pyttsx3-like engine; `pyttsx3.init` by default."""
        if engine_factory is None:
            try:
                engine_factory = importlib.import_module("pyttsx3").init
            except ImportError as error:
                message = messages.SPEECH_ENGINE_MISSING.format(reason="pyttsx3")
                raise SpeechError(message) from error
        try:
            with _PYTTSX3_LOCK:
                self._engine: Any = engine_factory()
                _quieten(self._engine)
                self._chosen = _find_voice(self._engine, settings.voice)
                self._default = _current_voice(self._engine)
        except Exception as error:
            reason = first_line(error)
            if "espeak" in reason.lower():
                raise SpeechError(messages.SPEECH_ENGINE_MISSING.format(reason=reason)) from error
            message = new_messages.SPEECH_ENGINE_NOT_STARTED.format(reason=reason)
            raise SpeechError(message) from error
        self._voice = self._chosen
        self._by_language: dict[str, str | None] = {}
        self._rate = settings.rate_wpm
        self._volume = min(max(settings.volume, 0.0), 1.0)
        self._started, self._finished = threading.Event(), threading.Event()
        self._tokens = _listen(self._engine, self._started, self._finished)

    def use_language(self, language: str | None) -> None:
        """Speak what follows with a voice of `language` (a code such as "de"); the voice
        chosen in the settings always wins, and the engine's default voice speaks a language
        it has no voice for (or None)."""
        if self._chosen is not None or self._engine is None:
            return
        if not language:
            self._voice = self._default
            return
        if language not in self._by_language:
            found = voice_for_language(self._voices(), language)
            if found is None:
                log.info("no voice speaks %r; using the default voice", language)
            self._by_language[language] = found
        self._voice = self._by_language[language] or self._default

    def _voices(self) -> list[Any]:
        """The engine's voices; none where it cannot list them."""
        try:
            with _PYTTSX3_LOCK:
                return list(self._engine.getProperty("voices") or [])
        except Exception:
            log.warning("the speech engine cannot list its voices", exc_info=True)
            return []

    @property
    def voice(self) -> str | None:
        """The id of the voice the next utterance is spoken with (None: the engine's own)."""
        return self._voice

    def render(self, text: str, path: Path) -> None:
        """One utterance per `runAndWait` (the espeak driver keeps only the last one queued).

        espeak synthesises on a thread of its own, and a new engine's first `runAndWait`
        returns before the file is written (pyttsx3 2.99): an utterance that started is
        waited for until the engine says it finished.
        """
        with _PYTTSX3_LOCK:
            self._started.clear()
            self._finished.clear()
            self._engine.setProperty("rate", self._rate)
            self._engine.setProperty("volume", self._volume)
            if self._voice is not None:
                self._engine.setProperty("voice", self._voice)
            self._engine.save_to_file(text, str(path))
            self._engine.runAndWait()
            if self._started.is_set() and not self._finished.wait(RENDER_TIMEOUT_S):
                log.warning("the speech engine did not finish within %.0f s", RENDER_TIMEOUT_S)

    def close(self) -> None:
        """pyttsx3 keeps its engine for the process (espeak cannot be initialised twice)."""
        if self._engine is not None:
            for token in self._tokens:
                self._engine.disconnect(token)
        self._engine = None


def _listen(engine: Any, started: threading.Event, finished: threading.Event) -> list[Any]:
    """Set the events on the engine's utterance notifications; the tokens to disconnect."""
    connect = getattr(engine, "connect", None)
    if connect is None:  # a pyttsx3-like engine without notifications
        return []
    return [
        connect("started-utterance", lambda **_: started.set()),
        connect("finished-utterance", lambda **_: finished.set()),
    ]


def _quieten(engine: Any) -> None:
    """The espeak driver prints "Audio saved to ..." for each file; send that to the log."""
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    module = getattr(driver, "__module__", "") or ""
    if module.endswith(".espeak"):
        driver_module = importlib.import_module(module)
        setattr(driver_module, "print", _log_print)  # noqa: B010 - shadows the builtin there only


def _log_print(*args: object, **kwargs: object) -> None:
    log.debug(" ".join(map(str, args)))


def _current_voice(engine: Any) -> str | None:
    """The id of the voice the engine starts with, or None if it does not say."""
    try:
        voice = engine.getProperty("voice")
    except Exception:
        log.debug("the speech engine does not name its voice", exc_info=True)
        return None
    return str(voice) if voice else None


def _find_voice(engine: Any, wanted: str | None) -> str | None:
    """The id of the voice whose id or name is (or contains) `wanted`; None for the default."""
    if not wanted:
        return None
    voices = list(engine.getProperty("voices") or [])
    needle = wanted.casefold()
    for exact in (True, False):
        for voice in voices:
            names = (str(voice.id).casefold(), str(voice.name).casefold())
            if any(name == needle if exact else needle in name for name in names):
                return str(voice.id)
    log.warning("no voice called %r; using the default voice", wanted)
    return None


class RenderingBackend:
    """Speaks by rendering with a Synthesizer, then handing the file to an AudioOutput."""

    def __init__(self, synthesizer: Synthesizer, output: AudioOutput) -> None:
        self.synthesizer = synthesizer
        self.output = output
        self._scratch = Path(tempfile.mkdtemp(prefix="iris-speech-"))
        self._numbers = itertools.count(1)
        try:
            output.check(write_silence(self._scratch / "silence.part"))
        except BaseException:
            self.close()
            raise

    def speak(self, text: str, cancelled: threading.Event) -> None:
        """Render, then play or keep; returns when the utterance is over."""
        path = self._scratch / f"{next(self._numbers):06d}.part"
        try:
            self.synthesizer.render(text, path)
            if cancelled.is_set():
                return
            if not path.exists():
                reason = "no audio was made"
                raise SpeechError(messages.SPEECH_ENGINE_FAILED.format(reason=reason))
            if wav_seconds(path) <= 0.0 and path.stat().st_size <= 44:
                log.debug("nothing to say in %r", text)
                return
            self.output.deliver(path, cancelled)
        finally:
            path.unlink(missing_ok=True)

    def use_language(self, language: str | None) -> None:
        """Speak what follows in `language`, where the synthesizer can choose voices."""
        use = getattr(self.synthesizer, "use_language", None)
        if use is not None:
            use(language)

    def interrupt(self) -> None:
        """Silence the output now."""
        self.output.interrupt()

    def close(self) -> None:
        """Release the engine and the scratch folder."""
        try:
            self.synthesizer.close()
        finally:
            shutil.rmtree(self._scratch, ignore_errors=True)
