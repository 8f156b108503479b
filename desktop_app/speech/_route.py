"""Whose voice speaks Iris's answers: the running screen reader's, or Iris's own.

`choose_route` is the whole decision, a pure function of the settings, the screen reader found
running and the platform; `route_notice` is what to tell the user about it, once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from desktop_app.core import messages
from desktop_app.settings import SpeechOutput, SpeechSettings
from desktop_app.speech._screen_reader import JAWS, NVDA, VOICEOVER


class RouteReason(enum.Enum):
    """Why a route was taken."""

    SCREEN_READER_RUNS = "screen_reader_runs"
    """Automatic: a screen reader runs, and Iris speaks through it."""
    NO_SCREEN_READER = "no_screen_reader"
    """Automatic: no screen reader runs; Iris's own voice."""
    NO_HAND_OFF = "no_hand_off"
    """Automatic: a screen reader runs that Iris cannot speak through here; Iris's own voice."""
    CHOSEN_SCREEN_READER = "chosen_screen_reader"
    """The user chose the screen reader's voice."""
    CHOSEN_OWN_VOICE = "chosen_own_voice"
    """The user chose Iris's own voice."""
    HAND_OFF_FAILED = "hand_off_failed"
    """Iris tried the screen reader's voice and could not start it; Iris's own voice."""
    FILES = "files"
    """--speak-to-files: Iris's own voice, written to WAV files."""
    SPEECH_OFF = "speech_off"
    """Speech is turned off."""


@dataclass(frozen=True)
class SpeechRoute:
    """Where speech goes, and why."""

    screen_reader: str | None
    """Whose voice: the screen reader's name ("Orca", "your screen reader"), None for Iris's own."""
    reason: RouteReason
    detected: str | None = None
    """The screen reader found running (None if none, or if nobody looked)."""
    detail: str | None = None
    """Why the hand-off failed, in a few words (HAND_OFF_FAILED only)."""

    @property
    def own_voice(self) -> bool:
        """Iris speaks with its own voice (or not at all)."""
        return self.screen_reader is None


OWN_VOICE_ROUTE = SpeechRoute(None, RouteReason.CHOSEN_OWN_VOICE)
"""The route of a speaker made directly (not by create_speaker)."""
SPEECH_OFF_ROUTE = SpeechRoute(None, RouteReason.SPEECH_OFF)

HAND_OFF_PLATFORMS = ("linux", "win32", "darwin")
"""Platforms with a hand-off (sys.platform prefixes)."""


def has_hand_off(platform: str) -> bool:
    """Whether Iris can speak through some screen reader on `platform`."""
    return platform.startswith(HAND_OFF_PLATFORMS)


def can_speak_through(screen_reader: str, platform: str) -> bool:
    """Whether Iris can speak through the screen reader called `screen_reader` on `platform`:
    any on Linux (they speak through speech-dispatcher), NVDA and JAWS on Windows, VoiceOver
    on macOS."""
    if platform.startswith("linux"):
        return True
    if platform == "win32":
        return screen_reader in (NVDA, JAWS)
    if platform == "darwin":
        return screen_reader == VOICEOVER
    return False


def choose_route(settings: SpeechSettings, detected: str | None, platform: str) -> SpeechRoute:
    """The route for `settings`, with `detected` (the running screen reader's name, or None)
    on `platform` (a sys.platform value). The user's explicit choice comes before detection."""
    if not settings.enabled:
        return SpeechRoute(None, RouteReason.SPEECH_OFF, detected)
    if settings.output is SpeechOutput.OWN_VOICE:
        return SpeechRoute(None, RouteReason.CHOSEN_OWN_VOICE, detected)
    if settings.output is SpeechOutput.SCREEN_READER:
        if not has_hand_off(platform):
            return SpeechRoute(None, RouteReason.NO_HAND_OFF, detected)
        name = detected or messages.SCREEN_READER_GENERIC
        return SpeechRoute(name, RouteReason.CHOSEN_SCREEN_READER, detected)
    if detected is None:
        return SpeechRoute(None, RouteReason.NO_SCREEN_READER)
    if can_speak_through(detected, platform):
        return SpeechRoute(detected, RouteReason.SCREEN_READER_RUNS, detected)
    return SpeechRoute(None, RouteReason.NO_HAND_OFF, detected)


def route_notice(route: SpeechRoute) -> str | None:
    """The sentence to say once about `route` (in Iris's window, when speech starts or the
    route changes), or None when there is nothing worth saying."""
    if route.screen_reader is not None:
        return messages.SPEECH_ROUTE_SCREEN_READER.format(screen_reader=route.screen_reader)
    if route.reason is RouteReason.HAND_OFF_FAILED:
        name = route.detected or messages.SCREEN_READER_GENERIC
        reason = route.detail or "unknown reason"
        return messages.SPEECH_ROUTE_HAND_OFF_FAILED.format(screen_reader=name, reason=reason)
    if route.detected is None:
        return None
    if route.reason is RouteReason.CHOSEN_OWN_VOICE:
        return messages.SPEECH_ROUTE_OWN_VOICE_BESIDE.format(screen_reader=route.detected)
    if route.reason is RouteReason.NO_HAND_OFF:
        return messages.SPEECH_ROUTE_NO_HAND_OFF.format(screen_reader=route.detected)
    return None
