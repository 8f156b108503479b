"""The dialog that adds or edits one saved prompt: a labelled control for each of its fields,
made from its declaration (`SavedPrompt`), checked before OK."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core import messages
from desktop_app.core.errors import HotkeyError
from desktop_app.gui.page_tabs import PageScroll
from desktop_app.gui.screen_reader_fixes import describe_value
from desktop_app.gui.screen_room import opening_size
from desktop_app.gui.setting_controls import (
    add_control,
    control_problem,
    control_value,
    reflowing_form,
)
from desktop_app.hotkeys import parse_hotkey
from desktop_app.settings import SavedPrompt
from desktop_app.settings.schema import Schema

FIELDS = Schema(SavedPrompt)
"""The saved prompt's fields, in the order the dialog shows them."""
HOTKEY_MODIFIERS = frozenset({"ctrl", "alt", "shift", "super"})


class PromptEditor(QDialog):
    """Edit `prompt` (a new one when None); `taken` are the other prompts' names, which this
    one may not take. `result_prompt()` gives the prompt as the fields show it."""

    def __init__(
        self,
        prompt: SavedPrompt | None,
        taken: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(messages.PROMPT_EDITOR_TITLE)
        self.setAccessibleName(messages.PROMPT_EDITOR_TITLE)
        self._original = prompt or SavedPrompt()
        self._taken = {name.strip().casefold() for name in taken}
        fields = QWidget()
        form = reflowing_form(fields)
        self.controls: dict[str, QWidget] = {}
        for entry in FIELDS:
            widget = add_control(form, entry, entry.value_in(self._original))
            self.controls[entry.name] = widget
        self.hotkey = self.controls["hotkey"]
        assert isinstance(self.hotkey, QLineEdit)
        describe_value(self.hotkey)  # as the Hotkeys page's fields: Orca drops the last key
        self.problems = QLabel()
        self.problems.setObjectName("prompt_problems")
        self.problems.setAccessibleName(messages.PROBLEMS_NAME)
        self.problems.setWordWrap(True)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.problems.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(PageScroll(fields))  # in large text the fields scroll, not the buttons
        layout.addWidget(self.problems)
        layout.addWidget(buttons)
        self.controls["name"].setFocus()
        self.resize(opening_size(self))

    def problems_found(self) -> list[tuple[QWidget, str]]:
        """Each field whose value cannot be kept, with the reason, in the order shown."""
        found: list[tuple[QWidget, str]] = []
        for entry in FIELDS:
            problem = control_problem(entry, self.controls[entry.name])
            if problem is not None:
                found.append((self.controls[entry.name], problem))
        name = str(control_value(FIELDS["name"], self.controls["name"], "")).strip()
        if name and name.casefold() in self._taken:
            found.append((self.controls["name"], messages.PROMPT_NAME_TAKEN.format(name=name)))
        problem = hotkey_problem(name, self.hotkey_text())
        if problem:
            found.append((self.hotkey, problem))
        return found

    def hotkey_text(self) -> str:
        """The hotkey as typed."""
        assert isinstance(self.hotkey, QLineEdit)
        return self.hotkey.text().strip()

    def result_prompt(self) -> SavedPrompt:
        """The prompt as the fields show it; ValueError when a field is invalid."""
        problems = self.problems_found()
        if problems:
            raise ValueError(" ".join(message for _, message in problems))
        values = {
            entry.name: control_value(
                entry, self.controls[entry.name], entry.value_in(self._original)
            )
            for entry in FIELDS
        }
        text = self.hotkey_text()
        values["hotkey"] = str(parse_hotkey(text)) if text else ""
        values["name"] = values["name"].strip()
        return SavedPrompt(**values)

    def accept(self) -> None:
        """Close with OK only when every field is valid; otherwise say what is wrong and
        put the focus on the first bad field."""
        problems = self.problems_found()
        if not problems:
            super().accept()
            return
        self.problems.setText("\n".join(message for _, message in problems))
        self.problems.show()
        field, first = problems[0]
        field.setAccessibleDescription(first)
        field.setFocus()


def hotkey_problem(name: str, text: str) -> str:
    """Why `text` cannot be the prompt `name`'s global hotkey ("" when it can, or is empty)."""
    if not text:
        return ""
    try:
        hotkey = parse_hotkey(text)
    except HotkeyError as error:
        return messages.PROMPT_HOTKEY_INVALID.format(name=name, reason=error.message)
    if not hotkey.modifiers & HOTKEY_MODIFIERS:
        return messages.PROMPT_HOTKEY_NO_MODIFIER.format(name=name, text=text)
    return ""
