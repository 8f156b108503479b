"""Scoring a text reading against a `TextScreen`'s truth: character errors and order errors."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
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


def score_texts(truth: Sequence[str], reading: TextReading) -> ReadingScore:
    """Score a reading against texts known to be on a screen, with no boxes (screenshots of
    real applications): each truth text counts the edits between it and the closest stretch
    of what was read (the lines in reading order, joined by spaces, so a wrapped paragraph
    matches whole). What the truth does not name (menus, toolbars) is not counted; order is
    not scored."""
    read = _spaced(" ".join(line.text for line in reading.lines))
    errors, mismatches, characters = 0, [], 0
    for text in truth:
        wanted = _spaced(text)
        distance, end = _closest_stretch(wanted, read)
        characters += len(wanted)
        errors += distance
        if distance:
            mismatches.append((wanted, read[max(0, end - len(wanted)) : end]))
    return ReadingScore(characters, errors, 0, tuple(mismatches))


def _spaced(text: str) -> str:
    return " ".join(text.split())


def _closest_stretch(pattern: str, text: str) -> tuple[int, int]:
    """The fewest edits turning `pattern` into some stretch of `text`, and where that
    stretch ends (semi-global Levenshtein distance, one numpy row per pattern character)."""
    import numpy as np

    if not pattern:
        return 0, 0
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    columns = np.arange(len(codes) + 1)
    row = np.zeros(len(codes) + 1, dtype=np.int64)  # a stretch may start anywhere
    for number, char in enumerate(pattern, start=1):
        substitute = row[:-1] + (codes != ord(char))
        candidate = np.empty_like(row)
        candidate[0] = number
        candidate[1:] = np.minimum(substitute, row[1:] + 1)  # substitution or deletion
        row = np.minimum.accumulate(candidate - columns) + columns  # insertions
    end = int(row.argmin())
    return int(row[end]), end
