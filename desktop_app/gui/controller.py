"""What the window's actions do: capture, ask, stream, speak, stop, repeat, copy."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication

from desktop_app.core import messages
from desktop_app.core.actions import ACTIONS, OPEN_IMAGE
from desktop_app.core.actions import MORE_DETAIL as MORE_DETAIL_ACTION
from desktop_app.core.errors import BadInputError, IrisError
from desktop_app.core.types import Answer, Rect, Request, Turn
from desktop_app.engine.images import load_image
from desktop_app.engine.models.catalogue import find as find_in_catalogue
from desktop_app.engine.models.hub import is_downloaded
from desktop_app.engine.tasks import MORE_DETAIL, READ, describe_prompt
from desktop_app.gui.backends import (
    backend_settings,
    local_backend_factory,
    location_line,
    reader_backend_factory,
    server_backend_factory,
)
from desktop_app.gui.closing import CloseChoice, ask_close
from desktop_app.gui.focus import FocusKeeper
from desktop_app.gui.images import qimage_to_pil
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.worker import EngineWorker
from desktop_app.settings import (
    ApiKeys,
    AppSettings,
    ConversationHistory,
    Opener,
    ServerAddress,
    save_error_message,
    save_settings,
    settings_path,
)
from desktop_app.settings.autostart import (
    Autostart,
    failure_message,
    launch_command,
    platform_autostart,
    sync_autostart,
)
from desktop_app.speech import SilentSpeaker, SpeechRoute, route_notice

log = logging.getLogger(__name__)

SPOKEN_PROGRESS_STEP = 20
"""Loading progress is spoken every this many percent (and shown at every step)."""


class Speaker(Protocol):
    """What the controller needs of the speech layer."""

    def say(self, text: str, *, interrupt: bool = False) -> None: ...
    def stop(self) -> None: ...


class StreamingSpeaker(Protocol):
    """Speaks a streamed answer sentence by sentence."""

    def feed(self, piece: str) -> None: ...
    def finish(self) -> None: ...
    def cancel(self) -> None: ...


class Capturer(Protocol):
    """Screen capture and the active window, passed in so tests can give a fake."""

    def screen(self) -> Any: ...
    def window(self) -> Any: ...
    def active_window_id(self) -> int | None: ...
    def activate(self, window_id: int) -> bool: ...


class Controller(QObject):
    """Connects the window's actions to the engine worker, capture and speech."""

    settings_changed = Signal(object)
    model_ready = Signal(str)
    model_failed = Signal(str)
    answer_finished = Signal(object)
    request_failed = Signal(str)
    status_changed = Signal(str)
    history_saved = Signal(object)
    """After each save of the conversation history: None, or the OSError it failed with."""
    _history_written = Signal(object)
    _speech_went_silent = Signal()
    _server_notice = Signal(str)

    def __init__(
        self,
        window: MainWindow,
        worker: EngineWorker,
        speaker: Speaker,
        streaming_speech: Callable[[], StreamingSpeaker],
        capturer: Capturer,
        settings: AppSettings,
        confirm: Callable[[str, str], bool] | None = None,
        backend_factory: Callable[[AppSettings], Callable[[], Any]] | None = None,
        reader: EngineWorker | None = None,
        history: ConversationHistory | None = None,
        opener: Opener | None = None,
        api_keys: ApiKeys | None = None,
        autostart: Autostart | None = None,
    ) -> None:
        """`reader` runs the text reader (made here when not given); `worker` the model.
        `history` keeps the conversations' text (made here when not given); `opener` opens
        the settings' temporary file when saving (tests pass one that fails). `api_keys`
        holds model servers' API keys (the system keyring when not given). `autostart` is
        where "Start Iris when I log in" is written (this platform's place when not given).
        `backend_factory` defaults to `backend_for`: the local model, or the server."""
        super().__init__()
        self.window = window
        self.worker = worker
        self.speaker = speaker
        self._streaming_speech = streaming_speech
        self.capturer = capturer
        self.settings = settings
        self.focus = FocusKeeper(window, capturer, lambda: self.settings.bring_to_front)
        self.confirm = confirm or _ask_yes_no(window)
        self.api_keys = api_keys or ApiKeys()
        self.backend_factory = backend_factory or self.backend_for
        self.reader = reader or EngineWorker(reader_backend_factory(settings))
        self._active_worker = worker
        self._region_selector: Any = None
        self._loading = False
        self._spoken_progress_step = -1
        self._speech_problem_told: str | None = None
        self._settings_dialog: Any = None
        self.history: tuple[Turn, ...] = ()
        self.pending_images: list[Any] = []
        self.detail = False
        """Whether this conversation looks at its images tile by tile ("More detail")."""
        self._in_flight: Request | None = None
        self._active_id: int | None = None
        self._stream: StreamingSpeaker | None = None
        self._opener = opener
        self._autostart = autostart
        self._autostart_failed = False
        self.kept_history = history or ConversationHistory(
            enabled=settings.keep_history, opener=opener
        )
        self._history_problem_told: str | None = None
        self._wire()
        self.window.show_location(location_line(settings.server))

    def _wire(self) -> None:
        for declared in ACTIONS:
            if declared.in_window:
                self.window.on(declared.id, getattr(self, declared.handler))
        self.window.files_dropped.connect(self.add_image_files)
        self.window.image_data_dropped.connect(self.add_image_data)
        for worker in (self.worker, self.reader):
            worker.piece.connect(self._on_piece)
            worker.answered.connect(self._on_answered)
            worker.failed.connect(self._on_failed)
        self.worker.loading.connect(self._on_loading)
        self.worker.loaded.connect(self._on_loaded)
        self.worker.load_failed.connect(self._on_load_failed)
        self.worker.load_cancelled.connect(self._on_load_cancelled)
        self._speech_went_silent.connect(self._tell_speech_problem)
        self._history_written.connect(self._on_history_written)
        self._server_notice.connect(self._tell_server_notice)

    # -- announcements ---------------------------------------------------------------------
    def announce(self, text: str, *, speak: bool = True, interrupt: bool = True) -> None:
        """Show `text` on the status line and, by default, speak it at once (`interrupt`)
        or after what is being spoken. When Iris's speech is off, a screen reader that
        listens to announcements speaks it instead (never both: one voice)."""
        self.window.show_status(text)
        self.status_changed.emit(text)
        if not speak:
            return
        if isinstance(self.speaker, SilentSpeaker):
            self.window.announce_to_screen_reader(text)
        self.speaker.say(text, interrupt=interrupt)

    # -- model ---------------------------------------------------------------------------------
    def backend_for(self, settings: AppSettings) -> Callable[[], Any]:
        """A maker of the backend `settings` ask for (the server's when it is enabled, else
        the local model's), called on the engine thread."""
        if settings.server.enabled:
            return server_backend_factory(settings, self.api_keys, self._server_notice.emit)
        return local_backend_factory(settings)

    @Slot(str)
    def _tell_server_notice(self, text: str) -> None:
        """What the server backend says while the user waits (a busy server's retry)."""
        self.announce(text)

    def load_model(self) -> None:
        """Load the model in the background, with progress; ask first if it must be
        downloaded, or, for a server not on this computer, whether images may go there."""
        if self.settings.server.enabled:
            try:
                address = ServerAddress.parse(self.settings.server.url)
            except BadInputError as error:
                self.announce(error.message)
                self.model_failed.emit(error.message)
                return
            if self._server_agreed(address):
                self.worker.load()
            return
        model = self.settings.engine.model
        if needs_download(model, self.settings.engine.revision):
            entry = find_in_catalogue(model)
            size = (
                messages.SIZE_GB.format(size=entry.download_gb) if entry else messages.SIZE_UNKNOWN
            )
            question = messages.FIRST_RUN_DOWNLOAD.format(model=model, size=size)
            self.speak_question(question)
            if not self.confirm(messages.FIRST_RUN_TITLE, question):
                self.announce(messages.FIRST_RUN_DECLINED)
                return
        self.worker.load()

    def _server_agreed(self, address: ServerAddress) -> bool:
        """True when images may go to `address`: this computer, a host agreed to before, or
        one the user agrees to now (asked once per host; the answer is saved)."""
        server = self.settings.server
        if server.approved(address):
            return True
        question = messages.SERVER_CONSENT_QUESTION.format(server=address.label)
        if address.plain_http_to_other_host:
            question += messages.SERVER_CONSENT_PLAIN_HTTP
        self.speak_question(question)
        if not self.confirm(messages.SERVER_CONSENT_TITLE, question):
            self.announce(messages.SERVER_CONSENT_DECLINED.format(server=address.label))
            return False
        self.settings = self.settings.with_changes(server=server.approving(address))
        self.worker.replace_backend(self.backend_factory(self.settings))
        path = settings_path()
        try:
            save_settings(self.settings, path, opener=self._opener)
        except OSError as error:  # agreed for now; asked again after a restart
            problem = save_error_message(error, path, messages.SAVE_WHAT_SETTINGS)
            self.announce(messages.SAVE_SETTINGS_USED_UNSAVED.format(problem=problem))
        return True

    def _plain_http_warning(self) -> str | None:
        """The warning for a server reached unencrypted across a network, if that is so."""
        server = self.settings.server
        address = ServerAddress.parse_or_none(server.url) if server.enabled else None
        if address is None or not address.plain_http_to_other_host:
            return None
        return messages.SERVER_PLAIN_HTTP_WARNING.format(server=address.label)

    def _on_loading(self, stage: str, fraction: float) -> None:
        self._loading = True
        if stage == messages.STAGE_CONNECT:  # a server: one quick check, not a percentage
            if fraction == 0.0:
                self.announce(messages.STATUS_CONNECTING)
            return
        self.window.show_progress(fraction)
        percent = int(fraction * 100)
        step = percent // SPOKEN_PROGRESS_STEP
        speak = step != self._spoken_progress_step  # spoken every 20 percent, shown always
        if step > 0 and self.screen_reader_running() and self.focus.iris_active():
            speak = False  # the screen reader reads the progress bar: said once, not by both
        self._spoken_progress_step = step
        self.announce(messages.STATUS_LOADING.format(percent=percent), speak=speak)

    def _on_load_cancelled(self) -> None:
        self._loading = False
        self.window.show_progress(None)
        self.announce(messages.STATUS_LOADING_CANCELLED)

    def _on_loaded(self, description: str) -> None:
        self._loading = False
        self._spoken_progress_step = -1
        self.window.show_progress(None)
        self.announce(messages.STATUS_READY.format(model=description), speak=False)
        self.speaker.say(messages.SPOKEN_READY)
        warning = self._plain_http_warning()
        if warning is not None:  # after the loading progress, which interrupts speech
            self.announce(warning, interrupt=False)
        self.model_ready.emit(description)

    def _on_load_failed(self, message: str) -> None:
        self._loading = False
        self.window.show_progress(None)
        self.announce(message)
        self.model_failed.emit(message)

    # -- images in -------------------------------------------------------------------------------
    def describe_screen(self) -> None:
        """Hide Iris, capture the monitor under the pointer, show Iris, describe it."""
        self._capture_then_describe(
            self.capturer.screen, messages.STATUS_DESCRIBING_SCREEN, "screen"
        )

    def describe_window(self) -> None:
        """Hide Iris, capture the active window, describe it."""
        self._capture_then_describe(
            self.capturer.window, messages.STATUS_DESCRIBING_WINDOW, "window"
        )

    def read_screen(self) -> None:
        """Hide Iris, capture the monitor under the pointer, read its text aloud."""
        self._capture_then_describe(
            self.capturer.screen, messages.STATUS_READING_SCREEN, "screen", read=True
        )

    def read_window(self) -> None:
        """Hide Iris, capture the active window, read its text aloud."""
        self._capture_then_describe(
            self.capturer.window, messages.STATUS_READING_WINDOW, "window", read=True
        )

    def read_region(self) -> None:
        """Let the user choose a region of the screen, then read its text aloud."""
        self.describe_region(read=True)

    def read_image(self) -> None:
        """Read the text of the conversation's newest image."""
        images = [*(image for turn in self.history for image in turn.images), *self.pending_images]
        if self._in_flight is not None:
            images.extend(self._in_flight.turns[-1].images)
        if not images:
            self.announce(messages.STATUS_NEED_IMAGE)
            return
        self.announce(messages.STATUS_READING_IMAGE)
        self._send(READ, [images[-1]], show_question=False, read=True, carry=False)

    def describe_region(self, read: bool = False) -> None:
        """Capture the screen, let the user choose a region (keyboard or mouse), describe it
        (or read its text)."""
        from desktop_app.gui.region_selector import RegionSelector

        self.announce(messages.STATUS_CHOOSE_REGION)
        came_from = self.focus.user_program()

        def choose(screenshot: Any) -> None:
            selector = RegionSelector(screenshot)
            self._region_selector = selector

            def chosen(rect: Rect) -> None:
                selector.close()
                self.focus.return_focus(came_from)
                box = (rect.x, rect.y, rect.x + rect.width, rect.y + rect.height)
                self.announce(
                    messages.STATUS_READING_REGION if read else messages.STATUS_DESCRIBING_REGION
                )
                self.describe_images([screenshot.crop(box)], "region", read=read)

            def cancelled() -> None:
                self.focus.return_focus(came_from)
                self.announce(messages.STATUS_STOPPED)

            selector.selected.connect(chosen)
            selector.cancelled.connect(cancelled)
            selector.start()

        self._capture(self.capturer.screen, choose)

    def open_settings(self) -> None:
        """Show the Settings dialog; saving applies hotkeys, speech and model at once."""
        from desktop_app.gui.settings_dialog import SettingsDialog, save_from_dialog

        dialog = SettingsDialog(
            self.settings,
            self.window,
            on_clear_history=self.clear_history,
            api_keys=self.api_keys,
            speak=self.announce,
        )
        self._settings_dialog = dialog

        def accepted() -> None:
            problem = save_from_dialog(dialog, opener=self._opener)
            new_key = dialog.server_panel.key_changed
            self.apply_settings(dialog.result_settings(), new_backend=new_key)
            if problem is not None:  # not saved, but used: Iris goes on as the user asked
                self.announce(messages.SAVE_SETTINGS_USED_UNSAVED.format(problem=problem))

        dialog.accepted.connect(accepted)
        dialog.open()

    def apply_settings(self, settings: AppSettings, *, new_backend: bool = False) -> None:
        """Use new settings now; a changed model (or server) is loaded afresh, and so is
        the same one with `new_backend` (the server's API key changed)."""
        backend_changed = backend_settings(settings) != backend_settings(self.settings)
        backend_changed |= new_backend and settings.server.enabled
        previous, self.settings = self.settings, settings
        self._apply_start_at_login(previous.start_at_login, settings.start_at_login)
        self.settings_changed.emit(settings)
        self.window.show_location(location_line(settings.server))
        if settings.keep_history != self.kept_history.enabled:
            self._switch_history(settings.keep_history)
        if backend_changed:
            self.worker.replace_backend(self.backend_factory(settings))
            self.load_model()

    def _apply_start_at_login(self, before: bool, wanted: bool) -> None:
        """Write or remove the autostart entry when the setting is or was on, or the last try
        failed; a failure is told, and the setting stays as the user chose it."""
        if not (wanted or before or self._autostart_failed):
            return
        autostart = self._autostart or platform_autostart()
        try:
            sync_autostart(autostart, wanted, launch_command())
        except OSError as error:
            self._autostart_failed = True
            log.warning("autostart entry at %s: %s", autostart.place, error)
            self.announce(failure_message(error, autostart, wanted), interrupt=False)
            return
        self._autostart_failed = False

    def ask_about_screen(self) -> None:
        """Capture the screen, attach it, and bring Iris forward with the focus in the
        question field (Escape there goes back to the program the user came from)."""

        def attach(image: Any) -> None:
            self.pending_images.append(image)
            self.window.conversation.add_image("screen", *image.size)
            self.window.question.setFocus()
            self.announce(messages.STATUS_ASK_ABOUT_SCREEN)

        self._capture(self.capturer.screen, attach, come_forward=True)

    def ask_close(self, question: str) -> CloseChoice:
        """Ask whether to keep running without a window (there is no tray)."""
        self.speak_question(question)
        return ask_close(self.window, question)

    def speak_question(self, question: str) -> None:
        """Speak a question a dialog asks, unless the screen reader reads the dialog itself
        (Iris speaks through it, or it runs beside Iris's own voice): one voice, once."""
        if not self.screen_reader_running():
            self.speaker.say(question, interrupt=True)

    def screen_reader_running(self) -> bool:
        """Whether a screen reader was found running when speech started."""
        route = self._speech_route()
        return route is not None and route.detected is not None

    def _speech_route(self) -> SpeechRoute | None:
        """Whose voice speaks; None for a speaker that does not say (a test's fake)."""
        route: SpeechRoute | None = getattr(self.speaker, "route", None)
        return route

    def quit(self) -> None:
        """Close Iris for good."""
        self.window.quit()

    def show_window(self) -> None:
        """Bring the window forward (the Show Iris hotkey, where there is no tray)."""
        self.focus.show_window()

    def _capture_then_describe(
        self, grab: Callable[[], Any], status: str, name: str, read: bool = False
    ) -> None:
        self.announce(status)
        self._capture(grab, lambda image: self.describe_images([image], name, read=read))

    def _capture(
        self, grab: Callable[[], Any], then: Callable[[Any], None], *, come_forward: bool = False
    ) -> None:
        """Capture without taking the focus from the user's program (see FocusKeeper)."""
        self.focus.capture(
            grab, then, lambda error: self.announce(error.message), come_forward=come_forward
        )

    def open_image_dialog(self) -> None:
        """Let the user pick image files."""
        from PySide6.QtWidgets import QFileDialog

        paths, _ = QFileDialog.getOpenFileNames(
            self.window, OPEN_IMAGE.label, "", messages.OPEN_IMAGE_FILTER
        )
        if paths:
            self.add_image_files(paths)

    def add_image_files(self, paths: Sequence[str]) -> None:
        """Load files (dropped or opened) and describe them; bad ones are announced."""
        images = []
        for path in paths:
            try:
                images.append(load_image(path))
            except IrisError as error:
                self.announce(error.message)
        if images:
            self.describe_images(images, Path(paths[0]).name)

    def add_image_data(self, data: Any) -> None:
        """Describe image data dropped or pasted."""
        try:
            image = qimage_to_pil(data)
        except IrisError:
            self.announce(messages.DROP_NOT_AN_IMAGE)
            return
        self.describe_images([image], "image")

    def paste_image(self) -> None:
        """Describe the image on the clipboard."""
        clipboard = QGuiApplication.clipboard()
        image = clipboard.image()
        if image.isNull():
            urls = clipboard.mimeData().urls() if clipboard.mimeData() else []
            files = [url.toLocalFile() for url in urls if url.isLocalFile()]
            if files:
                self.add_image_files(files)
                return
            self.announce(messages.STATUS_NO_IMAGE_ON_CLIPBOARD)
            return
        self.add_image_data(image)

    # -- conversation --------------------------------------------------------------------------
    def describe_images(self, images: list[Any], name: str, read: bool = False) -> None:
        """Describe new images (or read their text), in the running conversation if any.

        Until the model is downloaded, descriptions fall back to reading the text.
        """
        for image in images:
            self.window.conversation.add_image(name, *image.size)
        if not read and self._local_model_missing():
            self.announce(messages.STATUS_READING_UNTIL_MODEL)
            read = True
        if read:
            self._send(READ, [*self.pending_images, *images], show_question=False, read=True)
            return
        prompt = describe_prompt(
            self.settings.style, self.settings.custom_prompt, self.settings.answer_language
        )
        self._send(prompt, [*self.pending_images, *images], show_question=False)

    def ask(self) -> None:
        """Ask the question in the field about the conversation's images."""
        text = self.window.question.text().strip()
        if not text:
            self.announce(messages.STATUS_EMPTY_QUESTION)
            return
        if not self.history and not self.pending_images and self._in_flight is None:
            self.announce(messages.STATUS_NEED_IMAGE)
            return
        self.window.question.clear()
        self._send(text, list(self.pending_images), show_question=True)

    def more_detail(self) -> None:
        """Look at the conversation's images again, tile by tile, and describe them fully."""
        turns = (*self.history, *(self._in_flight.turns if self._in_flight else ()))
        if not self.pending_images and not any(turn.images for turn in turns):
            self.announce(messages.STATUS_NEED_IMAGE)
            return
        if self._local_model_missing():
            self.announce(messages.STATUS_DETAIL_NEEDS_MODEL)
            return
        self.detail = True
        self.announce(messages.STATUS_MORE_DETAIL)
        self._send(
            MORE_DETAIL,
            list(self.pending_images),
            show_question=True,
            shown_as=MORE_DETAIL_ACTION.label,
        )

    def _send(
        self,
        text: str,
        images: list[Any],
        *,
        show_question: bool,
        read: bool = False,
        carry: bool = True,
        shown_as: str | None = None,
    ) -> None:
        """Start a request: the model's, or with `read` the text reader's. `carry` keeps
        the images of a request this one interrupts; `shown_as` is the question as shown.
        Nothing goes to a server the user has not agreed to (they are asked now)."""
        if not read and not self._may_send(text, images, retype=show_question and not shown_as):
            return
        carried = self._cancel_running()
        self.pending_images = []
        if show_question:
            self.window.conversation.add_question(shown_as or text)
        turn = Turn(text, (*(carried if carry else ()), *images))
        self._in_flight = Request(
            (*self.history, turn), self.settings.engine.max_new_tokens, detail=self.detail
        )
        self.window.conversation.start_answer()
        self._stream = self._streaming_speech()
        self._active_worker = self.reader if read else self.worker
        self._active_id = self._active_worker.submit(self._in_flight)

    def _local_model_missing(self) -> bool:
        """True while the local model is to be used and is not downloaded yet."""
        return not self.settings.server.enabled and needs_download(
            self.settings.engine.model, self.settings.engine.revision
        )

    def _may_send(self, text: str, images: list[Any], *, retype: bool) -> bool:
        """Whether the model's request may go out: always to this computer's model; to a
        server once the user agreed. Declined, the images wait and a typed question goes
        back to its field (`retype`)."""
        if not self.settings.server.enabled:
            return True
        address = ServerAddress.parse_or_none(self.settings.server.url)
        if address is None:
            return True  # the request fails with the reason, shown and spoken
        if self._server_agreed(address):
            return True
        self.pending_images = list(images)  # the pending ones and the new
        if retype:
            self.window.question.setText(text)
        return False

    def _cancel_running(self) -> tuple[Any, ...]:
        """Stop the running request; return its images so the next question keeps them."""
        if self._in_flight is None:
            return ()
        self._active_worker.cancel()
        images = self._in_flight.turns[-1].images
        self._end_request("", stopped=True)
        return images

    def _end_request(self, text: str, *, stopped: bool, suffix: str | None = None) -> None:
        """Forget the running request; show its final text (a stopped one marked with
        `suffix`, by default as stopped); finish or silence its speech."""
        self._in_flight = None
        self._active_id = None
        self.window.conversation.finish_answer(text, stopped=stopped, suffix=suffix)
        if self._stream is not None:
            if stopped:
                self._stream.cancel()
            else:
                self._stream.finish()

    def _on_piece(self, request_id: int, piece: str) -> None:
        if request_id != self._active_id:
            return
        self.window.conversation.append_to_answer(piece)
        if self._stream is not None:
            self._stream.feed(piece)

    def _on_answered(self, request_id: int, answer: Answer) -> None:
        if request_id != self._active_id or self._in_flight is None:
            return
        turns = self._in_flight.turns
        self.history = (*turns[:-1], turns[-1].answered(answer.text))
        self._end_request(answer.text, stopped=answer.cancelled)
        status = messages.STATUS_STOPPED if answer.cancelled else messages.STATUS_DONE
        self.window.show_status(status)
        self._tell_speech_problem()
        self.answer_finished.emit(answer)
        self._keep_history()

    def replace_speaker(self, speaker: Speaker, streaming: Callable[[], StreamingSpeaker]) -> None:
        """Use a new voice (speech settings changed)."""
        self.speaker.stop()
        self.speaker = speaker
        self._streaming_speech = streaming
        self._speech_problem_told = None
        self._tell_speech_problem()
        self._tell_speech_route()

    def _tell_speech_route(self) -> None:
        """Say once (remembered in the settings) whose voice Iris speaks with, and where to
        change it, when a screen reader runs."""
        route = self._speech_route()
        notice = route_notice(route) if route is not None else None
        if notice is None or notice == self.settings.speech_notice_told:
            return
        self.announce(notice, interrupt=False)
        self.settings = self.settings.with_changes(speech_notice_told=notice)
        try:
            save_settings(self.settings, settings_path(), opener=self._opener)
        except OSError as error:  # told again next time; nothing else is lost
            log.warning("cannot remember that the voice was told: %s", error)

    def speech_went_silent(self, problem: str = "") -> None:
        """From any thread (the speaker's `on_problem`): tell the user, on the GUI thread."""
        self._speech_went_silent.emit()

    @Slot()
    def _tell_speech_problem(self) -> None:
        """Show (once) why speech went silent, if it did."""
        problem = getattr(self.speaker, "problem", None)
        if problem and problem != self._speech_problem_told:
            self._speech_problem_told = problem
            self.announce(messages.STATUS_SPEECH_PROBLEM.format(details=problem), speak=False)

    def _on_failed(self, request_id: int, message: str, partial: str = "") -> None:
        """Tell the fault. When it keeps the answer so far (`partial`: a server's stream
        broke off), that text stays, marked unfinished, as the turn's answer, so a follow-up
        can go on from it; otherwise the images wait for a retry."""
        if request_id != self._active_id or self._in_flight is None:
            return
        turns = self._in_flight.turns
        if partial:
            self.history = (*turns[:-1], turns[-1].answered(partial))
            self._end_request(partial, stopped=True, suffix=messages.UNFINISHED_FAULT_SUFFIX)
        else:
            self.pending_images = list(turns[-1].images)
            self._end_request("", stopped=True)
        self.announce(messages.STATUS_ERROR.format(message=message))
        self.request_failed.emit(message)
        if partial:
            self._keep_history()

    # -- other actions -------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop generation and speech at once; while the model loads, stop loading too."""
        if self._loading:
            self.worker.cancel_load()
        self.worker.cancel()
        self.reader.cancel()
        self.silence()
        self.announce(messages.STATUS_STOPPED, interrupt=True)
        self.focus.return_to_previous()

    def silence(self) -> None:
        """Stop speaking, as a screen reader does when a key is pressed; the answer goes on
        being written, and Repeat speaks it again."""
        if self._stream is not None:
            self._stream.cancel()
        self.speaker.stop()

    def repeat(self) -> None:
        """Speak the last answer again."""
        text = self.window.conversation.last_answer()
        if text is None:
            self.announce(messages.STATUS_NOTHING_TO_REPEAT)
            return
        self.speaker.say(text, interrupt=True)

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
        self.speaker.stop()
        self.history = ()
        self.pending_images = []
        self.detail = False
        self.window.conversation.clear()
        self.announce(messages.STATUS_NEW_CONVERSATION)

    # -- conversation history ----------------------------------------------------------------
    def _keep_history(self) -> None:
        """Save the conversation's text on the history's own thread (no stall here)."""
        saving = self.kept_history.record(self.history)
        if saving is not None:
            saving.add_done_callback(lambda done: self._history_written.emit(done.exception()))

    @Slot(object)
    def _on_history_written(self, error: BaseException | None) -> None:
        """Tell (once, after the answer is spoken) that the history cannot be saved."""
        if isinstance(error, OSError):
            problem = save_error_message(error, self.kept_history.path, messages.SAVE_WHAT_HISTORY)
            if problem != self._history_problem_told:
                self._history_problem_told = problem
                text = messages.SAVE_HISTORY_KEPT.format(problem=problem)
                self.announce(text, interrupt=False)  # after the answer, not cutting it off
        elif error is None:
            self._history_problem_told = None
        self.history_saved.emit(error)

    def clear_history(self) -> str:
        """Delete the saved conversation history at once, and say so (shown and spoken)."""
        return self._change_history(
            lambda: messages.HISTORY_CLEARED.format(count=self.kept_history.clear())
        )

    def _switch_history(self, keep: bool) -> None:
        def switch() -> str:
            count = self.kept_history.set_enabled(keep)
            return (
                messages.HISTORY_TURNED_ON
                if keep
                else messages.HISTORY_TURNED_OFF.format(count=count)
            )

        self._change_history(switch)

    def _change_history(self, change: Callable[[], str]) -> str:
        """Run `change` (it says what it did) and announce that, or why the file stayed."""
        try:
            done = change()
        except OSError as error:
            done = messages.HISTORY_CLEAR_FAILED.format(
                path=self.kept_history.path, reason=error.strerror or error
            )
        self.announce(done)
        return done

    def shutdown(self) -> None:
        """Stop both engine threads (the model's and the text reader's); finish saving."""
        self.kept_history.close()
        self.worker.shutdown()
        self.reader.shutdown()


def needs_download(model: str, revision: str | None = None) -> bool:
    """True for a Hub id that is neither shipped with the app nor in the Hugging Face cache at
    the revision loading would use (engine/models/hub.py's `is_downloaded`)."""
    return not is_downloaded(model, revision)


def _ask_yes_no(parent: MainWindow) -> Callable[[str, str], bool]:
    def ask(title: str, text: str) -> bool:
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(parent, title, text)
        return answer == QMessageBox.StandardButton.Yes

    return ask
