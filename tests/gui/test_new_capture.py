"""A new capture starts a new conversation for the model: asked after earlier descriptions,
each new screen made the model encode every earlier one again (the eighth description of a
1920x1080 screen waited 12.6 s for its first token instead of 1.3 s, on two cores). The window
keeps showing the earlier descriptions, and follow-up questions keep the conversation; images
dropped one after another still make one conversation (tests/gui/test_gui.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.gui.controller import Controller
from tests.helpers.controllers import TIMEOUT_MS, ControllerFactory, settings_with_model_in
from tests.helpers.fakes import FakeBackend

DESCRIPTIONS = 3


def _answered(qtbot: QtBot, controller: Controller, act: Callable[[], None]) -> None:
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        act()


def test_each_capture_is_described_alone_and_a_follow_up_keeps_its_description(
    qtbot: QtBot, make_controller: ControllerFactory, tmp_path: Path
) -> None:
    backend = FakeBackend()
    controller = make_controller(settings_with_model_in(tmp_path), backend=backend)
    for _ in range(DESCRIPTIONS):
        _answered(qtbot, controller, controller.images.describe_screen)
    controller.window.question.setText("Which button is the default?")
    _answered(qtbot, controller, controller.ask)
    assert [len(request.turns) for request in backend.requests] == [1] * DESCRIPTIONS + [2]
    assert [len(request.images) for request in backend.requests] == [1] * (DESCRIPTIONS + 1)
    follow_up = backend.requests[-1]
    assert follow_up.turns[0] == controller.conversation.history[0]  # the last description
    entries = controller.window.conversation.entries()
    assert sum("fake answer" in entry for entry in entries) == DESCRIPTIONS + 1  # all shown


def test_ask_about_the_screen_after_a_description_prepares_only_the_new_screen(
    qtbot: QtBot, make_controller: ControllerFactory, tmp_path: Path
) -> None:
    backend = FakeBackend()
    controller = make_controller(settings_with_model_in(tmp_path), backend=backend)
    _answered(qtbot, controller, controller.images.describe_screen)
    controller.images.ask_about_screen()
    qtbot.waitUntil(lambda: bool(controller.conversation.pending_images), timeout=TIMEOUT_MS)
    assert controller.conversation.history == ()
    upcoming = controller.conversation.upcoming(max_new_tokens=8)
    assert len(upcoming.turns) == 1 and len(upcoming.images) == 1
