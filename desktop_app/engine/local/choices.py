"""Constraining generation to one of a few answers (classification), with a token trie."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

_END = -1


def choice_constraint(
    tokenizer: Any, choices: Sequence[str], prompt_length: int, stop_ids: Sequence[int]
) -> Callable[[int, Any], list[int]]:
    """A `prefix_allowed_tokens_fn` that only lets `generate` write one of `choices`.

    Each choice is allowed with and without a leading space, since chat templates end the
    assistant prefix in either way. Once a choice is complete, only a stop token may follow.
    """
    trie: dict[int, Any] = {}
    for choice in choices:
        for variant in (choice, " " + choice):
            node = trie
            for token in tokenizer(variant, add_special_tokens=False).input_ids:
                node = node.setdefault(int(token), {})
            node[_END] = {}
    stops = list(stop_ids)

    def allowed(batch_id: int, input_ids: Any) -> list[int]:
        node = trie
        for token in input_ids[prompt_length:].tolist():
            if token not in node:
                return stops
            node = node[token]
        following = [token for token in node if token != _END]
        if _END in node:
            following += stops
        return following or stops

    return allowed
