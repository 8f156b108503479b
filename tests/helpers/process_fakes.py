"""Backends that tests run inside a real model process (BackendSpec.factory names them).

`ScriptedBackend` answers from its request's text, so a test steers the child without a model:
"stream N" sends N pieces, one per step (STEP_S, cut short by cancel); "crash SIGNAL" sends one
piece and then ends the process by that signal; "fail KIND" raises that core.errors class;
"say NAME" raises BadInputError with the core.messages sentence NAME (in the child's language);
a prompt prepared as "hold" waits until cancelled, and the next answer then begins "stopped".
Its load reports two progress steps; a model named "slow load" waits between them until the
process is ended. `FaultyLocalModel` is the real local backend (tiny model) whose forward
raises once a test has armed it by creating the file its settings' model folder names
(FAULT_FILE in it): the soak's "failing inside the model", across the process boundary. Armed
the same way by HOLD_FILE, its next answer waits after its first piece until it is cancelled:
a Stop or a new request then surely lands while the model is still writing (a tiny model
otherwise writes the rest of its answer before the Stop reaches its process).
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

from desktop_app.core import errors, messages
from desktop_app.core.types import Answer, ProgressCallback, Request, StopReason, TextCallback
from desktop_app.engine.backend import Backend
from desktop_app.settings import EngineSettings

STEP_S = 0.01
"""How long the scripted backend takes per piece (a decoding step)."""
SLOW_LOAD = "slow load"
SLOW_START = "slow start"
"""A model name that keeps the scripted backend from being made for SLOW_START_S (the model
process's imports, drawn out); its tests end the process sooner."""
SLOW_START_S = 20.0
FAULT_FILE = "fault-armed"
FAULT = "simulated fault in the model"
HOLD_FILE = "hold-armed"
HOLD_S = 30.0
"""The longest a held answer waits to be cancelled (a test that never cancels it fails)."""
SCRIPTED = "tests.helpers.process_fakes:ScriptedBackend"
FAULTY_LOCAL = "tests.helpers.process_fakes:FaultyLocalModel"


class ScriptedBackend(Backend):
    def __init__(self, settings: EngineSettings) -> None:
        if settings.model == SLOW_START:
            threading.Event().wait(SLOW_START_S)
        self.settings = settings
        self._cancelled = threading.Event()
        self._said_next = ""

    @property
    def description(self) -> str:
        return f"scripted {self.settings.model}"

    def load(self, on_progress: ProgressCallback | None = None) -> None:
        if on_progress is not None:
            on_progress("Loading model", 0.5)
        if self.settings.model == SLOW_LOAD:
            threading.Event().wait(600)  # until the test ends the process
        if on_progress is not None:
            on_progress("Loading model", 1.0)

    def start(self, request: Request, on_text: TextCallback) -> Answer:
        self._cancelled = cancelled = threading.Event()
        command, _, argument = request.turns[-1].text.partition(" ")
        if command == "fail":
            raise getattr(errors, argument)("scripted fault")
        if command == "say":
            raise errors.BadInputError(getattr(messages, argument))
        if command == "crash":
            on_text("last words ")
            os.kill(os.getpid(), signal.Signals[argument])
            threading.Event().wait(60)
        pieces = [f"w{index} " for index in range(int(argument or 1))]
        if self._said_next:
            pieces[0], self._said_next = self._said_next, ""
        sent: list[str] = []
        for piece in pieces:
            if cancelled.wait(STEP_S):
                break
            on_text(piece)
            sent.append(piece)
        stop = StopReason.CANCELLED if cancelled.is_set() else StopReason.END_OF_TURN
        return Answer("".join(sent), len(request.images), len(sent), stop_reason=stop)

    def prepare_prompt(self, request: Request) -> None:
        """ "hold" holds the preparing until it is cancelled; the next request's answer then
        says "stopped"."""
        self._cancelled = cancelled = threading.Event()
        if request.turns[-1].text == "hold" and cancelled.wait(60):
            self._said_next = "stopped "

    def cancel(self) -> None:
        self._cancelled.set()


class FaultyLocalModel(Backend):
    """The grounded local backend of the tiny model in `settings`, with a fault to arm."""

    def __init__(self, settings: EngineSettings) -> None:
        from desktop_app.engine.local.backend import LocalBackend

        self.local = LocalBackend(settings)
        self.armed = Path(settings.model) / FAULT_FILE
        self.hold = Path(settings.model) / HOLD_FILE
        self._hooked = False
        self._cancelled = threading.Event()

    @property
    def description(self) -> str:
        return self.local.description

    def load(self, on_progress: ProgressCallback | None = None) -> None:
        self.local.load(on_progress)
        if not self._hooked:
            self.local.loaded.model.register_forward_pre_hook(self._before_forward)
            self._hooked = True

    def _before_forward(self, module: Any, args: Any) -> None:
        if _taken(self.armed):
            raise RuntimeError(FAULT)

    def warm_up(self) -> None:
        self.local.warm_up()

    def start(self, request: Request, on_text: TextCallback) -> Answer:
        self._cancelled = cancelled = threading.Event()
        if not _taken(self.hold):
            return self.local.start(request, on_text)
        pieces = 0

        def held(piece: str) -> None:
            nonlocal pieces
            on_text(piece)
            pieces += 1
            if pieces == 1:
                cancelled.wait(HOLD_S)

        return self.local.start(request, held)

    def cancel(self) -> None:
        self.local.cancel()
        self._cancelled.set()

    def close(self) -> None:
        self.local.close()


def _taken(path: Path) -> bool:
    """Whether `path` was there (it is removed)."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


class FileArmedFault:
    """Arms FaultyLocalModel's fault (or, with HOLD_FILE, its hold) in the model process
    running the model in `folder`."""

    def __init__(self, folder: Path, name: str = FAULT_FILE) -> None:
        self.path = folder / name

    def arm(self) -> None:
        self.path.touch()

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
