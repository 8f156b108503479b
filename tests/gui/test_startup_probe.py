"""IRIS_REPORT_READY: the window reports when it is usable and what it holds once idle."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core import messages
from desktop_app.gui import startup_probe
from desktop_app.gui.main_window import MainWindow
from tests.helpers.app_process import offscreen_app_env

ROOT = Path(__file__).resolve().parents[2]


def test_without_the_variable_nothing_is_armed(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(startup_probe.READY_VARIABLE, raising=False)
    window = MainWindow()
    qtbot.addWidget(window)
    assert startup_probe.install(window, lambda: None) is False


def test_reports_ready_then_idle_then_quits(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    report = tmp_path / "ready.json"
    monkeypatch.setenv(startup_probe.READY_VARIABLE, str(report))
    monkeypatch.setenv(startup_probe.IDLE_AFTER_VARIABLE, "0.2")
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    quits: list[float] = []
    before = time.time()
    assert startup_probe.install(window, lambda: quits.append(time.time()))
    assert not report.exists()  # only once the event loop runs
    qtbot.waitUntil(lambda: bool(quits), timeout=5000)
    data = json.loads(report.read_text())
    ready, idle = data["ready"], data["idle"]
    assert before <= ready["time"] <= idle["time"] <= quits[0]
    assert idle["time"] - ready["time"] >= 0.2
    assert ready["status"] == window.status.text()
    assert ready["modal"] is None
    assert 1 < ready["rss_mb"] < 100_000
    assert not list(tmp_path.glob("*.part"))


def test_the_real_app_is_ready_without_torch_and_quits_cleanly(tmp_path: Path) -> None:
    """`python -m desktop_app` with no model anywhere: window, first-run question, no torch."""
    report = tmp_path / "ready.json"
    env = offscreen_app_env(tmp_path, report)
    command = [sys.executable, "-m", "desktop_app", "--speak-to-files", str(tmp_path / "speech")]
    started = time.time()
    process = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    ended = time.time()
    output = process.stdout + process.stderr
    assert process.returncode == 0, output
    assert "Traceback" not in output and "ERROR" not in output, output
    data = json.loads(report.read_text())
    ready, idle = data["ready"], data["idle"]
    assert started < ready["time"] < idle["time"] < ended
    assert idle["time"] - ready["time"] >= 0.5
    assert ready["torch_imported"] is False
    assert idle["torch_imported"] is False
    assert 20 < ready["rss_mb"] <= idle["rss_mb"] < 2000
    assert idle["modal"] == messages.FIRST_RUN_TITLE  # no model: Iris asks to download one
