"""What the families Iris was not built around needed: a model it cannot prompt refused
before loading, one bos, the longest-edge setting in each processor's own terms, caches
that cannot be cut back detected, int8 leaving alone the layers whose weight is read, and
Iris's own sentence when generation fails."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import torch
from PIL import Image

from desktop_app.core import messages
from desktop_app.core.errors import GenerationError, UnsupportedModelError
from desktop_app.core.types import Request
from desktop_app.engine.local import loading
from desktop_app.engine.local.backend import LocalBackend
from desktop_app.engine.local.conversation_cache import can_continue
from desktop_app.engine.local.families import ChatTemplateFamily, has_chat_template
from desktop_app.engine.local.int8_skip import weight_readers
from desktop_app.engine.local.precision import quantize_dynamic_int8
from desktop_app.settings import DEFAULT_MODEL, EngineSettings, Quantization
from desktop_app.testing.random_models import build_tiny_model
from tests.helpers.faults import ForwardFault

SCREEN = Image.new("RGB", (300, 200), (30, 90, 160))
RAW = "transformers' own words about a tensor"
BOS_IN_TEMPLATE = ("gemma3", "aya_vision", "mistral3", "lfm2_vl")
"""Families whose chat template writes the bos token and whose tokenizer adds it too."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny models of the families these tests need, built once."""
    root = tmp_path_factory.mktemp("family-fixes")
    families = ("paligemma", "qwen2_vl", "qwen3_vl", "mistral3", *BOS_IN_TEMPLATE[:2])
    return {family: build_tiny_model(family, root / family) for family in set(families)}


def test_a_model_without_a_chat_template_is_refused_before_anything_loads(
    built: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("loaded a model Iris cannot prompt")

    monkeypatch.setattr(loading, "check_weights", never)
    monkeypatch.setattr(loading, "_load_processor", never)
    folder = built["paligemma"]
    assert not has_chat_template(folder)
    backend = LocalBackend(EngineSettings(model=str(folder), quantization=Quantization.INT8))
    with pytest.raises(UnsupportedModelError) as refused:
        backend.load()
    assert refused.value.message == messages.MODEL_NO_CHAT_TEMPLATE.format(
        model=folder.name, kind="paligemma", default=DEFAULT_MODEL
    )


def test_chat_templates_are_found_where_checkpoints_keep_them(tmp_path: Path) -> None:
    assert not has_chat_template(tmp_path)
    (tmp_path / "tokenizer_config.json").write_text('{"chat_template": "{{ x }}"}')
    assert has_chat_template(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "chat_template.json").write_text('{"chat_template": "{{ x }}"}')
    assert has_chat_template(other)


@pytest.mark.parametrize("family", BOS_IN_TEMPLATE)
def test_the_prompt_starts_with_exactly_one_bos(tiny_model_of: Any, family: str) -> None:
    from transformers import AutoProcessor

    processor = AutoProcessor.from_pretrained(tiny_model_of(family))
    bos = processor.tokenizer.bos_token_id
    inputs = ChatTemplateFamily(family).build_inputs(
        processor, Request.single("Describe.", [SCREEN]), [SCREEN]
    )
    ids = inputs["input_ids"][0].tolist()
    assert bos is not None and ids[0] == bos
    assert ids[1] != bos
    assert ids.count(bos) == 1


@pytest.fixture(scope="module")
def tiny_model_of(built: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A function giving any family's tiny model folder (built on first use)."""
    root = tmp_path_factory.mktemp("family-fixes-more")

    def folder(family: str) -> Path:
        if family not in built:
            built[family] = build_tiny_model(family, root / family)
        return built[family]

    return folder


@pytest.mark.parametrize(
    ("family", "edge", "expected"),
    [
        ("qwen2_vl", 48, {"shortest_edge": 256, "longest_edge": 48 * 48}),
        ("qwen3_vl", 48, {"shortest_edge": 256, "longest_edge": 48 * 48}),
        ("qwen3_vl", 16, {"shortest_edge": 256, "longest_edge": 256}),
        ("mistral3", 48, {"longest_edge": 48}),
        ("idefics3", 48, {"longest_edge": 48}),
        ("idefics2", 24, {"shortest_edge": 16, "longest_edge": 24}),
        ("gemma3", 48, {"height": 32, "width": 32}),
    ],
)
def test_the_longest_edge_is_set_in_each_processors_terms(
    tiny_model_of: Any, family: str, edge: int, expected: dict[str, int]
) -> None:
    settings = EngineSettings(
        model=str(tiny_model_of(family)), longest_edge=edge, quantization=Quantization.NONE
    )
    backend = LocalBackend(settings)
    answer = backend.start(Request.single("Describe.", [SCREEN], max_new_tokens=2), print)
    assert answer.generated_tokens >= 1
    size = backend.loaded.processor.image_processor.size
    found = {key: size[key] for key in expected}
    assert found == expected


def _layer(kind: str, length: int, window: int = 4) -> Any:
    from transformers.cache_utils import DynamicLayer, DynamicSlidingWindowLayer, StaticLayer

    layer: Any
    if kind == "full":
        layer = DynamicLayer()
    elif kind == "sliding":
        layer = DynamicSlidingWindowLayer(sliding_window=window)
    else:
        layer = StaticLayer(max_cache_len=window)
    states = torch.zeros(1, 1, length, 2)
    layer.update(states, states.clone(), cache_kwargs={"cache_position": torch.arange(length)})
    return layer


def test_caches_that_cannot_be_cut_back_are_detected() -> None:
    from transformers.cache_utils import LinearAttentionLayer

    def cache(*layers: Any) -> Any:
        return SimpleNamespace(layers=list(layers))

    full, sliding_full, sliding_short = (
        _layer("full", 6),
        _layer("sliding", 6),
        _layer("sliding", 3),
    )
    assert can_continue(cache(full), 6, 3, 10)
    assert can_continue(cache(full, sliding_short), 3, 2, 10)
    assert not can_continue(cache(full, sliding_full), 6, 3, 10)  # the window dropped them
    assert can_continue(cache(full, sliding_full), 6, 6, 10)  # nothing to cut: it rolls on
    assert not can_continue(cache(LinearAttentionLayer()), 6, 5, 10)
    assert can_continue(cache(LinearAttentionLayer()), 6, 6, 10)
    assert not can_continue(cache(_layer("static", 3, window=8)), 3, 2, 9)  # would not fit
    assert can_continue(SimpleNamespace(crop=print), 6, 3, 10)  # no layers: trusted to crop


class _ReadsItsWeight(torch.nn.Module):
    """Like SigLIP2's patch embedding: the owner reads its Linear's weight dtype."""

    def __init__(self) -> None:
        super().__init__()
        self.patch = torch.nn.Linear(64, 64)
        self.head = torch.nn.Linear(64, 64)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return self.head(self.patch(pixels.to(self.patch.weight.dtype)))


def test_int8_leaves_alone_a_linear_whose_weight_its_owner_reads() -> None:
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    model = torch.nn.Sequential(_ReadsItsWeight())
    assert weight_readers(model) == {"0.patch"}
    quantize_dynamic_int8(model)
    assert type(model[0].patch) is torch.nn.Linear
    assert isinstance(model[0].head, DynamicLinear)
    assert model(torch.ones(1, 64)).shape == (1, 64)


@pytest.fixture(scope="module")
def qwen(built: dict[str, Path]) -> LocalBackend:
    backend = LocalBackend(
        EngineSettings(model=str(built["qwen2_vl"]), quantization=Quantization.NONE)
    )
    backend.load()
    return backend


def test_a_failure_inside_generation_is_told_in_irises_words(
    qwen: LocalBackend, caplog: pytest.LogCaptureFixture
) -> None:
    fault = ForwardFault(qwen.loaded.model, lambda: RuntimeError(RAW))
    fault.armed.set()
    try:
        with caplog.at_level(logging.WARNING), pytest.raises(GenerationError) as failed:
            qwen.start(Request.single("Describe.", [SCREEN], max_new_tokens=2), print)
    finally:
        fault.remove()
    assert failed.value.message == messages.GENERATION_FAILED
    assert RAW not in failed.value.message
    assert RAW in caplog.text  # the raw text goes to the log


def test_a_failure_preparing_the_inputs_is_told_in_irises_words(
    qwen: LocalBackend, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> Any:
        raise ValueError(RAW)

    monkeypatch.setattr(qwen.loaded.family, "build_inputs", broken)
    with caplog.at_level(logging.WARNING), pytest.raises(GenerationError) as failed:
        qwen.start(Request.single("Describe.", [SCREEN], max_new_tokens=2), print)
    assert failed.value.message == messages.PROMPT_FAILED.format(model=qwen.loaded.name)
    assert RAW in caplog.text
