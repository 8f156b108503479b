"""The Prompts page of Settings and the saved prompt editor: editing the list, Export and
Import (a bad file told in one sentence, the list unchanged), every field labelled."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPlainTextEdit, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.core import messages
from desktop_app.gui.prompt_editor import FIELDS, PromptEditor
from desktop_app.gui.prompts_page import PromptsPage
from desktop_app.gui.screen_room import screen_room
from desktop_app.gui.settings_dialog import SettingsDialog
from desktop_app.settings import AppSettings, PromptTarget, SavedPrompt, export_prompts
from tests.helpers.reflow import cut_off

MINE = SavedPrompt("Menu check", "List the menu's items.", hotkey="ctrl+alt+shift+1")
SHIPPED = AppSettings().prompts


class Files:
    """Answers the page's file questions with `path` (None: cancelled)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.asked: list[bool] = []

    def __call__(self, saving: bool) -> Path | None:
        self.asked.append(saving)
        return self.path


def _page(qtbot: QtBot, files: Files | None = None, made: SavedPrompt | None = None) -> PromptsPage:
    def edit(prompt: SavedPrompt | None, taken: Sequence[str]) -> SavedPrompt | None:
        return made

    page = PromptsPage(SHIPPED, edit=edit, choose_file=files or Files(None))
    qtbot.addWidget(page)
    return page


def _shown(page: PromptsPage) -> list[str]:
    return [page.list.item(row).text() for row in range(page.list.count())]


def test_add_edit_remove_and_move(qtbot: QtBot) -> None:
    page = _page(qtbot, made=MINE)
    page.add()
    assert page.prompts() == (*SHIPPED, MINE)
    assert _shown(page)[-1] == "Menu check (Ctrl+Alt+Shift+1)"
    assert page.list.currentRow() == len(SHIPPED)
    page.move_current(-1)
    assert page.prompts()[-2] == MINE and page.list.currentRow() == len(SHIPPED) - 1
    page.list.setCurrentRow(0)
    assert not page.buttons["move_up"].isEnabled()
    page.remove_current()
    assert page.prompts() == (*SHIPPED[1:-1], MINE, SHIPPED[-1])
    page.list.setCurrentRow(0)
    page.edit_current()  # the editor gives MINE back for the first entry
    assert page.prompts()[0] == MINE


def test_export_then_import_round_trip(qtbot: QtBot, tmp_path: Path) -> None:
    file = tmp_path / "mine.json"
    page = _page(qtbot, Files(file))
    page.export()
    assert file.exists() and str(file) in page.result.text()
    page.list.setCurrentRow(0)
    page.remove_current()
    page.import_()
    assert page.prompts() == (*SHIPPED[1:], SHIPPED[0])  # the missing one comes back at the end
    assert page.result.accessibleDescription() == page.result.text() != ""


@pytest.mark.parametrize(
    "content",
    ['{"version": 1, "prompts": [}', '{"version": 9, "prompts": []}',
     '{"version": 1, "prompts": [{"name": "", "instruction": "x"}]}'],
)  # fmt: skip
def test_a_bad_import_says_one_sentence_and_changes_nothing(
    qtbot: QtBot, tmp_path: Path, content: str
) -> None:
    file = tmp_path / "bad.json"
    file.write_text(content, encoding="utf-8")
    spoken: list[str] = []
    page = PromptsPage(SHIPPED, speak=spoken.append, choose_file=Files(file))
    qtbot.addWidget(page)
    page.import_()
    assert page.prompts() == SHIPPED and _shown(page) == [p.name for p in SHIPPED]
    assert spoken == [page.result.text()] and str(file) in spoken[0]
    assert spoken[0].endswith(".") and spoken[0].count(". ") == 0


def test_a_cancelled_file_choice_does_nothing(qtbot: QtBot) -> None:
    files = Files(None)
    page = _page(qtbot, files)
    page.export()
    page.import_()
    assert files.asked == [True, False] and page.result.isHidden()


def test_the_editor_labels_every_field_and_checks_them(qtbot: QtBot) -> None:
    editor = PromptEditor(None, taken=["Chart"])
    qtbot.addWidget(editor)
    for entry in FIELDS:
        widget = editor.controls[entry.name]
        assert widget.accessibleName() == entry.label, entry.name
    name, instruction = editor.controls["name"], editor.controls["instruction"]
    assert isinstance(name, QLineEdit) and isinstance(instruction, QPlainTextEdit)
    problems = [message for _, message in editor.problems_found()]
    assert problems == [messages.PROMPT_NAME_REQUIRED, messages.PROMPT_INSTRUCTION_REQUIRED]
    name.setText("chart")
    instruction.setPlainText("Say the chart's title.")
    editor.hotkey.setText("f5")
    problems = [message for _, message in editor.problems_found()]
    assert problems == [
        messages.PROMPT_NAME_TAKEN.format(name="chart"),
        messages.PROMPT_HOTKEY_NO_MODIFIER.format(name="chart", text="f5"),
    ]
    editor.accept()
    assert not editor.problems.isHidden() and editor.result() == 0  # still open
    name.setText("Bar chart")
    editor.hotkey.setText("Ctrl+Alt+Shift+2")
    target = editor.controls["target"]
    assert isinstance(target, QComboBox)
    target.setCurrentIndex(list(FIELDS["target"].choice_labels).index(PromptTarget.REGION))
    made = editor.result_prompt()
    assert made.name == "Bar chart" and made.target is PromptTarget.REGION
    assert made.hotkey == "ctrl+alt+shift+2"


@pytest.mark.parametrize("factor", [2, 3], ids=["double text", "triple text"])
def test_the_editor_fits_large_french_text_and_scrolls_to_each_field(
    qtbot: QtBot,
    interface_language: Callable[[str], str],
    text_size: Callable[[float], None],
    factor: float,
) -> None:
    """On the 800-pixel offscreen screen Qt opened it at two thirds of the screen's width,
    with the height of its labels on one line: the wrapped check box's first line was cut off,
    the instruction field squeezed beside its label, and in triple text its last fields and
    buttons were below the window's edge. Now the fields scroll and the buttons stay."""
    interface_language("fr")
    text_size(factor)
    editor = PromptEditor(None)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    room = screen_room(editor)
    assert editor.width() <= room.width() and editor.height() <= room.height()
    for button in editor.findChildren(QPushButton):  # OK and Cancel, always in view
        assert editor.rect().contains(button.geometry(), proper=False)
    instruction = editor.controls["instruction"]
    assert instruction.width() >= instruction.fontMetrics().horizontalAdvance("x" * 16)
    assert cut_off(editor, editor) == []
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    editor.controls["name"].setFocus()
    for _ in range(len(editor.controls) - 1):  # Tab to the hotkey, the last field
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    assert editor.hotkey.hasFocus()
    qtbot.waitUntil(lambda: editor.hotkey.visibleRegion().boundingRect() == editor.hotkey.rect())


def test_settings_keep_the_edited_list_and_refuse_a_hotkey_an_action_has(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = SettingsDialog(AppSettings())
    qtbot.addWidget(dialog)
    taken = SavedPrompt("Clash", "x", hotkey=AppSettings().hotkeys["describe_screen"])
    file = tmp_path / "clash.json"
    export_prompts(file, [taken])
    dialog.prompts_page._choose_file = Files(file)
    dialog.prompts_page.import_()
    problems = [message for _, message in dialog.problems_found()]
    assert len(problems) == 1 and "Clash" in problems[0] and "Describe screen" in problems[0]
    dialog.hotkey_fields["describe_screen"].setText("ctrl+alt+shift+9")
    assert dialog.problems_found() == []
    assert dialog.result_settings().prompts == (*SHIPPED, taken)
