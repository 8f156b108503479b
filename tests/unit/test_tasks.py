"""Prompt recipes and the answer constraint for classification."""

from __future__ import annotations

import pytest

from desktop_app.core.types import Request, Turn
from desktop_app.engine.tasks import DESCRIBE, Task, clean_labels, match_label, prompt_for


def test_describe_prompt_is_written_for_a_blind_listener() -> None:
    text = prompt_for(Task.DESCRIBE)
    assert text == DESCRIBE
    assert "most important" in text and "text" in text and "not sure" in text


def test_classify_lists_labels_once() -> None:
    text = prompt_for(Task.CLASSIFY, labels=["cat", " dog", "Cat", ""])
    assert "cat, dog" in text


@pytest.mark.parametrize(
    ("task", "options"),
    [(Task.CLASSIFY, {"labels": ["one"]}), (Task.ASK, {}), (Task.CUSTOM, {"instruction": " "})],
)
def test_missing_parts_are_refused(task: Task, options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        prompt_for(task, **options)  # type: ignore[arg-type]


def test_labels_cleaned_and_matched() -> None:
    assert clean_labels(["a", "A", " b ", ""]) == ("a", "b")
    assert match_label(" Dog.", ["cat", "dog"]) == "dog"
    assert match_label("horse", ["cat", "dog"]) is None


def test_request_follow_up_keeps_history() -> None:
    first = Request.single("Describe", ["img"])
    second = first.follow_up("A cat.", "What colour?", ["img2"])
    assert [t.text for t in second.turns] == ["Describe", "What colour?"]
    assert second.turns[0].answer == "A cat."
    assert second.images == ["img", "img2"]


def test_request_rejects_malformed_conversations() -> None:
    with pytest.raises(ValueError):
        Request(())
    with pytest.raises(ValueError):
        Request((Turn("q", (), "answered"),))
    with pytest.raises(ValueError):
        Request((Turn("q"), Turn("q2")))
