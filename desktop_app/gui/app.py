"""Starting the window: shown first, then the engine, speech and hotkeys come up behind it."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication

from desktop_app import APP_ID
from desktop_app.core import i18n, messages
from desktop_app.core.actions import BY_ID, QUIT, SHOW_WINDOW, label_of
from desktop_app.engine.models.bundled import preferred_model
from desktop_app.gui import screen_reader_fixes, startup_probe
from desktop_app.gui.assembly import build_controller
from desktop_app.gui.closing import CloseChoice, ClosePolicy, ask_close
from desktop_app.gui.controller import Controller
from desktop_app.gui.desktop_capturer import DesktopCapturer
from desktop_app.gui.gui_thread_gc import GuiThreadCollector
from desktop_app.gui.key_silence import SilenceOnKey
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.qt_language import install_qt_language
from desktop_app.gui.quit_on_signal import QuitOnSignal
from desktop_app.gui.screen_reader_fixes import SpeakEmptyFields
from desktop_app.gui.speech_switch import SpeechSwitch
from desktop_app.gui.tray import TrayIcon, app_icon
from desktop_app.hotkeys import create_listener
from desktop_app.settings import AppSettings, load_settings_checked
from desktop_app.settings.saved_prompts import prompt_hotkeys, prompt_of_hotkey


class HotkeyBridge(QObject):
    """Carries hotkey presses from the listener's thread to the controller on the GUI thread."""

    pressed = Signal(str)

    def __init__(self, controller: Controller, listener: Any) -> None:
        super().__init__(controller)
        self.controller = controller
        self.listener = listener
        self.pressed.connect(self._dispatch)

    @Slot(str)
    def _dispatch(self, action_id: str) -> None:
        prompt = prompt_of_hotkey(action_id)
        if prompt is not None:
            self.controller.prompts.run_named(prompt)
            return
        declared = BY_ID.get(action_id)
        if declared is not None and declared.hotkey:
            self.controller.handler(declared)()

    def bind_settings(self, settings: AppSettings) -> None:
        """(Re)grab the actions' and the saved prompts' global hotkeys."""
        self.bind({**settings.hotkeys, **prompt_hotkeys(settings.prompts)})

    def bind(self, hotkeys: dict[str, str]) -> None:
        """(Re)grab `hotkeys`; those another program holds are announced, the rest work."""
        problems = self.listener.start(hotkeys, self.pressed.emit)
        if problems:
            self.controller.announce(hotkey_problems_message(problems, len(hotkeys)))


def hotkey_problems_message(problems: dict[str, str], bound: int) -> str:
    """One announcement: each failed hotkey by its action's name, or, when every hotkey
    failed for the same reason (no display, Wayland), that reason once."""
    reasons = set(problems.values())
    if len(problems) == bound and len(reasons) == 1:
        return reasons.pop()
    details = " ".join(
        messages.HOTKEY_PROBLEM.format(
            action=prompt_of_hotkey(action) or label_of(action), problem=problem
        )
        for action, problem in problems.items()
    )
    return messages.STATUS_HOTKEYS_TAKEN.format(details=details)


_DISPLAY_VARIABLES = {
    "xcb": "DISPLAY",
    "wayland": "WAYLAND_DISPLAY",
    "wayland-egl": "WAYLAND_DISPLAY",
}
"""Qt platforms that need a display, and the variable naming it; others (offscreen) need none."""


def display_available() -> bool:
    """False on Linux when no Qt platform asked for (QT_QPA_PLATFORM, default X11 or Wayland)
    has its display: Qt would abort instead of failing politely."""
    if not sys.platform.startswith("linux"):
        return True
    asked = os.environ.get("QT_QPA_PLATFORM", "").split(";")
    platforms = [name.split(":")[0].strip() for name in asked if name.strip()] or ["xcb", "wayland"]
    for platform in platforms:
        variable = _DISPLAY_VARIABLES.get(platform)
        if variable is None:
            return True
        name = os.environ.get(variable)
        if name and (platform != "xcb" or _x11_display_opens(name)):
            return True
    return False


def _x11_display_opens(name: str) -> bool:
    """Whether the X display `name` answers (a stale DISPLAY would make Qt abort)."""
    try:
        from Xlib import display as xdisplay
    except ImportError:
        return True  # Qt will tell
    try:
        xdisplay.Display(name).close()
    except Exception:
        return False
    return True


def desktop_application(argv: Sequence[str]) -> QApplication:
    """The QApplication (made if there is none yet), named as Iris's launcher knows it: the
    X11 window class is the application name (the .desktop file's StartupWMClass) and the
    Wayland app id is APP_ID (the .desktop file's name); every window gets Iris's icon, and
    Qt's own dialogs speak the interface language."""
    app = QApplication.instance() or QApplication(list(argv))
    assert isinstance(app, QApplication)
    install_qt_language(app, i18n.interface_language())
    app.setApplicationName(messages.APP_NAME)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    return app


def run_app(
    argv: Sequence[str],
    *,
    model: str | None = None,
    speak_to_files: Path | None = None,
) -> int:
    """Open the window and run until it is closed."""
    loaded = load_settings_checked()  # settings that could not be used are told below
    settings = loaded.settings
    i18n.install(i18n.chosen_language(settings.interface_language.value))  # before any window
    model = model or preferred_model(settings.engine.model)  # the app's shipped model
    if model != settings.engine.model:
        settings = settings.with_changes(engine=settings.engine.with_changes(model=model))
    app = desktop_application(argv)
    collector = GuiThreadCollector(app)  # no collection on the engine's or speech's threads
    try:
        return _show_and_run(app, settings, loaded.notice(), speak_to_files)
    finally:
        collector.stop()


def _show_and_run(
    app: QApplication, settings: AppSettings, notice: str | None, speak_to_files: Path | None
) -> int:
    """Show the window with everything behind it, run the event loop, then shut down."""
    window = MainWindow()
    window.show()
    startup_probe.install(window, lambda: app.exit(0))  # IRIS_REPORT_READY, for benchmarks
    controller = build_controller(window, DesktopCapturer(settings), settings)
    speech = SpeechSwitch(controller.voice, settings.speech, speak_to_files, app)
    tray = TrayIcon(window.actions_by_key, window)
    window.close_handler = ClosePolicy(
        window,
        tray_available=tray.available,
        keep_in_tray=lambda: controller.settings.keep_in_tray,
        show_hotkey=lambda: controller.settings.hotkeys.get(SHOW_WINDOW.id, ""),
        ask=lambda question: ask_close_spoken(controller, question),
        announce=controller.announce,
    )
    window.actions_by_key[QUIT.id].triggered.connect(app.quit)
    app.installEventFilter(SilenceOnKey(controller.silence, app))
    if screen_reader_fixes.needed():
        app.installEventFilter(SpeakEmptyFields(app))
    hotkeys = HotkeyBridge(controller, create_listener())
    hotkeys.bind_settings(settings)
    controller.preferences.changed.connect(hotkeys.bind_settings)
    controller.preferences.changed.connect(speech.settings_changed)
    # From the event loop: a first-run question then runs inside app.exec(), which can quit.
    QTimer.singleShot(0, lambda: start_loading(controller, notice))
    ending = QuitOnSignal(lambda: app.exit(0), app)  # logout: shut down as Quit does
    try:
        return app.exec()
    finally:
        ending.stop()
        hotkeys.listener.stop()
        controller.shutdown()
        speech.close()


def start_loading(controller: Controller, notice: str | None) -> None:
    """Load the model (unless the settings say at first use, and it is downloaded); `notice`
    (settings that were reset) is said once, when loading has ended (its progress would cut
    it off), or at once when loading did not start."""
    settings = controller.settings
    at_first_use = not settings.engine.load_at_start and not settings.server.enabled
    if at_first_use and not controller.session.local_model_missing():
        controller.announce(messages.STATUS_LOADS_AT_FIRST_USE)
        if notice:
            controller.announce(notice, interrupt=False)
        return
    started = controller.load_model()
    if notice and started:
        controller.loading.after_loading.append(notice)
    elif notice:
        controller.announce(notice, interrupt=False)


def ask_close_spoken(controller: Controller, question: str) -> CloseChoice:
    """Ask whether to keep running without a window (there is no tray), spoken unless the
    screen reader reads the dialog itself."""
    controller.voice.speak_question(question)
    return ask_close(controller.window, question)
