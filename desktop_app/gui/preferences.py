"""The Settings action, and the one place new settings are applied."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from desktop_app.core import messages
from desktop_app.gui.backends import location_line
from desktop_app.gui.history_saver import HistorySaver
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.model_session import ModelSession
from desktop_app.gui.start_at_login import StartAtLogin
from desktop_app.gui.voice import Voice
from desktop_app.settings import AppSettings
from desktop_app.settings.keeper import SettingsKeeper


class Preferences(QObject):
    """Opens the Settings dialog and applies what it gives: the model session, the saved
    history, the autostart entry and the location line follow here; hotkeys and speech
    follow `changed` (connected where they are made)."""

    changed = Signal(object)
    """The AppSettings now in use."""

    def __init__(
        self,
        window: MainWindow,
        keeper: SettingsKeeper,
        session: ModelSession,
        voice: Voice,
        history: HistorySaver,
        start_at_login: StartAtLogin,
    ) -> None:
        super().__init__()
        self.window = window
        self.keeper = keeper
        self.session = session
        self.voice = voice
        self.history = history
        self.start_at_login = start_at_login
        self.dialog: Any = None
        self.dress_dialog: Callable[[QWidget], None] = lambda dialog: None
        """Gives a dialog the window's colours (set by the Appearance part)."""
        window.show_location(location_line(keeper.current.server))

    def open_settings(self) -> None:
        """Show the Settings dialog; OK saves and applies hotkeys, speech and model at once."""
        from desktop_app.gui.settings_dialog import SettingsDialog

        dialog = self.dialog = SettingsDialog(
            self.keeper.current,
            self.window,
            on_clear_history=self.history.clear,
            api_keys=self.session.api_keys,
            speak=self.voice.announce,
            model_missing=self.session.local_model_missing(),
        )

        def accepted() -> None:
            self.apply(
                dialog.result_settings(),
                new_backend=dialog.server_panel.key_changed,
                save=True,
                ask_for_model=dialog.download_requested,
            )

        dialog.accepted.connect(accepted)
        self.dress_dialog(dialog)
        dialog.open()

    def apply(
        self,
        settings: AppSettings,
        *,
        new_backend: bool = False,
        save: bool = False,
        ask_for_model: bool = False,
    ) -> None:
        """Use new settings now (saved first with `save`: if that fails, they are used all
        the same, and the user is told); every part that depends on them follows. A new
        model (or server) is loaded afresh, and so is the same one with `new_backend` (the
        server's API key changed); `ask_for_model` (Settings' Download the model) asks
        again to download a local model that is still missing."""
        previous = self.keeper.current
        problem = self.keeper.save(settings) if save else None
        self.keeper.current = settings
        self.start_at_login.apply(previous.start_at_login, settings.start_at_login)
        self.changed.emit(settings)
        self.window.show_location(location_line(settings.server))
        if settings.keep_history != self.history.enabled:
            self.history.switch(settings.keep_history)
        self.session.apply(previous, new_backend=new_backend, ask_for_model=ask_for_model)
        if problem is not None:
            self.voice.announce(messages.SAVE_SETTINGS_USED_UNSAVED.format(problem=problem))
        if settings.interface_language != previous.interface_language:
            self.voice.announce(messages.INTERFACE_LANGUAGE_AFTER_RESTART, interrupt=False)
