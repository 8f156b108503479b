"""docs/performance.md is made by benchmarks/report.py, and some of its sections by other
benchmarks (the 2B-class model, other runtimes): a report run keeps those as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_a_report_with_the_kernels_held_below_the_cpu_has_a_file_of_its_own() -> None:
    assert machine_info.report_file({"PATH": "/bin"}) == machine_info.DOCS / "performance.md"
    laptop = {name: "AVX2" for name in machine_info.KERNEL_LIMITS} | {"ATEN_CPU_CAPABILITY": "avx2"}
    assert machine_info.report_file(laptop) == machine_info.DOCS / "performance-avx2-kernels.md"
    mixed = {"FBGEMM_ENABLE_INSTRUCTIONS": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX512_CORE"}
    assert machine_info.report_file(mixed).name == "performance-avx2-avx512core-kernels.md"


def test_a_section_measured_with_limited_kernels_leaves_the_cpus_own_report_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = tmp_path / "performance.md"
    own.write_text(DOCUMENT, encoding="utf-8")
    monkeypatch.setattr(machine_info, "DOCS", tmp_path)
    monkeypatch.setenv("FBGEMM_ENABLE_INSTRUCTIONS", "AVX2")
    machine_info.write_section("## Other runtimes", ["## Other runtimes", "", "on AVX2"])
    assert own.read_text(encoding="utf-8") == DOCUMENT
    limited = (tmp_path / "performance-avx2-kernels.md").read_text(encoding="utf-8")
    assert "on AVX2" in limited


def test_a_benchmark_writing_the_last_section_leaves_the_report_time() -> None:
    text = machine_info.put_section(DOCUMENT, "## Other runtimes", ["## Other runtimes", "", "new"])
    assert text.endswith("## Other runtimes\n\nnew\n\nBenchmark time: 3 s.\n")
    assert "kept too" not in text
    assert text.count("## A 2B-class model") == 1


def test_a_benchmark_writing_a_middle_section_leaves_the_ones_after_it() -> None:
    text = machine_info.put_section(DOCUMENT, "## A 2B-class model", ["## A 2B-class model", ""])
    assert "| 2.2B | 0.99 |" not in text
    after = "## A 2B-class model\n\n## Other runtimes\n\nkept too\nBenchmark time: 3 s.\n"
    assert text.endswith(after)


def test_a_new_section_goes_before_the_report_time() -> None:
    text = machine_info.put_section(DOCUMENT, "## Loading", ["## Loading", "", "made"])
    assert text.endswith("kept too\n\n## Loading\n\nmade\nBenchmark time: 3 s.\n")


def test_a_heading_that_begins_another_replaces_only_its_own_section() -> None:
    document = "# P\n\n## Reading: 2.2B\n\nbig\n\n## Reading\n\nsmall\nBenchmark time: 3 s.\n"
    text = machine_info.put_section(document, "## Reading", ["## Reading", "", "new"])
    assert text == "# P\n\n## Reading: 2.2B\n\nbig\n\n## Reading\n\nnew\n\nBenchmark time: 3 s.\n"
    first = machine_info.put_section("## Reading\n\nold\n", "## Reading", ["## Reading", "x"])
    assert first == "## Reading\nx\n"
