"""All of Iris's settings, and where they are kept on disk (atomically, corrupt files survived)."""

from __future__ import annotations

import enum
import json
import logging
import os
import sys
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from desktop_app.core.actions import DEFAULT_HOTKEYS
from desktop_app.settings.atomic import (
    Opener,
    keep_corrupt_copy,
    remove_leftovers,
    write_atomically,
)
from desktop_app.settings.engine_settings import DeviceChoice, EngineSettings, Quantization
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


@dataclass(frozen=True)
class SpeechSettings:
    """Iris's own voice (`voice`, `rate_wpm`, `volume`), or hand-off to the screen reader."""

    enabled: bool = True
    voice: str | None = None
    rate_wpm: int = 200
    volume: float = 1.0
    output: SpeechOutput = SpeechOutput.AUTO


@dataclass(frozen=True)
class AppSettings:
    """Everything the user can change in the Settings dialog."""

    engine: EngineSettings = field(default_factory=EngineSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    """Used instead of the local model when `server.enabled`."""
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    hotkeys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_HOTKEYS))
    style: DescriptionStyle = DescriptionStyle.SHORT
    custom_prompt: str = ""
    answer_language: str = ""
    all_monitors: bool = False
    keep_in_tray: bool = True
    bring_to_front: bool = False
    """Bring Iris's window to the front after a global hotkey (by default the focus stays in
    the program the user works in, and the answer is spoken there)."""
    speech_notice_told: str = ""
    """The sentence that last told the user whose voice Iris speaks with (told once)."""
    keep_history: bool = True
    """Save the text of conversations (never images) in the config folder."""
    start_at_login: bool = False
    """Start Iris when the user logs in (the platform's autostart entry; settings.autostart)."""

    def with_changes(self, **changes: Any) -> AppSettings:
        """A copy with some fields changed."""
        return replace(self, **changes)


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
        return value

    return {key: plain(value) for key, value in asdict(settings).items()}


def from_json(data: dict[str, Any]) -> AppSettings:
    """Settings from JSON data; unknown keys are ignored, missing ones take defaults."""
    if not isinstance(data, dict):
        raise ValueError("settings must be a JSON object")
    engine_data = _known(EngineSettings, data.get("engine", {}))
    if "device" in engine_data:
        engine_data["device"] = DeviceChoice(engine_data["device"])
    if "quantization" in engine_data:
        engine_data["quantization"] = Quantization(engine_data["quantization"])
    hotkeys = dict(DEFAULT_HOTKEYS)
    hotkeys.update({str(k): str(v) for k, v in dict(data.get("hotkeys", {})).items()})
    server_data = _known(ServerSettings, data.get("server", {}))
    if "approved_hosts" in server_data:
        server_data["approved_hosts"] = tuple(str(h) for h in server_data["approved_hosts"])
    top = _known(AppSettings, data)
    top.update(
        engine=EngineSettings(**engine_data),
        server=ServerSettings(**server_data),
        speech=_speech_settings(data.get("speech", {})),
        hotkeys=hotkeys,
    )
    if "style" in top:
        top["style"] = DescriptionStyle(top["style"])
    return AppSettings(**top)


def _speech_settings(data: Any) -> SpeechSettings:
    """Speech settings; files from before `output` have `use_screen_reader` (true: the screen
    reader; false was the default, not a choice: AUTO). A bad `output` value means AUTO."""
    known = _known(SpeechSettings, data)
    if "output" in known:
        try:
            known["output"] = SpeechOutput(known["output"])
        except (ValueError, TypeError):
            log.warning("unknown speech output %r in the settings; automatic", known["output"])
            known["output"] = SpeechOutput.AUTO
    elif data.get("use_screen_reader") is True:
        known["output"] = SpeechOutput.SCREEN_READER
    return SpeechSettings(**known)


def _known(cls: type, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"expected an object for {cls.__name__}")
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


def load_settings(path: Path | None = None) -> AppSettings:
    """Saved settings, or defaults. A corrupt file is kept aside as `*.corrupt-TIME`;
    temporary files of saves that were killed are removed."""
    file = path or settings_path()
    remove_leftovers(file)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AppSettings()
    except OSError as error:
        log.warning("cannot read %s: %s", file, error)
        return AppSettings()
    try:
        return from_json(json.loads(text))
    except (ValueError, TypeError, KeyError) as error:
        backup = keep_corrupt_copy(file)
        log.warning("settings file %s is corrupt (%s); defaults used, copy kept", backup, error)
        return AppSettings()


def save_settings(
    settings: AppSettings, path: Path | None = None, *, opener: Opener | None = None
) -> Path:
    """Write atomically (see `write_atomically`); the old file stays whole on failure.
    Raises OSError."""
    file = path or settings_path()
    text = json.dumps(to_json(settings), indent=2, ensure_ascii=False)
    write_atomically(file, text, opener=opener)
    return file
