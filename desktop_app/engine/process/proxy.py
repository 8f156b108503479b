"""ProcessBackend: the Backend contract kept in the window's process, the model run in a
child process (child.py) that Iris starts, ends to give its memory back, and starts again
when it dies.

torch, transformers and onnxruntime are imported only in the child, so the window's process
stays small; a crash there (a segfault, the out-of-memory killer, an abort) costs the answer
being written, not the window, and the next request starts a fresh process.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import desktop_app
from desktop_app.core import i18n, messages
from desktop_app.core.errors import GenerationError, ModelError, first_line
from desktop_app.core.reading import TextReading
from desktop_app.core.types import Answer, ProgressCallback, Request, TextCallback
from desktop_app.engine.backend import Backend
from desktop_app.engine.local.lean_imports import ONE_MODEL_ENV
from desktop_app.engine.process import wire
from desktop_app.engine.process.exits import death_sentence
from desktop_app.engine.process.spec import BackendSpec
from desktop_app.engine.reading.reader import LineCallback

_LOG = logging.getLogger(__name__)
MODEL_PROCESS_FLAG = "--model-process"
"""The one-folder app's argument that makes it the model process (packaging/iris_main.py)."""
MAX_LOAD_DEATHS = 3
"""Deaths in a row while loading after which the process is no longer started."""
CLOSE_WAIT_S = 5.0
"""How long a closing process may take to end before it is killed."""


class ModelProcessError(GenerationError):
    """The model's process ended while answering; `partial` is the text it had sent."""

    def __init__(self, message: str, partial: str = "") -> None:
        super().__init__(message)
        self.partial = partial


def model_process_command(python: str | None = None) -> list[str]:
    """The command that starts a model process: this interpreter (or `python`) running the
    package, or the one-folder app itself with MODEL_PROCESS_FLAG."""
    if getattr(sys, "frozen", False) and python is None:
        return [sys.executable, MODEL_PROCESS_FLAG]
    return [python or sys.executable, "-m", "desktop_app.engine.process"]


class ProcessBackend(Backend):
    """Runs `spec`'s backend in a model process, started by `load` (or the first `start`)
    and ended by `close`. `smaller_model(model)` names a smaller model for the sentence said
    when the process is killed (the out-of-memory killer's way)."""

    def __init__(
        self,
        spec: BackendSpec,
        *,
        command: Sequence[str] | None = None,
        smaller_model: Callable[[str], str | None] = lambda model: None,
        before_start: Callable[[], None] | None = None,
    ) -> None:
        self.spec = spec
        self.command = list(command) if command is not None else model_process_command()
        self.smaller_model = smaller_model
        self.before_start = before_start
        """Runs before a process is started for loading (the memory check): an IrisError
        from it refuses the load, and no process starts."""
        self.process: subprocess.Popen[bytes] | None = None
        self.load_seconds = 0.0
        """How long the last load took, in the model process."""
        self._commands: wire.Channel | None = None
        self._replies: wire.Channel | None = None
        self._loaded = False
        self._description = spec.model
        self._request_ids = itertools.count(1)
        self._running = 0
        self._preparing = False
        """True while the model's process prepares (a cancel then stops that)."""
        self._load_deaths = 0
        self._lock = threading.Lock()
        self._exclusive = threading.RLock()
        """Held by each exchange (load, a request, a reading, warm-up, prepare): a text
        reader's process serves the Read actions and the model's grounding, one at a time."""

    # -- the contract ---------------------------------------------------------------------
    @property
    def needs_load(self) -> bool:
        """True until loaded, and again once unloaded (`close`) or after the process died."""
        return not self._loaded

    @property
    def description(self) -> str:
        return self._description

    def load(self, on_progress: ProgressCallback | None = None) -> None:
        """Start the model process and load the model in it; an exception from `on_progress`
        (the window abandons loading) ends the process and goes on up."""
        with self._exclusive:
            self._load(on_progress)

    def _load(self, on_progress: ProgressCallback | None) -> None:
        if self._loaded:
            return
        if self._load_deaths >= MAX_LOAD_DEATHS:
            raise ModelError(messages.MODEL_PROCESS_GAVE_UP.format(count=self._load_deaths))
        if self.before_start is not None:
            self.before_start()
        self._spawn()
        self._send(wire.Load())
        # The memory check has let the process start: said now, not once the process has
        # imported torch and transformers, so what waits for the load's first report (the
        # text reader's process, reading the screen) starts beside those imports.
        told = (messages.STAGE_LOAD, 0.0)
        self._tell(on_progress, *told)
        while True:
            reply = self._receive(loading=True)
            if isinstance(reply, wire.Progress):
                if (reply.stage, reply.fraction) != told:
                    self._tell(on_progress, reply.stage, reply.fraction)
            elif isinstance(reply, wire.Loaded):
                self._loaded = True
                self._load_deaths = 0
                self._description = reply.description
                self.load_seconds = reply.seconds
                return
            elif isinstance(reply, wire.Failed):
                self._end()
                raise reply.error()

    def _tell(self, on_progress: ProgressCallback | None, stage: str, fraction: float) -> None:
        """Report the load's progress; an exception from `on_progress` (the window abandons
        loading) ends the process and goes on up."""
        if on_progress is None:
            return
        try:
            on_progress(stage, fraction)
        except BaseException:
            self._end(kill=True)
            raise

    def start(self, request: Request, on_text: TextCallback) -> Answer:
        with self._exclusive:
            return self._start(request, on_text)

    def _start(self, request: Request, on_text: TextCallback) -> Answer:
        if not self._loaded:
            self._load(None)
        request_id = self._running = next(self._request_ids)
        self._send(wire.Start(request_id, request))
        pieces: list[str] = []
        try:
            while True:
                reply = self._receive(partial=pieces)
                if isinstance(reply, wire.Piece):
                    pieces.append(reply.text)
                    on_text(reply.text)
                elif isinstance(reply, wire.Answered):
                    answer: Answer = reply.answer
                    return answer
                elif isinstance(reply, wire.Failed):
                    raise reply.error()
        finally:
            self._running = 0

    def cancel(self) -> None:
        if self._preparing:
            stopped = wire.PREPARING
        elif self._running:
            stopped = self._running
        else:
            return
        if self._commands is not None:
            with contextlib.suppress(OSError, ValueError):  # it has just ended: nothing runs
                self._commands.send(wire.Cancel(stopped))

    def warm_up(self) -> None:
        with self._exclusive:
            if not self._loaded:
                return
            self._send(wire.WarmUp())
            while not isinstance(self._receive(), wire.WarmedUp):
                pass

    def prepare(self, request: Request) -> None:
        """The model's process prepares `request`'s images (resized, encoded) for the next
        `start`; never raises (a failure leaves the work to `start`)."""
        self._prepare(wire.Prepare(request))

    def prepare_prompt(self, request: Request) -> None:
        """The model's process prepares `request`'s images and runs its prompt (see
        Backend.prepare_prompt); never raises."""
        self._prepare(wire.Prepare(request, prompt=True))

    def _prepare(self, command: wire.Prepare) -> None:
        with self._exclusive:
            if not self._loaded:
                return
            self._preparing = True
            try:
                self._send(command)
                while not isinstance(self._receive(), wire.Prepared):
                    pass
            except Exception as error:  # it died: the next start tells
                _LOG.debug("preparing in the model's process failed: %r", error)
            finally:
                self._preparing = False

    def read_text(
        self, image: Any, on_line: LineCallback | None, stopped: threading.Event | None
    ) -> TextReading:
        """Read `image`'s text in a text reader's process (loaded first if need be): lines
        to `on_line` as found; `stopped` set stops it inside its current step, with the
        lines read so far. Waits while the process serves another request (returning
        nothing if `stopped` is set meanwhile)."""
        while not self._exclusive.acquire(timeout=0.05):
            if stopped is not None and stopped.is_set():
                return TextReading((), *image.size)
        try:
            return self._read_text(image, on_line, stopped)
        finally:
            self._exclusive.release()

    def _read_text(
        self, image: Any, on_line: LineCallback | None, stopped: threading.Event | None
    ) -> TextReading:
        if not self._loaded:
            self._load(None)
        request_id = self._running = next(self._request_ids)
        done = threading.Event()
        if stopped is not None:
            threading.Thread(
                target=self._cancel_when, args=(stopped, done, request_id), daemon=True,
                name="iris-read-stop",
            ).start()  # fmt: skip
        self._send(wire.Read(request_id, image))
        try:
            while True:
                reply = self._receive()
                if isinstance(reply, wire.Line) and on_line is not None:
                    on_line(reply.line, reply.end)
                elif isinstance(reply, wire.ReadDone):
                    reading: TextReading = reply.reading
                    return reading
                elif isinstance(reply, wire.Failed):
                    raise reply.error()
        finally:
            done.set()
            self._running = 0

    def _cancel_when(
        self, stopped: threading.Event, done: threading.Event, request_id: int
    ) -> None:
        """Send Cancel for `request_id` once `stopped` is set, unless `done` comes first."""
        while not done.is_set():
            if stopped.wait(0.02):
                if not done.is_set() and self._commands is not None:
                    with contextlib.suppress(OSError, ValueError):
                        self._commands.send(wire.Cancel(request_id))
                return

    def close(self) -> None:
        """Unload: end the model process (asked first, killed if it does not end)."""
        self._end()

    # -- the process ----------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The model process's id while it runs."""
        process = self.process
        return process.pid if process is not None and process.poll() is None else None

    def _spawn(self) -> None:
        self._end(kill=True)  # one that died or was abandoned
        environment = dict(os.environ)
        package_root = str(Path(desktop_app.__file__).resolve().parents[1])
        paths = [package_root, *filter(None, [environment.get("PYTHONPATH")])]
        environment["PYTHONPATH"] = os.pathsep.join(paths)
        environment[ONE_MODEL_ENV] = "1"  # it loads one model: torchvision can stay out
        environment[i18n.LANGUAGE_VARIABLE] = i18n.interface_language()  # its sentences too
        try:
            process = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=environment,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            )
        except OSError as error:
            reason = error.strerror or first_line(error)
            if error.filename:
                reason = f"{reason}: {error.filename}"
            raise ModelError(messages.MODEL_PROCESS_NOT_STARTED.format(reason=reason)) from None
        assert process.stdin is not None and process.stdout is not None
        with self._lock:
            self.process = process
            self._commands = wire.Channel(process.stdin)
            self._replies = wire.Channel(process.stdout)
        self._send(self.spec)

    def _send(self, message: Any) -> None:
        commands = self._commands
        if commands is None:
            raise self._died(loading=not self._loaded)
        try:
            commands.send(message)
        except (OSError, ValueError):
            raise self._died(loading=not self._loaded) from None

    def _receive(self, *, loading: bool = False, partial: Sequence[str] = ()) -> Any:
        replies = self._replies
        try:
            if replies is None:
                raise EOFError
            return replies.receive()
        except (EOFError, OSError, ValueError):
            raise self._died(loading=loading, partial="".join(partial)) from None

    def _died(self, *, loading: bool, partial: str = "") -> Exception:
        """The error for a process that has gone (it is reaped first)."""
        process = self.process
        returncode = None
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                returncode = process.wait(timeout=CLOSE_WAIT_S)
        self._end(kill=True)
        _LOG.warning("the model process ended with %s", returncode)
        sentence = death_sentence(returncode, self.smaller_model(self.spec.model))
        if loading:
            self._load_deaths += 1
            if self._load_deaths >= MAX_LOAD_DEATHS:
                sentence = messages.MODEL_PROCESS_GAVE_UP.format(count=self._load_deaths)
            return ModelError(sentence)
        return ModelProcessError(sentence, partial)

    def _end(self, kill: bool = False) -> None:
        """End the process (Close asked first unless `kill`), close the pipes, reap it."""
        with self._lock:
            process, self.process = self.process, None
            commands, self._commands = self._commands, None
            replies, self._replies = self._replies, None
            self._loaded = False
        if process is None:
            return
        if not kill and commands is not None and process.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                commands.send(wire.Close())
        for channel in (commands, replies):
            if channel is not None:
                channel.close()
        try:
            process.wait(timeout=0 if kill else CLOSE_WAIT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
