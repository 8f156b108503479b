"""Hand speech to the running screen reader: speech-dispatcher on Linux (Orca's speech server),
NVDA or JAWS on Windows, VoiceOver on macOS.

The screen reader's own voice, rate and volume are used; Iris's voice settings are not. Each
backend raises HandOffError when it cannot start, and the factory then uses Iris's own voice.

Languages: speech-dispatcher takes a language for Iris's own connection (`use_language`: SSIP
`SET SELF LANGUAGE`), which picks a voice of the answer's language without touching the screen
reader's (Orca's settings are its own connection's). NVDA, JAWS and VoiceOver keep their own
voice: their APIs take text only, and the voice and language are the user's choice in the screen
reader (NVDA's and JAWS's automatic language switching, VoiceOver's per-language voices), made
for the user's own language; Iris does not change the reader's settings behind the user's back.
"""

from __future__ import annotations

import ctypes
import getpass
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import SpeechError, first_line
from desktop_app.speech._ssip import SsipConnection, SsipError, socket_path

log = logging.getLogger(__name__)

ORCA, NVDA, JAWS, VOICEOVER = "Orca", "NVDA", "JAWS", "VoiceOver"
"""Screen readers' names, as Iris says them."""

CHECK_TIMEOUT_S = 10.0
"""How long starting speech-dispatcher may take."""

SLOWEST_WPM = 60
"""Waiting for one utterance ends after it would have taken at this rate, plus 10 s: with no
working sound, speech-dispatcher may never report the end."""

ESTIMATED_WPM = 180.0
"""NVDA, JAWS and VoiceOver do not say when they have finished Iris's text: `speak` waits as
long as the text takes at this rate (so that `stop` can still silence it, and the next
sentence does not cut in); a screen reader set faster leaves short pauses between sentences."""


class HandOffError(SpeechError):
    """The screen reader's hand-off cannot start; `reason` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(messages.SPEECH_SCREEN_READER_MISSING.format(reason=reason))
        self.reason = reason


def spoken_seconds(text: str, wpm: float) -> float:
    """About how long `text` takes to say at `wpm` words a minute."""
    return 0.2 + 60.0 * len(text.split()) / wpm


def ssip_client_name(user: str | None = None) -> str:
    """`user:iris:main`, as speech-dispatcher's per-client settings (`*:iris:*`) match it."""
    if user is None:
        try:
            user = getpass.getuser()
        except (OSError, KeyError):
            user = "unknown"
    return f"{re.sub(r'[^A-Za-z0-9_.-]', '_', user) or 'unknown'}:iris:main"


class SpeechDispatcherBackend:
    """Speaks through speech-dispatcher, the speech server Orca speaks through (Linux).

    One long-lived SSIP connection, named `USER:iris:main`. Iris's messages have priority
    `text` (by default): the screen reader's messages (`message`, `important`) cut in instead of
    being cut, and speech-dispatcher never plays two voices at once. `speak` waits for the
    message's END (or CANCEL) event; `interrupt` is `CANCEL SELF`, which cancels Iris's own
    messages only, never the screen reader's. The daemon is started (`--spawn`) if it is not
    running; a connection that breaks is made again at the next utterance.
    """

    def __init__(
        self,
        command: str = "speech-dispatcher",
        env: Mapping[str, str] | None = None,
        *,
        socket: Path | None = None,
        priority: str = "text",
    ) -> None:
        """`command` starts the daemon when none runs; `env` is the environment it and the
        socket's location come from (os.environ by default). HandOffError if it cannot start."""
        self.command = command
        self.env = dict(env) if env is not None else dict(os.environ)
        self.priority = priority
        try:
            self.socket = socket or socket_path(self.env)
        except SsipError as error:
            raise HandOffError(str(error)) from error
        self._lock = threading.Lock()
        self.language: str | None = None
        """The language Iris's messages are spoken in (SET SELF LANGUAGE), once set."""
        self._connection: SsipConnection | None = self._connect()

    def use_language(self, language: str | None) -> None:
        """Speak what follows in `language` (a code such as "de"); None keeps the current one.
        A refusal is logged: the message is still spoken, in the voice already set."""
        if not language or language == self.language:
            return
        try:
            connection = self._current_connection()
            connection.command(f"SET SELF LANGUAGE {_ssip_language(language)}")
        except (SsipError, SpeechError) as error:
            log.warning("speech-dispatcher did not take the language %r: %s", language, error)
            return
        self.language = language

    def speak(self, text: str, cancelled: threading.Event) -> None:
        """Queue `text` and wait until speech-dispatcher has spoken or dropped it."""
        if cancelled.is_set():
            return
        connection, message = self._queue(text)
        longest = 10.0 + 60.0 * len(text.split()) / SLOWEST_WPM
        event = connection.wait_finished(message, longest, cancelled.is_set)
        if event is None and not cancelled.is_set() and not connection.closed:
            log.warning("speech-dispatcher did not finish a message in %.0f s; cancelled", longest)
            self._cancel(connection)

    def interrupt(self) -> None:
        """Cancel Iris's messages (CANCEL SELF) and let `speak` return now."""
        with self._lock:
            connection = self._connection
        if connection is not None and not connection.closed:
            self._cancel(connection)
            connection.wake()

    def close(self) -> None:
        """Cancel what Iris queued and close the connection."""
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is not None:
            if not connection.closed:
                self._cancel(connection)
            connection.close()

    # -- connecting --------------------------------------------------------------------------
    def _queue(self, text: str) -> tuple[SsipConnection, int]:
        """SPEAK `text`; the connection and the message id. A connection found broken (the
        daemon restarted) is made again once."""
        for attempt in (1, 2):
            connection = self._current_connection()
            try:
                return connection, connection.speak(text)
            except SsipError as error:
                connection.close()
                if attempt == 2:
                    failed = messages.SPEECH_ENGINE_FAILED.format(reason=str(error))
                    raise SpeechError(failed) from error
                log.info("speech-dispatcher connection lost (%s); connecting again", error)
        raise AssertionError("unreachable")

    def _current_connection(self) -> SsipConnection:
        """The open connection, made again (and the daemon started again) if it broke."""
        with self._lock:
            connection = self._connection
        if connection is not None and not connection.closed:
            return connection
        if connection is not None:
            connection.close()
        try:
            fresh = self._connect()
        except HandOffError as error:
            raise SpeechError(messages.SPEECH_ENGINE_FAILED.format(reason=error.reason)) from error
        with self._lock:
            self._connection = fresh
        return fresh

    def _connect(self) -> SsipConnection:
        try:
            connection = SsipConnection(self.socket)
        except SsipError as first:
            started = self._spawn()
            try:
                connection = SsipConnection(self.socket)
            except SsipError as error:
                raise HandOffError(started or str(first)) from error
        try:
            for line in (
                f"SET SELF CLIENT_NAME {ssip_client_name()}",
                f"SET SELF PRIORITY {self.priority}",
                "SET SELF NOTIFICATION END on",
                "SET SELF NOTIFICATION CANCEL on",
                *([f"SET SELF LANGUAGE {_ssip_language(self.language)}"] if self.language else []),
            ):
                connection.command(line)
        except SsipError as error:
            connection.close()
            raise HandOffError(str(error)) from error
        return connection

    def _spawn(self) -> str | None:
        """Start the daemon as its clients do (`--spawn`, which honours DisableAutoSpawn);
        None, or why it did not start."""
        program = shutil.which(self.command, path=self.env.get("PATH"))
        if program is None:
            return f"speech-dispatcher is not running, and {self.command} is not installed"
        try:
            done = subprocess.run(
                [program, "--spawn", "--communication-method", "unix_socket",
                 "--socket-path", str(self.socket)],
                capture_output=True, env=self.env, timeout=CHECK_TIMEOUT_S, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"speech-dispatcher did not start: {first_line(error)}"
        if done.returncode == 0:
            return None
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        return f"speech-dispatcher did not start: {lines[-1] if lines else done.returncode}"

    @staticmethod
    def _cancel(connection: SsipConnection) -> None:
        try:
            connection.command("CANCEL SELF")
        except SsipError as error:
            log.warning("cancelling Iris's speech failed: %s", error)


def _ssip_language(language: str) -> str:
    """`language` as one SSIP word: letters, digits and hyphens ("pt-BR")."""
    return re.sub(r"[^A-Za-z0-9-]", "", language.replace("_", "-")) or "en"


# --- Windows: NVDA and JAWS ---------------------------------------------------------------------
NVDA_DLL_NAMES = ("nvdaControllerClient.dll", "nvdaControllerClient64.dll")
"""The controller client DLL (from NVDA's extras/controllerClient); shipped beside Iris."""


class NvdaBackend:
    """NVDA's controller client through ctypes. Windows only; not tested on Windows.

    `nvdaController_speakText` queues the text and returns at once: `speak` then waits as long
    as the text takes to say (ESTIMATED_WPM), so that `stop` (`nvdaController_cancelSpeech`,
    which also silences NVDA's own speech) reaches it. `dll` is for tests (a fake DLL).
    """

    def __init__(
        self, dll_path: Path | None = None, *, dll: Any = None, wpm: float = ESTIMATED_WPM
    ) -> None:
        if dll is None:
            if sys.platform != "win32":
                raise HandOffError("NVDA needs Windows")
            dll = load_nvda(dll_path)
        self._dll: Any = dll
        self.wpm = wpm
        if self._dll.nvdaController_testIfRunning() != 0:
            raise HandOffError("NVDA is not running")

    def speak(self, text: str, cancelled: threading.Event) -> None:
        """Give `text` to NVDA, then wait about as long as NVDA takes to say it."""
        if cancelled.is_set():
            return
        result = self._dll.nvdaController_speakText(text)
        if result != 0:
            raise SpeechError(messages.SPEECH_ENGINE_FAILED.format(reason=f"NVDA error {result}"))
        cancelled.wait(spoken_seconds(text, self.wpm))

    def interrupt(self) -> None:
        """Tell NVDA to be quiet."""
        self._dll.nvdaController_cancelSpeech()

    def close(self) -> None:
        """The DLL stays loaded for the process."""


def load_nvda(dll_path: Path | None = None) -> Any:
    """Load the controller client DLL from `dll_path`, IRIS_NVDA_DLL, or beside Iris;
    HandOffError if there is none."""
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
    raise HandOffError("nvdaControllerClient.dll not found")


JAWS_PROGID = "FreedomSci.JawsApi"


class JawsBackend:
    """JAWS through its COM API (`FreedomSci.JawsApi`: `SayString`, `StopSpeech`), with comtypes.
    Windows only; written from the API's documentation, not tested on Windows.

    COM objects belong to the thread that made them: `speak` (the speaker's thread) and
    `interrupt` (any thread) each use their own. JAWS does not say when it has finished, so
    `speak` waits as long as the text takes to say (ESTIMATED_WPM). `api_factory` makes the COM
    object (tests give a fake).
    """

    def __init__(
        self, api_factory: Callable[[], Any] | None = None, *, wpm: float = ESTIMATED_WPM
    ) -> None:
        if api_factory is None:
            if sys.platform != "win32":
                raise HandOffError("JAWS needs Windows")
            api_factory = _jaws_com_object
        self._factory = api_factory
        self._local = threading.local()
        self.wpm = wpm
        try:
            self._api()
        except Exception as error:
            raise HandOffError(f"JAWS: {first_line(error)}") from error

    def speak(self, text: str, cancelled: threading.Event) -> None:
        """Give `text` to JAWS (queued after what it says), then wait about as long as it takes."""
        if cancelled.is_set():
            return
        if not self._api().SayString(text, False):
            raise SpeechError(messages.SPEECH_ENGINE_FAILED.format(reason="JAWS refused the text"))
        cancelled.wait(spoken_seconds(text, self.wpm))

    def interrupt(self) -> None:
        """Tell JAWS to be quiet."""
        self._api().StopSpeech()

    def close(self) -> None:
        """Let this thread's COM object go."""
        self._local.__dict__.clear()

    def _api(self) -> Any:
        api = getattr(self._local, "api", None)
        if api is None:
            api = self._local.api = self._factory()
        return api


def _jaws_com_object() -> Any:
    """A JAWS API object for the calling thread (COM initialised there first)."""
    import comtypes
    import comtypes.client

    comtypes.CoInitialize()
    return comtypes.client.CreateObject(JAWS_PROGID, dynamic=True)


# --- macOS: VoiceOver ---------------------------------------------------------------------------
VOICEOVER_OUTPUT_SCRIPT = (
    "on run argv",
    'tell application "VoiceOver" to output (item 1 of argv)',
    "end run",
)


class VoiceOverBackend:
    """VoiceOver announcements (macOS). Written from Apple's documentation; not tested on macOS.

    With AppKit (pyobjc), each utterance is an announcement posted on the main thread:
    `NSAccessibilityPostNotificationWithUserInfo(NSApp, announcement requested,
    {NSAccessibilityAnnouncementKey: text, NSAccessibilityPriorityKey: priority})`. The default
    priority is medium: it interrupts what VoiceOver is saying but can itself be interrupted
    (by VoiceOver's own speech, or by `interrupt`, which announces nothing); a high-priority
    announcement cannot be interrupted once started, so `stop` could not silence it. Without
    AppKit, `osascript` asks VoiceOver to `output` the text (the user must allow VoiceOver to be
    controlled with AppleScript). VoiceOver does not say when it has finished: `speak` waits as
    long as the text takes (ESTIMATED_WPM). `appkit`, `run` and `main_thread` are for tests.
    """

    def __init__(
        self,
        appkit: Any = None,
        *,
        run: Callable[[Sequence[str]], int] | None = None,
        main_thread: Callable[[Callable[[], None]], None] | None = None,
        priority: str = "medium",
        wpm: float = ESTIMATED_WPM,
    ) -> None:
        self.wpm = wpm
        self._run = run or _run_quietly
        self._main_thread = main_thread or _on_main_thread
        self._appkit: Any = appkit
        if appkit is None and run is None:
            if sys.platform != "darwin":
                raise HandOffError("VoiceOver needs macOS")
            self._appkit = _import_appkit()
        if self._appkit is not None:
            levels = {
                "low": self._appkit.NSAccessibilityPriorityLow,
                "medium": self._appkit.NSAccessibilityPriorityMedium,
                "high": self._appkit.NSAccessibilityPriorityHigh,
            }
            self._priority = levels[priority]
        elif shutil.which("osascript") is None and run is None:
            raise HandOffError("neither AppKit nor osascript is available")

    def speak(self, text: str, cancelled: threading.Event) -> None:
        """Announce `text`, then wait about as long as VoiceOver takes to say it."""
        if cancelled.is_set():
            return
        self._announce(text)
        cancelled.wait(spoken_seconds(text, self.wpm))

    def interrupt(self) -> None:
        """Announce nothing, which ends the announcement being spoken."""
        self._announce("")

    def close(self) -> None:
        """Nothing is held."""

    def _announce(self, text: str) -> None:
        appkit = self._appkit
        if appkit is None:
            if self._run(["osascript", *_osascript_lines(), text]) != 0:
                reason = "VoiceOver refused AppleScript (allow it in VoiceOver Utility)"
                raise SpeechError(messages.SPEECH_ENGINE_FAILED.format(reason=reason))
            return
        info = {
            appkit.NSAccessibilityAnnouncementKey: text,
            appkit.NSAccessibilityPriorityKey: self._priority,
        }

        def post() -> None:
            appkit.NSAccessibilityPostNotificationWithUserInfo(
                appkit.NSApplication.sharedApplication(),
                appkit.NSAccessibilityAnnouncementRequestedNotification,
                info,
            )

        self._main_thread(post)


def _osascript_lines() -> list[str]:
    return [part for line in VOICEOVER_OUTPUT_SCRIPT for part in ("-e", line)]


def _run_quietly(command: Sequence[str]) -> int:
    try:
        done = subprocess.run(list(command), capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        log.warning("%s failed: %s", command[0], error)
        return 1
    return done.returncode


def _import_appkit() -> Any:
    """pyobjc's AppKit, or None (then osascript is used)."""
    try:
        import AppKit
    except ImportError:
        log.debug("AppKit (pyobjc) is not available; VoiceOver through osascript")
        return None
    return AppKit


def _on_main_thread(function: Callable[[], None]) -> None:
    """Run `function` on AppKit's main thread (PyObjCTools.AppHelper.callAfter), or here."""
    try:
        from PyObjCTools import AppHelper
    except ImportError:
        function()
        return
    AppHelper.callAfter(function)


# --- which hand-off ----------------------------------------------------------------------------
def hand_off_backend(
    screen_reader: str | None, platform: str = sys.platform
) -> SpeechDispatcherBackend | NvdaBackend | JawsBackend | VoiceOverBackend:
    """The backend that speaks through `screen_reader` (a detected name, or None) on
    `platform`; HandOffError if it cannot start or there is none."""
    if platform.startswith("linux"):
        return SpeechDispatcherBackend()
    if platform == "win32":
        return JawsBackend() if screen_reader == JAWS else NvdaBackend()
    if platform == "darwin":
        return VoiceOverBackend()
    raise HandOffError(f"no screen reader hand-off on {platform}")
