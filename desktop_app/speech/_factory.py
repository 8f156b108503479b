"""Choosing the speaker the settings ask for: the screen reader's voice or Iris's own, with the
silent one as the last fallback."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from desktop_app.core.errors import SpeechError, first_line
from desktop_app.settings import SpeechSettings
from desktop_app.speech._api import SilentSpeaker, Speaker
from desktop_app.speech._audio import AudioOutput, FileWriter, default_player
from desktop_app.speech._detect import detect_screen_reader
from desktop_app.speech._render import Pyttsx3Synthesizer, RenderingBackend, Synthesizer
from desktop_app.speech._route import (
    SPEECH_OFF_ROUTE,
    RouteReason,
    SpeechRoute,
    choose_route,
)
from desktop_app.speech._screen_reader import HandOffError, hand_off_backend
from desktop_app.speech._threaded import Backend, ThreadedSpeaker

log = logging.getLogger(__name__)


def create_speaker(
    settings: SpeechSettings,
    *,
    speak_to_files: Path | None = None,
    synthesizer_factory: Callable[[SpeechSettings], Synthesizer] | None = None,
    engine_factory: Callable[[], Any] | None = None,
    output_factory: Callable[[], AudioOutput] = default_player,
    screen_reader_factory: Callable[[str], Backend] | None = None,
    detect: Callable[[], str | None] = detect_screen_reader,
    platform: str = sys.platform,
    on_problem: Callable[[str], None] | None = None,
    language: str | None = None,
) -> Speaker:
    """The speaker for `settings`; never raises. A speaker that cannot start is a SilentSpeaker
    whose `problem` says why; `enabled=False` gives one without a problem. The speaker's
    `route` says whose voice speaks and why (see `choose_route`).

    `detect()` names the running screen reader (or None); `settings.output` and `platform`
    decide with it. A hand-off that cannot start falls back to Iris's own voice, with the
    reason in `route.detail`. `speak_to_files` writes each utterance to DIR/0001.wav,
    DIR/0002.wav... in Iris's own voice, without looking for a screen reader.
    `screen_reader_factory(name)` makes the hand-off backend (by default `hand_off_backend`
    for `platform`). The other factories are for tests and other engines (`engine_factory`
    makes a pyttsx3-like engine for the default synthesizer). Detection and every factory run
    on the speaker's own thread. `on_problem(problem)` is called, on that thread, if the
    speaker goes silent after it started (a failure at the start is in `problem`).
    `language` (a code such as "de") is what the speaker speaks where `say` names none.
    """
    if not settings.enabled:
        return SilentSpeaker(route=SPEECH_OFF_ROUTE)
    make_synthesizer = synthesizer_factory or partial(
        Pyttsx3Synthesizer, engine_factory=engine_factory
    )
    hand_off = screen_reader_factory or partial(hand_off_backend, platform=platform)
    routes: list[SpeechRoute] = []

    def make_backend() -> Backend:
        if speak_to_files is not None:
            routes.append(SpeechRoute(None, RouteReason.FILES))
            return RenderingBackend(make_synthesizer(settings), FileWriter(speak_to_files))
        route = choose_route(settings, _detected(detect), platform)
        if route.screen_reader is not None:
            try:
                backend = hand_off(route.screen_reader)
            except Exception as error:
                reason = _reason(error)
                log.warning(
                    "cannot speak through %s (%s); Iris speaks", route.screen_reader, reason
                )
                route = replace(
                    route, screen_reader=None, reason=RouteReason.HAND_OFF_FAILED, detail=reason
                )
            else:
                routes.append(route)
                return backend
        routes.append(route)
        return RenderingBackend(make_synthesizer(settings), output_factory())

    speaker = ThreadedSpeaker(make_backend, on_problem=on_problem, language=language)
    route = routes[0] if routes else SpeechRoute(None, RouteReason.NO_SCREEN_READER)
    speaker.route = route
    log.info("speech route: %s", route)
    if speaker.problem is not None:
        speaker.close()
        return SilentSpeaker(speaker.problem, route=route)
    return speaker


def _detected(detect: Callable[[], str | None]) -> str | None:
    """`detect()`, or None if it raises (it should not)."""
    try:
        return detect()
    except Exception:
        log.warning("looking for a screen reader failed", exc_info=True)
        return None


def _reason(error: Exception) -> str:
    """A hand-off failure in a few words."""
    if isinstance(error, HandOffError):
        return error.reason
    if isinstance(error, SpeechError):
        return error.message
    return first_line(error)
