"""The Settings dialog: every AppSettings field as a labelled control, checked before OK."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core import messages as text
from desktop_app.core.actions import CLEAR_HISTORY, DEFAULT_HOTKEYS, label_of
from desktop_app.core.errors import HotkeyError
from desktop_app.gui.page_tabs import PageTabs
from desktop_app.gui.prompt_editor import hotkey_problem
from desktop_app.gui.prompts_page import PromptsPage
from desktop_app.gui.screen_reader_fixes import accessibility_paused, describe_value
from desktop_app.gui.screen_room import opening_size
from desktop_app.gui.server_panel import ServerPanel, Speak
from desktop_app.gui.setting_controls import (
    add_control,
    control_problem,
    control_value,
    form_row,
    reflowing_form,
)
from desktop_app.hotkeys import parse_hotkey
from desktop_app.settings import (
    AUTO_MODEL,
    SCHEMA,
    ApiKeys,
    AppSettings,
    DescriptionStyle,
    Place,
    SchemaField,
    with_values,
)

_HOTKEY_MODIFIERS = frozenset({"ctrl", "alt", "shift", "super"})
_Widget = TypeVar("_Widget", bound=QWidget)
Problems = list[tuple[QWidget, str]]


class SettingsDialog(QDialog):
    """Edit a copy of the settings; `result_settings()` gives the edited settings.

    Each setting's control is made from the settings schema (`SCHEMA`, see
    `gui.setting_controls`) on the page its declaration names; the hotkeys page comes from
    the action table, the server's fields from `ServerPanel`.

    `on_clear_history` clears the conversation history and returns what it did (shown beside
    the Clear history button); without it the button is disabled. `api_keys` keeps the model
    server's API key (the system keyring when None); `speak` tells the user what Test
    connection found, and that a key is kept only for this session. With `model_missing`
    (the local model is not downloaded yet) the Model page has a Download the model button:
    OK, with `download_requested` set.
    """

    def __init__(
        self,
        settings: AppSettings,
        parent: QWidget | None = None,
        on_clear_history: Callable[[], str] | None = None,
        api_keys: ApiKeys | None = None,
        speak: Speak | None = None,
        model_missing: bool = False,
    ) -> None:
        with accessibility_paused():
            super().__init__(parent)
            self.download_requested = False
            """Closed with Download the model: the session asks to download it (see
            ModelSession.apply)."""
            self._model_missing = model_missing
            self._build(settings, on_clear_history, api_keys, speak)

    def _build(
        self,
        settings: AppSettings,
        on_clear_history: Callable[[], str] | None,
        api_keys: ApiKeys | None,
        speak: Speak | None,
    ) -> None:
        self._original = settings
        self._on_clear_history = on_clear_history
        self._speak = speak
        self._flagged: list[QWidget] = []
        self._descriptions: dict[QWidget, str] = {}
        self.controls: dict[str, QWidget] = {}
        """Each schema field's control, by the field's key."""
        self._checks: list[Callable[[], Problems]] = []
        """What `problems_found` asks, in the order the fields are shown."""
        self.setWindowTitle(text.SETTINGS_TITLE)
        self.setAccessibleName(text.SETTINGS_TITLE)

        self.tabs = PageTabs()
        self.tabs.setObjectName("tabs")
        self.tabs.setAccessibleName(text.SETTINGS_TABS_NAME)
        self.general_page = self._build_general(settings)
        self.model_page = self._build_model(settings, api_keys)
        self.hotkeys_page = self._build_hotkeys(settings.hotkeys)
        self.speech_page = self._build_speech(settings)
        self.prompts_page = PromptsPage(settings.prompts, speak)
        self._checks.append(self._prompt_hotkey_problems)
        for page, place in (
            (self.general_page, Place.GENERAL),
            (self.model_page, Place.LOCAL_MODEL),
            (self.hotkeys_page, Place.HOTKEYS),
            (self.speech_page, Place.SPEECH),
            (self.prompts_page, Place.PROMPTS),
        ):
            self.tabs.addTab(page, place.page)  # the page's panel is named after the tab

        self.problems = QLabel()
        self.problems.setObjectName("problems")
        self.problems.setAccessibleName(text.PROBLEMS_NAME)
        self.problems.setWordWrap(True)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.problems.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self.answer_language.setFocus()
        self.resize(opening_size(self))

    # -- pages ---------------------------------------------------------------------------------
    def _add_fields(
        self,
        form: QFormLayout,
        place: Place,
        settings: AppSettings,
        after: Mapping[str, Callable[[QFormLayout], None]] | None = None,
    ) -> None:
        """A control for each schema field at `place`, in order; `after` adds more rows
        after a field's (by its key)."""
        for entry in SCHEMA.on(place):
            widget = add_control(form, entry, entry.value_in(settings))
            self.controls[entry.key] = widget
            if entry.required or entry.too_small:
                self._checks.append(functools.partial(_problem_of, entry, widget))
            if after and entry.key in after:
                after[entry.key](form)

    def _control(self, key: str, kind: type[_Widget]) -> _Widget:
        widget = self.controls[key]
        assert isinstance(widget, kind), key
        return widget

    def _build_general(self, settings: AppSettings) -> QWidget:
        page = QWidget()
        form = reflowing_form(page)
        self._add_fields(form, Place.GENERAL, settings)
        self.answer_language = self._control("answer_language", QLineEdit)
        self.style_combo = self._control("style", QComboBox)
        self.custom_prompt = self._control("custom_prompt", QPlainTextEdit)
        self.keep_in_tray = self._control("keep_in_tray", QCheckBox)
        self.bring_to_front = self._control("bring_to_front", QCheckBox)
        self.start_at_login = self._control("start_at_login", QCheckBox)
        self.all_monitors = self._control("all_monitors", QCheckBox)
        self.keep_history = self._control("keep_history", QCheckBox)
        self.style_combo.currentIndexChanged.connect(self._update_custom_prompt)
        self._update_custom_prompt()
        self._checks.append(self._custom_prompt_problems)
        self.clear_history = QPushButton(CLEAR_HISTORY.shown_label)
        self.clear_history.setObjectName(CLEAR_HISTORY.id)
        self.clear_history.setAccessibleName(text.CLEAR_HISTORY_NAME)
        self.clear_history.setEnabled(self._on_clear_history is not None)
        self.clear_history.clicked.connect(self._clear_history)
        form.addRow("", self.clear_history)
        self.history_result = QLabel()
        self.history_result.setObjectName("history_result")
        self.history_result.setAccessibleName(text.HISTORY_RESULT_NAME)
        self.history_result.setWordWrap(True)
        self.history_result.hide()
        form.addRow(self.history_result)
        return page

    def _build_model(self, settings: AppSettings, api_keys: ApiKeys | None) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.server_panel = ServerPanel(settings.server, api_keys, self._speak)
        self._checks.append(self.server_panel.problems)
        layout.addWidget(self.server_panel)
        local_group = QGroupBox(Place.LOCAL_MODEL.title)
        local_group.setObjectName("local_group")
        local_group.setAccessibleName(Place.LOCAL_MODEL.title)
        form = reflowing_form(local_group)
        layout.addWidget(local_group)
        both = reflowing_form()  # used wherever the model runs
        layout.addLayout(both)
        layout.addStretch(1)
        self._add_fields(
            form, Place.LOCAL_MODEL, settings, after={"engine.model": self._add_choose_folder}
        )
        self._add_fields(both, Place.ANY_MODEL, settings)
        self.model = self._control("engine.model", QLineEdit)
        self.quantization = self._control("engine.quantization", QComboBox)
        self.device = self._control("engine.device", QComboBox)
        self.longest_edge = self._control("engine.longest_edge", QSpinBox)
        self.split_image = self._control("engine.split_image", QCheckBox)
        self.ground_in_text = self._control("engine.ground_in_text", QCheckBox)
        self.max_new_tokens = self._control("engine.max_new_tokens", QSpinBox)
        return page

    def _add_choose_folder(self, form: QFormLayout) -> None:
        if self._model_missing:
            self.download_model = QPushButton(text.DOWNLOAD_MODEL)
            self.download_model.setObjectName("download_model")
            self.download_model.clicked.connect(self._download_model)
            form.addRow("", self.download_model)
        self.choose_folder = QPushButton(text.CHOOSE_FOLDER)
        self.choose_folder.setObjectName("choose_folder")
        self.choose_folder.setAccessibleName(text.CHOOSE_FOLDER_NAME)
        self.choose_folder.clicked.connect(self._choose_model_folder)
        form.addRow("", self.choose_folder)
        self._add_recommendation(form)

    def _add_recommendation(self, form: QFormLayout) -> None:
        """The model recommended for this computer, why, and a button that follows it."""
        from desktop_app.engine.models.choice import recommend, this_computer

        reason = recommend(this_computer()).reason
        self.recommendation = QLabel(text.MODEL_RECOMMENDED.format(reason=reason))
        self.recommendation.setObjectName("model_recommendation")
        self.recommendation.setWordWrap(True)
        self.recommendation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.use_recommended = QPushButton(text.USE_RECOMMENDED_MODEL)
        self.use_recommended.setObjectName("use_recommended_model")
        self.use_recommended.setAccessibleDescription(self.recommendation.text())
        self.use_recommended.clicked.connect(self._use_recommended_model)
        form.addRow(self.recommendation)  # across: in the field column it gets blank lines
        form.addRow("", self.use_recommended)

    def _download_model(self) -> None:
        """OK, then the model named in the field is downloaded (asked first, with its size)."""
        self.download_requested = True
        self.accept()
        if self.result() != QDialog.DialogCode.Accepted:  # a field is wrong: still open
            self.download_requested = False

    def _use_recommended_model(self) -> None:
        self.model.setText(AUTO_MODEL)
        self.model.setFocus()

    def _build_hotkeys(self, hotkeys: dict[str, str]) -> QWidget:
        page = QWidget()
        form = reflowing_form(page)
        self.hotkey_fields: dict[str, QLineEdit] = {}
        label = SCHEMA["hotkeys"].item_label
        assert label is not None
        for action in DEFAULT_HOTKEYS:
            field = QLineEdit(hotkeys.get(action, DEFAULT_HOTKEYS[action]))
            field.setObjectName(f"hotkey_{action}")
            field.setPlaceholderText(text.HOTKEY_PLACEHOLDER)
            describe_value(field)  # Orca would drop the value's last key
            form_row(form, label(action), field)
            self.hotkey_fields[action] = field
        self._checks.append(self._hotkey_problems)
        return page

    def _build_speech(self, settings: AppSettings) -> QWidget:
        page = QWidget()
        form = reflowing_form(page)
        self._add_fields(form, Place.SPEECH, settings)
        self.speech_enabled = self._control("speech.enabled", QCheckBox)
        self.voice = self._control("speech.voice", QLineEdit)
        self.rate = self._control("speech.rate_wpm", QSpinBox)
        self.volume = self._control("speech.volume", QSpinBox)
        self.speech_output = self._control("speech.output", QComboBox)
        return page

    # -- behaviour -----------------------------------------------------------------------------
    def _update_custom_prompt(self) -> None:
        self.custom_prompt.setEnabled(self._style() is DescriptionStyle.CUSTOM)

    def _clear_history(self) -> None:
        if self._on_clear_history is None:
            return
        done = self._on_clear_history()
        self.history_result.setText(done)
        self.history_result.setAccessibleDescription(done)
        self.history_result.show()

    def _choose_model_folder(self) -> None:
        start = self.model.text() if Path(self.model.text()).is_dir() else ""
        folder = QFileDialog.getExistingDirectory(self, text.CHOOSE_FOLDER_TITLE, start)
        if folder:
            self.model.setText(folder)
        self.model.setFocus()

    def problems_found(self) -> Problems:
        """Each field whose value cannot be saved, with the reason, in the order shown."""
        return [problem for check in self._checks for problem in check()]

    def _custom_prompt_problems(self) -> Problems:
        if (
            self._style() is DescriptionStyle.CUSTOM
            and not self.custom_prompt.toPlainText().strip()
        ):
            return [(self.custom_prompt, text.PROBLEM_CUSTOM_PROMPT_EMPTY)]
        return []

    def _hotkey_problems(self) -> Problems:
        found: Problems = []
        seen: dict[str, str] = {}
        for action, field in self.hotkey_fields.items():
            name = label_of(action)
            raw = field.text().strip()
            try:
                hotkey = parse_hotkey(raw)
            except HotkeyError as error:
                found.append(
                    (field, text.PROBLEM_HOTKEY_INVALID.format(action=name, reason=error.message))
                )
                continue
            if not hotkey.modifiers & _HOTKEY_MODIFIERS:
                found.append((field, text.PROBLEM_HOTKEY_NO_MODIFIER.format(action=name, text=raw)))
                continue
            canonical = str(hotkey)
            if canonical in seen:
                other = label_of(seen[canonical])
                message = text.PROBLEM_HOTKEY_DUPLICATE.format(action=name, text=raw, other=other)
                found.append((field, message))
                continue
            seen[canonical] = action
        return found

    def _prompt_hotkey_problems(self) -> Problems:
        """A saved prompt's hotkey that an action's field or an earlier prompt already uses."""
        used: dict[str, str] = {}
        for action, field in self.hotkey_fields.items():
            try:
                used[str(parse_hotkey(field.text()))] = label_of(action)
            except HotkeyError:
                continue  # told by _hotkey_problems
        found: Problems = []
        for prompt in self.prompts_page.prompts():
            problem = hotkey_problem(prompt.name, prompt.hotkey)
            if problem:
                found.append((self.prompts_page.list, problem))
            if not prompt.hotkey or problem:
                continue
            keys = str(parse_hotkey(prompt.hotkey))
            if keys in used:
                message = text.PROMPT_HOTKEY_TAKEN.format(
                    text=prompt.hotkey, name=prompt.name, other=used[keys]
                )
                found.append((self.prompts_page.list, message))
            used.setdefault(keys, prompt.name)
        return found

    def _style(self) -> DescriptionStyle:
        style = control_value(SCHEMA["style"], self.style_combo, None)
        assert isinstance(style, DescriptionStyle)
        return style

    def result_settings(self) -> AppSettings:
        """The settings as the fields show them; ValueError when a field is invalid."""
        problems = self.problems_found()
        if problems:
            raise ValueError(" ".join(message for _, message in problems))
        original = self._original
        values = {
            key: control_value(SCHEMA[key], widget, SCHEMA[key].value_in(original))
            for key, widget in self.controls.items()
        }
        hotkeys = dict(original.hotkeys)
        for action, field in self.hotkey_fields.items():
            hotkeys[action] = str(parse_hotkey(field.text()))
        values.update(
            hotkeys=hotkeys,
            server=self.server_panel.result(original.server),
            prompts=self.prompts_page.prompts(),
        )
        return with_values(original, values)

    def show_problems(self) -> bool:
        """Show what is wrong and focus the first bad field; True when nothing is wrong."""
        hotkey_fields = set(self.hotkey_fields.values())
        for field in self._flagged:
            before = self._descriptions.pop(field, "")
            if field in hotkey_fields:
                before = field.text()  # see describe_value
            field.setAccessibleDescription(before)
        self._flagged = []
        problems = self.problems_found()
        if not problems:
            self.problems.clear()
            self.problems.hide()
            return True
        self.problems.setText("\n".join(message for _, message in problems))
        self.problems.show()
        for field, message in problems:
            if field not in self._descriptions:
                self._descriptions[field] = field.accessibleDescription()
                self._flagged.append(field)
            field.setAccessibleDescription(message)
        first = problems[0][0]
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is not None and page.isAncestorOf(first):
                self.tabs.setCurrentIndex(index)
        first.setFocus()
        return False

    def accept(self) -> None:
        """Close with OK only when every field is valid; otherwise say what is wrong.
        The server's API key goes to the keyring then, never to the settings file."""
        if not self.show_problems():
            return
        if not self.server_panel.save_api_key() and self._speak is not None:
            self._speak(text.SERVER_KEY_SESSION_ONLY)
        super().accept()


def _problem_of(entry: SchemaField, widget: QWidget) -> Problems:
    problem = control_problem(entry, widget)
    return [] if problem is None else [(widget, problem)]
