"""The room a resource limit leaves for a model's load (engine/local/address_space.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from desktop_app.core import messages
from desktop_app.core.errors import OutOfMemoryError
from desktop_app.engine.local import address_space, loading
from desktop_app.engine.local.address_space import LOADING_ALLOWANCE, load_fits, room_left
from desktop_app.engine.local.precision import Hardware
from desktop_app.engine.models.hub import weights_size
from desktop_app.settings import EngineSettings, Quantization

MB = 2**20
STATUS = """\
Name:\tpython
VmPeak:\t 3900000 kB
VmSize:\t 3800000 kB
VmData:\t  900000 kB
VmRSS:\t  700000 kB
"""


def test_the_room_is_each_limit_less_what_it_counts_and_the_least_of_them() -> None:
    assert room_left([4_000_000 * 1024, None], STATUS) == 200_000 * 1024
    assert room_left([None, 1_000_000 * 1024], STATUS) == 100_000 * 1024
    assert room_left([4_000_000 * 1024, 1_000_000 * 1024], STATUS) == 100_000 * 1024
    assert room_left([None, None], STATUS) is None


def test_a_limit_already_passed_leaves_no_room() -> None:
    assert room_left([3_000_000 * 1024, None], STATUS) == -800_000 * 1024


def test_an_int8_load_needs_its_weights_and_the_allowance_a_float_one_three_times_them() -> None:
    weights = 500 * MB
    assert load_fits(weights, True, None)
    assert load_fits(weights, True, weights + LOADING_ALLOWANCE)
    assert not load_fits(weights, True, weights + LOADING_ALLOWANCE - 1)
    assert load_fits(weights, False, 3 * weights + LOADING_ALLOWANCE)
    assert not load_fits(weights, False, 3 * weights + LOADING_ALLOWANCE - 1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="resource limits: Linux")
def test_this_process_has_no_room_figure_without_a_limit() -> None:
    import resource

    unlimited = all(
        resource.getrlimit(kind)[0] == resource.RLIM_INFINITY
        for kind in (resource.RLIMIT_AS, resource.RLIMIT_DATA)
    )
    assert unlimited  # the test runner's own
    assert address_space.address_space_room() is None


def test_a_load_with_too_little_room_is_refused_before_its_weights(
    tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tiny_models["idefics3"]
    loaded: list[str] = []
    monkeypatch.setattr(loading, "address_space_room", lambda: LOADING_ALLOWANCE - 1)
    monkeypatch.setattr(loading, "begin_load", lambda *_: loaded.append("cache") or None)
    monkeypatch.setattr(loading, "_load_processor", lambda *_: loaded.append("processor"))
    settings = EngineSettings(model=str(folder), quantization=Quantization.INT8)
    with pytest.raises(OutOfMemoryError) as refused:
        loading.load_model(folder, "tiny", settings, Hardware(cores=2))
    assert loaded == []
    assert str(refused.value) == str(loading.out_of_memory("tiny", weights_size(folder)))
    assert str(refused.value).startswith(messages.MODEL_OUT_OF_MEMORY.split("{model}")[0])


def test_a_load_with_room_goes_on(
    tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tiny_models["idefics3"]
    monkeypatch.setattr(loading, "address_space_room", lambda: 64 * 2**30)
    settings = EngineSettings(model=str(folder), quantization=Quantization.NONE)
    loaded = loading.load_model(folder, "tiny", settings, Hardware(cores=2))
    assert loaded.model is not None
