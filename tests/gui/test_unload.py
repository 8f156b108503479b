"""Unloading the model: the Unload action, after the settings' minutes unused (with the clock
moved by the test, no waiting), and loading again, told once, at the next request."""

from __future__ import annotations

import threading
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.core import messages
from desktop_app.core.types import ProgressCallback, Request
from desktop_app.gui.controller import Controller
from desktop_app.settings import AppSettings
from tests.helpers.controllers import TIMEOUT_MS, ControllerFactory
from tests.helpers.fakes import FakeBackend, FakeSpeaker


class UnloadableBackend(FakeBackend):
    """A fake model that must load again after `close`, as the model's process must."""

    def __init__(self) -> None:
        super().__init__(progress=(0.5, 1.0))
        self.is_loaded = False
        self.loaded_for: list[Request] = []
        """The requests a load was for (the grounding reads their images meanwhile)."""

    @property
    def needs_load(self) -> bool:
        return not self.is_loaded

    def load(self, on_progress: ProgressCallback | None = None) -> None:
        super().load(on_progress)
        self.is_loaded = True

    def load_for(self, request: Request, on_progress: ProgressCallback | None = None) -> None:
        self.loaded_for.append(request)
        super().load_for(request, on_progress)

    def close(self) -> None:
        super().close()
        self.is_loaded = False


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def loaded_controller(
    qtbot: QtBot, make_controller: ControllerFactory, folder: Path, minutes: int | None = 15
) -> tuple[Controller, UnloadableBackend, FakeSpeaker, Clock]:
    """A controller whose (fake) model in `folder` has loaded."""
    backend = UnloadableBackend()
    speaker = FakeSpeaker()
    settings = AppSettings()
    engine = settings.engine.with_changes(model=str(folder), unload_after_minutes=minutes)
    settings = settings.with_changes(engine=engine)
    controller = make_controller(settings, backend=backend, speaker=speaker)
    clock = Clock()
    controller.session.idle.clock = clock
    controller.session.idle.touch()
    with qtbot.waitSignal(controller.session.model_ready, timeout=TIMEOUT_MS):
        controller.load_model()
    return controller, backend, speaker, clock


def describe(qtbot: QtBot, controller: Controller) -> None:
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        controller.window.actions_by_key["describe_screen"].trigger()


def spoken(speaker: FakeSpeaker) -> list[str]:
    return [text for text, _ in speaker.said]


def test_unload_action_then_the_next_request_loads_again_told_once(
    qtbot: QtBot, make_controller: ControllerFactory, tmp_path: Path
) -> None:
    controller, backend, speaker, _ = loaded_controller(qtbot, make_controller, tmp_path)
    with qtbot.waitSignal(controller.session.unloaded, timeout=TIMEOUT_MS):
        controller.window.actions_by_key["unload_model"].trigger()
    assert backend.closes == 1 and backend.needs_load
    assert spoken(speaker)[-1] == messages.STATUS_UNLOADED
    said_before = len(speaker.said)
    with qtbot.waitSignal(controller.session.reloaded, timeout=TIMEOUT_MS) as reloaded:
        describe(qtbot, controller)
    assert backend.loads == 2 and not backend.needs_load
    assert backend.loaded_for == backend.requests[-1:]  # loaded for the request it answered
    new = spoken(speaker)[said_before:]
    assert new.count(messages.STATUS_RELOADING) == 1  # said once, no percentages
    assert not any("percent" in text for text in new)
    description, seconds = reloaded.args
    assert description == backend.description and seconds >= 0
    with qtbot.waitSignal(controller.session.unloaded, timeout=TIMEOUT_MS):
        controller.window.actions_by_key["unload_model"].trigger()
    with qtbot.waitSignal(controller.session.unloaded, timeout=TIMEOUT_MS) as again:
        controller.window.actions_by_key["unload_model"].trigger()
    assert again.args == [False, False]
    assert spoken(speaker)[-1] == messages.STATUS_NOTHING_TO_UNLOAD


def test_unloads_after_the_minutes_unused_not_while_answering_or_speaking(
    qtbot: QtBot, make_controller: ControllerFactory, tmp_path: Path
) -> None:
    controller, backend, speaker, clock = loaded_controller(
        qtbot, make_controller, tmp_path, minutes=15
    )
    unloader = controller.idle_unloader
    clock.now += 14 * 60
    assert not unloader.check()
    controller.session.is_loading = True  # busy (loading, or a request running) counts as use
    clock.now += 2 * 60
    assert not unloader.check()
    controller.session.is_loading = False
    clock.now += 14 * 60
    unloader.speaking = lambda: True
    assert not unloader.check()
    unloader.speaking = lambda: False
    clock.now += 14 * 60
    assert not unloader.check()  # speaking was 14 minutes ago
    clock.now += 60
    with qtbot.waitSignal(controller.session.unloaded, timeout=TIMEOUT_MS) as unloaded:
        assert unloader.check()
    assert unloaded.args == [True, True] and backend.closes == 1
    shown = messages.STATUS_UNLOADED_IDLE.format(count=15)
    assert controller.window.status.text() == shown
    assert shown not in spoken(speaker)  # the user is elsewhere: shown, not said
    clock.now += 60 * 60
    assert not unloader.check() or backend.closes == 1  # nothing more to give back
    describe(qtbot, controller)
    assert backend.loads == 2


def test_never_unloads_when_the_setting_says_never(
    qtbot: QtBot, make_controller: ControllerFactory, tmp_path: Path
) -> None:
    controller, backend, _, clock = loaded_controller(
        qtbot, make_controller, tmp_path, minutes=None
    )
    clock.now += 7 * 24 * 3600
    assert not controller.idle_unloader.check()
    assert backend.closes == 0


def _unloaded(qtbot: QtBot, controller: Controller) -> None:
    with qtbot.waitSignal(controller.session.unloaded, timeout=TIMEOUT_MS):
        controller.window.actions_by_key["unload_model"].trigger()


def test_ask_about_the_screen_loads_the_model_while_the_question_is_typed_quietly(
    qtbot: QtBot, make_controller: ControllerFactory, tmp_path: Path
) -> None:
    controller, backend, speaker, _ = loaded_controller(qtbot, make_controller, tmp_path)
    _unloaded(qtbot, controller)
    said_before = len(speaker.said)
    controller.images.ask_about_screen()
    qtbot.waitUntil(lambda: not backend.needs_load, timeout=TIMEOUT_MS)
    (upcoming,) = backend.loaded_for  # loaded for the question to come, its screen read
    assert upcoming.images == controller.conversation.pending_images
    controller.window.question.setText("What is the title?")
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        controller.ask()
    new = spoken(speaker)[said_before:]
    assert messages.STATUS_RELOADING not in new  # nothing was waited for: nothing to say
    assert backend.loads == 2 and not controller.session.is_loading


def test_a_question_asked_while_the_model_loads_for_it_is_told_the_load_once(
    qtbot: QtBot, make_controller: ControllerFactory, tmp_path: Path
) -> None:
    controller, backend, speaker, _ = loaded_controller(qtbot, make_controller, tmp_path)
    _unloaded(qtbot, controller)
    backend.held = threading.Event()  # the load waits for the question
    said_before = len(speaker.said)
    controller.images.ask_about_screen()
    qtbot.waitUntil(lambda: backend.loads == 2, timeout=TIMEOUT_MS)
    assert messages.STATUS_RELOADING not in spoken(speaker)[said_before:]
    controller.window.question.setText("What is the title?")
    with qtbot.waitSignal(controller.session.reloading, timeout=TIMEOUT_MS):
        controller.ask()
    with (
        qtbot.waitSignal(controller.session.reloaded, timeout=TIMEOUT_MS),
        qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS),
    ):
        backend.held.set()
    new = spoken(speaker)[said_before:]
    assert new.count(messages.STATUS_RELOADING) == 1 and backend.loads == 2
    assert not controller.session.is_loading and backend.requests[-1].turns[-1].text
