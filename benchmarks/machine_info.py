"""The machine a benchmark ran on, as docs/performance.md names it, and where its figures go."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any


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
            if line.startswith("flags"):
                units = vector_units(line.split(":", 1)[1].split())
                cpu = f"{cpu} ({units}{kernel_limits(os.environ)})"
                break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cpu}, {cores} cores available, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, torch {torch.__version__}, "
        f"transformers {transformers.__version__}, onnxruntime {onnxruntime.__version__}"
    )


VECTOR_UNITS = (
    ("amx_int8", "AMX"),
    ("avx512_vnni", "AVX-512 VNNI"),
    ("avx512f", "AVX-512"),
    ("avx_vnni", "AVX-VNNI"),
    ("avx2", "AVX2"),
)
"""CPU flags that change the int8 and float kernels' speed (and whether 8-bit activations
saturate), most capable first: one machine's figures are not another's."""


def vector_units(flags: list[str]) -> str:
    """The most capable of VECTOR_UNITS this CPU has, and the ones it has below it."""
    found = [name for flag, name in VECTOR_UNITS if flag in flags]
    return ", ".join(found) if found else "no AVX2"


KERNEL_LIMITS = ("FBGEMM_ENABLE_INSTRUCTIONS", "ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA")
"""Environment variables that hold torch's kernels below what the CPU has. With
`FBGEMM_ENABLE_INSTRUCTIONS=AVX2 ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2` a CPU with
AVX-512 VNNI runs the kernels of a laptop with AVX2 only (8-bit activations then saturate, and
Iris's probe `full_range_is_exact` finds it), though not at that laptop's clock or memory."""


DOCS = Path(__file__).resolve().parents[1] / "docs"
"""Where the reports are written."""


def limit_settings(environment: Mapping[str, str]) -> list[str]:
    """The kernel limits set in `environment`, as `NAME=value` (none: an empty list)."""
    return [f"{name}={environment[name]}" for name in KERNEL_LIMITS if environment.get(name)]


def kernel_limits(environment: Mapping[str, str]) -> str:
    """The kernel limits set in `environment`, as the machine line adds them ('' if none)."""
    found = limit_settings(environment)
    return f"; kernels limited: {' '.join(found)}" if found else ""


def report_file(environment: Mapping[str, str] | None = None) -> Path:
    """The report this run writes (`environment`: this process's unless given):
    docs/performance.md; with torch's kernels held below the CPU, a file named after the
    limits (docs/performance-avx2-kernels.md), so that such a run never overwrites the
    figures of the CPU's own kernels."""
    environment = os.environ if environment is None else environment
    values = {
        re.sub(r"[^a-z0-9]", "", environment[name].lower())
        for name in KERNEL_LIMITS
        if environment.get(name)
    }
    if not values:
        return DOCS / "performance.md"
    return DOCS / f"performance-{'-'.join(sorted(values))}-kernels.md"


def json_from_child(command: list[str], what: str, env: Mapping[str, str] | None = None) -> Any:
    """What a benchmark's child process (`command`, in `env` or this one's) prints as its last
    line, JSON; a RuntimeError naming `what` with the end of its stderr if it fails."""
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def put_section(text: str, heading: str, lines: list[str]) -> str:
    """docs/performance.md's `text` with the section under `heading` replaced by `lines`
    (or, when it has none yet, `lines` put before the benchmark time, else at the end); the
    report's benchmark time stays, after the last section too."""
    body = "\n".join(lines)
    marker = "\nBenchmark time:"
    start = f"\n{text}".find(f"\n{heading}\n")  # the whole line: one heading may begin another
    if start >= 0:
        before, rest = text[:start], text[start + len(heading) :]
        ends = [found for found in (rest.find("\n## "), rest.find(marker)) if found >= 0]
        tail = rest[min(ends) :] if ends else ""  # the next section, or the report's time
        return before + body.rstrip("\n") + "\n" + tail
    if marker in text:
        before, after_marker = text.rsplit(marker, 1)
        return before.rstrip("\n") + "\n\n" + body + marker + after_marker
    return text + "\n" + body


def other_sections(text: str, made: set[str]) -> dict[str, list[str]]:
    """The sections of docs/performance.md's `text` whose headings are not in `made`, by
    heading (the Targets table left out, the benchmark time too): what benchmarks other than
    the one writing the file now wrote, to be kept as they are."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.split("\n"):
        if line.startswith("## "):
            current = None if line in made or line == "## Targets" else [line]
            if current is not None:
                sections[line] = current
        elif line.startswith("Benchmark time:"):
            current = None
        elif current is not None:
            current.append(line)
    return sections


TargetRows = list[tuple[str, str, float, str]]
"""(what, key in a benchmark's results, target, unit): rows of docs/performance.md's Targets."""


def target_row(what: str, value: float, limit: float, unit: str) -> str:
    """One row of a targets table (the format of benchmarks/report.py's)."""
    shown = f"{value:.0f}" if unit == "MB" else f"{value:.2f}"
    verdict = "met" if value <= limit else "**missed**"
    return f"| {what} <= {limit:g} {unit} | {shown} {unit} | {verdict} |"


def put_targets(text: str, results: dict[str, float], rows: TargetRows) -> str:
    """docs/performance.md's `text` with `rows` of its "## Targets" table measured anew from
    `results`: each in its place (or added at the table's end); other rows stay as they are."""
    lines = text.split("\n")
    try:
        start = lines.index("## Targets")
    except ValueError:
        return text
    new = {
        f"| {what} <= ": target_row(what, results[key], limit, unit)
        for what, key, limit, unit in rows
        if key in results
    }
    end = start + 1
    while end < len(lines) and not lines[end].startswith("|"):
        end += 1
    table_end = end
    while table_end < len(lines) and lines[table_end].startswith("|"):
        prefix = next((prefix for prefix in new if lines[table_end].startswith(prefix)), None)
        if prefix is not None:
            lines[table_end] = new.pop(prefix)
        table_end += 1
    return "\n".join([*lines[:table_end], *new.values(), *lines[table_end:]])


def write_section(
    heading: str,
    lines: list[str],
    results: dict[str, float] | None = None,
    rows: TargetRows | None = None,
) -> None:
    """Put a benchmark's section into the report (`report_file`) in place of its last
    version, and its `rows` of the Targets table measured anew from `results`."""
    output = report_file()
    text = output.read_text(encoding="utf-8") if output.exists() else ""
    text = put_section(text, heading, lines)
    if results is not None and rows:
        text = put_targets(text, results, rows)
    output.write_text(text, encoding="utf-8")


def built_apart(shape: str, folder: Path) -> Path:
    """`random_models.build_real_shape_model(shape, folder)`, run in a process of its own.

    torch stays out of the benchmark's process: pages of torch's libraries that this process
    also maps are shared, and Linux does not give shared pages back at a model process's
    request (`engine/local/gpu_pages.py`), so its memory would read higher than the user's,
    whose window never imports torch."""
    import sys

    build = (
        "import sys; from pathlib import Path; "
        "from desktop_app.testing.random_models import build_real_shape_model; "
        "build_real_shape_model(sys.argv[1], Path(sys.argv[2]))"
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    subprocess.run([sys.executable, "-c", build, shape, str(folder)], check=True, env=env)
    return folder
