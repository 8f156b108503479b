"""The text reader as an engine backend; the wrapper that grounds a model in what is known of
its images (`GroundedBackend`, `grounded_if_asked`) lives in grounded.py and is re-exported."""

from __future__ import annotations

import threading
import time

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
)
from desktop_app.engine.backend import Backend
from desktop_app.engine.reading.grounded import GroundedBackend, grounded_if_asked
from desktop_app.engine.reading.reader import TextReader
from desktop_app.engine.reading.render import line_text, separator

__all__ = ["GroundedBackend", "ReaderBackend", "grounded_if_asked"]


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
