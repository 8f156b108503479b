"""docs/performance.md is made by benchmarks/report.py, and some of its sections by other
benchmarks (the 2B-class model, other runtimes): a report run keeps those as they were."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

MACHINE_INFO = Path(__file__).resolve().parents[2] / "benchmarks" / "machine_info.py"


def _machine_info() -> ModuleType:
    spec = importlib.util.spec_from_file_location("machine_info", MACHINE_INFO)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DOCUMENT = "\n".join(
    [
        "# Performance",
        "",
        "Machine: one.",
        "",
        "## Targets",
        "",
        "| target | measured | verdict |",
        "",
        "## Text reading",
        "",
        "made again",
        "",
        "## A 2B-class model",
        "",
        "| model | cosine |",
        "| 2.2B | 0.99 |",
        "",
        "## Other runtimes",
        "",
        "kept too",
        "Benchmark time: 3 s.",
        "",
    ]
)


def test_the_sections_a_report_does_not_make_are_kept_whole() -> None:
    kept = _machine_info().other_sections(DOCUMENT, {"## Text reading"})
    assert list(kept) == ["## A 2B-class model", "## Other runtimes"]  # never the Targets
    assert kept["## A 2B-class model"] == [
        "## A 2B-class model",
        "",
        "| model | cosine |",
        "| 2.2B | 0.99 |",
        "",
    ]
    assert kept["## Other runtimes"] == ["## Other runtimes", "", "kept too"]


def test_nothing_is_kept_when_the_report_makes_every_section() -> None:
    made = {"## Text reading", "## A 2B-class model", "## Other runtimes"}
    assert _machine_info().other_sections(DOCUMENT, made) == {}
    assert _machine_info().other_sections("", made) == {}
