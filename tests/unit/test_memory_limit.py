"""A model too big for the memory Iris may use, for real: `iris describe` in a process whose
address space is limited (RLIMIT_AS) ends with the typed out-of-memory message and exit code
3: no traceback, no hang, no crash by signal.

The limit is measured, not guessed: the same command with a tiny model shows the address space
that Python, torch, transformers and a loaded model take (most of it mapped libraries); the
limit is that plus a margin, far below what a model with SmolVLM-256M's real layer sizes needs
(its 0.5 GB file mapped, then 1 GB of float32 weights). Under such a limit the load is refused
as it begins (engine/local/address_space.py), with the message a failed allocation gives: a
failed allocation in native code (the Rust tokenizer, torch's packing threads) crashed the
process instead of raising, once in 13 runs of this test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop_app.core import messages
from desktop_app.testing.random_models import build_real_shape_model

ROOT = Path(__file__).resolve().parents[2]
MARGIN = 256 * 2**20
"""Address space allowed beyond what the tiny model's run took: less than the big model's file."""

RUN_LIMITED = """
import resource, sys
limit, peak_file, *argv = sys.argv[1:]
if int(limit):
    resource.setrlimit(resource.RLIMIT_AS, (int(limit), int(limit)))
from desktop_app.cli.main import main
try:
    code = main(argv)
finally:
    peak = next(line for line in open("/proc/self/status") if line.startswith("VmPeak:"))
    open(peak_file, "w").write(str(int(peak.split()[1]) * 1024))
raise SystemExit(code)
"""


def describe(
    limit: int, model: Path, image: Path, peak_file: Path
) -> subprocess.CompletedProcess[str]:
    """`iris describe` in a fresh process under an address-space `limit` (0: none)."""
    command = [
        sys.executable, "-c", RUN_LIMITED, str(limit), str(peak_file),
        "describe", str(image), "--model", str(model), "--max-new-tokens", "2",
        "--no-ground", "--threads", "1",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc: Linux")
def test_a_model_too_big_for_the_memory_limit_is_a_clean_typed_error(
    tiny_models: dict[str, Path], photo: Path, tmp_path: Path
) -> None:
    import resource

    assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY
    peak_file = tmp_path / "peak"
    small = describe(0, tiny_models["idefics3"], photo, peak_file)
    assert small.returncode == 0, small.stderr
    baseline = int(peak_file.read_text())
    big = build_real_shape_model("SmolVLM-256M-Instruct", tmp_path / "SmolVLM-256M-Instruct")
    try:
        weights = (big / "model.safetensors").stat().st_size
        started = time.perf_counter()
        limited = describe(baseline + MARGIN, big, photo, peak_file)
        seconds = time.perf_counter() - started
    finally:
        shutil.rmtree(big)  # half a gigabyte
    print(
        f"address space: tiny model run {baseline / 2**30:.2f} GiB; limit "
        f"{(baseline + MARGIN) / 2**30:.2f} GiB; big model's weights {weights / 2**30:.2f} GiB; "
        f"peak under the limit {int(peak_file.read_text()) / 2**30:.2f} GiB; "
        f"refused in {seconds:.1f} s"
    )
    assert weights > MARGIN
    assert limited.returncode == 3, limited.stderr  # negative: killed by a signal
    told = messages.MODEL_OUT_OF_MEMORY_NO_SMALLER.format(model="SmolVLM-256M-Instruct")
    assert (limited.stdout, limited.stderr) == ("", f"iris: {told}\n")
