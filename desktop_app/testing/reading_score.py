"""Scoring a text reading against a `TextScreen`'s truth: character errors and order errors."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from desktop_app.core.reading import TextReading
from desktop_app.testing.text_screens import TextScreen


@dataclass(frozen=True)
class ReadingScore:
    """How far a reading is from the truth."""

    characters: int
    character_errors: int
    order_errors: int
    """Lines that must move for the reading order to match the truth (n - longest run in order)."""
    mismatches: tuple[tuple[str, str], ...]
    """(truth, read) for each line read wrongly."""

    @property
    def cer(self) -> float:
        """Character error rate."""
        return self.character_errors / max(1, self.characters)


def score(screen: TextScreen, reading: TextReading) -> ScoreResult:
    """Match each line read to the truth line its box overlaps most, then count errors."""
    pieces: dict[int, list[str]] = {}
    order: list[int] = []
    extra = 0
    for line in reading.lines:
        truth = _overlapping(screen, line.box.x, line.box.y, line.box.width, line.box.height)
        if truth is None:
            extra += len(line.text)
            continue
        pieces.setdefault(truth, []).append(line.text)
        if not order or order[-1] != truth:
            order.append(truth)
    errors, mismatches = extra, []
    for index, truth_text in enumerate(screen.lines):
        read = " ".join(pieces.get(index, []))
        distance = Levenshtein.distance(truth_text, read)
        errors += distance
        if distance:
            mismatches.append((truth_text, read))
    characters = sum(len(text) for text in screen.lines)
    return ReadingScore(
        characters, errors, len(order) - _longest_increasing(order), tuple(mismatches)
    )


ScoreResult = ReadingScore


def _overlapping(screen: TextScreen, x: int, y: int, width: int, height: int) -> int | None:
    best, best_area = None, 0
    for index, (left, top, right, bottom) in enumerate(screen.boxes):
        overlap_x = min(x + width, right) - max(x, left)
        overlap_y = min(y + height, bottom) - max(y, top)
        if overlap_x > 0 and overlap_y > 0 and overlap_x * overlap_y > best_area:
            best, best_area = index, overlap_x * overlap_y
    return best


def _longest_increasing(sequence: list[int]) -> int:
    tails: list[int] = []
    for value in sequence:
        position = bisect.bisect_left(tails, value)
        tails[position : position + 1] = [value]
    return len(tails)
