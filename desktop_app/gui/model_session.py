"""The model the window asks: its engine threads, loading, consent and the current request."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.core import messages
from desktop_app.core.errors import BadInputError, IrisError, ModelOfflineError
from desktop_app.core.types import Answer, Request
from desktop_app.engine.models.catalogue import find as find_in_catalogue
from desktop_app.engine.models.choice import concrete
from desktop_app.engine.models.hub import is_downloaded
from desktop_app.engine.process.idle import IdleClock, give_heap_back
from desktop_app.gui.backends import (
    backend_settings,
    local_backend_factory,
    reader_process,
    server_backend_factory,
)
from desktop_app.gui.worker import EngineWorker
from desktop_app.settings import ApiKeys, AppSettings, ServerAddress
from desktop_app.settings.keeper import SettingsKeeper

Ask = Callable[[str, str], bool]
"""Asks the user a yes/no question (title, question); True for yes."""


class ModelSession(QObject):
    """Owns the model's worker and the text reader's, the backend's lifecycle, the first-run
    download question and the consent asked before images go to a server. Of the requests
    it runs, only the newest one's pieces, answer or fault come out.

    `backend_factory(settings)` makes the maker of the backend (the server's or the local
    model's by default), called on the engine thread; `worker` runs it (made when None, so
    torch is imported on the engine thread after the window shows).
    """

    loading = Signal(str, float)
    model_ready = Signal(str)
    model_failed = Signal(str)
    load_cancelled = Signal()
    reloading = Signal()
    """A request found the model unloaded: it loads first (progress as `loading`)."""
    reloaded = Signal(str, float)
    """Loaded for a request: the model's description and the seconds it took."""
    unloaded = Signal(bool, bool)
    """Unloading ended: whether the model was loaded, and whether it was for being unused."""
    piece = Signal(str)
    answered = Signal(object)
    """The current request's Answer (possibly cancelled)."""
    failed = Signal(object)
    """The current request's IrisError (its `partial` is the text the fault keeps)."""
    notice = Signal(str)
    """Something to tell the user (shown and spoken), from any thread."""

    def __init__(
        self,
        worker: EngineWorker | None,
        settings: SettingsKeeper,
        ask: Ask,
        *,
        reader: EngineWorker | None = None,
        api_keys: ApiKeys | None = None,
        backend_factory: Callable[[AppSettings], Callable[[], Any]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.ask = ask
        self.api_keys = api_keys or ApiKeys()
        self.backend_factory = backend_factory or self.backend_for
        self.worker = worker or EngineWorker(lambda: self.backend_factory(self.settings.current)())
        self.reader_process = reader_process(settings.current)
        """The text reader's own process: the Read actions' backend (unless `reader` is
        given) and where the model's grounding reads."""
        self.reader = reader or EngineWorker(self.reader_process)
        self.is_loading = False
        self._active: EngineWorker = self.worker
        self._active_id: int | None = None
        self.worker.loading.connect(self._on_loading)
        self.worker.loaded.connect(self._on_loaded)
        self.worker.load_failed.connect(self._on_load_failed)
        self.worker.load_cancelled.connect(self._on_load_cancelled)
        self.worker.reloading.connect(self._on_reloading)
        self.worker.reloaded.connect(self._on_reloaded)
        self.worker.failed.connect(self._on_model_request_failed)
        self.worker.unloaded.connect(self._on_unloaded)
        self._unloading_idle = False
        self.idle = IdleClock(clock)
        """Time since the model (or the reader) was last used, for unloading when idle."""
        for each in (self.worker, self.reader):
            each.piece.connect(self._on_piece)
            each.answered.connect(self._on_answered)
            each.failed.connect(self._on_failed)

    def backend_for(self, settings: AppSettings) -> Callable[[], Any]:
        """A maker of the backend `settings` ask for: the server's when it is enabled, else
        the local model's."""
        if settings.server.enabled:
            return server_backend_factory(
                settings, self.api_keys, self.notice.emit, self.reader_process
            )
        return local_backend_factory(settings, self.reader_process)

    # -- loading ------------------------------------------------------------------------------
    def load(self) -> bool:
        """Load in the background, with progress; ask first if the model must be downloaded,
        or, for a server not on this computer, whether images may go there. True when
        loading started (its end is `model_ready`, `model_failed` or `load_cancelled`)."""
        current = self.settings.current
        if current.server.enabled:
            try:
                address = ServerAddress.parse(current.server.url)
            except BadInputError as error:
                self.model_failed.emit(error.message)
                return False
            if not self._server_agreed(address):
                return False
            self.worker.load()
            return True
        engine = concrete(current.engine)  # "auto": the model recommended for this computer
        if not is_downloaded(engine.model, engine.revision):
            entry = find_in_catalogue(engine.model)
            size = (
                messages.SIZE_GB.format(size=entry.download_gb) if entry else messages.SIZE_UNKNOWN
            )
            question = messages.FIRST_RUN_DOWNLOAD.format(model=engine.model, size=size)
            if not self.ask(messages.FIRST_RUN_TITLE, question):
                self.notice.emit(messages.FIRST_RUN_DECLINED)
                return False
        self.worker.load()
        return True

    def apply(
        self, before: AppSettings, *, new_backend: bool = False, ask_for_model: bool = False
    ) -> None:
        """The settings changed from `before`: a changed model (or server) is loaded afresh,
        and so is the same one with `new_backend` (the server's API key changed). With
        `ask_for_model` (Settings' Download the model), a local model still to be downloaded
        is asked for again: that is how the user gets it after a No, or once the internet is
        back."""
        now = self.settings.current
        changed = backend_settings(now) != backend_settings(before)
        if changed or (new_backend and now.server.enabled):
            self.worker.replace_backend(self.backend_factory(now))
            self.load()
        elif ask_for_model and self.local_model_missing() and not self.is_loading:
            self.load()

    def local_model(self) -> str | None:
        """The local model's Hub id or folder ("auto" made concrete); None with a server."""
        current = self.settings.current
        return None if current.server.enabled else concrete(current.engine).model

    def local_model_missing(self) -> bool:
        """True while the local model is to be used and is not downloaded yet."""
        current = self.settings.current
        if current.server.enabled:
            return False
        engine = concrete(current.engine)
        return not is_downloaded(engine.model, engine.revision)

    def plain_http_warning(self) -> str | None:
        """The warning for a server reached unencrypted across a network, if that is so."""
        server = self.settings.current.server
        address = ServerAddress.parse_or_none(server.url) if server.enabled else None
        if address is None or not address.plain_http_to_other_host:
            return None
        return messages.SERVER_PLAIN_HTTP_WARNING.format(server=address.label)

    # -- requests -----------------------------------------------------------------------------
    def may_send(self) -> bool:
        """Whether the model's request may go out: always to this computer's model; to a
        server once the user agreed (asked now, once per host)."""
        server = self.settings.current.server
        address = ServerAddress.parse_or_none(server.url) if server.enabled else None
        return address is None or self._server_agreed(address)  # a bad URL fails, with why

    def submit(self, request: Request, *, read: bool = False) -> None:
        """Run `request` on the model, or with `read` on the text reader; it becomes the
        current request (the one before it is no longer heard)."""
        self.idle.touch()
        self._active = self.reader if read else self.worker
        self._active_id = self._active.submit(request)

    def prepare(self, request: Request) -> None:
        """Let the model prepare `request`'s images (their text read, their encoding) while
        the user types the question the next `submit` asks about them."""
        self.idle.touch()
        self.worker.prepare(request)

    def cancel(self) -> None:
        """Stop the current request within one decoding step."""
        self._active.cancel()
        self._active_id = None

    def stop(self) -> None:
        """Stop everything: both workers' requests, and loading."""
        if self.is_loading:
            self.worker.cancel_load()
        self.worker.cancel()
        self.reader.cancel()

    @property
    def busy(self) -> bool:
        """True while a request runs or the model loads."""
        return self._active_id is not None or self.is_loading

    def unload(self, *, idle: bool = False) -> None:
        """End the model's process and the text reader's (each once its request has
        ended); `unloaded` tells whether the model was loaded. `idle`: for being unused."""
        self._unloading_idle = idle
        self.reader.unload()
        if self.reader.backend is not self.reader_process:  # a reader of its own (tests)
            self.reader_process.close()
        if self.settings.current.server.enabled:
            self.unloaded.emit(False, idle)  # the server's model is not Iris's to unload
            return
        self.worker.unload()

    def unload_if_idle(self, *, speaking: bool) -> bool:
        """Unload when the settings' minutes have passed unused, with nothing running or
        being spoken (that counts as use); True when it did."""
        minutes = self.settings.current.engine.unload_after_minutes
        limit_s = None if minutes is None else minutes * 60.0
        if not self.idle.due(limit_s, busy=self.busy or speaking):
            return False
        self.unload(idle=True)
        self.idle.touch()  # asked again only after another full spell unused
        return True

    def shutdown(self) -> None:
        """Stop both engine threads (the model's and the text reader's)."""
        self.worker.shutdown()
        self.reader.shutdown()
        self.reader_process.close()  # when the reader's worker did not own it

    # -- consent ------------------------------------------------------------------------------
    def _server_agreed(self, address: ServerAddress) -> bool:
        """True when images may go to `address`: this computer, a host agreed to before, or
        one the user agrees to now (the answer is saved)."""
        current = self.settings.current
        if current.server.approved(address):
            return True
        question = address.consent_question()
        if not self.ask(messages.SERVER_CONSENT_TITLE, question):
            self.notice.emit(messages.SERVER_CONSENT_DECLINED.format(server=address.label))
            return False
        agreed = current.with_changes(server=current.server.approving(address))
        problem = self.settings.save(agreed)  # when unsaved: agreed for now, asked after a restart
        self.worker.replace_backend(self.backend_factory(agreed))
        if problem is not None:
            self.notice.emit(messages.SAVE_SETTINGS_USED_UNSAVED.format(problem=problem))
        return True

    # -- from the workers ---------------------------------------------------------------------
    @Slot(str, float)
    def _on_loading(self, stage: str, fraction: float) -> None:
        self.is_loading = True
        self.loading.emit(stage, fraction)

    @Slot(str)
    def _on_loaded(self, description: str) -> None:
        self.is_loading = False
        self.model_ready.emit(description)

    @Slot(object)
    def _on_load_failed(self, error: IrisError) -> None:
        self.is_loading = False
        if isinstance(error, ModelOfflineError) and (model := self.local_model()) is not None:
            self.model_failed.emit(messages.MODEL_OFFLINE_IN_WINDOW.format(model=model))
            return
        self.model_failed.emit(error.message)

    @Slot()
    def _on_load_cancelled(self) -> None:
        self.is_loading = False
        self.load_cancelled.emit()

    @Slot()
    def _on_reloading(self) -> None:
        self.is_loading = True
        self.reloading.emit()

    @Slot(str, float)
    def _on_reloaded(self, description: str, seconds: float) -> None:
        self.is_loading = False
        self.reloaded.emit(description, seconds)

    @Slot(bool)
    def _on_unloaded(self, was_loaded: bool) -> None:
        if was_loaded:  # here, not on the engine's thread: garbage is collected on this one
            give_heap_back()
        self.unloaded.emit(was_loaded, self._unloading_idle)
        self._unloading_idle = False

    @Slot(int, object)
    def _on_model_request_failed(self, _request_id: int, _error: IrisError) -> None:
        self.is_loading = False  # a load for the request may have failed with it

    @Slot(int, str)
    def _on_piece(self, request_id: int, piece: str) -> None:
        if request_id == self._active_id:
            self.piece.emit(piece)

    @Slot(int, object)
    def _on_answered(self, request_id: int, answer: Answer) -> None:
        self.idle.touch()
        if request_id == self._active_id:
            self._active_id = None
            self.answered.emit(answer)

    @Slot(int, object)
    def _on_failed(self, request_id: int, error: IrisError) -> None:
        self.idle.touch()
        if request_id == self._active_id:
            self._active_id = None
            self.failed.emit(error)
