"""The app ends cleanly when the system asks it to: SIGTERM (logout, shutdown), SIGHUP, Ctrl+C."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.gui.quit_on_signal import ENDING_SIGNALS, QuitOnSignal
from tests.helpers.app_process import offscreen_app_env

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 120.0

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


@pytest.mark.parametrize("number", ENDING_SIGNALS)
def test_a_signal_quits_from_the_event_loop_once(qtbot: QtBot, number: int) -> None:
    quits: list[int] = []
    previous = signal.getsignal(number)
    watcher = QuitOnSignal(lambda: quits.append(number))
    try:
        assert signal.getsignal(number) is not previous
        os.kill(os.getpid(), number)
        qtbot.waitUntil(lambda: bool(quits), timeout=5000)
        assert quits == [number]
        assert signal.getsignal(number) is previous  # a second signal does as it did before
    finally:
        watcher.stop()
        watcher.stop()
    assert signal.getsignal(number) is previous
    assert signal.set_wakeup_fd(-1) == -1  # given back too


def _children(pid: int) -> set[int]:
    """The processes `pid` started, and theirs (Linux /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            text = (task / "children").read_text()
        except OSError:
            continue
        for child in map(int, text.split()):
            found |= {child, *_children(child)}
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@contextlib.contextmanager
def _started(tmp_path: Path, *arguments: str) -> Iterator[tuple[subprocess.Popen[str], Path, Path]]:
    """The real app offscreen, its temporary files in a folder of their own, once its window
    is up (the startup probe's first record): (the process, the probe's report, the folder).
    Killed at the end if still running."""
    report = tmp_path / "ready.json"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = offscreen_app_env(tmp_path, report)
    env.update(IRIS_REPORT_IDLE_AFTER="600", TMPDIR=str(scratch))
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", *arguments],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not report.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # the report is the app's own signal that its window is up
        assert report.exists(), "the window never came up"
        yield process, report, scratch
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_the_app_asked_to_end_shuts_down_and_leaves_nothing_behind(
    tmp_path: Path, tiny_models: dict[str, Path], number: int
) -> None:
    """The model loading (its process running) and speech on: after the signal the app exits
    with 0, its model process is gone and its temporary folders are removed."""
    model = str(tiny_models["idefics3"])
    speech = str(tmp_path / "speech")
    with _started(tmp_path, "--model", model, "--speak-to-files", speech) as started:
        _ask_to_end(*started, number)


def _ask_to_end(process: subprocess.Popen[str], report: Path, scratch: Path, number: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    children: set[int] = set()
    while process.poll() is None and time.monotonic() < deadline:
        children = _children(process.pid)  # the model process, started by the window
        if children and list(scratch.iterdir()):  # and speech's scratch folder
            break
        time.sleep(0.05)
    assert children, "the model process never started"
    assert list(scratch.iterdir()), "nothing temporary to clean up: the test proves nothing"
    process.send_signal(number)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "Traceback" not in output, output
    assert [child for child in children if _alive(child)] == []
    assert list(scratch.iterdir()) == []
    assert "idle" not in json.loads(report.read_text())  # it ended on the signal, not the probe


@pytest.mark.slow
def test_the_app_asked_to_end_during_the_first_run_question_ends(tmp_path: Path) -> None:
    """No model: the first-run question is open (a dialog's own event loop) when SIGTERM comes."""
    with _started(tmp_path, "--speak-to-files", str(tmp_path / "speech")) as (process, _, scratch):
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        assert process.returncode == 0, output
        assert "Traceback" not in output, output
        assert [path.name for path in scratch.iterdir()] == []
