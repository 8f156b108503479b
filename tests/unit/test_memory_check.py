"""The memory check before a model loads: the platforms' figures parsed, the need known or
estimated, and a model too big for the memory free refused with a sentence naming a smaller one."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core import messages
from desktop_app.core.errors import ModelError, OutOfMemoryError
from desktop_app.engine.models import memory
from desktop_app.engine.models.catalogue import CATALOGUE, find, smallest
from desktop_app.engine.models.memory import (
    GB,
    MARGIN_BYTES,
    available_memory_bytes,
    cgroup_limit,
    cgroup_paths,
    cgroup_room,
    check_memory,
    darwin_available,
    limit_override,
    model_need_bytes,
    parse_meminfo,
    rlimit_cap,
    smaller_model_than,
)
from desktop_app.settings import DEFAULT_MODEL

MEMINFO = """\
MemTotal:       24683792 kB
MemFree:         1200000 kB
MemAvailable:    3000000 kB
Buffers:           40000 kB
Cached:          1800000 kB
SwapCached:            0 kB
HugePages_Total:       0
"""
MEMINFO_OLD_KERNEL = """\
MemTotal:        8000000 kB
MemFree:         1000000 kB
Buffers:           40000 kB
Cached:           500000 kB
"""
STAT_V2 = """\
anon 700000000
file 300000000
active_file 100000000
inactive_file 150000000
shmem 50000000
"""
STAT_V1 = """\
cache 300000000
inactive_file 10000000
active_file 10000000
total_inactive_file 150000000
total_active_file 100000000
"""
SMOLVLM_2B = "HuggingFaceTB/SmolVLM-Instruct"
SMOLVLM_500M = "HuggingFaceTB/SmolVLM-500M-Instruct"
IDEFICS3_8B = "HuggingFaceM4/Idefics3-8B-Llama3"


def need(hub_id: str) -> int:
    entry = find(hub_id)
    assert entry is not None
    return int(entry.memory_gb * GB)


@pytest.fixture(autouse=True)
def no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's own IRIS_MEMORY_LIMIT_MB must not change these tests."""
    monkeypatch.delenv(memory.LIMIT_VARIABLE, raising=False)


# --- the platforms' figures -----------------------------------------------------------------


def test_meminfo_gives_mem_available_in_bytes() -> None:
    assert parse_meminfo(MEMINFO) == 3_000_000 * 1024


def test_meminfo_without_mem_available_counts_free_and_cached() -> None:
    assert parse_meminfo(MEMINFO_OLD_KERNEL) == (1_000_000 + 500_000) * 1024


def test_meminfo_that_says_nothing_is_unknown() -> None:
    assert parse_meminfo("") is None
    assert parse_meminfo("garbage\nMemTotal: lots\n") is None


def test_cgroup_room_is_the_limit_less_the_use_plus_the_file_cache() -> None:
    assert cgroup_room("1000000000\n", "900000000\n") == 100_000_000
    assert cgroup_room("1000000000\n", "900000000\n", STAT_V2) == 350_000_000
    # v1: the subtree's totals where present, not the cgroup's own few pages.
    assert cgroup_room("1000000000", "900000000", STAT_V1) == 350_000_000


def test_cgroup_room_without_a_limit_is_unknown() -> None:
    assert cgroup_room("max\n", "900000000\n") is None
    assert cgroup_room("9223372036854771712\n", "11526144\n") is None  # v1's "no limit"
    assert cgroup_room("", "") is None


def test_cgroup_room_is_never_negative_nor_above_the_limit() -> None:
    assert cgroup_room("1000", "5000") == 0
    assert cgroup_room("1000", "100", "inactive_file 5000\n") == 1000


def test_cgroup_paths_find_the_unified_and_the_memory_hierarchies() -> None:
    text = "12:cpu,cpuacct:/x\n4:memory:/process/abc\n0::/user.slice/app.scope\n"
    assert cgroup_paths(text) == ("/user.slice/app.scope", "/process/abc")
    assert cgroup_paths("0::/\n") == ("/", None)


def write_cgroup(folder: Path, limit: str, current: str, stat: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "memory.max").write_text(limit)
    (folder / "memory.current").write_text(current)
    if stat:
        (folder / "memory.stat").write_text(stat)


def test_cgroup_v2_limit_is_the_least_room_of_the_cgroup_and_its_parents(tmp_path: Path) -> None:
    write_cgroup(tmp_path / "user.slice", "3000000000\n", "2500000000\n")
    write_cgroup(tmp_path / "user.slice" / "app.scope", "max\n", "100000000\n")
    assert cgroup_limit(tmp_path, "0::/user.slice/app.scope\n") == 500_000_000


def test_cgroup_v1_limit_is_read_from_the_memory_hierarchy(tmp_path: Path) -> None:
    folder = tmp_path / "memory" / "docker" / "abc"
    folder.mkdir(parents=True)
    (folder / "memory.limit_in_bytes").write_text("2000000000\n")
    (folder / "memory.usage_in_bytes").write_text("1500000000\n")
    (folder / "memory.stat").write_text(STAT_V1)
    text = "5:memory:/docker/abc\n0::/\n"
    assert cgroup_limit(tmp_path, text) == 750_000_000


def test_a_cgroup_path_not_mounted_falls_back_to_the_root(tmp_path: Path) -> None:
    """A container sees its own cgroup at the root, but the host's path in /proc."""
    write_cgroup(tmp_path, "1000000000\n", "400000000\n")
    assert cgroup_limit(tmp_path, "0::/system.slice/docker-1234.scope\n") == 600_000_000
    assert cgroup_limit(tmp_path / "nowhere", "0::/a/b\n") is None


def test_rlimits_cap_at_the_least_finite_one() -> None:
    assert rlimit_cap([-1, -1]) is None
    assert rlimit_cap([8 * GB, -1]) == 8 * GB
    assert rlimit_cap([8 * GB, 4 * GB]) == 4 * GB
    assert rlimit_cap([2**64 - 1, 3 * GB], infinity=2**64 - 1) == 3 * GB


def test_darwin_pages_add_up() -> None:
    assert darwin_available(16384, [1000, 200, None]) == 1200 * 16384
    assert darwin_available(16384, [None, None]) is None
    assert darwin_available(0, [1000]) is None


def test_the_override_is_in_millions_of_bytes_and_ignores_nonsense() -> None:
    variable = memory.LIMIT_VARIABLE
    assert limit_override({variable: "1500"}) == 1_500_000_000
    assert limit_override({variable: " 0.5 "}) == 500_000
    assert limit_override({}) is None
    for text in ("", "lots", "-5", "nan", "inf"):
        assert limit_override({variable: text}) is None


def test_available_memory_is_the_least_source_and_the_override_caps_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(memory, "_platform_sources", lambda: [None, 8 * GB, 6 * GB])
    assert available_memory_bytes() == 6 * GB
    monkeypatch.setenv(memory.LIMIT_VARIABLE, "2000")
    assert available_memory_bytes() == 2 * GB
    monkeypatch.setattr(memory, "_platform_sources", lambda: [None])
    assert available_memory_bytes() == 2 * GB
    monkeypatch.delenv(memory.LIMIT_VARIABLE)
    assert available_memory_bytes() is None


def test_this_computer_reports_some_memory() -> None:
    available = available_memory_bytes()
    assert available is None or available > 0


# --- the need -----------------------------------------------------------------------------


def test_a_catalogue_model_needs_what_the_catalogue_says(tmp_path: Path) -> None:
    assert model_need_bytes(SMOLVLM_2B, None) == int(5.5 * GB)
    assert model_need_bytes(SMOLVLM_2B.upper(), tmp_path) == int(5.5 * GB)


def test_an_unknown_model_is_estimated_from_its_weight_files(tmp_path: Path) -> None:
    (tmp_path / "model-00001-of-00002.safetensors").write_bytes(b"\0" * 3000)
    (tmp_path / "model-00002-of-00002.safetensors").write_bytes(b"\0" * 1000)
    (tmp_path / "config.json").write_text("{}")
    assert model_need_bytes(str(tmp_path), tmp_path) == int(4000 * memory.FLOAT_FROM_FILE)


def test_pickle_weights_count_only_without_safetensors(tmp_path: Path) -> None:
    (tmp_path / "pytorch_model.bin").write_bytes(b"\0" * 500)
    assert model_need_bytes("someone/model", tmp_path) == int(500 * memory.FLOAT_FROM_FILE)
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 100)
    assert model_need_bytes("someone/model", tmp_path) == int(100 * memory.FLOAT_FROM_FILE)


def test_an_unknown_model_without_weights_has_no_known_need(tmp_path: Path) -> None:
    assert model_need_bytes("someone/model", None) is None
    assert model_need_bytes("someone/model", tmp_path) is None
    assert model_need_bytes("someone/model", tmp_path / "missing") is None


# --- smaller models -----------------------------------------------------------------------


def test_the_next_smaller_model_runs_on_a_cpu_and_prefers_the_same_family() -> None:
    smaller = smaller_model_than(IDEFICS3_8B)
    assert smaller is not None
    assert smaller.hub_id == SMOLVLM_2B  # 5.5 GB, below 19 GB; the same family as a tie-break
    assert not smaller.needs_gpu
    tied = smaller_model_than("HuggingFaceTB/SmolVLM2-2.2B-Instruct")
    assert tied is not None and tied.memory_gb < 5.5


def test_a_model_that_needs_a_gpu_is_never_offered() -> None:
    gpu_only = [entry for entry in CATALOGUE if entry.needs_gpu]
    assert gpu_only, "the catalogue marks some models 'GPU needed'"
    for entry in CATALOGUE:
        smaller = smaller_model_than(entry.hub_id)
        assert smaller is None or not smaller.needs_gpu
        assert smaller is None or smaller.memory_gb < entry.memory_gb


def test_the_smallest_model_has_no_smaller_one() -> None:
    assert smaller_model_than(smallest().hub_id) is None
    assert smaller_model_than("someone/unknown") is None
    offered = smaller_model_than("someone/unknown", need=3 * GB)
    assert offered is not None and offered.memory_gb < 3


# --- the check ----------------------------------------------------------------------------


def test_a_model_that_fits_loads() -> None:
    check_memory(SMOLVLM_2B, None, available=need(SMOLVLM_2B) + MARGIN_BYTES)
    check_memory(DEFAULT_MODEL, None, available=64 * GB)


def test_a_model_over_the_memory_free_is_refused_naming_the_largest_smaller_that_fits() -> None:
    available = need(SMOLVLM_500M) + MARGIN_BYTES  # 1.5 GB and the margin, not 5.5 GB
    with pytest.raises(OutOfMemoryError) as caught:
        check_memory(SMOLVLM_2B, None, available=available)
    assert isinstance(caught.value, ModelError)
    text = caught.value.message
    assert text == messages.MEMORY_TOO_LITTLE_TRY_SMALLER.format(
        model=SMOLVLM_2B, need="about 5.8 GB", free="about 1.7 GB", smaller=SMOLVLM_500M
    )
    assert caught.value.exit_code == 3


def test_the_margin_is_kept_free() -> None:
    with pytest.raises(OutOfMemoryError):
        check_memory(SMOLVLM_2B, None, available=need(SMOLVLM_2B) + MARGIN_BYTES - 1)


def test_when_even_the_smallest_does_not_fit_it_says_so() -> None:
    with pytest.raises(OutOfMemoryError) as caught:
        check_memory(SMOLVLM_2B, None, available=GB // 2)
    least = smallest()
    assert caught.value.message == messages.MEMORY_TOO_LITTLE_EVEN_SMALLEST.format(
        model=SMOLVLM_2B,
        need="about 5.8 GB",
        free="about 0.5 GB",
        smaller=least.hub_id,
        smallest_need="about 1.3 GB",
    )


def test_the_smallest_model_that_does_not_fit_says_there_is_no_smaller() -> None:
    with pytest.raises(OutOfMemoryError) as caught:
        check_memory(DEFAULT_MODEL, None, available=GB // 2)
    assert caught.value.message == messages.MEMORY_TOO_LITTLE_NO_SMALLER.format(
        model=DEFAULT_MODEL, need="about 1.3 GB", free="about 0.5 GB"
    )


def test_the_shown_need_is_always_above_the_shown_free() -> None:
    """Rounding the need up and the memory free down: never "needs 1.7 GB and 1.7 GB is free"."""
    for available in range(need(SMOLVLM_2B) // 2, need(SMOLVLM_2B) + MARGIN_BYTES, 97_000_001):
        with pytest.raises(OutOfMemoryError) as caught:
            check_memory(SMOLVLM_2B, None, available=available)
        text = caught.value.message
        shown = text.split("it needs about ")[1].split(" GB and about ")
        assert float(shown[0]) > float(shown[1].split(" GB")[0]), text


def test_an_unknown_model_is_checked_by_its_files(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"\0" * 4096)
    estimate = int(4096 * memory.FLOAT_FROM_FILE)
    check_memory(str(tmp_path), tmp_path, available=estimate + MARGIN_BYTES)
    with pytest.raises(OutOfMemoryError) as caught:
        check_memory(str(tmp_path), tmp_path, available=estimate + MARGIN_BYTES - 1)
    assert str(tmp_path) in caught.value.message


def test_the_override_simulates_a_small_computer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "_platform_sources", lambda: [64 * GB])
    check_memory(SMOLVLM_2B, None)
    monkeypatch.setenv(memory.LIMIT_VARIABLE, "2000")
    with pytest.raises(OutOfMemoryError) as caught:
        check_memory(SMOLVLM_2B, None)
    assert "about 2 GB is free" in caught.value.message
    assert SMOLVLM_500M in caught.value.message


def test_unknown_memory_never_refuses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(memory, "_platform_sources", lambda: [None, None])
    check_memory(IDEFICS3_8B, None)
    check_memory("someone/unknown", tmp_path, available=0)  # nor an unknown need
