"""Memory and time to load a model: the plain transformers recipe against Iris's int8 loads.

    .venv/bin/python benchmarks/memory.py [--runs N] [--shapes 256M,500M] [--cpu-python PATH]
                                          [--write]

Random weights with the published layer sizes of SmolVLM-256M-Instruct and -500M-Instruct
(built offline, once). Every figure comes from a fresh Python process, so one load cannot leave
memory behind for the next: the resident set (RSS) after
`import desktop_app.engine.local.backend` (which already imports torch and transformers), its peak
while loading processor and model (VmHWM, reset after the imports; the anonymous part sampled
every 10 ms) and the RSS once loaded. Plain recipe: AutoProcessor + AutoModelForImageTextToText
in float32. Iris int8, cache cold: the checkpoint quantized layer by layer into the int8 cache,
then loaded from it.
Iris int8, cache warm: built from the int8 cache. The measured processes import what the
model process imports and run in its environment (`IRIS_ONE_MODEL_PROCESS=1`). Medians of N
runs. Also: where the baseline comes from, glibc's `MALLOC_ARENA_MAX=2`, how closely the int8
logits follow float32 ones, and, given `--cpu-python` (the python of a virtual environment
holding torch's CPU-only build and Iris), the same loads under that torch.
Prints a Markdown section; with --write puts it into docs/performance.md in place of the last
one and updates this benchmark's rows of its Targets table (`benchmarks/report.py` includes it).
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHAPES = {"256M": "SmolVLM-256M-Instruct", "500M": "SmolVLM-500M-Instruct"}
TARGET_SHAPE = "256M"
TARGET_LOADED_MB = 700
TARGET_PEAK_MB = 1200
TARGET_ROWS = [
    ("memory with the 256M model loaded", "loaded_mb", float(TARGET_LOADED_MB), "MB"),
    ("peak while loading (int8 cache warm)", "peak_mb", float(TARGET_PEAK_MB), "MB"),
]
"""(what, key, target, unit): this benchmark's rows of docs/performance.md's Targets table."""
HEADING = "## Memory while loading (CPU)"
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
    """Megabytes of int8 weights (Linear layers, token embedding) and of everything else
    (float32) in `model`."""
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    from desktop_app.engine.local.int8_linear import SplitInt8Linear

    linears = (DynamicLinear, SplitInt8Linear)
    int8 = sum(m.in_features * m.out_features for m in model.modules() if isinstance(m, linears))
    tensors = {id(t): t for t in [*model.parameters(), *model.buffers()]}.values()
    int8 += sum(t.numel() for t in tensors if t.dtype == torch.int8)
    other = sum(t.numel() * t.element_size() for t in tensors if t.dtype != torch.int8)
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
    if mode != "plain":  # before torch, as `BackendSpec.build` in the model process
        from desktop_app.engine.local.deferred_meta import defer_meta_registrations

        defer_meta_registrations()
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
    """RSS after each import an Idefics3 load needs, made as the model process makes them
    (`child.main`, `BackendSpec.build`, `loading.load_model`: transformers' import structure
    remembered, the stand-ins in place); then what torchvision and its imports would add."""
    import importlib

    sys.path.insert(0, str(ROOT))
    from desktop_app.engine.local.deferred_meta import defer_meta_registrations
    from desktop_app.engine.local.import_structure import remember_import_structure

    figures = {"python": _status_mb()["VmRSS"]}
    remember_import_structure()
    defer_meta_registrations()
    import torch

    figures["torch"] = _status_mb()["VmRSS"]
    figures["cuda_build"] = float(torch.version.cuda is not None)
    import desktop_app.engine.local.backend  # noqa: F401
    from desktop_app.engine.local.deferred_dynamo import dynamo_deferred
    from desktop_app.engine.local.lean_imports import keep_out_before_loading, torchvision_kept_out

    figures["engine"] = _status_mb()["VmRSS"]
    keep_out_before_loading("idefics3")
    figures["torchvision_kept_out"] = float(torchvision_kept_out())
    importlib.import_module("transformers.models.auto.processing_auto")
    figures["processor"] = _status_mb()["VmRSS"]
    figures["dynamo_by_processor"] = float(not dynamo_deferred())
    importlib.import_module("transformers.models.idefics3.modeling_idefics3")
    figures["model_code"] = _status_mb()["VmRSS"]
    figures["dynamo_by_model_code"] = float(not dynamo_deferred())
    figures["gpu_libraries"] = _gpu_library_mb()
    sys.modules.pop("torchvision", None)  # as a process that never kept it out
    try:
        importlib.import_module("torchvision")
    except ImportError:
        figures["torchvision"] = figures["model_code"]
    else:
        figures["torchvision"] = _status_mb()["VmRSS"]
    return figures


def _gpu_library_mb() -> float:
    """Resident MB of this process's mappings of GPU libraries (engine/local/gpu_pages.py)."""
    from desktop_app.engine.local.gpu_pages import resident_kb

    return resident_kb(Path("/proc/self/smaps").read_text())[0] / 1024


def measure_quality(folder: str) -> Figures:
    """Cosine similarity of int8 and float32 logits at the first 4 generated positions, as
    this CPU computes them and with 8-bit activations (`eight_bit_activations`)."""
    sys.path.insert(0, str(ROOT))
    from PIL import Image

    from desktop_app.core.types import Request
    from desktop_app.engine.local.loading import load_model
    from desktop_app.engine.local.precision import Hardware
    from desktop_app.settings import EngineSettings, Quantization
    from desktop_app.testing.int8_quality import TeacherForced, eight_bit_activations

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
    forced = TeacherForced(full.model, dict(inputs), steps=4)  # float32's tokens, once
    similarities = forced.agreement(int8.model)
    with eight_bit_activations():  # what a CPU with VNNI computes of the same int8 weights
        eight_bit = forced.agreement(int8.model)
    return {
        "min_cosine": min(similarities),
        "mean_cosine": statistics.mean(similarities),
        "min_cosine_8bit": min(eight_bit),
    }


# -- in the benchmark process --------------------------------------------------------------
@dataclass(frozen=True)
class CpuBuild:
    """The int8 loads of one shape and the imports, under torch's CPU-only build."""

    shape: str
    torch_version: str
    imports: Figures
    loads: dict[str, Figures]


def _torch_version(python: str) -> str:
    command = [python, "-c", "import torch; print(torch.__version__)"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def _run_child(
    *arguments: str, cache: Path, arenas: str | None = None, python: str = sys.executable
) -> Figures:
    from machine_info import json_from_child

    from desktop_app.engine.local.lean_imports import ONE_MODEL_ENV

    env = {**os.environ, "IRIS_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"}
    env.setdefault("TRANSFORMERS_VERBOSITY", "error")
    env[ONE_MODEL_ENV] = "1"  # as the model process
    if arenas is not None:
        env["MALLOC_ARENA_MAX"] = arenas
    command = [python, __file__, "--child", *arguments]
    figures: Figures = json_from_child(command, f"{arguments}", env)
    return figures


def shape_figures(
    folder: Path,
    runs: int,
    arenas: str | None = None,
    python: str = sys.executable,
    modes: tuple[str, ...] = tuple(MODES),
) -> dict[str, Figures]:
    """Median figures of each of `modes` for the model in `folder`."""
    measured: dict[str, list[Figures]] = {mode: [] for mode in modes}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as cache:
            for mode in modes:  # plain, cold (writes the cache), warm (reads it)
                measured[mode].append(
                    _run_child(mode, str(folder), cache=Path(cache), arenas=arenas, python=python)
                )
    return {
        mode: {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        for mode, runs in measured.items()
    }


def section(
    runs: int,
    shapes: tuple[str, ...] = ("256M", "500M"),
    results: dict[str, float] | None = None,
    cpu_python: str | None = None,
) -> list[str]:
    """The Markdown section on load memory and load time; the target figures go into `results`.

    With `cpu_python` (a python whose torch is the CPU-only build), the first shape's int8
    loads and the imports are measured under it too."""
    from machine_info import built_apart

    with tempfile.TemporaryDirectory() as root:
        folders = {s: built_apart(SHAPES[s], Path(root) / SHAPES[s]) for s in shapes}
        figures = {shape: shape_figures(folders[shape], runs) for shape in shapes}
        cache = Path(root) / "int8-cache"
        quality = {s: _run_child("quality", str(folders[s]), cache=cache) for s in shapes}
        imports = _run_child("imports", cache=cache)
        arenas = shape_figures(folders[shapes[0]], 1, arenas="2")
        cpu = None
        if cpu_python is not None:
            cpu = CpuBuild(
                shapes[0],
                _torch_version(cpu_python),
                _run_child("imports", cache=cache, python=cpu_python),
                shape_figures(folders[shapes[0]], runs, python=cpu_python, modes=("cold", "warm")),
            )
    if results is not None and TARGET_SHAPE in figures:
        results.update(
            loaded_mb=figures[TARGET_SHAPE]["warm"]["loaded"],
            peak_mb=figures[TARGET_SHAPE]["warm"]["peak"],
            cold_peak_mb=figures[TARGET_SHAPE]["cold"]["peak"],
        )
    return _lines(runs, figures, quality, imports, (shapes[0], arenas), cpu)


def _verdict(value: float, target: float) -> str:
    return "met" if value <= target else f"**missed** by {value - target:.0f} MB"


def _lines(
    runs: int,
    figures: dict[str, dict[str, Figures]],
    quality: dict[str, Figures],
    imports: Figures,
    arenas: tuple[str, dict[str, Figures]],
    cpu: CpuBuild | None = None,
) -> list[str]:
    lines = [
        HEADING,
        "",
        "Random weights with the published SmolVLM layer sizes (`benchmarks/memory.py`); each "
        f"figure from a fresh process that imports what the model process imports, in its "
        f"environment, median of {runs} run(s). *Baseline*: RSS after `import "
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
    lines += _cpu_lines(cpu, runs)
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
    gpu = imports.get("gpu_libraries", 0.0)
    torch_kind = (
        "this torch wheel is the CUDA build: its CUDA libraries' static data and libtorch's "
        "own start-up"
        if imports["cuda_build"]
        else "this torch wheel is the CPU-only build"
    )
    processor = (
        "torchvision kept out: transformers' image modules import it whenever it is installed"
        if imports["torchvision_kept_out"]
        else "torchvision imported with them"
    )
    if imports["dynamo_by_processor"]:
        dynamo = "transformers' processing code imports torch._dynamo even so"
    elif imports["dynamo_by_model_code"]:
        dynamo = "the model code imports torch._dynamo"
    else:
        dynamo = "torch._dynamo, torch's distributed tensors, flex attention and sympy kept out"
    torchvision = (
        f"torchvision would add {imports['torchvision'] - imports['model_code']:.0f} MB more "
        "(the real torch._dynamo with it)"
        if imports["torchvision"] > imports["model_code"]
        else "torchvision is not installed"
    )
    return [
        f"Where the memory goes ({shape}, warm cache, the imports made as the model process "
        f"makes them): before any weight, `import torch` takes "
        f"{imports['torch']:.0f} MB ({torch_kind}), the engine's imports bring it to "
        f"{imports['engine']:.0f} MB, the processor's imports to {imports['processor']:.0f} MB "
        f"({processor}; {dynamo}) and the model code's to {imports['model_code']:.0f} MB; "
        f"{torchvision}. Of that, {gpu:.0f} MB are resident pages of the CUDA libraries, which "
        "the model process gives back as a model on the CPU begins to load "
        f"(`engine/local/gpu_pages.py`); the processor (its tokenizer) and the model then add "
        f"{warm['loaded'] - (imports['model_code'] - gpu):.0f} MB, the model's tensors "
        f"{weights:.0f} MB: {warm['int8_weights']:.0f} MB of int8 weights (the "
        f"Linear layers and the token embedding) and {warm['other_weights']:.0f} MB of "
        "float32 ones. The int8 weights are read from the cache one tensor at a time without "
        "mapping the file, and glibc's `malloc_trim` runs after each layer (while developing "
        "this, the heap otherwise kept about 100 MB of freed copies, and the mapped cache "
        "file another 300 MB).",
        "",
        f"A cold load quantizes the checkpoint layer by layer into the int8 cache, then loads "
        f"that (`engine/local/int8_stream.py`): it peaks "
        f"{cold['peak'] - cold['baseline']:.0f} MB above the baseline, against the plain "
        f"recipe's {plain['peak'] - plain['baseline']:.0f} MB for its float32 model; once "
        f"loaded it holds {cold['loaded']:.0f} MB, near the warm load's "
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


def _cpu_lines(cpu: CpuBuild | None, runs: int) -> list[str]:
    if cpu is None:
        return []
    warm, cold = cpu.loads["warm"], cpu.loads["cold"]
    line = (
        f"With torch's CPU-only build (torch {cpu.torch_version}, {cpu.shape}, median of "
        f"{runs} run(s)): `import torch` takes {cpu.imports['torch']:.0f} MB and the imports "
        f"before the weights {cpu.imports['model_code']:.0f} MB; Iris int8, cache warm: peak "
        f"{warm['peak']:.0f} MB, loaded {warm['loaded']:.0f} MB"
    )
    if cpu.shape == TARGET_SHAPE:
        line += f" ({_verdict(warm['loaded'], TARGET_LOADED_MB)})"
    line += f"; cache cold: peak {cold['peak']:.0f} MB, loaded {cold['loaded']:.0f} MB."
    return [line, ""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shapes", default="256M,500M")
    parser.add_argument(
        "--cpu-python", help="python of a virtual environment with torch's CPU-only build"
    )
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
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
    shapes = tuple(args.shapes.split(","))
    results: dict[str, float] = {}
    lines = section(args.runs, shapes, results=results, cpu_python=args.cpu_python)
    print("\n".join(lines))
    if args.write:
        from machine_info import write_section

        write_section(HEADING, lines, results, TARGET_ROWS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
