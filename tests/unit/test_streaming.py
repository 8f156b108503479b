"""The piece streamer and the cancel criterion, on their own."""

from __future__ import annotations

import threading

import torch

from desktop_app.engine.local.streaming import CancelCriteria, PieceStreamer

WORDS = {1: "Hel", 2: "lo", 3: " wor", 4: "ld", 5: "\ufffd"}


def _decode(ids: list[int]) -> str:
    return "".join(WORDS[i] for i in ids)


def test_pieces_join_to_text_and_prompt_is_skipped() -> None:
    pieces: list[str] = []
    times = iter([1.0, 1.5, 2.0, 2.5])
    streamer = PieceStreamer(_decode, pieces.append, clock=lambda: next(times))
    streamer.put(torch.tensor([[9, 9, 9]]))  # the prompt
    for token in (1, 2, 3, 4):
        streamer.put(torch.tensor([token]))
    streamer.end()
    assert pieces == ["Hel", "lo", " wor", "ld"]
    assert "".join(pieces) == streamer.text == "Hello world"
    assert streamer.first_token_at == 1.0
    assert streamer.decode_ms_per_token() == 500.0


def test_incomplete_character_is_held_back_until_the_end() -> None:
    pieces: list[str] = []
    streamer = PieceStreamer(_decode, pieces.append)
    streamer.put(torch.tensor([[0]]))
    streamer.put(torch.tensor([1]))
    streamer.put(torch.tensor([5]))
    assert pieces == ["Hel"]
    streamer.end()
    assert "".join(pieces) == streamer.text


def test_cancel_criteria_follows_the_event() -> None:
    event = threading.Event()
    criteria = CancelCriteria(event)
    ids = torch.zeros((2, 4), dtype=torch.long)
    assert not criteria(ids, None).any()
    event.set()
    assert criteria(ids, None).all()
