"""Saved prompts in the window: run by their global hotkey end to end (question, capture,
the prompt's text to the model, the answer streamed and spoken), the Prompts menu, and
"what changed" comparing a window's previous capture with the current one."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit
from pytestqt.qtbot import QtBot

from desktop_app.core import messages
from desktop_app.core.actions import readable_keys
from desktop_app.gui.app import HotkeyBridge, hotkey_problems_message
from desktop_app.gui.prompt_runner import ask_in_dialog
from desktop_app.settings import AppSettings, EngineSettings, PromptTarget, SavedPrompt
from desktop_app.settings.saved_prompts import WHAT_CHANGED, prompt_hotkeys
from tests.helpers.controllers import TIMEOUT_MS, ControllerFactory
from tests.helpers.fakes import FakeBackend, FakeCapturer, FakeSpeaker, FakeStream

ASKING = SavedPrompt(
    "Form filler",
    "Say which fields of this form are still empty.",
    question="Which section of the form?",
    ground=False,
    target=PromptTarget.WINDOW,
    hotkey="ctrl+alt+shift+1",
)


class FakeListener:
    """Takes the bindings as the platform's listener does; `press` presses one from the
    listener's own thread."""

    def __init__(self) -> None:
        self.bindings: Mapping[str, str] = {}
        self._on_press: Callable[[str], None] | None = None

    def start(self, bindings: Mapping[str, str], on_press: Callable[[str], None]) -> dict[str, str]:
        self.bindings = dict(bindings)
        self._on_press = on_press
        return {}

    def stop(self) -> None:
        self._on_press = None

    def press(self, keys: str) -> None:
        action = next(action for action, bound in self.bindings.items() if bound == keys)
        assert self._on_press is not None
        thread = threading.Thread(target=self._on_press, args=(action,))
        thread.start()
        thread.join()


def _settings(*prompts: SavedPrompt) -> AppSettings:
    """The shipped prompts after `prompts`, with a model given by its folder: there, so
    descriptions go to the model, not the text reader."""
    return AppSettings().with_changes(
        prompts=(*prompts, *AppSettings().prompts), engine=EngineSettings(model="/models/fake")
    )


def test_a_saved_prompts_hotkey_runs_it_end_to_end(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    backend, capturer, streams = FakeBackend(pieces=("Two ", "fields.")), FakeCapturer(), []

    def stream() -> FakeStream:
        streams.append(FakeStream())
        return streams[-1]

    controller = make_controller(
        _settings(ASKING), backend=backend, capturer=capturer, streaming_speech=stream
    )
    asked: list[str] = []
    controller.prompts.ask = lambda prompt: asked.append(prompt.question) or "Delivery address"
    listener = FakeListener()
    HotkeyBridge(controller, listener).bind_settings(controller.settings)
    assert listener.bindings["prompt:Form filler"] == ASKING.hotkey
    assert listener.bindings["describe_screen"] == AppSettings().hotkeys["describe_screen"]

    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        listener.press(ASKING.hotkey)
    assert asked == [ASKING.question]
    assert capturer.calls == ["window"]
    request = backend.requests[-1]
    assert ASKING.instruction in request.turns[-1].text
    assert "Delivery address" in request.turns[-1].text
    assert len(request.turns[-1].images) == 1 and request.ground is False
    assert streams[-1].pieces == ["Two ", "fields."] and streams[-1].finished
    assert controller.window.conversation.last_answer() == "Two fields."


def test_cancelling_the_question_runs_nothing(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    backend, speaker, capturer = FakeBackend(), FakeSpeaker(), FakeCapturer()
    controller = make_controller(
        _settings(ASKING), backend=backend, speaker=speaker, capturer=capturer
    )
    controller.prompts.ask = lambda prompt: None
    controller.prompts.run_named("form FILLER")
    told = messages.PROMPT_QUESTION_SKIPPED.format(name=ASKING.name)
    assert controller.window.status.text() == told
    assert capturer.calls == [] and backend.requests == []


def test_the_prompts_menu_shows_each_prompt_with_its_hotkey_and_runs_it(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    backend, capturer = FakeBackend(), FakeCapturer()
    controller = make_controller(_settings(ASKING), backend=backend, capturer=capturer)
    menu = controller.window.prompts_menu
    texts = [action.text() for action in menu.actions()]
    assert texts[0] == f"{ASKING.name}\t{readable_keys(ASKING.hotkey)}"
    assert texts[1:] == [prompt.name for prompt in AppSettings().prompts]  # no hotkeys
    chart = menu.actions()[1 + 2]
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        chart.trigger()
    assert capturer.calls == ["screen"]
    controller.apply_settings(controller.settings.with_changes(prompts=(ASKING,)))
    assert [action.text() for action in menu.actions()] == [texts[0]]


def test_what_changed_first_says_so_then_sends_both_captures(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    backend, speaker, capturer = FakeBackend(), FakeSpeaker(), FakeCapturer()
    controller = make_controller(_settings(), backend=backend, speaker=speaker, capturer=capturer)
    capturer.active = 41
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        controller.prompts.run_named(messages.PROMPT_WHAT_CHANGED)
    assert messages.NO_PREVIOUS_CAPTURE in [text for text, _ in speaker.said]
    first = backend.requests[-1].turns[-1]
    assert len(first.images) == 1 and WHAT_CHANGED not in first.text

    speaker.said.clear()
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        controller.prompts.run_named(messages.PROMPT_WHAT_CHANGED)
    second = backend.requests[-1].turns[-1]
    assert WHAT_CHANGED in second.text
    assert second.images[-2:] == (first.images[0], second.images[-1])
    assert second.images[-1] is not first.images[0]
    assert messages.NO_PREVIOUS_CAPTURE not in [text for text, _ in speaker.said]

    capturer.active = 42  # another window: nothing to compare with yet
    with qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS):
        controller.prompts.run_named(messages.PROMPT_WHAT_CHANGED)
    assert messages.NO_PREVIOUS_CAPTURE in [text for text, _ in speaker.said]
    assert len(controller.prompts.last_captures) == 2


def test_prompt_hotkeys_leave_out_prompts_without_one() -> None:
    assert prompt_hotkeys(_settings(ASKING).prompts) == {"prompt:Form filler": ASKING.hotkey}


def _open_question() -> QInputDialog:
    (dialog,) = [
        widget
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, QInputDialog) and widget.isVisible()
    ]
    return dialog


def test_the_question_dialog_is_named_spoken_and_gives_the_answer(qtbot: QtBot) -> None:
    spoken: list[str] = []
    ask = ask_in_dialog(None, spoken.append)
    seen: dict[str, str] = {}

    def answer() -> None:
        dialog = _open_question()
        (field,) = dialog.findChildren(QLineEdit)
        seen.update(title=dialog.windowTitle(), field=field.accessibleName())
        dialog.setTextValue("Billing")
        dialog.accept()

    QTimer.singleShot(0, answer)
    assert ask(ASKING) == "Billing"
    assert seen == {"title": ASKING.name, "field": ASKING.question}
    assert spoken == [ASKING.question]
    QTimer.singleShot(0, lambda: _open_question().reject())
    assert ask(ASKING) is None


def test_a_prompt_hotkey_another_program_holds_is_told_by_the_prompts_name() -> None:
    told = hotkey_problems_message({"prompt:Form filler": "taken by another program"}, 5)
    assert "Form filler" in told and "prompt:" not in told
