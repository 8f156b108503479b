"""User-adjustable settings and where they are kept."""

from desktop_app.settings.app_settings import (
    DEFAULT_HOTKEYS,
    AppSettings,
    DescriptionStyle,
    SpeechSettings,
    config_dir,
    load_settings,
    save_settings,
    settings_path,
)
from desktop_app.settings.engine_settings import (
    DEFAULT_MODEL,
    DeviceChoice,
    EngineSettings,
    Quantization,
)

__all__ = [
    "DEFAULT_HOTKEYS",
    "DEFAULT_MODEL",
    "AppSettings",
    "DescriptionStyle",
    "DeviceChoice",
    "EngineSettings",
    "Quantization",
    "SpeechSettings",
    "config_dir",
    "load_settings",
    "save_settings",
    "settings_path",
]
