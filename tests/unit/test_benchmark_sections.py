"""docs/performance.md is made by benchmarks/report.py, and some of its sections by other
benchmarks (the 2B-class model, other runtimes): a report run keeps those as they were."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.script_modules import load_script

MACHINE_INFO = Path(__file__).resolve().parents[2] / "benchmarks" / "machine_info.py"


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


machine_info = load_script("machine_info", MACHINE_INFO)


def test_the_sections_a_report_does_not_make_are_kept_whole() -> None:
    kept = machine_info.other_sections(DOCUMENT, {"## Text reading"})
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
    assert machine_info.other_sections(DOCUMENT, made) == {}
    assert machine_info.other_sections("", made) == {}


def test_the_machine_line_says_when_the_kernels_are_held_below_the_cpu() -> None:
    assert machine_info.kernel_limits({"PATH": "/bin"}) == ""
    limited = machine_info.kernel_limits(
        {"FBGEMM_ENABLE_INSTRUCTIONS": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
    )
    assert limited == "; kernels limited: FBGEMM_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2"
