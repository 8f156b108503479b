""".pre-commit-config.yaml runs the suite's checks with the venv's own tools."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

EXPECTED_ENTRIES = {
    # the same commands as tests/unit/test_architecture.py
    "ruff": ["ruff", "check", "desktop_app", "tests"],
    "ruff-format": ["ruff", "format", "--check", "desktop_app", "tests"],
    "mypy": ["mypy"],
    "import-linter": ["lint-imports", "--no-cache"],
}


def _config() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(
        (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    )
    return config


def _hooks() -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for repo in _config()["repos"] for hook in repo["hooks"]}


def test_the_four_checks_are_local_hooks_with_the_suites_arguments() -> None:
    assert [repo["repo"] for repo in _config()["repos"]] == ["local"]  # nothing to download
    hooks = _hooks()
    assert set(hooks) == set(EXPECTED_ENTRIES)
    for hook_id, expected in EXPECTED_ENTRIES.items():
        hook = hooks[hook_id]
        program, *arguments = shlex.split(hook["entry"])
        assert program == f".venv/bin/{expected[0]}", hook_id
        assert arguments == expected[1:], hook_id
        assert hook["language"] == "system", hook_id
        assert hook["pass_filenames"] is False, hook_id  # whole packages, as the suite checks


def test_every_hooks_tool_is_in_the_venv() -> None:
    for hook_id, hook in _hooks().items():
        tool = BIN / Path(shlex.split(hook["entry"])[0]).name
        assert tool.is_file(), f"{hook_id}: {tool} is missing"
