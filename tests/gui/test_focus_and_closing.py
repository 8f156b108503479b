"""Working beside a screen reader, offscreen: the focus stays in the user's program, closing
never strands the user, a key silences Iris, short confirmations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop_app.core import messages
from desktop_app.core.actions import readable_keys
from desktop_app.core.errors import IrisError
from desktop_app.gui import focus
from desktop_app.gui.closing import CloseChoice, ClosePolicy
from desktop_app.gui.controller import Controller
from desktop_app.gui.focus import FocusKeeper
from desktop_app.gui.key_silence import SilenceOnKey
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.screen_reader_watch import ScreenReaderWatch
from desktop_app.gui.worker import EngineWorker
from desktop_app.settings import DEFAULT_HOTKEYS, AppSettings, load_settings
from desktop_app.speech import RouteReason, SilentSpeaker, SpeechRoute
from tests.helpers.controllers import ControllerFactory
from tests.helpers.fakes import FakeCapturer, FakeSpeaker, FakeStream

OTHER_PROGRAM = 4242
TIMEOUT_MS = 5_000


class NoModel:
    """A backend that is never asked for anything in these tests."""

    def load(self, progress: Any = None) -> str:
        raise AssertionError("not used")


@pytest.fixture
def controller(monkeypatch: pytest.MonkeyPatch, make_controller: ControllerFactory) -> Controller:
    capturer = FakeCapturer()
    capturer.active = OTHER_PROGRAM
    made = make_controller(
        show=True,
        capturer=capturer,
        backend=NoModel,  # type: ignore[arg-type]
        reader=EngineWorker(NoModel),  # type: ignore[arg-type]
    )
    made.images.describe_images = lambda images, name, read=False, **_options: None
    return made


def _set_iris_active(monkeypatch: pytest.MonkeyPatch, active: bool) -> None:
    """Whether the platform's active window is one of Iris's (the fake capturer's active
    window stands for the user's program, or for Iris's own)."""
    monkeypatch.setattr(FocusKeeper, "iris_active", lambda self: active)
    monkeypatch.setattr(FocusKeeper, "_ours", staticmethod(lambda window_id: active))


def _capture_done(qtbot: QtBot, controller: Controller, action: str) -> None:
    capturer = controller.capturer
    assert isinstance(capturer, FakeCapturer)
    before = len(capturer.calls)
    controller.window.actions_by_key[action].trigger()
    qtbot.waitUntil(lambda: len(capturer.calls) > before, timeout=TIMEOUT_MS)


def test_hotkey_from_another_program_leaves_the_focus_there(
    qtbot: QtBot, controller: Controller, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_iris_active(monkeypatch, False)
    hidden: list[bool] = []
    monkeypatch.setattr(controller.window, "hide", lambda: hidden.append(True))
    for action in ("describe_screen", "describe_window", "read_screen"):
        _capture_done(qtbot, controller, action)
    capturer = controller.capturer
    assert isinstance(capturer, FakeCapturer)
    assert capturer.calls == ["screen", "window", "screen"]
    assert hidden == [] and capturer.activated == []
    assert capturer.active == OTHER_PROGRAM


def test_capture_from_inside_iris_hides_it_and_brings_it_back(
    qtbot: QtBot, controller: Controller, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_iris_active(monkeypatch, True)
    _capture_done(qtbot, controller, "describe_screen")
    assert controller.window.isVisible()


def test_bring_to_front_setting_brings_iris_forward(
    qtbot: QtBot, controller: Controller, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_iris_active(monkeypatch, False)
    controller.keeper.current = controller.settings.with_changes(bring_to_front=True)
    shown: list[bool] = []
    monkeypatch.setattr(controller.focus, "show_window", lambda: shown.append(True))
    _capture_done(qtbot, controller, "describe_screen")
    assert shown == [True]


def test_ask_about_the_screen_comes_forward_and_escape_goes_back(
    qtbot: QtBot, controller: Controller, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_iris_active(monkeypatch, False)
    controller.images.ask_about_screen()
    capturer = controller.capturer
    assert isinstance(capturer, FakeCapturer)
    qtbot.waitUntil(lambda: bool(controller.conversation.pending_images), timeout=TIMEOUT_MS)
    assert controller.focus.came_from == OTHER_PROGRAM
    assert controller.window.status.text() == messages.STATUS_ASK_ABOUT_SCREEN
    capturer.active = None  # Iris is now the active window
    _set_iris_active(monkeypatch, True)
    controller.window.actions_by_key["stop"].trigger()  # Escape
    assert capturer.activated == [OTHER_PROGRAM]
    assert controller.focus.came_from is None


@pytest.mark.parametrize("qt_still_active", [True, False])
def test_coming_back_is_told_to_screen_readers_where_qt_missed_the_focus_going(
    controller: Controller, monkeypatch: pytest.MonkeyPatch, qt_still_active: bool
) -> None:
    """Qt on X11 takes a loss of focus as final only 400 ms later: Iris brought back sooner
    (a hotkey just after leaving it) tells screen readers itself, else Qt does."""
    _set_iris_active(monkeypatch, False)  # the platform: the user's program has the focus
    told: list[QWidget] = []
    monkeypatch.setattr(focus, "announce_activation", told.append)
    monkeypatch.setattr(controller.window, "isActiveWindow", lambda: qt_still_active)
    controller.focus.show_window()
    assert told == ([controller.window] if qt_still_active else [])


def test_stop_confirms_briefly(controller: Controller) -> None:
    speaker = controller.voice.speaker
    assert isinstance(speaker, FakeSpeaker)
    controller.stop()
    assert speaker.stopped >= 1
    assert speaker.said[-1] == (messages.STATUS_STOPPED, True)


def test_ready_is_said_once_when_the_model_has_loaded(controller: Controller) -> None:
    speaker = controller.voice.speaker
    assert isinstance(speaker, FakeSpeaker)
    controller.session._on_loaded("tiny model")
    spoken = [text for text, _ in speaker.said]
    assert spoken.count(messages.SPOKEN_READY) == 1
    assert controller.window.status.text() == messages.STATUS_READY.format(model="tiny model")


def test_show_iris_has_a_global_hotkey(controller: Controller) -> None:
    assert DEFAULT_HOTKEYS["show_window"] == "ctrl+alt+shift+i"
    assert len(set(DEFAULT_HOTKEYS.values())) == len(DEFAULT_HOTKEYS)
    assert readable_keys(DEFAULT_HOTKEYS["show_window"]) == "Ctrl+Alt+Shift+I"


class CloseRig:
    def __init__(self, qtbot: QtBot, *, tray: bool, keep: bool, answer: CloseChoice) -> None:
        self.window = QWidget()
        qtbot.addWidget(self.window)
        self.window.show()
        self.asked: list[str] = []
        self.told: list[str] = []
        self.answer = answer
        self.policy = ClosePolicy(
            self.window,
            tray_available=tray,
            keep_in_tray=lambda: keep,
            show_hotkey=lambda: "ctrl+alt+shift+i",
            ask=self._ask,
            announce=self.told.append,
        )

    def _ask(self, question: str) -> CloseChoice:
        self.asked.append(question)
        return self.answer


@pytest.mark.parametrize(
    ("tray", "keep", "answer", "quits", "hidden", "asked"),
    [
        (True, True, CloseChoice.QUIT, False, True, False),  # tray: hide, ask nothing
        (True, False, CloseChoice.QUIT, True, False, False),  # the user chose close = quit
        (False, False, CloseChoice.QUIT, True, False, False),
        (False, True, CloseChoice.KEEP_RUNNING, False, True, True),  # no tray: asked
        (False, True, CloseChoice.QUIT, True, False, True),
        (False, True, CloseChoice.CANCEL, False, False, True),
    ],
)
def test_closing_without_a_tray_asks_and_never_quits_silently(
    qtbot: QtBot,
    tray: bool,
    keep: bool,
    answer: CloseChoice,
    quits: bool,
    hidden: bool,
    asked: bool,
) -> None:
    rig = CloseRig(qtbot, tray=tray, keep=keep, answer=answer)
    assert rig.policy() is quits
    assert rig.window.isHidden() is hidden
    assert bool(rig.asked) is asked
    if asked:
        assert "Ctrl+Alt+Shift+I" in rig.asked[0]
    if answer is CloseChoice.KEEP_RUNNING and asked:
        assert rig.told == [
            messages.STATUS_RUNNING_IN_BACKGROUND.format(show_hotkey="Ctrl+Alt+Shift+I")
        ]


def test_main_window_close_asks_the_policy_but_quit_does_not(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    asked: list[bool] = []

    def keep_running() -> bool:
        asked.append(True)
        window.hide()
        return False

    window.close_handler = keep_running
    window.close()
    assert asked == [True] and window.isHidden()
    window.show()
    window.quit()
    assert asked == [True] and not window.isVisible()


def test_a_key_in_iris_silences_it_once_per_press(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    silenced: list[bool] = []
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    assert app is not None
    silencer = SilenceOnKey(lambda: silenced.append(True))
    app.installEventFilter(silencer)
    try:
        for key, silences in (
            (Qt.Key.Key_A, True),
            (Qt.Key.Key_Shift, False),  # Shift alone does not silence
            (Qt.Key.Key_Control, True),  # Ctrl alone does, as in screen readers
            (Qt.Key.Key_Down, True),
        ):
            before = len(silenced)
            qtbot.keyClick(window.question, key)  # a press reaches several objects
            app.processEvents()  # the next press comes through the event loop
            assert len(silenced) == before + silences, key
    finally:
        app.removeEventFilter(silencer)
    assert window.question.text() == "a"


def test_silence_cancels_the_answer_being_spoken(controller: Controller) -> None:
    stream = FakeStream()
    controller.voice.stream = stream
    speaker = controller.voice.speaker
    assert isinstance(speaker, FakeSpeaker)
    controller.silence()
    assert stream.cancelled and speaker.stopped == 1
    assert speaker.said == []  # silence says nothing


def test_capture_failure_comes_back_with_the_reason(
    qtbot: QtBot, controller: Controller, monkeypatch: pytest.MonkeyPatch
) -> None:
    _set_iris_active(monkeypatch, False)
    failures: list[str] = []

    def broken() -> Any:
        raise IrisError("No display to capture.")

    controller.focus.capture(
        broken, lambda image: None, lambda error: failures.append(error.message)
    )
    qtbot.waitUntil(lambda: bool(failures), timeout=TIMEOUT_MS)
    assert failures == ["No display to capture."]


def test_a_screen_reader_starting_after_iris_is_noticed(qtbot: QtBot) -> None:
    running: list[str | None] = [None]
    watch = ScreenReaderWatch(lambda: running[0], None, interval_ms=60_000)
    try:
        heard: list[str] = []
        watch.changed.connect(heard.append)
        watch.look()
        qtbot.waitUntil(lambda: not watch._looking, timeout=TIMEOUT_MS)
        assert heard == []  # nothing changed: nothing said
        running[0] = "Orca"
        with qtbot.waitSignal(watch.changed, timeout=TIMEOUT_MS) as started:
            watch.look()
        assert started.args == ["Orca"]
        running[0] = None
        with qtbot.waitSignal(watch.changed, timeout=TIMEOUT_MS) as stopped:
            watch.look()
        assert stopped.args == [""]
    finally:
        watch.stop()


def test_settings_pages_change_with_the_keyboard_and_are_named(qtbot: QtBot) -> None:
    from desktop_app.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(AppSettings())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # shortcuts work in the active window
    tabs = dialog.tabs
    assert tabs.currentWidget() is dialog.general_page
    for key, modifiers, page in (
        (Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier, dialog.model_page),
        (Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier, dialog.hotkeys_page),
        (
            Qt.Key.Key_Backtab,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
            dialog.model_page,
        ),
        (Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier, dialog.general_page),
    ):
        focused = dialog.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, key, modifiers)
        assert tabs.currentWidget() is page, (key, tabs.currentIndex())
        assert page.isVisible() and page.isAncestorOf(dialog.focusWidget())
        panel = tabs.panel(tabs.currentIndex())
        assert panel.isAncestorOf(page)
        assert panel.accessibleName() == tabs.tabText(tabs.currentIndex())
    assert sum(tabs.widget(index).isVisible() for index in range(tabs.count())) == 1


def test_with_no_program_focused_iris_hides_for_the_capture_and_comes_back(
    qtbot: QtBot, controller: Controller, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No window manager, nothing focused: Iris is on top of the screen, so it hides."""
    capturer = controller.capturer
    assert isinstance(capturer, FakeCapturer)
    capturer.active = None
    hidden: list[bool] = []
    real_hide = controller.window.hide
    monkeypatch.setattr(controller.window, "hide", lambda: (hidden.append(True), real_hide()))
    _capture_done(qtbot, controller, "describe_screen")
    qtbot.waitUntil(controller.window.isVisible, timeout=TIMEOUT_MS)
    assert hidden == [True] and capturer.activated == []


class ScreenReaderSpeaker(FakeSpeaker):
    """A fake speaker that found Orca running and speaks through it."""

    def __init__(self) -> None:
        super().__init__()
        self.route = SpeechRoute("Orca", RouteReason.SCREEN_READER_RUNS, detected="Orca")


@pytest.mark.parametrize(("iris_active", "spoken_steps"), [(True, [0]), (False, [0, 20, 40])])
def test_loading_progress_is_left_to_the_screen_reader_reading_iris(
    controller: Controller, monkeypatch: pytest.MonkeyPatch, iris_active: bool,
    spoken_steps: list[int],
) -> None:  # fmt: skip
    speaker = ScreenReaderSpeaker()
    controller.voice.speaker = speaker
    _set_iris_active(monkeypatch, iris_active)
    for percent in range(0, 50, 10):
        controller.session._on_loading("load", percent / 100)
    assert controller.window.progress.value() == 40  # shown at every step
    said = [text for text, _ in speaker.said]
    assert said == [messages.STATUS_LOADING.format(percent=p) for p in spoken_steps]


def test_status_goes_to_the_screen_reader_only_when_iris_is_silent(
    controller: Controller, monkeypatch: pytest.MonkeyPatch
) -> None:
    announced: list[str] = []
    monkeypatch.setattr(controller.window, "announce_to_screen_reader", announced.append)
    controller.announce("Describing the screen.")  # Iris speaks it: one voice
    controller.announce("Shown only.", speak=False)
    assert announced == []
    controller.voice.speaker = SilentSpeaker()  # speech turned off
    controller.announce("Describing the screen.")
    controller.announce("Shown only.", speak=False)
    assert announced == ["Describing the screen."]


def test_whose_voice_is_said_once_and_remembered(
    controller: Controller, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IRIS_CONFIG_DIR", str(tmp_path))
    notice = messages.SPEECH_ROUTE_SCREEN_READER.format(screen_reader="Orca")
    first = ScreenReaderSpeaker()
    controller.voice.replace_speaker(first, FakeStream)
    assert (notice, False) in first.said
    assert load_settings().speech_notice_told == notice  # saved: not said at the next start
    again = ScreenReaderSpeaker()
    controller.voice.replace_speaker(again, FakeStream)
    assert again.said == []
