"""Describe focused item, Describe item under pointer, and Move the pointer there, with fake
capture and model (the accessibility API itself is tested in tests/desktop)."""

from __future__ import annotations

from PIL import Image
from pytestqt.qtbot import QtBot

from desktop_app.core import messages
from desktop_app.core.accessible import ScreenFacts, attach_facts, facts_of
from desktop_app.core.errors import AccessibilityError, CaptureError
from desktop_app.core.types import Rect
from desktop_app.settings import AppSettings, EngineSettings
from tests.helpers.controllers import TIMEOUT_MS, ControllerFactory
from tests.helpers.fakes import FakeBackend, FakeCapturer, FakeSpeaker

MODEL_HERE = AppSettings().with_changes(engine=EngineSettings(model="/models/fake"))
"""A model given by its folder: there, so descriptions go to the model, not the text reader."""


def _told(qtbot: QtBot, speaker: FakeSpeaker, text: str) -> None:
    qtbot.waitUntil(lambda: any(said == text for said, _ in speaker.said), timeout=TIMEOUT_MS)


def test_the_focused_item_is_described_with_its_facts(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    backend, speaker, capturer = FakeBackend(), FakeSpeaker(), FakeCapturer()
    controller = make_controller(MODEL_HERE, backend=backend, speaker=speaker, capturer=capturer)
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        controller.images.describe_focused()
    assert capturer.calls == ["focused_item"]
    assert speaker.said[0] == (messages.STATUS_DESCRIBING_FOCUSED, True)
    (image,) = backend.requests[0].images
    facts = facts_of(image)
    assert facts is not None and facts.item is not None
    assert facts.item.node == capturer.item
    assert messages.ITEM_CLIPPED not in [said for said, _ in speaker.said]


def test_the_item_under_the_pointer_is_described(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    backend, speaker, capturer = FakeBackend(), FakeSpeaker(), FakeCapturer()
    capturer.item_clipped = True
    controller = make_controller(MODEL_HERE, backend=backend, speaker=speaker, capturer=capturer)
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        controller.images.describe_pointer()
    assert capturer.calls == ["item_under_pointer"]
    assert speaker.said[0] == (messages.STATUS_DESCRIBING_POINTER, True)
    # a partly visible item: said, after the status and without cutting it off
    assert (messages.ITEM_CLIPPED, False) in speaker.said
    assert len(backend.requests) == 1


def test_no_focused_item_is_one_sentence_and_no_model_call(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    backend, speaker, capturer = FakeBackend(), FakeSpeaker(), FakeCapturer()
    capturer.item_error = AccessibilityError(messages.NO_FOCUSED_ITEM)
    controller = make_controller(MODEL_HERE, backend=backend, speaker=speaker, capturer=capturer)
    controller.images.describe_focused()
    _told(qtbot, speaker, messages.NO_FOCUSED_ITEM)
    assert backend.requests == [] and controller.conversation.is_empty()
    controller.pointer.move_there()  # nothing was found, so there is nowhere to go
    _told(qtbot, speaker, messages.NOTHING_TO_POINT_AT)
    assert capturer.pointer_moves == []


def test_a_black_item_is_refused_as_a_screen_curtain(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    backend, speaker, capturer = FakeBackend(), FakeSpeaker(), FakeCapturer()
    black = Image.new("RGB", (120, 40), (0, 0, 0))
    capturer.focused_item = lambda: attach_facts(black, ScreenFacts((0, 0)))  # type: ignore[method-assign]
    controller = make_controller(MODEL_HERE, backend=backend, speaker=speaker, capturer=capturer)
    controller.images.describe_focused()
    _told(qtbot, speaker, messages.CAPTURE_BLACK)
    assert backend.requests == []


def test_the_pointer_moves_to_the_item_described(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    speaker, capturer = FakeSpeaker(), FakeCapturer()
    capturer.item = capturer.item.__class__(capturer.item.role, "Save", Rect(100, 200, 120, 40))
    controller = make_controller(MODEL_HERE, speaker=speaker, capturer=capturer)
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        controller.images.describe_focused()
    controller.pointer.move_there()
    assert capturer.pointer_moves == [(160, 220)]  # the item's centre
    _told(qtbot, speaker, messages.POINTER_MOVED)
    controller.new_conversation()
    speaker.said.clear()
    controller.pointer.move_there()
    _told(qtbot, speaker, messages.NOTHING_TO_POINT_AT)
    assert capturer.pointer_moves == [(160, 220)]


def test_the_pointer_moves_to_what_an_answer_located(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    backend = FakeBackend(pieces=("Save, button, is at the bottom right.",))
    backend.place = Rect(1700, 1000, 80, 30)
    speaker, capturer = FakeSpeaker(), FakeCapturer()
    controller = make_controller(MODEL_HERE, backend=backend, speaker=speaker, capturer=capturer)
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        controller.images.describe_screen()
    controller.window.question.setText("Where is the Save button?")
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        controller.ask()
    failure = messages.POINTER_MOVE_FAILED.format(reason="no display")
    capturer.pointer_error = CaptureError(failure)
    controller.pointer.move_there()
    _told(qtbot, speaker, failure)
    capturer.pointer_error = None
    controller.pointer.move_there()
    assert capturer.pointer_moves == [(1740, 1015)]
