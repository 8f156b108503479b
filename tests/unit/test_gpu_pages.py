"""The GPU libraries' pages given back in a model process on the CPU (engine/local/gpu_pages.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.engine.local import gpu_pages, loading
from desktop_app.engine.local.precision import Hardware
from desktop_app.settings import EngineSettings, Quantization

ROOT = Path(__file__).resolve().parents[2]
SITE = "/venv/lib/python3.11/site-packages"
MAPS = f"""\
55c1a4a22000-55c1ab878000 rw-p 00000000 00:00 0                          [heap]
7f1c64aea000-7f1c64dd7000 r--p 00000000 fd:01 131 {SITE}/nvidia/cu13/lib/libcublasLt.so.13
7f1c64dd7000-7f1c6542b000 rw-p 002ed000 fd:01 131 {SITE}/nvidia/cu13/lib/libcublasLt.so.13
7f1c6542b000-7f1c6a866000 rw-p 00000000 00:00 0
7f1c70000000-7f1c70400000 r-xp 00000000 fd:01 132 {SITE}/torch/lib/libtorch_cuda.so
7f1c71000000-7f1c71200000 r-xp 00000000 fd:01 133 {SITE}/torch/lib/libtorch_cpu.so
7f1c72000000-7f1c72100000 r-xp 00000000 fd:01 134 {SITE}/torch/lib/libc10_cuda.so
7f1c73000000-7f1c73100000 r-xp 00000000 fd:01 135 {SITE}/torch/lib/libc10.so
7f1c74000000-7f1c74100000 r-xp 00000000 fd:01 136 {SITE}/cuda/bindings/driver.cpython-311.so
7f1c75000000-7f1c75100000 r-xp 00000000 fd:01 137 {SITE}/nvidia/cudnn/lib/libcudnn.so.9 (deleted)
7f1c76000000-7f1c76100000 r-xp 00000000 fd:01 138 /usr/lib/x86_64-linux-gnu/libc.so.6
7f1c77000000-7f1c77100000 r--p 00000000 fd:01 139 /home/a user/models/libcu notes.txt
7ffd5e9c0000-7ffd5e9e1000 rw-p 00000000 00:00 0                          [stack]
"""


def test_the_gpu_libraries_mappings_are_found_in_a_maps_text() -> None:
    assert gpu_pages.gpu_library_ranges(MAPS) == [
        (0x7F1C64AEA000, 0x7F1C64DD7000 - 0x7F1C64AEA000),
        (0x7F1C64DD7000, 0x7F1C6542B000 - 0x7F1C64DD7000),
        (0x7F1C70000000, 0x400000),
        (0x7F1C72000000, 0x100000),
        (0x7F1C74000000, 0x100000),
        (0x7F1C75000000, 0x100000),
    ]


SMAPS = f"""\
7f1c64aea000-7f1c64dd7000 r--p 00000000 fd:01 131 {SITE}/nvidia/cu13/lib/libcublasLt.so.13
Size:               2996 kB
Rss:                 400 kB
Private_Clean:       300 kB
VmFlags: rd mr mw me sd
7f1c71000000-7f1c71200000 r-xp 00000000 fd:01 133 {SITE}/torch/lib/libtorch_cpu.so
Rss:                9000 kB
Private_Clean:      9000 kB
7f1c6542b000-7f1c6a866000 rw-p 00000000 00:00 0
Rss:                5000 kB
Private_Clean:         0 kB
7f1c70000000-7f1c70400000 r-xp 00000000 fd:01 132 {SITE}/torch/lib/libtorch_cuda.so
Rss:                  24 kB
Private_Clean:         8 kB
"""


def test_the_resident_size_of_the_gpu_libraries_is_read_from_an_smaps_text() -> None:
    assert gpu_pages.resident_kb(SMAPS) == (424, 308)
    assert gpu_pages.resident_kb(SMAPS, re.compile(r"libtorch_cpu\.so$")) == (9000, 9000)


def test_each_gpu_mapping_of_this_process_is_advised_and_those_taken_counted() -> None:
    advised: list[tuple[int, int]] = []

    def every_other(start: int, length: int) -> bool:
        advised.append((start, length))
        return len(advised) % 2 == 1

    expected = gpu_pages.gpu_library_ranges(Path("/proc/self/maps").read_text())
    taken = gpu_pages.page_out_gpu_libraries(every_other)
    assert advised == expected
    assert taken == (len(expected) + 1) // 2


PAGED_OUT = """
import json, torch
from desktop_app.engine.local import gpu_pages

def gpu_library_kb():
    return gpu_pages.resident_kb(open("/proc/self/smaps").read())

before = gpu_library_kb()
taken = gpu_pages.page_out_gpu_libraries()
after = gpu_library_kb()
torch.cuda.is_available()  # calls into the CUDA libraries again
product = (torch.ones(64, 64) @ torch.ones(64, 64))[0, 0].item()
print(json.dumps([before, after, taken, product]))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="madvise on Linux only")
def test_the_kernel_takes_back_the_gpu_libraries_pages_and_torch_still_runs() -> None:
    """Every clean page of a GPU library that the process alone maps is taken back. Pages that
    another process maps too (this test runner's, once it has imported torch) stay: Linux does
    not reclaim shared pages at one process's request, so the figure to check is the private
    clean one; where nothing else maps them (the model process), that is nearly all of them."""
    done = subprocess.run(
        [sys.executable, "-c", PAGED_OUT], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (resident, private), (_, private_after), taken, product = json.loads(
        done.stdout.strip().splitlines()[-1]
    )
    if resident < 20_000:
        pytest.skip(f"this torch maps {resident} kB of GPU libraries (a CPU-only build)")
    assert taken > 0
    assert private_after <= max(1024, private / 10), (private, private_after)
    assert product == 64.0


MAPPED_ALONE = """
import json, mmap, re, sys
from desktop_app.engine.local import gpu_pages

def resident_kb():
    this_file = re.compile(re.escape(sys.argv[1]) + "$")
    return gpu_pages.resident_kb(open("/proc/self/smaps").read(), this_file)[0]

with open(sys.argv[1], "rb") as library:
    mapped = mmap.mmap(library.fileno(), 0, access=mmap.ACCESS_READ)
touched = sum(mapped[offset] for offset in range(0, len(mapped), mmap.PAGESIZE))
before = resident_kb()
taken = gpu_pages.page_out_gpu_libraries()
print(json.dumps([before, resident_kb(), taken]))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="madvise on Linux only")
def test_a_gpu_library_mapped_by_no_other_process_is_taken_back(tmp_path: Path) -> None:
    """The whole path on a library file no other process maps (torch's may be mapped by this
    test runner too): its resident pages go."""
    library = tmp_path / "libcublasLt_stand_in.so.13"
    with library.open("wb") as written:
        written.write(os.urandom(8 << 20))
        written.flush()
        os.fsync(written.fileno())  # clean pages: the kernel reclaims them without writing
    done = subprocess.run(
        [sys.executable, "-c", MAPPED_ALONE, str(library)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    before, after, taken = json.loads(done.stdout.strip().splitlines()[-1])
    assert before >= 7 * 1024 and taken >= 1
    assert after <= 1024, (before, after)


def _load_recording(folder: Path, monkeypatch: pytest.MonkeyPatch, *, one_model: bool) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(loading, "one_model_process", lambda: one_model)
    monkeypatch.setattr(loading, "keep_out_before_loading", lambda *_: None)  # imports as is
    monkeypatch.setattr(loading, "page_out_gpu_libraries", lambda: calls.append("paged") or 0)
    settings = EngineSettings(model=str(folder), quantization=Quantization.NONE)
    loading.load_model(folder, folder.name, settings, Hardware(cores=2))
    return calls


def test_the_model_process_pages_them_out_as_a_cpu_model_loads(
    tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tiny_models["idefics3"]
    assert _load_recording(folder, monkeypatch, one_model=True) == ["paged"]
    assert _load_recording(folder, monkeypatch, one_model=False) == []
