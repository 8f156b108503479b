"""The local backend on real transformers code, one tiny random model of each family.

Random weights write gibberish: these tests check events, token counts, order, timings and
error types, never words.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PIL import Image

from desktop_app.core.errors import GenerationError
from desktop_app.core.types import Answer, Example, Request, StopReason
from desktop_app.engine.local.backend import LocalBackend
from desktop_app.engine.tasks import Task, prompt_for
from desktop_app.settings import EngineSettings, Quantization
from desktop_app.testing.random_models import FAMILIES

SCREEN = Image.new("RGB", (1280, 800), (30, 120, 200))
PHOTO = Image.new("RGB", (300, 200), (200, 180, 20))


@pytest.fixture(scope="module")
def backends(tiny_models: dict[str, Path]) -> dict[str, LocalBackend]:
    """One loaded int8 backend per family, shared by this module's tests."""
    loaded = {}
    for family, folder in tiny_models.items():
        backend = LocalBackend(EngineSettings(model=str(folder), max_new_tokens=8))
        backend.load()
        loaded[family] = backend
    return loaded


def _ask(backend: LocalBackend, request: Request) -> tuple[Answer, list[str]]:
    pieces: list[str] = []
    return backend.start(request, pieces.append), pieces


@pytest.mark.parametrize("family", FAMILIES)
def test_describe_streams_pieces_that_join_to_the_answer(
    backends: dict[str, LocalBackend], family: str
) -> None:
    request = Request.single(prompt_for(Task.DESCRIBE), [SCREEN], max_new_tokens=8)
    answer, pieces = _ask(backends[family], request)
    assert "".join(pieces) == answer.text
    assert len(pieces) >= 1
    assert 1 <= answer.generated_tokens <= 8
    assert answer.prompt_tokens > 10
    assert answer.stop_reason in (StopReason.MAX_TOKENS, StopReason.END_OF_TURN)
    timings = answer.timings
    assert timings.preprocess_s > 0
    assert timings.first_token_s is not None
    assert timings.preprocess_s <= timings.first_token_s <= timings.total_s
    if answer.generated_tokens > 1:
        assert timings.decode_ms_per_token is not None and timings.decode_ms_per_token > 0
    assert timings.load_s > 0


@pytest.mark.parametrize("family", FAMILIES)
def test_follow_up_keeps_history_and_images(backends: dict[str, LocalBackend], family: str) -> None:
    backend = backends[family]
    first = Request.single(prompt_for(Task.DESCRIBE), [SCREEN], max_new_tokens=6)
    first_answer, _ = _ask(backend, first)
    follow_up = first.follow_up(first_answer.text, "And this one?", [PHOTO])
    second_answer, pieces = _ask(backend, follow_up)
    assert second_answer.prompt_tokens > first_answer.prompt_tokens + first_answer.generated_tokens
    assert "".join(pieces) == second_answer.text
    without_image = first.follow_up(first_answer.text, "Say more.")
    third, _ = _ask(backend, without_image)
    assert first.images == [SCREEN] and len(follow_up.images) == 2
    assert third.prompt_tokens < second_answer.prompt_tokens


def _tokens_until_first_text(backend: LocalBackend, request: Request) -> int:
    """How many tokens greedy decoding needs before the streamer lets a piece out.

    Greedy decoding is deterministic, so the answer to a k-token budget is the first k tokens
    of the longer answer; a piece streams once that text is non-empty and does not end in
    an incomplete character.
    """
    for budget in range(1, 16):
        text = backend.start(Request(request.turns, budget), lambda piece: None).text
        if text and not text.endswith("\ufffd"):
            return budget
    raise AssertionError("no text within 15 tokens")


@pytest.mark.parametrize("family", FAMILIES)
def test_cancel_stops_within_one_step(backends: dict[str, LocalBackend], family: str) -> None:
    backend = backends[family]
    seen: list[str] = []

    def cancel_on_first_piece(piece: str) -> None:
        seen.append(piece)
        backend.cancel()

    request = Request.single(prompt_for(Task.DESCRIBE), [PHOTO], max_new_tokens=64)
    needed = _tokens_until_first_text(backend, request)
    answer = backend.start(request, cancel_on_first_piece)
    assert answer.stop_reason is StopReason.CANCELLED
    assert answer.cancelled
    # generate() checks its stopping criteria once per step: at most one more token follows.
    assert needed <= answer.generated_tokens <= needed + 1
    assert "".join(seen) == answer.text


@pytest.mark.parametrize("family", FAMILIES)
def test_classify_answers_one_of_the_labels(backends: dict[str, LocalBackend], family: str) -> None:
    labels = ("cat", "dog", "city landscape")
    request = Request(
        Request.single(prompt_for(Task.CLASSIFY, labels=labels), [PHOTO]).turns,
        max_new_tokens=12,
        choices=labels,
    )
    answer, pieces = _ask(backends[family], request)
    assert answer.text.strip() in labels
    assert "".join(pieces) == answer.text


@pytest.mark.parametrize("family", FAMILIES)
def test_few_shot_example_adds_an_image_and_answer(
    backends: dict[str, LocalBackend], family: str
) -> None:
    plain = Request.single(prompt_for(Task.DESCRIBE), [PHOTO], max_new_tokens=4)
    shot = Request(plain.turns, 4, (Example(SCREEN, "A blue screen. Fun fact: it is blue."),))
    plain_answer, _ = _ask(backends[family], plain)
    shot_answer, _ = _ask(backends[family], shot)
    assert shot_answer.prompt_tokens > plain_answer.prompt_tokens


def test_new_request_cancels_the_running_one(backends: dict[str, LocalBackend]) -> None:
    backend = backends["idefics3"]
    started = threading.Event()
    results: dict[str, Answer] = {}

    def first_piece(piece: str) -> None:
        started.set()

    def run_first() -> None:
        long_request = Request.single("Describe.", [PHOTO], max_new_tokens=400)
        results["first"] = backend.start(long_request, lambda piece: (first_piece(piece), _wait()))

    release = threading.Event()

    def _wait() -> None:
        release.wait(5)

    worker = threading.Thread(target=run_first)
    worker.start()
    assert started.wait(30)
    second_request = Request.single("Describe.", [PHOTO], max_new_tokens=3)

    def run_second() -> None:
        results["second"] = backend.start(second_request, lambda piece: None)

    second = threading.Thread(target=run_second)
    second.start()
    release.set()
    worker.join(30)
    second.join(30)
    assert results["first"].stop_reason is StopReason.CANCELLED
    assert results["first"].generated_tokens < 400
    assert results["second"].stop_reason is not StopReason.CANCELLED


def test_exception_in_generation_surfaces_as_typed_error(tiny_models: dict[str, Path]) -> None:
    backend = LocalBackend(EngineSettings(model=str(tiny_models["llava"])))
    backend.load()
    bad = Request.single("Describe.", [object()], max_new_tokens=3)  # not an image
    with pytest.raises(GenerationError):
        backend.start(bad, lambda piece: None)
    ok, _ = _ask(backend, Request.single("Describe.", [PHOTO], max_new_tokens=2))
    assert ok.generated_tokens >= 1  # still usable afterwards


def test_callback_error_stops_generation_and_propagates(backends: dict[str, LocalBackend]) -> None:
    def broken_pipe(piece: str) -> None:
        raise BrokenPipeError

    with pytest.raises(BrokenPipeError):
        backends["idefics2"].start(Request.single("Hi", [PHOTO], max_new_tokens=20), broken_pipe)


QUANTIZATIONS = [
    Quantization.NONE,
    Quantization.INT8,
    Quantization.BNB_8BIT,
    Quantization.QUANTO_INT8,
]


@pytest.mark.parametrize("quantization", QUANTIZATIONS, ids=lambda q: q.value)
@pytest.mark.parametrize("family", FAMILIES)
def test_every_cpu_quantization_path_generates(
    tiny_models: dict[str, Path], family: str, quantization: Quantization
) -> None:
    settings = EngineSettings(model=str(tiny_models[family]), quantization=quantization)
    backend = LocalBackend(settings)
    backend.load()
    assert quantization.value in backend.description or (
        quantization is Quantization.NONE and "float32" in backend.description
    )
    answer, pieces = _ask(backend, Request.single("Describe.", [SCREEN], max_new_tokens=4))
    assert answer.generated_tokens >= 1
    assert "".join(pieces) == answer.text


def test_int8_replaces_linear_layers(backends: dict[str, LocalBackend]) -> None:
    import torch

    model = backends["idefics3"].loaded.model
    kinds = {type(module).__name__ for module in model.modules()}
    assert "Linear" not in {k for k in kinds if k == "Linear"} or any(
        isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in model.modules()
    )
    assert any(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in model.modules())


@pytest.mark.parametrize("split", [True, False])
def test_image_splitting_setting_changes_prompt_length(
    tiny_models: dict[str, Path], split: bool
) -> None:
    lengths = {}
    for setting in (True, False):
        settings = EngineSettings(model=str(tiny_models["idefics3"]), split_image=setting)
        backend = LocalBackend(settings)
        answer, _ = _ask(backend, Request.single("Describe.", [SCREEN], max_new_tokens=1))
        lengths[setting] = answer.prompt_tokens
    assert lengths[True] > lengths[False]
    assert split in lengths


def test_longest_edge_sets_the_tile_count(tiny_models: dict[str, Path]) -> None:
    tokens = {}
    for edge in (None, 40):
        settings = EngineSettings(
            model=str(tiny_models["idefics3"]), longest_edge=edge, split_image=True
        )
        answer, _ = _ask(LocalBackend(settings), Request.single("Hi", [SCREEN], max_new_tokens=1))
        tokens[edge] = answer.prompt_tokens
    assert tokens[40] < tokens[None]
