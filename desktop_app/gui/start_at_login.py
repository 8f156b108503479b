"""Keeping the platform's autostart entry as the "Start Iris when I log in" setting says."""

from __future__ import annotations

import logging
from collections.abc import Callable

from desktop_app.settings.autostart import (
    Autostart,
    failure_message,
    launch_command,
    platform_autostart,
    sync_autostart,
)

log = logging.getLogger(__name__)


class StartAtLogin:
    """Writes or removes the autostart entry (`autostart`: this platform's place when None);
    a failure is told through `announce`, and tried again at the next save."""

    def __init__(self, announce: Callable[..., None], autostart: Autostart | None = None) -> None:
        self.announce = announce
        self._autostart = autostart
        self._failed = False

    def apply(self, before: bool, wanted: bool) -> None:
        """Sync the entry when the setting is or was on, or the last try failed; the
        setting stays as the user chose it either way."""
        if not (wanted or before or self._failed):
            return
        autostart = self._autostart or platform_autostart()
        try:
            sync_autostart(autostart, wanted, launch_command())
        except OSError as error:
            self._failed = True
            log.warning("autostart entry at %s: %s", autostart.place, error)
            self.announce(failure_message(error, autostart, wanted), interrupt=False)
            return
        self._failed = False
