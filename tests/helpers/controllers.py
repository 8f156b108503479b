"""Building the window's controller in tests: the `make_controller` fixture's factory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from desktop_app.engine.backend import Backend
from desktop_app.gui.assembly import build_controller
from desktop_app.gui.controller import Controller
from desktop_app.gui.image_actions import Capturer
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.voice import Speaker, StreamingSpeaker
from desktop_app.gui.worker import EngineWorker
from desktop_app.settings import AppSettings
from tests.helpers.fakes import FakeBackend, FakeCapturer, FakeSpeaker, FakeStream

TIMEOUT_MS = 60_000
"""How long a test waits for a controller's signal before failing."""


def settings_with_model_in(folder: Path) -> AppSettings:
    """Default settings with a model in `folder` (a model on disk: nothing to download)."""
    defaults = AppSettings()
    return defaults.with_changes(engine=replace(defaults.engine, model=str(folder)))


class ControllerFactory:
    """Makes controllers as the app does (`build_controller`), with fakes by default, and
    shuts every one it made down at the end of the test (`make_controller` in conftest.py).

    Each call makes a MainWindow (given to qtbot; shown first if `show`) unless `window` is
    given, and a controller over it with `settings` (AppSettings() when None). Capture, speech and
    streamed speech default to FakeCapturer, FakeSpeaker and FakeStream; the model runs on
    `worker`, or else on a new EngineWorker over `backend` (a Backend or a factory), or
    else over a FakeBackend. `parts` go to build_controller as they are (confirm,
    backend_factory, reader, history, opener, api_keys, autostart, settings_file).
    """

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.made: list[Controller] = []

    def __call__(
        self,
        settings: AppSettings | None = None,
        *,
        window: MainWindow | None = None,
        show: bool = False,
        capturer: Capturer | None = None,
        worker: EngineWorker | None = None,
        backend: Backend | Callable[[], Backend] | None = None,
        speaker: Speaker | None = None,
        streaming_speech: Callable[[], StreamingSpeaker] | None = None,
        **parts: Any,
    ) -> Controller:
        if window is None:
            window = MainWindow()
            self.qtbot.addWidget(window)
            if show:
                window.show()
        if worker is None:
            worker = EngineWorker(backend if backend is not None else FakeBackend())
        elif backend is not None:
            raise TypeError("give a worker or a backend, not both")
        controller = build_controller(
            window,
            capturer if capturer is not None else FakeCapturer(),
            settings if settings is not None else AppSettings(),
            worker=worker,
            speaker=speaker if speaker is not None else FakeSpeaker(),
            streaming_speech=streaming_speech if streaming_speech is not None else FakeStream,
            **parts,
        )
        self.made.append(controller)
        return controller

    def shut_down(self) -> None:
        """Shut down every controller made (again, for those the test shut down itself:
        shutting down twice is harmless), newest first."""
        while self.made:
            self.made.pop().shutdown()
