"""User-adjustable settings and where they are kept."""

from desktop_app.settings.app_settings import (
    DEFAULT_HOTKEYS,
    AppSettings,
    DescriptionStyle,
    SpeechOutput,
    SpeechSettings,
    config_dir,
    load_settings,
    save_settings,
    settings_path,
)
from desktop_app.settings.atomic import Opener, save_error_message, write_atomically
from desktop_app.settings.engine_settings import (
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
from desktop_app.settings.secrets import ApiKeys
from desktop_app.settings.server_settings import ServerAddress, ServerSettings

__all__ = [
    "DEFAULT_HOTKEYS",
    "DEFAULT_MODEL",
    "ApiKeys",
    "AppSettings",
    "Conversation",
    "ConversationHistory",
    "DescriptionStyle",
    "DeviceChoice",
    "EngineSettings",
    "Exchange",
    "Opener",
    "Quantization",
    "ServerAddress",
    "ServerSettings",
    "SpeechOutput",
    "SpeechSettings",
    "config_dir",
    "history_path",
    "load_history",
    "load_settings",
    "save_error_message",
    "save_settings",
    "settings_path",
    "write_atomically",
    "write_history",
]
