"""A 2B-class model on the CPU: the first (layer-by-layer) int8 load, memory, speed, fidelity.

    .venv/bin/python benchmarks/large_model.py [--shapes 256M,2.2B] [--runs N] [--tokens N]
                                               [--write]

Random weights with the published layer sizes of SmolVLM-256M-Instruct and SmolVLM-Instruct
(2.2B: SmolLM2-1.7B and SigLIP so400m), built offline in bfloat16 as the Hub's checkpoints
are. Every figure comes from a fresh process run as the model process
(`IRIS_ONE_MODEL_PROCESS=1`): the first int8 load with the cache cold (peak RSS, time), a load
from the warm cache (RSS once loaded), one request of one tile (a 1280x800 screenshot, Iris's
CPU default; first token and decode, medians of N runs after a warm-up, without text grounding)
and the cosine similarity of the int8 logits with float32 ones (the first generated position
and the next three, teacher-forced; this one holds both models, 12 GB for 2.2B). The 2.2B
shape needs about 13 GB free and a few minutes; run nothing else heavy beside it.
Prints a Markdown section; with --write puts it into docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
HEADING = "## A 2B-class model on the CPU (int8)"
SHAPES = {
    "256M": "SmolVLM-256M-Instruct",
    "500M": "SmolVLM-500M-Instruct",
    "2.2B": "SmolVLM-Instruct",
}
TARGETS = {
    "peak_mb": 4000.0,
    "load_s": 30.0,
    "loaded_mb": 3000.0,
    "cosine": 0.995,
    "first_token_s": 2.0,
    "decode_ms": 100.0,
}
"""The 2.2B shape's targets (issue 20): first-load peak and time, loaded memory, fidelity,
first token for one tile and decode."""
Figures = dict[str, float]


# -- in the measured process ---------------------------------------------------------------
def measure_speed(folder: str, runs: int, tokens: int) -> Figures:
    """First token and decode of one-tile requests, warm cache, after a warm-up."""
    from speed import iris_backend, iris_run, screenshot

    backend = iris_backend(Path(folder), tokens)
    iris_run(backend, screenshot(run=999), tokens, follow_up=False)
    samples = [iris_run(backend, screenshot(run=run), tokens, False) for run in range(runs)]
    backend.close()
    return {
        "first_token_s": statistics.median(s.first_token for s in samples),
        "decode_ms": statistics.median(s.decode_ms for s in samples),
        "prompt_tokens": float(samples[0].prompt_tokens),
    }


def child(kind: str, folder: str, runs: int, tokens: int) -> Figures:
    import memory

    if kind == "speed":
        return measure_speed(folder, runs, tokens)
    if kind == "quality":
        return memory.measure_quality(folder)
    return memory.measure(kind, folder)


# -- in the benchmark process --------------------------------------------------------------
def run_child(kind: str, folder: Path, cache: Path, runs: int, tokens: int) -> Figures:
    from machine_info import json_from_child

    from desktop_app.engine.local.lean_imports import ONE_MODEL_ENV

    env = {**os.environ, "IRIS_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1", ONE_MODEL_ENV: "1"}
    env.setdefault("TRANSFORMERS_VERBOSITY", "error")
    command = [sys.executable, __file__, "--child", kind, str(folder), str(runs), str(tokens)]
    figures: Figures = json_from_child(command, f"{kind} {folder.name}", env)
    return figures


def shape_figures(shape: str, root: Path, runs: int, tokens: int) -> Figures:
    """Every figure of one shape (the model built, then removed)."""
    import shutil

    from machine_info import built_apart

    folder = built_apart(SHAPES[shape], root / SHAPES[shape])  # torch stays out of here
    cache = root / "int8-cache"
    try:
        cold = run_child("cold", folder, cache, runs, tokens)
        warm = run_child("warm", folder, cache, runs, tokens)
        speed = run_child("speed", folder, cache, runs, tokens)
        quality = run_child("quality", folder, root / "quality-cache", runs, tokens)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(root / "quality-cache", ignore_errors=True)
    return {
        "baseline_mb": cold["baseline"],
        "peak_mb": cold["peak"],
        "load_s": cold["load_s"],
        "loaded_mb": warm["loaded"],
        "warm_load_s": warm["load_s"],
        "weights_mb": warm["int8_weights"] + warm["other_weights"],
        **speed,
        "cosine": quality["min_cosine"],
        "cosine_8bit": quality["min_cosine_8bit"],
    }


def section(shapes: list[str], runs: int, tokens: int) -> list[str]:
    from machine_info import machine

    with tempfile.TemporaryDirectory() as root:
        figures = {shape: shape_figures(shape, Path(root), runs, tokens) for shape in shapes}
    lines = [
        HEADING,
        "",
        f"Machine: {machine()}. `benchmarks/large_model.py --runs {runs}`: random weights with "
        "the published layer sizes (bfloat16 checkpoints, as the Hub's), each figure from a "
        "fresh process run as the model process. *First load*: int8 cache cold, the "
        "checkpoint read tensor by tensor and quantized straight into the cache file "
        "(`engine/local/int8_stream.py`), then loaded from there as a warm load is; peak RSS "
        "and time. *Loaded*: RSS after a load from the warm cache (its layers packed for "
        "fbgemm two at a time). *First token* and *decode*: one 1280x800 screenshot, one tile, "
        f"{tokens} new tokens, medians of {runs} runs after a warm-up, no text grounding. "
        "*Cosine*: int8 logits against float32 ones, lowest of the first generated position "
        f"and the next three (teacher-forced), as this CPU computes them ({_activation_bits()}) "
        "and *with 8-bit activations*, as a CPU with VNNI computes the same int8 weights "
        "(`testing/int8_quality.eight_bit_activations`: the same 8-bit values multiplied in "
        "float32, which cannot saturate on any CPU).",
        "",
        "| model | first load: peak MB | first load s | loaded MB | warm load s | prompt tokens "
        "| first token s | decode ms/token | cosine vs float32 | cosine, 8-bit activations |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for shape, f in figures.items():
        lines.append(
            f"| {shape} | {f['peak_mb']:.0f} | {f['load_s']:.1f} | {f['loaded_mb']:.0f} | "
            f"{f['warm_load_s']:.1f} | {f['prompt_tokens']:.0f} | {f['first_token_s']:.2f} | "
            f"{f['decode_ms']:.1f} | {f['cosine']:.4f} | {f['cosine_8bit']:.4f} |"
        )
    if "2.2B" in figures:
        f, t = figures["2.2B"], TARGETS
        met = [
            f"first-load peak {f['peak_mb']:.0f} MB (target {t['peak_mb']:.0f}): "
            f"{_verdict(f['peak_mb'] <= t['peak_mb'])}",
            f"first load {f['load_s']:.0f} s (target {t['load_s']:.0f}): "
            f"{_verdict(f['load_s'] <= t['load_s'])}",
            f"loaded {f['loaded_mb']:.0f} MB (target {t['loaded_mb']:.0f}): "
            f"{_verdict(f['loaded_mb'] <= t['loaded_mb'])}",
            f"first token {f['first_token_s']:.2f} s (target {t['first_token_s']:.0f}): "
            f"{_verdict(f['first_token_s'] <= t['first_token_s'])}",
            f"decode {f['decode_ms']:.1f} ms/token (target {t['decode_ms']:.0f}): "
            f"{_verdict(f['decode_ms'] <= t['decode_ms'])}",
            f"cosine {f['cosine']:.4f} on this CPU (target {t['cosine']}): "
            f"{_verdict(f['cosine'] >= t['cosine'])}; with 8-bit activations, as CPUs with "
            f"VNNI compute the same int8 weights, {f['cosine_8bit']:.4f}: "
            f"{_verdict(f['cosine_8bit'] >= t['cosine'])}",
        ]
        lines += ["", f"2.2B targets: {'; '.join(met)}."]
    lines += [
        "",
        "Before this (issue 20, measured on a 2-core Xeon): the first load built the whole "
        "float32 model and peaked at 13.6 GB for the 2.2B shape (66 s); int8 logits had a "
        "cosine of 0.985 "
        "with float32 (torch's dynamic int8: 7-bit activations). Now each MLP's `down_proj` "
        "input is rotated (Hadamard blocks of 128) before it is quantized "
        "(`engine/local/int8_rotated.py`), and activations are quantized to 8 bits where the "
        "int8 kernels do not saturate. On a 2-core AMD EPYC the first "
        "load of the 2.2B shape took 92 s when the int8 model was built in memory, packed "
        "for fbgemm, then unpacked again to be written (28 s of unpacking; torch's "
        "per-channel quantization element by element, 17 s); a warm load took 23 s, "
        "packing one layer at a time. Tried and not kept on that machine: int8 weights "
        "fitted so that 8-bit activations cannot saturate its kernels (no two neighbouring "
        "weights past 128 in magnitude): the 2.2B shape's cosine 0.9922 against 0.9920, as "
        "the scale set by the largest pair doubles the weights' rounding error.",
        "",
    ]
    return lines


def _activation_bits() -> str:
    from desktop_app.engine.local.int8_linear import full_range_is_exact

    if full_range_is_exact():
        return "8-bit activations: its int8 kernels do not saturate"
    return "7-bit activations: its int8 kernels would saturate 8-bit ones"


def _verdict(met: bool) -> str:
    return "met" if met else "**missed**"


def write(lines: list[str]) -> None:
    from machine_info import write_section

    write_section(HEADING, lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=24)
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, folder, runs, tokens = args.child
        print(json.dumps(child(kind, folder, int(runs), int(tokens))))
        return 0
    lines = section(args.shapes.split(","), args.runs, args.tokens)
    print("\n".join(lines))
    if args.write:
        write(lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
