"""PP-OCRv4 detection, orientation and recognition (the ONNX models inside rapidocr's wheel).

Only rapidocr's model files and its pre/post-processing are used; recognition is decoded
here so that each character keeps its position and probability (for word confidences and
for putting back spaces the model drops). numpy, OpenCV and onnxruntime load lazily.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import ModelError
from desktop_app.engine.reading.regions import content_regions, overlap, typical_text_height
from desktop_app.engine.reading.stoppable import StoppableSession

REC_HEIGHT = 48
"""PP-OCRv4's recognition input height."""
REC_MIN_WIDTH = 48
"""Narrow crops are not padded to rapidocr's 320 columns: same accuracy, less work."""
REC_STRIDE = 8
"""Input pixels per output time step of the recognition model."""
SIMILAR_WIDTH = 1.5
"""Crops are recognised together when the widest is at most this many times the narrowest."""
SHRINK_AFTER_RUN = {"memory.enable_memory_arena_shrinkage": "cpu:0"}
"""The memory arena gives back what a run grew it by: fast within a run, small between them."""
DETECTION_MAX_SIDE = 2000
"""Larger images are scaled down for detection; crops still come from full resolution."""
FIRST_BAND = 96
"""The top this many pixels (as detected) of a tall topmost part is detected on its own
first, so that its first line is heard before the rest is detected (a menu or title bar)."""
BAND_CUT = 3
"""Text found this close to the band's lower edge may be cut off there: not taken early."""
COVERED_SHARE = 0.5
"""Text found again is dropped when this share of its box is inside the line read first."""
SAME_ROW = 0.5
"""Two boxes sharing this share of the shorter one's height are in the same row."""
LARGE_TEXT_HEIGHT = 20
"""Images whose text is higher than this (pixels: HiDPI screens) are scaled down for detection
until it is `DETECTION_TEXT_HEIGHT` high, to no less than `MIN_TEXT_FACTOR` each way: on real
screenshots at scale 2, detection takes about half the time and splits fewer lines (character
errors 6.3 % to 2.5 %)."""
DETECTION_TEXT_HEIGHT = 14
MIN_TEXT_FACTOR = 0.5


@dataclass(frozen=True)
class Glyph:
    """A decoded character, where it is in its crop (pixels) and its probability."""

    char: str
    left: float
    right: float
    probability: float


class OcrModels:
    """The three ONNX sessions and rapidocr's processing around them. Thread-safe."""

    def __init__(self, threads: int | None = None) -> None:
        try:
            import rapidocr_onnxruntime
            from rapidocr_onnxruntime.ch_ppocr_cls import TextClassifier
            from rapidocr_onnxruntime.ch_ppocr_det import TextDetector
            from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
            from rapidocr_onnxruntime.utils import read_yaml, update_model_path
        except ImportError as error:  # pragma: no cover - a broken install
            raise ModelError(messages.READER_MISSING.format(reason=error)) from None
        package = Path(rapidocr_onnxruntime.__file__).parent
        config = update_model_path(read_yaml(str(package / "config.yaml")))
        for part in ("Det", "Cls", "Rec"):
            config[part]["intra_op_num_threads"] = threads or -1
        config["Det"]["limit_type"] = "max"
        config["Det"]["limit_side_len"] = DETECTION_MAX_SIDE
        self.detector = TextDetector(config["Det"])
        self.classifier = TextClassifier(config["Cls"])
        self.classifier.infer.session = _reader_session(config["Cls"], threads)
        self.recognizer = TextRecognizer(config["Rec"])
        self._stoppable = [
            StoppableSession(_reader_session(config["Det"], threads), SHRINK_AFTER_RUN),
            StoppableSession(_reader_session(config["Rec"], threads), SHRINK_AFTER_RUN),
        ]
        self.detector.infer.session, self.recognizer.session.session = self._stoppable
        self.characters: list[str] = list(self.recognizer.postprocess_op.character)
        self._detect_lock = threading.Lock()

    @contextmanager
    def stopping(self, cancelled: threading.Event | None) -> Iterator[None]:
        """Detection and recognition runs made on this thread inside the block end part-way
        (with RunStopped) once `cancelled` is set."""
        with self._stoppable[0].stopping(cancelled), self._stoppable[1].stopping(cancelled):
            yield

    def detect(
        self,
        image: Any,
        on_first_part: Callable[[list[Any]], Any | None] | None = None,
        shrink: float | None = None,
    ) -> list[Any]:
        """Quadrilaterals (4x2 float arrays, image pixels) around each piece of text, found
        in the parts of the image that are not flat. `on_first_part` gets some first ones
        before the rest is looked at: those wholly inside the top FIRST_BAND of the topmost
        part, or where that part is short and others follow, the whole part's. It returns
        the one it used (or None), which is then kept as it is: what the whole detection
        finds again there is dropped, or trimmed to what lies beside it. `shrink` is
        `text_shrink(image)` where the caller has it already."""
        import cv2

        if shrink is None:
            shrink = text_shrink(image)
        factor = min(1.0, DETECTION_MAX_SIDE / max(image.shape[:2]), shrink)
        if factor < 1.0:  # as rapidocr would shrink the whole image, before cutting it up
            height, width = image.shape[:2]  # a sliver keeps at least one pixel each way
            size = (max(1, round(width * factor)), max(1, round(height * factor)))
            image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        parts = sorted(content_regions(image), key=lambda box: (box[1], box[0]))
        left, top, right, bottom = parts[0]
        used = None
        if on_first_part is not None and bottom - top > 2 * FIRST_BAND:
            band_bottom = top + FIRST_BAND
            band = _above_cut(
                self._detect_part(image, (left, top, right, band_bottom), factor),
                (band_bottom - BAND_CUT) / factor,
            )
            used = on_first_part(band) if band else None
            on_first_part = None
        found: list[Any] = []
        for index, part in enumerate(parts):
            quads = self._detect_part(image, part, factor)
            shared = [overlap(part, earlier) for earlier in parts[:index]]
            areas = [[side / factor for side in area] for area in shared if area]
            if areas:
                found, quads = _without_repeats(found, quads, areas)
            found += quads
            if index == 0 and len(parts) > 1 and quads and on_first_part is not None:
                used = on_first_part(quads)
        if used is None:
            return found
        return [used] + [piece for quad in found for piece in _beside(quad, used)]

    def _detect_part(self, image: Any, part: tuple[int, int, int, int], factor: float) -> Any:
        """The quadrilaterals in `part` (left, top, right, bottom) of `image` (shrunk by
        `factor`), in the whole image's original pixels."""
        import numpy as np

        left, top, right, bottom = part
        pixels = np.ascontiguousarray(image[top:bottom, left:right])
        with self._detect_lock:  # rapidocr keeps per-call state on the detector
            boxes, _ = self.detector(pixels)
        offset = np.array([left, top], dtype="float32")
        boxes = () if boxes is None else boxes
        return [(np.asarray(box, dtype="float32") + offset) / factor for box in boxes]

    def upside_down(self, crops: list[Any]) -> list[float]:
        """For each crop, the probability that its text is upside down."""
        if not crops:
            return []
        _, results, _ = self.classifier(crops)
        return [score if label == "180" else 1.0 - score for label, score in results]

    def recognize(self, crops: list[Any], squeeze: list[float]) -> list[list[Glyph]]:
        """Characters of each crop (a horizontal line of text), in batches of similar width.

        `squeeze` narrows each crop (1.0 keeps its shape): large text reads as well at
        0.7 of its width, for 0.7 of the work.
        """
        ratios = [
            factor * crop.shape[1] / crop.shape[0]
            for crop, factor in zip(crops, squeeze, strict=True)
        ]
        results: list[list[Glyph]] = [[] for _ in crops]
        for group in _similar_widths(ratios):
            glyphs = self._recognize_batch([crops[i] for i in group], [ratios[i] for i in group])
            for index, found in zip(group, glyphs, strict=True):
                results[index] = found
        return results

    def _recognize_batch(self, crops: list[Any], ratios: list[float]) -> list[list[Glyph]]:
        """One run of the recognition model over crops padded to the widest."""
        import numpy as np

        widest = max(REC_MIN_WIDTH / REC_HEIGHT, *ratios)
        batch_width = int(REC_HEIGHT * widest)
        batch = np.zeros((len(crops), 3, REC_HEIGHT, batch_width), dtype="float32")
        used_widths = []
        for index, crop in enumerate(crops):
            width = min(batch_width, int(np.ceil(REC_HEIGHT * ratios[index])))
            batch[index, :, :, :width] = _normalise(crop, width)
            used_widths.append(width)
        probabilities = self.recognizer.session(batch)[0]
        return [
            _decode(probabilities[index], self.characters, crop.shape[1] / used_widths[index])
            for index, crop in enumerate(crops)
        ]


def _above_cut(quads: list[Any], cut: float) -> list[Any]:
    """The quadrilaterals wholly above the first text row that reaches `cut` (a band's lower
    edge): that row may be cut off, and any piece of it found is left out too."""
    limit = min([cut, *(quad[:, 1].min() for quad in quads if quad[:, 1].max() >= cut)])
    return [quad for quad in quads if quad[:, 1].max() < limit]


def _beside(quad: Any, used: Any) -> list[Any]:
    """What of `quad` is not the text of `used` (found first, on its own): nothing when it
    is mostly the same text, the parts left and right of it when `quad` is a longer piece of
    the same row, else `quad` itself."""
    import numpy as np

    if quad is used or _covered(quad, [used]):
        return []
    left, top = quad.min(axis=0)
    right, bottom = quad.max(axis=0)
    used_left, used_top = used.min(axis=0)
    used_right, used_bottom = used.max(axis=0)
    shared_height = min(bottom, used_bottom) - max(top, used_top)
    if shared_height < SAME_ROW * min(bottom - top, used_bottom - used_top):
        return [quad]  # another row
    if used_right <= left or right <= used_left:
        return [quad]  # beside it already
    height = bottom - top
    pieces = [(left, used_left - BAND_CUT), (used_right + BAND_CUT, right)]
    return [
        np.array([[x0, top], [x1, top], [x1, bottom], [x0, bottom]], dtype="float32")
        for x0, x1 in pieces
        if x1 - x0 >= height
    ]


def _without_repeats(
    found: list[Any], quads: list[Any], areas: list[list[float]]
) -> tuple[list[Any], list[Any]]:
    """`found` and the next part's `quads` without the text both parts saw where they
    overlap (`areas`: left, top, right, bottom): of two quadrilaterals over the same text,
    the one mostly inside the other goes (a word cut by one part's edge, whole in the
    other's); of two alike, the later stays."""

    def in_areas(quad: Any) -> bool:
        left, top = quad.min(axis=0)
        right, bottom = quad.max(axis=0)
        return any(
            left < area_right and area_left < right and top < area_bottom and area_top < bottom
            for area_left, area_top, area_right, area_bottom in areas
        )

    earlier = [quad for quad in found if in_areas(quad)]
    later = [quad for quad in quads if in_areas(quad)]
    repeated = {id(quad) for quad in earlier if _covered(quad, later)}
    earlier_kept = [quad for quad in earlier if id(quad) not in repeated]
    return (
        [quad for quad in found if id(quad) not in repeated],
        [quad for quad in quads if not (in_areas(quad) and _covered(quad, earlier_kept))],
    )


def _covered(quad: Any, others: list[Any]) -> bool:
    """Whether COVERED_SHARE of `quad`'s bounding box lies inside one of `others`' boxes."""
    left, top = quad.min(axis=0)
    right, bottom = quad.max(axis=0)
    area = max(1e-6, float((right - left) * (bottom - top)))
    for other in others:
        other_left, other_top = other.min(axis=0)
        other_right, other_bottom = other.max(axis=0)
        width = min(right, other_right) - max(left, other_left)
        height = min(bottom, other_bottom) - max(top, other_top)
        if width > 0 and height > 0 and width * height >= COVERED_SHARE * area:
            return True
    return False


def text_shrink(image: Any) -> float:
    """How much smaller detection may see `image`: large text (HiDPI) is found as well at
    `DETECTION_TEXT_HEIGHT` pixels high."""
    height = typical_text_height(image)
    if height is None or height <= LARGE_TEXT_HEIGHT:
        return 1.0
    return max(MIN_TEXT_FACTOR, DETECTION_TEXT_HEIGHT / height)


def _similar_widths(ratios: list[float]) -> list[list[int]]:
    """Indices of `ratios` in groups of similar width (narrowest first): padding a short
    label to a long line's width would recognise mostly padding."""
    order = sorted(range(len(ratios)), key=lambda index: ratios[index])
    groups: list[list[int]] = []
    for index in order:
        if groups and ratios[index] <= SIMILAR_WIDTH * max(ratios[groups[-1][0]], 1.0):
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def _reader_session(config: dict[str, Any], threads: int | None) -> Any:
    """The model's session as rapidocr makes it, but with onnxruntime's memory arena: rapidocr
    turns it off, and every run then allocates afresh (about a fifth more CPU time measured
    on the real-screen set), grown only by what each run asks for.

    And without onnxruntime's spinning: by default its threads wait for work by spinning,
    which beside the model takes the cores the model's own threads need. On two cores,
    describing a 1920x1080 screen with the reader beside the model (its own process, at a
    lower priority) took 1.96-2.45 s to the first token with spinning and 1.70-1.81 s
    without; reading alone took as long either way (5.9 s for 103 dense lines).
    """
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 4
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(
        config["model_path"],
        sess_options=options,
        providers=[("CPUExecutionProvider", {"arena_extend_strategy": "kSameAsRequested"})],
    )


def _normalise(crop: Any, width: int) -> Any:
    import cv2
    import numpy as np

    resized = cv2.resize(crop, (width, REC_HEIGHT)).astype("float32")
    return (np.transpose(resized, (2, 0, 1)) / 255.0 - 0.5) / 0.5


def _decode(steps: Any, characters: list[str], scale: float) -> list[Glyph]:
    """Greedy CTC decoding that keeps each character's span and probability.

    `scale` turns recognition-input pixels back into crop pixels.
    """
    best = steps.argmax(axis=1)
    best_probability = steps.max(axis=1)
    glyphs: list[Glyph] = []
    previous = 0
    for step, index in enumerate(best.tolist()):
        if index != 0 and index != previous:
            glyphs.append(
                Glyph(
                    characters[index],
                    step * REC_STRIDE * scale,
                    (step + 1) * REC_STRIDE * scale,
                    float(best_probability[step]),
                )
            )
        elif index != 0 and glyphs:
            last = glyphs[-1]
            glyphs[-1] = Glyph(
                last.char,
                last.left,
                (step + 1) * REC_STRIDE * scale,
                max(last.probability, float(best_probability[step])),
            )
        previous = index
    return glyphs


@cache
def shared_models(threads: int | None = None) -> OcrModels:
    """One set of OCR sessions per process (about 20 MB), made on first use."""
    return OcrModels(threads)
