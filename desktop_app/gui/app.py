"""Starting the window: shown first, then the engine, speech and hotkeys come up behind it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication

from desktop_app.core import messages
from desktop_app.gui import startup_probe
from desktop_app.gui.controller import Controller, local_backend_factory
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.tray import TrayIcon
from desktop_app.gui.worker import EngineWorker
from desktop_app.settings import AppSettings, load_settings


class HotkeyBridge(QObject):
    """Carries hotkey presses from the listener's thread to the controller on the GUI thread."""

    pressed = Signal(str)

    def __init__(self, controller: Controller, listener: Any) -> None:
        super().__init__(controller)
        self.controller = controller
        self.listener = listener
        self.actions: dict[str, Callable[[], None]] = {
            "describe_screen": controller.describe_screen,
            "describe_window": controller.describe_window,
            "describe_region": controller.describe_region,
            "ask_screen": controller.ask_about_screen,
            "read_screen": controller.read_screen,
            "stop": controller.stop,
            "repeat": controller.repeat,
        }
        self.pressed.connect(self._dispatch)

    @Slot(str)
    def _dispatch(self, action: str) -> None:
        handler = self.actions.get(action)
        if handler is not None:
            handler()

    def bind(self, hotkeys: dict[str, str]) -> None:
        """(Re)grab `hotkeys`; those another program holds are announced, the rest work."""
        problems = self.listener.start(hotkeys, self.pressed.emit)
        if problems:
            details = "; ".join(f"{action}: {problem}" for action, problem in problems.items())
            self.controller.announce(messages.STATUS_HOTKEYS_TAKEN.format(details=details))


def display_available() -> bool:
    """False on Linux without X11 or Wayland (Qt would abort instead of failing politely)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class DesktopCapturer:
    """The real screen capture, as the controller wants it."""

    def __init__(self, settings: AppSettings) -> None:
        self.settings = settings

    def screen(self) -> Any:
        from desktop_app.capture import capture_screen

        return capture_screen(all_monitors=self.settings.all_monitors)

    def window(self) -> Any:
        from desktop_app.capture import capture_window

        return capture_window()


def run_app(
    argv: Sequence[str],
    *,
    model: str | None = None,
    speak_to_files: Path | None = None,
) -> int:
    """Open the window and run until it is closed."""
    from desktop_app.hotkeys import create_listener
    from desktop_app.speech import StreamingSpeech, create_speaker

    settings = load_settings()
    if model:
        settings = settings.with_changes(engine=settings.engine.with_changes(model=model))
    app = QApplication.instance() or QApplication(list(argv))
    assert isinstance(app, QApplication)
    app.setApplicationName(messages.APP_NAME)
    window = MainWindow()
    window.show()
    startup_probe.install(window, lambda: app.exit(0))  # IRIS_REPORT_READY, for benchmarks
    speaker = create_speaker(settings.speech, speak_to_files=speak_to_files)
    # The backend is made on the engine thread, so torch is imported after the window shows.
    worker = EngineWorker(local_backend_factory(settings))
    controller = Controller(
        window,
        worker,
        speaker,
        lambda: StreamingSpeech(speaker),
        DesktopCapturer(settings),
        settings,
    )
    tray = TrayIcon(window.actions_by_key, window)
    window.hide_on_close = tray.available and settings.keep_in_tray
    window.actions_by_key["quit"].triggered.connect(app.quit)
    listener = create_listener()
    hotkeys = HotkeyBridge(controller, listener)
    hotkeys.bind(settings.hotkeys)

    def settings_changed(changed: AppSettings) -> None:
        nonlocal speaker, settings
        window.hide_on_close = tray.available and changed.keep_in_tray
        hotkeys.bind(changed.hotkeys)
        speech_changed = changed.speech != settings.speech
        settings = changed
        if speech_changed:
            speaker.close()
            speaker = create_speaker(changed.speech, speak_to_files=speak_to_files)
            new_speaker = speaker
            controller.replace_speaker(new_speaker, lambda: StreamingSpeech(new_speaker))

    controller.settings_changed.connect(settings_changed)
    controller.replace_speaker(speaker, lambda: StreamingSpeech(speaker))
    # From the event loop: a first-run question then runs inside app.exec(), which can quit.
    QTimer.singleShot(0, controller.load_model)
    try:
        return app.exec()
    finally:
        listener.stop()
        controller.shutdown()
        speaker.close()
