"""One streamed answer read from the server's events: text passed on as it comes, the end
recognised, faults turned into `ServerStreamError` with the text received, timings taken."""

from __future__ import annotations

import http.client
import json
import threading
import time
from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import ServerStreamError
from desktop_app.core.types import Answer, StopReason, TextCallback, Timings
from desktop_app.engine.remote import sse


class AnswerStream:
    """Reads the chunks of one streamed answer, passing text on and timing it."""

    def __init__(self, on_text: TextCallback, started: float) -> None:
        self.on_text = on_text
        self.started = started
        self.text = ""
        self.pieces = 0
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.finish: StopReason | None = None
        self.usage: dict[str, Any] = {}

    def read(
        self, response: http.client.HTTPResponse, cancelled: threading.Event, stall_s: float
    ) -> None:
        """Read to the end of the stream; raise a ServerError (with the partial text) on a fault."""
        try:
            for event in sse.events(response.readline):
                if cancelled.is_set() or self._take(event):
                    return
        except sse.MalformedStream as error:
            raise self._fault(messages.SERVER_STREAM_MALFORMED.format(reason=error)) from None
        except TimeoutError:
            if cancelled.is_set():
                return
            raise self._fault(messages.SERVER_STALLED.format(seconds=stall_s)) from None
        except (http.client.HTTPException, OSError):
            if cancelled.is_set():
                return
            raise self._fault(messages.SERVER_STREAM_CUT) from None
        if self.finish is None and not cancelled.is_set():
            raise self._fault(messages.SERVER_STREAM_CUT)

    def take_whole(self, data: Any) -> None:
        """A server that ignored "stream": the whole answer as one chat.completion object."""
        if not isinstance(data, dict):
            raise self._fault(
                messages.SERVER_STREAM_MALFORMED.format(reason="an answer that is not an object")
            )
        choices = data.get("choices")
        if isinstance(choices, list):
            data = {
                **data,
                "choices": [
                    {"delta": c.get("message"), "finish_reason": c.get("finish_reason") or "stop"}
                    if isinstance(c, dict)
                    else c
                    for c in choices
                ],
            }
        try:
            self._use(data, "message")
        except sse.MalformedStream as error:
            raise self._fault(messages.SERVER_STREAM_MALFORMED.format(reason=error)) from None
        if self.finish is None:
            raise self._fault(messages.SERVER_STREAM_CUT)

    def _take(self, event: sse.Event) -> bool:
        """Use one event; True at the stream's [DONE]."""
        if event.data.strip() == "[DONE]":
            if self.finish is None:
                self.finish = StopReason.END_OF_TURN
            return True
        try:
            chunk = json.loads(event.data)
        except ValueError:
            raise sse.MalformedStream("a chunk that is not JSON") from None
        self._use(chunk, event.kind)
        return False

    def _use(self, chunk: Any, kind: str) -> None:
        """Take one chunk's text, finish reason and token counts."""
        if not isinstance(chunk, dict):
            raise sse.MalformedStream("a chunk that is not a JSON object")
        if kind == "error" or chunk.get("error"):
            reason = chunk.get("error") or chunk
            if isinstance(reason, dict):
                reason = reason.get("message", reason)
            raise self._fault(messages.SERVER_ANSWER_ERROR.format(reason=str(reason)[:200]))
        if isinstance(chunk.get("usage"), dict):
            self.usage = chunk["usage"]
        choices = chunk.get("choices", [])
        if not isinstance(choices, list):
            raise sse.MalformedStream("a chunk without choices")
        for choice in choices:
            if not isinstance(choice, dict):
                raise sse.MalformedStream("a choice that is not a JSON object")
            delta = choice.get("delta") or {}
            piece = delta.get("content") if isinstance(delta, dict) else None
            if isinstance(piece, str) and piece:
                self._piece(piece)
            reason = choice.get("finish_reason")
            if reason == "length":
                self.finish = StopReason.MAX_TOKENS
            elif reason:
                self.finish = StopReason.END_OF_TURN

    def _piece(self, piece: str) -> None:
        now = time.perf_counter()
        if self.first_at is None:
            self.first_at = now
        self.last_at = now
        self.pieces += 1
        self.text += piece
        self.on_text(piece)

    def _fault(self, message: str) -> ServerStreamError:
        return ServerStreamError(message, partial=self.text)

    def answer(self, text: str, preprocess_s: float) -> Answer:
        """The finished (or cancelled) answer with the client's timings."""
        generated = _count(self.usage.get("completion_tokens"), self.pieces)
        first_token_s = None if self.first_at is None else self.first_at - self.started
        decode_ms = None
        if self.first_at is not None and self.last_at is not None and self.pieces > 1:
            decode_ms = (self.last_at - self.first_at) * 1000 / (generated - 1)
        timings = Timings(
            preprocess_s=preprocess_s,
            first_token_s=first_token_s,
            decode_ms_per_token=decode_ms,
            total_s=time.perf_counter() - self.started,
        )
        return Answer(
            text,
            _count(self.usage.get("prompt_tokens"), 0),
            generated,
            timings,
            self.finish or StopReason.END_OF_TURN,
        )


def _count(value: Any, fallback: int) -> int:
    return value if isinstance(value, int) and value >= 0 else fallback
