"""Conversation history: text only, saved after each answer, cleared on request, off when
turned off, damaged files survived, and saving faults told while Iris keeps working."""

from __future__ import annotations

import errno
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from desktop_app.core import messages
from desktop_app.core.types import Answer, Turn
from desktop_app.engine.local.backend import LocalBackend
from desktop_app.gui.settings_dialog import SettingsDialog
from desktop_app.gui.worker import EngineWorker
from desktop_app.settings import (
    AppSettings,
    Conversation,
    ConversationHistory,
    EngineSettings,
    Exchange,
    history_path,
    load_history,
    load_settings,
    save_error_message,
    settings_path,
)
from desktop_app.settings.history import MAX_CHARACTERS, MAX_CONVERSATIONS, bounded
from tests.helpers.controllers import ControllerFactory
from tests.helpers.disk_faults import Fault, FaultyOpener
from tests.helpers.fakes import FakeCapturer, FakeSpeaker

TIMEOUT_MS = 60_000
FILE_KEYS = {"format", "version", "conversations", "started", "exchanges", "question", "answer"}
FILE_KEYS |= {"time"}


def _turns(*pairs: tuple[str, str]) -> tuple[Turn, ...]:
    return tuple(Turn(question, (), answer) for question, answer in pairs)


def _save(history: ConversationHistory, turns: tuple[Turn, ...]) -> BaseException | None:
    """Record `turns` and wait for the save; its error, if any."""
    saving = history.record(turns)
    assert saving is not None
    return saving.exception(timeout=30)


def _keys(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set(data).union(*(_keys(value) for value in data.values()))
    if isinstance(data, list):
        return set().union(*(_keys(item) for item in data))
    return set()


# -- the history file ------------------------------------------------------------------------
def test_follow_ups_extend_the_conversation_and_a_restart_starts_a_new_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "history.json"
    history = ConversationHistory(path)
    first = _turns(("Describe it", "A cat."))
    assert _save(history, first) is None
    assert _save(history, (*first, *_turns(("What colour?", "Black.")))) is None
    history.record(_turns(("Describe it", "A dog.")))  # a new conversation: one turn
    history.close()
    saved = load_history(path)
    assert [[(e.question, e.answer) for e in c.exchanges] for c in saved] == [
        [("Describe it", "A cat."), ("What colour?", "Black.")],
        [("Describe it", "A dog.")],
    ]
    assert datetime.fromisoformat(saved[0].exchanges[1].time).tzinfo is not None

    again = ConversationHistory(path)  # Iris restarted: nothing is merged into old entries
    assert again.conversations == saved
    again.record(_turns(("Describe it", "A dog."), ("Is it big?", "Yes.")))
    again.close()
    assert len(load_history(path)) == 3


def test_only_text_is_saved_never_images(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    history = ConversationHistory(path)
    image = Image.new("RGB", (64, 48), (1, 2, 3))
    image.filename = "/home/user/secret-photo.png"
    history.record((Turn("Describe it", (image,), "A square."),))
    history.close()
    text = path.read_text(encoding="utf-8")
    assert _keys(json.loads(text)) == FILE_KEYS
    assert "secret-photo" not in text and "Image" not in text
    assert path.stat().st_mode & 0o077 == 0  # readable by the user only


def test_history_is_bounded_to_the_newest() -> None:
    many = [Conversation(str(n), (Exchange(f"q{n}", "a", "t"),)) for n in range(250)]
    kept = bounded(many)
    assert len(kept) == MAX_CONVERSATIONS and kept[-1].started == "249"
    huge = Conversation("huge", (Exchange("q", "a" * MAX_CHARACTERS, "t"),))
    assert bounded([*many[:3], huge]) == (huge,)  # the newest is kept even when too big


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"format": "iris-history", "version": 1, "conversations": [{"x": 1}]}', "[]"],
)
def test_damaged_history_is_kept_aside_and_history_starts_empty(
    tmp_path: Path, content: str
) -> None:
    path = tmp_path / "history.json"
    path.write_text(content, encoding="utf-8")
    history = ConversationHistory(path)
    assert history.conversations == ()
    copies = list(tmp_path.glob("history.json.corrupt-*"))
    assert len(copies) == 1 and copies[0].read_text(encoding="utf-8") == content
    history.record(_turns(("Describe it", "A cat.")))
    history.close()
    assert len(load_history(path)) == 1


def test_clear_and_turning_off_delete_the_file_and_queued_saves(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    history = ConversationHistory(path)
    assert _save(history, _turns(("Describe it", "A cat."))) is None
    history.record(_turns(("Describe it", "A dog.")))
    assert history.clear() == 2  # the second save may still be queued: it must not come back
    history.record(_turns(("Describe it", "A bird.")))
    assert history.set_enabled(False) == 1
    assert history.record(_turns(("Describe it", "A fish."))) is None
    history.close()
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_a_failed_save_keeps_the_old_file_and_the_next_save_has_everything(
    tmp_path: Path,
) -> None:
    path = tmp_path / "history.json"
    opener = FaultyOpener()
    history = ConversationHistory(path, opener=opener)
    one = _turns(("Describe it", "A cat."))
    assert _save(history, one) is None
    before = path.read_bytes()
    opener.fault = Fault.DISK_FULL
    two = (*one, *_turns(("What colour?", "Black.")))
    error = _save(history, two)
    assert isinstance(error, OSError) and error.errno == errno.ENOSPC
    assert path.read_bytes() == before
    opener.fault = None
    assert _save(history, (*two, *_turns(("Is it big?", "No.")))) is None
    history.close()
    assert [e.answer for e in load_history(path)[0].exchanges] == ["A cat.", "Black.", "No."]


def test_older_settings_files_load_with_history_on(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"answer_language": "French", "keep_in_tray": False}))
    loaded = load_settings(path)
    assert loaded.keep_history is True and loaded.answer_language == "French"


# -- in the window -----------------------------------------------------------------------------


class Rig:
    """The window and controller with the real engine on a tiny model, history and settings
    in the test's own config folder, saved through `opener`."""

    def __init__(
        self,
        make_controller: ControllerFactory,
        model: Path,
        opener: FaultyOpener | None = None,
        keep: bool = True,
    ) -> None:
        self.qtbot = make_controller.qtbot
        settings = AppSettings(
            engine=EngineSettings(model=str(model), max_new_tokens=6), keep_history=keep
        )
        self.speaker = FakeSpeaker()
        self.worker = EngineWorker(LocalBackend(settings.engine))
        self.controller = make_controller(
            settings, worker=self.worker, speaker=self.speaker, opener=opener
        )
        self.window = self.controller.window

    def _ask(self, question: str | None) -> None:
        """Describe an image, or ask a follow-up question about it."""
        if question is None:
            self.controller.describe_images([FakeCapturer().screen()], "screen")
        else:
            self.window.question.setText(question)
            self.window.actions_by_key["ask"].trigger()

    def answer(self, question: str | None = None) -> tuple[Answer, BaseException | None]:
        """The answer, and the error its history save ended with (None: saved)."""
        with (
            self.qtbot.waitSignal(self.controller.history.saved, timeout=TIMEOUT_MS) as save,
            self.qtbot.waitSignal(self.controller.answer_finished, timeout=TIMEOUT_MS) as done,
        ):
            self._ask(question)
        return done.args[0], save.args[0]

    def answer_unsaved(self, question: str | None = None) -> Answer:
        """The answer, when history is off: no save is even tried."""
        with (
            self.qtbot.assertNotEmitted(self.controller.history.saved),
            self.qtbot.waitSignal(self.controller.answer_finished, timeout=TIMEOUT_MS) as done,
        ):
            self._ask(question)
        answer: Answer = done.args[0]
        return answer

    def settings_dialog(self) -> SettingsDialog:
        self.controller.preferences.open_settings()
        return self.window.findChildren(SettingsDialog)[-1]  # the newest


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Iris's config folder for this test only (its documented override)."""
    folder = tmp_path / "config"
    monkeypatch.setenv("IRIS_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def rig(tiny_models: dict[str, Path], config: Path, make_controller: ControllerFactory) -> Rig:
    return Rig(make_controller, tiny_models["idefics3"])


def test_answers_are_saved_and_clear_history_deletes_them(rig: Rig, config: Path) -> None:
    first, error = rig.answer()
    assert error is None
    follow_up, error = rig.answer("What colour is it?")
    assert error is None
    saved = load_history(history_path())
    assert history_path().parent == config and len(saved) == 1
    assert [e.answer for e in saved[0].exchanges] == [first.text, follow_up.text]
    assert saved[0].exchanges[1].question == "What colour is it?"

    rig.window.actions_by_key["new_conversation"].trigger()
    rig.answer()
    assert len(load_history(history_path())) == 2

    menu = [a.objectName() for m in rig.window.menuBar().actions() for a in m.menu().actions()]
    assert "clear_history" in menu
    rig.window.actions_by_key["clear_history"].trigger()
    done = messages.HISTORY_CLEARED.format(count=2)
    assert rig.speaker.said[-1] == (done, True) and rig.window.status.text() == done
    assert not history_path().exists()
    rig.answer()  # history stays on: the next answer is saved again
    assert len(load_history(history_path())) == 1


def test_settings_clear_button_and_turning_history_off(rig: Rig, config: Path) -> None:
    rig.answer()
    dialog = rig.settings_dialog()
    assert dialog.keep_history.isChecked()
    assert dialog.keep_history.accessibleName() == messages.FIELD_KEEP_HISTORY
    dialog.clear_history.click()
    done = messages.HISTORY_CLEARED.format(count=1)
    assert dialog.history_result.text() == done and rig.speaker.said[-1] == (done, True)
    assert not history_path().exists()
    dialog.reject()

    rig.answer()
    dialog = rig.settings_dialog()
    dialog.keep_history.setChecked(False)
    dialog.accept()
    turned_off = messages.HISTORY_TURNED_OFF.format(count=1)
    assert rig.speaker.said[-1] == (turned_off, True)
    assert not history_path().exists()
    assert load_settings(settings_path()).keep_history is False

    assert rig.answer_unsaved().generated_tokens > 0
    rig.controller.history.history.close()  # waits for any save still queued
    assert not history_path().exists()


@pytest.mark.parametrize("fault", list(Fault))
def test_saving_faults_are_told_and_iris_keeps_working(
    tiny_models: dict[str, Path], config: Path, make_controller: ControllerFactory, fault: Fault
) -> None:
    opener = FaultyOpener()
    rig = Rig(make_controller, tiny_models["idefics3"], opener)
    rig.answer()
    dialog = rig.settings_dialog()
    dialog.answer_language.setText("French")
    dialog.accept()
    saved_history = history_path().read_bytes()
    saved_settings = settings_path().read_bytes()

    opener.fault = fault
    _, error = rig.answer("What colour is it?")
    assert isinstance(error, OSError)
    problem = save_error_message(error, history_path(), messages.SAVE_WHAT_HISTORY)
    assert ("is full" if fault is Fault.DISK_FULL else "cannot be written") in problem
    told = messages.SAVE_HISTORY_KEPT.format(problem=problem)
    assert rig.window.status.text() == told
    assert rig.speaker.said[-1] == (told, False)  # after the answer, not cutting it off
    rig.answer("Is it big?")
    assert rig.speaker.said.count((told, False)) == 1  # told once, not after every answer

    dialog = rig.settings_dialog()
    dialog.answer_language.setText("German")
    dialog.accept()
    problem = save_error_message(error, settings_path(), messages.SAVE_WHAT_SETTINGS)
    told = messages.SAVE_SETTINGS_USED_UNSAVED.format(problem=problem)
    assert rig.window.status.text() == told and rig.speaker.said[-1] == (told, True)
    assert rig.controller.settings.answer_language == "German"  # used, though unsaved

    # Nothing saved before is lost, and nothing half-written is left in the folder.
    assert history_path().read_bytes() == saved_history
    assert settings_path().read_bytes() == saved_settings
    assert sorted(p.name for p in config.iterdir()) == ["history.json", "settings.json"]
    assert opener.failures == 3

    opener.fault = None  # space freed, or the folder writable again
    answer, error = rig.answer("Anything else?")
    assert error is None and answer.generated_tokens > 0
    # Saved as asked of the model: the typed question, then the answer language's instruction.
    asked = [e.question.split("\n") for e in load_history(history_path())[0].exchanges]
    typed = ["What colour is it?", "Is it big?", "Anything else?"]
    assert [lines[0] for lines in asked[1:]] == typed
    assert all("Answer in" in lines[1] for lines in asked[1:])
    rig.settings_dialog().accept()
    assert load_settings(settings_path()).answer_language == "German"
