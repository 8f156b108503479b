"""Bad input, fuzzed: generated and mutated files fed to the image loader and the `iris` CLI.

The only outcomes allowed: an image the engine can use, or an `ImageError` whose message is
one of Iris's refusal sentences. Anything else (another exception, a traceback, a warning on
stderr, an input slower than its budget) fails. `pytest -s` shows how many inputs were tried.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import resource
import subprocess
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from desktop_app.cli.main import main
from desktop_app.core import messages
from desktop_app.core.errors import ImageError
from desktop_app.engine.images import (
    MAX_PIXELS,
    MAX_PIXELS_PER_BYTE,
    RATIO_CHECK_PIXELS,
    load_image,
    load_image_bytes,
)
from tests.helpers.fuzz_images import (
    Sample,
    any_file,
    bomb_png,
    degenerate_valid,
    encoded,
    found_by_fuzzing,
    patch_dimensions,
    picture,
)

pytestmark = pytest.mark.slow  # the "tried enough" checks need the fuzz tests before them

ROOT = Path(__file__).resolve().parents[2]
LOADER_INPUTS = 1000
CLI_INPUTS = 300
LOADER_BUDGET_S = 3.0
"""Longest one load (or refusal) may take; generous, as the machine is shared."""
CLI_BUDGET_S = 30.0
"""Longest one in-process `iris` run may take, model loading included."""
MEMORY_BUDGET_MB = 1500
"""Most the process's peak memory may grow while the loader is fuzzed."""

REFUSALS = {
    "empty": messages.FILE_EMPTY,
    "not an image": messages.NOT_AN_IMAGE,
    "ends early": messages.IMAGE_DAMAGED.replace("{reason}", messages.IMAGE_ENDS_EARLY),
    "corrupt": messages.IMAGE_DAMAGED.replace("{reason}", messages.IMAGE_DATA_CORRUPT),
    "too large": messages.IMAGE_TOO_LARGE,
    "bomb": messages.IMAGE_BOMB,
}
"""Every sentence the loader may refuse a file's bytes with, by a short name."""
RAW_TEXT = re.compile(r"Traceback|Error\b|Exception|object at 0x|\\x[0-9a-f]{2}|b'|<|>|\n")
"""Signs of a raw exception in a message meant for a person."""
FOUND = found_by_fuzzing()
VALID = degenerate_valid()
TINY_OPTIONS = ("--quant", "none", "--device", "cpu", "--max-new-tokens", "1", "--no-ground",
                "--threads", "1")  # fmt: skip
"""A random tiny model answering one token, without the text reader: quick, same code paths."""


def fuzz_settings(examples: int) -> settings:
    """Deterministic (same inputs every run), no database, our own time budget."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.function_scoped_fixture,
        ],
    )


def _peak_memory_mb() -> float:
    """This process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Tally:
    """What a fuzz test tried and how each input ended."""

    tried: int = 0
    accepted: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    slowest_s: float = 0.0
    slowest: str = ""
    peak_mb_at_start: float | None = None

    def start(self) -> float:
        """The time an input starts; the first also sets the memory baseline."""
        if self.peak_mb_at_start is None:
            self.peak_mb_at_start = _peak_memory_mb()
        return time.perf_counter()

    def timed(self, recipe: str, started: float, budget_s: float) -> None:
        """Count one input; fail it if it took longer than `budget_s`."""
        elapsed = time.perf_counter() - started
        self.tried += 1
        if elapsed > self.slowest_s:
            self.slowest_s, self.slowest = elapsed, recipe
        assert elapsed <= budget_s, f"{elapsed:.2f} s (budget {budget_s} s) for {recipe}"

    def peak_growth_mb(self) -> float:
        return _peak_memory_mb() - (self.peak_mb_at_start or _peak_memory_mb())

    def report(self, what: str) -> str:
        kinds = ", ".join(f"{count} {kind}" for kind, count in self.refused.most_common())
        return (
            f"\n{what}: {self.tried} inputs tried, {self.accepted} accepted, "
            f"{self.refused.total()} refused ({kinds}); slowest {self.slowest_s * 1000:.0f} ms "
            f"({self.slowest}); peak memory grew {self.peak_growth_mb():.0f} MB"
        )


LOADER = Tally()
CLI = Tally()


def refusal_kind(message: str, path: str) -> str:
    """Which of Iris's refusal sentences `message` is; fails if it is none of them."""
    assert not RAW_TEXT.search(message), f"raw text in {message!r}"
    for kind, template in REFUSALS.items():
        pattern = re.escape(template).replace(re.escape("{path}"), re.escape(path))
        pattern = re.sub(r"\\\{(width|height)\\\}", r"\\d+", pattern)
        if re.fullmatch(pattern, message):
            return kind
    raise AssertionError(f"not one of Iris's refusals: {message!r}")


def check_loaded(image: Image.Image, sample: Sample, file_bytes: int) -> None:
    """An accepted image is decoded 8-bit RGB within the sizes the loader promises."""
    assert image.mode == "RGB", sample.recipe
    width, height = image.size
    assert width >= 1 and height >= 1 and width * height <= MAX_PIXELS, sample.recipe
    assert width * height <= max(RATIO_CHECK_PIXELS, MAX_PIXELS_PER_BYTE * file_bytes)
    assert len(image.getpixel((width - 1, height - 1))) == 3  # type: ignore[arg-type]
    if sample.intact:  # EXIF orientation may turn it
        assert image.size in (sample.size, sample.size[::-1]), sample.recipe


def load_both(sample: Sample, path: Path) -> Image.Image | ImageError:
    """Load `sample` from a file (open, drop) and from memory (paste): same outcome."""
    path.write_bytes(sample.data)
    outcomes: list[Image.Image | ImageError] = []
    for load in (lambda: load_image(path), lambda: load_image_bytes(sample.data, str(path))):
        try:
            outcomes.append(load())
        except ImageError as error:
            outcomes.append(error)
    from_file, from_memory = outcomes
    if isinstance(from_file, ImageError) and isinstance(from_memory, ImageError):
        assert from_file.message == from_memory.message, sample.recipe
    else:
        assert isinstance(from_file, Image.Image), f"{sample.recipe}: {from_file}"
        assert isinstance(from_memory, Image.Image), f"{sample.recipe}: {from_memory}"
        assert from_file.size == from_memory.size, sample.recipe
    return from_file


@pytest.mark.timeout(300)
@fuzz_settings(LOADER_INPUTS)
@given(sample=any_file())
@example(sample=FOUND["ppm-bad-number"])
@example(sample=FOUND["ppm-junk-token"])
@example(sample=FOUND["png-broken-chunk"])
@example(sample=FOUND["tiff-corrupt-exif"])
@example(sample=FOUND["gif-canvas-bomb"])
@example(sample=FOUND["jpeg-declares-80-megapixels"])
@example(sample=FOUND["png-144-megapixels"])
@example(sample=FOUND["png-declares-2^31"])
@example(sample=VALID["1x1"])
@example(sample=VALID["1x100000"])
@example(sample=VALID["100000x1"])
@example(sample=VALID["8000x10000-one-bit"])
def test_loader_accepts_or_refuses_clearly(
    sample: Sample, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz-input.img"
    started = LOADER.start()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outcome = load_both(sample, path)
    LOADER.timed(sample.recipe, started, 2 * LOADER_BUDGET_S)  # it was loaded twice
    assert not caught, f"{sample.recipe} warned: {[str(w.message) for w in caught]}"
    if isinstance(outcome, ImageError):
        assert outcome.exit_code == 2
        assert not sample.intact, f"valid file refused: {sample.recipe}: {outcome.message}"
        LOADER.refused[refusal_kind(outcome.message, str(path))] += 1
    else:
        check_loaded(outcome, sample, len(sample.data))
        LOADER.accepted += 1
    if sample.recipe.startswith("found:"):
        assert isinstance(outcome, ImageError), f"{sample.recipe} must be refused"


def test_loader_fuzzing_tried_enough() -> None:
    """After the fuzz test above (file order): >= 1000 inputs, both outcomes, memory kept."""
    print(LOADER.report("image loader"))
    assert LOADER.tried >= LOADER_INPUTS
    assert LOADER.accepted > 100 and LOADER.refused.total() > 100
    assert LOADER.peak_growth_mb() < MEMORY_BUDGET_MB


@pytest.mark.timeout(300)
@fuzz_settings(CLI_INPUTS)
@given(sample=any_file(), command=st.sampled_from(["read", "describe"]))
@example(sample=FOUND["gif-canvas-bomb"], command="read")
@example(sample=FOUND["tiff-corrupt-exif"], command="read")
@example(sample=FOUND["ppm-junk-token"], command="describe")
@example(sample=VALID["1x100000"], command="describe")
@example(sample=VALID["100000x1"], command="read")
def test_cli_answers_or_refuses_clearly(
    sample: Sample,
    command: str,
    tiny_models: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz-input.png"
    path.write_bytes(sample.data)
    options = (
        ["--model", str(tiny_models["idefics3"]), *TINY_OPTIONS] if command == "describe" else []
    )
    out, err = io.StringIO(), io.StringIO()
    started = CLI.start()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([command, str(path), "--format", "jsonl", *options])
    CLI.timed(f"iris {command}: {sample.recipe}", started, CLI_BUDGET_S)
    assert "Traceback" not in out.getvalue() + err.getvalue()
    stream = [json.loads(line) for line in out.getvalue().splitlines()]
    if code == 0:
        assert stream and stream[-1]["event"] == "answer", sample.recipe
        assert err.getvalue() == "", sample.recipe
        CLI.accepted += 1
        return
    assert code == 2, f"exit {code} for {sample.recipe}: {err.getvalue()}"
    lines = err.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("iris: "), err.getvalue()
    message = lines[0].removeprefix("iris: ")
    assert stream == [{"event": "error", "message": message}]
    CLI.refused[refusal_kind(message, str(path))] += 1


def test_cli_fuzzing_tried_enough() -> None:
    """After the CLI fuzz test above: `iris` really ran a few hundred times, both ways."""
    print(CLI.report("iris read/describe, in-process"))
    assert CLI.tried >= CLI_INPUTS
    assert CLI.accepted > 20 and CLI.refused.total() > 20


def test_real_entry_point_on_bad_files(tiny_models: dict[str, Path], tmp_path: Path) -> None:
    """`python -m desktop_app batch` over a folder of bad files: a clear error in each row."""
    bad = {
        "random.png": os.urandom(300),
        "cut.jpg": encoded(picture("RGB", (64, 64), 1), "JPEG")[:200],
        "bomb.png": bomb_png(12_000, 12_000),
        "huge.gif": patch_dimensions(encoded(picture("P", (8, 8), 2), "GIF"), 65535, 65535),
        "empty.webp": b"",
        "junk.ppm": FOUND["ppm-junk-token"].data,
        "flipped.tiff": _inverted(encoded(picture("CMYK", (16, 16), 3), "TIFF")),
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
    picture("LA", (1, 300), 4).save(tmp_path / "thin.png")
    table = tmp_path / "alt.csv"
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "batch", str(tmp_path), "--out", str(table),
         "--model", str(tiny_models["idefics3"]), *TINY_OPTIONS],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no traceback, no warning
    assert done.stdout == messages.BATCH_DONE.format(count=8, path=table, failed=len(bad)) + "\n"
    rows = {row["file"]: row for row in csv.DictReader(table.open(encoding="utf-8"))}
    assert set(rows) == {*bad, "thin.png"}
    assert rows["thin.png"]["error"] == ""
    kinds = {name: refusal_kind(rows[name]["error"], str(tmp_path / name)) for name in bad}
    assert kinds["bomb.png"] == kinds["huge.gif"] == "bomb"
    assert all(rows[name]["alt_text"] == "" for name in bad)
    print(f"\npython -m desktop_app batch: {len(bad)} bad files refused ({kinds}), 1 answered")


def _inverted(data: bytes) -> bytes:
    """`data` with bytes 10 to 40 (inside a TIFF's first directory) inverted."""
    return data[:10] + bytes(255 - byte for byte in data[10:40]) + data[40:]
