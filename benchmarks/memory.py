"""Memory and time to load a model: the plain transformers recipe against Iris's int8 loads.

    .venv/bin/python benchmarks/memory.py [--runs N] [--shapes 256M,500M]

Random weights with the published layer sizes of SmolVLM-256M-Instruct and -500M-Instruct
(built offline, once). Every figure comes from a fresh Python process, so one load cannot leave
memory behind for the next: the resident set (RSS) after
`import desktop_app.engine.local.backend` (which already imports torch and transformers), its peak
while loading processor and model (VmHWM, reset after the imports; the anonymous part sampled
every 10 ms) and the RSS once loaded. Plain recipe: AutoProcessor + AutoModelForImageTextToText
in float32. Iris int8, cache cold: float32 weights quantized, then written to the int8 cache.
Iris int8, cache warm: built from the int8 cache. Medians of N runs. Also: where the baseline
comes from, glibc's `MALLOC_ARENA_MAX=2`, and how closely the int8 logits follow float32 ones.
Prints a Markdown section; `benchmarks/report.py` puts it into docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHAPES = {"256M": "SmolVLM-256M-Instruct", "500M": "SmolVLM-500M-Instruct"}
TARGET_SHAPE = "256M"
TARGET_LOADED_MB = 700
TARGET_PEAK_MB = 1200
TARGET_COSINE = 0.99
MODES = {
    "plain": "plain recipe, float32",
    "cold": "Iris int8, cache cold",
    "warm": "Iris int8, cache warm",
}
Figures = dict[str, float]


# -- in the measured process ---------------------------------------------------------------
def _status_mb() -> Figures:
    """VmRSS, VmHWM (peak), RssAnon and RssFile of this process, in MB."""
    figures: Figures = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                figures[key] = int(value.split()[0]) / 1024
    return figures


class AnonPeak(threading.Thread):
    """Samples RssAnon (memory not backed by a file) every 10 ms; `peak` is the highest."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.01):
            self.peak = max(self.peak, _status_mb()["RssAnon"])

    def stop(self) -> float:
        self.done.set()
        self.join()
        return max(self.peak, _status_mb()["RssAnon"])


def _weights_mb(model: Any) -> Figures:
    """Megabytes of int8 Linear weights and of everything else (float32) in `model`."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    int8 = sum(
        m.in_features * m.out_features for m in model.modules() if isinstance(m, DynamicLinear)
    )
    tensors = {id(t): t for t in [*model.parameters(), *model.buffers()]}.values()
    other = sum(t.numel() * t.element_size() for t in tensors)
    return {"int8_weights": int8 / 2**20, "other_weights": other / 2**20}


def _load(mode: str, folder: str) -> Any:
    from desktop_app.engine.local.backend import LocalBackend
    from desktop_app.settings import EngineSettings

    if mode == "plain":
        import torch
        from transformers import AutoModelForImageTextToText, AutoProcessor

        AutoProcessor.from_pretrained(folder)
        return AutoModelForImageTextToText.from_pretrained(folder, dtype=torch.float32).eval()
    backend = LocalBackend(EngineSettings(model=folder), allow_download=False)
    backend.load()
    return backend.loaded.model


def measure(mode: str, folder: str) -> Figures:
    """Load `folder` as `mode` says in this process; the memory and time figures."""
    import ctypes

    sys.path.insert(0, str(ROOT))
    import desktop_app.engine.local.backend  # noqa: F401 - the baseline

    baseline = _status_mb()["VmRSS"]
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")  # VmHWM starts again from here
    sampler = AnonPeak()
    sampler.start()
    started = time.perf_counter()
    model = _load(mode, folder)
    load_s = time.perf_counter() - started
    peak_anon = sampler.stop()
    loaded = _status_mb()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    return {
        "baseline": baseline,
        "peak": loaded["VmHWM"],
        "peak_anon": peak_anon,
        "loaded": loaded["VmRSS"],
        "loaded_anon": loaded["RssAnon"],
        "loaded_file": loaded["RssFile"],
        "trimmed": _status_mb()["VmRSS"],
        "load_s": load_s,
        **_weights_mb(model),
    }


def measure_imports() -> Figures:
    """RSS after each import a load needs."""
    sys.path.insert(0, str(ROOT))
    figures = {"python": _status_mb()["VmRSS"]}
    import torch

    figures["torch"] = _status_mb()["VmRSS"]
    figures["cuda_build"] = float(torch.version.cuda is not None)
    import desktop_app.engine.local.backend  # noqa: F401

    figures["engine"] = _status_mb()["VmRSS"]
    from transformers import AutoModelForImageTextToText, AutoProcessor  # noqa: F401

    figures["processor"] = _status_mb()["VmRSS"]
    return figures


def measure_quality(folder: str) -> Figures:
    """Cosine similarity of int8 and float32 logits at the first 4 generated positions."""
    sys.path.insert(0, str(ROOT))
    from PIL import Image

    from desktop_app.core.types import Request
    from desktop_app.engine.local.loading import load_model
    from desktop_app.engine.local.precision import Hardware
    from desktop_app.settings import EngineSettings, Quantization
    from desktop_app.testing.int8_quality import logit_agreement

    path = Path(folder)
    loaded = {
        quantization: load_model(
            path,
            path.name,
            EngineSettings(model=folder, quantization=quantization),
            Hardware(cores=2),
        )
        for quantization in (Quantization.NONE, Quantization.INT8)
    }
    full, int8 = loaded[Quantization.NONE], loaded[Quantization.INT8]
    image = Image.effect_mandelbrot((640, 400), (-2.0, -1.2, 1.0, 1.2), 80).convert("RGB")
    inputs = full.family.build_inputs(full.processor, Request.single("Describe.", [image]), [image])
    similarities = logit_agreement(full.model, int8.model, dict(inputs), steps=4)
    return {"min_cosine": min(similarities), "mean_cosine": statistics.mean(similarities)}


# -- in the benchmark process --------------------------------------------------------------
def _run_child(*arguments: str, cache: Path, arenas: str | None = None) -> Figures:
    env = {**os.environ, "IRIS_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"}
    env.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if arenas is not None:
        env["MALLOC_ARENA_MAX"] = arenas
    command = [sys.executable, __file__, "--child", *arguments]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{arguments} failed:\n{result.stderr[-3000:]}")
    figures: Figures = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def shape_figures(folder: Path, runs: int, arenas: str | None = None) -> dict[str, Figures]:
    """Median figures of each mode for the model in `folder`."""
    measured: dict[str, list[Figures]] = {mode: [] for mode in MODES}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            for mode in MODES:  # plain, cold (writes the cache), warm (reads it)
                measured[mode].append(
                    _run_child(mode, str(folder), cache=Path(cache), arenas=arenas)
                )
    return {
        mode: {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        for mode, runs in measured.items()
    }


def section(
    runs: int,
    shapes: tuple[str, ...] = ("256M", "500M"),
    results: dict[str, float] | None = None,
) -> list[str]:
    """The Markdown section on load memory and load time; the target figures go into `results`."""
    sys.path.insert(0, str(ROOT))
    from desktop_app.testing.random_models import build_real_shape_model

    with tempfile.TemporaryDirectory() as root:
        folders = {s: build_real_shape_model(SHAPES[s], Path(root) / SHAPES[s]) for s in shapes}
        figures = {shape: shape_figures(folders[shape], runs) for shape in shapes}
        cache = Path(root) / "int8-cache"
        quality = {s: _run_child("quality", str(folders[s]), cache=cache) for s in shapes}
        imports = _run_child("imports", cache=cache)
        arenas = shape_figures(folders[shapes[0]], 1, arenas="2")
    if results is not None and TARGET_SHAPE in figures:
        results.update(
            loaded_mb=figures[TARGET_SHAPE]["warm"]["loaded"],
            peak_mb=figures[TARGET_SHAPE]["warm"]["peak"],
            cold_peak_mb=figures[TARGET_SHAPE]["cold"]["peak"],
        )
    return _lines(runs, figures, quality, imports, (shapes[0], arenas))


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else f"**missed** by {value - target:.0f} MB"


def _lines(
    runs: int,
    figures: dict[str, dict[str, Figures]],
    quality: dict[str, Figures],
    imports: Figures,
    arenas: tuple[str, dict[str, Figures]],
) -> list[str]:
    lines = [
        "## Memory while loading (CPU)",
        "",
        "Random weights with the published SmolVLM layer sizes (`benchmarks/memory.py`); each "
        f"figure from a fresh process, median of {runs} run(s). *Baseline*: RSS after `import "
        "desktop_app.engine.local.backend` (torch and transformers imported). *Peak*: highest "
        "RSS while the processor and model load (in brackets: its anonymous part, i.e. without "
        "pages of mapped files such as the checkpoint). *Loaded*: RSS once loaded. *Weights*: "
        "what the model's tensors take.",
        "",
        "| model | load | baseline MB | peak MB (anon) | loaded MB (anon + file) "
        "| weights MB (int8 + float32) | load s |",
        "|---|---|---|---|---|---|---|",
    ]
    for shape, modes in figures.items():
        for mode, f in modes.items():
            lines.append(
                f"| {shape} | {MODES[mode]} | {f['baseline']:.0f} | {f['peak']:.0f} "
                f"({f['peak_anon']:.0f}) | {f['loaded']:.0f} ({f['loaded_anon']:.0f} + "
                f"{f['loaded_file']:.0f}) | {f['int8_weights'] + f['other_weights']:.0f} "
                f"({f['int8_weights']:.0f} + {f['other_weights']:.0f}) | {f['load_s']:.1f} |"
            )
    lines += ["", *_target_lines(figures), *_where_lines(figures, imports, arenas)]
    lines += [
        "Int8 against float32 (same random weights, a 640x400 image, one tile): cosine "
        "similarity of the logits at the first generated position and the next three, "
        "teacher-forced: "
        + "; ".join(
            f"{shape} min {q['min_cosine']:.4f} (mean {q['mean_cosine']:.4f})"
            for shape, q in quality.items()
        )
        + f" (target >= {TARGET_COSINE}).",
        "",
    ]
    return lines


def _target_lines(figures: dict[str, dict[str, Figures]]) -> list[str]:
    target = figures.get(TARGET_SHAPE)
    if target is None:
        return []
    lines = [
        f"Targets for the {TARGET_SHAPE} shape: loaded <= {TARGET_LOADED_MB} MB, peak while "
        f"loading <= {TARGET_PEAK_MB} MB.",
        "",
        "| load | loaded | peak |",
        "|---|---|---|",
    ]
    for mode in ("warm", "cold"):
        f = target[mode]
        lines.append(
            f"| {MODES[mode]} | {f['loaded']:.0f} MB: {_verdict(f['loaded'], TARGET_LOADED_MB)} "
            f"| {f['peak']:.0f} MB: {_verdict(f['peak'], TARGET_PEAK_MB)} |"
        )
    return [*lines, ""]


def _where_lines(
    figures: dict[str, dict[str, Figures]],
    imports: Figures,
    arenas: tuple[str, dict[str, Figures]],
) -> list[str]:
    shape = TARGET_SHAPE if TARGET_SHAPE in figures else next(iter(figures))
    warm, cold, plain = (figures[shape][mode] for mode in ("warm", "cold", "plain"))
    arena_shape, arena_figures = arenas
    weights = warm["int8_weights"] + warm["other_weights"]
    torch_kind = (
        "this torch wheel is the CUDA build: its CUDA libraries' static data and libtorch's "
        "own start-up"
        if imports["cuda_build"]
        else "the CPU build"
    )
    return [
        f"Where the memory goes ({shape}, warm cache): before any weight, `import torch` takes "
        f"{imports['torch']:.0f} MB ({torch_kind}), the engine's imports bring it to "
        f"{imports['engine']:.0f} MB, and the processor's imports (transformers' image "
        "utilities import torchvision, whose operators import torch._dynamo) to "
        f"{imports['processor']:.0f} MB. The model then adds "
        f"{warm['loaded'] - imports['processor']:.0f} MB for {weights:.0f} MB of tensors: "
        f"{warm['int8_weights']:.0f} MB of int8 Linear weights and "
        f"{warm['other_weights']:.0f} MB of float32 ones, mostly the token embedding table. "
        "The int8 weights are read from the cache one tensor at a time without mapping the "
        "file, and glibc's `malloc_trim` runs after each layer (while developing this, the "
        "heap otherwise kept about 100 MB of freed copies, and the mapped cache file another "
        "300 MB).",
        "",
        f"A cold load peaks at the float32 model plus the mapped checkpoint "
        f"({cold['peak'] - cold['baseline']:.0f} MB above the baseline, as the plain recipe's "
        f"{plain['peak'] - plain['baseline']:.0f} MB); it then collects garbage and trims the "
        f"heap, so once loaded it holds {cold['loaded']:.0f} MB, near the warm load's "
        f"{warm['loaded']:.0f} MB. The plain recipe holds {plain['loaded']:.0f} MB, of which "
        f"`malloc_trim` would give back {plain['loaded'] - plain['trimmed']:.0f} MB.",
        "",
        f"With `MALLOC_ARENA_MAX=2` ({arena_shape}, one run): "
        + "; ".join(
            f"{MODES[mode]} peak {f['peak']:.0f} MB, loaded {f['loaded']:.0f} MB"
            for mode, f in arena_figures.items()
        )
        + ".",
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shapes", default="256M,500M")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "imports":
            figures = measure_imports()
        elif kind == "quality":
            figures = measure_quality(*rest)
        else:
            figures = measure(kind, *rest)
        print(json.dumps(figures))
        return 0
    print("\n".join(section(args.runs, tuple(args.shapes.split(",")))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
