"""Where rendered utterances go: a sound player we can stop at once, or numbered WAV files."""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import subprocess
import sys
import threading
import wave
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from desktop_app.core import messages
from desktop_app.core import messages as new_messages
from desktop_app.core.errors import SpeechError, first_line

log = logging.getLogger(__name__)

PLAYERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "linux": (("aplay", "-q"), ("paplay",), ("pw-play",), ("play", "-q")),
    "darwin": (("afplay",),),
}
"""Sound players by platform, best first; the WAV file's path is added to the command."""


class AudioOutput(Protocol):
    """Takes each rendered WAV file; `deliver` returns when the utterance is over."""

    def check(self, sample: Path) -> None:
        """Raise SpeechError if this output cannot work (`sample` is a short silent WAV)."""
        ...

    def deliver(self, wav: Path, cancelled: threading.Event) -> None:
        """Play or keep `wav`; skip it if `cancelled` is set, stop early if it becomes set."""
        ...

    def interrupt(self) -> None:
        """From any thread: end the current `deliver` now (`cancelled` is set first)."""
        ...


def wav_seconds(path: Path) -> float:
    """Duration of a WAV file; 0.0 if it is empty or not a WAV file."""
    try:
        with wave.open(str(path)) as audio:
            return audio.getnframes() / float(audio.getframerate() or 1)
    except (wave.Error, EOFError, OSError):
        return 0.0


def write_silence(path: Path, seconds: float = 0.05) -> Path:
    """A short silent 16-bit mono WAV file, to try a player with."""
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(22050)
        audio.writeframes(b"\0\0" * int(22050 * seconds))
    return path


class SubprocessPlayer:
    """Plays each file with a command (aplay, afplay...); stop kills it, its exit ends it."""

    def __init__(self, command: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        self.command = list(command)
        self.env = dict(env) if env is not None else None
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    def check(self, sample: Path) -> None:
        """Play a moment of silence; a player that fails here would fail every time."""
        self.deliver(sample, threading.Event())

    def deliver(self, wav: Path, cancelled: threading.Event) -> None:
        """Play `wav` and wait for the player to exit."""
        self.run([str(wav)], cancelled, new_messages.SPEECH_NO_SOUND)

    def run(
        self,
        arguments: Sequence[str],
        cancelled: threading.Event,
        failure: str,
        timeout: float | None = None,
    ) -> None:
        """Run the command with `arguments` added, to its end or `timeout` (then it is killed,
        with a warning); `failure`, with a {reason}, is the message if it fails."""
        with self._lock:
            if cancelled.is_set():
                return
            try:
                process = subprocess.Popen(
                    [*self.command, *arguments],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    env=self.env,
                )
            except OSError as error:
                raise SpeechError(failure.format(reason=first_line(error))) from error
            self._process = process
        try:
            _, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            log.warning("%s took over %.0f s; stopped", self.command[0], timeout)
            process.kill()
            _, errors = process.communicate()
            return
        finally:
            with self._lock:
                self._process = None
        if process.returncode != 0 and not cancelled.is_set():
            lines = errors.decode(errors="replace").strip().splitlines()
            reason = lines[-1] if lines else f"{self.command[0]} exit status {process.returncode}"
            raise SpeechError(failure.format(reason=reason[:300]))

    def interrupt(self) -> None:
        """Kill the player if it is playing."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self._process.kill()


class WinsoundPlayer:
    """Windows: plays with winsound asynchronously; the file's duration says when it ends."""

    def __init__(self) -> None:
        self._winsound: Any = importlib.import_module("winsound")

    def check(self, sample: Path) -> None:
        """winsound is always there on Windows."""

    def deliver(self, wav: Path, cancelled: threading.Event) -> None:
        """Start playing `wav`, then wait out its duration unless cancelled."""
        if cancelled.is_set():
            return
        ws = self._winsound
        ws.PlaySound(str(wav), ws.SND_FILENAME | ws.SND_ASYNC | ws.SND_NODEFAULT)
        cancelled.wait(wav_seconds(wav) + 0.05)

    def interrupt(self) -> None:
        """Stop whatever winsound plays."""
        self._winsound.PlaySound(None, self._winsound.SND_PURGE)


class FileWriter:
    """--speak-to-files: each utterance becomes DIR/0001.wav, DIR/0002.wav... in order."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._next = 1

    def check(self, sample: Path) -> None:
        """Make the folder; numbering goes on after the files already there."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            probe = self.directory / ".iris-write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            reason = error.strerror or first_line(error)
            message = new_messages.SPEECH_FILES_UNWRITABLE.format(
                path=self.directory, reason=reason
            )
            raise SpeechError(message) from error
        numbers = [int(p.stem) for p in self.directory.glob("*.wav") if p.stem.isdigit()]
        self._next = max(numbers, default=0) + 1

    def deliver(self, wav: Path, cancelled: threading.Event) -> None:
        """Move `wav` into place under the next number (a whole file appears at once)."""
        with self._lock:
            if cancelled.is_set():
                return
            part = self.directory / f".{self._next:04d}.part"
            shutil.copyfile(wav, part)  # the scratch folder may be on another file system
            os.replace(part, self.directory / f"{self._next:04d}.wav")
            self._next += 1

    def interrupt(self) -> None:
        """Writing a file is too quick to interrupt."""


def default_player() -> AudioOutput:
    """This platform's player; SpeechError if there is none."""
    if sys.platform == "win32":
        return WinsoundPlayer()
    for command in PLAYERS.get(sys.platform, PLAYERS["linux"]):
        if shutil.which(command[0]):
            return SubprocessPlayer(command)
    raise SpeechError(messages.SPEECH_NO_AUDIO_PLAYER)
