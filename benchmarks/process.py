"""Benchmark of the model in its own process: memory on each side, the boundary's cost, reload.

    .venv/bin/python benchmarks/process.py [--runs N] [--cycles N] [--write]

Random weights with SmolVLM-256M-Instruct's published layer sizes (built offline), the int8
cache warmed by one load first (the user's second start), the default path: grounding on, the
ProcessBackend that `gui.backends.local_backend_factory` makes. Five parts:

1. The window: `python -m desktop_app`'s own code (`cli.main` -> `gui.app.run_app`) under Xvfb
   (1920x1080, a dense text screen on it), private settings, offline, in a fresh process that
   also runs a short script on the window's event loop: idle, load, describe the screen, unload,
   then CYCLES loads and unloads. This process samples the window process's RSS and its child
   processes' (every 20 ms, from /proc); the window asserts that torch was never imported.
2. The model process with the 256M shape loaded: VmRSS, and VmHWM (its peak, loading
   included); also under torch's CPU-only build when /work/venv-cpu (or --cpu-python) has it.
3. Memory after each unload (window + children) against the idle figure, over CYCLES cycles.
4. The boundary's cost: first token through the proxy against LocalBackend in this process;
   per streamed piece (a scripted backend); cancel latency against the decode step.
5. Reload: a request on an unloaded backend to its first token.

Prints a Markdown section; with --write puts it into docs/performance.md in place of the last
one and updates this benchmark's rows of its Targets table. `benchmarks/report.py` includes it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

HEADING = "## The model in its own process"
SHAPE = "SmolVLM-256M-Instruct"
SCREEN = (1920, 1080)
PROMPT = "Describe this image."
WINDOW_TOKENS = 24
"""The window's answer limit (settings), so that a describe ends in seconds."""
CYCLES = 20
SAMPLE_S = 0.02
CPU_PYTHON = "/work/venv-cpu/bin/python"
MARKS_VARIABLE = "IRIS_PROCBENCH_MARKS"
SCRIPTED = "tests.helpers.process_fakes:ScriptedBackend"
SCRIPTED_PIECES = 200
SCRIPTED_FIRSTS = 10
"""Scripted one-piece answers with the screen image, each way, for the image's crossing."""
CANCEL_AFTER = 3
"""Pieces of a long answer before cancel is called."""
Figures = dict[str, Any]

TARGET_ROWS: list[tuple[str, str, float, str]] = [
    ("window process memory, highest seen (idle, answering, after unload)", "window_peak_mb",
     150.0, "MB"),
    ("model process with the 256M shape loaded (grounding on)", "child_loaded_mb", 700.0, "MB"),
    ("model process peak while loading (int8 cache warm)", "child_peak_mb", 1200.0, "MB"),
    ("Iris's memory after unload, off the idle figure (cycles)", "unload_drift_mb", 20.0, "MB"),
    ("first token, added by the process boundary", "boundary_first_token_ms", 30.0, "ms"),
    ("per streamed piece, added by the process boundary", "boundary_piece_ms", 2.0, "ms"),
    ("cancel through the process boundary", "cancel_steps", 1.0, "decode steps"),
    ("first token after unload (reload from the int8 cache)", "reload_first_token_s", 4.0, "s"),
]  # fmt: skip
"""(what, key, target, unit): this benchmark's rows of docs/performance.md's Targets table."""


# -- /proc ---------------------------------------------------------------------------------------
def status_mb(pid: int | str = "self") -> dict[str, float]:
    """VmRSS and VmHWM of `pid` in MB (2^20 bytes, as benchmarks/memory.py); {} once gone."""
    figures: dict[str, float] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    figures[key] = int(value.split()[0]) / 1024
    except OSError:
        return {}
    return figures


def descendants(pid: int | str = "self") -> list[int]:
    """The processes `pid` started, and theirs (Linux /proc/PID/task/*/children)."""
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            children = [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


def children_mb(pid: int | str = "self") -> float:
    return sum(status_mb(child).get("VmRSS", 0.0) for child in descendants(pid))


class Sampler(threading.Thread):
    """Samples (time.time(), RSS of `pid`, RSS of its descendants) every SAMPLE_S."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, float, float]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_S):
            own = status_mb(self.pid).get("VmRSS")
            if own is not None:
                self.samples.append((time.time(), own, children_mb(self.pid)))

    def stop(self) -> None:
        self.done.set()
        self.join()

    def between(self, start: float, end: float) -> list[tuple[float, float]]:
        return [(own, kids) for at, own, kids in self.samples if start <= at <= end]


# -- 1 and 3: the window (this file, run as the window's process) --------------------------------
def drive_window(folder: str, cycles: int, speak_to: str) -> int:
    """Run Iris's window as `python -m desktop_app --model FOLDER` does, with a script on its
    event loop; marks (time, own and children's memory) go to $IRIS_PROCBENCH_MARKS."""
    import desktop_app.gui.app as app_module
    from desktop_app.cli.main import main as iris_main

    marks = Path(os.environ[MARKS_VARIABLE])
    original = app_module.build_controller

    def recording(*args: Any, **kwargs: Any) -> Any:
        from PySide6.QtCore import QTimer

        controller = original(*args, **kwargs)
        QTimer.singleShot(0, lambda: _window_script(controller, cycles, marks))
        return controller

    app_module.build_controller = recording
    return iris_main(["--model", folder, "--speak-to-files", speak_to])


def _mark(marks: Path, name: str, **extra: Any) -> None:
    own = status_mb()
    kids = {child: status_mb(child) for child in descendants()}
    record = {
        "mark": name,
        "t": time.time(),
        "rss": own.get("VmRSS", 0.0),
        "hwm": own.get("VmHWM", 0.0),
        "children": sum(k.get("VmRSS", 0.0) for k in kids.values()),
        "children_hwm": max((k.get("VmHWM", 0.0) for k in kids.values()), default=0.0),
        "torch": "torch" in sys.modules,
        **extra,
    }
    with marks.open("a", encoding="utf-8") as file:
        file.write(json.dumps(record) + "\n")


def _window_script(controller: Any, cycles: int, marks: Path) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer

    def wait(trigger: Callable[[], Any], *signals: Any, timeout_s: float = 300) -> tuple[Any, ...]:
        loop = QEventLoop()
        got: list[tuple[Any, ...]] = []

        def done(*args: Any) -> None:
            got.append(args)
            loop.quit()

        for signal in signals:
            signal.connect(done)
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        trigger()
        if not got:
            loop.exec()
        for signal in signals:
            signal.disconnect(done)
        if not got:
            raise TimeoutError(f"no signal in {timeout_s} s")
        return got[0]

    def sleep(seconds: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    session = controller.session
    actions = controller.window.actions_by_key
    try:
        sleep(3.0)  # start-up settles (speech, hotkeys, the announcement)
        _mark(marks, "idle_start")
        sleep(2.0)
        _mark(marks, "idle_end")
        wait(controller.load_model, session.model_ready, session.model_failed)
        _mark(marks, "loaded")
        sleep(2.0)
        _mark(marks, "loaded_idle_end")
        firsts: list[float] = []
        session.piece.connect(lambda _: firsts.append(time.time()))
        _mark(marks, "answer_start")
        answered = wait(
            actions["describe_screen"].trigger,
            controller.answer_finished,
            controller.request_failed,
        )
        answer = answered[0]
        tokens = getattr(answer, "generated_tokens", 0)
        _mark(marks, "answer_end", tokens=tokens, first_piece=firsts[0] if firsts else None)
        sleep(1.0)
        wait(actions["unload_model"].trigger, session.unloaded)
        sleep(1.0)
        _mark(marks, "after_unload_start")
        sleep(2.0)
        _mark(marks, "after_unload_end")
        for cycle in range(cycles):
            wait(controller.load_model, session.model_ready, session.model_failed)
            wait(actions["unload_model"].trigger, session.unloaded)
            sleep(0.5)
            _mark(marks, "cycle", cycle=cycle)
        _mark(marks, "done")
    except Exception as error:  # told to the benchmark, which fails
        _mark(marks, "error", error=repr(error))
    QCoreApplication.exit(0)


def window_figures(folder: Path, cycles: int, scratch: Path) -> Figures:
    """Launch the window on Xvfb showing the dense screen; the memory of each phase."""
    from grounding import dense_screen

    from desktop_app.settings import AppSettings, save_settings
    from tests.helpers.xvfb import root_picture, xvfb

    config = scratch / "config"
    settings = AppSettings()
    engine = settings.engine.with_changes(
        model=str(folder), load_at_start=False, max_new_tokens=WINDOW_TOKENS
    )
    save_settings(settings.with_changes(engine=engine), config / "settings.json")
    (scratch / "hf").mkdir(exist_ok=True)
    picture = scratch / "screen.png"
    dense_screen(SCREEN)[0].save(picture)
    marks = scratch / "marks.jsonl"
    marks.unlink(missing_ok=True)
    with xvfb(*SCREEN) as display, root_picture(display, picture):
        env = {k: v for k, v in os.environ.items() if k != "WAYLAND_DISPLAY"}
        env.update(
            DISPLAY=display,
            QT_QPA_PLATFORM="xcb",
            IRIS_CONFIG_DIR=str(config),
            HF_HOME=str(scratch / "hf"),
            HF_HUB_OFFLINE="1",
            **{MARKS_VARIABLE: str(marks)},
        )
        command = [sys.executable, __file__, "--window-driver", str(folder), str(cycles),
                   str(scratch / "wav")]  # fmt: skip
        window = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        sampler = Sampler(window.pid)
        sampler.start()
        output, _ = window.communicate(timeout=1800)
        sampler.stop()
    by_name: dict[str, Figures] = {}
    cycle_marks = []
    for line in marks.read_text(encoding="utf-8").splitlines() if marks.exists() else []:
        record = json.loads(line)
        if record["mark"] == "cycle":
            cycle_marks.append(record)
        by_name[record["mark"]] = record
    if "done" not in by_name:
        tail = output.decode(errors="replace")[-3000:]
        raise RuntimeError(f"the window's script did not end: {by_name.get('error')}\n{tail}")

    def phase(start: str, end: str) -> list[tuple[float, float]]:
        return sampler.between(by_name[start]["t"], by_name[end]["t"])

    idle = phase("idle_start", "idle_end")
    loaded = phase("loaded", "loaded_idle_end")
    answering = phase("answer_start", "answer_end")
    after = phase("after_unload_start", "after_unload_end")
    idle_total = statistics.median(own + kids for own, kids in idle)
    drifts = [m["rss"] + m["children"] - idle_total for m in cycle_marks]
    answer_end = by_name["answer_end"]
    first_piece = answer_end.get("first_piece")
    return {
        "idle": statistics.median(own for own, _ in idle),
        "idle_children": statistics.median(kids for _, kids in idle),
        "idle_total": idle_total,
        "loaded": statistics.median(own for own, _ in loaded),
        "loaded_children": statistics.median(kids for _, kids in loaded),
        "child_peak_loading": by_name["loaded"]["children_hwm"],
        "answering": max(own for own, _ in answering),
        "answering_children": max(kids for _, kids in answering),
        "answer_tokens": answer_end.get("tokens", 0),
        "answer_first_piece_s": (
            first_piece - by_name["answer_start"]["t"] if first_piece is not None else None
        ),
        "after_unload": statistics.median(own for own, _ in after),
        "after_unload_children": statistics.median(kids for _, kids in after),
        "window_hwm": by_name["done"]["hwm"],
        "window_sampled_max": max(own for _, own, _ in sampler.samples),
        "torch_in_window": any(record["torch"] for record in [*by_name.values(), *cycle_marks]),
        "cycles": len(cycle_marks),
        "drift_max": max((abs(d) for d in drifts), default=0.0),
        "drift_last": drifts[-1] if drifts else 0.0,
        "drift_first": drifts[0] if drifts else 0.0,
        "returncode": window.returncode,
    }


# -- 2: the model process's memory ---------------------------------------------------------------
def settings_for(folder: Path, **changes: Any) -> Any:
    from desktop_app.settings import AppSettings, EngineSettings

    return AppSettings().with_changes(engine=EngineSettings(model=str(folder), **changes))


def shipped_backend(folder: Path, python: str | None = None) -> Any:
    """The ProcessBackend the window makes (gui.backends), its model process run by `python`."""
    from desktop_app.engine.process.proxy import model_process_command
    from desktop_app.gui.backends import local_backend_factory

    grounded = local_backend_factory(settings_for(folder))()
    grounded.inner.command = model_process_command(python)
    return grounded


def warm_cache(folder: Path) -> None:
    """Load once through the shipped backend: the int8 cache is written."""
    backend = shipped_backend(folder)
    backend.load()
    backend.close()


def child_memory(folder: Path, runs: int, python: str | None = None) -> Figures:
    """Median VmRSS and VmHWM of a freshly started model process once loaded; one load
    first (warms the int8 cache of that torch)."""
    loaded, peak, seconds = [], [], []
    for run in range(runs + 1):
        backend = shipped_backend(folder, python)
        started = time.perf_counter()
        backend.load()
        elapsed = time.perf_counter() - started
        figures = status_mb(backend.inner.pid)
        backend.close()
        if run:
            loaded.append(figures["VmRSS"])
            peak.append(figures["VmHWM"])
            seconds.append(elapsed)
    return {
        "loaded": statistics.median(loaded),
        "peak": statistics.median(peak),
        "load_s": statistics.median(seconds),
    }


def torch_version(python: str) -> str | None:
    """torch's version under `python`, None when it cannot run Iris's model process."""
    check = "import torch, transformers, desktop_app.engine.process.child; print(torch.__version__)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(
            [python, "-c", check], env=env, capture_output=True, text=True, timeout=120
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


# -- 4 and 5: the boundary's cost, reload --------------------------------------------------------
ASK_TYPING_S = (3.0, 6.0)
"""How long the user takes to type the question after Ask about the screen."""


def fresh(image: Any, run: int) -> Any:
    """A copy with one pixel changed: no cache can know it."""
    copy = image.copy()
    copy.putpixel((0, 0), (run % 256, 7, 11))
    return copy


def timed_answer(backend: Any, image: Any, tokens: int) -> tuple[float, float, Any]:
    """(seconds from start to the first piece, as the caller sees it; the backend's own
    first_token_s; the answer). An unloaded backend is first loaded for the request, as
    the window's worker does (the grounding reads the image meanwhile)."""
    from desktop_app.core.types import Request

    pieces: list[float] = []
    request = Request.single(PROMPT, [image], max_new_tokens=tokens)
    started = time.perf_counter()
    if backend.needs_load:
        backend.load_for(request)
    answer = backend.start(request, lambda _: pieces.append(time.perf_counter()))
    seen = (pieces[0] if pieces else time.perf_counter()) - started
    return seen, answer.timings.first_token_s or seen, answer


def asked_after_unload(backend: Any, image: Any, typing_s: float) -> tuple[float, int]:
    """Ask about the screen with the model unloaded, as the window's worker does it: the
    model loads for the question while it is typed (`load_for` with the request it will
    make), then prepares it if it is not asked yet; after `typing_s` the question comes
    (`stop_waiting`, the preparing under way waited for, `start`). Seconds from Enter to the
    first piece, and the prompt's tokens continued from the prepared prompt."""
    from grounding import QUESTION

    from desktop_app.core.types import Request

    upcoming = Request.single("", [image], max_new_tokens=2)
    asked = threading.Event()

    def ahead() -> None:
        backend.load_for(upcoming)
        if not asked.is_set():
            backend.prepare(upcoming)

    worker = threading.Thread(target=ahead)
    worker.start()
    time.sleep(typing_s)  # the user types
    entered = time.perf_counter()
    asked.set()
    backend.stop_waiting()
    worker.join()
    pieces: list[float] = []
    question = Request.single(QUESTION, [image], max_new_tokens=2)
    answer = backend.start(question, lambda _: pieces.append(time.perf_counter()))
    return (pieces[0] if pieces else time.perf_counter()) - entered, answer.cached_tokens


def cancel_once(backend: Any, image: Any) -> tuple[float, float] | None:
    """Cancel a long answer after CANCEL_AFTER pieces (from another thread, as the window
    does): (seconds from cancel() to the answer returning, mean seconds between pieces);
    None when the answer ended first."""
    from desktop_app.core.types import Request

    pieces: list[float] = []
    enough = threading.Event()
    cancelled_at: list[float] = []

    def on_text(_: str) -> None:
        pieces.append(time.perf_counter())
        if len(pieces) >= CANCEL_AFTER:
            enough.set()

    def canceller() -> None:
        if enough.wait(600):
            cancelled_at.append(time.perf_counter())
            backend.cancel()

    thread = threading.Thread(target=canceller, daemon=True)
    thread.start()
    backend.start(Request.single(PROMPT, [image], max_new_tokens=400), on_text)
    returned = time.perf_counter()
    enough.set()
    thread.join()
    if not cancelled_at or len(pieces) < CANCEL_AFTER:
        return None
    step = (pieces[CANCEL_AFTER - 1] - pieces[0]) / (CANCEL_AFTER - 1)
    return returned - cancelled_at[0], step


def scripted_interval(backend: Any) -> float:
    """Mean seconds between the pieces of a scripted SCRIPTED_PIECES-piece answer."""
    from desktop_app.core.types import Request

    pieces: list[float] = []
    backend.start(
        Request.single(f"stream {SCRIPTED_PIECES}", []),
        lambda _: pieces.append(time.perf_counter()),
    )
    return (pieces[-1] - pieces[0]) / (len(pieces) - 1)


def scripted_first_s(backend: Any, image: Any) -> float:
    """Seconds to the one piece of a scripted answer to a request holding `image`."""
    from desktop_app.core.types import Request

    pieces: list[float] = []
    started = time.perf_counter()
    backend.start(Request.single("stream 1", [image]), lambda _: pieces.append(time.perf_counter()))
    return pieces[0] - started


def boundary_figures(folder: Path, runs: int) -> Figures:
    """First token, cancel and per-piece figures through the proxy and in this process, and
    the reload's first token."""
    from grounding import dense_screen

    from desktop_app.engine.local.backend import LocalBackend
    from desktop_app.engine.process import BackendSpec, Kind, ProcessBackend
    from desktop_app.engine.reading.grounded import grounded_if_asked
    from desktop_app.settings import EngineSettings
    from tests.helpers.process_fakes import ScriptedBackend

    screen = dense_screen(SCREEN)[0]
    figures: Figures = {}
    proxy = shipped_backend(folder)
    local = LocalBackend(settings_for(folder).engine)
    inproc = grounded_if_asked(local, settings_for(folder).engine)  # as the spec builds it
    try:
        # 5: reload, first: the proxy starts unloaded
        reloads: list[tuple[float, float, float]] = []
        for run in range(runs + 1):
            proxy.close()
            seen, own, _ = timed_answer(proxy, fresh(screen, 500 + run), 2)
            if run:  # the first warms the page cache
                reloads.append((seen, proxy.inner.load_seconds, own))
        figures["reload_s"] = statistics.median(seen for seen, _, _ in reloads)
        figures["reload_load_s"] = statistics.median(load for _, load, _ in reloads)
        figures["reload_own_first_s"] = statistics.median(own for _, _, own in reloads)
        for typing_s in ASK_TYPING_S:
            asks = []
            for run in range(runs):
                proxy.close()
                asks.append(asked_after_unload(proxy, fresh(screen, 600 + run), typing_s))
            figures[f"ask_{typing_s:g}_s"] = statistics.median(s for s, _ in asks)
            figures[f"ask_{typing_s:g}_cached"] = statistics.median(c for _, c in asks)
        inproc.load()
        local.warm_up()
        proxy.warm_up()
        # 4: first token, warm, interleaved
        seen_by: dict[str, list[tuple[float, float]]] = {"proxy": [], "inproc": []}
        for run in range(runs + 1):
            for name, backend in (("proxy", proxy), ("inproc", inproc)):
                seen, own, _ = timed_answer(backend, fresh(screen, run), 2)
                if run:
                    seen_by[name].append((seen, own))
        for name, pairs in seen_by.items():
            figures[f"{name}_first_s"] = statistics.median(seen for seen, _ in pairs)
            figures[f"{name}_crossing_ms"] = 1000 * statistics.median(s - o for s, o in pairs)
        cancels: dict[str, list[tuple[float, float]]] = {"proxy": [], "inproc": []}
        for run in range(runs):
            for name, backend in (("proxy", proxy), ("inproc", inproc)):
                cancelled = cancel_once(backend, fresh(screen, 100 + run))
                if cancelled is not None:
                    cancels[name].append(cancelled)
        for name, pairs in cancels.items():
            figures[f"{name}_cancel_ms"] = 1000 * statistics.median(c for c, _ in pairs)
            figures[f"{name}_step_ms"] = 1000 * statistics.median(s for _, s in pairs)
    finally:
        proxy.close()
        inproc.close()
    scripted_settings = EngineSettings(model="scripted")
    scripted = ProcessBackend(BackendSpec(Kind.LOCAL_MODEL, scripted_settings, factory=SCRIPTED))
    try:
        scripted.load()
        in_process = ScriptedBackend(scripted_settings)
        intervals: dict[str, list[float]] = {"proxy": [], "inproc": []}
        for _ in range(runs):
            intervals["proxy"].append(scripted_interval(scripted))
            intervals["inproc"].append(scripted_interval(in_process))
        crossings: dict[str, list[float]] = {"proxy": [], "inproc": []}
        for run in range(SCRIPTED_FIRSTS):
            for name, backend in (("proxy", scripted), ("inproc", in_process)):
                crossings[name].append(scripted_first_s(backend, fresh(screen, run)))
    finally:
        scripted.close()
    for name, values in crossings.items():
        figures[f"{name}_scripted_first_ms"] = 1000 * statistics.median(values)
    for name, values in intervals.items():
        figures[f"{name}_piece_ms"] = 1000 * statistics.median(values)
    return figures


# -- the section ---------------------------------------------------------------------------------
def measure(runs: int, cycles: int, cpu_python: str | None) -> Figures:
    from machine_info import built_apart

    figures: Figures = {"runs": runs, "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as scratch:
        folder = built_apart(SHAPE, Path(scratch) / "smolvlm-256m")  # torch imported later
        warm_cache(folder)  # the int8 cache, written once: the user's second start
        figures["window"] = window_figures(folder, cycles, Path(scratch))
        figures["child"] = child_memory(folder, runs)
        version = torch_version(cpu_python) if cpu_python else None
        if cpu_python and version:
            figures["cpu"] = {"torch": version, **child_memory(folder, runs, cpu_python)}
        figures["boundary"] = boundary_figures(folder, runs)
    figures["load_after"] = os.getloadavg()[0]
    return figures


def results_of(figures: Figures) -> dict[str, float]:
    """The figures of TARGET_ROWS, by key."""
    window, child, boundary = figures["window"], figures["child"], figures["boundary"]
    return {
        "window_peak_mb": max(window["window_hwm"], window["window_sampled_max"]),
        "child_loaded_mb": child["loaded"],
        "child_peak_mb": child["peak"],
        "unload_drift_mb": window["drift_max"],
        "boundary_first_token_ms": boundary["proxy_crossing_ms"] - boundary["inproc_crossing_ms"],
        "boundary_piece_ms": boundary["proxy_piece_ms"] - boundary["inproc_piece_ms"],
        "cancel_steps": boundary["proxy_cancel_ms"] / boundary["proxy_step_ms"],
        "reload_first_token_s": boundary["reload_s"],
    }


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else "**missed**"


def section(
    runs: int,
    cycles: int = CYCLES,
    cpu_python: str | None = CPU_PYTHON,
    results: dict[str, float] | None = None,
) -> list[str]:
    """The Markdown section; the target figures also go into `results`."""
    from machine_info import machine

    started = time.perf_counter()
    if cpu_python is not None and not Path(cpu_python).exists():
        cpu_python = None
    figures = measure(runs, cycles, cpu_python)
    found = results_of(figures)
    if results is not None:
        results.update(found)
    lines = _lines(figures, found, machine())
    return [*lines, f"Measured in {time.perf_counter() - started:.0f} s.", ""]


def _lines(figures: Figures, found: dict[str, float], machine_line: str) -> list[str]:
    from machine_info import target_row

    window, child, boundary = figures["window"], figures["child"], figures["boundary"]
    runs = figures["runs"]
    lines = [
        HEADING,
        "",
        f"`benchmarks/process.py`: random weights with {SHAPE}'s shapes, the int8 cache "
        "warmed by one load first (the user's second start), the default path (grounding on, "
        "the ProcessBackend that `gui.backends.local_backend_factory` makes). MB are 2^20 bytes "
        f"of resident memory (RSS); medians of {runs} run(s) after a warm-up unless said.",
        "",
        f"Measured on: {machine_line}. Other work shared the two cores: load average "
        f"{figures['load_before']:.1f} as it began, {figures['load_after']:.1f} as it ended; "
        "the times below are slower than on an idle machine, the boundary's costs (differences) "
        "less so.",
        "",
        "| target | measured | verdict |",
        "|---|---|---|",
    ]
    for what, key, limit, unit in TARGET_ROWS:
        lines.append(target_row(what, found[key], limit, unit))
    cpu = figures.get("cpu")
    cpu_line = (
        f"Under torch's CPU-only build (torch {cpu['torch']}, the model process started by "
        f"that venv's python): loaded {cpu['loaded']:.0f} MB "
        f"({_verdict(cpu['loaded'], 700)}), peak {cpu['peak']:.0f} MB, load {cpu['load_s']:.1f} s."
        if cpu
        else "torch's CPU-only build was not measured (no such venv here)."
    )
    lines += [
        "",
        "**The window's process** (`python -m desktop_app --model FOLDER`'s code: `cli.main` "
        f"and `gui.app.run_app`, on a {SCREEN[0]}x{SCREEN[1]} Xvfb screen showing dense text, "
        "private settings with the model loaded at first use and answers of at most "
        f"{WINDOW_TOKENS} tokens, offline; a script on its event loop loads the model, "
        "triggers Describe screen and Unload the model; this process samples /proc every "
        f"{1000 * SAMPLE_S:.0f} ms). torch imported in the window's process: "
        f"{'**yes**' if window['torch_in_window'] else 'never'}.",
        "",
        "| phase | window MB | its children MB | total MB |",
        "|---|---|---|---|",
    ]
    rows = [
        ("idle, no model (median)", window["idle"], window["idle_children"]),
        ("model loaded, idle (median)", window["loaded"], window["loaded_children"]),
        ("answering a describe (highest)", window["answering"], window["answering_children"]),
        ("after Unload the model (median)", window["after_unload"],
         window["after_unload_children"]),
    ]  # fmt: skip
    for name, own, kids in rows:
        lines.append(f"| {name} | {own:.0f} | {kids:.0f} | {own + kids:.0f} |")
    first_piece = window["answer_first_piece_s"]
    shown_first = "none" if first_piece is None else f"{first_piece:.2f} s"
    lines += [
        "",
        f"- The window's own peak over the whole run (VmHWM, {window['cycles']} cycles "
        f"included): {window['window_hwm']:.0f} MB. The describe wrote "
        f"{window['answer_tokens']} tokens, its first piece {shown_first} after the action "
        "(capture and the window hidden first included).",
        f"- The model process, started by the window, peaked at "
        f"{window['child_peak_loading']:.0f} MB while loading (VmHWM at model ready).",
        f"- After unload, over {window['cycles']} load/unload cycles of the 256M shape (each: "
        "Load the model, then Unload the model, 0.5 s, then window + children): at most "
        f"{window['drift_max']:.0f} MB off the idle total of {window['idle_total']:.0f} MB "
        f"(first cycle {window['drift_first']:+.0f} MB, last {window['drift_last']:+.0f} MB; "
        f"right after the describe's unload {window['after_unload'] - window['idle']:+.0f} MB, "
        "so what stays comes from the first describe, not from the cycles).",
        "",
        f"**The model process** alone, freshly started by the shipped ProcessBackend and "
        f"loaded: VmRSS {child['loaded']:.0f} MB, VmHWM {child['peak']:.0f} MB (its peak, "
        f"imports and loading included), load {child['load_s']:.1f} s as the window waits. "
        "The grounding's text reader runs in a process of its own, not counted here. "
        f"{cpu_line}",
        "",
        f"**The boundary** (the model warm, a {SCREEN[0]}x{SCREEN[1]} dense text screen with "
        "one new pixel each run, same prompt; proxy and in-process runs interleaved): first "
        f"token as the caller sees it {boundary['proxy_first_s']:.2f} s through the proxy, "
        f"{boundary['inproc_first_s']:.2f} s with the grounded LocalBackend in the caller's "
        "process (on two shared cores these differ by more than the boundary's cost). The "
        "boundary's own cost: the caller's first piece minus the backend's own first_token_s "
        f"is {boundary['proxy_crossing_ms']:.1f} ms through the proxy and "
        f"{boundary['inproc_crossing_ms']:.1f} ms in-process (the request, image included, "
        "pickled through the pipe; the piece back). The same without a model: a scripted "
        "backend's one-piece answer to a request holding that screen, first piece after "
        f"{boundary['proxy_scripted_first_ms']:.1f} ms through the proxy, "
        f"{boundary['inproc_scripted_first_ms']:.1f} ms in-process (its 10 ms step included; "
        f"median of {SCRIPTED_FIRSTS}).",
        f"- Per piece: a scripted backend (tests/helpers/process_fakes.py) streaming "
        f"{SCRIPTED_PIECES} pieces, mean interval {boundary['proxy_piece_ms']:.2f} ms through "
        f"the proxy, {boundary['inproc_piece_ms']:.2f} ms in-process.",
        f"- Cancel after {CANCEL_AFTER} pieces of a long answer, from another thread: "
        f"{boundary['proxy_cancel_ms']:.0f} ms from cancel() to the answer returning through "
        f"the proxy (decode step {boundary['proxy_step_ms']:.0f} ms), "
        f"{boundary['inproc_cancel_ms']:.0f} ms in-process (step "
        f"{boundary['inproc_step_ms']:.0f} ms).",
        f"- Reload: a request (the same screen, 2 tokens) to the shipped backend just "
        f"unloaded, to its first token: {boundary['reload_s']:.2f} s: the load in the model "
        f"process {boundary['reload_load_s']:.2f} s (from the int8 cache; the text reader's "
        "process starts and reads the screen meanwhile), the "
        f"answer's own first token {boundary['reload_own_first_s']:.2f} s (grounding, image "
        "encoding, prefill), the rest the process's start and imports "
        f"({boundary['reload_s'] - boundary['reload_load_s'] - boundary['reload_own_first_s']:.2f}"
        " s).",
        "- Ask about the screen with the model unloaded (the same screen): the model loads and "
        "the screen is read while the question is typed (see `asked_after_unload`); from "
        "Enter to the first token: "
        + "; ".join(
            f"typed in {typing_s:g} s, {boundary[f'ask_{typing_s:g}_s']:.2f} s "
            f"({boundary[f'ask_{typing_s:g}_cached']:.0f} prompt tokens continued from the "
            "prepared prompt)"
            for typing_s in ASK_TYPING_S
        )
        + ".",
        "",
    ]
    met = sum(found[key] <= limit for _, key, limit, _ in TARGET_ROWS)
    lines += [f"Targets met: {met} of {len(TARGET_ROWS)}.", ""]
    return lines


# -- docs/performance.md -------------------------------------------------------------------------
def write(lines: list[str], results: dict[str, float]) -> None:
    """Put the section into docs/performance.md in place of its last version (or before the
    benchmark time) and this benchmark's rows into its Targets table."""
    from machine_info import write_section

    write_section(HEADING, lines, results, TARGET_ROWS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cycles", type=int, default=CYCLES, help="load/unload cycles")
    parser.add_argument(
        "--cpu-python", default=CPU_PYTHON, help="python of a venv with torch's CPU-only build"
    )
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    parser.add_argument("--window-driver", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.window_driver:
        folder, cycles, speak_to = args.window_driver
        return drive_window(folder, int(cycles), speak_to)
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as cache:
        os.environ.setdefault("IRIS_CACHE_DIR", cache)  # leave the user's int8 cache alone
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        lines = section(args.runs, args.cycles, args.cpu_python, results)
    print("\n".join(lines))
    if args.write:
        write(lines, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
