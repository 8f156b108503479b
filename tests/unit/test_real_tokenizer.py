"""The real-shape models' tokenizer: SmolLM2's size and compression, trained once, cached."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from desktop_app.testing import _real_tokenizer
from desktop_app.testing._templates import SMOLVLM_TOKENS
from desktop_app.testing.random_models import real_shape_tokenizer

ENGLISH = (
    "The window shows a spreadsheet of monthly sales figures for three regions. A chart on "
    "the right compares this year with last year, and a small dialog in the middle asks "
    "whether to keep the changes before closing. Behind it, a music player's settings page "
    "is open, where the volume slider is set to about half and notifications are turned off. "
    "The photograph on the desktop background shows mountains reflected in a calm lake."
)
"""English descriptive text that none of the training corpora contain."""
SPECIAL = (*SMOLVLM_TOKENS.leading, *SMOLVLM_TOKENS.extra)
SMALL_BUDGET = 200_000
"""Bytes of source for the cache tests, which train a small tokenizer in well under a second."""


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    return real_shape_tokenizer()


def count(tokenizer: Any, text: str) -> int:
    return len(tokenizer(text, add_special_tokens=False).input_ids)


def test_english_takes_few_tokens_like_smollm2(tokenizer: Any) -> None:
    # SmolLM2's tokenizer makes about 4 characters a token of English; the 640-entry BPE
    # trained on the small built-in text made 2.
    assert len(ENGLISH) / count(tokenizer, ENGLISH) >= 3.3


def test_vocabulary_is_trained_not_padded(tokenizer: Any) -> None:
    vocab = tokenizer.get_vocab()
    assert len(vocab) == 49280
    assert not [token for token in vocab if token.startswith("\u0120filler")]


def test_special_tokens_never_split(tokenizer: Any) -> None:
    text = " ".join(f"word{token}2026{token}" for token in SPECIAL)
    ids = tokenizer(text, add_special_tokens=False).input_ids
    for token in SPECIAL:
        token_id = tokenizer.convert_tokens_to_ids(token)
        assert ids.count(token_id) == 2, token
        assert count(tokenizer, token) == 1
    assert tokenizer.decode(ids) == text


def test_digits_are_tokens_of_their_own_as_in_smollm2(tokenizer: Any) -> None:
    assert count(tokenizer, "2026") == 4
    assert count(tokenizer, "12345678") == 8


def test_trained_once_then_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    leading = SMOLVLM_TOKENS.leading
    trained = _real_tokenizer.load_or_train(leading, 1000, folder, budget=SMALL_BUDGET)
    names = [path.name for path in folder.iterdir()]
    assert len(names) == 1 and names[0].startswith("stdlib-bpe-"), names
    assert trained == _real_tokenizer.train(
        leading, 1000, _real_tokenizer.corpus_files(SMALL_BUDGET)
    )  # deterministic

    def no_training(*_: object) -> str:
        raise AssertionError("trained again")

    monkeypatch.setattr(_real_tokenizer, "train", no_training)
    assert _real_tokenizer.load_or_train(leading, 1000, folder, budget=SMALL_BUDGET) == trained
    with pytest.raises(AssertionError, match="trained again"):
        _real_tokenizer.load_or_train(leading, 1001, folder, budget=SMALL_BUDGET)


def test_unwritable_cache_folder_trains_in_memory(tmp_path: Path) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("")
    leading = SMOLVLM_TOKENS.leading
    trained = _real_tokenizer.load_or_train(leading, 600, blocked / "cache", budget=SMALL_BUDGET)
    assert '"<|im_end|>"' in trained
    assert blocked.read_text() == ""


def test_cache_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _real_tokenizer.cache_dir() == tmp_path / "iris-testing"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    assert _real_tokenizer.cache_dir() == Path.home() / ".cache" / "iris-testing"
