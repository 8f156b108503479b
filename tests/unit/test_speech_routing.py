"""Whose voice speaks: screen reader detection on every platform (with fakes),
the routing decision, old settings files, create_speaker's routes and fallbacks, the Windows
and macOS hand-offs (with fakes), and speech-dispatcher for real: Iris's utterances reach it,
and Iris's cancel leaves another client's speech alone."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

from desktop_app.core import messages
from desktop_app.core.errors import SpeechError
from desktop_app.settings import AppSettings, SpeechOutput, SpeechSettings, load_settings
from desktop_app.settings import save_settings as save
from desktop_app.speech import (
    HandOffError,
    JawsBackend,
    NvdaBackend,
    RouteReason,
    SilentSpeaker,
    SpeechDispatcherBackend,
    SpeechRoute,
    SubprocessPlayer,
    ThreadedSpeaker,
    VoiceOverBackend,
    choose_route,
    create_speaker,
    detect_screen_reader,
    hand_off_backend,
    route_notice,
)
from desktop_app.speech import _detect as detect_module
from desktop_app.speech._audio import write_silence
from desktop_app.speech._detect import (
    Win32ScreenReaderApi,
    atspi_screen_reader_enabled,
    linux_probe,
    macos_probe,
    running_programs,
    windows_probe,
)
from desktop_app.speech._ssip import (
    EVENT_BEGIN,
    EVENT_CANCEL,
    EVENT_END,
    SsipConnection,
    encode_text,
    socket_path,
)

ROOT = Path(__file__).resolve().parents[2]
GENERIC = messages.SCREEN_READER_GENERIC
LONG = "This is a long sentence about the screen, with a window, a toolbar and a status bar. "


# --- settings files ------------------------------------------------------------------------------
def _load(tmp_path: Path, speech: object) -> SpeechSettings:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"speech": speech}))
    return load_settings(path).speech


@pytest.mark.parametrize(
    ("speech", "expected"),
    [
        ({"use_screen_reader": True}, SpeechOutput.SCREEN_READER),
        ({"use_screen_reader": False}, SpeechOutput.AUTO),  # the old default, not a choice
        ({}, SpeechOutput.AUTO),
        ({"output": "own_voice"}, SpeechOutput.OWN_VOICE),
        ({"output": "screen_reader"}, SpeechOutput.SCREEN_READER),
        ({"output": "auto", "use_screen_reader": True}, SpeechOutput.AUTO),  # the new key wins
        ({"output": "loud"}, SpeechOutput.AUTO),
        ({"output": 3}, SpeechOutput.AUTO),
        ({"output": None}, SpeechOutput.AUTO),
        ({"output": ["own_voice"]}, SpeechOutput.AUTO),
    ],
)
def test_old_and_bad_speech_settings_are_read(
    tmp_path: Path, speech: dict[str, object], expected: SpeechOutput
) -> None:
    loaded = _load(tmp_path, {**speech, "rate_wpm": 250})
    assert loaded.output is expected
    assert loaded.rate_wpm == 250  # a bad output value spoils nothing else
    assert not list(tmp_path.glob("*.corrupt-*"))


@pytest.mark.parametrize("output", list(SpeechOutput))
def test_the_output_setting_round_trips(tmp_path: Path, output: SpeechOutput) -> None:
    settings = AppSettings().with_changes(speech=SpeechSettings(output=output))
    path = save(settings, tmp_path / "settings.json")
    written = json.loads(path.read_text())["speech"]
    assert written["output"] == output.value and "use_screen_reader" not in written
    assert load_settings(path) == settings


def test_auto_is_the_default() -> None:
    assert SpeechSettings().output is SpeechOutput.AUTO


# --- the decision --------------------------------------------------------------------------------
AUTO, CHOSEN_SR, OWN = SpeechOutput.AUTO, SpeechOutput.SCREEN_READER, SpeechOutput.OWN_VOICE
R = RouteReason

ROUTES = [
    # output, detected, platform -> whose voice, reason
    (AUTO, "Orca", "linux", "Orca", R.SCREEN_READER_RUNS),
    (AUTO, GENERIC, "linux", GENERIC, R.SCREEN_READER_RUNS),
    (AUTO, None, "linux", None, R.NO_SCREEN_READER),
    (AUTO, "NVDA", "win32", "NVDA", R.SCREEN_READER_RUNS),
    (AUTO, "JAWS", "win32", "JAWS", R.SCREEN_READER_RUNS),
    (AUTO, GENERIC, "win32", None, R.NO_HAND_OFF),  # e.g. Narrator: no hand-off
    (AUTO, None, "win32", None, R.NO_SCREEN_READER),
    (AUTO, "VoiceOver", "darwin", "VoiceOver", R.SCREEN_READER_RUNS),
    (AUTO, None, "darwin", None, R.NO_SCREEN_READER),
    (AUTO, "Orca", "freebsd14", None, R.NO_HAND_OFF),
    (CHOSEN_SR, "Orca", "linux", "Orca", R.CHOSEN_SCREEN_READER),
    (CHOSEN_SR, None, "linux", GENERIC, R.CHOSEN_SCREEN_READER),  # speech-dispatcher anyway
    (CHOSEN_SR, "JAWS", "win32", "JAWS", R.CHOSEN_SCREEN_READER),
    (CHOSEN_SR, GENERIC, "win32", GENERIC, R.CHOSEN_SCREEN_READER),  # NVDA is tried
    (CHOSEN_SR, None, "win32", GENERIC, R.CHOSEN_SCREEN_READER),
    (CHOSEN_SR, None, "darwin", GENERIC, R.CHOSEN_SCREEN_READER),
    (CHOSEN_SR, None, "freebsd14", None, R.NO_HAND_OFF),
    (OWN, "Orca", "linux", None, R.CHOSEN_OWN_VOICE),
    (OWN, "NVDA", "win32", None, R.CHOSEN_OWN_VOICE),
    (OWN, "VoiceOver", "darwin", None, R.CHOSEN_OWN_VOICE),
    (OWN, None, "linux", None, R.CHOSEN_OWN_VOICE),
]


@pytest.mark.parametrize(("output", "detected", "platform", "voice", "reason"), ROUTES)
def test_choose_route(
    output: SpeechOutput,
    detected: str | None,
    platform: str,
    voice: str | None,
    reason: RouteReason,
) -> None:
    route = choose_route(SpeechSettings(output=output), detected, platform)
    assert (route.screen_reader, route.reason) == (voice, reason)
    assert route.own_voice is (voice is None)
    assert route.detected == detected


@pytest.mark.parametrize("output", list(SpeechOutput))
def test_speech_off_is_its_own_route(output: SpeechOutput) -> None:
    route = choose_route(SpeechSettings(enabled=False, output=output), "Orca", "linux")
    assert route == SpeechRoute(None, R.SPEECH_OFF, "Orca")


@pytest.mark.parametrize(
    ("route", "notice"),
    [
        (
            SpeechRoute("Orca", R.SCREEN_READER_RUNS, "Orca"),
            "Iris speaks through Orca's voice. To use Iris's own voice instead, open Settings, "
            "Speech.",
        ),
        (
            SpeechRoute(GENERIC, R.CHOSEN_SCREEN_READER),
            messages.SPEECH_ROUTE_SCREEN_READER.format(screen_reader="your screen reader"),
        ),
        (
            SpeechRoute(None, R.CHOSEN_OWN_VOICE, "NVDA"),
            messages.SPEECH_ROUTE_OWN_VOICE_BESIDE.format(screen_reader="NVDA"),
        ),
        (
            SpeechRoute(None, R.NO_HAND_OFF, GENERIC),
            messages.SPEECH_ROUTE_NO_HAND_OFF.format(screen_reader=GENERIC),
        ),
        (
            SpeechRoute(None, R.HAND_OFF_FAILED, "JAWS", "JAWS: class not registered"),
            "Iris cannot reach JAWS's voice (JAWS: class not registered), so it speaks with its "
            "own voice.",
        ),
        (
            SpeechRoute(None, R.HAND_OFF_FAILED, None, "NVDA is not running"),
            messages.SPEECH_ROUTE_HAND_OFF_FAILED.format(
                screen_reader=GENERIC, reason="NVDA is not running"
            ),
        ),
        (SpeechRoute(None, R.CHOSEN_OWN_VOICE), None),
        (SpeechRoute(None, R.NO_SCREEN_READER), None),
        (SpeechRoute(None, R.FILES), None),
        (SpeechRoute(None, R.SPEECH_OFF, "Orca"), None),
    ],
)
def test_route_notice(route: SpeechRoute, notice: str | None) -> None:
    assert route_notice(route) == notice


# --- detection: Linux ----------------------------------------------------------------------------
def _never() -> Any:
    raise AssertionError("not asked")


def _no_hand_off(name: str) -> Any:
    raise AssertionError(f"a hand-off to {name} was started")


def test_linux_orca_process_is_named_without_asking_dbus() -> None:
    assert linux_probe(lambda: ["bash", "orca"], _never) == "Orca"
    assert linux_probe(lambda: ["odilia"], _never) == "Odilia"


def test_linux_atspi_flag_alone_counts_as_a_screen_reader() -> None:
    assert linux_probe(lambda: ["bash"], lambda: True) == GENERIC
    assert linux_probe(lambda: ["bash"], lambda: False) is None


def test_linux_probe_failures_count_as_none() -> None:
    def broken_proc() -> Iterable[str]:
        raise PermissionError("/proc is hidden")

    def broken_bus() -> bool:
        raise ConnectionError("no bus")

    assert linux_probe(broken_proc, lambda: True) == GENERIC  # either one counts
    assert linux_probe(broken_proc, broken_bus) is None


def _process(proc: Path, pid: int, comm: str, *argv: str) -> None:
    folder = proc / str(pid)
    folder.mkdir(parents=True)
    (folder / "comm").write_text(comm + "\n")
    (folder / "cmdline").write_bytes(b"\0".join(arg.encode() for arg in argv) + b"\0")


def test_running_programs_reads_this_users_processes(tmp_path: Path) -> None:
    _process(tmp_path, 10, "orca", "/usr/bin/python3", "/usr/bin/orca", "--replace")
    _process(tmp_path, 11, "vim", "vim", "orca")  # editing a file called orca
    _process(tmp_path, 12, "bash", "-bash")
    (tmp_path / "self").mkdir()
    names = list(running_programs(tmp_path))
    assert names.count("orca") == 2  # comm and argv[1] of process 10, nothing from vim
    assert {"python3", "vim", "bash", "-bash"} <= set(names)
    assert list(running_programs(tmp_path, uid=os.getuid() + 1)) == []  # another user's


def test_a_real_orca_process_is_found(tmp_path: Path) -> None:
    """A process whose program is called `orca` (a link to sleep), in the real /proc."""
    orca = tmp_path / "orca"
    orca.symlink_to(shutil.which("sleep") or "/bin/sleep")
    process = subprocess.Popen([str(orca), "60"])
    try:
        assert "orca" in set(running_programs())
        assert linux_probe(screen_reader_enabled=_never) == "Orca"
    finally:
        process.kill()
        process.wait()


def test_atspi_probe_without_a_session_bus_is_quick_and_false(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    assert atspi_screen_reader_enabled() is False


ATSPI_SCRIPT = """
import subprocess, sys
from desktop_app.speech._detect import atspi_screen_reader_enabled
def owner():
    out = subprocess.run(["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
        "--object-path", "/org/freedesktop/DBus", "--method",
        "org.freedesktop.DBus.NameHasOwner", "org.a11y.Bus"], capture_output=True, text=True)
    return out.stdout.strip()
def set_flag(value):
    subprocess.run(["gdbus", "call", "--session", "--dest", "org.a11y.Bus", "--object-path",
        "/org/a11y/bus", "--method", "org.freedesktop.DBus.Properties.Set", "org.a11y.Status",
        "ScreenReaderEnabled", value], check=True, capture_output=True)
print(atspi_screen_reader_enabled(), owner())
set_flag("<true>")
print(atspi_screen_reader_enabled())
set_flag("<false>")
print(atspi_screen_reader_enabled())
"""


def test_atspi_screen_reader_enabled_on_a_real_bus(tmp_path: Path) -> None:
    """A private session bus with the real AT-SPI bus launcher: the probe does not start it,
    and reads the flag GNOME's screen reader switch sets."""
    for program in ("dbus-run-session", "gdbus"):
        if shutil.which(program) is None:
            pytest.skip(f"needs {program} (dbus, libglib2.0-bin)")
    if not Path("/usr/libexec/at-spi-bus-launcher").exists():
        pytest.skip("needs at-spi2-core's /usr/libexec/at-spi-bus-launcher")
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path), "HOME": str(tmp_path)}
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"):
        env.pop(name, None)
    done = subprocess.run(
        ["dbus-run-session", "--", sys.executable, "-c", ATSPI_SCRIPT],
        capture_output=True, text=True, timeout=60, env=env, check=False, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:3] == ["False (false,)", "True", "False"], done.stderr


def test_detect_on_other_platforms_and_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IRIS_SCREEN_READER", raising=False)
    assert detect_screen_reader("freebsd14") is None

    def broken() -> str | None:
        raise RuntimeError("probe crashed")

    monkeypatch.setattr(detect_module, "linux_probe", broken)
    assert detect_screen_reader("linux") is None
    monkeypatch.setattr(detect_module, "linux_probe", lambda: "Orca")
    assert detect_screen_reader("linux") == "Orca"


def test_detection_can_be_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(detect_module, "linux_probe", _never)
    monkeypatch.setenv("IRIS_SCREEN_READER", "NVDA")
    assert detect_screen_reader("linux") == "NVDA"
    monkeypatch.setenv("IRIS_SCREEN_READER", "none")
    assert detect_screen_reader("linux") is None


# --- detection: Windows --------------------------------------------------------------------------
class FakeWindowsApi:
    def __init__(self, nvda: bool = False, jaws: bool = False, flag: bool = False) -> None:
        self.nvda, self.jaws, self.flag = nvda, jaws, flag

    def nvda_running(self) -> bool:
        return self.nvda

    def jaws_running(self) -> bool:
        return self.jaws

    def screen_reader_flag(self) -> bool:
        return self.flag


@pytest.mark.parametrize(
    ("api", "expected"),
    [
        (FakeWindowsApi(nvda=True, jaws=True, flag=True), "NVDA"),
        (FakeWindowsApi(jaws=True, flag=True), "JAWS"),
        (FakeWindowsApi(flag=True), GENERIC),
        (FakeWindowsApi(), None),
    ],
)
def test_windows_probe(api: FakeWindowsApi, expected: str | None) -> None:
    assert windows_probe(api) == expected


class FakeUser32:
    def __init__(self, jaws_window: int = 0, flag: int = 0, ok: int = 1) -> None:
        self.jaws_window, self.flag, self.ok = jaws_window, flag, ok
        self.calls: list[tuple[object, ...]] = []

    def FindWindowW(self, window_class: str, title: None) -> int:
        self.calls.append(("FindWindowW", window_class, title))
        return self.jaws_window

    def SystemParametersInfoW(self, action: int, param: int, pointer: Any, flags: int) -> int:
        self.calls.append(("SystemParametersInfoW", action, param, flags))
        pointer._obj.value = self.flag  # what Windows writes through the BOOL pointer
        return self.ok


class FakeNvdaDll:
    def __init__(self, running: bool = True, result: int = 0) -> None:
        self.running, self.result = running, result
        self.spoken: list[str] = []
        self.cancels = 0
        self.handed = threading.Event()

    def nvdaController_testIfRunning(self) -> int:
        return 0 if self.running else 1717

    def nvdaController_speakText(self, text: str) -> int:
        self.spoken.append(text)
        self.handed.set()
        return self.result

    def nvdaController_cancelSpeech(self) -> int:
        self.cancels += 1
        return 0


def test_win32_api_calls_with_fakes() -> None:
    user32 = FakeUser32(jaws_window=0x1234, flag=1)
    api = Win32ScreenReaderApi(user32, nvda=lambda: FakeNvdaDll(running=False))
    assert api.jaws_running() and api.screen_reader_flag() and not api.nvda_running()
    assert ("FindWindowW", "JFWUI2", None) in user32.calls
    assert ("SystemParametersInfoW", 0x0046, 0, 0) in user32.calls
    assert not Win32ScreenReaderApi(FakeUser32(flag=1, ok=0)).screen_reader_flag()
    assert Win32ScreenReaderApi(FakeUser32(), nvda=FakeNvdaDll).nvda_running()


def test_windows_probe_without_nvdas_dll_goes_on() -> None:
    def no_dll() -> Any:
        raise HandOffError("nvdaControllerClient.dll not found")

    api = Win32ScreenReaderApi(FakeUser32(jaws_window=7), nvda=no_dll)
    assert windows_probe(api) == "JAWS"


# --- detection: macOS ----------------------------------------------------------------------------
def _fake_appkit(enabled: bool | None, bundles: Sequence[str]) -> Any:
    apps = [SimpleNamespace(bundleIdentifier=lambda b=b: b) for b in bundles]
    workspace = SimpleNamespace(runningApplications=lambda: apps)
    if enabled is not None:
        workspace.isVoiceOverEnabled = lambda: enabled
    return SimpleNamespace(NSWorkspace=SimpleNamespace(sharedWorkspace=lambda: workspace))


@pytest.mark.parametrize(
    ("enabled", "bundles", "expected"),
    [
        (True, [], "VoiceOver"),
        (False, ["com.apple.finder", "com.apple.VoiceOver"], "VoiceOver"),
        (None, ["com.apple.VoiceOver"], "VoiceOver"),  # before macOS 10.13
        (False, ["com.apple.finder"], None),
    ],
)
def test_macos_probe(enabled: bool | None, bundles: list[str], expected: str | None) -> None:
    assert macos_probe(_fake_appkit(enabled, bundles)) == expected


# --- create_speaker: routes and fallbacks --------------------------------------------------------
class SilenceSynthesizer:
    def render(self, text: str, path: Path) -> None:
        write_silence(path, 0.01)

    def close(self) -> None:
        pass


class RecordingSpeechBackend:
    """A screen-reader hand-off (the speech Backend protocol: speak, interrupt, close) that
    records what it is given; `speak` waits until cancelled if `hold`."""

    def __init__(self, hold: bool = False) -> None:
        self.hold = hold
        self.spoken: list[str] = []
        self.interrupts = 0
        self.speaking = threading.Event()

    def speak(self, text: str, cancelled: threading.Event) -> None:
        self.spoken.append(text)
        self.speaking.set()
        if self.hold:
            assert cancelled.wait(10)

    def interrupt(self) -> None:
        self.interrupts += 1

    def close(self) -> None:
        pass


def _speaker(
    output: SpeechOutput,
    detected: str | None,
    platform: str,
    hand_off: Callable[[str], Any],
    **extra: Any,
) -> Any:
    arguments: dict[str, Any] = {
        "synthesizer_factory": lambda _: SilenceSynthesizer(),
        "output_factory": lambda: SubprocessPlayer([sys.executable, "-c", "pass"]),
        "screen_reader_factory": hand_off,
        "detect": lambda: detected,
        "platform": platform,
    }
    return create_speaker(SpeechSettings(output=output), **{**arguments, **extra})


@pytest.mark.parametrize(
    ("detected", "platform"), [("Orca", "linux"), ("NVDA", "win32"), ("JAWS", "win32")]
)
def test_auto_speaks_through_the_running_screen_reader(detected: str, platform: str) -> None:
    backend = RecordingSpeechBackend()
    asked: list[str] = []

    def hand_off(name: str) -> RecordingSpeechBackend:
        asked.append(name)
        return backend

    speaker = _speaker(AUTO, detected, platform, hand_off)
    speaker.say("Describing the screen.")
    assert speaker.wait_idle(10)
    speaker.close()
    assert asked == [detected] and backend.spoken == ["Describing the screen."]
    assert speaker.route == SpeechRoute(detected, R.SCREEN_READER_RUNS, detected)


@pytest.mark.parametrize(
    ("output", "detected", "platform", "reason"),
    [
        (AUTO, None, "linux", R.NO_SCREEN_READER),
        (OWN, "Orca", "linux", R.CHOSEN_OWN_VOICE),
        (AUTO, GENERIC, "win32", R.NO_HAND_OFF),
    ],
)
def test_own_voice_routes_never_start_a_hand_off(
    output: SpeechOutput, detected: str | None, platform: str, reason: RouteReason
) -> None:
    speaker = _speaker(output, detected, platform, _no_hand_off)
    assert isinstance(speaker, ThreadedSpeaker) and speaker.problem is None
    speaker.say("Hello.")
    assert speaker.wait_idle(10)
    speaker.close()
    assert speaker.route.own_voice and speaker.route.reason is reason


def test_a_hand_off_that_cannot_start_falls_back_to_iris_voice() -> None:
    def nvda_gone(name: str) -> Any:
        raise HandOffError("NVDA is not running")

    speaker = _speaker(CHOSEN_SR, None, "win32", nvda_gone)
    assert isinstance(speaker, ThreadedSpeaker) and speaker.problem is None
    speaker.close()
    assert speaker.route == SpeechRoute(None, R.HAND_OFF_FAILED, None, "NVDA is not running")
    assert route_notice(speaker.route) == messages.SPEECH_ROUTE_HAND_OFF_FAILED.format(
        screen_reader=GENERIC, reason="NVDA is not running"
    )


def test_any_hand_off_crash_falls_back_to_iris_voice() -> None:
    def crashing(name: str) -> Any:
        raise OSError("[WinError 126] The specified module could not be found")

    speaker = _speaker(AUTO, "NVDA", "win32", crashing)
    assert speaker.problem is None
    speaker.close()
    assert speaker.route.reason is R.HAND_OFF_FAILED and speaker.route.detected == "NVDA"
    assert speaker.route.detail == "[WinError 126] The specified module could not be found"


def test_the_default_hand_offs_refuse_other_platforms() -> None:
    """On Linux, the Windows and macOS hand-offs say so, and create_speaker falls back."""
    for name, platform, reason in [
        ("NVDA", "win32", "NVDA needs Windows"),
        ("JAWS", "win32", "JAWS needs Windows"),
        ("VoiceOver", "darwin", "VoiceOver needs macOS"),
        (GENERIC, "freebsd14", "no screen reader hand-off on freebsd14"),
    ]:
        with pytest.raises(HandOffError) as raised:
            hand_off_backend(name, platform)
        assert raised.value.reason == reason
        assert raised.value.message == messages.SPEECH_SCREEN_READER_MISSING.format(reason=reason)
    speaker = create_speaker(
        SpeechSettings(),
        synthesizer_factory=lambda _: SilenceSynthesizer(),
        output_factory=lambda: SubprocessPlayer([sys.executable, "-c", "pass"]),
        detect=lambda: "JAWS",
        platform="win32",
    )
    speaker.close()
    assert speaker.route == SpeechRoute(None, R.HAND_OFF_FAILED, "JAWS", "JAWS needs Windows")


def test_speak_to_files_never_looks_for_a_screen_reader(tmp_path: Path) -> None:
    looked: list[bool] = []

    def detect() -> str | None:
        looked.append(True)
        return "Orca"

    speaker = create_speaker(
        SpeechSettings(output=CHOSEN_SR),
        speak_to_files=tmp_path,
        synthesizer_factory=lambda _: SilenceSynthesizer(),
        detect=detect,
    )
    speaker.say("Written, not handed off.")
    assert speaker.wait_idle(10)
    speaker.close()
    assert not looked and speaker.route == SpeechRoute(None, R.FILES)
    assert [path.name for path in tmp_path.glob("*.wav")] == ["0001.wav"]


def test_disabled_speech_and_silent_speakers_have_routes() -> None:
    speaker = create_speaker(SpeechSettings(enabled=False), detect=_never)
    assert isinstance(speaker, SilentSpeaker) and speaker.route.reason is R.SPEECH_OFF

    def no_player() -> SubprocessPlayer:
        raise SpeechError(messages.SPEECH_NO_AUDIO_PLAYER)

    silent = _speaker(AUTO, None, "linux", _no_hand_off, output_factory=no_player)
    assert isinstance(silent, SilentSpeaker) and silent.problem == messages.SPEECH_NO_AUDIO_PLAYER
    assert silent.route.reason is R.NO_SCREEN_READER


def test_a_crashing_detector_means_none() -> None:
    def crashing() -> str | None:
        raise RuntimeError("detector bug")

    speaker = _speaker(AUTO, None, "linux", _no_hand_off, detect=crashing)
    speaker.close()
    assert speaker.route.reason is R.NO_SCREEN_READER


def test_stop_interrupts_a_hand_off_at_once() -> None:
    backend = RecordingSpeechBackend(hold=True)
    speaker = _speaker(AUTO, "Orca", "linux", lambda name: backend)
    speaker.say(LONG)
    speaker.say("Never said.")
    assert backend.speaking.wait(10)
    speaker.stop()
    assert speaker.wait_idle(5)
    speaker.close()
    assert backend.interrupts == 1 and backend.spoken == [LONG]


# --- the Windows and macOS hand-offs, with fakes ------------------------------------------------
def test_nvda_backend_with_a_fake_dll() -> None:
    with pytest.raises(HandOffError, match="NVDA is not running"):
        NvdaBackend(dll=FakeNvdaDll(running=False))
    dll = FakeNvdaDll()
    speaker = ThreadedSpeaker(lambda: NvdaBackend(dll=dll))
    speaker.say(LONG * 5)  # NVDA says it for about 20 s at the estimated rate
    speaker.say("Never said.")
    assert dll.handed.wait(10)
    assert not speaker.wait_idle(0)  # waiting for NVDA to finish, so stop can reach it
    speaker.stop()
    assert speaker.wait_idle(5)
    speaker.close()
    assert dll.spoken == [LONG * 5] and dll.cancels == 1


def test_nvda_backend_error_silences_the_speaker() -> None:
    speaker = ThreadedSpeaker(lambda: NvdaBackend(dll=FakeNvdaDll(result=5)))
    speaker.say("Hello.")
    assert speaker.wait_idle(10)
    assert speaker.problem == messages.SPEECH_ENGINE_FAILED.format(reason="NVDA error 5")
    speaker.close()


class FakeJaws:
    made: ClassVar[list[FakeJaws]] = []

    def __init__(self, accepts: bool = True) -> None:
        self.accepts = accepts
        self.said: list[tuple[str, bool]] = []
        self.stops = 0
        self.thread = threading.current_thread()
        self.handed = threading.Event()
        FakeJaws.made.append(self)

    def SayString(self, text: str, flush: bool) -> bool:
        assert threading.current_thread() is self.thread  # COM: the thread that made it
        self.said.append((text, flush))
        self.handed.set()
        return self.accepts

    def StopSpeech(self) -> None:
        assert threading.current_thread() is self.thread
        self.stops += 1


def test_jaws_backend_uses_a_com_object_per_thread() -> None:
    FakeJaws.made = []
    speaker = ThreadedSpeaker(lambda: JawsBackend(FakeJaws))
    speaker.say(LONG * 5)
    assert FakeJaws.made[0].handed.wait(10)
    assert not speaker.wait_idle(0)
    speaker.stop()  # from this thread: its own COM object
    assert speaker.wait_idle(5)
    speaker.close()
    speaking, stopping = FakeJaws.made
    assert speaking.said == [(LONG * 5, False)] and speaking.stops == 0
    assert stopping.thread is threading.current_thread() and stopping.stops == 1


def test_jaws_backend_failures() -> None:
    def not_registered() -> Any:
        raise OSError("[WinError -2147221005] Invalid class string")

    with pytest.raises(HandOffError) as raised:
        JawsBackend(not_registered)
    assert raised.value.reason == "JAWS: [WinError -2147221005] Invalid class string"
    refusing = JawsBackend(lambda: FakeJaws(accepts=False))
    with pytest.raises(SpeechError, match="JAWS refused the text"):
        refusing.speak("Hello.", threading.Event())


class FakeAppKit:
    NSAccessibilityAnnouncementKey = "AXAnnouncementKey"
    NSAccessibilityPriorityKey = "AXPriorityKey"
    NSAccessibilityAnnouncementRequestedNotification = "AXAnnouncementRequested"
    NSAccessibilityPriorityLow, NSAccessibilityPriorityMedium, NSAccessibilityPriorityHigh = (
        10,
        50,
        90,
    )

    def __init__(self) -> None:
        self.posted: list[tuple[object, str, dict[str, object]]] = []
        self.NSApplication = SimpleNamespace(sharedApplication=lambda: "NSApp")

    def NSAccessibilityPostNotificationWithUserInfo(
        self, element: object, name: str, info: dict[str, object]
    ) -> None:
        self.posted.append((element, name, info))


def test_voiceover_announcements_with_a_fake_appkit() -> None:
    appkit = FakeAppKit()
    on_main: list[bool] = []

    def main_thread(function: Callable[[], None]) -> None:
        on_main.append(True)
        function()

    backend = VoiceOverBackend(appkit, main_thread=main_thread)
    backend.speak("Hello.", threading.Event())
    backend.interrupt()
    assert appkit.posted == [
        ("NSApp", "AXAnnouncementRequested", {"AXAnnouncementKey": "Hello.", "AXPriorityKey": 50}),
        ("NSApp", "AXAnnouncementRequested", {"AXAnnouncementKey": "", "AXPriorityKey": 50}),
    ]
    assert on_main == [True, True]
    high = VoiceOverBackend(appkit, main_thread=main_thread, priority="high")
    cancelled = threading.Event()
    cancelled.set()
    high.speak("Skipped: already cancelled.", cancelled)
    high.speak("Urgent.", threading.Event())
    assert appkit.posted[-1][2] == {"AXAnnouncementKey": "Urgent.", "AXPriorityKey": 90}


def test_voiceover_through_osascript_passes_the_text_as_an_argument() -> None:
    commands: list[list[str]] = []

    def run(command: Sequence[str]) -> int:
        commands.append(list(command))
        return 0

    text = 'He said "quit" & left'
    VoiceOverBackend(run=run).speak(text, threading.Event())
    assert commands == [
        ["osascript", "-e", "on run argv",
         "-e", 'tell application "VoiceOver" to output (item 1 of argv)',
         "-e", "end run", text],
    ]  # fmt: skip
    with pytest.raises(SpeechError, match="AppleScript"):
        VoiceOverBackend(run=lambda command: 1).speak("Hello.", threading.Event())


# --- SSIP ----------------------------------------------------------------------------------------
def test_ssip_text_is_dot_escaped_with_crlf_line_ends() -> None:
    assert encode_text("Hello.") == b"Hello.\r\n.\r\n"
    assert encode_text(".hidden\nline two\r\n.\n..x") == (
        b"..hidden\r\nline two\r\n..\r\n...x\r\n.\r\n"
    )
    assert encode_text("caf\u00e9\0") == "caf\u00e9\r\n.\r\n".encode()


def test_ssip_socket_location() -> None:
    assert socket_path({"XDG_RUNTIME_DIR": "/run/user/7"}) == Path(
        "/run/user/7/speech-dispatcher/speechd.sock"
    )
    assert socket_path({"HOME": "/home/a"}) == Path("/home/a/.cache/speech-dispatcher/speechd.sock")
    assert socket_path({"SPEECHD_ADDRESS": "unix_socket:/tmp/s.sock"}) == Path("/tmp/s.sock")
    assert socket_path({"SPEECHD_SOCKET": "/tmp/old.sock", "XDG_RUNTIME_DIR": "/r"}) == Path(
        "/tmp/old.sock"
    )
    with pytest.raises(HandOffError, match="not a Unix socket"):
        SpeechDispatcherBackend(env={"SPEECHD_ADDRESS": "inet_socket:localhost:6560"})


# --- the real speech-dispatcher ------------------------------------------------------------------
@pytest.fixture
def speechd(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private speech-dispatcher (started by the backend): espeak-ng, ALSA to a null device,
    everything it receives logged to `IRIS_TEST_SPEECHD_LOG`."""
    if shutil.which("speech-dispatcher") is None:
        pytest.skip("speech-dispatcher is not installed (Debian: speech-dispatcher-espeak-ng)")
    home, runtime, logs = tmp_path / "home", tmp_path / "run", tmp_path / "log"
    config = home / ".config" / "speech-dispatcher"
    config.mkdir(parents=True)
    runtime.mkdir(mode=0o700)
    logs.mkdir()
    (home / ".asoundrc").write_text("pcm.!default { type null }\n")
    (config / "speechd.conf").write_text(
        'AudioOutputMethod "alsa"\nAddModule "espeak-ng" "sd_espeak-ng" "espeak-ng.conf"\n'
        f'DefaultModule espeak-ng\nTimeout 5\nLogLevel 5\nLogDir "{logs}"\n'
    )
    env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(runtime),
           "XDG_CONFIG_HOME": str(home / ".config"),
           "IRIS_TEST_SPEECHD_LOG": str(logs / "speech-dispatcher.log")}  # fmt: skip
    env.pop("SPEECHD_ADDRESS", None)
    env.pop("SPEECHD_SOCKET", None)
    yield env
    _stop_daemon(runtime)


def _stop_daemon(runtime: Path) -> None:
    """SIGTERM the daemon started for the test, and wait until it has exited."""
    pid_file = runtime / "speech-dispatcher" / "pid" / "speech-dispatcher.pid"
    if not pid_file.exists():
        return
    with contextlib.suppress(ProcessLookupError, ValueError):
        pid = int(pid_file.read_text().split()[0])
        process = os.pidfd_open(pid)
        try:
            os.kill(pid, signal.SIGTERM)
            ready, _, _ = select.select([process], [], [], 10)  # readable once it has exited
            assert ready, f"speech-dispatcher {pid} did not exit"
        finally:
            os.close(process)


def _other_client(socket: Path, name: str = "test:orca:main") -> SsipConnection:
    """Another client, as Orca connects: priority `message`, every event reported."""
    other = SsipConnection(socket)
    for line in (f"SET SELF CLIENT_NAME {name}", "SET SELF PRIORITY message",
                 "SET SELF NOTIFICATION ALL on"):  # fmt: skip
        other.command(line)
    return other


def test_iris_speaks_through_speech_dispatcher(speechd: dict[str, str]) -> None:
    backend_made: list[SpeechDispatcherBackend] = []

    def make() -> SpeechDispatcherBackend:
        backend_made.append(SpeechDispatcherBackend(env=speechd))
        return backend_made[0]

    speaker = ThreadedSpeaker(make)
    assert speaker.problem is None
    speaker.say("Describing the screen.")
    speaker.say(".Starts with a dot\nand has two lines.")
    assert speaker.wait_idle(30) and speaker.problem is None
    log = Path(speechd["IRIS_TEST_SPEECHD_LOG"]).read_text(errors="replace")
    assert ":DATA:|SET SELF CLIENT_NAME " in log and ":iris:main" in log
    assert "|SET SELF PRIORITY text" in log
    assert "Queueing message |Describing the screen.| with priority 3" in log  # 3: text
    assert "Queueing message |.Starts with a dot\nand has two lines.|" in log

    # The daemon goes away (as after a crash): the next utterance starts it again.
    connection = backend_made[0]._connection
    assert connection is not None
    _stop_daemon(Path(speechd["XDG_RUNTIME_DIR"]))
    assert connection.closed_event.wait(10)
    speaker.say("Still speaking.")
    assert speaker.wait_idle(30) and speaker.problem is None
    speaker.close()


def test_iris_asks_speech_dispatcher_for_each_utterances_language(speechd: dict[str, str]) -> None:
    """Iris's own messages in the interface's language, the answer in its own: SET SELF
    LANGUAGE on Iris's connection only, once for each change, and again after a reconnection."""
    made: list[SpeechDispatcherBackend] = []

    def make() -> SpeechDispatcherBackend:
        made.append(SpeechDispatcherBackend(env=speechd))
        return made[0]

    speaker = ThreadedSpeaker(make, language="en")
    speaker.say("Describing the screen.")
    speaker.say("Ein Fenster mit zwei Knöpfen.", language="de")
    speaker.say("Der erste heißt Speichern.", language="de")
    assert speaker.wait_idle(30) and speaker.problem is None
    assert made[0].language == "de"  # speech-dispatcher took it
    log = Path(speechd["IRIS_TEST_SPEECHD_LOG"]).read_text(errors="replace")
    assert log.count("|SET SELF LANGUAGE en") == 1 and log.count("|SET SELF LANGUAGE de") == 1
    assert log.index("|SET SELF LANGUAGE de") < log.index("Ein Fenster mit zwei Knöpfen.")

    connection = made[0]._connection
    assert connection is not None
    _stop_daemon(Path(speechd["XDG_RUNTIME_DIR"]))  # a fresh daemon knows no language
    assert connection.closed_event.wait(10)
    speaker.say("Noch ein Satz.", language="de")
    assert speaker.wait_idle(30) and speaker.problem is None
    speaker.close()
    log = Path(speechd["IRIS_TEST_SPEECHD_LOG"]).read_text(errors="replace")
    assert log.count("|SET SELF LANGUAGE de") == 2


@pytest.mark.slow
def test_iris_cancel_leaves_another_clients_speech_alone(speechd: dict[str, str]) -> None:
    speaker = ThreadedSpeaker(lambda: SpeechDispatcherBackend(env=speechd))
    assert speaker.problem is None
    socket = Path(speechd["XDG_RUNTIME_DIR"]) / "speech-dispatcher" / "speechd.sock"
    other = _other_client(socket)
    try:
        # The other client speaks; Iris queues a sentence behind it and is stopped.
        message = other.speak(LONG * 40)
        assert other.wait_event(message, {EVENT_BEGIN}, 10) == EVENT_BEGIN
        speaker.say("Iris's answer.")
        speaker.stop()  # CANCEL SELF
        assert speaker.wait_idle(5)
        assert other.wait_event(message, {EVENT_BEGIN}, 0) == EVENT_BEGIN  # still speaking
        assert other.wait_finished(message, 60, lambda: False) == EVENT_END  # to its end

        # What `spd-say -C` did (CANCEL ALL) would have cut it: the test can tell.
        message = other.speak(LONG * 40)
        assert other.wait_event(message, {EVENT_BEGIN}, 10) == EVENT_BEGIN
        canceller = SsipConnection(socket)
        canceller.command("CANCEL ALL")
        canceller.close()
        assert other.wait_finished(message, 30, lambda: False) == EVENT_CANCEL
    finally:
        other.close()
        speaker.close()
