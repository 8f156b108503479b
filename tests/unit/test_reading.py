"""The text reader: quality on the generated test set, layout, orientation, cancel, grounding."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from desktop_app.core import messages
from desktop_app.core.reading import LineEnd, TextLine, TextReading, TextWord
from desktop_app.core.types import Request
from desktop_app.engine.local.backend import LocalBackend
from desktop_app.engine.reading.backend import GroundedBackend, ReaderBackend
from desktop_app.engine.reading.grounding import grounding_text
from desktop_app.engine.reading.reader import TextReader
from desktop_app.engine.reading.render import line_text
from desktop_app.settings import EngineSettings
from desktop_app.testing.reading_score import score
from desktop_app.testing.text_screens import dialog, document, form, measured_set, table
from tests.helpers.fakes import FakeBackend

MAX_CER = 0.03


@pytest.fixture(scope="module")
def reader() -> TextReader:
    return TextReader()


@pytest.mark.slow
def test_quality_on_the_generated_test_set(reader: TextReader) -> None:
    """Character error rate ≤ 3 % over the set and reading order right in every layout."""
    errors = characters = 0
    wrong_order = []
    print()
    for screen in measured_set():
        started = time.perf_counter()
        reading = reader.read(screen.image)
        seconds = time.perf_counter() - started
        result = score(screen, reading)
        errors += result.character_errors
        characters += result.characters
        print(
            f"{screen.name:40s} CER {result.cer:6.2%}  order errors {result.order_errors}  "
            f"lines {len(reading.lines)}/{len(screen.lines)}  {seconds:.2f} s"
        )
        for truth, read in result.mismatches:
            print(f"    truth: {truth!r}\n    read:  {read!r}")
        if result.order_errors:
            wrong_order.append(screen.name)
    print(f"overall CER {errors / characters:.2%} over {characters} characters")
    assert errors / characters <= MAX_CER
    assert wrong_order == []


@pytest.mark.parametrize("turned", [90, 180, 270])
def test_rotated_images_are_set_upright(reader: TextReader, turned: int) -> None:
    screen = form("light", "DejaVu Sans", 14)
    reading = reader.read(screen.image.rotate(turned, expand=True))
    assert reading.rotated == turned
    assert (reading.width, reading.height) == screen.image.size
    result = score(screen, reading)
    assert result.cer <= MAX_CER and result.order_errors == 0


@pytest.mark.slow
def test_large_and_small_images_read_alike(reader: TextReader) -> None:
    screen = dialog("light", "DejaVu Sans", 12)
    large = screen.image.resize((3840, 2400), Image.Resampling.LANCZOS)
    reading = reader.read(large)
    assert (reading.width, reading.height) == (3840, 2400)
    assert [line.text for line in reading.lines] == [
        line.text for line in reader.read(screen.image).lines
    ]
    button = screen.image.crop((560, 500, 940, 570))  # the row of buttons alone, 380x70
    row = reader.read(button)
    assert [line.text for line in row.lines] == ["Save", "Don't Save", "Cancel"]
    assert row.blocks[0].is_row


def test_a_hidpi_terminals_permissions_are_read_whole(reader: TextReader) -> None:
    """A listing at scale 2 (a 30 px monospace font): "-rw-r--r--" has only x-height ink, too
    short on its own to count as large text; read at full width its dashes came apart
    ("- rw- r- -r-"). On an image whose text is large every line is read narrowed."""
    from PIL import ImageDraw, ImageFont

    from desktop_app.testing.text_screens import font_path

    image = Image.new("RGB", (1600, 500), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_path("DejaVu Sans Mono")), 30)
    for row in range(8):
        size, day = 1703284 + row * 7919, row + 3
        listing = f"-rw-r--r--  1 anna staff  {size} Jan {day:2d} 10:36 notes_{row}.txt"
        draw.text((40, 30 + row * 38), listing, fill=(20, 20, 20), font=font)
    permissions = [line.text for line in reader.read(image).lines if "rw" in line.text]
    assert len(permissions) == 8
    assert [text for text in permissions if " " in text] == []


def test_an_image_without_text_reads_as_empty(reader: TextReader) -> None:
    photo_like = Image.effect_mandelbrot((640, 480), (-2.0, -1.2, 1.0, 1.2), 60).convert("RGB")
    assert reader.read(photo_like).empty
    assert reader.read(Image.new("RGB", (1, 1))).empty


def test_lines_stream_in_reading_order_and_cancel_stops_between_batches(
    reader: TextReader,
) -> None:
    screen = table("light", "DejaVu Sans", 13)
    seen: list[tuple[str, LineEnd]] = []
    cancel = threading.Event()

    def on_line(line: TextLine, end: LineEnd) -> None:
        seen.append((line.text, end))
        if len(seen) == 2:  # the first line comes alone, read ahead of the rest
            cancel.set()

    reading = reader.read(screen.image, on_line, cancel)
    assert 2 <= len(reading.lines) < len(screen.lines) / 2
    assert [text for text, _ in seen] == [line.text for line in reading.lines]
    assert seen[0] == ("Recent transactions", LineEnd.BLOCK)
    assert seen[1][1] is LineEnd.CELL  # the header row's first cell


def test_unsure_words_are_marked_not_guessed() -> None:
    from desktop_app.core.types import Rect

    line = TextLine((TextWord("Pay", 0.99), TextWord("£4O", 0.31)), Rect(0, 0, 50, 10), 0.7)
    assert line_text(line) == "Pay " + messages.UNCLEAR_WORD.format(word="£4O")


@pytest.mark.slow
def test_reader_backend_streams_lines_with_timings() -> None:
    backend = ReaderBackend()
    backend.load()
    pieces: list[str] = []
    screen = document("dark", "Liberation Sans", 14)
    answer = backend.start(Request.single("read", [screen.image]), pieces.append)
    assert "".join(pieces) == answer.text
    assert len(pieces) == answer.generated_tokens == len(screen.lines)
    assert answer.reading is not None and not answer.cancelled
    timings = answer.timings
    assert timings.first_token_s is not None and 0 < timings.first_token_s < timings.total_s
    assert 0 < timings.preprocess_s < timings.total_s  # detection; the first line may come first
    blank = backend.start(Request.single("read", [Image.new("RGB", (200, 100))]), pieces.append)
    assert blank.text == messages.NO_TEXT_FOUND and pieces[-1] == messages.NO_TEXT_FOUND


def test_a_file_managers_wrapped_names_are_each_read_as_one_cell() -> None:
    """Names centred under icons, long ones wrapped onto a second line, as Thunar draws
    them: each name is one cell ("bank statement march.pdf"), streamed that way too."""
    from PIL import ImageDraw, ImageFont

    from desktop_app.testing.text_screens import font_path

    image = Image.new("RGB", (900, 300), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_path("DejaVu Sans")), 13)
    names = ["Holiday photos", "bank statement|march.pdf", "Budget 2026.ods",
             "doctor|appointment.ics", "Recipes"]  # fmt: skip
    for column, name in enumerate(names):
        for index, part in enumerate(name.split("|")):
            left = 80 + column * 141 - draw.textlength(part, font=font) / 2
            draw.text((left, 100 + index * 16), part, fill=(30, 30, 30), font=font)
    pieces: list[str] = []
    answer = ReaderBackend().start(Request.single("read", [image]), pieces.append)
    cells = [name.replace("|", " ") for name in names]
    assert answer.text == messages.CELL_SEPARATOR.join(cells)
    assert "".join(pieces) == answer.text


def test_reader_backend_cancel_from_another_thread() -> None:
    backend = ReaderBackend()
    screen = document("light", "DejaVu Sans", 9)
    pieces: list[str] = []

    def on_text(piece: str) -> None:
        pieces.append(piece)
        threading.Thread(target=backend.cancel).start()

    answer = backend.start(Request.single("read", [screen.image]), on_text)
    assert answer.cancelled and answer.generated_tokens < len(screen.lines)


def test_grounding_text_has_positions_and_a_limit(reader: TextReader) -> None:
    reading = reader.read(dialog("light", "DejaVu Sans", 14).image)
    text = grounding_text(reading)
    lines = text.splitlines()
    assert lines[0].startswith("top ") and "Save changes?" in lines[0]
    assert lines[-1].startswith("bottom ") and "Don't Save; Cancel" in lines[-1]
    assert len(grounding_text(reading, limit=40)) <= 42


class CountingReader(TextReader):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def read(self, image: Any, on_line: Any = None, cancelled: Any = None) -> TextReading:
        self.reads += 1
        return super().read(image, on_line, cancelled)


def test_grounded_prompts_carry_the_found_text_once_per_image() -> None:
    inner = FakeBackend(description="recording", pieces=["ok"], prompt_tokens=10)
    reader = CountingReader()
    backend = GroundedBackend(inner, reader, read_budget_s=60.0)
    image = dialog("dark", "Liberation Sans", 18).image
    request = Request.single("Describe this.", [image])
    backend.start(request, lambda piece: None)
    backend.start(request.follow_up("ok", "Which button saves?"), lambda piece: None)
    first, follow_up = inner.requests
    assert "Don't Save" in first.turns[0].text and first.turns[0].text.endswith("Describe this.")
    assert follow_up.turns[0].text == first.turns[0].text  # same prompt: cached, stable
    assert follow_up.turns[1].text == "Which button saves?"
    assert reader.reads == 1


@pytest.mark.slow
def test_grounding_reaches_a_real_model_prompt(tiny_models: dict[str, Path]) -> None:
    """With a tiny Idefics3, the grounded prompt is longer by the found text's tokens (the
    reader given time to finish however busy the machine: the budget is the benchmark's)."""
    settings = EngineSettings(model=str(tiny_models["idefics3"]), max_new_tokens=2)
    local = LocalBackend(settings)
    image = dialog("light", "DejaVu Sans", 14).image
    request = Request.single("Describe this.", [image])
    plain = local.start(request, lambda piece: None)
    grounded = GroundedBackend(local, read_budget_s=60.0).start(request, lambda piece: None)
    found = grounding_text(TextReader().read(image))
    tokenizer = local.loaded.processor.tokenizer
    assert grounded.prompt_tokens - plain.prompt_tokens >= len(tokenizer(found)["input_ids"]) // 2
    assert grounded.timings.first_token_s is not None and plain.timings.first_token_s is not None
    assert grounded.timings.preprocess_s > plain.timings.preprocess_s


def test_the_first_line_is_read_before_the_rest_of_the_screen_is_detected(
    reader: TextReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screen with a menu bar at the top and a page far below: the menu bar's line is
    read (and given to `on_line`) once its part is detected, before the page's part is
    looked at; it is not read again, and the whole reading is the same."""
    screen = document("light", "DejaVu Sans", 14)
    image = screen.image.copy()
    from PIL import ImageDraw, ImageFont

    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, image.width, 60), fill="white")
    draw.text((16, 20), "File Edit View Help", fill="black",
              font=ImageFont.truetype("DejaVuSans.ttf", 14))  # fmt: skip
    draw.rectangle((0, 60, image.width, 400), fill="white")
    events: list[str] = []
    detector = reader.models.detector

    def counted_detector(*args: Any, **kwargs: Any) -> Any:
        events.append("detect")
        return detector(*args, **kwargs)

    monkeypatch.setattr(reader.models, "detector", counted_detector)
    said: list[str] = []

    def on_line(line: TextLine, _end: LineEnd) -> None:
        events.append("line")
        said.append(line.text)

    reading = reader.read(image, on_line)
    assert events.index("line") == 1 and events.count("detect") >= 2, events
    assert said[0] == "File Edit View Help"
    assert sorted(said) == sorted(line.text for line in reading.lines)
    monkeypatch.setattr(reader.models, "detector", detector)
    assert [line.text for line in reader.read(image).lines] == [line.text for line in reading.lines]
    assert reader.last_timings.first_line_s is not None
    assert reader.last_timings.first_line_s < reader.last_timings.detect_s


def test_stopped_after_the_first_line_the_reading_holds_that_line(
    reader: TextReader,
) -> None:
    image = Image.new("RGB", (1280, 800), "white")
    from PIL import ImageDraw, ImageFont

    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype("DejaVuSans.ttf", 14)
    draw.text((16, 20), "File Edit View Help", fill="black", font=font)
    for row in range(12):
        draw.text((200, 300 + 30 * row), f"Paragraph line number {row + 1}", fill="black",
                  font=font)  # fmt: skip
    cancel = threading.Event()
    said: list[str] = []

    def on_line(line: TextLine, _end: LineEnd) -> None:
        said.append(line.text)
        cancel.set()

    reading = reader.read(image, on_line, cancel)
    assert said == ["File Edit View Help"]
    assert [line.text for line in reading.lines] == said


def test_the_readers_threads_wait_without_spinning(reader: TextReader) -> None:
    """Every session the reader runs (detection, direction, recognition) has onnxruntime's
    spinning off: waiting threads beside the model would otherwise take its cores."""
    models = reader.models
    sessions = [
        models.detector.infer.session._session,
        models.classifier.infer.session,
        models.recognizer.session.session._session,
    ]
    for session in sessions:
        options = session.get_session_options()
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
