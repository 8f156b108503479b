"""Choosing the speaker the settings ask for, with the silent one as the fallback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from desktop_app.core.errors import SpeechError
from desktop_app.settings import SpeechSettings
from desktop_app.speech._api import SilentSpeaker, Speaker
from desktop_app.speech._audio import AudioOutput, FileWriter, default_player
from desktop_app.speech._render import Pyttsx3Synthesizer, RenderingBackend, Synthesizer
from desktop_app.speech._screen_reader import screen_reader_backend
from desktop_app.speech._threaded import Backend, ThreadedSpeaker

log = logging.getLogger(__name__)


def create_speaker(
    settings: SpeechSettings,
    *,
    speak_to_files: Path | None = None,
    synthesizer_factory: Callable[[SpeechSettings], Synthesizer] | None = None,
    engine_factory: Callable[[], Any] | None = None,
    output_factory: Callable[[], AudioOutput] = default_player,
    screen_reader_factory: Callable[[], Backend] = screen_reader_backend,
    on_problem: Callable[[str], None] | None = None,
) -> Speaker:
    """The speaker for `settings`; never raises. A speaker that cannot start is a SilentSpeaker
    whose `problem` says why; `enabled=False` gives one without a problem.

    `speak_to_files` writes each utterance to DIR/0001.wav, DIR/0002.wav... instead of playing
    it (the screen reader setting is then ignored). The factories are for tests and other
    engines (`engine_factory` makes a pyttsx3-like engine for the default synthesizer); each
    is called on the speaker's own thread. `on_problem(problem)` is called, on that thread,
    if the speaker goes silent after it started (a failure at the start is in `problem`).
    """
    if not settings.enabled:
        return SilentSpeaker()
    make_synthesizer = synthesizer_factory or partial(
        Pyttsx3Synthesizer, engine_factory=engine_factory
    )

    def make_backend() -> Backend:
        if speak_to_files is not None:
            return RenderingBackend(make_synthesizer(settings), FileWriter(speak_to_files))
        if settings.use_screen_reader:
            try:
                return screen_reader_factory()
            except SpeechError as error:
                log.warning("no screen reader to hand speech to (%s); Iris speaks", error.message)
        output = output_factory()
        return RenderingBackend(make_synthesizer(settings), output)

    speaker = ThreadedSpeaker(make_backend, on_problem=on_problem)
    if speaker.problem is not None:
        speaker.close()
        return SilentSpeaker(speaker.problem)
    return speaker
