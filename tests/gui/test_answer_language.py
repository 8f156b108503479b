"""Answers in the user's language, through the window's controller: the interface's language
when the setting is empty, the voice of that language for the answer only, no instruction for
reading text, the English-only notice said once, and the Settings hint naming the language."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core import messages
from desktop_app.engine.tasks import READ, language_instruction
from desktop_app.gui.controller import Controller
from desktop_app.gui.settings_dialog import SettingsDialog
from desktop_app.settings import DEFAULT_MODEL, AppSettings, EngineSettings, SpeechSettings
from tests.helpers.controllers import TIMEOUT_MS, ControllerFactory
from tests.helpers.fakes import FakeBackend, FakeSpeaker, FakeStream

FOLDER_MODEL = AppSettings().with_changes(engine=EngineSettings(model="/models/fake"))
"""A model given by its folder: its languages are unknown, and it counts as downloaded."""


def german_notice() -> str:
    """The notice, in the interface language installed when it is called (German, with the
    German catalogue)."""
    return messages.ENGLISH_ONLY_MODEL.format(model="SmolVLM-256M-Instruct", language="Deutsch")


@pytest.fixture
def interface_in(interface_language: Callable[[str], str]) -> Iterator[None]:
    """The interface is in German (English again after the test: tests/conftest.py)."""
    interface_language("de")
    yield


def _describe(qtbot: QtBot, controller: Controller) -> None:
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        controller.images.describe_screen()


def _stream(controller: Controller) -> FakeStream:
    stream = controller.voice.stream
    assert isinstance(stream, FakeStream)
    return stream


def test_an_empty_setting_asks_for_the_interface_language(
    qtbot: QtBot, make_controller: ControllerFactory, interface_in: None
) -> None:
    backend, speaker = FakeBackend(), FakeSpeaker()
    controller = make_controller(FOLDER_MODEL, backend=backend, speaker=speaker)
    _describe(qtbot, controller)
    prompt = backend.requests[0].turns[-1].text
    assert prompt.endswith(language_instruction("German")) and "Answer in German." in prompt
    assert _stream(controller).language == "de"  # the answer in a German voice
    assert not any("English only" in said for said, _ in speaker.said)  # a folder: unknown


def test_a_typed_language_is_asked_for_and_more_detail_keeps_it(
    qtbot: QtBot, make_controller: ControllerFactory, interface_in: None
) -> None:
    backend = FakeBackend()
    settings = FOLDER_MODEL.with_changes(answer_language="français")
    controller = make_controller(settings, backend=backend)
    _describe(qtbot, controller)
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        controller.more_detail()
    assert [turn.text.count("Answer in French.") for turn in backend.requests[-1].turns] == [1, 1]
    assert _stream(controller).language == "fr"


def test_english_answers_have_no_instruction(
    qtbot: QtBot, make_controller: ControllerFactory, interface_in: None
) -> None:
    backend = FakeBackend()
    controller = make_controller(FOLDER_MODEL.with_changes(answer_language="en"), backend=backend)
    _describe(qtbot, controller)
    assert "Answer in" not in backend.requests[0].turns[-1].text
    assert _stream(controller).language == "en"


def test_reading_the_screen_asks_for_no_language_and_no_answer_voice(
    qtbot: QtBot, make_controller: ControllerFactory, interface_in: None
) -> None:
    from desktop_app.gui.worker import EngineWorker

    model, reader = FakeBackend(), FakeBackend(pieces=("Speichern",))
    controller = make_controller(FOLDER_MODEL, backend=model, reader=EngineWorker(reader))
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        controller.images.read_screen()
    assert [request.turns[-1].text for request in reader.requests] == [READ]
    assert model.requests == []
    assert _stream(controller).language is None  # read in the voice of Iris's own messages


def test_an_english_only_model_is_told_once(
    qtbot: QtBot,
    make_controller: ControllerFactory,
    interface_in: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("desktop_app.gui.model_session.is_downloaded", lambda *_: True)
    speaker = FakeSpeaker()
    settings = AppSettings().with_changes(engine=EngineSettings(model=DEFAULT_MODEL))
    controller = make_controller(settings, backend=FakeBackend(), speaker=speaker)
    _describe(qtbot, controller)
    _describe(qtbot, controller)
    notice = german_notice()
    assert notice != messages.ENGLISH_ONLY_MODEL  # filled in
    told = [(said, interrupt) for said, interrupt in speaker.said if said == notice]
    assert told == [(notice, False)]  # once, after "Describing the screen", not over it


def test_no_notice_when_answers_are_in_english(
    qtbot: QtBot, make_controller: ControllerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("desktop_app.gui.model_session.is_downloaded", lambda *_: True)
    monkeypatch.setenv("LANGUAGE", "en_GB")
    speaker = FakeSpeaker()
    settings = AppSettings().with_changes(engine=EngineSettings(model=DEFAULT_MODEL))
    controller = make_controller(settings, backend=FakeBackend(), speaker=speaker)
    _describe(qtbot, controller)
    assert not any("English only" in said for said, _ in speaker.said)


def test_settings_name_the_interface_language_when_the_field_is_empty(
    qtbot: QtBot, interface_in: None
) -> None:
    dialog = SettingsDialog(AppSettings())
    qtbot.addWidget(dialog)
    hint = messages.FIELD_ANSWER_LANGUAGE_DEFAULT.format(language="Deutsch")
    assert dialog.answer_language.text() == ""
    assert dialog.answer_language.placeholderText() == hint
    assert dialog.answer_language.accessibleDescription() == (
        messages.FIELD_ANSWER_LANGUAGE_DESCRIPTION
    )
    dialog.answer_language.setText("Español")  # a language can still be typed
    assert dialog.result_settings().answer_language == "Español"


def test_iris_speaks_its_own_messages_in_the_interface_language(
    make_controller: ControllerFactory, interface_in: None, tmp_path: Path
) -> None:
    from desktop_app.gui.speech_switch import SpeechSwitch
    from desktop_app.speech import ThreadedSpeaker

    controller = make_controller(FOLDER_MODEL)
    switch = SpeechSwitch(controller.voice, SpeechSettings(), speak_to_files=tmp_path)
    try:
        assert isinstance(switch.speaker, ThreadedSpeaker), switch.speaker.problem
        assert switch.speaker.language == "de"
        controller.announce(messages.STATUS_DONE)
        assert switch.speaker.wait_idle(20)
        assert len(list(tmp_path.glob("*.wav"))) == 1
    finally:
        switch.close()


def test_a_follow_up_asks_for_the_language_on_a_line_of_its_own(
    qtbot: QtBot, make_controller: ControllerFactory, interface_in: None
) -> None:
    backend = FakeBackend()
    controller = make_controller(FOLDER_MODEL, backend=backend)
    _describe(qtbot, controller)
    controller.window.question.setText("Where is the Save button?")
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        controller.ask()
    asked = backend.requests[-1].turns[-1].text
    assert asked.splitlines() == [
        "Where is the Save button?",
        language_instruction("German").strip(),
    ]
    shown = controller.window.conversation.entries()
    assert any(entry.endswith("Where is the Save button?") for entry in shown)
    assert not any("Answer in" in entry for entry in shown)
    assert _stream(controller).language == "de"
