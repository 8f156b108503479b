"""Benchmark of the text reader and of grounding descriptions in it.

    .venv/bin/python benchmarks/reading.py [--runs N] [--skip-grounding] [--real [--write]]

Reading: every screen of the generated test set (1280x800, 9-24 px text, light and dark),
median of N runs after a warm-up: time per screenshot, time to the first line, character
error rate and reading-order errors. Grounding: random weights with SmolVLM-256M-Instruct's
published layer sizes (built offline), int8, one tile, on a 1280x800 dialog: time to first
token with and without the found text in the prompt. Prints a Markdown section;
`benchmarks/report.py` puts it into docs/performance.md.

With --real: the real-application screenshots of benchmarks/real_screens.py (built once into
a cache folder; it lists the Debian packages it needs) at 1920x1080 and 2880x1800, on the
cores a laptop gives the reader (2 threads); --write puts that section into
docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import real_screens  # noqa: E402
from machine_info import machine, write_section  # noqa: E402

from desktop_app.core.types import Request  # noqa: E402
from desktop_app.engine.reading.reader import TextReader  # noqa: E402
from desktop_app.testing.reading_score import score, score_texts  # noqa: E402
from desktop_app.testing.text_screens import dialog, measured_set  # noqa: E402


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def reading_rows(runs: int) -> tuple[list[str], dict[str, float]]:
    reader = TextReader()
    screens = measured_set()
    reader.read(screens[0].image)  # load the models once, as the app does
    rows, seconds, firsts = [], [], []
    errors = characters = order_errors = 0
    for screen in screens:
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            reading = reader.read(screen.image)
            timings.append((time.perf_counter() - started, reader.last_timings.first_line_s))
        total = statistics.median(t for t, _ in timings)
        first = statistics.median(f or 0.0 for _, f in timings)
        result = score(screen, reading)
        errors += result.character_errors
        characters += result.characters
        order_errors += result.order_errors
        seconds.append(total)
        firsts.append(first)
        rows.append(
            f"| {screen.name} | {len(screen.lines)} | {total:.2f} | {first:.2f} | "
            f"{result.cer:.2%} | {result.order_errors} |"
        )
    summary = {
        "median_s": statistics.median(seconds),
        "max_s": max(seconds),
        "first_line_s": statistics.median(firsts),
        "cer": errors / characters,
        "order_errors": order_errors,
    }
    return rows, summary


def grounding_figures(runs: int) -> dict[str, Any]:
    from desktop_app.engine.local.backend import LocalBackend
    from desktop_app.engine.reading.backend import GroundedBackend
    from desktop_app.settings import EngineSettings
    from desktop_app.testing.random_models import build_real_shape_model

    image = dialog("light", "DejaVu Sans", 14).image
    request = Request.single("Describe this image.", [image], max_new_tokens=4)
    with tempfile.TemporaryDirectory() as folder:
        model = build_real_shape_model("SmolVLM-256M-Instruct", Path(folder) / "smolvlm-256m")
        settings = EngineSettings(model=str(model), split_image=False, max_new_tokens=4)
        local = LocalBackend(settings)
        local.load()
        grounded = GroundedBackend(local)
        grounded.load()

        def first_token(backend: LocalBackend | GroundedBackend) -> tuple[float, int]:
            answer = backend.start(request, lambda piece: None)
            return answer.timings.first_token_s or 0.0, answer.prompt_tokens

        first_token(local)
        plain = [first_token(local) for _ in range(runs)]
        # A new image object each run: the grounded backend's cache must not hide the reading.
        with_text = []
        for _ in range(runs):
            fresh = Request.single("Describe this image.", [image.copy()], max_new_tokens=4)
            answer = grounded.start(fresh, lambda piece: None)
            with_text.append((answer.timings.first_token_s or 0.0, answer.prompt_tokens))
        cached = [first_token(grounded) for _ in range(runs)]
        return {
            "plain_s": statistics.median(t for t, _ in plain),
            "grounded_s": statistics.median(t for t, _ in with_text),
            "cached_s": statistics.median(t for t, _ in cached),
            "plain_tokens": plain[0][1],
            "grounded_tokens": with_text[0][1],
            "description": local.description,
        }


def section(runs: int, grounding: bool = True) -> list[str]:
    """The Markdown section on the text reader and on grounding."""
    rows, summary = reading_rows(runs)
    return _lines(rows, summary, grounding_figures(runs) if grounding else None)


def _lines(
    rows: list[str], summary: dict[str, float], grounding: dict[str, Any] | None
) -> list[str]:
    lines = [
        "## Text reading (PP-OCRv4 through onnxruntime, CPU)",
        "",
        "Each screen is a generated 1280x800 screenshot with known text (`desktop_app/testing/"
        "text_screens.py`); times are the median of the runs after a warm-up, models loaded.",
        "",
        f"- **Time per 1280x800 screenshot: median {summary['median_s']:.2f} s** over the set "
        f"(slowest {summary['max_s']:.2f} s: dense 9-16 px documents; target 1 s).",
        f"- Time to the first line (what the user hears first): median "
        f"{summary['first_line_s']:.2f} s.",
        f"- **Character error rate: {summary['cer']:.2%}** over the set (target 3 %); "
        f"reading-order errors: {summary['order_errors']:.0f} (target 0 in every layout).",
        "",
        "| screen | lines | seconds | first line s | CER | order errors |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
    ]
    if grounding is not None:
        added = grounding["grounded_s"] - grounding["plain_s"]
        lines += [
            "## Grounding descriptions in the found text",
            "",
            f"Model: random weights with SmolVLM-256M-Instruct's shapes ({grounding['description']}"
            "), one tile, a 1280x800 dialog.",
            "",
            "| | time to first token s | prompt tokens |",
            "|---|---|---|",
            f"| without grounding | {grounding['plain_s']:.2f} | {grounding['plain_tokens']:.0f} |",
            f"| grounded, image read for this request | {grounding['grounded_s']:.2f} | "
            f"{grounding['grounded_tokens']:.0f} |",
            f"| grounded, follow-up on the same image (reading cached) | "
            f"{grounding['cached_s']:.2f} | {grounding['grounded_tokens']:.0f} |",
            "",
            f"Grounding costs {added:.2f} s of time to first token on a new image (the reading "
            "plus the longer prompt); follow-ups reuse the reading.",
            "",
        ]
    return lines


REAL_HEADING = "## Text reading on real application screens"
REAL_TARGETS = {"median_s": 1.0, "first_line_s": 0.3, "cer": 0.02}


def real_rows(runs: int, threads: int = 2) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each real screen read `runs` times after a warm-up: median seconds, first line, CER."""
    reader = TextReader(threads=threads)
    screens = real_screens.build()
    reader.read(screens[0].image())
    rows = []
    for screen in screens:
        image = screen.image()
        timings = []
        cpu = []
        for _ in range(runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            reading = reader.read(image)
            timings.append((time.perf_counter() - started, reader.last_timings))
            cpu.append(time.process_time() - cpu_started)
        result = score_texts(screen.truth, reading)
        rows.append(
            {
                "name": screen.name,
                "size": f"{image.width}x{image.height}",
                "seconds": statistics.median(t for t, _ in timings),
                "cpu_s": statistics.median(cpu),
                "detect_s": statistics.median(r.detect_s for _, r in timings),
                "first_line_s": statistics.median(r.first_line_s or 0.0 for _, r in timings),
                "errors": result.character_errors,
                "characters": result.characters,
                "lines": len(reading.lines),
            }
        )
    return rows, _real_summary(rows)


def _real_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for size in sorted({row["size"] for row in rows}):
        mine = [row for row in rows if row["size"] == size]
        summary[size] = {
            "median_s": statistics.median(row["seconds"] for row in mine),
            "max_s": max(row["seconds"] for row in mine),
            "cpu_s": statistics.median(row["cpu_s"] for row in mine),
            "first_line_s": statistics.median(row["first_line_s"] for row in mine),
            "cer": sum(row["errors"] for row in mine) / sum(row["characters"] for row in mine),
        }
    return summary


def real_section(runs: int, threads: int = 2) -> list[str]:
    """The Markdown section on the real application screens."""
    started = time.perf_counter()
    rows, summary = real_rows(runs, threads)
    lines = [
        REAL_HEADING,
        "",
        "Screenshots of applications installed from Debian, run under Xvfb and drawn by them, "
        "not by Iris (`benchmarks/real_screens.py`): AbiWord with a document, NetSurf with a "
        "web page, Thunar with a folder, xterm with a long listing, a GTK 3 settings dialog; "
        "light and Adwaita dark; 1920x1080 at scale 1 and 2880x1800 at scale 2. The truth is "
        "the text the script gave each application; each truth text is scored against the "
        "closest stretch of what was read (menus and toolbars are not scored). "
        f"Median of {runs} run(s) after a warm-up, the reader on {threads} threads.",
        "",
        f"Measured on: {machine()}.",
        "",
        "| screens | median s (target 1.0) | slowest s | first line s (target 0.3) | "
        "CER (target 2 %) |",
        "|---|---|---|---|---|",
    ]
    for size, figures in summary.items():
        lines.append(
            f"| {size} | {figures['median_s']:.2f} | {figures['max_s']:.2f} | "
            f"{figures['first_line_s']:.2f} | {figures['cer']:.2%} |"
        )
    lines += [
        "",
        "| screen | lines read | seconds | detection s | first line s | CER |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['lines']} | {row['seconds']:.2f} | {row['detect_s']:.2f} | "
            f"{row['first_line_s']:.2f} | {row['errors'] / max(1, row['characters']):.2%} |"
        )
    met = sum(
        figures[key] <= target
        for figures in summary.values()
        for key, target in REAL_TARGETS.items()
    )
    lines += [
        "",
        f"Targets met: {met} of {len(REAL_TARGETS) * len(summary)}. Measured in "
        f"{time.perf_counter() - started:.0f} s.",
        "",
    ]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-grounding", action="store_true")
    parser.add_argument("--real", action="store_true", help="the real application screens")
    parser.add_argument("--write", action="store_true", help="with --real: update the doc")
    args = parser.parse_args()
    if args.real:
        lines = real_section(args.runs)
        print("\n".join(lines))
        if args.write:
            write_section(REAL_HEADING, lines)
        return 0
    print("\n".join(section(args.runs, not args.skip_grounding)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
