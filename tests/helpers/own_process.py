"""Python run in a process of its own, for what must happen before an import this test process
has made already (torch, transformers): the model process's stand-ins and lean imports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop_app.engine.local.lean_imports import ONE_MODEL_ENV

ROOT = Path(__file__).resolve().parents[2]


def run_python(
    code_or_argv: list[str], timeout: float = 600, **environment: str
) -> subprocess.CompletedProcess[str]:
    """`python ARGV` from the project's root, with `environment` added to this process's
    (without ONE_MODEL_ENV unless given)."""
    env = {key: value for key, value in os.environ.items() if key != ONE_MODEL_ENV}
    env.update(environment)
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, *code_or_argv], env=env, capture_output=True, text=True, timeout=timeout,
        cwd=ROOT,
    )  # fmt: skip


def printed(code: str, timeout: float = 600) -> list[str]:
    """The words `code` printed, run in a Python process of its own (which must succeed)."""
    done = run_python(["-c", code], timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()
