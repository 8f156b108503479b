"""User-adjustable settings and where they are kept."""

from desktop_app.settings.app_settings import (
    DEFAULT_HOTKEYS,
    SCHEMA,
    TEXT_SIZE_STEP,
    AppSettings,
    DescriptionStyle,
    LoadedSettings,
    SpeechOutput,
    SpeechSettings,
    Theme,
    config_dir,
    load_settings,
    load_settings_checked,
    save_settings,
    settings_path,
)
from desktop_app.settings.atomic import Opener, save_error_message, write_atomically
from desktop_app.settings.engine_settings import (
    AUTO_MODEL,
    DEFAULT_MODEL,
    DeviceChoice,
    EngineSettings,
    Quantization,
)
from desktop_app.settings.history import (
    Conversation,
    ConversationHistory,
    Exchange,
    history_path,
    load_history,
    write_history,
)
from desktop_app.settings.interface_language import InterfaceLanguage
from desktop_app.settings.schema import (
    PERCENT,
    Place,
    Problem,
    Schema,
    SchemaField,
    SettingReset,
    with_values,
)
from desktop_app.settings.secrets import ApiKeys
from desktop_app.settings.server_settings import ServerAddress, ServerSettings

__all__ = [
    "AUTO_MODEL",
    "DEFAULT_HOTKEYS",
    "DEFAULT_MODEL",
    "PERCENT",
    "SCHEMA",
    "TEXT_SIZE_STEP",
    "ApiKeys",
    "AppSettings",
    "Conversation",
    "ConversationHistory",
    "DescriptionStyle",
    "DeviceChoice",
    "EngineSettings",
    "Exchange",
    "InterfaceLanguage",
    "LoadedSettings",
    "Opener",
    "Place",
    "Problem",
    "Quantization",
    "Schema",
    "SchemaField",
    "ServerAddress",
    "ServerSettings",
    "SettingReset",
    "SpeechOutput",
    "SpeechSettings",
    "Theme",
    "config_dir",
    "history_path",
    "load_history",
    "load_settings",
    "load_settings_checked",
    "save_error_message",
    "save_settings",
    "settings_path",
    "with_values",
    "write_atomically",
    "write_history",
]
