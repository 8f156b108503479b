"""Every model family Iris offers, as a tiny random model run through the local backend.

One turn, a follow-up longer than a sliding window (the kept cache continued where its
layers allow, the conversation encoded afresh where not: the same token ids either way),
int8 and no quantization, and a stop mid-answer. Weights are random: events, token counts
and token ids are checked, never words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from desktop_app.core.types import Answer, Request, StopReason
from desktop_app.engine.local.backend import LocalBackend
from desktop_app.settings import EngineSettings, Quantization
from desktop_app.testing._families_more import SLIDING_WINDOW
from desktop_app.testing.random_models import MORE_FAMILIES
from desktop_app.testing.random_models import PROMPTED_FAMILIES as PROMPTED

CANNOT_CUT = frozenset({"gemma3", "aya_vision", "lfm2_vl"})
"""Sliding-window or convolution caches: a follow-up may have to be encoded afresh."""
NEVER_REUSES = frozenset({"idefics"})
"""Cross-attention to the images at every step: every request is encoded afresh."""
SCREEN = Image.new("RGB", (300, 200), (30, 90, 160))
LONG_FOLLOW_UP = " ".join(["And what else is on the screen, from left to right?"] * 2)
"""Many more tokens than the tiny models' sliding window."""
STOP_AFTER_STEPS = 3


@pytest.fixture(scope="module")
def models(every_family: dict[str, Path]) -> dict[str, Path]:
    """Every family's tiny model folder."""
    return every_family


class GeneratedIds:
    """Records the token ids each `generate` call of a loaded model writes."""

    def __init__(self, backend: LocalBackend, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ids: list[list[int]] = []
        model = backend.loaded.model
        inner = model.generate

        def generate(*args: Any, **kwargs: Any) -> Any:
            output = inner(*args, **kwargs)
            prompt = int(kwargs["input_ids"].shape[1])
            self.ids.append([int(i) for i in output.sequences[0, prompt:].tolist()])
            return output

        monkeypatch.setattr(model, "generate", generate)


def _backend(folder: Path, quantization: Quantization) -> LocalBackend:
    backend = LocalBackend(EngineSettings(model=str(folder), quantization=quantization))
    backend.load()
    return backend


def _ask(backend: LocalBackend, request: Request) -> tuple[Answer, list[str]]:
    pieces: list[str] = []
    return backend.start(request, pieces.append), pieces


def _two_turns_and_afresh(
    family: str, backend: LocalBackend, monkeypatch: pytest.MonkeyPatch, *, same_ids: bool
) -> None:
    """A turn, a follow-up longer than a sliding window, and the follow-up encoded afresh:
    with `same_ids`, the follow-up's token ids must be the same whether the kept cache was
    used or not."""
    recorded = GeneratedIds(backend, monkeypatch)
    first = Request.single("Describe.", [SCREEN], max_new_tokens=4)
    answer, pieces = _ask(backend, first)
    assert 1 <= answer.generated_tokens <= 4
    assert "".join(pieces) == answer.text
    assert answer.stop_reason in (StopReason.MAX_TOKENS, StopReason.END_OF_TURN)
    assert answer.cached_tokens == 0
    follow_up = first.follow_up(answer.text, LONG_FOLLOW_UP)
    kept, _ = _ask(backend, follow_up)
    assert kept.prompt_tokens > answer.prompt_tokens + SLIDING_WINDOW
    if family in NEVER_REUSES:
        assert kept.cached_tokens == 0
    elif family not in CANNOT_CUT:
        # The image was not encoded again (the generation prompt's last token may render
        # otherwise once the turn is answered: LLaVA-OneVision's "assistant\n").
        assert kept.cached_tokens >= answer.prompt_tokens - 2
    backend.forget_conversation()
    afresh, _ = _ask(backend, follow_up)
    assert afresh.cached_tokens == 0
    assert afresh.prompt_tokens == kept.prompt_tokens
    assert len(recorded.ids) == 3
    assert len(recorded.ids[1]) == kept.generated_tokens >= 1
    assert len(recorded.ids[2]) == afresh.generated_tokens >= 1
    if same_ids:
        assert recorded.ids[1] == recorded.ids[2]


@pytest.mark.parametrize("family", PROMPTED)
def test_a_follow_up_gives_the_same_tokens_with_the_kept_cache_as_afresh(
    models: dict[str, Path], family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = _backend(models[family], Quantization.NONE)
    _two_turns_and_afresh(family, backend, monkeypatch, same_ids=True)


@pytest.mark.slow
@pytest.mark.parametrize("family", PROMPTED)
def test_int8_answers_and_follows_up(
    models: dict[str, Path], family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    backend = _backend(models[family], Quantization.INT8)
    assert any(isinstance(module, DynamicLinear) for module in backend.loaded.model.modules())
    # Dynamic int8 scales each call's activations by their own range, so a follow-up
    # continued from the cache may pick other tokens than one encoded afresh: counts only.
    _two_turns_and_afresh(family, backend, monkeypatch, same_ids=False)


@pytest.mark.parametrize("family", PROMPTED)
def test_images_encoded_ahead_give_the_same_tokens(
    models: dict[str, Path], family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`prepare` encodes the images while the text reader reads; the answer must not change
    (Qwen-VL places its image tokens with image_grid_thw, which must stay in the inputs)."""
    backend = _backend(models[family], Quantization.NONE)
    recorded = GeneratedIds(backend, monkeypatch)
    request = Request.single("Describe.", [SCREEN], max_new_tokens=4)
    plain, _ = _ask(backend, request)
    backend.forget_conversation()
    backend.prepare(request)
    prepared, _ = _ask(backend, request)
    assert prepared.generated_tokens == plain.generated_tokens >= 1
    assert recorded.ids[0] == recorded.ids[1]


@pytest.mark.parametrize("family", PROMPTED)
def test_a_prompt_run_ahead_gives_the_same_tokens(
    models: dict[str, Path], family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`prepare_prompt` runs the grounded prompt while the question is typed; the question's
    answer must not change (continued from it where its cache can be cut back, else afresh)."""
    backend = _backend(models[family], Quantization.NONE)
    recorded = GeneratedIds(backend, monkeypatch)
    request = Request.single("Found text.\n\nDescribe.", [SCREEN], max_new_tokens=4)
    plain, _ = _ask(backend, request)
    backend.forget_conversation()
    backend.prepare_prompt(Request.single("Found text.\n\n", [SCREEN]))
    continued, _ = _ask(backend, request)
    assert continued.generated_tokens == plain.generated_tokens >= 1
    assert recorded.ids[0] == recorded.ids[-1]  # (the prompt's run generated one token)


@pytest.mark.parametrize("family", PROMPTED)
def test_stop_mid_answer(models: dict[str, Path], family: str) -> None:
    backend = _backend(models[family], Quantization.NONE)
    steps: list[int] = []

    def count_step(module: Any, args: Any) -> None:
        steps.append(1)
        if len(steps) == STOP_AFTER_STEPS:
            backend.cancel()  # as the Stop key does, from another thread

    handle = backend.loaded.model.register_forward_pre_hook(count_step)
    try:
        answer, _ = _ask(backend, Request.single("Describe.", [SCREEN], max_new_tokens=50))
    finally:
        handle.remove()
    assert answer.stop_reason is StopReason.CANCELLED
    assert 1 <= answer.generated_tokens <= STOP_AFTER_STEPS
    again, _ = _ask(backend, Request.single("Describe.", [SCREEN], max_new_tokens=2))
    assert again.stop_reason is not StopReason.CANCELLED and again.generated_tokens >= 1


@pytest.mark.parametrize("family", MORE_FAMILIES)
def test_each_tiny_model_is_small_and_safetensors_only(
    models: dict[str, Path], family: str
) -> None:
    files = {path.name: path.stat().st_size for path in models[family].iterdir()}
    assert "model.safetensors" in files and not any(name.endswith(".bin") for name in files)
    assert sum(files.values()) < 3 * 1024 * 1024
    assert ("chat_template.jinja" in files) == (family != "paligemma")


@pytest.mark.parametrize("family", PROMPTED)
def test_a_stop_inside_a_step_runs_no_later_layer_and_the_follow_up_is_unchanged(
    models: dict[str, Path], family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stop pressed while the text model is halfway through a step (from another thread, as
    the Stop key does; here from a hook before its middle layer): no later layer runs, the step's
    token is not written, and the kept conversation is cut back to what every layer holds,
    so a follow-up gives the same token ids as one encoded afresh."""
    backend = _backend(models[family], Quantization.NONE)
    layers = [
        module
        for module in backend.loaded.model.modules()
        if type(module).__name__.endswith("DecoderLayer")
    ]
    steps: list[int] = []
    last_layer_runs: list[int] = []

    def cancel_halfway(module: Any, args: Any) -> None:
        steps.append(1)
        if len(steps) == STOP_AFTER_STEPS:
            backend.cancel()

    handles = [
        layers[len(layers) // 2].register_forward_pre_hook(cancel_halfway),
        layers[-1].register_forward_hook(lambda *_: last_layer_runs.append(1)),
    ]
    first = Request.single("Describe.", [SCREEN], max_new_tokens=50)
    try:
        answer, pieces = _ask(backend, first)
    finally:
        for handle in handles:
            handle.remove()
    assert answer.stop_reason is StopReason.CANCELLED
    assert len(last_layer_runs) == STOP_AFTER_STEPS - 1
    assert answer.generated_tokens == STOP_AFTER_STEPS - 1
    assert "".join(pieces) == answer.text
    recorded = GeneratedIds(backend, monkeypatch)
    follow_up = first.follow_up(answer.text, "And what else?")
    follow_up = Request(follow_up.turns, 4)
    kept, _ = _ask(backend, follow_up)
    if family not in NEVER_REUSES | CANNOT_CUT:
        assert kept.cached_tokens >= answer.prompt_tokens - 2
    backend.forget_conversation()
    afresh, _ = _ask(backend, follow_up)
    assert afresh.cached_tokens == 0
    assert recorded.ids[0] == recorded.ids[1]


@pytest.mark.parametrize("family", sorted(set(PROMPTED) - NEVER_REUSES - CANNOT_CUT))
def test_a_stop_while_a_follow_up_is_read_keeps_the_conversation_before_it(
    models: dict[str, Path], family: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stop pressed while the model reads a follow-up (its prompt half through the layers):
    the conversation is kept as it was before that follow-up, so asking it again continues
    from the kept cache and gives the same token ids as encoding it afresh."""
    backend = _backend(models[family], Quantization.NONE)
    first = Request.single("Describe.", [SCREEN], max_new_tokens=3)
    answer, _ = _ask(backend, first)
    follow_up = Request(first.follow_up(answer.text, "And what else?").turns, 4)
    layers = [
        module
        for module in backend.loaded.model.modules()
        if type(module).__name__.endswith("DecoderLayer")
    ]
    handle = layers[len(layers) // 2].register_forward_pre_hook(lambda *_: backend.cancel())
    try:
        stopped, _ = _ask(backend, follow_up)
    finally:
        handle.remove()
    assert stopped.stop_reason is StopReason.CANCELLED and stopped.generated_tokens == 0
    recorded = GeneratedIds(backend, monkeypatch)
    kept, _ = _ask(backend, follow_up)
    assert kept.cached_tokens >= answer.prompt_tokens - 2
    backend.forget_conversation()
    afresh, _ = _ask(backend, follow_up)
    assert afresh.cached_tokens == 0
    assert recorded.ids[0] == recorded.ids[1]
