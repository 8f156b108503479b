"""The window's actions, dispatched to the conversation, the model session, capture and voice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication

from desktop_app.conversation import Conversation
from desktop_app.core import messages
from desktop_app.core.actions import ACTIONS, Action, readable_keys
from desktop_app.core.actions import MORE_DETAIL as MORE_DETAIL_ACTION
from desktop_app.core.errors import IrisError
from desktop_app.core.languages import AnswerLanguage, answer_language
from desktop_app.core.types import Answer
from desktop_app.engine.tasks import MORE_DETAIL, READ, describe_prompt, language_instruction
from desktop_app.gui.appearance import Appearance
from desktop_app.gui.focus import FocusKeeper
from desktop_app.gui.history_saver import HistorySaver
from desktop_app.gui.idle_unload import IdleUnloader
from desktop_app.gui.image_actions import Capturer, ImageActions
from desktop_app.gui.language_notice import EnglishOnlyNotice
from desktop_app.gui.loading_status import LoadingStatus
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.model_session import ModelSession
from desktop_app.gui.pointer_mover import PointerMover
from desktop_app.gui.preferences import Preferences
from desktop_app.gui.prompt_runner import PromptRunner, ask_in_dialog
from desktop_app.gui.voice import Voice
from desktop_app.settings import AppSettings
from desktop_app.settings.keeper import SettingsKeeper

log = logging.getLogger(__name__)


class Controller(QObject):
    """Runs each action of the table (`core.actions`): a thin dispatcher between the window,
    the Conversation, the ModelSession, capture (ImageActions), the Voice, saved history and
    the Preferences."""

    answer_finished = Signal(object)
    request_failed = Signal(str)

    def __init__(
        self,
        window: MainWindow,
        session: ModelSession,
        voice: Voice,
        capturer: Capturer,
        settings: SettingsKeeper,
        history: HistorySaver,
        preferences: Preferences,
    ) -> None:
        super().__init__()
        self.window = window
        self.session = session
        self.voice = voice
        self.capturer = capturer
        self.keeper = settings
        self.history = history
        self.preferences = preferences
        self.conversation = Conversation()
        self._told_reading_until_model = False
        """Why a description reads the text instead was said once: later it is only shown."""
        self.focus = FocusKeeper(window, capturer, lambda: self.settings.bring_to_front)
        self.loading = LoadingStatus(window, session, voice, lambda: self.focus.iris_active())
        self.pointer = PointerMover(capturer, self.announce)
        self.english_notice = EnglishOnlyNotice(lambda text: self.announce(text, interrupt=False))
        self.idle_unloader = IdleUnloader(session, lambda: voice.stream is not None, window)
        self.appearance = Appearance(
            window,
            lambda: self.settings,
            lambda changed: preferences.apply(changed, save=True),
            self.announce,
        )
        preferences.changed.connect(self.appearance.apply)
        preferences.dress_dialog = self.appearance.dress
        self.images = ImageActions(
            window,
            capturer,
            self.focus,
            self.conversation,
            self.describe_images,
            self.announce,
            self.pointer.remember,
            self.prepare_question,
        )
        self.prompts = PromptRunner(
            self.images,
            capturer,
            self.focus,
            self.describe_images,
            self.announce,
            lambda: self.settings,
            ask_in_dialog(None, voice.speak_question),
        )
        self._show_prompts(self.settings)
        preferences.changed.connect(self._show_prompts)
        for declared in ACTIONS:
            if declared.in_window:
                window.on(declared.id, self.handler(declared))
        window.files_dropped.connect(self.images.add_image_files)
        window.image_data_dropped.connect(self.images.add_image_data)
        session.piece.connect(self._on_piece)
        session.answered.connect(self._on_answered)
        session.failed.connect(self._on_failed)
        session.notice.connect(self.voice.announce)

    def handler(self, action: Action) -> Callable[[], object]:
        """What does `action`: its `handler`, a method of this controller or of one of its
        parts ("images.describe_screen")."""
        target: Any = self
        for name in action.handler.split("."):
            target = getattr(target, name)
        handler: Callable[[], object] = target
        return handler

    @property
    def settings(self) -> AppSettings:
        """The settings in use."""
        return self.keeper.current

    def announce(self, text: str, *, speak: bool = True, interrupt: bool = True) -> None:
        """Show `text` on the status line and speak it (see Voice.announce)."""
        self.voice.announce(text, speak=speak, interrupt=interrupt)

    def answer_language(self) -> AnswerLanguage:
        """The language answers are asked for: the setting's, or the interface's."""
        return answer_language(self.settings.answer_language)

    def _show_prompts(self, settings: AppSettings) -> None:
        """The Prompts menu: each saved prompt with its global hotkey."""
        entries = [(p.name, readable_keys(p.hotkey)) for p in settings.prompts]
        self.window.show_prompts(entries, self.prompts.run_named)

    def load_model(self) -> bool:
        """Load the model in the background (asking first where the session must); True
        when loading started."""
        return self.session.load()

    # -- the conversation -----------------------------------------------------------------
    def describe_images(
        self,
        images: list[Any],
        name: str,
        read: bool = False,
        *,
        instruction: str = "",
        ground: bool = True,
        new_capture: bool = False,
    ) -> None:
        """Describe new images (or read their text), in the running conversation if any, or
        with `new_capture` (a capture, not a file) in a new one (`Conversation.start_anew`;
        the window still shows the earlier one); `instruction` (a saved prompt's text)
        replaces the description style's, `ground` False keeps the images' text from the
        model. Until the model is downloaded, descriptions fall back to reading the text (why
        is said the first time, and shown every time)."""
        if new_capture:
            self.conversation.start_anew()
        for image in images:
            self.window.conversation.add_image(name, *image.size)
        if not read and self.session.local_model_missing():
            speak = not self._told_reading_until_model  # 30 words before every reading: once
            self.announce(messages.STATUS_READING_UNTIL_MODEL, speak=speak)
            self._told_reading_until_model = True
            read = True
        pending = [*self.conversation.pending_images, *images]
        if read:
            self._send(READ, pending, show_question=False, read=True)
            return
        settings, language = self.settings, self.answer_language()
        if not language.is_english:
            self.english_notice.check(language, self.session.local_model())
        prompt = describe_prompt(settings.style, settings.custom_prompt, language.name)
        self._send(instruction or prompt, pending, show_question=False, ground=ground)

    def read_image(self) -> None:
        """Read the text of the conversation's newest image."""
        images = self.conversation.images()
        if not images:
            self.announce(messages.STATUS_NEED_IMAGE)
            return
        self.announce(messages.STATUS_READING_IMAGE)
        self._send(READ, [images[-1]], show_question=False, read=True, carry=False)

    def ask(self) -> None:
        """Ask the question in the field about the conversation's images."""
        text = self.window.question.text().strip()
        if not text:
            self.announce(messages.STATUS_EMPTY_QUESTION)
            return
        if self.conversation.is_empty():
            self.announce(messages.STATUS_NEED_IMAGE)
            return
        self.window.question.clear()
        instruction = language_instruction(self.answer_language().name).strip()
        asked = f"{text}\n{instruction}" if instruction else text  # "Where is …?" stays line 1
        self._send(asked, list(self.conversation.pending_images), show_question=True, typed=text)

    def prepare_question(self) -> None:
        """Let the model prepare the images waiting for a question while it is typed (not
        for a model still to be downloaded: its descriptions are read aloud instead)."""
        if self.session.local_model_missing():
            return
        max_new_tokens = self.settings.engine.max_new_tokens
        self.session.prepare(self.conversation.upcoming(max_new_tokens=max_new_tokens))

    def more_detail(self) -> None:
        """Look at the conversation's images again, tile by tile, and describe them fully."""
        if not self.conversation.has_images():
            self.announce(messages.STATUS_NEED_IMAGE)
            return
        if self.session.local_model_missing():
            self.announce(messages.STATUS_DETAIL_NEEDS_MODEL)
            return
        self.conversation.want_detail()
        self.announce(messages.STATUS_MORE_DETAIL)
        pending = list(self.conversation.pending_images)
        prompt = MORE_DETAIL + language_instruction(self.answer_language().name)
        self._send(prompt, pending, show_question=True, shown_as=MORE_DETAIL_ACTION.shown_label)

    def _send(
        self,
        text: str,
        images: list[Any],
        *,
        show_question: bool,
        read: bool = False,
        carry: bool = True,
        shown_as: str | None = None,
        typed: str | None = None,
        ground: bool = True,
    ) -> None:
        """Start a request: the model's, or with `read` the text reader's. `carry` keeps
        the images of a request this one interrupts; `shown_as` is the question as shown;
        `typed` the user's own question where `text` adds to it (the answer's language).
        Nothing goes to a server the user has not agreed to: declined, the images wait and
        a typed question goes back to its field."""
        if not read and not self.session.may_send():
            self.conversation.pending_images = list(images)
            if show_question and not shown_as:
                self.window.question.setText(typed or text)
            return
        carried = self._cancel_running()
        if show_question:
            self.window.conversation.add_question(shown_as or typed or text)
        request = self.conversation.start(
            text,
            images,
            max_new_tokens=self.settings.engine.max_new_tokens,
            carried=carried if carry else (),
            ground=ground,
        )
        self.window.conversation.start_answer()
        self.voice.start_answer(None if read else self.answer_language().code)
        self.session.submit(request, read=read)

    def _cancel_running(self) -> tuple[Any, ...]:
        """Stop the running request; return its images so the next question keeps them."""
        if self.conversation.in_flight is None:
            return ()
        self.session.cancel()
        images = self.conversation.interrupt()
        self._show_end("", stopped=True)
        return images

    def _show_end(self, text: str, *, stopped: bool, suffix: str | None = None) -> None:
        """Show the answer's final text (a stopped one marked with `suffix`, by default as
        stopped); finish or silence its speech."""
        self.window.conversation.finish_answer(text, stopped=stopped, suffix=suffix)
        self.voice.end_answer(stopped=stopped)

    @Slot(str)
    def _on_piece(self, piece: str) -> None:
        self.window.conversation.append_to_answer(piece)
        self.voice.feed(piece)

    @Slot(object)
    def _on_answered(self, answer: Answer) -> None:
        if self.conversation.in_flight is None:
            return
        self.conversation.answered(answer.text)
        if answer.place is not None:
            self.pointer.remember(answer.place)
        self._show_end(answer.text, stopped=answer.cancelled)
        self.window.show_status(
            messages.STATUS_STOPPED if answer.cancelled else messages.STATUS_DONE
        )
        self.voice.tell_problem()
        self.answer_finished.emit(answer)
        self.history.record(self.conversation.history)

    @Slot(object)
    def _on_failed(self, error: IrisError) -> None:
        """Tell the fault; text it keeps (a server's stream broke off) stays, marked
        unfinished, as the turn's answer, else the images wait for a retry."""
        if self.conversation.in_flight is None:
            return
        self.conversation.failed(error.partial)
        if error.partial:
            self._show_end(error.partial, stopped=True, suffix=messages.UNFINISHED_FAULT_SUFFIX)
        else:
            self._show_end("", stopped=True)
        self.announce(messages.STATUS_ERROR.format(message=error.message))
        self.request_failed.emit(error.message)
        if error.partial:
            self.history.record(self.conversation.history)

    # -- other actions --------------------------------------------------------------------
    def stop(self) -> None:
        """Stop generation and speech at once; while the model loads, stop loading too."""
        self.session.stop()
        self.silence()
        self.announce(messages.STATUS_STOPPED, interrupt=True)
        self.focus.return_to_previous()

    def silence(self) -> None:
        """Stop speaking, as a screen reader does when a key is pressed; the answer goes on
        being written, and Repeat speaks it again."""
        self.voice.silence()

    def repeat(self) -> None:
        """Speak the last answer again."""
        text = self.window.conversation.last_answer()
        if text is None:
            self.announce(messages.STATUS_NOTHING_TO_REPEAT)
            return
        self.voice.say(text, interrupt=True)

    def copy_answer(self) -> None:
        """Put the last answer on the clipboard."""
        text = self.window.conversation.last_answer()
        if text is None:
            self.announce(messages.STATUS_NOTHING_TO_COPY)
            return
        QGuiApplication.clipboard().setText(text)
        self.announce(messages.STATUS_COPIED)

    def new_conversation(self) -> None:
        """Forget the conversation and its images."""
        self._cancel_running()
        self.voice.speaker.stop()
        self.conversation.clear()
        self.pointer.forget()
        self.window.conversation.clear()
        self.announce(messages.STATUS_NEW_CONVERSATION)

    def clear_history(self) -> str:
        """Delete the saved conversation history at once, and say so."""
        return self.history.clear()

    def show_window(self) -> None:
        """Bring the window forward (the Show Iris hotkey, where there is no tray)."""
        self.focus.show_window()

    def unload_model(self) -> None:
        """Give the model's memory back now (an answer being written stops first); the next
        question loads it again."""
        self._cancel_running()
        self.session.unload()

    def quit(self) -> None:
        """Close Iris for good."""
        self.window.quit()

    def apply_settings(self, settings: AppSettings, *, new_backend: bool = False) -> None:
        """Use new settings now (see Preferences.apply)."""
        self.preferences.apply(settings, new_backend=new_backend)

    def shutdown(self) -> None:
        """Stop both engine threads; finish saving the history."""
        self.history.close()
        self.session.shutdown()
