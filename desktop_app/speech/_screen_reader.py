"""Hand speech to the running screen reader: speech-dispatcher on Linux, NVDA on Windows.

The screen reader's own voice, rate and volume are used; Iris's voice settings are not.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from desktop_app.core import messages
from desktop_app.core import messages as new_messages
from desktop_app.core.errors import SpeechError
from desktop_app.speech._audio import SubprocessPlayer

log = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 10.0
"""How long the first contact with speech-dispatcher may take (it may start the daemon)."""

SLOWEST_WPM = 60
"""Waiting for one utterance ends after it would have taken at this rate, plus 10 s: with no
working sound, speech-dispatcher never reports the end (`spd-say --wait` would hang)."""


class SpeechDispatcherBackend:
    """Each utterance is `spd-say --wait`: its exit marks the end; stop kills it and cancels.

    spd-say's cancel reaches every client of speech-dispatcher, the screen reader too: the user
    asked for silence. (A long-lived SSIP connection could cancel only Iris's own messages.)
    """

    def __init__(self, command: str = "spd-say", env: Mapping[str, str] | None = None) -> None:
        program = shutil.which(command)
        if program is None:
            raise SpeechError(new_messages.SPEECH_ENGINE_NOT_STARTED.format(reason=f"no {command}"))
        self.program = program
        self.env = dict(env) if env is not None else None
        self._say = SubprocessPlayer([program, "--wait", "-N", "iris"], env=self.env)
        try:
            probe = subprocess.run(
                [program, "-O"],
                capture_output=True,
                env=self.env,
                timeout=CHECK_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            reason = f"speech-dispatcher: {error}"
            raise SpeechError(
                new_messages.SPEECH_ENGINE_NOT_STARTED.format(reason=reason)
            ) from error
        if probe.returncode != 0:
            lines = probe.stderr.decode(errors="replace").strip().splitlines()
            reason = lines[-1] if lines else f"spd-say exit status {probe.returncode}"
            raise SpeechError(new_messages.SPEECH_ENGINE_NOT_STARTED.format(reason=reason[:300]))

    def speak(self, text: str, cancelled: threading.Event) -> None:
        """Queue `text` with speech-dispatcher and wait until it is spoken or discarded."""
        longest = 10.0 + 60.0 * len(text.split()) / SLOWEST_WPM
        self._say.run(["--", text], cancelled, messages.SPEECH_ENGINE_FAILED, timeout=longest)

    def interrupt(self) -> None:
        """Stop waiting and cancel what speech-dispatcher is saying."""
        self._say.interrupt()
        try:
            subprocess.run(
                [self.program, "-C"], capture_output=True, env=self.env, timeout=5, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            log.warning("spd-say -C failed: %s", error)

    def close(self) -> None:
        """Nothing is held between utterances."""


NVDA_DLL_NAMES = ("nvdaControllerClient.dll", "nvdaControllerClient64.dll")
"""The controller client DLL (from NVDA's extras/controllerClient); shipped beside Iris."""


class NvdaBackend:
    """NVDA's controller client through ctypes. Windows only; not tested here.

    `nvdaController_speakText` queues and returns at once, so `speak` does not know when NVDA
    has finished; `wait_idle` is then true as soon as NVDA has the text.
    """

    def __init__(self, dll_path: Path | None = None) -> None:
        if sys.platform != "win32":
            raise SpeechError(
                new_messages.SPEECH_ENGINE_NOT_STARTED.format(reason="NVDA needs Windows")
            )
        self._dll: Any = _load_nvda(dll_path)
        if self._dll.nvdaController_testIfRunning() != 0:
            raise SpeechError(
                new_messages.SPEECH_ENGINE_NOT_STARTED.format(reason="NVDA is not running")
            )

    def speak(self, text: str, cancelled: threading.Event) -> None:
        """Give `text` to NVDA."""
        if cancelled.is_set():
            return
        result = self._dll.nvdaController_speakText(ctypes.c_wchar_p(text))
        if result != 0:
            reason = f"NVDA error {result}"
            raise SpeechError(messages.SPEECH_ENGINE_FAILED.format(reason=reason))

    def interrupt(self) -> None:
        """Tell NVDA to be quiet."""
        self._dll.nvdaController_cancelSpeech()

    def close(self) -> None:
        """The DLL stays loaded for the process."""


def _load_nvda(dll_path: Path | None) -> Any:
    """Load the controller client DLL from `dll_path`, IRIS_NVDA_DLL, or beside Iris."""
    override = os.environ.get("IRIS_NVDA_DLL")
    folders = [Path(sys.executable).parent, Path(__file__).parent, Path.cwd()]
    candidates = [dll_path] if dll_path else [Path(override)] if override else []
    candidates += [folder / name for folder in folders for name in NVDA_DLL_NAMES]
    loader = getattr(ctypes, "WinDLL")  # noqa: B009 - Windows only; keeps mypy quiet elsewhere
    for candidate in candidates:
        if candidate is not None and candidate.is_file():
            dll = loader(str(candidate))
            dll.nvdaController_speakText.argtypes = [ctypes.c_wchar_p]
            return dll
    reason = "nvdaControllerClient.dll not found"
    raise SpeechError(new_messages.SPEECH_ENGINE_NOT_STARTED.format(reason=reason))


def screen_reader_backend() -> SpeechDispatcherBackend | NvdaBackend:
    """The screen reader hand-off for this platform; SpeechError if there is none."""
    if sys.platform == "win32":
        return NvdaBackend()
    if sys.platform.startswith("linux"):
        return SpeechDispatcherBackend()
    raise SpeechError(
        new_messages.SPEECH_ENGINE_NOT_STARTED.format(reason=f"no hand-off on {sys.platform}")
    )
