"""The action table is the one place an action is declared: everything else is made from it."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from desktop_app.core import actions
from desktop_app.core.actions import ACTIONS, DEFAULT_HOTKEYS, Menu, key_table, readable_keys

if TYPE_CHECKING:
    from tests.helpers.controllers import ControllerFactory

PACKAGE = Path(actions.__file__).resolve().parents[1]
README = PACKAGE.parent / "README.md"
OTHER_MEANINGS = {
    ("engine/remote/answer_stream.py", "stop"),  # a server's finish_reason
    ("engine/tasks.py", "ask"),  # the command line's task name
    ("gui/closing.py", "quit"),  # the close question's answer
    ("testing/text_screens.py", "settings"),  # a word on a test screen
}
"""Strings spelled like an action's id that mean something else."""


def _string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_action_id_or_label_is_written_outside_the_table() -> None:
    spelled = {a.id for a in ACTIONS} | {a.label for a in ACTIONS}
    found = [
        f"{path.relative_to(PACKAGE)}:{line}: {value!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != Path(actions.__file__).resolve()
        for line, value in _string_constants(path)
        if value in spelled and (str(path.relative_to(PACKAGE)), value) not in OTHER_MEANINGS
    ]
    assert found == []


def test_ids_labels_shortcuts_and_hotkeys_are_unique() -> None:
    for attribute in ("id", "label", "handler"):
        values = [getattr(action, attribute) for action in ACTIONS]
        assert len(set(values)) == len(values), attribute
    shortcuts = [action.shortcut.lower() for action in ACTIONS if action.shortcut]
    assert len(set(shortcuts)) == len(shortcuts)
    assert len(set(DEFAULT_HOTKEYS.values())) == len(DEFAULT_HOTKEYS)


def test_every_action_is_reachable_and_has_a_handler(make_controller: ControllerFactory) -> None:
    from tests.helpers.fakes import NoCapture

    controller = make_controller(
        capturer=NoCapture(), backend=lambda: pytest.fail("no model is needed")
    )
    for action in ACTIONS:
        assert action.in_window or action.hotkey, action.id
        assert callable(controller.handler(action)), action.handler
        assert (action.id in controller.window.actions_by_key) == action.in_window
    assert all(actions.menu_actions(menu) for menu in Menu)


def test_readme_key_table_is_the_generated_one() -> None:
    assert key_table() in README.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("keys", "readable"),
    [("ctrl+alt+shift+d", "Ctrl+Alt+Shift+D"), ("Ctrl+Return", "Ctrl+Enter"), ("", "")],
)
def test_keys_are_written_as_people_write_them(keys: str, readable: str) -> None:
    assert readable_keys(keys) == readable


def test_cli_help_lists_every_global_hotkey(capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.cli.parser import build_parser

    help_text = build_parser().format_help()
    for action in ACTIONS:
        if action.hotkey:
            line = next(line for line in help_text.splitlines() if action.label in line)
            assert readable_keys(action.hotkey) in line
