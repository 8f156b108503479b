"""Starting the window: shown first, then the engine, speech and hotkeys come up behind it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from desktop_app.core import messages
from desktop_app.gui.controller import Controller, _local_backend_factory
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.worker import EngineWorker
from desktop_app.settings import AppSettings, load_settings


class HotkeyBridge(QObject):
    """Carries a hotkey press from the listener's thread to the GUI thread."""

    pressed = Signal(str)


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
    from desktop_app.speech import StreamingSpeech, create_speaker

    settings = load_settings()
    if model:
        settings = settings.with_changes(engine=settings.engine.with_changes(model=model))
    app = QApplication.instance() or QApplication(list(argv))
    assert isinstance(app, QApplication)
    app.setApplicationName(messages.APP_NAME)
    window = MainWindow()
    window.show()
    speaker = create_speaker(settings.speech, speak_to_files=speak_to_files)
    # The backend is made on the engine thread, so torch is imported after the window shows.
    worker = EngineWorker(_local_backend_factory(settings))
    controller = Controller(
        window,
        worker,
        speaker,
        lambda: StreamingSpeech(speaker),
        DesktopCapturer(settings),
        settings,
    )
    listener = _start_hotkeys(controller, settings)
    if speaker.problem:
        controller.announce(messages.STATUS_SPEECH_PROBLEM.format(details=speaker.problem))
    controller.load_model()
    try:
        return app.exec()
    finally:
        if listener is not None:
            listener.stop()
        worker.shutdown()
        speaker.close()


def _start_hotkeys(controller: Controller, settings: AppSettings) -> Any:
    from desktop_app.hotkeys import create_listener

    actions: dict[str, Callable[[], None]] = {
        "describe_screen": controller.describe_screen,
        "describe_window": controller.describe_window,
        "describe_region": controller.describe_screen,
        "ask_screen": controller.ask_about_screen,
        "stop": controller.stop,
        "repeat": controller.repeat,
    }
    bridge = HotkeyBridge(controller)
    bridge.pressed.connect(lambda action: actions.get(action, lambda: None)())
    listener = create_listener()
    problems = listener.start(settings.hotkeys, bridge.pressed.emit)
    if problems:
        details = "; ".join(f"{action}: {problem}" for action, problem in problems.items())
        controller.announce(messages.STATUS_HOTKEYS_TAKEN.format(details=details))
    return listener
