"""Cutting a streamed answer into sentences, so speech can start before the answer ends."""

from __future__ import annotations

import re

_ABBREVIATIONS = {
    "e.g", "i.e", "etc", "dr", "mr", "mrs", "ms", "prof", "st", "vs", "no", "fig", "approx",
    "inc", "ltd", "jr", "sr", "mt", "ca",
}  # fmt: skip
_END = re.compile(r"([.!?…]+[\"')\]]*)(\s+)|(\n+)")


class SentenceSplitter:
    """Feed text pieces; get back each sentence once it is complete."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, piece: str) -> list[str]:
        """Add a piece; return the sentences it completed (stripped, non-empty)."""
        self._buffer += piece
        sentences: list[str] = []
        start = 0
        for match in _END.finditer(self._buffer):
            if match.group(1) and not _ends_sentence(self._buffer[start : match.start(1)]):
                continue
            sentence = self._buffer[start : match.end(1) if match.group(1) else match.start()]
            if sentence.strip():
                sentences.append(sentence.strip())
            start = match.end()
        self._buffer = self._buffer[start:]
        return sentences

    def flush(self) -> str | None:
        """Whatever is left once the answer is complete."""
        rest, self._buffer = self._buffer.strip(), ""
        return rest or None


def _ends_sentence(text: str) -> bool:
    """False when the full stop belongs to an abbreviation, an initial or a number."""
    words = text.split()
    if not words:
        return False
    last = words[-1].rstrip(".").lower()
    if last in _ABBREVIATIONS:
        return False
    return not (len(last) == 1 and last.isalpha() and text.rstrip().endswith(last.upper()))
