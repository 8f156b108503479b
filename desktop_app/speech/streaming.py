"""Speaking an answer while it streams: each sentence as soon as it is complete."""

from __future__ import annotations

from desktop_app.speech.speakers import Speaker
from desktop_app.speech.splitter import SentenceSplitter


class StreamingSpeech:
    """Feed the answer's pieces; whole sentences go to the speaker as they complete."""

    def __init__(self, speaker: Speaker) -> None:
        self.speaker = speaker
        self._splitter = SentenceSplitter()
        self._cancelled = False

    def feed(self, piece: str) -> None:
        """A new piece of the answer."""
        if self._cancelled:
            return
        for sentence in self._splitter.feed(piece):
            self.speaker.say(sentence)

    def finish(self) -> None:
        """The answer is complete: speak what is left."""
        rest = self._splitter.flush()
        if rest and not self._cancelled:
            self.speaker.say(rest)

    def cancel(self) -> None:
        """Stop speaking this answer."""
        self._cancelled = True
        self._splitter.flush()
        self.speaker.stop()
