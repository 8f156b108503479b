"""The text reader: an image in, lines and blocks in reading order out, streamed line by line.

Detect text boxes, set the image upright, order the boxes (layout.py), then recognise
them in reading order in small batches so that the first lines can be spoken while the
rest are read. The first line is read as soon as the top of the image has been detected,
before the rest is. Cancellable between batches.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop_app.core.reading import LineEnd, TextBlock, TextLine, TextReading, TextWord
from desktop_app.core.types import Rect
from desktop_app.engine.reading.layout import reading_order
from desktop_app.engine.reading.ocr import REC_HEIGHT, OcrModels, shared_models, text_shrink
from desktop_app.engine.reading.spacing import measure_ink, words_from_glyphs

LineCallback = Callable[[TextLine, LineEnd], None]
"""Receives each line read, in reading order, and what follows it."""

SMALL_IMAGE = 800
"""Images whose longer side is under this are enlarged (at most 2x) so small text is found."""
UPRIGHT_SHARE = 0.5
"""The image is turned when more than this share of its text (by width) reads another way."""
MIN_LINE_CONFIDENCE = 0.5
"""Lines recognised with less mean confidence are shapes mistaken for text (PP-OCR's own
drop threshold)."""
CLASSIFY_ASPECT = 4
"""The direction classifier sees 192x48 pixels: give it each line's start, not all of it."""
LARGE_TEXT = 20
"""Text whose ink is at least this tall (pixels) is recognised narrowed…"""
LARGE_TEXT_SQUEEZE = 0.7
"""…to this share of its width: as accurate on the test set, and faster. So is every line of
an image whose text is large (HiDPI, `text_shrink` < 1): a line of x-height letters alone (a
terminal's "-rw-r--r--") has short ink, and read at full width its dashes come apart
("- rw-r- -r- -")."""
CLASSIFY_SAMPLES = 24
"""How many of the longest lines decide which way up the image is."""
BATCH_COLUMNS = 4000
"""Recognise lines in batches of about this many input columns (height 48)."""
FIRST_BATCH_COLUMNS = 1200
"""…but a smaller first batch, so that the first line is heard early."""


@dataclass(frozen=True)
class ReadTimings:
    """Where one reading's time went, in seconds."""

    detect_s: float
    first_line_s: float | None
    total_s: float


@dataclass(frozen=True)
class _Found:
    box: Rect
    crop: Any


@dataclass(frozen=True)
class _EarlyLine:
    """The first line, read from the top of the image before the rest was detected."""

    line: TextLine
    end: LineEnd
    quad: Any


class TextReader:
    """Reads the text of images. One instance can serve many threads, one image at a time."""

    def __init__(self, models: OcrModels | None = None, threads: int | None = None) -> None:
        self._models = models
        self._threads = threads
        self._lock = threading.Lock()
        self.last_timings = ReadTimings(0.0, None, 0.0)

    @property
    def models(self) -> OcrModels:
        """The OCR sessions, loaded on first use (about 0.3 s)."""
        if self._models is None:
            self._models = shared_models(self._threads)
        return self._models

    def load(self) -> None:
        """Load the OCR sessions now rather than at the first reading."""
        _ = self.models

    def close(self) -> None:
        """Release what this reader owns (the shared OCR sessions stay)."""

    def read(
        self,
        image: Any,
        on_line: LineCallback | None = None,
        cancelled: threading.Event | None = None,
    ) -> TextReading:
        """Read `image` (a PIL image). Lines go to `on_line` in reading order as found.

        When `cancelled` is set, reading stops after the current batch and returns the
        lines read so far.
        """
        with self._lock, self.models.stopping(cancelled):
            return self._read(image, on_line or (lambda _line, _end: None), cancelled)

    def _read(
        self, image: Any, on_line: LineCallback, cancelled: threading.Event | None
    ) -> TextReading:
        started = time.perf_counter()
        pixels, scale = _prepared(image)
        shrink = text_shrink(pixels)
        large_text = shrink < 1.0
        early: list[_EarlyLine] = []
        first_line_s: float | None = None

        def read_first_line(quads: list[Any]) -> Any | None:
            nonlocal first_line_s
            found_early = self._first_line(pixels, scale, quads, large_text)
            if found_early is None:
                return None
            early.append(found_early)
            first_line_s = time.perf_counter() - started
            on_line(found_early.line, found_early.end)
            return found_early.quad

        try:
            pixels, rotated, found = self._upright(pixels, scale, read_first_line, shrink)
        except Exception:
            if not (cancelled and cancelled.is_set()):
                raise
            pixels, rotated, found = pixels, 0, []  # stopped part-way: nothing read
        detect_s = time.perf_counter() - started
        height, width = (round(side / scale) for side in pixels.shape[:2])
        placeholders = [TextLine((), item.box, 0.0) for item in found]
        order = reading_order(placeholders)
        crops = {id(line): found[index].crop for index, line in enumerate(placeholders)}
        kept: dict[int, TextLine] = {}
        ends = _line_ends(order)
        queue = [line for block in order for line in block.lines]
        if early and rotated == 0:  # already read and said: kept, not read again
            # detect() keeps that line's own quadrilateral, so its box comes back unchanged
            said = next((line for line in queue if line.box == early[0].line.box), None)
            if said is not None:
                kept[id(said)] = early[0].line
                queue.remove(said)
        while queue and not (cancelled and cancelled.is_set()):
            batch = _next_batch(queue, crops, BATCH_COLUMNS if kept else FIRST_BATCH_COLUMNS)
            del queue[: len(batch)]
            try:
                recognised = self._recognise(batch, crops, large_text)
            except Exception:
                if not (cancelled and cancelled.is_set()):
                    raise
                break  # stopped part-way: the lines read so far
            for placeholder, line in zip(batch, recognised, strict=True):
                if not line.words or line.confidence < MIN_LINE_CONFIDENCE:
                    continue
                kept[id(placeholder)] = line
                if first_line_s is None:
                    first_line_s = time.perf_counter() - started
                on_line(line, ends[id(placeholder)])
        blocks = []
        if early and not found:  # stopped while the rest was being detected
            blocks.append(TextBlock((early[0].line,), early[0].line.box, False))
        for block in order:
            read = block.with_lines([kept.get(id(line)) for line in block.lines])
            if read is not None:
                blocks.append(read)
        self.last_timings = ReadTimings(detect_s, first_line_s, time.perf_counter() - started)
        return TextReading(tuple(blocks), width, height, rotated)

    def _upright(
        self,
        pixels: Any,
        scale: float,
        on_first_part: Callable[[list[Any]], Any | None],
        shrink: float,
    ) -> tuple[Any, int, list[_Found]]:
        """Detect text, turning the image first when most of it is sideways or upside down.
        `on_first_part` gets the first quadrilaterals found, at the top (OcrModels.detect);
        `shrink` is the image's `text_shrink`."""
        import numpy as np

        rotated = 0
        quads = self.models.detect(pixels, on_first_part, shrink)
        if _mostly_tall(quads):
            pixels, rotated = np.ascontiguousarray(np.rot90(pixels, k=-1)), 90
            quads = self.models.detect(pixels)
        crops = [_crop(pixels, quad) for quad in quads]
        widest = sorted(crops, key=lambda crop: -crop.shape[1])[:CLASSIFY_SAMPLES]
        samples = [crop[:, : CLASSIFY_ASPECT * crop.shape[0]] for crop in widest]
        flipped = self.models.upside_down(samples)
        widths = [sample.shape[1] for sample in samples]
        upside_down = sum(w for w, p in zip(widths, flipped, strict=True) if p > 0.5)
        if samples and upside_down > UPRIGHT_SHARE * sum(widths):
            pixels, rotated = np.ascontiguousarray(pixels[::-1, ::-1]), (rotated + 180) % 360
            quads = self.models.detect(pixels, shrink=None if rotated == 270 else shrink)
            crops = [_crop(pixels, quad) for quad in quads]
        return (
            pixels,
            rotated,
            [_Found(_box(quad, scale), crop) for quad, crop in zip(quads, crops, strict=True)],
        )

    def _first_line(
        self, pixels: Any, scale: float, quads: list[Any], large_text: bool
    ) -> _EarlyLine | None:
        """The first line in reading order of the quadrilaterals `quads` (the first found, at
        the top of the image), recognised; None when they read sideways or upside down, or
        the line is not text: the reading then starts after the whole image is detected."""
        if _mostly_tall(quads):
            return None
        placeholders = [TextLine((), _box(quad, scale), 0.0) for quad in quads]
        order = reading_order(placeholders)
        first = order[0].lines[0]
        quad = quads[next(i for i, placeholder in enumerate(placeholders) if placeholder is first)]
        crop = _crop(pixels, quad)
        if self.models.upside_down([crop[:, : CLASSIFY_ASPECT * crop.shape[0]]])[0] > 0.5:
            return None
        line = self._recognise([first], {id(first): crop}, large_text)[0]
        if not line.words or line.confidence < MIN_LINE_CONFIDENCE:
            return None
        return _EarlyLine(line, _line_ends(order)[id(first)], quad)

    def _recognise(
        self, batch: list[TextLine], crops: dict[int, Any], large_text: bool
    ) -> list[TextLine]:
        """The lines of `batch` recognised, in one run of the recognition model; all of them
        narrowed where the image's text is `large_text`."""
        images = [crops[id(line)] for line in batch]
        inks = [measure_ink(crop) for crop in images]
        squeeze = [
            LARGE_TEXT_SQUEEZE if large_text or ink.height >= LARGE_TEXT else 1.0 for ink in inks
        ]
        results = []
        recognised = self.models.recognize(images, squeeze)
        for placeholder, ink, glyphs in zip(batch, inks, recognised, strict=True):
            words = words_from_glyphs(glyphs, ink)
            confidence = sum(glyph.probability for glyph in glyphs) / len(glyphs) if glyphs else 0.0
            text_words = tuple(TextWord(text, score) for text, score in words)
            results.append(TextLine(text_words, placeholder.box, confidence))
        return results


def _prepared(image: Any) -> tuple[Any, float]:
    """The image as a BGR array (what the models expect) and the factor it was enlarged by."""
    import cv2
    import numpy as np

    rgb = np.asarray(image.convert("RGB"))
    longer = max(rgb.shape[:2])
    scale = min(2.0, SMALL_IMAGE / longer) if longer < SMALL_IMAGE else 1.0
    if scale > 1.0:
        size = (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(rgb[:, :, ::-1]), scale


def _mostly_tall(quads: list[Any]) -> bool:
    sizes = [_sides(quad) for quad in quads]
    tall = sum(height for width, height in sizes if height > 1.5 * width)
    return tall > UPRIGHT_SHARE * sum(max(width, height) for width, height in sizes)


def _sides(quad: Any) -> tuple[float, float]:
    import numpy as np

    width = max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3]))
    height = max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2]))
    return float(width), float(height)


def _crop(pixels: Any, quad: Any) -> Any:
    """The quadrilateral straightened into an upright rectangle (as PP-OCR does)."""
    import cv2
    import numpy as np

    width, height = (max(1, int(side)) for side in _sides(quad))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype="float32")
    matrix = cv2.getPerspectiveTransform(quad.astype("float32"), target)
    crop = cv2.warpPerspective(
        pixels, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC
    )
    if height >= 1.5 * width:
        crop = np.rot90(crop)
    return crop


def _box(quad: Any, scale: float) -> Rect:
    left, top = (float(value) / scale for value in quad.min(axis=0))
    right, bottom = (float(value) / scale for value in quad.max(axis=0))
    return Rect(round(left), round(top), max(1, round(right - left)), max(1, round(bottom - top)))


def _line_ends(blocks: tuple[TextBlock, ...]) -> dict[int, LineEnd]:
    ends = {}
    for block in blocks:
        for index, line in enumerate(block.lines):
            ends[id(line)] = block.end_of(index)
    return ends


def _next_batch(queue: list[TextLine], crops: dict[int, Any], columns: int) -> list[TextLine]:
    """The next lines in reading order whose padded batch stays near `columns` wide."""
    batch: list[TextLine] = []
    widest = 0.0
    for line in queue:
        crop = crops[id(line)]
        width = REC_HEIGHT * crop.shape[1] / max(1, crop.shape[0])
        if batch and max(widest, width) * (len(batch) + 1) > columns:
            break
        batch.append(line)
        widest = max(widest, width)
    return batch
