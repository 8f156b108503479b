"""torch's Python meta kernels kept out of a model process that loads from the int8 cache
(engine/local/deferred_meta.py). The stand-in must be in place before torch is imported, which
this test process has done already: those cases run in a process of their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.engine.local import loading
from desktop_app.engine.local.deferred_meta import meta_registrations_deferred, with_meta_kernels
from desktop_app.engine.local.precision import Hardware
from desktop_app.settings import EngineSettings, Quantization
from tests.helpers.own_process import printed


def test_torch_imports_without_them_and_an_operator_needing_them_brings_them_in() -> None:
    code = """
import sys
from desktop_app.engine.local.deferred_meta import (
    defer_meta_registrations, meta_registrations_deferred, with_meta_kernels)
assert defer_meta_registrations() and defer_meta_registrations() and meta_registrations_deferred()
import torch
left_out = [m for m in ("torch._decomp", "torch._prims", "torch._refs") if m in sys.modules]
print("left-out" if not left_out else left_out)
values, where = torch.empty(5, device="meta"), torch.zeros(2, dtype=torch.long, device="meta")
try:
    torch.take(values, where)  # no C++ meta kernel: torch's Python one
except NotImplementedError:
    print("refused")
calls = []
def take():
    calls.append(1)
    return torch.take(values, where)
taken = with_meta_kernels(take)
assert taken.is_meta and taken.shape == (2,) and len(calls) == 2
real = sys.modules["torch._meta_registrations"]
assert not meta_registrations_deferred() and torch._meta_registrations is real
assert "torch._decomp" in sys.modules and hasattr(real, "activate_meta")
print("taken")
"""
    assert printed(code, timeout=300) == ["left-out", "refused", "taken"]


def test_anything_asked_of_the_stand_in_imports_the_real_module() -> None:
    code = """
import sys
from desktop_app.engine.local.deferred_meta import (
    defer_meta_registrations, meta_registrations_deferred)
assert defer_meta_registrations()
import torch
stand_in = sys.modules["torch._meta_registrations"]
activate = stand_in.activate_meta
assert not meta_registrations_deferred() and activate is torch._meta_registrations.activate_meta
print("real")
"""
    assert printed(code, timeout=300) == ["real"]


def test_what_needs_torchs_compiler_brings_them_in() -> None:
    code = """
from desktop_app.engine.local.deferred_meta import (
    defer_meta_registrations, meta_registrations_deferred)
assert defer_meta_registrations()
import torch
from desktop_app.engine.local.deferred_dynamo import defer_dynamo, real_dynamo
assert defer_dynamo() and meta_registrations_deferred()
real_dynamo()
print("deferred" if meta_registrations_deferred() else "real")
"""
    assert printed(code, timeout=300) == ["real"]


def test_nothing_is_deferred_once_torch_is_imported() -> None:
    code = """
import torch
from desktop_app.engine.local.deferred_meta import (
    defer_meta_registrations, meta_registrations_deferred)
assert defer_meta_registrations() is False and not meta_registrations_deferred()
print(type(torch._meta_registrations).__name__)
"""
    assert printed(code, timeout=300) == ["module"]


def test_an_operator_without_a_meta_kernel_fails_once_when_nothing_is_deferred() -> None:
    calls: list[int] = []

    def build() -> None:
        calls.append(1)
        raise NotImplementedError("no meta kernel")

    assert not meta_registrations_deferred()
    with pytest.raises(NotImplementedError):
        with_meta_kernels(build)
    assert calls == [1]


def test_every_load_but_one_from_the_int8_cache_brings_them_in(
    tiny_models: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """transformers' loading and the streamed first int8 load build on the meta device."""
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "int8"))
    asked: list[str] = []
    monkeypatch.setattr(loading, "real_meta_registrations", lambda: asked.append("real"))
    folder = tiny_models["idefics3"]

    def load(quantization: Quantization) -> None:
        settings = EngineSettings(model=str(folder), quantization=quantization)
        loading.load_model(folder, folder.name, settings, Hardware(cores=2))

    load(Quantization.NONE)
    assert asked == ["real"]
    load(Quantization.INT8)  # the cache written
    assert asked == ["real", "real"]
    load(Quantization.INT8)  # from the cache
    assert asked == ["real", "real"]
