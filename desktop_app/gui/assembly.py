"""Putting the window's parts together: the one place a Controller is built."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop_app.gui.controller import Controller
from desktop_app.gui.history_saver import HistorySaver
from desktop_app.gui.image_actions import Capturer
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.model_session import Ask, ModelSession
from desktop_app.gui.preferences import Preferences
from desktop_app.gui.start_at_login import StartAtLogin
from desktop_app.gui.voice import Speaker, StreamingSpeaker, Voice
from desktop_app.gui.worker import EngineWorker
from desktop_app.settings import ApiKeys, AppSettings, ConversationHistory, Opener
from desktop_app.settings.autostart import Autostart
from desktop_app.settings.keeper import SettingsKeeper


def build_controller(
    window: MainWindow,
    capturer: Capturer,
    settings: AppSettings,
    *,
    worker: EngineWorker | None = None,
    speaker: Speaker | None = None,
    streaming_speech: Callable[[], StreamingSpeaker] | None = None,
    confirm: Ask | None = None,
    backend_factory: Callable[[AppSettings], Callable[[], Any]] | None = None,
    reader: EngineWorker | None = None,
    history: ConversationHistory | None = None,
    opener: Opener | None = None,
    api_keys: ApiKeys | None = None,
    autostart: Autostart | None = None,
    settings_file: Path | None = None,
) -> Controller:
    """The controller over `window`, with its parts: captures by `capturer`; the model on
    `worker` (made when None; its backend made by `backend_factory`, the server's or local
    model's by default) and the text reader on `reader` (made when None); speech through
    `speaker` and `streaming_speech` (silent until a SpeechSwitch gives a voice).
    `confirm(title, question)` asks yes/no (a dialog when None), `history` keeps the
    conversations' text, `opener` opens saves' temporary files (tests pass failing ones),
    `api_keys` holds servers' keys (the keyring), `autostart` is where "Start Iris when I
    log in" is written, `settings_file` where settings are saved (the platform's place)."""
    keeper = SettingsKeeper(settings, settings_file, opener)
    voice = Voice(window, keeper, speaker, streaming_speech)
    ask = confirm or _ask_yes_no(window)

    def spoken_ask(title: str, question: str) -> bool:
        voice.speak_question(question)
        return ask(title, question)

    session = ModelSession(
        worker,
        keeper,
        spoken_ask,
        reader=reader,
        api_keys=api_keys,
        backend_factory=backend_factory,
    )
    kept = HistorySaver(
        history or ConversationHistory(enabled=settings.keep_history, opener=opener),
        voice.announce,
    )
    login = StartAtLogin(voice.announce, autostart)
    preferences = Preferences(window, keeper, session, voice, kept, login)
    controller = Controller(window, session, voice, capturer, keeper, kept, preferences)
    return controller


def _ask_yes_no(parent: MainWindow) -> Ask:
    def ask(title: str, text: str) -> bool:
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(parent, title, text)
        return answer == QMessageBox.StandardButton.Yes

    return ask
