"""torch's weight initialisers skipped for meta tensors while a skeleton is built
(engine/local/meta_init.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import AutoConfig, AutoModelForImageTextToText, initialization
from transformers.initialization import TORCH_INIT_FUNCTIONS

from desktop_app.engine.local import loading
from desktop_app.engine.local.meta_init import (
    concrete_class,
    meta_initialisers_skipped,
    parameters_on_meta,
    skeleton,
)
from desktop_app.engine.local.precision import Hardware
from desktop_app.settings import EngineSettings, Quantization


@pytest.fixture
def initialised(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The device of each tensor torch.nn.init.kaiming_uniform_ (which nn.Linear calls) or
    transformers' own normal_ (which its models' `_init_weights` call) really initialises."""
    devices: list[str] = []

    def recorder(original: Any) -> Any:
        def recording(tensor: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
            devices.append(tensor.device.type)
            return original(tensor, *args, **kwargs)

        return recording

    monkeypatch.setattr(torch.nn.init, "kaiming_uniform_", recorder(torch.nn.init.kaiming_uniform_))
    monkeypatch.setitem(TORCH_INIT_FUNCTIONS, "normal_", recorder(TORCH_INIT_FUNCTIONS["normal_"]))
    return devices


def test_meta_weights_are_left_alone_and_others_initialised(initialised: list[str]) -> None:
    with meta_initialisers_skipped():
        on_meta = torch.nn.Linear(8, 4, device="meta")
        on_cpu = torch.nn.Linear(8, 4, bias=False)
        embedding = torch.nn.Embedding(16, 4, device="meta")
    assert initialised == ["cpu"]
    assert on_meta.weight.is_meta and embedding.weight.is_meta
    assert bool(on_cpu.weight.abs().sum() > 0)  # kaiming_uniform_ filled it


def test_transformers_own_initialisers_leave_meta_tensors_alone_within_the_block(
    initialised: list[str],
) -> None:
    with meta_initialisers_skipped():
        initialization.normal_(torch.empty(4, 4, device="meta"))
        initialization.normal_(torch.empty(4, 4))
    initialization.normal_(torch.empty(4, 4, device="meta"))
    assert initialised == ["cpu", "meta"]


def test_parameters_are_made_on_meta_and_buffers_on_the_cpu() -> None:
    register = torch.nn.Module.register_parameter
    with parameters_on_meta():
        layer = torch.nn.Linear(8, 4)
        norm = torch.nn.BatchNorm1d(4)
    assert layer.weight.is_meta and layer.bias.is_meta and norm.weight.is_meta
    assert isinstance(layer.weight, torch.nn.Parameter)
    assert norm.running_mean is not None and norm.running_mean.device.type == "cpu"
    assert torch.nn.Module.register_parameter is register
    assert not torch.nn.Linear(2, 2).weight.is_meta


def test_the_initialisers_are_back_after_the_block_even_after_an_error(
    initialised: list[str],
) -> None:
    recording = torch.nn.init.kaiming_uniform_
    with pytest.raises(RuntimeError), meta_initialisers_skipped():
        assert torch.nn.init.kaiming_uniform_ is not recording
        raise RuntimeError("the build failed")
    assert torch.nn.init.kaiming_uniform_ is recording
    torch.nn.Linear(8, 4, device="meta")
    assert initialised == ["meta"]


def test_an_int8_load_builds_its_skeleton_without_initialising_it(
    initialised: list[str],
    tiny_models: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "int8"))
    folder = tiny_models["idefics3"]
    settings = EngineSettings(model=str(folder), quantization=Quantization.INT8)
    loaded = loading.load_model(folder, folder.name, settings, Hardware(cores=2))
    assert "meta" not in initialised
    assert not any(parameter.is_meta for parameter in loaded.model.parameters())


def test_a_skeleton_takes_the_first_attention_its_class_supports(
    tiny_models: dict[str, Path],
) -> None:
    folder = tiny_models["idefics3"]
    config = AutoConfig.from_pretrained(folder)
    concrete = concrete_class(AutoModelForImageTextToText, config)
    assert concrete.__name__ == "Idefics3ForConditionalGeneration"
    assert concrete_class(concrete, config) is concrete
    model = skeleton(concrete, config, folder, ["no-such-attention", "eager", "sdpa"])
    assert model.config._attn_implementation == "eager"
    assert all(parameter.is_meta for parameter in model.parameters())
    assert model.generation_config is not None


def test_a_skeleton_with_no_supported_attention_is_refused(tiny_models: dict[str, Path]) -> None:
    folder = tiny_models["idefics3"]
    config = AutoConfig.from_pretrained(folder)
    concrete = concrete_class(AutoModelForImageTextToText, config)
    with pytest.raises(ValueError, match="no-such-attention"):
        skeleton(concrete, config, folder, ["eager-ish", "no-such-attention"])
    with pytest.raises(ValueError):
        skeleton(concrete, config, folder, [])


def test_an_auto_class_without_a_model_for_the_configuration_is_a_key_error() -> None:
    from transformers import BertConfig

    with pytest.raises(KeyError):
        concrete_class(AutoModelForImageTextToText, BertConfig())
