"""Llama-like text models write each token through Iris's lean forward, with the same
logits."""

from __future__ import annotations

import shutil
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import torch
from PIL import Image

from desktop_app.core.types import Request
from desktop_app.engine.local import lean_decode, loading
from desktop_app.engine.local.layer_hooks import checked_before
from desktop_app.engine.local.lean_decode import LeanLayer, LeanModel, lean_decoding
from desktop_app.engine.local.precision import Hardware
from desktop_app.settings import EngineSettings, Quantization
from desktop_app.testing.random_models import PROMPTED_FAMILIES

NEW_TOKENS = 5
LEAN_TEXT = {
    "idefics3": "LlamaModel",
    "smolvlm2": "LlamaModel",
    "idefics2": "MistralModel",
    "llava_next": "MistralModel",
    "mistral3": "MistralModel",
    "llava": "Qwen2Model",
    "llava_onevision": "Qwen2Model",
    "internvl": "Qwen2Model",
}
"""The families whose tiny models have one of transformers' Llama-like text models."""


def _load(folder: Path, quantization: Quantization) -> loading.LoadedModel:
    settings = EngineSettings(model=str(folder), quantization=quantization)
    return loading.load_model(folder, folder.name, settings, Hardware(cores=2))


def _inputs(loaded: loading.LoadedModel) -> dict[str, Any]:
    image = Image.linear_gradient("L").resize((96, 64)).convert("RGB")
    request = Request.single("Describe.", [image], max_new_tokens=NEW_TOKENS)
    return dict(loaded.family.build_inputs(loaded.processor, request, [image]))


def _generated_logits(loaded: loading.LoadedModel) -> list[torch.Tensor]:
    """The logits of each new token, greedy, through `generate` as the backend calls it."""
    with torch.inference_mode():
        output = loaded.model.generate(
            **_inputs(loaded),
            max_new_tokens=NEW_TOKENS,
            min_new_tokens=NEW_TOKENS,
            do_sample=False,
            output_logits=True,
            return_dict_in_generate=True,
        )
    return list(output.logits)


def _lean_models(model: Any) -> list[Any]:
    return [module for module in model.modules() if isinstance(module.forward, LeanModel)]


@contextmanager
def _standard(model: Any) -> Iterator[None]:
    """transformers' own forwards, for as long as the block lasts."""
    swapped = [
        (module, module.forward)
        for module in model.modules()
        if isinstance(module.forward, LeanModel | LeanLayer)
    ]
    for module, _ in swapped:
        del module.forward  # the class's own again
    try:
        yield
    finally:
        for module, lean in swapped:
            module.forward = lean


@pytest.fixture
def lean_steps(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The layer index of every position the lean layer computed while the test runs."""
    computed: list[int] = []
    attention = LeanLayer.attention

    def counted(self: LeanLayer, layer: Any, *args: Any) -> torch.Tensor:
        computed.append(layer.self_attn.layer_idx)
        return attention(self, layer, *args)

    monkeypatch.setattr(LeanLayer, "attention", counted)
    return computed


@pytest.fixture
def lean_positions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The cache's length at every position a lean model (not only its layers) computed."""
    computed: list[int] = []
    one_position = lean_decode._one_position

    def counted(model: Any, given: torch.Tensor, embedded: bool, *args: Any) -> Any:
        computed.append(args[-1].get_seq_length())
        return one_position(model, given, embedded, *args)

    monkeypatch.setattr(lean_decode, "_one_position", counted)
    return computed


@pytest.fixture(scope="module")
def qwen2_with_biases(
    every_family: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The tiny LLaVA (a Qwen2 text model) with random query, key and value biases: a
    random model's are zeros."""
    from transformers import AutoModelForImageTextToText

    folder = tmp_path_factory.mktemp("biased") / "llava"
    shutil.copytree(every_family["llava"], folder)
    model = AutoModelForImageTextToText.from_pretrained(folder)
    generator = torch.Generator().manual_seed(0)
    for name, parameter in model.named_parameters():
        if name.endswith(("q_proj.bias", "k_proj.bias", "v_proj.bias")):
            parameter.data = torch.randn(parameter.shape, generator=generator)
    model.save_pretrained(folder)
    return folder


@pytest.mark.parametrize("quantization", [Quantization.INT8, Quantization.NONE])
@pytest.mark.parametrize("family", [*PROMPTED_FAMILIES, "llava with biases"])
def test_every_family_writes_the_same_logits_lean_or_not(
    every_family: dict[str, Path],
    qwen2_with_biases: Path,
    family: str,
    quantization: Quantization,
    lean_steps: list[int],
    lean_positions: list[int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each new token's logits, lean and through transformers' own code, are the same bit for
    bit; the families with a Llama-like text model write every token after the first lean."""
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "int8"))
    folders = {**every_family, "llava with biases": qwen2_with_biases}
    loaded = _load(folders[family], quantization)
    lean = _generated_logits(loaded)
    with _standard(loaded.model):
        standard = _generated_logits(loaded)
    assert len(lean) == len(standard) == NEW_TOKENS
    for found, expected in zip(lean, standard, strict=True):
        assert torch.equal(found, expected)
    if family.split()[0] in LEAN_TEXT:
        (text_model,) = _lean_models(loaded.model)
        assert type(text_model).__name__ == LEAN_TEXT[family.split()[0]]
        layers = len(text_model.layers)
        assert lean_steps == list(range(layers)) * (NEW_TOKENS - 1)
        assert len(lean_positions) == NEW_TOKENS - 1
    else:
        assert _lean_models(loaded.model) == [] and lean_steps == lean_positions == []


@pytest.mark.parametrize("family", ["idefics3", "llava"])  # Llama; Qwen2, with biases
def test_the_int8_groups_are_taken_whole(
    every_family: dict[str, Path],
    family: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With int8, each layer's query, key and value come from one product, and so do the
    MLP's gate and up: no layer of a group is asked for its columns."""
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "int8"))
    loaded = _load(every_family[family], Quantization.INT8)
    (text_model,) = _lean_models(loaded.model)
    layers = [layer.forward for layer in text_model.layers]
    assert all(layer.joined_qkv and layer.joined_gate_up for layer in layers)
    floats = _load(every_family[family], Quantization.NONE)
    (text_model,) = _lean_models(floats.model)
    assert not any(layer.forward.joined_qkv for layer in text_model.layers)


def test_the_checks_before_each_layer_still_run(
    tiny_models: dict[str, Path], lean_steps: list[int]
) -> None:
    """A Stop's check (`streaming.stop_inside_steps`) sees every lean layer and its cache."""
    loaded = _load(tiny_models["idefics3"], Quantization.NONE)
    (text_model,) = _lean_models(loaded.model)
    caches: list[Any] = []

    def check(_layer: Any, _args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        caches.append(kwargs.get("past_key_values"))

    with checked_before(text_model.layers, check):
        _generated_logits(loaded)
    layers = len(text_model.layers)
    assert len(caches) == layers * NEW_TOKENS  # the prompt, then each lean position
    assert len(lean_steps) == layers * (NEW_TOKENS - 1)
    assert all(cache is caches[0] and cache is not None for cache in caches)


def test_a_padded_mask_or_a_longer_input_goes_to_transformers(
    tiny_models: dict[str, Path], lean_steps: list[int]
) -> None:
    loaded = _load(tiny_models["idefics3"], Quantization.NONE)
    (text_model,) = _lean_models(loaded.model)
    with torch.inference_mode():
        prompt = text_model(input_ids=torch.tensor([[5, 6, 7]]), use_cache=True)
        cache = prompt.past_key_values
        assert lean_steps == []
        mask = torch.tensor([[0, 1, 1, 1]])  # the first position is padding
        text_model(input_ids=torch.tensor([[8]]), attention_mask=mask, past_key_values=cache)
        assert lean_steps == []
        text_model(input_ids=torch.tensor([[8]]), past_key_values=cache, output_attentions=True)
        assert lean_steps == []
        text_model(input_ids=torch.tensor([[8]]), past_key_values=cache)
    assert len(lean_steps) == len(text_model.layers)


def test_a_mask_made_per_kind_of_layer_goes_to_transformers(
    every_family: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Qwen2's model takes the masks `generate` may have made already, one per kind of layer:
    such a call is transformers' own (its layers, given no mask, may still be lean)."""
    loaded = _load(every_family["llava"], Quantization.NONE)
    (text_model,) = _lean_models(loaded.model)
    standard = text_model.forward.standard
    given: list[Any] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        given.append(kwargs["attention_mask"])
        return standard(*args, **kwargs)

    monkeypatch.setattr(text_model.forward, "standard", counted)
    with torch.inference_mode():
        cache = text_model(input_ids=torch.tensor([[5, 6, 7]]), use_cache=True).past_key_values
        masks = {"full_attention": None}
        text_model(input_ids=torch.tensor([[8]]), attention_mask=masks, past_key_values=cache)
        text_model(input_ids=torch.tensor([[9]]), past_key_values=cache)
    assert given == [None, masks]  # the prompt, the masks; not the plain position


def test_positions_past_a_sliding_window_go_to_transformers(
    every_family: dict[str, Path], lean_steps: list[int], lean_positions: list[int]
) -> None:
    """A Mistral with a sliding window writes lean until its keys fill the window, then
    through transformers (which masks the oldest), with the same logits either way."""
    loaded = _load(every_family["idefics2"], Quantization.NONE)
    (text_model,) = _lean_models(loaded.model)
    prompt = int(_inputs(loaded)["input_ids"].shape[1])
    text_model.config.sliding_window = prompt + 3  # tokens 1 and 2 see every key; 3 and 4 not
    lean = _generated_logits(loaded)
    layers = len(text_model.layers)
    assert lean_steps == list(range(layers)) * 2
    assert lean_positions == [prompt, prompt + 1]
    with _standard(loaded.model):
        standard = _generated_logits(loaded)
    assert len(lean) == len(standard) == NEW_TOKENS
    for found, expected in zip(lean, standard, strict=True):
        assert torch.equal(found, expected)
    assert not torch.equal(standard[-1], _without_window(loaded)[-1])  # the window mattered


def _without_window(loaded: loading.LoadedModel) -> list[torch.Tensor]:
    (text_model,) = _lean_models(loaded.model)
    window, text_model.config.sliding_window = text_model.config.sliding_window, None
    try:
        return _generated_logits(loaded)
    finally:
        text_model.config.sliding_window = window


def test_a_dropped_model_is_freed_at_once(tiny_models: dict[str, Path]) -> None:
    """The lean forwards hold their modules weakly: no cycle keeps a dropped model."""
    loaded = _load(tiny_models["idefics3"], Quantization.NONE)
    (text_model,) = _lean_models(loaded.model)
    gone = weakref.ref(text_model)
    del text_model, loaded
    assert gone() is None  # no collector pass needed


def test_a_qwen2_with_sliding_layers_is_left_to_transformers(
    every_family: dict[str, Path],
) -> None:
    loaded = _load(every_family["llava"], Quantization.NONE)
    with _standard(loaded.model):
        text_model = loaded.model.model.language_model
        kinds = text_model.config.layer_types
        text_model.config.layer_types = ["sliding_attention", *kinds[1:]]
        assert lean_decoding(loaded.model) == 0
        text_model.config.layer_types = kinds
        assert lean_decoding(loaded.model) == 1


def test_only_sdpa_llama_models_are_made_lean(tiny_models: dict[str, Path]) -> None:
    loaded = _load(tiny_models["idefics3"], Quantization.NONE)
    assert lean_decoding(loaded.model) == 0  # already lean: nothing found twice
    with _standard(loaded.model):
        text_model = loaded.model.model.text_model
        text_model.config._attn_implementation = "eager"
        assert lean_decoding(loaded.model) == 0
        text_model.config._attn_implementation = "sdpa"
        assert lean_decoding(loaded.model) == 1
