"""Speakers: Iris's own voice (pyttsx3), WAV files, the screen reader, or silence.

Like NVDA's synthDriverHandler, a failing voice never breaks Iris: the speaker falls back to
silence and says why in `problem`, once, for the window to show.
"""

from __future__ import annotations

import contextlib
import io
import logging
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from desktop_app.core import messages
from desktop_app.core.errors import first_line
from desktop_app.settings import SpeechSettings

log = logging.getLogger(__name__)

EngineFactory = Callable[[], Any]
"""Makes a pyttsx3-like engine (`save_to_file`, `runAndWait`, `setProperty`)."""


class Speaker(Protocol):
    """Something that speaks utterances in order, and can be silenced at once."""

    problem: str | None

    def say(self, text: str, *, interrupt: bool = False) -> None: ...
    def stop(self) -> None: ...
    def wait_idle(self, timeout: float) -> bool: ...
    def close(self) -> None: ...


class SilentSpeaker:
    """Speaks nothing; `problem` says why, when speech was wanted."""

    def __init__(self, problem: str | None = None) -> None:
        self.problem = problem

    def say(self, text: str, *, interrupt: bool = False) -> None:
        """Drop the text."""

    def stop(self) -> None:
        """Nothing to stop."""

    def wait_idle(self, timeout: float) -> bool:
        """Always idle."""
        return True

    def close(self) -> None:
        """Nothing to release."""


def pyttsx3_engine() -> Any:
    """The platform's pyttsx3 engine (espeak-ng on Linux, SAPI5 on Windows, NSSpeech on macOS)."""
    import pyttsx3

    return pyttsx3.init()


class QueuedSpeaker:
    """Synthesizes utterances one by one on its own thread (pyttsx3 is not thread-safe).

    With `output_dir`, each utterance is written there as `NNNN.wav`; otherwise it is written to
    a private temporary file and played with `player`, which `stop` kills at once.
    """

    def __init__(
        self,
        settings: SpeechSettings,
        *,
        engine_factory: EngineFactory = pyttsx3_engine,
        output_dir: Path | None = None,
        player: list[str] | None = None,
    ) -> None:
        self.problem: str | None = None
        self._settings = settings
        self._factory = engine_factory
        self._output_dir = output_dir
        self._player = player
        self._queue: queue.Queue[tuple[int, str] | None] = queue.Queue()
        self._generation = 0
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._pending = 0
        self._playing: subprocess.Popen[bytes] | None = None
        self._count = 0
        self._scratch = Path(tempfile.mkdtemp(prefix="iris-speech-"))
        if output_dir is not None:
            output_dir.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="iris-speech", daemon=True)
        self._thread.start()

    # -- any thread ----------------------------------------------------------------------------
    def say(self, text: str, *, interrupt: bool = False) -> None:
        """Queue `text`; with `interrupt`, silence what is playing and queued first."""
        if not text.strip() or self.problem is not None:
            return
        if interrupt:
            self.stop()
        with self._lock:
            self._pending += 1
            self._idle.clear()
            self._queue.put((self._generation, text.strip()))

    def stop(self) -> None:
        """Silence now and drop everything queued."""
        with self._lock:
            self._generation += 1
            playing = self._playing
        if playing is not None and playing.poll() is None:
            playing.kill()

    def wait_idle(self, timeout: float) -> bool:
        """True once everything queued has been spoken, written or dropped."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        """Stop and end the thread."""
        self.stop()
        self._queue.put(None)
        self._thread.join(timeout=10)
        shutil.rmtree(self._scratch, ignore_errors=True)

    # -- the speech thread ---------------------------------------------------------------------
    def _run(self) -> None:
        engine = self._start_engine()
        while True:
            item = self._queue.get()
            if item is None:
                return
            generation, text = item
            try:
                if engine is not None and generation == self._generation:
                    self._speak(engine, text, generation)
            except Exception as error:
                log.warning("speech failed", exc_info=True)
                self.problem = messages.SPEECH_ENGINE_FAILED.format(reason=first_line(error))
                engine = None
            finally:
                self._done()

    def _start_engine(self) -> Any:
        try:
            engine = self._factory()
            engine.setProperty("rate", self._settings.rate_wpm)
            engine.setProperty("volume", self._settings.volume)
            if self._settings.voice:
                engine.setProperty("voice", self._settings.voice)
            return engine
        except Exception as error:
            log.warning("no speech engine: %s", first_line(error))
            self.problem = messages.SPEECH_ENGINE_MISSING.format(reason=first_line(error))
            self._drain()
            return None

    def _speak(self, engine: Any, text: str, generation: int) -> None:
        self._count += 1
        folder = self._output_dir or self._scratch
        target = folder / f"{self._count:04d}.wav"
        with contextlib.redirect_stdout(io.StringIO()):  # the espeak driver prints paths
            engine.save_to_file(text, str(target))
            engine.runAndWait()
        if self._output_dir is not None or generation != self._generation:
            return
        self._play(target, generation)

    def _play(self, wav: Path, generation: int) -> None:
        if self._player is None:
            self.problem = messages.SPEECH_NO_AUDIO_PLAYER
            return
        with self._lock:
            if generation != self._generation:
                return
            self._playing = subprocess.Popen(
                [*self._player, str(wav)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        try:
            self._playing.wait()
        finally:
            with self._lock:
                self._playing = None
            wav.unlink(missing_ok=True)

    def _done(self) -> None:
        with self._lock:
            self._pending -= 1
            if self._pending <= 0 and self._queue.empty():
                self._pending = 0
                self._idle.set()

    def _drain(self) -> None:
        with self._lock:
            self._pending = 0
            self._idle.set()


def audio_player() -> list[str] | None:
    """A command that plays a WAV file and exits when done."""
    for command in (["paplay"], ["aplay", "-q"], ["afplay"]):
        if shutil.which(command[0]):
            return command
    return None
