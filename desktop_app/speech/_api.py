"""What every speaker offers, and the silent one used when speech is off or broken."""

from __future__ import annotations

from typing import Protocol

from desktop_app.speech._route import SPEECH_OFF_ROUTE, SpeechRoute


class Speaker(Protocol):
    """Speaks text, one utterance after another, on a thread of its own."""

    problem: str | None
    """Why speech is silent (a message for the user), or None."""

    route: SpeechRoute
    """Whose voice speaks (the screen reader's or Iris's own), and why."""

    def say(self, text: str, *, interrupt: bool = False, language: str | None = None) -> None:
        """Queue `text`, spoken in `language` (a code such as "de"; None: the speaker's
        own); with `interrupt`, first silence and drop everything queued."""
        ...

    def stop(self) -> None:
        """Silence at once and drop the queue."""
        ...

    def wait_idle(self, timeout: float) -> bool:
        """Wait until everything queued is spoken (or written); False if `timeout` passed."""
        ...

    def close(self) -> None:
        """Stop and release the engine; later calls do nothing."""
        ...


class SilentSpeaker:
    """Says nothing (as NVDA's "silence" synth driver); `problem` tells why, if it matters."""

    def __init__(self, problem: str | None = None, route: SpeechRoute = SPEECH_OFF_ROUTE) -> None:
        self.problem = problem
        self.route = route
        self.said: list[str] = []
        """What it was asked to say, for tests of other layers."""

    def say(self, text: str, *, interrupt: bool = False, language: str | None = None) -> None:
        """Remember `text`, speak nothing."""
        self.said.append(text)

    def stop(self) -> None:
        """Nothing to silence."""

    def wait_idle(self, timeout: float) -> bool:
        """Always idle."""
        return True

    def close(self) -> None:
        """Nothing to release."""
