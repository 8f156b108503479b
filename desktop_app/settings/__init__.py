"""User-adjustable settings (plain data; persisted by later layers)."""

from desktop_app.settings.engine_settings import (
    DEFAULT_MODEL,
    DeviceChoice,
    EngineSettings,
    Quantization,
)

__all__ = ["DEFAULT_MODEL", "DeviceChoice", "EngineSettings", "Quantization"]
