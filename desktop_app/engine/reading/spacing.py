"""Putting back the spaces the recognition model drops, from the gaps in the ink.

PP-OCR's recognizer often runs short words together ("Savechanges?"). Each crop's columns
without ink are measured; a blank run wider than a share of the line's mean character
advance between two characters is a word space. Pure numpy; each word's confidence is its
least certain character's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.engine.reading.ocr import Glyph

SPACE_GAP = 0.6
"""A blank run at least this share of the line's mean character advance is a word space."""
NARROW = frozenset("-")
"""Characters whose ink is narrow for their advance (a terminal's "-rw-r--r--"): a space next
to one needs a blank run of a whole advance."""
NARROW_GAP = 1.0
NO_SPACE_BEFORE = frozenset(".,!?:;%)]}'\u2019\u201d")
NO_SPACE_AFTER = frozenset("([{'\u2018\u201c$#")
INK_CONTRAST = 0.35
"""How far (0-1 of the crop's range) from the background a pixel must be to count as ink."""


@dataclass(frozen=True)
class Ink:
    """Which columns of a crop hold ink, and how tall the ink is (pixels)."""

    columns: Any
    height: int


def measure_ink(crop: Any) -> Ink:
    """Find the ink of a line crop, dark-on-light or light-on-dark alike."""
    import numpy as np

    grey = crop.astype("float32").mean(axis=2) if crop.ndim == 3 else crop.astype("float32")
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = float(np.median(border))
    distance = np.abs(grey - background)
    spread = float(distance.max())
    if spread < 1.0:
        return Ink(np.zeros(grey.shape[1], dtype=bool), 0)
    ink = distance >= INK_CONTRAST * spread
    rows = np.flatnonzero(ink.any(axis=1))
    height = int(rows[-1] - rows[0] + 1) if rows.size else 0
    return Ink(ink.any(axis=0), height)


def _blank_runs(columns: Any, minimum: float) -> list[tuple[int, int]]:
    """(start, end) of blank runs at least `minimum` wide between inked `columns` (indices)."""
    import numpy as np

    if columns.size < 2:
        return []
    gaps = np.diff(columns)
    wide = np.flatnonzero(gaps - 1 >= minimum)
    return [(int(columns[i]) + 1, int(columns[i + 1])) for i in wide]


def words_from_glyphs(glyphs: list[Glyph], ink: Ink) -> list[tuple[str, float]]:
    """Split recognized characters into words (text, confidence), adding missing spaces."""
    import numpy as np

    columns = np.flatnonzero(ink.columns)
    advance = (columns[-1] - columns[0] + 1) / len(glyphs) if glyphs and columns.size else 0
    gaps = _blank_runs(columns, SPACE_GAP * advance) if advance else []
    wide_gaps = _blank_runs(columns, NARROW_GAP * advance) if advance else []
    words: list[tuple[str, float]] = []
    current: list[Glyph] = []

    def close() -> None:
        if current:
            text = "".join(glyph.char for glyph in current)
            words.append((text, min(glyph.probability for glyph in current)))
            current.clear()

    for glyph in glyphs:
        if glyph.char == " ":
            close()
            continue
        narrow = current and (current[-1].char in NARROW or glyph.char in NARROW)
        if current and _gap_between(current[-1], glyph, wide_gaps if narrow else gaps):
            close()
        current.append(glyph)
    close()
    return words


def _gap_between(before: Glyph, after: Glyph, gaps: list[tuple[int, int]]) -> bool:
    if after.char in NO_SPACE_BEFORE or before.char in NO_SPACE_AFTER:
        return False
    if (before.char.isdigit() or before.char in ".,") and after.char.isdigit():
        return False
    start, end = (before.left + before.right) / 2, (after.left + after.right) / 2
    return any(start <= (left + right) / 2 <= end for left, right in gaps)
