"""The environment for starting the real app (`python -m desktop_app`) offscreen in a test."""

from __future__ import annotations

import os
from pathlib import Path


def offscreen_app_env(tmp_path: Path, report: Path) -> dict[str, str]:
    """This environment without a display, with private config and Hugging Face folders,
    offline, and the startup probe writing `report` then quitting half a second later."""
    env = {
        key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")
    }
    env.update(
        QT_QPA_PLATFORM="offscreen",
        IRIS_CONFIG_DIR=str(tmp_path / "config"),
        HF_HOME=str(tmp_path / "hf"),
        HF_HUB_OFFLINE="1",
        IRIS_REPORT_READY=str(report),
        IRIS_REPORT_IDLE_AFTER="0.5",
    )
    return env
