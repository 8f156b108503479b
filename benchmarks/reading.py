"""Benchmark of the text reader and of grounding descriptions in it.

    .venv/bin/python benchmarks/reading.py [--runs N] [--skip-grounding]

Reading: every screen of the generated test set (1280x800, 9-24 px text, light and dark),
median of N runs after a warm-up: time per screenshot, time to the first line, character
error rate and reading-order errors. Grounding: random weights with SmolVLM-256M-Instruct's
published layer sizes (built offline), int8, one tile, on a 1280x800 dialog: time to first
token with and without the found text in the prompt. Prints a Markdown section;
`benchmarks/report.py` puts it into docs/performance.md.
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

from desktop_app.core.types import Request  # noqa: E402
from desktop_app.engine.reading.reader import TextReader  # noqa: E402
from desktop_app.testing.reading_score import score  # noqa: E402
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-grounding", action="store_true")
    args = parser.parse_args()
    print("\n".join(section(args.runs, not args.skip_grounding)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
