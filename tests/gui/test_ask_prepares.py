"""Ask about the screen: the model reads and encodes the screen while the question is typed,
and the question takes what was prepared instead of starting again."""

from __future__ import annotations

import threading
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.core.types import Rect
from desktop_app.engine.reading.backend import GroundedBackend
from desktop_app.gui.controller import Controller
from tests.helpers.controllers import TIMEOUT_MS, ControllerFactory, settings_with_model_in
from tests.helpers.grounding_fakes import PreparingBackend, ScriptedReader

WAIT_S = 10.0
"""How long the preparing waits to be let go (never reached: the test lets it go)."""


def _asked_while_preparing(
    qtbot: QtBot, make_controller: ControllerFactory, folder: Path
) -> tuple[Controller, PreparingBackend, threading.Event]:
    """Ask about the screen, with the model's preparing held until the returned event."""
    preparing, let_go = threading.Event(), threading.Event()

    def hold() -> None:
        preparing.set()
        let_go.wait(WAIT_S)

    backend = PreparingBackend(hold)
    controller = make_controller(settings_with_model_in(folder), backend=backend)
    controller.images.ask_about_screen()
    qtbot.waitUntil(preparing.is_set, timeout=TIMEOUT_MS)
    return controller, backend, let_go


def test_the_question_takes_the_screen_prepared_while_it_was_typed(
    qtbot: QtBot, make_controller: ControllerFactory, tmp_path: Path
) -> None:
    controller, backend, let_go = _asked_while_preparing(qtbot, make_controller, tmp_path)
    (screen,) = controller.conversation.pending_images
    (prepared,) = backend.prepared
    assert prepared.images[0] is screen and len(prepared.images) == 1
    assert prepared.turns[-1].text == ""  # not typed yet
    controller.window.question.setText("What is the title?")
    with qtbot.waitSignal(controller.session.answered, timeout=TIMEOUT_MS):
        controller.ask()  # asked while the screen is still being prepared
        let_go.set()
    (asked,) = backend.requests
    assert asked.images[0] is screen and "What is the title?" in asked.turns[-1].text
    assert backend.cancels == 0  # the preparing was not cut short by the question
    assert backend.calls.index("stop_waiting") < backend.calls.index("start")
    assert backend.calls.index("prepared") < backend.calls.index("start")


def test_describing_something_else_stops_the_preparing(
    qtbot: QtBot, make_controller: ControllerFactory, tmp_path: Path
) -> None:
    controller, backend, let_go = _asked_while_preparing(qtbot, make_controller, tmp_path)
    with qtbot.waitSignal(controller.session.answered, timeout=TIMEOUT_MS):
        controller.images.describe_window()  # another image: what was prepared is not its
        qtbot.waitUntil(lambda: backend.cancels > 0, timeout=TIMEOUT_MS)
        let_go.set()
    (described,) = backend.requests
    assert len(described.images) == 2  # the window, with the screen still waiting
    assert described.images[0] is backend.prepared[0].images[0]
    assert not described.has_the_images_of(backend.prepared[0])


def test_nothing_is_prepared_for_a_model_still_to_be_downloaded(
    qtbot: QtBot, make_controller: ControllerFactory, tmp_path: Path
) -> None:
    controller = make_controller()  # the default model, not downloaded here
    prepared: list[object] = []
    controller.session.prepare = prepared.append  # type: ignore[method-assign]
    controller.images.ask_about_screen()
    qtbot.waitUntil(lambda: bool(controller.conversation.pending_images), timeout=TIMEOUT_MS)
    assert controller.session.local_model_missing() and prepared == []
    controller.keeper.current = settings_with_model_in(tmp_path)
    controller.images.ask_about_screen()
    qtbot.waitUntil(lambda: len(controller.conversation.pending_images) == 2, timeout=TIMEOUT_MS)
    assert len(prepared) == 1  # (the spy can see a call)


def test_unloading_while_the_screen_is_read_ahead_does_not_wait_for_the_reading(
    qtbot: QtBot, make_controller: ControllerFactory, tmp_path: Path
) -> None:
    """The preparing waits for the reading ahead to end before it runs the grounded prompt;
    Unload the model ends that wait (and the reading) instead of waiting behind it."""
    inner = PreparingBackend()
    reader = ScriptedReader([("Sve", Rect(605, 555, 40, 16))], until_stopped=True)
    backend = GroundedBackend(inner, reader)
    controller = make_controller(settings_with_model_in(tmp_path), backend=backend)
    controller.images.ask_about_screen()
    qtbot.waitUntil(inner.prepare_done.is_set, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(controller.session.unloaded, timeout=TIMEOUT_MS):
        controller.unload_model()
    assert inner.closes == 1 and reader.stopped == [True]  # stopped, not run out
    assert inner.prompts == []  # no prompt was run for a model being unloaded
