"""Cut streamed text into whole sentences, so speech can start before the answer ends."""

from __future__ import annotations

import re

TERMINATORS = ".!?…"
CLOSERS = "\"')]}\u201d\u2019\u00bb"
"""May follow a sentence's end: quotes (also curly ones) and brackets."""
OPENERS = "\"'([{\u201c\u2018\u00ab"

ABBREVIATIONS = frozenset(
    ["mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "mt", "vs", "approx", "cf", "fig", "dept"]
)
"""Words that a full stop follows without ending the sentence ("Dr. Smith", "Fig. 3")."""

_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
"""e.g, i.e, U.S, a.m: letters with dots between them."""


class SentenceSplitter:
    """Feed text pieces, get back complete sentences; `flush` returns what is left.

    A sentence ends at a newline, or at '.', '!', '?' or '…' (closing quotes or brackets may
    follow) when whitespace comes after.
    Abbreviations ("Dr.", "e.g."), initials ("J."), decimals ("3.5"), times ("10:30") and list
    numbers ("1. Open the file") do not end a sentence. A sentence longer than `max_chars`
    without an end is cut after a comma, semicolon or colon, or else at a space.
    """

    def __init__(self, max_chars: int = 300) -> None:
        self.max_chars = max_chars
        self._buffer = ""

    def feed(self, piece: str) -> list[str]:
        """Add `piece`; return the sentences it completed, in order."""
        self._buffer += piece
        sentences: list[str] = []
        while True:
            end = _sentence_end(self._buffer)
            if end is None and len(self._buffer) > self.max_chars:
                end = _long_cut(self._buffer, self.max_chars)
            if end is None:
                break
            sentence, self._buffer = self._buffer[:end].strip(), self._buffer[end:].lstrip()
            if sentence:
                sentences.append(sentence)
        return sentences

    def flush(self) -> str | None:
        """Everything not yet returned (None if only whitespace); the splitter starts afresh."""
        rest, self._buffer = self._buffer.strip(), ""
        return rest or None


def _sentence_end(text: str) -> int | None:
    """Index just past the first sentence in `text`, or None if it is not complete yet."""
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\n":
            return i + 1
        if char not in TERMINATORS:
            i += 1
            continue
        j = i + 1
        while j < len(text) and text[j] in TERMINATORS:
            j += 1
        while j < len(text) and text[j] in CLOSERS:
            j += 1
        if j == len(text):
            return None  # what follows decides
        if not text[j].isspace():
            i = j  # "3.5", "e.g.x", "?!"
            continue
        if text[i:j].rstrip(CLOSERS) == "." and _is_abbreviation(text[:i]):
            i = j
            continue
        return j
    return None


def _is_abbreviation(before: str) -> bool:
    """Whether the word just before a full stop makes it not end the sentence."""
    words = before.split()
    if not words:
        return False
    word = words[-1].lstrip(OPENERS)
    lower = word.lower()
    if lower in ABBREVIATIONS or _DOTTED.fullmatch(word):
        return True
    if len(word) == 1 and word.isupper():
        return True  # an initial: "J. R. R. Tolkien"
    return word.isdigit() and len(words) == 1  # a list number at the start: "1. Open it"


def _long_cut(text: str, limit: int) -> int | None:
    """Where to cut a sentence that has gone on too long: after a clause, else at a space."""
    window = text[:limit]
    for marks in (",;:", " "):
        best = max((window.rfind(f"{mark} ") for mark in marks), default=-1)
        if best > 0:
            return best + 1
    return None
