"""Speed-ups tried on this CPU: each kept in Iris only if it wins here.

    .venv/bin/python benchmarks/trials.py [--runs N] [--tokens N] [--compile-limit S]

SmolVLM-256M-Instruct's shapes with random weights, a 1280x800 screenshot, one tile.
Every variant changes one thing from Iris's default (int8, SDPA attention, dynamic key/value
cache, one thread per core, warmed up after loading); medians of N runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import PROMPT, iris_backend, screenshot, shape_models

from desktop_app.core.types import Request


class TimingStreamer:
    """A `generate` streamer that notes when each token arrives (the prompt comes first)."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self._prompt_seen = False

    def put(self, value: Any) -> None:
        if not self._prompt_seen:
            self._prompt_seen = True
            return
        self.arrivals.append(time.perf_counter())

    def end(self) -> None:
        pass


def generate_figures(backend: Any, run: int, tokens: int, **options: Any) -> tuple[float, float]:
    """(first token s, decode ms/token) of `model.generate` with `options`, inputs as Iris's."""
    import torch

    loaded = backend.loaded
    request = Request.single(PROMPT, [screenshot(run=run)], tokens)
    started = time.perf_counter()
    inputs = loaded.family.build_inputs(loaded.processor, request, [screenshot(run=run)])
    streamer = TimingStreamer()
    with torch.inference_mode():
        loaded.model.generate(
            **inputs,
            max_new_tokens=tokens,
            min_new_tokens=tokens,
            do_sample=False,
            streamer=streamer,
            **options,
        )
    first = streamer.arrivals[0] - started
    decode = 1000 * (streamer.arrivals[-1] - streamer.arrivals[0]) / (len(streamer.arrivals) - 1)
    return first, decode


def measured(runs: int, measure: Callable[[int], tuple[float, float]]) -> tuple[float, float]:
    measure(1000)  # warm-up for this variant
    samples = [measure(run) for run in range(runs)]
    return (
        statistics.median(s[0] for s in samples),
        statistics.median(s[1] for s in samples),
    )


def iris_figures(backend: Any, run: int, tokens: int) -> tuple[float, float]:
    answer = backend.start(
        Request.single(PROMPT, [screenshot(run=run)], tokens), lambda piece: None
    )
    return answer.timings.first_token_s or 0.0, answer.timings.decode_ms_per_token or 0.0


def cold_first_token(folder: Path, tokens: int, warm: bool) -> float:
    from desktop_app.engine.local.backend import LocalBackend
    from desktop_app.settings import EngineSettings

    backend = LocalBackend(
        EngineSettings(model=str(folder), max_new_tokens=tokens, ground_in_text=False)
    )
    backend.load()
    if warm:
        backend.warm_up()
    first, _ = iris_figures(backend, 0, tokens)
    backend.close()
    return first


def compile_trial(folder: Path, tokens: int, limit_s: int) -> str:
    """torch.compile of the int8 model with a static cache, in a subprocess with a limit."""
    code = (
        "import sys, time, torch; sys.path.insert(0, 'benchmarks');"
        "from trials import generate_figures; from speed import iris_backend;"
        f"b = iris_backend({str(folder)!r}, {tokens});"
        "b.loaded.model.forward = torch.compile(b.loaded.model.forward, dynamic=False);"
        "t = time.perf_counter();"
        f"generate_figures(b, 1000, {tokens}, cache_implementation='static');"
        "c = time.perf_counter() - t;"
        f"f, d = generate_figures(b, 0, {tokens}, cache_implementation='static');"
        "print(f'{c:.0f} {f:.2f} {d:.1f}')"
    )
    root = Path(__file__).resolve().parents[1]
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=limit_s,
        )
    except subprocess.TimeoutExpired:
        return f"did not finish compiling within {limit_s} s"
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1][:160]
        return f"failed: {reason}"
    compile_s, first, decode = done.stdout.split()[-3:]
    return f"first call {compile_s} s (compiling); then first token {first} s, {decode} ms/token"


def section(runs: int, tokens: int, compile_limit_s: int) -> list[str]:
    import torch

    rows: list[tuple[str, tuple[float, float], str]] = []
    with shape_models(["256M"]) as folders:
        folder = folders["256M"]
        backend = iris_backend(folder, tokens)
        base = measured(runs, lambda run: iris_figures(backend, run, tokens))
        rows.append(("Iris default (int8, SDPA, dynamic cache, all cores)", base, "kept"))
        rows.append(
            (
                "plain `generate`, same model and inputs",
                measured(runs, lambda run: generate_figures(backend, run, tokens)),
                "(reference: Iris's streaming and stopping cost)",
            )
        )
        static = measured(
            runs,
            lambda run: generate_figures(backend, run, tokens, cache_implementation="static"),
        )
        rows.append(("static key/value cache", static, _verdict(static, base)))
        cores = torch.get_num_threads()
        torch.set_num_threads(1)
        one = measured(runs, lambda run: iris_figures(backend, run, tokens))
        torch.set_num_threads(cores)
        rows.append((f"1 thread instead of {cores}", one, _verdict(one, base)))
        backend.loaded.model.set_attn_implementation("eager")
        eager = measured(runs, lambda run: iris_figures(backend, run, tokens))
        backend.loaded.model.set_attn_implementation("sdpa")
        rows.append(("eager attention instead of SDPA", eager, _verdict(eager, base)))
        backend.close()
        full = _full_precision(folder, tokens, runs)
        rows.append(("float32 instead of int8", full, _verdict(full, base)))
        cold = statistics.median(cold_first_token(folder, tokens, False) for _ in range(runs))
        warmed = statistics.median(cold_first_token(folder, tokens, True) for _ in range(runs))
        compiled = compile_trial(folder, tokens, compile_limit_s)
    lines = [
        "## Trials",
        "",
        f"SmolVLM-256M-Instruct's shapes, a 1280x800 screenshot, one tile, {tokens} new "
        f"tokens, medians of {runs} runs after a warm-up of each variant.",
        "",
        "| variant | first token s | decode ms/token | verdict |",
        "|---|---|---|---|",
        *[f"| {name} | {f[0]:.2f} | {f[1]:.1f} | {verdict} |" for name, f, verdict in rows],
        "",
        f"- First request right after loading: {cold:.2f} s to the first token cold, "
        f"{warmed:.2f} s after the warm-up the window runs once the model is loaded.",
        f"- torch.compile (static cache): {compiled}.",
        "",
    ]
    return lines


def _full_precision(folder: Path, tokens: int, runs: int) -> tuple[float, float]:
    from desktop_app.engine.local.backend import LocalBackend
    from desktop_app.settings import EngineSettings, Quantization

    backend = LocalBackend(
        EngineSettings(
            model=str(folder),
            max_new_tokens=tokens,
            ground_in_text=False,
            quantization=Quantization.NONE,
        )
    )
    backend.load()
    figures = measured(runs, lambda run: iris_figures(backend, run, tokens))
    backend.close()
    return figures


def _verdict(trial: tuple[float, float], base: tuple[float, float]) -> str:
    faster = trial[0] < base[0] * 0.95 or trial[1] < base[1] * 0.95
    slower = trial[0] > base[0] * 1.05 or trial[1] > base[1] * 1.05
    if faster and not slower:
        return "faster: worth adopting"
    if slower and not faster:
        return "slower: not used"
    return "no clear gain: not used"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=24)
    parser.add_argument("--compile-limit", type=int, default=300, metavar="S")
    args = parser.parse_args()
    print("\n".join(section(args.runs, args.tokens, args.compile_limit)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
