"""Running a saved prompt end to end: its question, the capture it looks at, then the
request with its text (streamed and spoken as every answer is)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from desktop_app.core import messages
from desktop_app.core.languages import answer_language
from desktop_app.engine.saved_prompts import first_capture_text, saved_prompt_text
from desktop_app.gui.focus import FocusKeeper
from desktop_app.gui.image_actions import Capturer, Describe, ImageActions
from desktop_app.gui.last_captures import LastCaptures
from desktop_app.settings import AppSettings, PromptTarget, SavedPrompt, find_prompt

log = logging.getLogger(__name__)

AskQuestion = Callable[[SavedPrompt], "str | None"]
"""Asks the user a saved prompt's question: the answer, or None when cancelled."""


def ask_in_dialog(parent: QWidget | None, speak: Callable[[str], None]) -> AskQuestion:
    """Asks with a small input dialog, brought forward (a hotkey may come from another
    program); `speak` says the question where no screen reader reads the dialog."""

    def ask(prompt: SavedPrompt) -> str | None:
        dialog = QInputDialog(parent)
        dialog.setWindowTitle(prompt.name)
        dialog.setLabelText(prompt.question)
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        dialog.setAccessibleName(prompt.name)
        for field in dialog.findChildren(QLineEdit):
            field.setAccessibleName(prompt.question)
        speak(prompt.question)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        answered = dialog.exec() == QInputDialog.DialogCode.Accepted
        text = dialog.textValue()
        dialog.deleteLater()
        return text if answered else None

    return ask


class PromptRunner:
    """Runs saved prompts (by the Prompts menu or their hotkeys): asks the prompt's question,
    captures what it looks at without taking the focus from the user's program, and hands
    the images and the prompt's text to `describe` (the controller's `describe_images`)."""

    def __init__(
        self,
        images: ImageActions,
        capturer: Capturer,
        focus: FocusKeeper,
        describe: Describe,
        announce: Callable[..., None],
        settings: Callable[[], AppSettings],
        ask: AskQuestion,
    ) -> None:
        self.images = images
        self.capturer = capturer
        self.focus = focus
        self.describe = describe
        self.announce = announce
        self.settings = settings
        self.ask = ask
        self.last_captures = LastCaptures()

    def run_named(self, name: str) -> None:
        """Run the saved prompt called `name` (a hotkey's or a menu's)."""
        prompt = find_prompt(self.settings().prompts, name)
        if prompt is None:
            log.warning("no saved prompt is called %r", name)
            return
        self.run(prompt)

    def run(self, prompt: SavedPrompt) -> None:
        """Ask the question (if any), capture, and send."""
        answer = ""
        if prompt.question.strip():
            came_from = self.focus.user_program()
            given = self.ask(prompt)
            if given is None:
                self.announce(messages.PROMPT_QUESTION_SKIPPED.format(name=prompt.name))
                return
            self.focus.return_focus(came_from)
            answer = given
        self.announce(messages.STATUS_RUNNING_PROMPT.format(name=prompt.name))
        language = self._language()
        text = saved_prompt_text(prompt, answer=answer, language=language)

        def send(image: Any, name: str) -> None:
            self.describe([image], name, instruction=text, ground=prompt.ground, new_capture=True)

        target = prompt.target
        if target is PromptTarget.REGION:
            self.images.choose_region(lambda region: send(region, "region"))
        elif target is PromptTarget.CHANGES:
            self._capture(self._window_with_id, lambda found: self._compare(prompt, text, found))
        else:
            grab = self.capturer.screen if target is PromptTarget.SCREEN else self.capturer.window
            name = "screen" if target is PromptTarget.SCREEN else "window"
            self._capture(grab, lambda image: send(image, name))

    def _language(self) -> str:
        """The answer language's name for the model: the setting's, or the interface's."""
        return answer_language(self.settings().answer_language).name

    def _window_with_id(self) -> tuple[int | None, Any]:
        return self.capturer.active_window_id(), self.capturer.window()

    def _compare(self, prompt: SavedPrompt, text: str, found: tuple[int | None, Any]) -> None:
        """Send the window's previous capture and this one; the first time, say there is
        none and describe this one."""
        window_id, image = found
        if self.images.told_blank(image):
            return
        previous = self.last_captures.swap(window_id, image)
        if previous is None:
            self.announce(messages.NO_PREVIOUS_CAPTURE, interrupt=False)
            images = [image]
            text = first_capture_text(prompt, language=self._language())
        else:
            images = [previous, image]
        self.describe(images, "window", instruction=text, ground=prompt.ground, new_capture=True)

    def _capture(self, grab: Callable[[], Any], then: Callable[[Any], None]) -> None:
        def checked(found: Any) -> None:
            image = found[1] if isinstance(found, tuple) else found
            if isinstance(found, tuple) or not self.images.told_blank(image):
                then(found)

        self.focus.capture(grab, checked, lambda error: self.announce(error.message))
