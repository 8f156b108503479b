"""An exception inside generation: the model's forward raises on the engine thread.

It must surface at once as a failed request (the streamer does not hang), be told to the
user in words (shown and spoken), drop the kept keys and values, leave no thread behind,
and the next request must succeed. The fault is a forward hook on the loaded model object.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core import messages
from desktop_app.core.errors import GenerationError
from desktop_app.core.types import Answer, Request
from desktop_app.engine.local.backend import LocalBackend
from desktop_app.engine.reading.backend import ReaderBackend
from desktop_app.gui.worker import EngineWorker
from desktop_app.settings import AppSettings, EngineSettings
from tests.helpers.controllers import ControllerFactory
from tests.helpers.fakes import FakeSpeaker, FakeStream, NoCapture
from tests.helpers.faults import ForwardFault, os_threads

FAULT = "simulated fault in the model"
PHOTO = Image.new("RGB", (96, 64), (200, 180, 20))
PROMPT_MS = 10_000
"""A failed request must be reported well within this (a hang would wait forever)."""


@pytest.fixture(scope="module")
def backend(tiny_models: dict[str, Path]) -> LocalBackend:
    """A loaded idefics3 model (it continues conversations from its kept cache)."""
    loaded = LocalBackend(EngineSettings(model=str(tiny_models["idefics3"]), max_new_tokens=64))
    loaded.load()
    return loaded


def test_fault_midway_raises_a_typed_error_and_the_kept_cache_is_dropped(
    backend: LocalBackend,
) -> None:
    first = Request.single("Describe.", [PHOTO], max_new_tokens=4)
    answer = backend.start(first, lambda piece: None)
    follow_up = first.follow_up(answer.text, "And the colours?")
    fault = ForwardFault(backend.loaded.model, lambda: RuntimeError(FAULT))
    pieces: list[str] = []

    def arm_on_first_piece(piece: str) -> None:
        pieces.append(piece)
        fault.armed.set()

    try:
        with pytest.raises(GenerationError) as raised:
            backend.start(Request(follow_up.turns, 64), arm_on_first_piece)
    finally:
        fault.remove()
    assert raised.value.message == messages.GENERATION_FAILED.format(reason=FAULT)
    assert pieces and len(fault.raised_on) == 1  # it failed midway, after text had streamed
    retry = backend.start(Request(follow_up.turns, 4), lambda piece: None)
    assert retry.cached_tokens == 0  # the half-written cache was not reused
    assert retry.generated_tokens >= 1
    next_question = Request(follow_up.turns, 4).follow_up(retry.text, "Anything else?")
    again = backend.start(next_question, lambda piece: None)
    assert again.cached_tokens >= retry.prompt_tokens - 1  # reuse works again after the failure


@dataclass
class Rig:
    """The window's controller and the real engine worker around an already loaded backend."""

    def __init__(self, make_controller: ControllerFactory, backend: LocalBackend) -> None:
        self.speaker = FakeSpeaker()
        self.streams: list[FakeStream] = []
        self.worker = EngineWorker(backend)
        self.outcomes: list[tuple[int, str]] = []
        self.worker.answered.connect(lambda rid, answer: self.outcomes.append((rid, "answered")))
        self.worker.failed.connect(lambda rid, message: self.outcomes.append((rid, "failed")))
        settings = AppSettings().with_changes(engine=backend.settings)
        self.controller = make_controller(
            settings,
            capturer=NoCapture(),
            worker=self.worker,
            speaker=self.speaker,
            streaming_speech=self._stream,
            reader=EngineWorker(ReaderBackend()),
        )
        self.window = self.controller.window

    def _stream(self) -> FakeStream:
        self.streams.append(FakeStream())
        return self.streams[-1]


@pytest.fixture
def rig(
    backend: LocalBackend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_controller: ControllerFactory,
) -> Rig:
    monkeypatch.setenv("IRIS_CONFIG_DIR", str(tmp_path))  # the conversation history goes here
    return Rig(make_controller, backend)


@pytest.mark.parametrize(
    ("when", "error", "expected"),
    [
        ("prefill", RuntimeError, messages.GENERATION_FAILED.format(reason=FAULT)),
        ("midway", RuntimeError, messages.GENERATION_FAILED.format(reason=FAULT)),
        ("midway", MemoryError, messages.MODEL_OUT_OF_MEMORY.format(model="idefics3")),
    ],
    ids=["prefill", "midway", "out-of-memory-midway"],
)
def test_fault_on_the_engine_thread_is_told_and_iris_stays_usable(
    qtbot: QtBot,
    rig: Rig,
    backend: LocalBackend,
    when: str,
    error: type[Exception],
    expected: str,
) -> None:
    fault = ForwardFault(backend.loaded.model, lambda: error(FAULT))
    if when == "prefill":
        fault.armed.set()
    else:  # armed on the engine thread as the first piece is sent, so it fires mid-answer
        rig.worker.piece.connect(
            lambda rid, text: fault.armed.set(), Qt.ConnectionType.DirectConnection
        )
    started = time.perf_counter()
    try:
        with qtbot.waitSignal(rig.controller.request_failed, timeout=PROMPT_MS) as failed:
            rig.controller.describe_images([PHOTO], "photo")
    finally:
        fault.remove()
    seconds = time.perf_counter() - started
    print(f"{when}: failed after {seconds * 1000:.0f} ms: {failed.args[0]!r}")
    assert failed.args[0] == expected
    assert fault.raised_on and fault.raised_on[0] != threading.main_thread().ident
    assert rig.window.status.text() == expected  # shown
    assert rig.speaker.said[-1] == (expected, True)  # and spoken, interrupting
    stream = rig.streams[-1]
    assert stream.cancelled and not stream.finished  # the half answer is not read on
    assert bool(stream.pieces) == (when == "midway")
    assert rig.window.conversation.entries()[-1].endswith(messages.UNFINISHED_SUFFIX)
    assert rig.controller.conversation.pending_images == [PHOTO]  # kept for a retry
    with qtbot.waitSignal(rig.controller.answer_finished, timeout=PROMPT_MS) as retried:
        rig.controller.describe_images([], "photo")
    answer: Answer = retried.args[0]
    assert answer.generated_tokens >= 1 and not answer.cancelled
    assert rig.window.status.text() == messages.STATUS_DONE
    assert [outcome for _, outcome in rig.outcomes] == ["failed", "answered"]


def _fail_once_on_a_new_worker(qtbot: QtBot, backend: LocalBackend) -> None:
    worker = EngineWorker(backend)
    failed: list[int] = []  # appended on the engine thread (waitSignal's timer would be too)
    worker.failed.connect(lambda request_id, message: failed.append(request_id))
    fault = ForwardFault(backend.loaded.model, lambda: RuntimeError(FAULT))
    fault.armed.set()
    try:
        worker.submit(Request.single("Describe.", [PHOTO], max_new_tokens=4))
        qtbot.waitUntil(lambda: bool(failed), timeout=PROMPT_MS)
    finally:
        fault.remove()
        worker.shutdown()


def test_no_thread_is_left_behind_by_faults(qtbot: QtBot, backend: LocalBackend) -> None:
    """Each worker's thread ends at shutdown after a failed request; torch's are not added."""
    before = os_threads()
    for _ in range(3):
        _fail_once_on_a_new_worker(qtbot, backend)
    # torch's helper threads of a finished engine thread end soon after it, not at once
    qtbot.waitUntil(lambda: os_threads() <= before, timeout=PROMPT_MS)
