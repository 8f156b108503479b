"""The Prompts page of Settings: the saved prompts as a list, with Add, Edit, Remove, Move up
and Move down, and Export and Import of the list as a JSON file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core import messages
from desktop_app.core.actions import readable_keys
from desktop_app.core.errors import IrisError
from desktop_app.gui.flow_layout import FlowLayout
from desktop_app.gui.prompt_editor import PromptEditor
from desktop_app.settings import SavedPrompt, export_prompts, import_prompts, merged

EditPrompt = Callable[[SavedPrompt | None, Sequence[str]], SavedPrompt | None]
"""Shows the editor for a prompt (None: a new one) beside the other names; the edited prompt,
or None when cancelled."""
ChooseFile = Callable[[bool], Path | None]
"""Asks for the export file (True) or the file to import (False); None when cancelled."""


def entry_text(prompt: SavedPrompt) -> str:
    """How the list shows a prompt: its name, and its hotkey when it has one."""
    if not prompt.hotkey:
        return prompt.name
    return messages.PROMPT_ENTRY_WITH_HOTKEY.format(
        name=prompt.name, hotkey=readable_keys(prompt.hotkey)
    )


class PromptsPage(QWidget):
    """Edits a copy of the saved prompts; `prompts()` gives them as shown. Import adds the
    file's prompts (those with a current name replace it) only when the whole file is good;
    what Import and Export did is shown below the buttons and told with `speak`."""

    def __init__(
        self,
        prompts: Sequence[SavedPrompt],
        speak: Callable[[str], None] | None = None,
        edit: EditPrompt | None = None,
        choose_file: ChooseFile | None = None,
    ) -> None:
        super().__init__()
        self._prompts = list(prompts)
        self._speak = speak
        self._edit = edit or self._edit_in_dialog
        self._choose_file = choose_file or self._file_dialog
        self.list = QListWidget()
        self.list.setObjectName("prompts")
        self.list.setAccessibleName(messages.PROMPTS_LIST_NAME)
        self.list.itemActivated.connect(lambda _item: self.edit_current())
        self.buttons: dict[str, QPushButton] = {}
        row = FlowLayout()  # wraps onto more rows in large text
        for key, label, handler in (
            ("add", messages.PROMPT_ADD, self.add),
            ("edit", messages.PROMPT_EDIT, self.edit_current),
            ("remove", messages.PROMPT_REMOVE, self.remove_current),
            ("move_up", messages.PROMPT_MOVE_UP, lambda: self.move_current(-1)),
            ("move_down", messages.PROMPT_MOVE_DOWN, lambda: self.move_current(1)),
            ("export", messages.PROMPTS_EXPORT, self.export),
            ("import", messages.PROMPTS_IMPORT, self.import_),
        ):
            button = QPushButton(label)
            button.setObjectName(f"prompt_{key}")
            button.clicked.connect(lambda _checked=False, handler=handler: handler())
            row.addWidget(button)
            self.buttons[key] = button
        self.result = QLabel()
        self.result.setObjectName("prompts_result")
        self.result.setAccessibleName(messages.PROMPTS_RESULT_NAME)
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.result.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(row)
        layout.addWidget(self.result)
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self._refill(0)

    def prompts(self) -> tuple[SavedPrompt, ...]:
        """The saved prompts as the list shows them."""
        return tuple(self._prompts)

    # -- editing ---------------------------------------------------------------------------
    def add(self) -> None:
        """Add a new prompt at the end (the editor first)."""
        made = self._edit(None, [prompt.name for prompt in self._prompts])
        if made is not None:
            self._prompts.append(made)
            self._refill(len(self._prompts) - 1)

    def edit_current(self) -> None:
        """Edit the selected prompt."""
        row = self.list.currentRow()
        if not 0 <= row < len(self._prompts):
            return
        others = [p.name for index, p in enumerate(self._prompts) if index != row]
        edited = self._edit(self._prompts[row], others)
        if edited is not None:
            self._prompts[row] = edited
            self._refill(row)

    def remove_current(self) -> None:
        """Remove the selected prompt."""
        row = self.list.currentRow()
        if 0 <= row < len(self._prompts):
            del self._prompts[row]
            self._refill(min(row, len(self._prompts) - 1))

    def move_current(self, step: int) -> None:
        """Move the selected prompt up (-1) or down (1); the focus stays on the list."""
        row = self.list.currentRow()
        target = row + step
        if 0 <= row < len(self._prompts) and 0 <= target < len(self._prompts):
            self._prompts[row], self._prompts[target] = self._prompts[target], self._prompts[row]
            self._refill(target)
        self.list.setFocus()

    def _refill(self, current: int) -> None:
        self.list.clear()
        self.list.addItems([entry_text(prompt) for prompt in self._prompts])
        if self._prompts:
            self.list.setCurrentRow(max(current, 0))
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.list.currentRow()
        chosen = 0 <= row < len(self._prompts)
        self.buttons["edit"].setEnabled(chosen)
        self.buttons["remove"].setEnabled(chosen)
        self.buttons["move_up"].setEnabled(chosen and row > 0)
        self.buttons["move_down"].setEnabled(chosen and row < len(self._prompts) - 1)
        self.buttons["export"].setEnabled(bool(self._prompts))

    # -- files -----------------------------------------------------------------------------
    def export(self) -> None:
        """Write the list to a JSON file the user chooses."""
        path = self._choose_file(True)
        if path is None:
            return
        try:
            export_prompts(path, self._prompts)
        except IrisError as error:
            self._tell(error.message)
            return
        self._tell(messages.PROMPTS_EXPORTED.format(path=path, count=len(self._prompts)))

    def import_(self) -> None:
        """Add the prompts of a JSON file the user chooses; on any problem, one sentence
        says what and where, and the list stays as it was."""
        path = self._choose_file(False)
        if path is None:
            return
        try:
            added = import_prompts(path)
        except IrisError as error:
            self._tell(error.message)
            return
        self._prompts = list(merged(self._prompts, added))
        self._refill(self.list.currentRow())
        self._tell(messages.PROMPTS_IMPORTED.format(path=path, count=len(added)))

    def _tell(self, text: str) -> None:
        self.result.setText(text)
        self.result.setAccessibleDescription(text)
        self.result.show()
        if self._speak is not None:
            self._speak(text)

    def _edit_in_dialog(
        self, prompt: SavedPrompt | None, taken: Sequence[str]
    ) -> SavedPrompt | None:
        editor = PromptEditor(prompt, taken, self)
        if editor.exec() != PromptEditor.DialogCode.Accepted:
            return None
        return editor.result_prompt()

    def _file_dialog(self, saving: bool) -> Path | None:
        title = (messages.PROMPTS_EXPORT if saving else messages.PROMPTS_IMPORT).replace("&", "")
        filter_ = messages.PROMPTS_FILE_FILTER
        if saving:
            chosen, _ = QFileDialog.getSaveFileName(self, title, "prompts.json", filter_)
        else:
            chosen, _ = QFileDialog.getOpenFileName(self, title, "", filter_)
        return Path(chosen) if chosen else None
