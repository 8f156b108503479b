"""Iris started as a user starts it (`python -m desktop_app --model FOLDER`) on a real X
display, under its own D-Bus session with Qt's accessibility bridge on, while a probe in the
system Python reads the window back with pyatspi (as Orca does) and presses keys with xdotool."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PROBE = ROOT / "tests" / "helpers" / "atspi_probe.py"
SYSTEM_PYTHON = "/usr/bin/python3"


def run_iris_with_probe(
    display: str,
    model: Path,
    tmp_path: Path,
    probe_args: list[str],
    *,
    config: Path,
    base_env: Mapping[str, str] = os.environ,
    extra_env: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], list[Path], str]:
    """Run Iris (settings in `config`, speech written as WAV files) and the probe with
    `probe_args`; the probe's findings, the WAV files and the combined output (for messages).
    Fails unless both ended well."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    speech = tmp_path / "speech"
    out = tmp_path / "probe.json"
    log = tmp_path / "iris.log"
    env = {
        **base_env,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
        "XDG_RUNTIME_DIR": str(runtime),
        "IRIS_CONFIG_DIR": str(config),
        "HF_HUB_OFFLINE": "1",
        **(extra_env or {}),
    }
    iris = (
        f"{sys.executable} -m desktop_app --model {model} --speak-to-files {speech} "
        f"> {log} 2>&1 & app=$!; "
        f"{SYSTEM_PYTHON} {PROBE} {out} {shlex.join(probe_args)}; probe=$?; "
        "kill $app; wait $app; exit $probe"
    )
    result = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", iris],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    details = result.stdout + result.stderr + (log.read_text() if log.exists() else "")
    assert result.returncode == 0, details
    wavs = sorted(speech.glob("*.wav")) if speech.exists() else []
    return json.loads(out.read_text()), wavs, details
