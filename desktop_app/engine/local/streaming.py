"""Streaming generated text piece by piece, and stopping generation on request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from transformers.generation.stopping_criteria import StoppingCriteria
from transformers.generation.streamers import BaseStreamer

from desktop_app.core.types import TextCallback
from desktop_app.engine.local.layer_hooks import checked_before


class CancelCriteria(StoppingCriteria):
    """Stops `generate` at the next decoding step once `event` is set."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        return torch.full(
            (input_ids.shape[0],), self.event.is_set(), dtype=torch.bool, device=input_ids.device
        )


class StoppedInsideStep(Exception):
    """`generate` was stopped inside a forward pass: its cancel event was set."""


class StepStop:
    """What `stop_inside_steps` saw: the cache the layers were given (the text model's
    keys and values), or None."""

    cache: Any = None


@contextmanager
def stop_inside_steps(model: Any, event: threading.Event) -> Iterator[StepStop]:
    """Raise StoppedInsideStep before the next layer of `model` once `event` is set: every
    layer of its stacks (the vision encoder's, the text model's) looks first, so a cancel
    lands within a layer rather than at the end of the step (a whole token's time)."""
    import torch

    seen = StepStop()

    def check(_layer: Any, _args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        if event.is_set():
            raise StoppedInsideStep
        cache = kwargs.get("past_key_values")
        if cache is not None:
            seen.cache = cache

    layers = [
        layer
        for stack in model.modules()
        if isinstance(stack, torch.nn.ModuleList)
        for layer in stack
    ]
    with checked_before(layers, check):
        yield seen


class PieceStreamer(BaseStreamer):
    """Decodes new tokens as they come and passes only the new text to `on_text`.

    The first `put` (the prompt) is skipped. Text is held back while it ends in an incomplete
    character, so the pieces always join to exactly `self.text`.
    """

    def __init__(
        self,
        decode: Callable[[list[int]], str],
        on_text: TextCallback,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._decode = decode
        self._on_text = on_text
        self._clock = clock
        self._prompt_seen = False
        self.token_ids: list[int] = []
        self.text = ""
        self.first_token_at: float | None = None
        self.last_token_at: float | None = None

    def put(self, value: Any) -> None:
        """Receive the prompt (first call) or the next generated token ids."""
        if not self._prompt_seen:
            self._prompt_seen = True
            return
        now = self._clock()
        if self.first_token_at is None:
            self.first_token_at = now
        self.last_token_at = now
        self.token_ids.extend(int(i) for i in value.reshape(-1).tolist())
        self._emit(final=False)

    def end(self) -> None:
        """Flush any text held back."""
        self._emit(final=True)

    def _emit(self, *, final: bool) -> None:
        decoded = self._decode(self.token_ids)
        if not final and decoded.endswith("\ufffd"):
            return
        # Normally `decoded` extends `self.text`. If the tokenizer rewrote earlier text, the
        # pieces already said stand; only characters past them are added.
        new = decoded[len(self.text) :]
        if new:
            self.text += new
            self._on_text(new)

    def decode_ms_per_token(self) -> float | None:
        """Mean time between tokens after the first, in milliseconds."""
        count = len(self.token_ids)
        if count < 2 or self.first_token_at is None or self.last_token_at is None:
            return None
        return (self.last_token_at - self.first_token_at) * 1000.0 / (count - 1)
