"""A capture with nothing in it is told in one sentence and never reaches the model."""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core import messages
from tests.helpers.controllers import TIMEOUT_MS, ControllerFactory
from tests.helpers.fakes import FakeBackend, FakeCapturer, FakeSpeaker


def _told(qtbot: QtBot, speaker: FakeSpeaker, text: str) -> None:
    qtbot.waitUntil(lambda: any(said == text for said, _ in speaker.said), timeout=TIMEOUT_MS)


def test_a_black_screen_is_told_and_not_described(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    backend, speaker, capturer = FakeBackend(), FakeSpeaker(), FakeCapturer()
    capturer.screen_image = Image.new("RGB", (1920, 1080), (0, 0, 0))
    controller = make_controller(backend=backend, speaker=speaker, capturer=capturer)
    for action in (controller.images.describe_screen, controller.images.read_screen):
        speaker.said.clear()
        action()
        _told(qtbot, speaker, messages.CAPTURE_BLACK)
        assert controller.window.status.text() == messages.CAPTURE_BLACK
    assert backend.requests == [] and controller.conversation.is_empty()
    assert controller.window.conversation.count() == 0  # no image added to the conversation


def test_one_colour_and_white_captures_say_what_they_saw(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    speaker, capturer = FakeSpeaker(), FakeCapturer()
    controller = make_controller(speaker=speaker, capturer=capturer)
    capturer.screen_image = Image.new("RGB", (1280, 800), (255, 255, 255))
    controller.images.describe_screen()
    _told(qtbot, speaker, messages.CAPTURE_WHITE)
    capturer.screen_image = Image.new("RGB", (1280, 800), (30, 80, 140))
    controller.images.ask_about_screen()
    _told(qtbot, speaker, messages.CAPTURE_ONE_COLOUR)
    assert controller.conversation.pending_images == []  # nothing attached to ask about


def test_a_region_of_one_colour_is_told_and_the_screen_still_described(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    backend, speaker = FakeBackend(), FakeSpeaker()
    controller = make_controller(backend=backend, speaker=speaker)
    controller.images.describe_region()
    qtbot.waitUntil(lambda: controller.images._region_selector is not None, timeout=TIMEOUT_MS)
    selector = controller.images._region_selector
    for _ in range(40):  # to the top left corner, away from the box in the fake screen
        qtbot.keyClick(selector, Qt.Key.Key_Left)
        qtbot.keyClick(selector, Qt.Key.Key_Up)
    for _ in range(50):  # and small
        qtbot.keyClick(selector, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClick(selector, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(selector, Qt.Key.Key_Return)
    _told(qtbot, speaker, messages.REGION_BLANK)
    assert backend.requests == []
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        controller.images.describe_screen()  # the screen itself has something in it
    assert len(controller.conversation.history) == 1  # read (no model here), not refused
