"""The text reader as an engine backend, and a backend wrapper that grounds a model in it."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import BadInputError, GenerationError, IrisError, first_line
from desktop_app.core.reading import LineEnd, TextLine, TextReading
from desktop_app.core.types import (
    Answer,
    ProgressCallback,
    Request,
    StopReason,
    TextCallback,
    Timings,
    Turn,
)
from desktop_app.engine.backend import Backend
from desktop_app.engine.reading.grounding import grounding_text
from desktop_app.engine.reading.reader import TextReader
from desktop_app.engine.reading.render import line_text, separator
from desktop_app.engine.tasks import GROUNDING
from desktop_app.settings import EngineSettings


class ReaderBackend(Backend):
    """Answers every request with the text of its last turn's images, line by line."""

    def __init__(self, reader: TextReader | None = None) -> None:
        self.reader = reader or TextReader()
        self._active = threading.Event()

    def load(self, on_progress: ProgressCallback | None = None) -> None:
        if on_progress:
            on_progress(messages.STAGE_READER, 0.0)
        _ = self.reader.models
        if on_progress:
            on_progress(messages.STAGE_READER, 1.0)

    def start(self, request: Request, on_text: TextCallback) -> Answer:
        images = request.turns[-1].images or tuple(request.images)
        if not images:
            raise BadInputError(messages.NO_IMAGES)
        self._active.set()
        cancelled = self._active = threading.Event()
        started = time.perf_counter()
        stream = _LineStream(on_text)
        readings = []
        try:
            for image in images:
                if cancelled.is_set():
                    break
                readings.append(self.reader.read(image, stream.line, cancelled))
                stream.end_image()
        except (IrisError, BrokenPipeError):
            raise
        except Exception as error:
            raise GenerationError(
                messages.READER_FAILED.format(reason=first_line(error))
            ) from error
        if not stream.lines and not cancelled.is_set():
            on_text(messages.NO_TEXT_FOUND)
            stream.text = messages.NO_TEXT_FOUND
        total = time.perf_counter() - started
        timings = Timings(
            preprocess_s=self.reader.last_timings.detect_s,
            first_token_s=stream.first_s,
            total_s=total,
        )
        return Answer(
            stream.text,
            0,
            stream.lines,
            timings,
            StopReason.CANCELLED if cancelled.is_set() else StopReason.END_OF_TURN,
            _joined(readings),
        )

    def cancel(self) -> None:
        self._active.set()

    @property
    def description(self) -> str:
        return messages.READER_DESCRIPTION


class _LineStream:
    """Sends each line as soon as it is read, the separator before it held back until then."""

    def __init__(self, on_text: TextCallback) -> None:
        self.on_text = on_text
        self.text = ""
        self.lines = 0
        self.first_s: float | None = None
        self._pending = ""
        self._started = time.perf_counter()

    def line(self, line: TextLine, end: LineEnd) -> None:
        piece = self._pending + line_text(line)
        self._pending = separator(end)
        self.text += piece
        self.lines += 1
        if self.first_s is None:
            self.first_s = time.perf_counter() - self._started
        self.on_text(piece)

    def end_image(self) -> None:
        if self.lines:
            self._pending = separator(LineEnd.BLOCK)


def _joined(readings: list[TextReading]) -> TextReading | None:
    if not readings:
        return None
    first = readings[0]
    blocks = tuple(block for reading in readings for block in reading.blocks)
    return TextReading(blocks, first.width, first.height, first.rotated)


def grounded_if_asked(backend: Backend, settings: EngineSettings) -> Backend:
    """`backend` grounded in the text reader, unless `settings` turn grounding off."""
    if not settings.ground_in_text:
        return backend
    return GroundedBackend(backend, TextReader(threads=settings.threads))


class GroundedBackend(Backend):
    """Wraps a model backend: each turn with images first gets the text found on them."""

    CACHE_SIZE = 8

    def __init__(self, inner: Backend, reader: TextReader | None = None) -> None:
        self.inner = inner
        self.reader = reader or TextReader()
        self._active = threading.Event()
        self._found: OrderedDict[int, tuple[Any, str]] = OrderedDict()

    def load(self, on_progress: ProgressCallback | None = None) -> None:
        self.inner.load(on_progress)
        _ = self.reader.models

    def start(self, request: Request, on_text: TextCallback) -> Answer:
        self._active.set()
        cancelled = self._active = threading.Event()
        started = time.perf_counter()
        turns = tuple(self._grounded(turn, cancelled) for turn in request.turns)
        reading_s = time.perf_counter() - started
        if cancelled.is_set():
            return Answer("", 0, 0, Timings(total_s=reading_s), StopReason.CANCELLED)
        answer = self.inner.start(replace(request, turns=turns), on_text)
        timings = answer.timings
        return replace(
            answer,
            timings=replace(
                timings,
                preprocess_s=timings.preprocess_s + reading_s,
                first_token_s=None
                if timings.first_token_s is None
                else timings.first_token_s + reading_s,
                total_s=timings.total_s + reading_s,
            ),
        )

    def _grounded(self, turn: Turn, cancelled: threading.Event) -> Turn:
        if not turn.images or cancelled.is_set():
            return turn
        found = [self._text_of(image, cancelled) for image in turn.images]
        text = "\n".join(part for part in found if part)
        if not text:
            return turn
        return Turn(GROUNDING.format(text=text, prompt=turn.text), turn.images, turn.answer)

    def _text_of(self, image: Any, cancelled: threading.Event) -> str:
        key = id(image)
        if key in self._found and self._found[key][0] is image:
            self._found.move_to_end(key)
            return self._found[key][1]
        reading = self.reader.read(image, cancelled=cancelled)
        text = grounding_text(reading)
        if not cancelled.is_set():
            self._found[key] = (image, text)
            while len(self._found) > self.CACHE_SIZE:
                self._found.popitem(last=False)
        return text

    def warm_up(self) -> None:
        self.inner.warm_up()

    def cancel(self) -> None:
        self._active.set()
        self.inner.cancel()

    @property
    def description(self) -> str:
        return self.inner.description

    def close(self) -> None:
        self.inner.close()
