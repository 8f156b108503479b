"""`python -m desktop_app.testing`, the command a developer uses to build a tiny offline model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from desktop_app.testing.random_models import FAMILIES, REAL_SHAPES

ROOT = Path(__file__).resolve().parents[2]


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop_app.testing", *arguments],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip


def test_help_exits_0_and_names_every_kind_and_how_to_try_the_window() -> None:
    result = _run("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m desktop_app.testing")
    for kind in (*FAMILIES, *REAL_SHAPES):
        assert kind in result.stdout
    assert "./run.sh --model /tmp/tiny" in result.stdout


def test_bad_arguments_exit_2_with_the_usage() -> None:
    for arguments in ((), ("no-such-family", "/tmp/unused"), ("idefics3",)):
        result = _run(*arguments)
        assert result.returncode == 2, arguments
        assert "usage: python -m desktop_app.testing" in result.stderr
        assert result.stdout == ""
