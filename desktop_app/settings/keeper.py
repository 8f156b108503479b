"""The settings in use, and saving them (a failed save is told, never lost silently)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core import messages
from desktop_app.settings.app_settings import AppSettings, save_settings, settings_path
from desktop_app.settings.atomic import Opener, save_error_message


class SettingsKeeper:
    """Holds the settings in use; `save` makes new ones current and writes them.

    `path` is the settings file (the platform's when None); `opener` opens the save's
    temporary file (tests pass one that fails).
    """

    def __init__(
        self, current: AppSettings, path: Path | None = None, opener: Opener | None = None
    ) -> None:
        self.current = current
        self.path = path
        self.opener = opener

    def save(self, settings: AppSettings) -> str | None:
        """Use `settings` and write them; None when saved, else why not (a sentence to show
        and speak: the settings are used all the same)."""
        self.current = settings
        target = self.path or settings_path()
        try:
            save_settings(settings, target, opener=self.opener)
        except OSError as error:
            return save_error_message(error, target, messages.SAVE_WHAT_SETTINGS)
        return None
