"""The Settings dialog: every AppSettings field as a labelled control, checked before OK."""

from __future__ import annotations

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
from desktop_app.gui.screen_reader_fixes import accessibility_paused, describe_value
from desktop_app.gui.server_panel import ServerPanel, Speak, form_row
from desktop_app.hotkeys import parse_hotkey
from desktop_app.settings import (
    ApiKeys,
    AppSettings,
    DescriptionStyle,
    DeviceChoice,
    EngineSettings,
    Opener,
    Quantization,
    SpeechOutput,
    SpeechSettings,
    save_error_message,
    save_settings,
    settings_path,
)

QUANTIZATION_LABELS: dict[Quantization, str] = {
    Quantization.AUTO: text.QUANT_AUTO,
    Quantization.NONE: text.QUANT_NONE,
    Quantization.INT8: text.QUANT_INT8,
    Quantization.BNB_4BIT: text.QUANT_BNB_4BIT,
    Quantization.BNB_8BIT: text.QUANT_BNB_8BIT,
    Quantization.QUANTO_INT8: text.QUANT_QUANTO_INT8,
}
DEVICE_LABELS: dict[DeviceChoice, str] = {
    DeviceChoice.AUTO: text.DEVICE_AUTO,
    DeviceChoice.CPU: text.DEVICE_CPU,
    DeviceChoice.CUDA: text.DEVICE_CUDA,
    DeviceChoice.MPS: text.DEVICE_MPS,
}
SPEECH_OUTPUT_LABELS: dict[SpeechOutput, str] = {
    SpeechOutput.AUTO: text.SPEECH_OUTPUT_AUTO,
    SpeechOutput.SCREEN_READER: text.SPEECH_OUTPUT_SCREEN_READER,
    SpeechOutput.OWN_VOICE: text.SPEECH_OUTPUT_OWN_VOICE,
}
STYLE_LABELS: dict[DescriptionStyle, str] = {
    DescriptionStyle.SHORT: text.STYLE_SHORT,
    DescriptionStyle.DETAILED: text.STYLE_DETAILED,
    DescriptionStyle.CUSTOM: text.STYLE_CUSTOM,
}
_HOTKEY_MODIFIERS = frozenset({"ctrl", "alt", "shift", "super"})
_MIN_LONGEST_EDGE = 16
_Choice = TypeVar("_Choice")


class SettingsDialog(QDialog):
    """Edit a copy of the settings; `result_settings()` gives the edited settings.

    `on_clear_history` clears the conversation history and returns what it did (shown beside
    the Clear history button); without it the button is disabled. `api_keys` keeps the model
    server's API key (the system keyring when None); `speak` tells the user what Test
    connection found, and that a key is kept only for this session.
    """

    def __init__(
        self,
        settings: AppSettings,
        parent: QWidget | None = None,
        on_clear_history: Callable[[], str] | None = None,
        api_keys: ApiKeys | None = None,
        speak: Speak | None = None,
    ) -> None:
        with accessibility_paused():
            super().__init__(parent)
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
        self.setWindowTitle(text.SETTINGS_TITLE)
        self.setAccessibleName(text.SETTINGS_TITLE)

        self.tabs = PageTabs()
        self.tabs.setObjectName("tabs")
        self.tabs.setAccessibleName(text.SETTINGS_TABS_NAME)
        self.general_page = self._build_general(settings)
        self.model_page = self._build_model(settings, api_keys)
        self.hotkeys_page = self._build_hotkeys(settings.hotkeys)
        self.speech_page = self._build_speech(settings.speech)
        for page, title in (
            (self.general_page, text.TAB_GENERAL),
            (self.model_page, text.TAB_MODEL),
            (self.hotkeys_page, text.TAB_HOTKEYS),
            (self.speech_page, text.TAB_SPEECH),
        ):
            self.tabs.addTab(page, title)  # the page's panel is named after the tab

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

    # -- pages ---------------------------------------------------------------------------------
    def _build_general(self, settings: AppSettings) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.answer_language = QLineEdit(settings.answer_language)
        self.answer_language.setObjectName("answer_language")
        self.answer_language.setPlaceholderText(text.FIELD_ANSWER_LANGUAGE_HINT)
        form_row(form, text.FIELD_ANSWER_LANGUAGE, self.answer_language)
        self.style_combo = QComboBox()
        self.style_combo.setObjectName("style")
        self.style_combo.addItems(list(STYLE_LABELS.values()))
        self.style_combo.setCurrentIndex(list(STYLE_LABELS).index(settings.style))
        form_row(form, text.FIELD_STYLE, self.style_combo)
        self.custom_prompt = QPlainTextEdit(settings.custom_prompt)
        self.custom_prompt.setObjectName("custom_prompt")
        self.custom_prompt.setTabChangesFocus(True)
        self.custom_prompt.setAccessibleDescription(text.FIELD_CUSTOM_PROMPT_DESCRIPTION)
        form_row(form, text.FIELD_CUSTOM_PROMPT, self.custom_prompt)
        self.style_combo.currentIndexChanged.connect(self._update_custom_prompt)
        self._update_custom_prompt()
        self.keep_in_tray = self._check(form, text.FIELD_KEEP_IN_TRAY, settings.keep_in_tray)
        self.keep_in_tray.setObjectName("keep_in_tray")
        self.bring_to_front = self._check(form, text.FIELD_BRING_TO_FRONT, settings.bring_to_front)
        self.bring_to_front.setObjectName("bring_to_front")
        self.bring_to_front.setAccessibleDescription(text.FIELD_BRING_TO_FRONT_DESCRIPTION)
        self.start_at_login = self._check(form, text.FIELD_START_AT_LOGIN, settings.start_at_login)
        self.start_at_login.setObjectName("start_at_login")
        self.start_at_login.setAccessibleDescription(text.FIELD_START_AT_LOGIN_DESCRIPTION)
        self.all_monitors = self._check(form, text.FIELD_ALL_MONITORS, settings.all_monitors)
        self.all_monitors.setObjectName("all_monitors")
        self.keep_history = self._check(form, text.FIELD_KEEP_HISTORY, settings.keep_history)
        self.keep_history.setObjectName("keep_history")
        self.keep_history.setAccessibleDescription(text.FIELD_KEEP_HISTORY_DESCRIPTION)
        self.clear_history = QPushButton(CLEAR_HISTORY.label)
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
        engine: EngineSettings = settings.engine
        page = QWidget()
        layout = QVBoxLayout(page)
        self.server_panel = ServerPanel(settings.server, api_keys, self._speak)
        layout.addWidget(self.server_panel)
        local_group = QGroupBox(text.LOCAL_GROUP_TITLE)
        local_group.setObjectName("local_group")
        local_group.setAccessibleName(text.LOCAL_GROUP_TITLE)
        form = QFormLayout(local_group)
        layout.addWidget(local_group)
        both = QFormLayout()  # used wherever the model runs
        layout.addLayout(both)
        layout.addStretch(1)
        self.model = QLineEdit(engine.model)
        self.model.setObjectName("model")
        self.model.setAccessibleDescription(text.FIELD_MODEL_DESCRIPTION)
        form_row(form, text.FIELD_MODEL, self.model)
        self.choose_folder = QPushButton(text.CHOOSE_FOLDER)
        self.choose_folder.setObjectName("choose_folder")
        self.choose_folder.setAccessibleName(text.CHOOSE_FOLDER_NAME)
        self.choose_folder.clicked.connect(self._choose_model_folder)
        form.addRow("", self.choose_folder)
        self.quantization = self._combo(QUANTIZATION_LABELS, engine.quantization)
        self.quantization.setObjectName("quantization")
        form_row(form, text.FIELD_QUANTIZATION, self.quantization)
        self.device = self._combo(DEVICE_LABELS, engine.device)
        self.device.setObjectName("device")
        form_row(form, text.FIELD_DEVICE, self.device)
        self.longest_edge = QSpinBox()
        self.longest_edge.setObjectName("longest_edge")
        self.longest_edge.setRange(0, 16384)
        self.longest_edge.setSingleStep(64)
        self.longest_edge.setSpecialValueText(text.LONGEST_EDGE_DEFAULT)
        self.longest_edge.setValue(engine.longest_edge or 0)
        form_row(form, text.FIELD_LONGEST_EDGE, self.longest_edge)
        self.split_image = self._check(form, text.FIELD_SPLIT_IMAGE, bool(engine.split_image))
        self.split_image.setObjectName("split_image")
        self.ground_in_text = self._check(both, text.FIELD_GROUND_IN_TEXT, engine.ground_in_text)
        self.ground_in_text.setObjectName("ground_in_text")
        self.max_new_tokens = QSpinBox()
        self.max_new_tokens.setObjectName("max_new_tokens")
        self.max_new_tokens.setRange(1, 32768)
        self.max_new_tokens.setSingleStep(32)
        self.max_new_tokens.setValue(engine.max_new_tokens)
        form_row(both, text.FIELD_MAX_TOKENS, self.max_new_tokens)
        return page

    def _build_hotkeys(self, hotkeys: dict[str, str]) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.hotkey_fields: dict[str, QLineEdit] = {}
        for action in DEFAULT_HOTKEYS:
            field = QLineEdit(hotkeys.get(action, DEFAULT_HOTKEYS[action]))
            field.setObjectName(f"hotkey_{action}")
            field.setPlaceholderText(text.HOTKEY_PLACEHOLDER)
            describe_value(field)  # Orca would drop the value's last key
            form_row(form, text.HOTKEY_FIELD.format(action=label_of(action)), field)
            self.hotkey_fields[action] = field
        return page

    def _build_speech(self, speech: SpeechSettings) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.speech_enabled = self._check(form, text.FIELD_SPEECH_ENABLED, speech.enabled)
        self.speech_enabled.setObjectName("speech_enabled")
        self.voice = QLineEdit(speech.voice or "")
        self.voice.setObjectName("voice")
        self.voice.setPlaceholderText(text.FIELD_VOICE_HINT)
        form_row(form, text.FIELD_VOICE, self.voice)
        self.rate = QSpinBox()
        self.rate.setObjectName("rate")
        self.rate.setRange(20, 1000)
        self.rate.setSingleStep(10)
        self.rate.setValue(speech.rate_wpm)
        form_row(form, text.FIELD_RATE, self.rate)
        self.volume = QSpinBox()
        self.volume.setObjectName("volume")
        self.volume.setRange(0, 100)
        self.volume.setSingleStep(5)
        self.volume.setSuffix(" %")
        self.volume.setValue(round(speech.volume * 100))
        form_row(form, text.FIELD_VOLUME, self.volume)
        self.speech_output = self._combo(SPEECH_OUTPUT_LABELS, speech.output)
        self.speech_output.setObjectName("speech_output")
        self.speech_output.setAccessibleDescription(text.FIELD_SPEECH_OUTPUT_DESCRIPTION)
        form_row(form, text.FIELD_SPEECH_OUTPUT, self.speech_output)
        return page

    @staticmethod
    def _check(form: QFormLayout, label: str, checked: bool) -> QCheckBox:
        box = QCheckBox(label)
        box.setAccessibleName(label)
        box.setChecked(checked)
        form.addRow(box)
        return box

    @staticmethod
    def _combo(labels: Mapping[_Choice, str], current: _Choice) -> QComboBox:
        combo = QComboBox()
        combo.addItems(list(labels.values()))
        combo.setCurrentIndex(list(labels).index(current))
        return combo

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

    def problems_found(self) -> list[tuple[QWidget, str]]:
        """Each field whose value cannot be saved, with the reason, in the order shown."""
        found: list[tuple[QWidget, str]] = []
        if (
            not self.custom_prompt.toPlainText().strip()
            and self._style() is DescriptionStyle.CUSTOM
        ):
            found.append((self.custom_prompt, text.PROBLEM_CUSTOM_PROMPT_EMPTY))
        found.extend(self.server_panel.problems())
        if not self.model.text().strip():
            found.append((self.model, text.PROBLEM_MODEL_EMPTY))
        if 0 < self.longest_edge.value() < _MIN_LONGEST_EDGE:
            found.append((self.longest_edge, text.PROBLEM_LONGEST_EDGE))
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

    def _style(self) -> DescriptionStyle:
        return list(STYLE_LABELS)[self.style_combo.currentIndex()]

    def result_settings(self) -> AppSettings:
        """The settings as the fields show them; ValueError when a field is invalid."""
        problems = self.problems_found()
        if problems:
            raise ValueError(" ".join(message for _, message in problems))
        original = self._original
        split: bool | None = self.split_image.isChecked()
        if original.engine.split_image is None and not split:
            split = None  # untouched: keep the model's own default
        volume = self.volume.value() / 100
        if round(original.speech.volume * 100) == self.volume.value():
            volume = original.speech.volume
        hotkeys = dict(original.hotkeys)
        for action, field in self.hotkey_fields.items():
            hotkeys[action] = str(parse_hotkey(field.text()))
        engine = original.engine.with_changes(
            model=self.model.text().strip(),
            quantization=list(QUANTIZATION_LABELS)[self.quantization.currentIndex()],
            device=list(DEVICE_LABELS)[self.device.currentIndex()],
            longest_edge=self.longest_edge.value() or None,
            split_image=split,
            ground_in_text=self.ground_in_text.isChecked(),
            max_new_tokens=self.max_new_tokens.value(),
        )
        speech = SpeechSettings(
            enabled=self.speech_enabled.isChecked(),
            voice=self.voice.text().strip() or None,
            rate_wpm=self.rate.value(),
            volume=volume,
            output=list(SPEECH_OUTPUT_LABELS)[self.speech_output.currentIndex()],
        )
        return original.with_changes(
            engine=engine,
            server=self.server_panel.result(original.server),
            speech=speech,
            hotkeys=hotkeys,
            style=self._style(),
            custom_prompt=self.custom_prompt.toPlainText(),
            answer_language=self.answer_language.text().strip(),
            all_monitors=self.all_monitors.isChecked(),
            keep_in_tray=self.keep_in_tray.isChecked(),
            bring_to_front=self.bring_to_front.isChecked(),
            keep_history=self.keep_history.isChecked(),
            start_at_login=self.start_at_login.isChecked(),
        )

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


def save_from_dialog(
    dialog: SettingsDialog, path: Path | None = None, *, opener: Opener | None = None
) -> str | None:
    """Save the dialog's settings; None on success, else a message fit to show and speak.
    `opener` opens the save's temporary file (tests pass one that fails)."""
    target = path or settings_path()
    try:
        settings = dialog.result_settings()
    except ValueError as error:
        return str(error)
    try:
        save_settings(settings, target, opener=opener)
    except OSError as error:
        return save_error_message(error, target, text.SAVE_WHAT_SETTINGS)
    return None
