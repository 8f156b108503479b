"""`IRIS_REPORT_READY=FILE`: how soon the window is usable and what the idle app holds.

For benchmarks and tests. When the event loop first runs after the window is shown, FILE
gets `{"ready": RECORD}`; `IRIS_REPORT_IDLE_AFTER` seconds later (default 3), once the
background startup has had time to settle, `{"ready": RECORD, "idle": RECORD}`, and the app
quits. A RECORD holds `time` (`time.time()`), `torch_imported`, `rss_mb` (resident memory,
10^6 bytes; None where /proc is missing), the status line and any modal dialog's title.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from desktop_app.gui.main_window import MainWindow
from desktop_app.settings import write_atomically

READY_VARIABLE = "IRIS_REPORT_READY"
IDLE_AFTER_VARIABLE = "IRIS_REPORT_IDLE_AFTER"
DEFAULT_IDLE_AFTER_S = 3.0


def install(window: MainWindow, quit_app: Callable[[], None]) -> bool:
    """Arm the probe if `IRIS_REPORT_READY` is set (call right after `window.show()`)."""
    target = os.environ.get(READY_VARIABLE)
    if not target:
        return False
    path = Path(target)
    report: dict[str, Any] = {}
    idle_timer = QTimer(window)
    idle_timer.setSingleShot(True)
    idle_timer.setTimerType(Qt.TimerType.PreciseTimer)

    def ready() -> None:
        report["ready"] = _record(window)
        _write(path, report)
        idle_timer.start(round(1000 * _idle_after_s()))

    def idle() -> None:
        report["idle"] = _record(window)
        _write(path, report)
        quit_app()

    idle_timer.timeout.connect(idle)
    QTimer.singleShot(0, ready)
    return True


def rss_mb() -> float | None:
    """This process's resident memory in MB (10^6 bytes, Linux); None without /proc."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _record(window: MainWindow) -> dict[str, Any]:
    modal = QApplication.activeModalWidget()
    return {
        "time": time.time(),
        "torch_imported": "torch" in sys.modules,
        "rss_mb": rss_mb(),
        "status": window.status.text(),
        "modal": modal.windowTitle() if modal is not None else None,
    }


def _idle_after_s() -> float:
    try:
        return max(0.0, float(os.environ.get(IDLE_AFTER_VARIABLE, DEFAULT_IDLE_AFTER_S)))
    except ValueError:
        return DEFAULT_IDLE_AFTER_S


def _write(path: Path, report: dict[str, Any]) -> None:
    """Whole or not at all: a reader never sees half a file."""
    write_atomically(path, json.dumps(report))
