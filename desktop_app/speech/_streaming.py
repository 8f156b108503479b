"""Speak a streamed answer sentence by sentence, while it is still being generated."""

from __future__ import annotations

from desktop_app.speech._api import Speaker
from desktop_app.speech._splitter import SentenceSplitter


class StreamingSpeech:
    """Feed it answer pieces; each sentence is queued on the speaker as soon as it is whole."""

    def __init__(
        self,
        speaker: Speaker,
        splitter: SentenceSplitter | None = None,
        *,
        language: str | None = None,
    ) -> None:
        self.speaker = speaker
        self.language = language
        """The answer's language (a code such as "de"; None: the speaker's own)."""
        self._splitter = splitter or SentenceSplitter()
        self._done = False

    def feed(self, piece: str) -> None:
        """Add a piece of the answer; speak the sentences it completes."""
        if self._done:
            return
        for sentence in self._splitter.feed(piece):
            self.speaker.say(sentence, language=self.language)

    def finish(self) -> None:
        """The answer is complete: speak what is left of it."""
        if self._done:
            return
        self._done = True
        rest = self._splitter.flush()
        if rest:
            self.speaker.say(rest, language=self.language)

    def cancel(self) -> None:
        """The answer was stopped or replaced: forget the rest and silence what is queued."""
        if self._done:
            return
        self._done = True
        self._splitter.flush()
        self.speaker.stop()
