"""The model in its own process, through the ProcessBackend proxy: a real child process runs
a scripted backend (tests/helpers/process_fakes.py), so each test steers what happens there
(streaming, a crash by signal, kill -9, a load that never ends) and judges what the window's
side gets: pieces, answers, typed errors with one sentence, and a fresh process next time."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from desktop_app.core import messages
from desktop_app.core.errors import BadInputError, ModelError
from desktop_app.core.types import Request
from desktop_app.engine.process import BackendSpec, Kind, ModelProcessError, ProcessBackend
from desktop_app.engine.process.exits import death_sentence
from desktop_app.engine.process.proxy import MAX_LOAD_DEATHS
from desktop_app.engine.process.remote_reader import RemoteTextReader
from desktop_app.settings import EngineSettings
from desktop_app.testing.text_screens import document
from tests.helpers.process_fakes import SCRIPTED, SLOW_LOAD, SLOW_START

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def scripted(model: str = "scripted", **options: object) -> ProcessBackend:
    spec = BackendSpec(Kind.LOCAL_MODEL, EngineSettings(model=model), factory=SCRIPTED)
    return ProcessBackend(spec, **options)  # type: ignore[arg-type]


def ask(text: str) -> Request:
    return Request.single(text, [])


def shm_entries() -> set[str]:
    root = Path("/dev/shm")
    return {entry.name for entry in root.iterdir()} if root.exists() else set()


def ended(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_pieces_and_the_answer_cross_and_close_ends_the_process() -> None:
    shm_before = shm_entries()
    backend = scripted()
    progress: list[tuple[str, float]] = []
    backend.load(lambda stage, fraction: progress.append((stage, fraction)))
    assert progress == [("Loading model", 0.0), ("Loading model", 0.5), ("Loading model", 1.0)]
    assert backend.description == "scripted scripted" and not backend.needs_load
    pid = backend.pid
    assert pid is not None and pid != os.getpid()
    pieces: list[str] = []
    answer = backend.start(ask("stream 5"), pieces.append)
    assert pieces == [f"w{index} " for index in range(5)]
    assert answer.text == "".join(pieces) and answer.generated_tokens == 5
    backend.close()
    assert backend.pid is None and backend.needs_load and ended(pid)
    assert shm_entries() == shm_before


def test_cancel_stops_within_a_step_from_another_thread() -> None:
    backend = scripted()
    first = threading.Event()

    def on_text(piece: str) -> None:
        if not first.is_set():
            first.set()
            threading.Thread(target=backend.cancel).start()

    try:
        answer = backend.start(ask("stream 10000"), on_text)  # loads first, then answers
        assert answer.cancelled and 1 <= answer.generated_tokens < 100
        again = backend.start(ask("stream 3"), lambda piece: None)  # the next one runs whole
        assert not again.cancelled and again.generated_tokens == 3
    finally:
        backend.close()


def test_cancel_stops_a_prompt_being_prepared_in_the_model_process() -> None:
    backend = scripted()
    try:
        backend.load()
        preparing = threading.Thread(target=backend.prepare_prompt, args=(ask("hold"),))
        preparing.start()
        while preparing.is_alive():  # a cancel that comes before the preparing is dropped
            backend.cancel()
            preparing.join(0.05)
        answer = backend.start(ask("stream 2"), lambda piece: None)
    finally:
        backend.close()
    assert answer.text == "stopped w1 "


def test_a_question_continues_from_a_prompt_prepared_in_the_model_process(
    tiny_models: dict[str, Path],
) -> None:
    settings = EngineSettings(model=str(tiny_models["idefics3"]), max_new_tokens=3)
    backend = ProcessBackend(BackendSpec(Kind.LOCAL_MODEL, settings))
    screen = document("light", "DejaVu Sans", 14).image
    try:
        backend.load()
        backend.prepare_prompt(Request.single("Found text.\n\n", [screen]))
        answer = backend.start(
            Request.single("Found text.\n\nDescribe.", [screen], 3), lambda piece: None
        )
    finally:
        backend.close()
    assert answer.prompt_tokens > answer.cached_tokens > answer.prompt_tokens // 2


def test_typed_errors_cross_as_their_own_class() -> None:
    backend = scripted()
    try:
        with pytest.raises(BadInputError, match="scripted fault"):
            backend.start(ask("fail BadInputError"), lambda piece: None)
        assert backend.start(ask("stream 1"), lambda piece: None).text == "w0 "
    finally:
        backend.close()


def test_the_model_process_speaks_the_windows_language() -> None:
    from desktop_app.core import i18n
    from desktop_app.core.pseudo_locale import PSEUDO_LANGUAGE

    i18n.install(PSEUDO_LANGUAGE)  # English again after the test (conftest)
    backend = scripted()
    try:
        with pytest.raises(BadInputError) as raised:
            backend.start(ask("say NO_TEXT_FOUND"), lambda piece: None)
    finally:
        backend.close()
    assert raised.value.message == messages.NO_TEXT_FOUND  # the pseudo-localized sentence
    assert raised.value.message != "No text found in this image."


@POSIX
def test_kill_9_mid_answer_keeps_the_partial_text_and_the_next_request_restarts() -> None:
    smaller = "SmolVLM-256M-Instruct"
    backend = scripted(smaller_model=lambda model: smaller)
    backend.load()
    first_pid = backend.pid
    assert first_pid is not None
    pieces: list[str] = []

    def on_text(piece: str) -> None:
        pieces.append(piece)
        if len(pieces) == 3:
            os.kill(first_pid, signal.SIGKILL)

    with pytest.raises(ModelProcessError) as raised:
        backend.start(ask("stream 100000"), on_text)
    assert raised.value.message == messages.MODEL_PROCESS_KILLED.format(smaller=smaller)
    assert raised.value.partial == "".join(pieces) and len(pieces) >= 3
    assert backend.needs_load and ended(first_pid)
    answer = backend.start(ask("stream 2"), lambda piece: None)
    assert answer.generated_tokens == 2 and backend.pid not in (None, first_pid)
    backend.close()


@POSIX
def test_a_segfault_is_told_as_a_crash() -> None:
    backend = scripted()
    pieces: list[str] = []
    with pytest.raises(ModelProcessError) as raised:
        backend.start(ask("crash SIGSEGV"), pieces.append)
    cause = messages.MODEL_PROCESS_CAUSES["SIGSEGV"]
    assert raised.value.message == messages.MODEL_PROCESS_CRASHED.format(cause=cause)
    assert raised.value.partial == "".join(pieces) == "last words "
    backend.close()


@POSIX
def test_deaths_while_loading_stop_the_restarts_after_three() -> None:
    backend = scripted(SLOW_LOAD)
    pids: list[int] = []

    def kill_at_first_progress(stage: str, fraction: float) -> None:
        assert backend.pid is not None
        pids.append(backend.pid)
        os.kill(backend.pid, signal.SIGKILL)

    said = []
    for _ in range(MAX_LOAD_DEATHS):
        with pytest.raises(ModelError) as raised:
            backend.load(kill_at_first_progress)
        said.append(raised.value.message)
    killed = messages.MODEL_PROCESS_KILLED_SMALLEST
    gave_up = messages.MODEL_PROCESS_GAVE_UP.format(count=MAX_LOAD_DEATHS)
    assert said == [killed] * (MAX_LOAD_DEATHS - 1) + [gave_up]
    assert len(set(pids)) == MAX_LOAD_DEATHS and all(ended(pid) for pid in pids)
    with pytest.raises(ModelError, match="stopped restarting"):
        backend.load()
    assert backend.pid is None  # not started again


@pytest.mark.parametrize("model", [SLOW_LOAD, SLOW_START])
def test_abandoning_a_load_ends_the_process(model: str) -> None:
    """The memory check passed and the process started, the load's first report comes at
    once, not after the process's imports (the text reader starts on it): with SLOW_START the
    process never gets past making its backend, and the report still comes. Abandoning the
    load there ends the process."""
    backend = scripted(model)
    progress: list[tuple[str, float]] = []
    pids: list[int] = []

    class Abandoned(Exception):
        pass

    def abandon(stage: str, fraction: float) -> None:
        assert backend.pid is not None
        pids.append(backend.pid)
        progress.append((stage, fraction))
        raise Abandoned

    with pytest.raises(Abandoned):
        backend.load(abandon)
    assert progress == [(messages.STAGE_LOAD, 0.0)]
    assert backend.pid is None and ended(pids[0])


def test_a_process_that_cannot_start_is_a_sentence_not_a_hang(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-python"
    spec = BackendSpec(Kind.LOCAL_MODEL, EngineSettings(model="x"), factory=SCRIPTED)
    backend = ProcessBackend(spec, command=[str(missing), "-m", "desktop_app.engine.process"])
    started = time.perf_counter()
    with pytest.raises(ModelError) as raised:
        backend.start(ask("stream 1"), lambda piece: None)
    assert raised.value.message.startswith(messages.MODEL_PROCESS_NOT_STARTED.format(reason=""))
    assert str(missing) in raised.value.message
    assert time.perf_counter() - started < 5


def test_an_interpreter_without_iris_ends_in_a_sentence(tmp_path: Path) -> None:
    """A Python that cannot import the model process (another interpreter) exits at once."""
    spec = BackendSpec(Kind.LOCAL_MODEL, EngineSettings(model="x"), factory=SCRIPTED)
    command = [sys.executable, "-c", "raise SystemExit(7)"]
    backend = ProcessBackend(spec, command=command)
    with pytest.raises(ModelError) as raised:
        backend.load()
    code = messages.MODEL_PROCESS_EXIT_CODE.format(code=7)
    assert raised.value.message == messages.MODEL_PROCESS_CRASHED.format(cause=code)


@pytest.mark.parametrize(
    ("returncode", "smaller", "said"),
    [
        (-9, "Small", messages.MODEL_PROCESS_KILLED.format(smaller="Small")),
        (-9, None, messages.MODEL_PROCESS_KILLED_SMALLEST),
        (-6, "Small", messages.MODEL_PROCESS_CRASHED.format(cause="it aborted")),
        (0xC0000005, None, messages.MODEL_PROCESS_CRASHED.format(cause="a memory fault")),
        (1, None, messages.MODEL_PROCESS_CRASHED.format(cause="exit code 1")),
    ],
)
def test_death_sentences(returncode: int, smaller: str | None, said: str) -> None:
    assert death_sentence(returncode, smaller) == said


# --- the text reader's process: the grounding reads there -------------------------------------
def reader_process() -> ProcessBackend:
    return ProcessBackend(BackendSpec(Kind.TEXT_READER, EngineSettings(threads=1)))


def test_reading_in_the_reader_process_streams_lines_and_stops_when_told() -> None:
    screen = document("light", "DejaVu Sans", 16)
    process = reader_process()
    try:
        streamed: list[str] = []
        whole = process.read_text(screen.image, lambda line, end: streamed.append(line.text), None)
        assert streamed and [line.text for line in whole.lines] == streamed
        assert (whole.width, whole.height) == screen.image.size
        stopped = threading.Event()
        first: list[str] = []

        def stop_at_first(line: object, end: object) -> None:
            first.append(str(line))
            stopped.set()

        cut = process.read_text(screen.image, stop_at_first, stopped)
        assert 1 <= len(cut.lines) < len(whole.lines)  # stopped inside its work
        again = process.read_text(screen.image, None, None)
        assert len(again.lines) == len(whole.lines)  # the next reading is whole again
    finally:
        process.close()


@POSIX
def test_a_remote_reader_whose_process_died_reads_nothing_and_the_next_read_restarts_it() -> None:
    screen = document("light", "DejaVu Sans", 16)
    process = reader_process()
    reader = RemoteTextReader(process)
    try:
        reader.load()
        pid = process.pid
        assert pid is not None

        def kill_at_first_line(line: object, end: object) -> None:
            os.kill(pid, signal.SIGKILL)

        assert reader.read(screen.image, kill_at_first_line).lines == []  # grounding goes without
        assert reader.read(screen.image).lines  # a fresh process reads
        assert process.pid not in (None, pid)
    finally:
        process.close()


def test_images_cross_the_pipe_with_their_pixels_mode_and_facts() -> None:
    from PIL import Image

    from desktop_app.core.accessible import ScreenFacts, attach_facts, facts_of
    from desktop_app.engine.process import wire

    reading, writing = os.pipe()
    with os.fdopen(reading, "rb") as inlet, os.fdopen(writing, "wb") as outlet:
        sender, receiver = wire.Channel(outlet), wire.Channel(inlet)
        photo = attach_facts(Image.effect_noise((64, 48), 40).convert("RGB"), ScreenFacts((5, 7)))
        grey = Image.effect_noise((10, 10), 40)
        palette = grey.convert("P")
        request = Request.single("Describe.", [photo, grey, palette])
        threading.Thread(target=sender.send, args=(wire.Start(3, request),)).start()
        got = receiver.receive()
    assert isinstance(got, wire.Start) and got.request_id == 3
    images = got.request.images
    assert [image.mode for image in images] == ["RGB", "L", "RGBA"]
    assert images[0].tobytes() == photo.tobytes() and images[1].tobytes() == grey.tobytes()
    assert images[2].tobytes() == palette.convert("RGBA").tobytes()
    assert facts_of(images[0]) == ScreenFacts((5, 7)) and facts_of(images[1]) is None


@pytest.mark.parametrize("work", ["load", "answer"])
def test_a_model_process_whose_window_has_gone_ends_quietly(work: str) -> None:
    """Nothing reads the replies any more (the window crashed, or was killed): the model
    process ends with 0 at its next reply, and says nothing of a failed model."""
    import subprocess

    from desktop_app.engine.process import wire
    from desktop_app.engine.process.proxy import model_process_command

    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen(
        model_process_command(),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=root,
    )  # fmt: skip
    assert child.stdin is not None and child.stdout is not None and child.stderr is not None
    try:
        commands, replies = wire.Channel(child.stdin), wire.Channel(child.stdout)
        commands.send(BackendSpec(Kind.LOCAL_MODEL, EngineSettings(model="x"), factory=SCRIPTED))
        if work == "answer":
            commands.send(wire.Load())
            while not isinstance(replies.receive(), wire.Loaded):
                pass
        replies.close()  # the window has gone
        commands.send(wire.Start(1, ask("stream 50")) if work == "answer" else wire.Load())
        errors = child.stderr.read().decode()
        assert child.wait(timeout=60) == 0, errors
        assert "Traceback" not in errors and "failed" not in errors, errors
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()


class _CollectorWatch:
    """A backend that notes whether the cyclic garbage collector runs as it loads and answers."""

    description = "watch"

    def __init__(self) -> None:
        self.seen: dict[str, bool] = {}

    def load(self, on_progress: object = None) -> None:
        import gc

        self.seen["load"] = gc.isenabled()

    def start(self, request: Request, on_text: object) -> object:
        import gc

        self.seen["start"] = gc.isenabled()
        raise ModelError("only watching")


class _Replies:
    def __init__(self) -> None:
        self.sent: list[object] = []

    def send(self, message: object) -> None:
        self.sent.append(message)


def test_the_collector_waits_for_the_load_then_leaves_the_model_alone() -> None:
    """The model process starts with the collector held (imports and the load make objects
    that live as long as it); after its first command the collector runs again, and what
    the load made is frozen out of its rounds."""
    import gc

    from desktop_app.engine.process import wire
    from desktop_app.engine.process.child import Host, hold_collector

    watch = _CollectorWatch()
    host = Host(watch, _Replies())  # type: ignore[arg-type]
    frozen_before = gc.get_freeze_count()
    hold_collector()
    try:
        made_while_loading = [[index] for index in range(1000)]
        for command in (wire.Load(), wire.Start(1, ask("Describe.")), wire.Close()):
            host.work.put(command)
        host.serve()
        assert watch.seen == {"load": False, "start": True}
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen_before + len(made_while_loading)
    finally:
        gc.unfreeze()
        gc.enable()
