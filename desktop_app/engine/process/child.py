"""The model process: runs one backend (BackendSpec, the first message) for the window's
process, which talks to it through the ProcessBackend proxy (proxy.py).

Commands come on standard input; replies go out on a duplicate of standard output, which is
then pointed at standard error so that a stray print cannot break the stream. Cancel is
handled the moment it arrives, on the reading thread; loading and answering run one at a
time on the main thread. When the window's process goes (its end of the pipe closes), this
one ends too.
"""

from __future__ import annotations

import gc
import logging
import os
import queue
import signal
import sys
import threading
import time
from typing import Any

from desktop_app.core import i18n, messages
from desktop_app.core.errors import GenerationError, IrisError, ModelError, first_line
from desktop_app.engine.backend import Backend
from desktop_app.engine.local.import_structure import remember_import_structure
from desktop_app.engine.process import wire
from desktop_app.engine.process.spec import Kind

_LOG = logging.getLogger("desktop_app.model_process")
WINDOW_GONE = (BrokenPipeError, ConnectionResetError)
"""Raised by a reply once the window's process has gone (nothing reads the replies): the
work ends quietly, not as a fault of the model."""


class Host:
    """Serves one backend: `commands` read on a thread, work done on the caller's."""

    def __init__(self, backend: Backend, replies: wire.Channel) -> None:
        self.backend = backend
        self.replies = replies
        self.work: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._running = 0
        self._preparing = False
        self._cancelled_through = 0
        self._read_stopped: threading.Event | None = None
        """Set to stop the text reading that runs now (a Read command)."""

    def read_commands(self, commands: wire.Channel) -> None:
        """Hand commands to the work queue, cancelling at once; Close when the window's
        process has gone."""
        try:
            while True:
                command = commands.receive()
                if isinstance(command, wire.Cancel):
                    self._cancel(command.request_id)
                else:
                    self.work.put(command)
        except (EOFError, OSError):
            self._cancel(sys.maxsize)
            self.work.put(wire.Close())

    def serve(self) -> None:
        """Do the queued work until Close."""
        while True:
            command = self.work.get()
            if isinstance(command, wire.Close):
                return
            if isinstance(command, wire.Load):
                self._load()
            elif isinstance(command, wire.Start):
                self._start(command)
            elif isinstance(command, wire.WarmUp):
                self._warm_up()
            elif isinstance(command, wire.Prepare):
                self._prepare(command)
            elif isinstance(command, wire.Read):
                self._read(command)
            settle_collector()

    def _cancel(self, request_id: int) -> None:
        if request_id == wire.PREPARING:
            if self._preparing:
                self.backend.cancel()
            return
        self._cancelled_through = max(self._cancelled_through, request_id)
        if self._running and self._running <= request_id:
            self.backend.cancel()
            stopped = self._read_stopped
            if stopped is not None:
                stopped.set()

    def _load(self) -> None:
        started = time.perf_counter()
        try:
            self.backend.load(
                lambda stage, fraction: self.replies.send(wire.Progress(stage, fraction))
            )
        except IrisError as error:
            self.replies.send(wire.Failed.of(None, error))
        except WINDOW_GONE:
            raise
        except Exception as error:
            _LOG.warning("model loading failed", exc_info=True)
            self.replies.send(wire.Failed.of(None, ModelError(first_line(error))))
        else:
            seconds = time.perf_counter() - started
            self.replies.send(wire.Loaded(self.backend.description, seconds))

    def _start(self, command: wire.Start) -> None:
        request_id = command.request_id
        if request_id <= self._cancelled_through:  # stopped before it could start
            from desktop_app.core.types import Answer, StopReason

            cancelled = Answer("", 0, 0, stop_reason=StopReason.CANCELLED)
            self.replies.send(wire.Answered(request_id, cancelled))
            return

        def forward(text: str) -> None:
            if request_id <= self._cancelled_through:  # came before the backend could see it
                self.backend.cancel()
            self.replies.send(wire.Piece(request_id, text))

        self._running = request_id
        try:
            answer = self.backend.start(command.request, forward)
        except IrisError as error:
            self.replies.send(wire.Failed.of(request_id, error))
        except WINDOW_GONE:
            raise
        except Exception:
            _LOG.warning("generation failed", exc_info=True)
            failed = GenerationError(messages.GENERATION_FAILED)  # the raw text is in the log
            self.replies.send(wire.Failed.of(request_id, failed))
        else:
            self.replies.send(wire.Answered(request_id, answer))
        finally:
            self._running = 0

    def _prepare(self, command: wire.Prepare) -> None:
        self._preparing = True
        try:
            if command.prompt:  # neither raises, by the contract
                self.backend.prepare_prompt(command.request)
            else:
                self.backend.prepare(command.request)
        finally:
            self._preparing = False
            self.replies.send(wire.Prepared())

    def _read(self, command: wire.Read) -> None:
        """Read an image's text with the backend's text reader, lines sent as found."""
        request_id = command.request_id
        stopped = self._read_stopped = threading.Event()
        self._running = request_id
        if request_id <= self._cancelled_through:  # after `_running`: see _cancel
            stopped.set()
        reader = getattr(self.backend, "reader", None)

        def line(found: Any, end: Any) -> None:
            self.replies.send(wire.Line(request_id, found, end))

        try:
            if reader is None:
                raise GenerationError(messages.PROCESS_CANNOT_READ)
            reading = reader.read(command.image, line, stopped)
        except IrisError as error:
            self.replies.send(wire.Failed.of(request_id, error))
        except WINDOW_GONE:
            raise
        except Exception:
            _LOG.warning("reading failed", exc_info=True)
            failed = GenerationError(messages.GENERATION_FAILED)  # the raw text is in the log
            self.replies.send(wire.Failed.of(request_id, failed))
        else:
            self.replies.send(wire.ReadDone(request_id, reading))
        finally:
            self._running = 0
            self._read_stopped = None

    def _warm_up(self) -> None:
        try:
            self.backend.warm_up()
        except Exception:
            _LOG.warning("warming the model up failed", exc_info=True)
        self.replies.send(wire.WarmedUp())


def lower_process_priority() -> None:
    """This whole process below the model's priority (where the system allows it)."""
    from desktop_app.engine.reading.grounded import READER_NICENESS

    try:
        os.nice(READER_NICENESS)
    except (AttributeError, OSError) as error:  # Windows, or a container that forbids it
        _LOG.debug("cannot lower the reader's priority: %s", error)


def hold_collector() -> None:
    """No cyclic garbage collection while the process starts and loads its model.

    Importing torch and transformers and building the model make some half a million
    objects that live as long as the process; the collector would go over them again and
    again as they are made (about 0.5 s of a load on two cores) and find almost nothing to
    free (a few thousand small objects, no memory to speak of). `settle_collector` puts it
    back once the first command is done."""
    gc.disable()


def settle_collector() -> None:
    """After the first command (the load): what exists now is kept out of every later
    collection (`gc.freeze`: the model's objects are never looked over again), and the
    collector runs again for what comes after."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def main() -> int:
    """Run as `python -m desktop_app.engine.process` (or the one-folder app's
    `iris --model-process`), started by ProcessBackend."""
    hold_collector()
    remember_import_structure()  # before transformers is imported (by spec.build)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the window's process
    replies = wire.Channel(os.fdopen(os.dup(sys.stdout.fileno()), "wb"))
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    commands = wire.Channel(sys.stdin.buffer)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s model process: %(message)s")
    i18n.install(i18n.chosen_language())  # the window's language (ProcessBackend passes it)
    try:
        spec = commands.receive()
    except (EOFError, OSError):
        return 0
    if spec.kind is Kind.TEXT_READER:
        lower_process_priority()  # reading is background work beside the model
    host = Host(spec.build(), replies)
    threading.Thread(
        target=host.read_commands, args=(commands,), name="iris-commands", daemon=True
    ).start()
    try:
        host.serve()
    except WINDOW_GONE:
        _LOG.debug("the window's process has gone: nothing to answer to")
    try:
        host.backend.close()
    finally:
        replies.close()
    sys.stderr.flush()
    os._exit(0)  # not waiting for the threads torch and onnxruntime leave behind
