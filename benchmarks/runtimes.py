"""Iris's CPU default against other runtimes on the same weights: speed, memory, fidelity.

    .venv/bin/python benchmarks/runtimes.py [--runs N] [--tokens N] [--shapes 256M]
        [--torchao-python PATH] [--write]

Random weights with a published SmolVLM shape (built offline), one 1280x800 screenshot as one
tile, greedy decoding of `--tokens` forced tokens. Each runtime runs in a fresh process (one
cannot leave memory behind for the next): first token (a request of one new token), decode
time per token (from the request of N tokens), the resident memory after the first request and
the process's peak, and the cosine similarity of its logits to float32's at the first four
answer positions (teacher-forced with float32's greedy tokens). Runtimes:

- float32: transformers as published, the reference;
- Iris int8: the model as Iris loads it (engine/local/loading.py, int8 cache warm);
- torchao int8 weight-only and torchao int4 weight-only (bfloat16 activations, as torchao's
  CPU int4 needs; its CPU packing, "opaque"): in the Python of `--torchao-python`, a virtual
  environment that adds torchao to Iris's (torchao is not one of Iris's dependencies; a `.pth`
  file pointing at Iris's site-packages and `pip install --no-deps torchao==0.14.1` make one).
  torchao 0.14 is the last release with a CPU int4 weight-only format: 0.15 and later drop
  "opaque", and their "plain" format needs mslk 1.0, which PyPI does not have.

OpenVINO through optimum-intel is left out: optimum-intel 2.2 requires transformers < 5.6.
`--write` puts the section into docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEADING = "## Other runtimes on the same weights"
RUNTIMES = ("float32", "iris-int8", "torchao-int8", "torchao-int4")
NEEDS_TORCHAO = ("torchao-int8", "torchao-int4")
LABELS = {
    "float32": "float32 (transformers)",
    "iris-int8": "Iris int8 (the CPU default)",
    "torchao-int8": "torchao int8 weight-only",
    "torchao-int4": "torchao int4 weight-only, bf16",
}
COSINE_STEPS = 4


def _rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _load(runtime: str, folder: Path) -> tuple[Any, Any]:
    """The processor and model of `runtime`, image splitting off (one tile)."""
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor

    if runtime == "iris-int8":
        from desktop_app.engine.local.loading import load_model
        from desktop_app.engine.local.precision import detect_hardware
        from desktop_app.settings import DeviceChoice, EngineSettings, Quantization

        settings = EngineSettings(
            model=str(folder), device=DeviceChoice.CPU, quantization=Quantization.INT8
        )
        loaded = load_model(folder, folder.name, settings, detect_hardware())
        return loaded.processor, loaded.model
    processor = AutoProcessor.from_pretrained(folder)
    processor.image_processor.do_image_splitting = False
    dtype = torch.bfloat16 if runtime == "torchao-int4" else torch.float32
    model = AutoModelForImageTextToText.from_pretrained(folder, dtype=dtype).eval()
    if runtime in NEEDS_TORCHAO:
        from torchao.quantization import (  # type: ignore[import-not-found]
            Int4WeightOnlyConfig,
            Int8WeightOnlyConfig,
            quantize_,
        )

        if runtime == "torchao-int8":
            quantize_(model, Int8WeightOnlyConfig())
        else:
            quantize_(model, Int4WeightOnlyConfig(group_size=64, int4_packing_format="opaque"))
    return processor, model


def _inputs(processor: Any) -> dict[str, Any]:
    import numpy as np
    from PIL import Image

    pixels = np.random.default_rng(0).integers(0, 256, (800, 1280, 3), dtype=np.uint8)
    image = Image.fromarray(pixels)
    chat = [
        {
            "role": "user",
            "content": [{"type": "image"}, {"type": "text", "text": "Describe this screen."}],
        }
    ]
    prompt = processor.apply_chat_template(chat, add_generation_prompt=True)
    return dict(processor(text=prompt, images=[[image]], return_tensors="pt"))


def child(runtime: str, folder: Path, runs: int, tokens: int, forced: Path) -> dict[str, Any]:
    """Measure `runtime` in this process; float32 writes the forced tokens the others read."""
    import torch

    torch.set_num_threads(len(os.sched_getaffinity(0)))
    processor, model = _load(runtime, folder)
    inputs = _inputs(processor)
    if runtime == "torchao-int4":
        inputs["pixel_values"] = inputs["pixel_values"].to(torch.bfloat16)
    options = {"do_sample": False, "eos_token_id": None}
    first, whole = [], []
    with torch.inference_mode():
        model.generate(**inputs, max_new_tokens=2, min_new_tokens=2, **options)  # warm-up
        for _ in range(runs):
            started = time.perf_counter()
            model.generate(**inputs, max_new_tokens=1, min_new_tokens=1, **options)
            first.append(time.perf_counter() - started)
            started = time.perf_counter()
            model.generate(**inputs, max_new_tokens=tokens, min_new_tokens=tokens, **options)
            whole.append(time.perf_counter() - started)
        after_first_request = _rss_mb("VmRSS")
        length = int(inputs["input_ids"].shape[1])
        if runtime == "float32":
            sequence = model.generate(
                **inputs,
                max_new_tokens=COSINE_STEPS - 1,
                min_new_tokens=COSINE_STEPS - 1,
                **options,
            )
            torch.save(sequence, forced)
        sequence = torch.load(forced)
        extended = {**inputs, "input_ids": sequence, "attention_mask": torch.ones_like(sequence)}
        positions = slice(length - 1, length - 1 + COSINE_STEPS)
        logits = model(**extended).logits[0, positions].float()
    torch.save(logits, forced.with_name(f"{runtime}.logits"))
    first_s = statistics.median(first)
    return {
        "runtime": runtime,
        "first_token_s": first_s,
        "decode_ms": (statistics.median(whole) - first_s) / (tokens - 1) * 1000,
        "rss_mb": after_first_request,
        "peak_mb": _rss_mb("VmHWM"),
        "prompt_tokens": length,
        **({"torchao": _torchao_version()} if runtime in NEEDS_TORCHAO else {}),
    }


def _torchao_version() -> str:
    import torchao

    return str(torchao.__version__)


def _run_child(
    python: str, runtime: str, folder: Path, args: argparse.Namespace, forced: Path
) -> dict[str, Any]:
    command = [python, __file__, "--child", runtime, str(folder), str(forced)]
    command += ["--runs", str(args.runs), "--tokens", str(args.tokens)]
    env = {**os.environ, "IRIS_ONE_MODEL_PROCESS": "1"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        return {"runtime": runtime, "error": done.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _cosines(forced: Path, runtime: str) -> list[float]:
    import torch

    reference = torch.load(forced.with_name("float32.logits"))
    found = torch.load(forced.with_name(f"{runtime}.logits"))
    return [float(c) for c in torch.nn.functional.cosine_similarity(reference, found, dim=-1)]


def measure(args: argparse.Namespace) -> list[str]:
    from benchmarks.machine_info import machine
    from desktop_app.testing.random_models import build_real_shape_model

    lines = [HEADING, ""]
    with tempfile.TemporaryDirectory() as root:
        for shape in args.shapes.split(","):
            name = f"SmolVLM-{shape}-Instruct"
            folder = build_real_shape_model(name, Path(root) / name)
            forced = Path(root) / shape / "forced.pt"
            forced.parent.mkdir()
            _run_child(sys.executable, "iris-int8", folder, args, forced)  # warms the int8 cache
            rows = []
            for runtime in RUNTIMES:
                if runtime in NEEDS_TORCHAO and not args.torchao_python:
                    continue
                python = args.torchao_python if runtime in NEEDS_TORCHAO else sys.executable
                result = _run_child(python, runtime, folder, args, forced)
                if "error" not in result:
                    result["cosine"] = min(_cosines(forced, runtime))
                rows.append(result)
                print(result, file=sys.stderr)
            lines += _table(shape, rows, args)
    lines.append(f"Machine: {machine()}.")
    return lines


def _table(shape: str, rows: list[dict[str, Any]], args: argparse.Namespace) -> list[str]:
    prompt = next((r["prompt_tokens"] for r in rows if "prompt_tokens" in r), "?")
    lines = [
        f"SmolVLM-{shape} shape, random weights, one 1280x800 screenshot as one tile "
        f"({prompt} prompt tokens), {args.tokens} forced tokens, medians of {args.runs} runs; "
        "each runtime in a fresh process. Memory in MB (2^20 bytes): resident after the first "
        f"request / the process's peak. Cosine: the lowest of the first {COSINE_STEPS} answer "
        "positions' logits against float32's.",
        "",
        "| runtime | first token | decode | memory after a request / peak | cosine vs float32 |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        label = LABELS[row["runtime"]]
        if "torchao" in row:
            label = f"{label} (torchao {row['torchao']})"
        if "error" in row:
            lines.append(f"| {label} | failed: {' '.join(row['error'])[:120]} | | | |")
            continue
        lines.append(
            f"| {label} | {row['first_token_s']:.2f} s | {row['decode_ms']:.1f} ms/token "
            f"| {row['rss_mb']:.0f} / {row['peak_mb']:.0f} | {row['cosine']:.4f} |"
        )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=24)
    parser.add_argument("--shapes", default="256M")
    parser.add_argument("--torchao-python", default=None)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        runtime, folder, forced = args.child
        print(json.dumps(child(runtime, Path(folder), args.runs, args.tokens, Path(forced))))
        return
    lines = measure(args)
    print("\n".join(lines))
    if args.write:
        from benchmarks.machine_info import write_section

        write_section(HEADING, lines)


if __name__ == "__main__":
    main()
