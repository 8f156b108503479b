"""The machine a benchmark ran on, as docs/performance.md names it."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine() -> str:
    """CPU model, cores Iris may use, and the versions that matter."""
    import onnxruntime
    import torch
    import transformers

    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cpu}, {cores} cores available, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, torch {torch.__version__}, "
        f"transformers {transformers.__version__}, onnxruntime {onnxruntime.__version__}"
    )


def put_section(text: str, heading: str, lines: list[str]) -> str:
    """docs/performance.md's `text` with the section under `heading` replaced by `lines`
    (or, when it has none yet, `lines` put before the benchmark time, else at the end)."""
    body = "\n".join(lines)
    if heading in text:
        before, rest = text.split(heading, 1)
        after = rest.split("\n## ", 1)
        tail = "\n## " + after[1] if len(after) > 1 else ""
        return before + body.rstrip("\n") + "\n" + tail
    marker = "\nBenchmark time:"
    if marker in text:
        before, after_marker = text.rsplit(marker, 1)
        return before.rstrip("\n") + "\n\n" + body + marker + after_marker
    return text + "\n" + body
