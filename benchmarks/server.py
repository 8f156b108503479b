"""What a model server costs Iris's side: encoding the images, the client's timings, memory.

    .venv/bin/python benchmarks/server.py [--runs N] [--tokens N]

The server is `transformers serve` on 127.0.0.1 with a random-weight model of SmolVLM-256M's
published shape, on this same CPU: its speed is the serving engine's on this machine, not a
GPU server's. What the figures show is Iris's own share — the image encoding, the streaming
client, cancelling, and a process that never imports torch.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from speed import SHAPES, photo, screenshot  # noqa: E402

from desktop_app.engine.remote.payload import ImageEncoder  # noqa: E402
from desktop_app.settings.server_settings import (  # noqa: E402
    DEFAULT_DETAIL_LONGEST_EDGE,
    DEFAULT_LONGEST_EDGE,
)
from tests.helpers.model_server import transformers_serve  # noqa: E402

LEVELS = (("quick", DEFAULT_LONGEST_EDGE), ("detail", DEFAULT_DETAIL_LONGEST_EDGE))

CLIENT = r"""
import json, sys, time
from desktop_app.core.types import Request
from desktop_app.engine.remote import ServerBackend
from desktop_app.settings import ServerSettings
sys.path.insert(0, "benchmarks")
from speed import screenshot

url, model, runs, tokens = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
backend = ServerBackend(ServerSettings(enabled=True, url=url, model=model))
started = time.perf_counter()
backend.load()
load_s = time.perf_counter() - started
rows = []
for run in range(runs + 1):  # the first is a warm-up of the server
    request = Request.single("Describe this image.", [screenshot(run=run)], max_new_tokens=tokens)
    answer = backend.start(request, lambda piece: None)
    again = backend.start(request.follow_up(answer.text, "What colour is the button?"),
                          lambda piece: None)
    stop_at = {}
    def stop(piece):
        if not stop_at:
            stop_at["t"] = time.perf_counter()
            backend.cancel()
    cancelled = backend.start(Request.single("Describe.", [screenshot(run=run)],
                                             max_new_tokens=2000), stop)
    cancel_ms = (time.perf_counter() - stop_at["t"]) * 1000
    rows.append({
        "preprocess_s": answer.timings.preprocess_s,
        "first_token_s": answer.timings.first_token_s,
        "decode_ms": answer.timings.decode_ms_per_token,
        "prompt_tokens": answer.prompt_tokens,
        "follow_up_s": again.timings.first_token_s,
        "follow_up_preprocess_s": again.timings.preprocess_s,
        "cancel_ms": cancel_ms,
        "cancelled": cancelled.cancelled,
    })
print(json.dumps({
    "load_s": load_s,
    "rows": rows[1:],
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent across exec
    "rss_mb": int(next(line.split()[1] for line in open("/proc/self/status")
                       if line.startswith("VmHWM"))) / 1024,
    "torch": "torch" in sys.modules,
    "transformers": "transformers" in sys.modules,
}))
"""


def encoding(runs: int) -> list[str]:
    """Milliseconds and kilobytes of each picture's data URL at both detail levels."""
    pictures = {
        "screenshot 1280x800": screenshot(),
        "screenshot 1920x1080": screenshot((1920, 1080)),
        "screenshot 3840x2160": screenshot((3840, 2160)),
        "photo 1280x800": photo(),
    }
    lines = [
        "| picture | level | sent as | encode ms | data URL KB | follow-up (kept) ms |",
        "|---|---|---|---|---|---|",
    ]
    for name, image in pictures.items():
        for level, edge in LEVELS:
            times, kept, size = [], [], 0
            for _ in range(runs):
                encoder = ImageEncoder()
                started = time.perf_counter()
                url = encoder.data_url(image, edge)
                times.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                encoder.data_url(image, edge)
                kept.append((time.perf_counter() - started) * 1000)
                size = len(url)
            scale = min(1.0, edge / max(image.size))
            sent = f"{round(image.width * scale)}x{round(image.height * scale)}"
            lines.append(
                f"| {name} | {level} | {sent} | {statistics.median(times):.0f} | "
                f"{size / 1024:.0f} | {statistics.median(kept):.3f} |"
            )
    return lines


def served(runs: int, tokens: int) -> list[str]:
    """The client's figures against `transformers serve` with the 256M shape, on loopback."""
    from desktop_app.testing.random_models import build_real_shape_model

    with tempfile.TemporaryDirectory() as root:
        # float32: the server runs the weights in the type they are saved in, and bfloat16 is
        # many times slower than float32 on CPUs without native bfloat16 (most laptops)
        folder = build_real_shape_model(SHAPES["256M"], Path(root) / "model", dtype="float32")
        with transformers_serve(folder, Path(root), "iris/smolvlm-256m-shape") as server:
            result = subprocess.run(
                [sys.executable, "-c", CLIENT, server.url, server.model, str(runs), str(tokens)],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            if result.returncode:
                raise RuntimeError(f"the client failed:\n{result.stderr[-3000:]}")
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    rows = data["rows"]

    def median(key: str) -> float:
        return float(statistics.median(row[key] for row in rows))

    return [
        f"- Connect and check the model (GET /v1/models): {data['load_s'] * 1000:.0f} ms.",
        f"- Encoding the 1280x800 screenshot on the client: {median('preprocess_s') * 1000:.0f} ms"
        f" ({rows[0]['prompt_tokens']} prompt tokens on the server, which tiles it its own way).",
        f"- First token (client clock, encoding included): {median('first_token_s'):.2f} s; "
        f"decode {median('decode_ms'):.1f} ms/token — the server's fp32 model on these same cores.",
        f"- A follow-up's first token: {median('follow_up_s'):.2f} s (its image is not encoded "
        f"again: {median('follow_up_preprocess_s') * 1000:.1f} ms; the server re-reads the whole "
        "conversation, it keeps no cache between requests).",
        f"- Stop: {median('cancel_ms'):.1f} ms from cancel to the answer returned, stream closed; "
        f"every cancelled request came back cancelled: {all(row['cancelled'] for row in rows)}.",
        f"- Iris's process with the server backend: peak {data['rss_mb']:.0f} MB; torch imported: "
        f"{'yes' if data['torch'] else 'no'}, transformers imported: "
        f"{'yes' if data['transformers'] else 'no'}.",
    ]


def section(runs: int, tokens: int) -> list[str]:
    """The report's section on the server backend."""
    return [
        "## A model server (the OpenAI-compatible backend)",
        "",
        "Images are scaled to the settings' longest edge and sent as PNG data URLs, made in "
        "memory; a follow-up reuses the encoding kept from the turn before. Medians of "
        f"{runs} runs.",
        "",
        *encoding(runs),
        "",
        f"Against `transformers serve` on 127.0.0.1 (SmolVLM-256M shape, random weights, "
        f"{tokens} tokens, the same two cores as Iris):",
        "",
        *served(runs, tokens),
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=24)
    args = parser.parse_args()
    print("\n".join(section(args.runs, args.tokens)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
