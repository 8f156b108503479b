"""All of Iris's settings, and where they are kept on disk (atomically, corrupt files survived)."""

from __future__ import annotations

import enum
import json
import logging
import os
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from desktop_app.core import messages
from desktop_app.core.actions import DEFAULT_HOTKEYS, label_of
from desktop_app.core.i18n import interface_language
from desktop_app.core.languages import answer_language
from desktop_app.settings.atomic import (
    Opener,
    keep_corrupt_copy,
    remove_leftovers,
    write_atomically,
)
from desktop_app.settings.engine_settings import EngineSettings
from desktop_app.settings.interface_language import INTERFACE_LANGUAGE_CHOICES, InterfaceLanguage
from desktop_app.settings.saved_prompts import SavedPrompt, shipped_prompts
from desktop_app.settings.schema import (
    Place,
    Schema,
    SettingReset,
    read,
    setting,
    setting_made_by,
)
from desktop_app.settings.server_settings import ServerSettings

log = logging.getLogger(__name__)


class DescriptionStyle(enum.Enum):
    """How long and in which manner descriptions are."""

    SHORT = "short"
    DETAILED = "detailed"
    CUSTOM = "custom"


class SpeechOutput(enum.Enum):
    """Whose voice speaks Iris's answers."""

    AUTO = "auto"
    """The running screen reader's voice when there is one, else Iris's own."""
    SCREEN_READER = "screen_reader"
    """Always hand speech to the screen reader (Iris's own voice if it cannot be reached)."""
    OWN_VOICE = "own_voice"
    """Always Iris's own voice, even beside a screen reader."""


class Theme(enum.Enum):
    """The window's colours."""

    SYSTEM = "system"
    """The system's colours; its high-contrast setting, where it has one, picks a theme below."""
    HIGH_CONTRAST_DARK = "high_contrast_dark"
    """White and yellow on black."""
    HIGH_CONTRAST_LIGHT = "high_contrast_light"
    """Black and dark blue on white."""


TEXT_SIZE_STEP = 10
"""Percent added or taken by Larger text and Smaller text."""


@dataclass(frozen=True)
class SpeechSettings:
    """Iris's own voice (`voice`, `rate_wpm`, `volume`), or hand-off to the screen reader."""

    enabled: bool = setting(
        True, messages.FIELD_SPEECH_ENABLED, Place.SPEECH, widget="speech_enabled"
    )
    voice: str | None = setting(
        None, messages.FIELD_VOICE, Place.SPEECH, placeholder=messages.FIELD_VOICE_HINT
    )
    rate_wpm: int = setting(
        200, messages.FIELD_RATE, Place.SPEECH, minimum=20, maximum=1000, step=10, widget="rate"
    )
    volume: float = setting(
        1.0, messages.FIELD_VOLUME, Place.SPEECH, minimum=0.0, maximum=1.0, step=0.05, percent=True
    )
    output: SpeechOutput = setting(
        SpeechOutput.AUTO,
        messages.FIELD_SPEECH_OUTPUT,
        Place.SPEECH,
        description=messages.FIELD_SPEECH_OUTPUT_DESCRIPTION,
        choices={
            SpeechOutput.AUTO: messages.SPEECH_OUTPUT_AUTO,
            SpeechOutput.SCREEN_READER: messages.SPEECH_OUTPUT_SCREEN_READER,
            SpeechOutput.OWN_VOICE: messages.SPEECH_OUTPUT_OWN_VOICE,
        },
        widget="speech_output",
    )


def answer_language_hint(interface: str) -> str:
    """What an empty Answer language means: the language of the interface (`interface`, a
    code such as "de"), named as its speakers write it."""
    language = answer_language("", interface).own_name
    return messages.FIELD_ANSWER_LANGUAGE_DEFAULT.format(language=language)


def _hotkey_label(action: str) -> str:
    return messages.HOTKEY_FIELD.format(action=label_of(action))


@dataclass(frozen=True)
class AppSettings:
    """Everything the user can change in the Settings dialog, declared in the settings schema
    (`settings.schema`) in the order the dialog shows it."""

    engine: EngineSettings = setting_made_by(EngineSettings, messages.LOCAL_GROUP_TITLE)
    server: ServerSettings = setting_made_by(ServerSettings, messages.SERVER_GROUP_TITLE)
    """Used instead of the local model when `server.enabled`."""
    speech: SpeechSettings = setting_made_by(SpeechSettings, messages.TAB_SPEECH)
    hotkeys: dict[str, str] = setting_made_by(
        lambda: dict(DEFAULT_HOTKEYS), messages.TAB_HOTKEYS, Place.HOTKEYS, item_label=_hotkey_label
    )
    prompts: tuple[SavedPrompt, ...] = setting_made_by(
        shipped_prompts, messages.PROMPTS_LIST_NAME, Place.PROMPTS
    )
    """The saved prompts, in the order the Prompts menu shows them (a bad entry in the file is
    dropped and told, the others kept)."""
    answer_language: str = setting(
        "",
        messages.FIELD_ANSWER_LANGUAGE,
        Place.GENERAL,
        description=messages.FIELD_ANSWER_LANGUAGE_DESCRIPTION,
        placeholder=lambda: answer_language_hint(interface_language()),
    )
    """The language answers are asked for: a code or a name ("de", "German", "Deutsch");
    empty means the interface's language (`core.languages.answer_language`). The Settings
    dialog names that language in the field's hint."""
    style: DescriptionStyle = setting(
        DescriptionStyle.SHORT,
        messages.FIELD_STYLE,
        Place.GENERAL,
        choices={
            DescriptionStyle.SHORT: messages.STYLE_SHORT,
            DescriptionStyle.DETAILED: messages.STYLE_DETAILED,
            DescriptionStyle.CUSTOM: messages.STYLE_CUSTOM,
        },
    )
    custom_prompt: str = setting(
        "",
        messages.FIELD_CUSTOM_PROMPT,
        Place.GENERAL,
        description=messages.FIELD_CUSTOM_PROMPT_DESCRIPTION,
        multiline=True,
    )
    keep_in_tray: bool = setting(True, messages.FIELD_KEEP_IN_TRAY, Place.GENERAL)
    bring_to_front: bool = setting(
        False,
        messages.FIELD_BRING_TO_FRONT,
        Place.GENERAL,
        description=messages.FIELD_BRING_TO_FRONT_DESCRIPTION,
    )
    """Bring Iris's window to the front after a global hotkey (by default the focus stays in
    the program the user works in, and the answer is spoken there)."""
    start_at_login: bool = setting(
        False,
        messages.FIELD_START_AT_LOGIN,
        Place.GENERAL,
        description=messages.FIELD_START_AT_LOGIN_DESCRIPTION,
    )
    """Start Iris when the user logs in (the platform's autostart entry; settings.autostart)."""
    all_monitors: bool = setting(False, messages.FIELD_ALL_MONITORS, Place.GENERAL)
    interface_language: InterfaceLanguage = setting(
        InterfaceLanguage.SYSTEM,
        messages.FIELD_INTERFACE_LANGUAGE,
        Place.GENERAL,
        description=messages.FIELD_INTERFACE_LANGUAGE_DESCRIPTION,
        choices=INTERFACE_LANGUAGE_CHOICES,
    )
    """The interface's language (core.i18n), installed when Iris starts; System: the locale's."""
    keep_history: bool = setting(
        True,
        messages.FIELD_KEEP_HISTORY,
        Place.GENERAL,
        description=messages.FIELD_KEEP_HISTORY_DESCRIPTION,
    )
    """Save the text of conversations (never images) in the config folder."""
    theme: Theme = setting(
        Theme.SYSTEM,
        messages.FIELD_THEME,
        Place.GENERAL,
        choices={
            Theme.SYSTEM: messages.THEME_SYSTEM,
            Theme.HIGH_CONTRAST_DARK: messages.THEME_HIGH_CONTRAST_DARK,
            Theme.HIGH_CONTRAST_LIGHT: messages.THEME_HIGH_CONTRAST_LIGHT,
        },
    )
    text_size_percent: int = setting(
        100,
        messages.FIELD_TEXT_SIZE,
        Place.GENERAL,
        description=messages.FIELD_TEXT_SIZE_DESCRIPTION,
        minimum=50,
        maximum=300,
        step=TEXT_SIZE_STEP,
    )
    """The conversation's, the answer's and the question's text, in percent of the system's."""
    speech_notice_told: str = setting("", None)
    """The sentence that last told the user whose voice Iris speaks with (told once)."""

    def with_changes(self, **changes: Any) -> AppSettings:
        """A copy with some fields changed."""
        return replace(self, **changes)


SCHEMA = Schema(AppSettings)
"""Every setting, in the order the Settings dialog shows them."""


@dataclass(frozen=True)
class LoadedSettings:
    """Settings as loaded, and what could not be used: `reset` lists the settings that took
    their defaults; `corrupt_copy` is where an unreadable file was kept (all took defaults)."""

    settings: AppSettings
    reset: tuple[SettingReset, ...] = ()
    corrupt_copy: Path | None = None

    def notice(self) -> str | None:
        """The sentence telling the user what was reset; None when nothing was."""
        if self.corrupt_copy is not None:
            return messages.SETTINGS_FILE_RESET.format(path=self.corrupt_copy)
        if not self.reset:
            return None
        details = messages.SETTINGS_RESET_SEPARATOR.join(reset.detail for reset in self.reset)
        return messages.SETTINGS_RESET.format(details=details)


def config_dir() -> Path:
    """The platform's usual folder for Iris's settings."""
    override = os.environ.get("IRIS_CONFIG_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "Iris"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Iris"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "iris"


def settings_path() -> Path:
    """The settings file."""
    return config_dir() / "settings.json"


def to_json(settings: AppSettings) -> dict[str, Any]:
    """Plain JSON data for `settings`."""

    def plain(value: Any) -> Any:
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        return value

    return {key: plain(value) for key, value in asdict(settings).items()}


def from_json(data: dict[str, Any]) -> AppSettings:
    """Settings from JSON data; unknown keys are ignored, missing ones and those the schema
    refuses take defaults (see `from_json_checked`)."""
    return from_json_checked(data)[0]


def from_json_checked(data: Any) -> tuple[AppSettings, tuple[SettingReset, ...]]:
    """Settings from JSON data, field by field (`schema.read`), and the settings whose values
    could not be used. Raises ValueError when `data` is not a JSON object."""
    if not isinstance(data, dict):
        raise ValueError("settings must be a JSON object")
    resets: list[SettingReset] = []
    settings = read(AppSettings, _upgraded(data), resets)
    return settings, tuple(resets)


def _upgraded(data: dict[str, Any]) -> dict[str, Any]:
    """Older files' keys as today's: speech settings from before `output` have
    `use_screen_reader` (true: the screen reader; false was the default, not a choice)."""
    speech = data.get("speech")
    if not isinstance(speech, dict) or "output" in speech:
        return data
    if speech.get("use_screen_reader") is True:
        return {**data, "speech": {**speech, "output": SpeechOutput.SCREEN_READER.value}}
    return data


def load_settings(path: Path | None = None) -> AppSettings:
    """Saved settings, or defaults (see `load_settings_checked`)."""
    return load_settings_checked(path).settings


def load_settings_checked(path: Path | None = None) -> LoadedSettings:
    """Saved settings, field by field: a value the schema refuses takes its default and is
    listed in `reset`. A file that is not a JSON object is kept aside as `*.corrupt-TIME`
    (defaults used); temporary files of saves that were killed are removed."""
    file = path or settings_path()
    remove_leftovers(file)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadedSettings(AppSettings())
    except OSError as error:
        log.warning("cannot read %s: %s", file, error)
        return LoadedSettings(AppSettings())
    try:
        settings, reset = from_json_checked(json.loads(text))
    except (ValueError, TypeError, KeyError) as error:
        backup = keep_corrupt_copy(file)
        log.warning("settings file %s is corrupt (%s); defaults used, copy kept", backup, error)
        return LoadedSettings(AppSettings(), corrupt_copy=backup)
    return LoadedSettings(settings, reset)


def save_settings(
    settings: AppSettings, path: Path | None = None, *, opener: Opener | None = None
) -> Path:
    """Write atomically (see `write_atomically`); the old file stays whole on failure.
    Raises OSError."""
    file = path or settings_path()
    text = json.dumps(to_json(settings), indent=2, ensure_ascii=False)
    write_atomically(file, text, opener=opener)
    return file
