"""Nothing lost: settings and history saves survive SIGKILL at any moment, a full disk and a
read-only folder, and leave the last good file whole."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.core import messages
from desktop_app.settings import (
    AppSettings,
    Conversation,
    Exchange,
    load_history,
    load_settings,
    save_error_message,
    save_settings,
    write_history,
)
from desktop_app.settings.atomic import leftover_temporaries, remove_leftovers
from tests.helpers.disk_faults import Fault, FaultyOpener
from tests.helpers.save_loop import (
    HISTORY,
    SETTINGS,
    history_for,
    number_of_history,
    number_of_settings,
    settings_for,
)

ROOT = Path(__file__).resolve().parents[2]
KILLS = 120
SEED = 6
LONGEST_RUN_S = 0.04
"""A child saves for a random time up to this long before it is killed."""


class SaveLog:
    """What one file's saves did, as the child told it: the last begun and last ended."""

    def __init__(self) -> None:
        self.begun = -1
        self.ended = -1

    def note(self, event: str, number: int) -> None:
        """Take one line of the child's report."""
        if event == "begin":
            self.begun = number
        else:
            self.ended = number


def _run_child(folder: Path, start: int, rng: random.Random) -> list[str]:
    """Start a saving child, let it save for a random moment, SIGKILL it; its report lines."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.save_loop", str(folder), str(start)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == b"ready\n"
    # A deliberate random delay: it chooses where in the save cycle the kill lands.
    time.sleep(rng.uniform(0, LONGEST_RUN_S))
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    lines = child.stdout.read().decode().splitlines()
    child.stdout.close()
    return lines


@pytest.mark.slow
def test_sigkill_during_saves_never_loses_a_save(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    logs = {"settings": SaveLog(), "history": SaveLog()}
    loads = leftovers = mid_save = mid_rename = 0
    start = 0
    began = time.perf_counter()
    for _ in range(KILLS):
        lines = _run_child(tmp_path, start, rng)
        for line in lines:
            event, name, number = line.split()
            logs[name].note(event, int(number))
        killed_in = lines[-1].split()[1] if lines and lines[-1].startswith("begin") else None
        mid_save += killed_in is not None
        # What is on disk is whole and parses as JSON, before Iris's loaders see it.
        for name in (SETTINGS, HISTORY):
            if (tmp_path / name).exists():
                assert json.loads((tmp_path / name).read_text(encoding="utf-8"))
        found = len(leftover_temporaries(tmp_path / SETTINGS))
        found += len(leftover_temporaries(tmp_path / HISTORY))
        settings = load_settings(tmp_path / SETTINGS)
        history = load_history(tmp_path / HISTORY)
        loads += 2
        for name, number, loaded, expected in (
            ("settings", number_of_settings(settings), settings, settings_for),
            ("history", number_of_history(history), history, history_for),
        ):
            log = logs[name]
            # Either the last completed save or the one in progress; never an older one.
            assert number in (log.ended, log.begun), (name, number, log.ended, log.begun)
            if number >= 0:
                assert loaded == expected(number)
            mid_rename += name == killed_in and number == log.begun
            log.ended = number  # what is on disk now is what the next round must keep
        cleaned = remove_leftovers(tmp_path / SETTINGS, older_than_s=0)
        cleaned += remove_leftovers(tmp_path / HISTORY, older_than_s=0)
        assert cleaned == found
        leftovers += found
        start = max(log.begun for log in logs.values()) + 1
    took = time.perf_counter() - began
    assert sorted(p.name for p in tmp_path.iterdir()) == [HISTORY, SETTINGS]  # no corrupt copies
    assert min(log.ended for log in logs.values()) >= KILLS // 2
    assert mid_save > 0  # the kills did land inside saves
    print(
        f"SIGKILL test: {KILLS} kills in {took:.1f} s, {loads} loads checked, "
        f"{logs['settings'].ended + 1} settings and {logs['history'].ended + 1} history saves; "
        f"killed mid-save {mid_save} times ({mid_rename} after the rename, before its report); "
        f"leftover temporary files found {leftovers}, cleaned {leftovers}"
    )


SAVERS: dict[str, tuple[Callable[..., object], Callable[[Path], object], object, object]] = {
    "settings": (save_settings, load_settings, settings_for(1), settings_for(2)),
    "history": (write_history, load_history, history_for(1), history_for(2)),
}


@pytest.mark.parametrize("fault", list(Fault))
@pytest.mark.parametrize("what", list(SAVERS))
def test_failed_save_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, what: str, fault: Fault
) -> None:
    save, load, old, new = SAVERS[what]
    path = tmp_path / f"{what}.json"
    save(old, path)
    before = path.read_bytes()
    opener = FaultyOpener(fault)
    with pytest.raises(OSError) as raised:
        save(new, path, opener=opener)
    assert raised.value.errno == (errno.ENOSPC if fault is Fault.DISK_FULL else errno.EROFS)
    assert opener.failures == 1
    assert path.read_bytes() == before and load(path) == old
    assert [p.name for p in tmp_path.iterdir()] == [path.name]
    opener.fault = None  # space freed, folder writable again
    save(new, path, opener=opener)
    assert load(path) == new


_FILE_SIZE_LIMIT_CHILD = """
import resource, signal, sys
from pathlib import Path
from desktop_app.settings import Conversation, Exchange, write_history
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
big = (Conversation("t", (Exchange("q", "z" * (4 * limit), "t"),)),)
try:
    write_history(big, Path(sys.argv[1]))
except OSError as error:
    print(error.errno)
"""


def test_real_write_failure_part_way_keeps_the_old_file(tmp_path: Path) -> None:
    """The kernel refuses to grow the temporary file past RLIMIT_FSIZE (EFBIG) half-way
    through the save, as a disk filling up would."""
    path = tmp_path / "history.json"
    old = (Conversation("t", (Exchange("q", "small answer", "t"),)),)
    write_history(old, path)
    before = path.read_bytes()
    result = subprocess.run(
        [sys.executable, "-c", _FILE_SIZE_LIMIT_CHILD, str(path), str(64 * 1024)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == errno.EFBIG
    assert path.read_bytes() == before and load_history(path) == old
    assert [p.name for p in tmp_path.iterdir()] == ["history.json"]


def test_loading_removes_only_stale_temporaries(tmp_path: Path) -> None:
    path = save_settings(AppSettings(), tmp_path / "settings.json")
    stale = tmp_path / ".settings.json.0123.tmp"
    fresh = tmp_path / ".settings.json.4567.tmp"
    for leftover in (stale, fresh):
        leftover.write_text('{"half": ')
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    assert load_settings(path) == AppSettings()
    assert sorted(p.name for p in tmp_path.iterdir()) == [fresh.name, "settings.json"]


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (errno.ENOSPC, messages.SAVE_DISK_FULL),
        (errno.EROFS, messages.SAVE_READ_ONLY),
        (errno.EACCES, messages.SAVE_READ_ONLY),
        (errno.EIO, messages.SAVE_FAILED),
    ],
)
def test_save_errors_are_explained(number: int, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    error = OSError(number, os.strerror(number), str(path))
    message = save_error_message(error, path, messages.SAVE_WHAT_HISTORY)
    fields = {"what": messages.SAVE_WHAT_HISTORY, "reason": os.strerror(number)}
    shown_path = path.parent if expected == messages.SAVE_DISK_FULL else path
    assert message == expected.format(path=shown_path, **fields)
    assert "conversation history" in message
