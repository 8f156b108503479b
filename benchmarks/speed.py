"""Iris's model pipeline against the guides' plain transformers recipe, on this CPU.

    .venv/bin/python benchmarks/speed.py [--runs N] [--tokens N]

Random weights with SmolVLM-256M-Instruct's published layer sizes (built offline). Each
figure is the median of N runs after a warm-up. The plain recipe is the guides': AutoProcessor
defaults (image splitting on), full precision, `generate` on a thread feeding a
TextIteratorStreamer. Iris: its LocalBackend with its defaults for this computer.
Prints a Markdown section; `benchmarks/report.py` puts it into docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop_app.core.types import Request  # noqa: E402
from desktop_app.testing.text_screens import dialog  # noqa: E402

PROMPT = "Describe this image."


def images() -> dict[str, Any]:
    from PIL import Image

    photo = Image.effect_mandelbrot((1280, 800), (-2.0, -1.2, 1.0, 1.2), 80).convert("RGB")
    return {
        "screenshot 1280x800": dialog("light", "DejaVu Sans", 14).image,
        "photo 1280x800": photo,
    }


class PlainRecipe:
    """The guides' recipe, as a newcomer would write it."""

    def __init__(self, folder: Path) -> None:
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        self.processor = AutoProcessor.from_pretrained(folder)
        self.model = AutoModelForImageTextToText.from_pretrained(folder, dtype=torch.float32)

    def run(self, image: Any, tokens: int) -> tuple[float, float, int]:
        """(seconds to the first streamed text, ms per later token, prompt tokens)."""
        from transformers import TextIteratorStreamer

        messages = [
            {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": PROMPT}]}
        ]
        started = time.perf_counter()
        prompt = self.processor.apply_chat_template(messages, add_generation_prompt=True)
        inputs = self.processor(text=prompt, images=[image], return_tensors="pt")
        streamer = TextIteratorStreamer(self.processor.tokenizer, skip_prompt=True)
        output: list[Any] = []
        options = {"max_new_tokens": tokens, "min_new_tokens": tokens, "do_sample": False}
        worker = threading.Thread(
            target=lambda: output.append(
                self.model.generate(**inputs, streamer=streamer, **options)
            )
        )
        worker.start()
        first = None
        for _piece in streamer:
            if first is None:
                first = time.perf_counter() - started
        worker.join()
        total = time.perf_counter() - started
        prompt_tokens = int(inputs["input_ids"].shape[1])
        generated = int(output[0].shape[1]) - prompt_tokens
        first = first if first is not None else total
        return first, 1000 * (total - first) / max(1, generated - 1), prompt_tokens


def iris_run(backend: Any, image: Any, tokens: int) -> tuple[float, float, int]:
    answer = backend.start(Request.single(PROMPT, [image], max_new_tokens=tokens), lambda p: None)
    timings = answer.timings
    return timings.first_token_s or 0.0, timings.decode_ms_per_token or 0.0, answer.prompt_tokens


def follow_up_first_token(backend: Any, image: Any, tokens: int) -> float:
    first = Request.single(PROMPT, [image], max_new_tokens=tokens)
    answer = backend.start(first, lambda p: None)
    follow = first.follow_up(answer.text, "What colour is the button?")
    return backend.start(follow, lambda p: None).timings.first_token_s or 0.0


def medians(samples: list[tuple[float, float, int]]) -> tuple[float, float, int]:
    return (
        statistics.median(s[0] for s in samples),
        statistics.median(s[1] for s in samples),
        samples[0][2],
    )


def section(runs: int, tokens: int) -> list[str]:
    from desktop_app.engine.local import LocalBackend
    from desktop_app.settings import EngineSettings
    from desktop_app.testing.random_models import build_real_shape_model

    lines = [
        "## Model pipeline: Iris against the plain recipe",
        "",
        "Random weights with SmolVLM-256M-Instruct's shapes; "
        f"{tokens} new tokens; medians of {runs} runs after a warm-up. Plain: AutoProcessor "
        "defaults (image splitting), float32, `generate` + TextIteratorStreamer on a thread.",
        "",
    ]
    with tempfile.TemporaryDirectory() as folder:
        model = build_real_shape_model("SmolVLM-256M-Instruct", Path(folder) / "smolvlm-256m")
        plain = PlainRecipe(model)
        iris = LocalBackend(EngineSettings(model=str(model), max_new_tokens=tokens))
        iris.load()
        lines += [
            f"Iris runs as: {iris.description}, one tile (its CPU default), without text "
            "grounding (whose cost is measured above).",
            "",
            "| image | pipeline | prompt tokens | first token s | decode ms/token |",
            "|---|---|---|---|---|",
        ]
        ratios = []
        for name, image in images().items():
            plain.run(image, 2)
            iris_run(iris, image, 2)
            plain_figures = medians([plain.run(image, tokens) for _ in range(runs)])
            iris_figures = medians([iris_run(iris, image, tokens) for _ in range(runs)])
            for label, (first, decode, prompt_tokens) in (
                ("plain recipe", plain_figures),
                ("Iris", iris_figures),
            ):
                lines.append(f"| {name} | {label} | {prompt_tokens} | {first:.2f} | {decode:.1f} |")
            ratios.append(
                (name, plain_figures[0] / iris_figures[0], plain_figures[1] / iris_figures[1])
            )
        follow = statistics.median(
            follow_up_first_token(iris, images()["screenshot 1280x800"], tokens)
            for _ in range(runs)
        )
        lines.append("")
        for name, first_ratio, decode_ratio in ratios:
            lines.append(
                f"- {name}: Iris reaches the first token {first_ratio:.1f}x sooner and decodes "
                f"{decode_ratio:.1f}x faster than the plain recipe."
            )
        lines += [
            f"- A follow-up question's first token (Iris, screenshot): {follow:.2f} s "
            "(the whole conversation is encoded again: no key/value reuse yet).",
            "",
        ]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=24)
    args = parser.parse_args()
    print("\n".join(section(args.runs, args.tokens)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
