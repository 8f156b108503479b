"""Faults survived, at the app level: each is shown and spoken in a clear sentence from
core/messages.py, nothing hangs (every step waits on a signal), and Iris still answers.

The window, controller and engine worker are real, with tiny models; capture and speech are
fakes passed in (as in tests/gui/test_gui.py) except where the fault is in them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.cli.main import main
from desktop_app.core import messages
from desktop_app.core.types import Answer
from desktop_app.engine.backend import Backend
from desktop_app.engine.local import int8_cache
from desktop_app.engine.local.backend import LocalBackend
from desktop_app.engine.local.loading import out_of_memory
from desktop_app.engine.models.catalogue import smallest
from desktop_app.gui.app import HotkeyBridge
from desktop_app.gui.desktop_capturer import DesktopCapturer
from desktop_app.hotkeys import create_listener
from desktop_app.settings import DEFAULT_HOTKEYS, AppSettings, EngineSettings, SpeechSettings
from desktop_app.speech import SilentSpeaker, StreamingSpeech, create_speaker
from desktop_app.speech._audio import write_silence
from tests.helpers.controllers import TIMEOUT_MS, ControllerFactory
from tests.helpers.fakes import FakeBackend, FakeCapturer, FakeSpeaker

ROOT = Path(__file__).resolve().parents[2]
NO_DISPLAY = ("DISPLAY", "WAYLAND_DISPLAY")


def plain_local_backends(settings: AppSettings) -> Callable[[], Backend]:
    """The Settings dialog's model change, without grounding (no text reader: quicker)."""
    return lambda: LocalBackend(settings.engine)


class App:
    """The main window and a real controller; the fakes can be swapped for real parts."""

    def __init__(
        self,
        make_controller: ControllerFactory,
        model: Path | str,
        *,
        backend: Backend | None = None,
        capturer: Any = None,
    ) -> None:
        self.settings = AppSettings().with_changes(
            engine=EngineSettings(model=str(model), max_new_tokens=6)
        )
        self.speaker = FakeSpeaker()
        self.capturer = capturer or FakeCapturer()
        self.controller = make_controller(
            self.settings,
            show=True,
            capturer=self.capturer,
            backend=backend or LocalBackend(self.settings.engine),
            speaker=self.speaker,
            backend_factory=plain_local_backends,
        )
        self.window = self.controller.window
        self.shown: list[str] = []
        self.controller.voice.status_changed.connect(self.shown.append)

    def trigger(self, key: str) -> None:
        self.window.actions_by_key[key].trigger()

    def choose_model(self, model: Path) -> AppSettings:
        """The settings after choosing `model` in the Settings dialog."""
        engine = self.controller.settings.engine.with_changes(model=str(model))
        return self.controller.settings.with_changes(engine=engine)

    def assert_told(self, message: str) -> None:
        """`message` is on the status line and was spoken (interrupting)."""
        assert self.window.status.text() == message
        assert (message, True) in self.speaker.said


@pytest.fixture
def model_copy(tiny_models: dict[str, Path], tmp_path: Path) -> Path:
    """A tiny model folder of the test's own, to remove or damage."""
    folder = tmp_path / "model"
    shutil.copytree(tiny_models["idefics3"], folder)
    return folder


def answered(qtbot: QtBot, app: App, action: Callable[[], object]) -> Answer:
    """Run `action`; the answer it ends with, which the conversation shows."""
    with qtbot.waitSignal(app.controller.answer_finished, timeout=TIMEOUT_MS) as done:
        action()
    answer: Answer = done.args[0]
    assert not answer.cancelled and answer.generated_tokens > 0
    assert app.window.conversation.entries()[-1] == messages.IRIS_PREFIX.format(text=answer.text)
    return answer


# --- model folder removed while Iris runs ------------------------------------------------------
def test_model_folder_removed_while_running_then_restored(
    qtbot: QtBot, make_controller: ControllerFactory, tiny_models: dict[str, Path], model_copy: Path
) -> None:
    app = App(make_controller, model_copy)
    with qtbot.waitSignal(app.controller.session.model_ready, timeout=TIMEOUT_MS):
        app.controller.load_model()
    shutil.rmtree(model_copy)
    answered(qtbot, app, lambda: app.trigger("describe_screen"))  # the loaded model goes on
    fewer_tokens = app.controller.settings.engine.with_changes(max_new_tokens=5)
    with qtbot.waitSignal(app.controller.session.model_failed, timeout=TIMEOUT_MS) as failed:
        app.controller.apply_settings(app.controller.settings.with_changes(engine=fewer_tokens))
    missing = messages.MODEL_FOLDER_NOT_FOUND.format(path=model_copy)
    assert failed.args[0] == missing
    app.assert_told(missing)
    with qtbot.waitSignal(app.controller.request_failed, timeout=TIMEOUT_MS):
        app.trigger("describe_window")
    assert app.shown[-1] == missing and app.speaker.said[-1] == (missing, True)
    shutil.copytree(tiny_models["idefics3"], model_copy)  # put back: the next request loads it
    answered(qtbot, app, lambda: app.trigger("describe_window"))
    assert app.window.status.text() == messages.STATUS_DONE


# --- a model that does not fit in memory (the real limit is in test_memory_limit.py) ----------
def too_big_backend(name: str, weights_bytes: int) -> FakeBackend:
    """Loads as a model bigger than this computer's memory does: OutOfMemoryError."""
    return FakeBackend(description="too big", load_error=out_of_memory(name, weights_bytes))


def test_model_too_big_offers_a_smaller_one_and_iris_goes_on(
    qtbot: QtBot, make_controller: ControllerFactory, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    name = "SmolVLM-500M-Instruct"
    app = App(make_controller, tmp_path / name, backend=too_big_backend(name, 1_015_000_000))
    with qtbot.waitSignal(app.controller.session.model_failed, timeout=TIMEOUT_MS) as failed:
        app.controller.load_model()
    offer = messages.MODEL_OUT_OF_MEMORY_TRY_SMALLER.format(
        model=name, smaller=smallest().hub_id, memory=smallest().memory_gb
    )
    assert failed.args[0] == offer
    app.assert_told(offer)
    assert app.window.progress.isHidden()
    with qtbot.waitSignal(app.controller.request_failed, timeout=TIMEOUT_MS):
        app.trigger("describe_screen")
    assert app.shown[-1] == offer
    with qtbot.waitSignal(app.controller.session.model_ready, timeout=TIMEOUT_MS):
        app.controller.apply_settings(app.choose_model(tiny_models["idefics3"]))
    answered(qtbot, app, lambda: app.trigger("describe_window"))


# --- weights file corrupted ---------------------------------------------------------------------
def damage(folder: Path, how: str) -> None:
    """Cut the weights file in half, or overwrite its header keeping its size and time (as
    damage on disk does; the int8 cache's key cannot tell)."""
    weights = folder / "model.safetensors"
    stat = weights.stat()
    if how == "truncated":
        os.truncate(weights, stat.st_size // 2)
        return
    with weights.open("r+b") as file:
        file.seek(8)
        file.write(b"\xff" * 64)
    os.utime(weights, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.mark.parametrize("how", ["truncated", "overwritten"])
def test_damaged_weights_are_refused_by_the_cli_even_with_an_int8_cache(
    capsys: pytest.CaptureFixture[str], model_copy: Path, photo: Path, how: str
) -> None:
    describe = ["describe", str(photo), "--model", str(model_copy), "--max-new-tokens", "2",
                "--no-ground"]  # fmt: skip
    assert main(describe) == 0, capsys.readouterr().err
    capsys.readouterr()
    key = int8_cache.cache_key(model_copy)
    assert (int8_cache.cache_root() / key / int8_cache.MANIFEST).is_file()
    damage(model_copy, how)
    assert (int8_cache.cache_key(model_copy) == key) is (how == "overwritten")
    code = main(describe)
    out, err = capsys.readouterr()
    damaged = messages.MODEL_WEIGHTS_DAMAGED.format(model="model", file="model.safetensors")
    assert (code, out, err) == (3, "", f"iris: {damaged}\n")


def test_damaged_weights_in_the_window_then_another_model(
    qtbot: QtBot, make_controller: ControllerFactory, tiny_models: dict[str, Path], model_copy: Path
) -> None:
    damage(model_copy, "truncated")
    app = App(make_controller, model_copy)
    with qtbot.waitSignal(app.controller.session.model_failed, timeout=TIMEOUT_MS) as failed:
        app.controller.load_model()
    damaged = messages.MODEL_WEIGHTS_DAMAGED.format(model="model", file="model.safetensors")
    assert failed.args[0] == damaged
    app.assert_told(damaged)
    with qtbot.waitSignal(app.controller.session.model_ready, timeout=TIMEOUT_MS):
        app.controller.apply_settings(app.choose_model(tiny_models["llava"]))
    answered(qtbot, app, lambda: app.trigger("describe_screen"))


# --- speech engine missing or crashing ----------------------------------------------------------
def test_missing_speech_engine_is_shown_once_and_answers_still_appear(
    qtbot: QtBot, make_controller: ControllerFactory, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    reason = "libespeak-ng.so.1: cannot open shared object file"

    def no_engine() -> object:
        raise OSError(reason)

    speaker = create_speaker(SpeechSettings(), speak_to_files=tmp_path, engine_factory=no_engine)
    assert isinstance(speaker, SilentSpeaker)
    app = App(make_controller, tiny_models["idefics3"])
    app.controller.voice.replace_speaker(speaker, lambda: StreamingSpeech(speaker))  # as run_app
    off = messages.STATUS_SPEECH_PROBLEM.format(
        details=messages.SPEECH_ENGINE_MISSING.format(reason=reason)
    )
    assert app.shown == [off] and app.window.status.text() == off
    for _ in range(2):
        answered(qtbot, app, lambda: app.trigger("describe_screen"))
    assert app.shown.count(off) == 1
    assert list(tmp_path.iterdir()) == []


class CrashingEngine:
    """A pyttsx3-like engine whose driver crashes on the second utterance."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def setProperty(self, name: str, value: object) -> None:
        pass

    def save_to_file(self, text: str, path: str) -> None:
        self.texts.append(text)
        if len(self.texts) > 1:
            raise RuntimeError("espeak driver crashed")
        write_silence(Path(path), 0.1)

    def runAndWait(self) -> None:
        pass


def test_speech_crashing_mid_answer_is_shown_once_and_answers_still_appear(
    qtbot: QtBot, make_controller: ControllerFactory, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    engine = CrashingEngine()
    app = App(make_controller, tiny_models["idefics3"])
    speaker = create_speaker(
        SpeechSettings(),
        speak_to_files=tmp_path,
        engine_factory=lambda: engine,
        on_problem=app.controller.voice.went_silent,
    )
    try:
        app.controller.voice.replace_speaker(
            speaker, lambda: StreamingSpeech(speaker)
        )  # as run_app
        assert speaker.problem is None and app.shown == []
        off = messages.STATUS_SPEECH_PROBLEM.format(
            details=messages.SPEECH_ENGINE_FAILED.format(reason="espeak driver crashed")
        )
        with qtbot.waitSignals(
            [app.controller.answer_finished, app.controller.voice.status_changed],
            check_params_cbs=[None, lambda text: text == off],
            order="none",
            timeout=TIMEOUT_MS,
        ):
            app.trigger("describe_screen")
        first = app.controller.conversation.history[-1].answer
        assert first and first.strip()  # the answer's speech is what crashed
        assert engine.texts[0] == messages.STATUS_DESCRIBING_SCREEN
        assert engine.texts[1] in first
        assert [path.name for path in tmp_path.iterdir()] == ["0001.wav"]
        answered(qtbot, app, lambda: app.trigger("describe_window"))
        assert app.shown.count(off) == 1
        assert len(engine.texts) == 2  # silent from then on
    finally:
        app.controller.shutdown()
        speaker.close()


# --- no display -----------------------------------------------------------------------------
def _display_with_no_server() -> str:
    return next(f":{n}" for n in range(4321, 4421) if not Path(f"/tmp/.X11-unix/X{n}").exists())


@pytest.mark.parametrize(
    "environment",
    [{}, {"QT_QPA_PLATFORM": "xcb"}, {"QT_QPA_PLATFORM": "wayland"}, {"DISPLAY": "no server"}],
    ids=["unset", "xcb", "wayland", "stale-display"],
)
def test_window_without_a_display_exits_with_a_clear_message(environment: dict[str, str]) -> None:
    env = {k: v for k, v in os.environ.items() if k not in (*NO_DISPLAY, "QT_QPA_PLATFORM")}
    env.update(environment, PYTHONPATH=str(ROOT))
    if "DISPLAY" in environment:
        env["DISPLAY"] = _display_with_no_server()
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr == f"iris: {messages.NO_DISPLAY_FOR_WINDOW}\n"


def test_without_a_display_capture_and_hotkeys_say_so_and_files_still_work(
    qtbot: QtBot,
    make_controller: ControllerFactory,
    tiny_models: dict[str, Path],
    photo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in NO_DISPLAY:
        monkeypatch.delenv(name, raising=False)
    app = App(make_controller, tiny_models["idefics3"], capturer=DesktopCapturer(AppSettings()))
    for action in ("describe_screen", "read_window"):
        with qtbot.waitSignal(
            app.controller.voice.status_changed,
            timeout=TIMEOUT_MS,
            check_params_cb=lambda text: text == messages.CAPTURE_NO_DISPLAY,
        ):
            app.trigger(action)
        app.assert_told(messages.CAPTURE_NO_DISPLAY)
        assert app.window.isVisible()  # hidden for the capture, back again
    bridge = HotkeyBridge(app.controller, create_listener())
    bridge.bind(DEFAULT_HOTKEYS)
    app.assert_told(messages.HOTKEY_NO_DISPLAY)  # once, not once per hotkey
    answered(qtbot, app, lambda: app.controller.images.add_image_files([str(photo)]))


def test_cli_read_and_describe_work_without_a_display(
    capsys: pytest.CaptureFixture[str],
    tiny_models: dict[str, Path],
    screenshot: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (*NO_DISPLAY, "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert main(["read", str(screenshot)]) == 0
    out, err = capsys.readouterr()
    assert out.strip() and err == ""
    model = str(tiny_models["idefics3"])
    describe = ["describe", str(screenshot), "--model", model, "--max-new-tokens", "3"]
    assert main([*describe, "--no-ground"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() and err == ""


# --- a global hotkey already taken ------------------------------------------------------------
@pytest.fixture
def other_program_holds_ctrl_alt_shift_w(x_display: str) -> Iterator[None]:
    """Another X client grabs Control+Alt+Shift+W, Iris's Describe window hotkey."""
    from Xlib import XK, X
    from Xlib import display as xdisplay

    other: Any = xdisplay.Display(x_display)
    keycode = other.keysym_to_keycode(XK.string_to_keysym("w"))
    mask = X.ControlMask | X.Mod1Mask | X.ShiftMask
    other.screen().root.grab_key(keycode, mask, False, X.GrabModeAsync, X.GrabModeAsync)
    other.sync()
    yield
    other.close()


@pytest.mark.usefixtures("other_program_holds_ctrl_alt_shift_w")
def test_a_hotkey_taken_is_told_by_name_and_the_others_and_the_window_work(
    qtbot: QtBot, make_controller: ControllerFactory, tiny_models: dict[str, Path]
) -> None:
    app = App(make_controller, tiny_models["idefics3"])
    listener = create_listener()
    bridge = HotkeyBridge(app.controller, listener)
    try:
        bridge.bind(DEFAULT_HOTKEYS)
        taken = messages.HOTKEY_TAKEN.format(hotkey="Control+Alt+Shift+W")
        told = messages.STATUS_HOTKEYS_TAKEN.format(details=f"Describe window: {taken}")
        app.assert_told(told)
        press = ["xdotool", "key", "ctrl+alt+shift+d"]
        answered(qtbot, app, lambda: subprocess.run(press, check=True, timeout=10))
        assert app.capturer.calls == ["screen"]
        answered(qtbot, app, lambda: app.trigger("describe_window"))  # Ctrl+W in the window
        assert app.capturer.calls == ["screen", "window"]
    finally:
        listener.stop()
