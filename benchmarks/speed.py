"""Iris's model pipeline against the guides' plain transformers recipe, on this CPU.

    .venv/bin/python benchmarks/speed.py [--runs N] [--tokens N] [--shapes 256M,500M]

Random weights with the published layer sizes of SmolVLM-256M-Instruct and -500M-Instruct
(built offline). Each figure is the median of N runs after a warm-up run; every run shows a
slightly different screenshot, so no run finds the previous one's keys and values. The plain
recipe is the guides': AutoProcessor defaults (image splitting on), full precision,
`generate` on a thread feeding a TextIteratorStreamer, the whole conversation encoded again
for a follow-up. Iris: its LocalBackend with its defaults for this computer.
Prints a Markdown section; `benchmarks/report.py` puts it into docs/performance.md, measured in
a process of its own (`in_own_process`), as the app's model process holds only the model.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop_app.core.types import Request  # noqa: E402
from desktop_app.testing.text_screens import dialog  # noqa: E402

PROMPT = "Describe this image."
QUESTION = "What colour is the button?"
SHAPES = {"256M": "SmolVLM-256M-Instruct", "500M": "SmolVLM-500M-Instruct"}


def screenshot(size: tuple[int, int] = (1280, 800), run: int = 0) -> Any:
    """The dialog test screen at `size`; `run` changes a few pixels (a new screenshot)."""
    image = dialog("light", "DejaVu Sans", 14).image.resize(size)
    image.putpixel((run % size[0], 0), (run % 256, 0, 0))
    return image


def photo(run: int = 0) -> Any:
    from PIL import Image

    image = Image.effect_mandelbrot((1280, 800), (-2.0, -1.2, 1.0, 1.2), 80).convert("RGB")
    image.putpixel((run, 0), (run % 256, 0, 0))
    return image


PICTURES: dict[str, Callable[[int], Any]] = {
    "screenshot 1280x800": lambda run: screenshot(run=run),
    "photo 1280x800": photo,
}


@dataclass(frozen=True)
class Figures:
    """One run's figures (seconds unless named otherwise)."""

    preprocess: float
    first_token: float
    decode_ms: float
    prompt_tokens: int
    follow_up_first_token: float = 0.0
    follow_up_cached: int = 0


def median_figures(samples: list[Figures]) -> Figures:
    def middle(name: str) -> Any:
        return statistics.median(getattr(sample, name) for sample in samples)

    return Figures(
        middle("preprocess"),
        middle("first_token"),
        middle("decode_ms"),
        samples[0].prompt_tokens,
        middle("follow_up_first_token"),
        samples[0].follow_up_cached,
    )


class PlainRecipe:
    """The guides' recipe, as a newcomer would write it."""

    def __init__(self, folder: Path) -> None:
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        self.processor = AutoProcessor.from_pretrained(folder)
        self.model: Any = AutoModelForImageTextToText.from_pretrained(folder, dtype=torch.float32)

    def answer(
        self, messages: list[dict[str, Any]], image: Any, tokens: int
    ) -> tuple[Figures, str]:
        from transformers import TextIteratorStreamer

        started = time.perf_counter()
        prompt = self.processor.apply_chat_template(messages, add_generation_prompt=True)
        inputs = self.processor(text=prompt, images=[image], return_tensors="pt")
        preprocess = time.perf_counter() - started
        streamer = TextIteratorStreamer(
            self.processor.tokenizer, skip_prompt=True, skip_special_tokens=True
        )
        output: list[Any] = []
        options: dict[str, Any] = {
            "max_new_tokens": tokens,
            "min_new_tokens": tokens,
            "do_sample": False,
        }
        worker = threading.Thread(
            target=lambda: output.append(
                self.model.generate(**inputs, streamer=streamer, **options)
            )
        )
        worker.start()
        first = None
        pieces = []
        for piece in streamer:
            pieces.append(piece)
            if first is None:
                first = time.perf_counter() - started
        worker.join()
        total = time.perf_counter() - started
        prompt_tokens = int(inputs["input_ids"].shape[1])
        generated = int(output[0].shape[1]) - prompt_tokens
        first = first if first is not None else total
        decode = 1000 * (total - first) / max(1, generated - 1)
        return Figures(preprocess, first, decode, prompt_tokens), "".join(pieces)

    def run(self, image: Any, tokens: int, follow_up: bool) -> Figures:
        asked = [_user(PROMPT, with_image=True)]
        figures, text = self.answer(asked, image, tokens)
        if not follow_up:
            return figures
        conversation = [*asked, _assistant(text), _user(QUESTION, with_image=False)]
        again, _ = self.answer(conversation, image, tokens)
        return Figures(*_firsts(figures), again.first_token, 0)


def _user(text: str, *, with_image: bool) -> dict[str, Any]:
    content: list[dict[str, str]] = [{"type": "image"}] if with_image else []
    return {"role": "user", "content": [*content, {"type": "text", "text": text}]}


def _assistant(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": [{"type": "text", "text": text}]}


def _firsts(figures: Figures) -> tuple[float, float, float, int]:
    return figures.preprocess, figures.first_token, figures.decode_ms, figures.prompt_tokens


def iris_run(backend: Any, image: Any, tokens: int, follow_up: bool) -> Figures:
    first = Request.single(PROMPT, [image], max_new_tokens=tokens)
    answer = backend.start(first, lambda piece: None)
    timings = answer.timings
    figures = Figures(
        timings.preprocess_s,
        timings.first_token_s or 0.0,
        timings.decode_ms_per_token or 0.0,
        answer.prompt_tokens,
    )
    if not follow_up:
        return figures
    again = backend.start(first.follow_up(answer.text, QUESTION), lambda piece: None)
    return Figures(*_firsts(figures), again.timings.first_token_s or 0.0, again.cached_tokens)


@contextmanager
def shape_models(shapes: list[str]) -> Iterator[dict[str, Path]]:
    """Random-weight models of the named published shapes, built offline into a temp dir."""
    from desktop_app.testing.random_models import build_real_shape_model

    with tempfile.TemporaryDirectory() as root:
        yield {shape: build_real_shape_model(SHAPES[shape], Path(root) / shape) for shape in shapes}


def iris_backend(folder: Path, tokens: int) -> Any:
    from desktop_app.engine.local.backend import LocalBackend
    from desktop_app.settings import EngineSettings

    backend = LocalBackend(
        EngineSettings(model=str(folder), max_new_tokens=tokens, ground_in_text=False)
    )
    backend.load()
    backend.warm_up()
    return backend


def compare(
    shape: str, folder: Path, runs: int, tokens: int, results: dict[str, float]
) -> list[str]:
    """Rows of the comparison table for one model shape, and the ratio lines.

    The 256M screenshot's figures also go into `results` (for the targets table).
    """
    plain = PlainRecipe(folder)
    iris = iris_backend(folder, tokens)
    pictures = PICTURES if shape == "256M" else dict(list(PICTURES.items())[:1])
    rows: list[str] = []
    ratios: list[str] = []
    plain.run(screenshot(run=999), 2, follow_up=False)  # warm-up
    for name, picture in pictures.items():
        follow = name.startswith("screenshot")
        plain_figures = median_figures(
            [plain.run(picture(run), tokens, follow) for run in range(runs)]
        )
        iris_figures = median_figures(
            [iris_run(iris, picture(run), tokens, follow) for run in range(runs)]
        )
        if shape == "256M" and follow:
            results["first_token_s"] = iris_figures.first_token
            results["decode_ms"] = iris_figures.decode_ms
            results["follow_up_s"] = iris_figures.follow_up_first_token
            results["preprocess_s"] = iris_figures.preprocess
        for label, figures in (("plain recipe", plain_figures), ("Iris", iris_figures)):
            follow_text = (
                f"{figures.follow_up_first_token:.2f} ({figures.follow_up_cached} cached)"
                if follow
                else "-"
            )
            rows.append(
                f"| {shape} | {name} | {label} | {figures.prompt_tokens} | "
                f"{figures.preprocess:.3f} | {figures.first_token:.2f} | "
                f"{figures.decode_ms:.1f} | {follow_text} |"
            )
        ratio = (
            f"- {shape}, {name}: Iris reaches the first token "
            f"{plain_figures.first_token / iris_figures.first_token:.1f}x sooner and decodes "
            f"{plain_figures.decode_ms / iris_figures.decode_ms:.1f}x faster"
        )
        if follow:
            ratio += (
                "; a follow-up's first token comes "
                f"{plain_figures.follow_up_first_token / iris_figures.follow_up_first_token:.1f}x"
                " sooner"
            )
        ratios.append(ratio + ".")
    del plain
    iris.close()
    return [*rows, "", *ratios, ""]


def section(
    runs: int,
    tokens: int,
    shapes: list[str] | None = None,
    results: dict[str, float] | None = None,
) -> list[str]:
    shapes = shapes or list(SHAPES)
    results = {} if results is None else results
    lines = [
        "## Model pipeline: Iris against the plain recipe",
        "",
        "Random weights with the published shapes of SmolVLM-256M-Instruct and "
        f"SmolVLM-500M-Instruct; {tokens} new tokens; medians of {runs} runs after a warm-up. "
        "Plain: AutoProcessor defaults (image splitting), float32, `generate` + "
        "TextIteratorStreamer on a thread, the whole conversation encoded again for a "
        "follow-up. Iris: int8, one tile (its CPU default), warmed up after loading, "
        "follow-ups continue from the conversation's kept keys and values; without text "
        "grounding (its cost is measured above). Preprocessing is part of the first token's "
        "time.",
        "",
        "| model | image | pipeline | prompt tokens | preprocess s | first token s | "
        "decode ms/token | follow-up first token s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    ratios: list[str] = []
    with shape_models(shapes) as folders:
        for shape, folder in folders.items():
            rows = compare(shape, folder, runs, tokens, results)
            split = rows.index("")
            lines += rows[:split]
            ratios += rows[split + 1 :]
    return [*lines, "", *[line for line in ratios if line], ""]


def in_own_process(runs: int, tokens: int, results: dict[str, float]) -> list[str]:
    """`section`, measured by a new Python process as the model's own process is: the
    report's other sections leave onnxruntime's threads and other models' memory in the
    report's (interleaved, 12 answers each way, SmolVLM-256M's decode took 19.0 ms/token after
    the reading and grounding sections against 17.7 in a new process). Its figures for the
    targets go into `results`."""
    from machine_info import json_from_child

    command = [sys.executable, __file__, "--runs", str(runs), "--tokens", str(tokens), "--json"]
    printed = json_from_child(command, "speed.py")
    results.update(printed["results"])
    lines: list[str] = printed["lines"]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=24)
    parser.add_argument("--shapes", default=",".join(SHAPES), help="e.g. 256M or 256M,500M")
    parser.add_argument(
        "--json", action="store_true", help="one JSON line: the section's lines and figures"
    )
    args = parser.parse_args()
    results: dict[str, float] = {}
    lines = section(args.runs, args.tokens, args.shapes.split(","), results)
    print(json.dumps({"lines": lines, "results": results}) if args.json else "\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
