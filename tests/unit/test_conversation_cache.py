"""Follow-ups continue from the conversation's kept keys and values, with the same tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from PIL import Image

from desktop_app.core.types import Request
from desktop_app.engine.local.backend import LocalBackend
from desktop_app.engine.local.conversation_cache import (
    ConversationCache,
    fingerprints_remembered,
    image_fingerprint,
)
from desktop_app.settings import EngineSettings, Quantization

REUSING = ("idefics3", "smolvlm2", "idefics2", "llava")


def _picture(seed: int) -> Image.Image:
    return Image.effect_mandelbrot((320, 200), (-2.0 + seed / 10, -1.2, 1.0, 1.2), 40).convert(
        "RGB"
    )


def _backend(folder: Path, tokens: int = 10) -> LocalBackend:
    """Full precision: the test compares the same arithmetic, continued or redone."""
    settings = EngineSettings(
        model=str(folder), max_new_tokens=tokens, quantization=Quantization.NONE
    )
    return LocalBackend(settings)


def _ignore(piece: str) -> None:
    pass


@pytest.mark.parametrize("family", [*REUSING, "idefics"])
def test_follow_up_from_the_cache_writes_the_same_tokens(
    family: str, tiny_models: dict[str, Path]
) -> None:
    continuing = _backend(tiny_models[family])
    first = Request.single("Describe.", [_picture(0)], 10)
    answer = continuing.start(first, _ignore)
    follow = first.follow_up(answer.text, "And the colours?")
    continued = continuing.start(follow, _ignore)
    redone = _backend(tiny_models[family]).start(follow, _ignore)

    assert continued.text == redone.text
    assert continued.generated_tokens == redone.generated_tokens
    assert continued.prompt_tokens == redone.prompt_tokens
    assert redone.cached_tokens == 0
    if family in REUSING:
        # at least the whole first prompt, image included, came from the cache
        assert answer.prompt_tokens - 1 <= continued.cached_tokens < continued.prompt_tokens
    else:  # the first IDEFICS attends to its images at every step: encoded afresh
        assert continued.cached_tokens == 0


def test_the_same_image_asked_again_reuses_all_but_the_last_token(
    tiny_models: dict[str, Path],
) -> None:
    backend = _backend(tiny_models["idefics3"], tokens=4)
    request = Request.single("Describe.", [_picture(0)], 4)
    first = backend.start(request, _ignore)
    again = backend.start(request, _ignore)
    assert again.cached_tokens == first.prompt_tokens - 1
    assert again.text == first.text


def test_other_pixels_or_more_detail_start_afresh(tiny_models: dict[str, Path]) -> None:
    backend = _backend(tiny_models["idefics3"], tokens=4)
    first = Request.single("Describe.", [_picture(0)], 4)
    answer = backend.start(first, _ignore)
    other = backend.start(Request.single("Describe.", [_picture(5)], 4), _ignore)
    assert other.cached_tokens == 0  # same token ids, other pixels: nothing reusable
    big = Image.new("RGB", (1280, 800), (30, 90, 200))
    quick = backend.start(Request.single("Describe.", [big], 4), _ignore)
    detailed = backend.start(Request.single("Describe.", [big], 4, detail=True), _ignore)
    assert detailed.cached_tokens == 0
    assert detailed.prompt_tokens > quick.prompt_tokens  # tiles as well as the whole image
    follow = first.follow_up(answer.text, "And?")
    assert backend.start(follow, _ignore).cached_tokens == 0  # the kept cache is another's


def test_a_new_image_in_a_follow_up_is_encoded_with_everything(
    tiny_models: dict[str, Path],
) -> None:
    backend = _backend(tiny_models["idefics3"], tokens=4)
    first = Request.single("Describe.", [_picture(0)], 4)
    answer = backend.start(first, _ignore)
    follow = first.follow_up(answer.text, "And this one?", [_picture(3)])
    continued = backend.start(follow, _ignore)
    redone = _backend(tiny_models["idefics3"], tokens=4).start(follow, _ignore)
    assert continued.cached_tokens == 0
    assert continued.text == redone.text


def test_a_failed_request_forgets_the_cache(tiny_models: dict[str, Path]) -> None:
    backend = _backend(tiny_models["idefics3"], tokens=4)
    request = Request.single("Describe.", [_picture(0)], 4)
    backend.start(request, _ignore)

    def broken_listener(piece: str) -> None:
        raise RuntimeError("the listener broke")

    with pytest.raises(RuntimeError):
        backend.start(request, broken_listener)
    assert backend.start(request, _ignore).cached_tokens == 0


class FakeCache:
    def __init__(self, length: int) -> None:
        self.length = length

    def get_seq_length(self) -> int:
        return self.length

    def crop(self, change: int) -> None:
        assert change < 0
        self.length += change


def _inputs(ids: list[int]) -> dict[str, Any]:
    return {
        "input_ids": torch.tensor([ids]),
        "attention_mask": torch.ones(1, len(ids)),
        "pixel_values": torch.zeros(1, 1, 3, 4, 4),
    }


def test_cache_is_cut_back_to_the_shared_start_and_pixels_left_out() -> None:
    cache = ConversationCache()
    images = image_fingerprint([_picture(0)], detail=False)
    kept = FakeCache(6)
    cache.keep(torch.tensor([1, 9, 9, 2, 5, 6, 7]), kept, images)
    start = cache.start(_inputs([1, 9, 9, 2, 4, 4, 3]), images, image_token_ids={9})
    assert start.cached_tokens == 4
    assert kept.length == 4
    assert start.inputs["past_key_values"] is kept
    assert "pixel_values" not in start.inputs
    assert start.inputs["input_ids"].shape[1] == 7  # generate slices what the cache holds
    # taken: a second request finds nothing kept until the first is answered
    assert cache.start(_inputs([1, 9, 9, 2, 4]), images, {9}).cached_tokens == 0


def test_image_tokens_after_the_shared_start_mean_no_reuse() -> None:
    cache = ConversationCache()
    images = image_fingerprint([_picture(0)], detail=False)
    cache.keep(torch.tensor([1, 9, 2, 5, 6]), FakeCache(4), images)
    start = cache.start(_inputs([1, 9, 2, 5, 9, 3]), images, image_token_ids={9})
    assert start.cached_tokens == 0
    assert "pixel_values" in start.inputs and "past_key_values" not in start.inputs
    assert image_fingerprint([_picture(0)], detail=True) != images


class CountedPixels:
    """A picture whose pixel reads (`tobytes`) are counted."""

    def __init__(self, picture: Image.Image) -> None:
        self.picture = picture
        self.mode, self.size = picture.mode, picture.size
        self.reads = 0

    def tobytes(self) -> bytes:
        self.reads += 1
        return self.picture.tobytes()


def test_within_one_request_each_image_is_hashed_once() -> None:
    first, second = CountedPixels(_picture(0)), CountedPixels(_picture(1))
    with fingerprints_remembered():
        prints = image_fingerprint([first, second], detail=False)
        with fingerprints_remembered():  # an inner block keeps the outer one's prints
            assert image_fingerprint([second, first], detail=True)[1:] == prints[:0:-1]
        assert image_fingerprint([first], detail=False) == prints[:2]
    assert (first.reads, second.reads) == (1, 1)
    assert image_fingerprint([first], detail=False) == prints[:2]  # outside: hashed again
    assert first.reads == 2


def test_an_image_changed_between_requests_is_told_apart() -> None:
    picture = _picture(0)
    with fingerprints_remembered():
        before = image_fingerprint([picture], detail=False)
    picture.putpixel((0, 0), (1, 2, 3))
    with fingerprints_remembered():
        assert image_fingerprint([picture], detail=False) != before
