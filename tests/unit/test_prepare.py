"""LocalBackend.prepare on tiny random models: the images' preprocessing and encoding are done
ahead and used by the next start, with the same answer; cancel cuts preparing short."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from desktop_app.core.types import Request, StopReason
from desktop_app.engine.local.backend import LocalBackend
from desktop_app.engine.local.prepared import ImageProcessorCache, cached_processor
from desktop_app.settings import EngineSettings, Quantization
from desktop_app.testing.random_models import FAMILIES

SCREEN = Image.effect_mandelbrot((640, 400), (-2.0, -1.2, 1.0, 1.2), 40).convert("RGB")
ENCODES_AHEAD = {"idefics3", "smolvlm2", "idefics2", "llava"}
"""Families whose model takes encoded images in `generate` (the first IDEFICS does not)."""


@pytest.fixture(scope="module")
def backends(tiny_models: dict[str, Path]) -> dict[str, LocalBackend]:
    # float32: int8 quantizes each call's activations by their own range, so a follow-up that
    # continues a kept cache may pick other tokens than one encoded at once (test_families_matrix)
    loaded = {}
    for family, folder in tiny_models.items():
        settings = EngineSettings(
            model=str(folder), max_new_tokens=6, quantization=Quantization.NONE
        )
        backend = LocalBackend(settings)
        backend.load()
        loaded[family] = backend
    return loaded


class Counted:
    """Counts the calls of the model's image encoder (its signature kept for `generate`)."""

    def __init__(self, model: Any) -> None:
        self.calls = 0
        base = model.base_model
        original = getattr(base, "get_image_features", None)
        self._restore: Any = lambda: None
        if original is None:
            return

        @functools.wraps(original)
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return original(*args, **kwargs)

        base.get_image_features = counted
        self._restore = lambda: delattr(base, "get_image_features")

    def restore(self) -> None:
        self._restore()


@pytest.mark.parametrize("family", FAMILIES)
def test_start_uses_what_prepare_made_and_answers_the_same(
    backends: dict[str, LocalBackend], family: str
) -> None:
    backend = backends[family]
    request = Request.single("Describe this.", [SCREEN], max_new_tokens=6)
    backend.forget_conversation()
    plain = backend.start(request, lambda piece: None)
    backend.forget_conversation()
    processor = cached_processor(backend.loaded.processor)
    assert isinstance(processor, ImageProcessorCache)
    encoder = Counted(backend.loaded.model)
    try:
        backend.prepare(request)
        computed, encoded = processor.computed, encoder.calls
        grounded = Request.single("Some found text.\n\nDescribe this.", [SCREEN], max_new_tokens=6)
        prepared = backend.start(grounded, lambda piece: None)
        again = backend.start(request, lambda piece: None)  # the prepared images, again
    finally:
        encoder.restore()
    assert processor.computed == computed  # start preprocessed nothing itself
    if family in ENCODES_AHEAD:
        assert encoded == 1 and encoder.calls == 1
    assert prepared.generated_tokens >= 1 and prepared.prompt_tokens > plain.prompt_tokens
    assert again.text == plain.text and again.generated_tokens == plain.generated_tokens


@pytest.mark.parametrize("family", FAMILIES)
def test_a_question_continues_from_the_prompt_prepared_while_it_was_typed(
    backends: dict[str, LocalBackend], family: str
) -> None:
    """`prepare_prompt` runs the grounded prompt with the question still empty; the question
    then adds only its own words, and answers as if asked at once."""
    backend = backends[family]
    image = SCREEN.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    asked = Request.single("Some found text.\n\nDescribe this.", [image], max_new_tokens=6)
    backend.forget_conversation()
    plain = backend.start(asked, lambda piece: None)
    backend.forget_conversation()
    encoder = Counted(backend.loaded.model)
    try:
        backend.prepare_prompt(Request.single("Some found text.\n\n", [image]))
        encoded = encoder.calls
        answer = backend.start(asked, lambda piece: None)
    finally:
        encoder.restore()
    assert answer.text == plain.text and answer.generated_tokens == plain.generated_tokens
    if backend.loaded.family.reuses_cache:
        assert plain.prompt_tokens > answer.cached_tokens > plain.prompt_tokens // 2
    else:
        assert answer.cached_tokens == 0
    if family in ENCODES_AHEAD:
        assert encoded == 1 and encoder.calls == 1  # not again for the question


def test_prepare_for_a_follow_up_encodes_nothing(backends: dict[str, LocalBackend]) -> None:
    backend = backends["idefics3"]
    backend.forget_conversation()
    request = Request.single("Describe this.", [SCREEN.copy()], max_new_tokens=3)
    answer = backend.start(request, lambda piece: None)
    encoder = Counted(backend.loaded.model)
    try:
        follow_up = request.follow_up(answer.text, "And the colours?")
        backend.prepare(follow_up)
        reply = backend.start(follow_up, lambda piece: None)
    finally:
        encoder.restore()
    assert encoder.calls == 0 and reply.cached_tokens > 0


def test_cancel_stops_preparing_before_the_next_encoder_layer(
    backends: dict[str, LocalBackend],
) -> None:
    backend = backends["idefics3"]
    backend.forget_conversation()
    image = SCREEN.rotate(90, expand=True)
    tower = backend.loaded.model.base_model.vision_model
    layers = [m for m in tower.modules() if type(m).__name__.endswith("EncoderLayer")]
    ran: list[object] = []
    handles = [layer.register_forward_hook(lambda m, a, o: ran.append(m)) for layer in layers]
    handles.append(tower.embeddings.register_forward_hook(lambda m, a, o: backend.cancel()))
    try:
        backend.prepare(Request.single("Describe this.", [image]))
    finally:
        for handle in handles:
            handle.remove()
    assert layers and ran == []
    encoder = Counted(backend.loaded.model)
    try:
        answer = backend.start(Request.single("Describe this.", [image], 3), lambda piece: None)
    finally:
        encoder.restore()
    assert encoder.calls == 1  # nothing half-made was kept
    assert answer.stop_reason is not StopReason.CANCELLED and answer.generated_tokens >= 1


def test_a_failing_prepare_leaves_the_work_to_start(backends: dict[str, LocalBackend]) -> None:
    backend = backends["llava"]
    broken = Image.new("RGB", (1, 1))
    broken.tobytes = None  # type: ignore[assignment, method-assign]
    backend.prepare(Request.single("Describe this.", [broken]))  # must not raise
    answer = backend.start(Request.single("Describe this.", [SCREEN], 2), lambda piece: None)
    assert answer.generated_tokens >= 1


TEMPLATE_END = 16
"""At most this many tokens of a chat template come after a prompt's text."""


class FedTokens:
    """The tokens given to each call of the model's forward (prompt and decode steps alike)."""

    def __init__(self, model: Any) -> None:
        self.lengths: list[int] = []
        original = model.forward

        @functools.wraps(original)
        def counted(*args: Any, **kwargs: Any) -> Any:
            ids = kwargs.get("input_ids")
            if ids is not None:
                self.lengths.append(int(ids.shape[1]))
            return original(*args, **kwargs)

        model.forward = counted
        self.restore = lambda: delattr(model, "forward")


@pytest.mark.parametrize("family", FAMILIES)
def test_a_prompt_prepared_again_with_more_text_encodes_only_that(
    backends: dict[str, LocalBackend], family: str
) -> None:
    """The grounded prompt is run as the screen's text is read (engine/reading/grounded.py):
    each run continues from the last, and the question answers as if asked at once."""
    backend = backends[family]
    image = SCREEN.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    read_first = "A text reader found this text:\ntop left: File Edit View Go Help"
    read_since = "\nmiddle centre: Budget 2026.ods, bank statement march.pdf"
    read_all = read_first + read_since
    asked = Request.single(f"{read_all}\n\nDescribe this.", [image], max_new_tokens=6)
    backend.forget_conversation()
    plain = backend.start(asked, lambda piece: None)
    backend.forget_conversation()
    backend.prepare_prompt(Request.single(f"{read_first}\n\n", [image]))
    fed = FedTokens(backend.loaded.model)
    try:
        backend.prepare_prompt(Request.single(f"{read_all}\n\n", [image]))
    finally:
        fed.restore()
    answer = backend.start(asked, lambda piece: None)

    assert answer.text == plain.text and answer.generated_tokens == plain.generated_tokens
    if backend.loaded.family.reuses_cache:
        tokenizer = backend.loaded.processor.tokenizer
        since = len(tokenizer(read_since, add_special_tokens=False).input_ids)
        question = len(tokenizer("Describe this.", add_special_tokens=False).input_ids)
        assert fed.lengths and fed.lengths[0] <= since + TEMPLATE_END  # not the prompt again
        assert plain.prompt_tokens - answer.cached_tokens <= question + TEMPLATE_END
    else:
        assert fed.lengths == []  # images only, prepared already


def test_prepare_and_start_each_read_an_images_pixels_once(
    backends: dict[str, LocalBackend],
) -> None:
    """The backend's fingerprint and the image processor's cache share one hash (a
    2880x1800 screenshot's took about 20 ms each)."""
    backend = backends["idefics3"]
    backend.forget_conversation()
    image = SCREEN.copy()
    reads: list[int] = []
    pixels = image.tobytes

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return pixels(*args, **kwargs)

    image.tobytes = counted  # type: ignore[method-assign]
    request = Request.single("Describe this.", [image], max_new_tokens=2)
    backend.prepare(request)
    prepared = len(reads)
    answer = backend.start(request, lambda piece: None)
    assert answer.generated_tokens >= 1
    assert (prepared, len(reads)) == (1, 2)
