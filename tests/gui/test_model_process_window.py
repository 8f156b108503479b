"""The window with the model in its own process, as shipped (gui/backends.py), on a tiny
model: the process is killed mid-answer and while loading, refused for lack of memory, and
unloaded and loaded again; the window lives on and says one sentence each time."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core import messages
from desktop_app.core.types import Request
from desktop_app.engine.backend import Backend
from desktop_app.engine.process import ProcessBackend
from desktop_app.engine.reading.grounded import GroundedBackend
from desktop_app.gui.backends import local_backend_factory
from desktop_app.gui.controller import Controller
from desktop_app.settings import AppSettings, EngineSettings
from tests.helpers.controllers import TIMEOUT_MS, ControllerFactory
from tests.helpers.fakes import FakeCapturer, FakeSpeaker
from tests.helpers.faults import os_threads, raise_heap_threshold, rss_mb

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals, /proc")


class Window:
    """A controller whose model runs in its own process, as the app makes it."""

    def __init__(self, make_controller: ControllerFactory, model: Path, tokens: int = 6) -> None:
        self.settings = AppSettings().with_changes(
            engine=EngineSettings(model=str(model), max_new_tokens=tokens)
        )
        self.speaker = FakeSpeaker()
        made: list[Controller] = []  # the model's backend is made once the controller is

        def backend() -> Backend:
            made_backend: Backend = local_backend_factory(
                self.settings, made[0].session.reader_process
            )()
            return made_backend

        self.controller: Controller = make_controller(
            self.settings, capturer=FakeCapturer(), backend=backend, speaker=self.speaker
        )
        made.append(self.controller)
        self.window = self.controller.window
        self.session = self.controller.session

    @property
    def backend(self) -> ProcessBackend:
        """The proxy to the model's process (inside the grounding, which stays here)."""
        grounded = self.session.worker.backend
        assert isinstance(grounded, GroundedBackend)
        assert isinstance(grounded.inner, ProcessBackend)
        return grounded.inner

    def trigger(self, key: str) -> None:
        self.window.actions_by_key[key].trigger()

    def said(self) -> list[str]:
        return [text for text, _ in self.speaker.said]


def maps(pid: int, library: str) -> bool:
    """Whether process `pid` has `library` loaded (Linux /proc/PID/maps)."""
    return library in Path(f"/proc/{pid}/maps").read_text()


def children() -> set[int]:
    """This process's child processes (Linux /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == os.getpid():
                found.add(int(entry.name))
    return found


def test_kill_9_mid_answer_keeps_the_window_and_the_partial_answer(
    qtbot: QtBot, make_controller: ControllerFactory, tiny_models: dict[str, Path]
) -> None:
    app = Window(make_controller, tiny_models["idefics3"], tokens=400)
    with qtbot.waitSignal(app.session.model_ready, timeout=TIMEOUT_MS):
        app.controller.load_model()
    first_pid = app.backend.pid
    assert first_pid is not None
    killed = threading.Event()

    def kill_at_first_piece(piece: str) -> None:
        if not killed.is_set():
            killed.set()
            os.kill(first_pid, signal.SIGKILL)

    app.session.piece.connect(kill_at_first_piece)
    with qtbot.waitSignal(app.controller.request_failed, timeout=TIMEOUT_MS) as failed:
        app.trigger("describe_screen")
    app.session.piece.disconnect(kill_at_first_piece)
    sentence = failed.args[0]
    assert sentence.startswith("The model's process was killed")
    assert app.said().count(sentence) == 1 and app.window.status.text() == sentence
    shown = app.controller.conversation.history[-1]
    assert shown.answer and shown.answer.strip()  # the partial answer is kept in the history
    assert messages.UNFINISHED_FAULT_SUFFIX.strip() in app.window.conversation.entries()[-1]
    before = len(app.speaker.said)
    with qtbot.waitSignal(app.controller.answer_finished, timeout=TIMEOUT_MS) as done:
        app.trigger("describe_window")
    assert done.args[0].generated_tokens > 0
    assert app.said()[before:].count(messages.STATUS_RELOADING) == 1
    model_pid = app.backend.pid
    assert model_pid not in (None, first_pid)
    reader_pid = app.session.reader_process.pid  # the grounding read there
    assert reader_pid is not None and maps(reader_pid, "onnxruntime")
    assert not maps(model_pid, "onnxruntime")  # type: ignore[arg-type]


def test_a_question_about_the_screen_continues_from_what_was_prepared_while_typed(
    qtbot: QtBot,
    make_controller: ControllerFactory,
    tiny_models: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ask about the screen with the model unloaded: while the question is typed, the model
    loads (without a word), the screen's text is read in the reader's process and the
    grounded prompt run in the model's; the question adds only its own words."""
    app = Window(make_controller, tiny_models["idefics3"])
    with qtbot.waitSignal(app.session.model_ready, timeout=TIMEOUT_MS):
        app.controller.load_model()
    with qtbot.waitSignal(app.session.unloaded, timeout=TIMEOUT_MS):
        app.trigger("unload_model")
    proxy, prompted = app.backend, threading.Event()
    run_prompt = proxy.prepare_prompt

    def prepare_prompt(request: Request) -> None:
        run_prompt(request)
        prompted.set()

    monkeypatch.setattr(proxy, "prepare_prompt", prepare_prompt)
    mark = len(app.said())
    app.controller.images.ask_about_screen()
    qtbot.waitUntil(prompted.is_set, timeout=TIMEOUT_MS)
    app.window.question.setText("What is the title?")
    with qtbot.waitSignal(app.controller.answer_finished, timeout=TIMEOUT_MS) as done:
        app.controller.ask()
    answer = done.args[0]
    assert answer.generated_tokens > 0 and proxy.pid is not None
    assert messages.STATUS_RELOADING not in app.said()[mark:]
    assert answer.prompt_tokens > answer.cached_tokens > 0  # a new conversation: none else


def test_kill_while_loading_is_told_and_the_next_request_loads(
    qtbot: QtBot, make_controller: ControllerFactory, tiny_models: dict[str, Path]
) -> None:
    app = Window(make_controller, tiny_models["idefics3"])
    pids: list[int] = []

    def kill_once(stage: str, fraction: float) -> None:
        pid = app.backend.pid
        if not pids and pid is not None:
            pids.append(pid)
            os.kill(pid, signal.SIGKILL)

    app.session.loading.connect(kill_once)
    with qtbot.waitSignal(app.session.model_failed, timeout=TIMEOUT_MS) as failed:
        app.controller.load_model()
    assert failed.args[0].startswith("The model's process was killed")
    assert app.window.status.text() == failed.args[0]
    with qtbot.waitSignal(app.controller.answer_finished, timeout=TIMEOUT_MS):
        app.trigger("describe_screen")
    assert app.backend.pid not in (None, *pids)


def test_too_little_memory_is_refused_before_any_process_starts(
    qtbot: QtBot,
    make_controller: ControllerFactory,
    tiny_models: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IRIS_MEMORY_LIMIT_MB", "1")  # a computer with one megabyte free
    others = children()  # other tests' servers and displays
    app = Window(make_controller, tiny_models["idefics3"])
    with qtbot.waitSignal(app.controller.request_failed, timeout=TIMEOUT_MS) as failed:
        app.trigger("describe_screen")
    sentence = failed.args[0]
    assert sentence.startswith("There is not enough free memory to load")
    assert app.said().count(sentence) == 1 and app.backend.pid is None
    assert children() == others
    monkeypatch.delenv("IRIS_MEMORY_LIMIT_MB")  # programs closed: room again
    with qtbot.waitSignal(app.controller.answer_finished, timeout=TIMEOUT_MS):
        app.trigger("describe_screen")


@pytest.mark.slow
def test_twenty_unloads_give_back_every_process_thread_and_segment(
    qtbot: QtBot, make_controller: ControllerFactory, tiny_models: dict[str, Path]
) -> None:
    raise_heap_threshold()  # later pictures are not mapped on their own, unless Iris says so
    app = Window(make_controller, tiny_models["idefics3"], tokens=2)
    shm_before = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
    with qtbot.waitSignal(app.controller.answer_finished, timeout=TIMEOUT_MS):
        app.trigger("describe_screen")  # loads on first use
    with qtbot.waitSignal(app.session.unloaded, timeout=TIMEOUT_MS):
        app.trigger("unload_model")
    others = children() - {app.backend.pid, app.session.reader_process.pid}
    threads, rss_start = os_threads(), rss_mb()
    samples = []
    for _ in range(20):
        with qtbot.waitSignal(app.controller.answer_finished, timeout=TIMEOUT_MS):
            app.trigger("describe_screen")
        assert len(children() - others) == 2  # the model's process and the text reader's
        with qtbot.waitSignal(app.session.unloaded, timeout=TIMEOUT_MS) as unloaded:
            app.trigger("unload_model")
        assert unloaded.args == [True, False]
        samples.append(rss_mb())
        assert children() == others
    print(
        f"window RSS after each unload (MB): {[round(s) for s in samples]}, start {rss_start:.0f}"
    )
    assert max(samples) - rss_start < 20  # back to the idle figure within 20 MB
    qtbot.waitUntil(lambda: os_threads() <= threads, timeout=TIMEOUT_MS)
    shm_after = set(os.listdir("/dev/shm")) if os.path.isdir("/dev/shm") else set()
    assert shm_after == shm_before
