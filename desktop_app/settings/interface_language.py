"""The Interface language setting's choices: the system's language, or one Iris has a
catalogue for (`core.i18n.LANGUAGE_NAMES`)."""

from __future__ import annotations

import enum
import json
from pathlib import Path

from desktop_app.core import messages
from desktop_app.core.i18n import LANGUAGE_NAMES


class InterfaceLanguage(enum.Enum):
    """The language of Iris's window, menus, spoken messages and command line; the value is
    the language code given to `core.i18n.install` ("" for the system's)."""

    SYSTEM = ""
    ENGLISH = "en"
    GERMAN = "de"
    SPANISH = "es"
    FRENCH = "fr"


INTERFACE_LANGUAGE_CHOICES = {
    InterfaceLanguage.SYSTEM: messages.INTERFACE_LANGUAGE_SYSTEM,
    **{InterfaceLanguage(code): name for code, name in LANGUAGE_NAMES.items()},
}
"""The choices as Settings shows them: System (translated), then each language's own name."""


def saved_interface_language(path: Path | None = None) -> str:
    """The Interface language saved in the settings file ("" for the system's, and when the
    file is missing or unreadable), read without loading, fixing or moving anything: the
    command line installs it before the window loads the settings properly."""
    from desktop_app.settings.app_settings import settings_path

    try:
        saved = json.loads((path or settings_path()).read_text(encoding="utf-8"))
        return InterfaceLanguage(saved.get("interface_language", "")).value
    except (OSError, ValueError, AttributeError, TypeError):
        return InterfaceLanguage.SYSTEM.value
