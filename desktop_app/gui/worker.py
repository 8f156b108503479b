"""Running the engine off the GUI thread (after superqt's generator workers).

The backend's blocking `load` and `start` run on one QThread; results come back as Qt
signals, which Qt queues to the GUI thread. Every submitted request ends with exactly one
`answered` (possibly cancelled) or `failed`, which carries the IrisError (a ServerError's
`partial` is the answer's text so far when the fault keeps it: a stream broke off). Cancelling
is cooperative: `cancel` sets the backend's event and generation stops at the next decoding
step; a request cancelled or replaced before it starts ends as cancelled without running.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop_app.core import messages
from desktop_app.core.errors import GenerationError, IrisError, ModelError, first_line
from desktop_app.core.types import Answer, Request, StopReason
from desktop_app.engine.backend import Backend
from desktop_app.engine.process.idle import keep_large_blocks_mapped

log = logging.getLogger(__name__)

_REQUEST_IDS = itertools.count(1)
"""Request ids unique across workers, so one controller can listen to several."""


class LoadCancelled(Exception):
    """Raised from the progress callback to abandon loading."""


class EngineWorker(QObject):
    """Owns a backend and the thread it runs on."""

    loading = Signal(str, float)
    loaded = Signal(str)
    load_failed = Signal(object)
    """The IrisError loading failed with (anything else unexpected is wrapped in a ModelError)."""
    load_cancelled = Signal()
    reloading = Signal()
    """A request found the model unloaded (idle, by the user, never loaded, or its process
    died): it is loaded first (`loading` progress, then `reloaded`)."""
    reloaded = Signal(str, float)
    """Loaded for a request: the backend's description and how long loading took."""
    unloaded = Signal(bool)
    """Unloading ended: True when a loaded model was unloaded."""
    piece = Signal(int, str)
    answered = Signal(int, object)
    failed = Signal(int, object)
    """Request id and the IrisError (anything else unexpected is wrapped in a GenerationError)."""

    _load_requested = Signal()
    _run_requested = Signal(int, object)
    _prepare_requested = Signal(object)
    _reset_requested = Signal(object)
    _unload_requested = Signal()

    def __init__(self, backend: Backend | Callable[[], Backend]) -> None:
        """`backend` may be a factory, called on the worker thread so that torch and
        transformers are imported there, after the window is already on screen."""
        super().__init__()
        keep_large_blocks_mapped()  # the window's memory comes back after each request
        self.backend: Backend | None = None
        self._factory: Callable[[], Backend] | None = None
        if isinstance(backend, Backend):
            self.backend = backend
        else:
            self._factory = backend
        self._cancel_load = False
        self._latest_id = 0
        self._cancelled_through = 0
        """Requests with ids up to this one were cancelled or replaced (set on the GUI thread)."""
        self._ahead: Request | None = None
        """What `prepare` was last given, until a request is submitted (GUI thread)."""
        self._answering = False
        """True while the backend answers a request (set on the worker thread)."""
        self._ahead_lock = threading.Lock()
        self._loading_ahead = False
        """True while the model loads for a question still being typed (`_load_ahead`)."""
        self._told_loading = False
        """Whether that load was told (`reloading`): a request came before it ended."""
        self._thread = QThread()
        self._thread.setObjectName("iris-engine")
        self.moveToThread(self._thread)
        self._load_requested.connect(self._load)
        self._run_requested.connect(self._run)
        self._prepare_requested.connect(self._prepare)
        self._reset_requested.connect(self._reset)
        self._unload_requested.connect(self._unload)
        self._thread.start()

    # -- called from the GUI thread ---------------------------------------------------------
    def load(self) -> None:
        """Start loading the model in the background."""
        self._cancel_load = False
        self._load_requested.emit()

    def replace_backend(self, factory: Callable[[], Backend]) -> None:
        """Use a new backend (new model settings); the old one is closed on the worker thread."""
        self.cancel()
        self._reset_requested.emit(factory)

    def unload(self) -> None:
        """Release the model (end its process) once the running request (or preparing) has
        ended; the next request loads it again."""
        self._ahead = None  # a load for a question stops there
        self._stop_waiting()
        self._unload_requested.emit()

    def cancel_load(self) -> None:
        """Abandon loading at the next progress report."""
        self._cancel_load = True

    def prepare(self, request: Request) -> None:
        """Have the backend prepare `request`'s images (read and encode them) while the user
        types the question that `submit` then asks about them."""
        self._ahead = request
        self._prepare_requested.emit(request)

    def submit(self, request: Request) -> int:
        """Cancel whatever runs or waits and queue `request`; returns its id for the signals.
        The preparing of its very images, while nothing is answered, goes on for it; a load
        for a question still being typed is told now (`reloading`): the request waits for it."""
        with self._ahead_lock:
            tell = self._loading_ahead and not self._told_loading
            self._told_loading = self._told_loading or tell
        if tell:
            self.reloading.emit()
        ahead, self._ahead = self._ahead, None
        if ahead is not None and not self._answering and request.has_the_images_of(ahead):
            self._cancelled_through = self._latest_id  # only what waits is dropped
            self._stop_waiting()
        else:
            self.cancel()
        request_id = next(_REQUEST_IDS)
        self._latest_id = request_id
        self._run_requested.emit(request_id, request)
        return request_id

    def cancel(self) -> None:
        """Stop the running request within one decoding step, and any still waiting to run."""
        self._cancelled_through = self._latest_id
        self._cancel_backend()

    def shutdown(self) -> None:
        """Cancel, then stop the thread, wait for it and destroy it here, on the GUI thread
        (left to Python, it goes with the first garbage collection, on whatever thread)."""
        self._cancel_load = True
        self.cancel()
        if shiboken6.isValid(self._thread):  # not shut down before
            self._thread.quit()
            self._thread.wait()
            shiboken6.delete(self._thread)
        if self.backend is not None:
            self.backend.close()  # the model's process ends with the window

    def _stop_waiting(self) -> None:
        """End a `prepare` waiting for what goes on without it (it may be called from any
        thread)."""
        if self.backend is not None:
            self.backend.stop_waiting()

    def _cancel_backend(self) -> None:
        """Stop the backend's running request (it may be called from any thread)."""
        if self.backend is not None:
            self.backend.cancel()

    # -- run on the worker thread ------------------------------------------------------------
    @Slot(object)
    def _reset(self, factory: Any) -> None:
        if self.backend is not None:
            self.backend.close()
        self.backend = None
        self._factory = factory

    @Slot()
    def _unload(self) -> None:
        backend = self.backend
        if backend is None or backend.needs_load:
            self.unloaded.emit(False)
            return
        backend.close()
        self.unloaded.emit(True)  # the GUI thread gives the heap back (ModelSession)

    def _backend(self) -> Backend:
        if self.backend is None:
            assert self._factory is not None
            self.backend = self._factory()
        return self.backend

    @Slot()
    def _load(self) -> None:
        try:
            backend = self._backend()
            backend.load(self._report)
        except LoadCancelled:
            self.load_cancelled.emit()
        except IrisError as error:
            self.load_failed.emit(error)
        except Exception as error:
            log.warning("model loading failed", exc_info=True)
            self.load_failed.emit(ModelError(first_line(error)))
        else:
            self.loaded.emit(backend.description)
            self._warm_up(backend)

    def _reload(self, backend: Backend, request: Request) -> bool:
        """Load for `request`, telling as `reloading` and `reloaded`; False when the user
        stopped it. A failure is the request's (IrisError), said once, as its fault."""
        self._cancel_load = False
        self.reloading.emit()
        started = time.perf_counter()
        try:
            backend.load_for(request, self._report)
        except LoadCancelled:
            self.load_cancelled.emit()
            return False
        self.reloaded.emit(backend.description, time.perf_counter() - started)
        return True

    def _warm_up(self, backend: Backend) -> None:
        """Spend idle time now on what would slow the first request."""
        try:
            backend.warm_up()
        except Exception:
            log.warning("warming the model up failed", exc_info=True)

    def _report(self, stage: str, fraction: float) -> None:
        if self._cancel_load:
            raise LoadCancelled
        self.loading.emit(stage, fraction)

    def _cancelled(self, request_id: int) -> bool:
        return request_id <= self._cancelled_through

    @Slot(object)
    def _prepare(self, request: Request) -> None:
        if request is not self._ahead:  # asked already (`start` does it all) or replaced
            return
        try:
            backend = self._backend()
            if backend.needs_load and not self._load_ahead(backend, request):
                return
            if request is self._ahead:  # not asked yet (the question takes the reading)
                backend.prepare(request)
        except Exception:  # it never should: a failure leaves the work to `start`
            log.warning("preparing the images failed", exc_info=True)

    def _load_ahead(self, backend: Backend, request: Request) -> bool:
        """Load the model for a question about `request`'s images while it is typed, without
        a word: `submit` tells it (`reloading`) if a request comes before it ends, and then
        its progress and end are told too. True once loaded; a failure is left to the
        request's own load to tell."""
        with self._ahead_lock:
            self._loading_ahead, self._told_loading = True, False
        self._cancel_load = False
        started = time.perf_counter()
        loaded = cancelled = False
        try:
            backend.load_for(request, self._report_ahead)
            loaded = True
        except LoadCancelled:
            cancelled = True
        except Exception:  # the request's own load (`_reload`) tries again and tells why
            log.info("loading the model ahead of a question failed", exc_info=True)
        finally:
            with self._ahead_lock:
                self._loading_ahead = False
                told = self._told_loading
        if told and loaded:
            self.reloaded.emit(backend.description, time.perf_counter() - started)
        elif told and cancelled:
            self.load_cancelled.emit()
        return loaded

    def _report_ahead(self, stage: str, fraction: float) -> None:
        if self._cancel_load:
            raise LoadCancelled
        if self._told_loading:
            self.loading.emit(stage, fraction)

    @Slot(int, object)
    def _run(self, request_id: int, request: Any) -> None:
        if self._cancelled(request_id):  # stopped or replaced while it waited
            self.answered.emit(request_id, Answer("", 0, 0, stop_reason=StopReason.CANCELLED))
            return

        def forward(text: str) -> None:
            if self._cancelled(request_id):  # cancelled before the backend could see it
                self._cancel_backend()
                return
            self.piece.emit(request_id, text)

        self._answering = True
        try:
            backend = self._backend()
            if backend.needs_load and not self._reload(backend, request):
                self.answered.emit(request_id, Answer("", 0, 0, stop_reason=StopReason.CANCELLED))
                return
            answer: Answer = backend.start(request, forward)
        except IrisError as error:
            self.failed.emit(request_id, error)
        except Exception:
            log.warning("generation failed", exc_info=True)
            self.failed.emit(request_id, GenerationError(messages.GENERATION_FAILED))
        else:
            self.answered.emit(request_id, answer)
        finally:
            self._answering = False
