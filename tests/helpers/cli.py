"""Running `iris` in-process and reading its JSON-lines output."""

from __future__ import annotations

import json
from typing import Any

import pytest

from desktop_app.cli.main import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`iris ARGS` in this process: exit code, stdout, stderr."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def events(stdout: str) -> list[dict[str, Any]]:
    """The JSON objects of `--format jsonl` output, one a line."""
    return [json.loads(line) for line in stdout.splitlines()]
