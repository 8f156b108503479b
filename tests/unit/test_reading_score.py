"""Scoring a reading against truth texts without boxes (the real-screen test set)."""

from __future__ import annotations

from desktop_app.core.reading import TextBlock, TextLine, TextReading, TextWord
from desktop_app.core.types import Rect
from desktop_app.testing.reading_score import score_texts


def reading(*lines: str) -> TextReading:
    box = Rect(0, 0, 10, 10)
    made = tuple(
        TextLine(tuple(TextWord(w, 1.0) for w in text.split()), box, 1.0) for text in lines
    )
    return TextReading((TextBlock(made, box),), 100, 100, 0)


def test_a_wrapped_paragraph_read_whole_has_no_errors() -> None:
    result = score_texts(
        ["The garden opened in April.", "Fees"],
        reading("File Edit View", "The garden opened", "in April.", "Fees are due"),
    )
    assert (result.characters, result.character_errors) == (31, 0)


def test_each_edit_counts_and_text_not_in_the_truth_does_not() -> None:
    result = score_texts(["Cancelled", "On time"], reading("Help", "Cancel1ed", "0n tme"))
    assert result.character_errors == 3
    assert [truth for truth, _ in result.mismatches] == ["Cancelled", "On time"]


def test_text_never_read_counts_whole() -> None:
    assert score_texts(["Apply"], reading()).character_errors == 5
    assert score_texts(["Apply"], reading("Cancel")).character_errors == 4  # the "l" matches
