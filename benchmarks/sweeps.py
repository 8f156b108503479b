"""How Iris's cost grows with the image's size and detail, and with the conversation's length.

    .venv/bin/python benchmarks/sweeps.py [--runs N] [--tokens N]

SmolVLM-256M-Instruct's shapes with random weights, Iris's CPU defaults (int8). Medians of
N runs; each run shows a new screenshot (a few pixels differ), so first questions never find
kept keys and values.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import PROMPT, iris_backend, screenshot, shape_models

from desktop_app.core.types import Request

SIZES = ((640, 480), (1280, 800), (1920, 1080), (3840, 2160))
QUESTIONS = (
    "What is the title?",
    "Which buttons are there?",
    "What colour is the button?",
    "Is there a text field?",
    "What does the first line say?",
    "Where is the close button?",
    "Is anything highlighted?",
)
"""Follow-ups for the 1-8 turn sweep (turn 1 is the description)."""


def _ignore(piece: str) -> None:
    pass


def size_rows(backend: Any, runs: int, tokens: int) -> list[str]:
    rows = []
    for width, height in SIZES:
        for detail in (False, True):
            answers = [
                backend.start(
                    Request.single(
                        PROMPT, [screenshot((width, height), run)], tokens, detail=detail
                    ),
                    _ignore,
                )
                for run in range(runs)
            ]
            first = statistics.median(a.timings.first_token_s or 0.0 for a in answers)
            preprocess = statistics.median(a.timings.preprocess_s for a in answers)
            decode = statistics.median(a.timings.decode_ms_per_token or 0.0 for a in answers)
            level = "more detail (tiles)" if detail else "quick (one tile)"
            rows.append(
                f"| {width}x{height} | {level} | {answers[0].prompt_tokens} | "
                f"{preprocess:.3f} | {first:.2f} | {decode:.1f} |"
            )
    return rows


def turn_rows(backend: Any, runs: int, tokens: int) -> list[str]:
    """Each turn's first token, continuing from the kept cache and encoding all again."""
    kept: list[list[float]] = [[] for _ in range(len(QUESTIONS) + 1)]
    fresh: list[list[float]] = [[] for _ in range(len(QUESTIONS) + 1)]
    prompt_tokens = [0] * (len(QUESTIONS) + 1)
    for run in range(runs):
        request = Request.single(PROMPT, [screenshot(run=run + 100)], tokens)
        for turn in range(len(QUESTIONS) + 1):
            answer = backend.start(request, _ignore)
            kept[turn].append(answer.timings.first_token_s or 0.0)
            backend.forget_conversation()
            again = backend.start(request, _ignore)
            fresh[turn].append(again.timings.first_token_s or 0.0)
            prompt_tokens[turn] = again.prompt_tokens
            if turn < len(QUESTIONS):
                request = request.follow_up(answer.text, QUESTIONS[turn])
    return [
        f"| {turn + 1} | {prompt_tokens[turn]} | {statistics.median(kept[turn]):.2f} | "
        f"{statistics.median(fresh[turn]):.2f} |"
        for turn in range(len(QUESTIONS) + 1)
    ]


def section(runs: int, tokens: int) -> list[str]:
    with shape_models(["256M"]) as folders:
        backend = iris_backend(folders["256M"], tokens)
        sizes = size_rows(backend, runs, tokens)
        turns = turn_rows(backend, runs, tokens)
        backend.close()
    return [
        "## How cost grows",
        "",
        f"SmolVLM-256M-Instruct's shapes, Iris (int8), {tokens} new tokens, medians of {runs} "
        "runs. Quick: one tile, Iris's CPU default. More detail: the model's own image "
        "splitting (what the More detail action and `--split` ask for).",
        "",
        "| screenshot | detail | prompt tokens | preprocess s | first token s | decode ms/token |",
        "|---|---|---|---|---|---|",
        *sizes,
        "",
        "A conversation about one screenshot, turn by turn: the first token of each turn when "
        "Iris continues from the kept keys and values, and when everything is encoded again "
        "(what the plain recipe does). Random weights write gibberish whose re-tokenized "
        "text differs from the generated tokens, so only the prompt up to the first answer "
        "is reused here; with a trained model the answers are reused too.",
        "",
        "| turn | prompt tokens | first token s, continued | first token s, encoded again |",
        "|---|---|---|---|",
        *turns,
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=12)
    args = parser.parse_args()
    print("\n".join(section(args.runs, args.tokens)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
