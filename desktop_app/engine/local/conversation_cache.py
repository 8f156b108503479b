"""Keeping a conversation's keys and values so that a follow-up encodes only what is new.

After each answer the model's cache (every token of the prompt and the answer) is kept with
the token ids it holds and a fingerprint of the images it saw. The next request reuses the
longest shared start of its token ids, provided it shows the same images the same way and
everything after that start is text: then neither the images nor the history are encoded
again. Anything else (new images, "more detail", another model) starts afresh.

Some caches cannot be cut back: a sliding-window layer (Gemma 3, Aya Vision) once it has
dropped its oldest tokens, a convolution or recurrent state (LFM2-VL) at any length, a fixed
size cache too short for the new conversation. Then the conversation is encoded afresh: the
answer's tokens are the same either way.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

PIXEL_INPUTS = frozenset(
    {"pixel_values", "pixel_attention_mask", "pixel_mask", "image_sizes", "image_grid_thw"}
)
"""Inputs that carry the images; a request that reuses the cache leaves them out."""


def image_fingerprint(images: Sequence[Any], detail: bool) -> tuple[str, ...]:
    """Identifies the images (their pixels, in order) and how finely they are looked at."""
    return (f"detail={detail}", *map(_pixels_print, images))


_remembered = threading.local()
"""This thread's prints inside `fingerprints_remembered`: id -> (image, print)."""


@contextmanager
def fingerprints_remembered() -> Iterator[None]:
    """Within the block, on this thread, each image object is hashed once: the backend and
    the image processor's cache, given the same images for one request, share their prints
    (four hashes of a 2880x1800 screenshot took about 85 ms). Outside it every call hashes
    the pixels again: an image may have changed since."""
    if getattr(_remembered, "prints", None) is not None:  # an outer block remembers
        yield
        return
    _remembered.prints = {}
    try:
        yield
    finally:
        _remembered.prints = None


def _pixels_print(image: Any) -> str:
    prints: dict[int, tuple[Any, str]] | None = getattr(_remembered, "prints", None)
    held = prints.get(id(image)) if prints is not None else None
    if held is not None and held[0] is image:
        return held[1]
    digest = hashlib.sha256(f"{image.mode}{image.size}".encode())
    digest.update(image.tobytes())  # sha256: twice blake2b's speed here (CPU instructions)
    found = digest.hexdigest()[:32]
    if prints is not None:
        prints[id(image)] = (image, found)  # held: its id cannot be reused meanwhile
    return found


@dataclass
class _Kept:
    token_ids: list[int]
    cache: Any
    images: tuple[str, ...]


@dataclass(frozen=True)
class Reuse:
    """How a request starts: `inputs` for `generate` and how many tokens came from the cache."""

    inputs: dict[str, Any]
    cached_tokens: int


class ConversationCache:
    """The keys and values of the last conversation, kept between requests."""

    def __init__(self) -> None:
        self._kept: _Kept | None = None

    def holds(self, images: tuple[str, ...]) -> bool:
        """True when the kept conversation saw exactly these images."""
        return self._kept is not None and self._kept.images == images

    def clear(self) -> None:
        """Forget the kept conversation (after a failure, or when the model goes)."""
        self._kept = None

    def start(
        self, inputs: dict[str, Any], images: tuple[str, ...], image_token_ids: set[int]
    ) -> Reuse:
        """`inputs` with the kept cache when their start matches it, else a fresh cache.

        The cache is cut back to the shared start, so it no longer holds the kept
        conversation afterwards; `keep` stores the new one once it is answered.
        """
        kept, self._kept = self._kept, None
        fresh = Reuse(dict(inputs), 0)
        if kept is None or kept.images != images:
            return fresh
        new_ids = [int(i) for i in inputs["input_ids"][0].tolist()]
        shared = _shared_start(kept.token_ids, new_ids)
        shared = min(shared, len(new_ids) - 1)  # the model must see at least one new token
        if shared <= 0 or any(i in image_token_ids for i in new_ids[shared:]):
            return fresh
        if not can_continue(kept.cache, len(kept.token_ids), shared, len(new_ids)):
            log.debug("the kept cache cannot be cut back to %d tokens: encoding afresh", shared)
            return fresh
        if shared < len(kept.token_ids):
            kept.cache.crop(shared - len(kept.token_ids))
        reused = {key: value for key, value in inputs.items() if key not in PIXEL_INPUTS}
        reused["past_key_values"] = kept.cache
        return Reuse(reused, shared)

    def keep(self, sequence: Any, cache: Any, images: tuple[str, ...]) -> None:
        """Store `cache` after an answer; `sequence` holds the prompt and the answer's ids."""
        if cache is None:
            return
        length = int(cache.get_seq_length())
        self._kept = _Kept([int(i) for i in sequence[:length].tolist()], cache, images)

    def keep_stopped(self, sequence: Any, cache: Any, images: tuple[str, ...]) -> None:
        """Store `cache` after generation stopped inside a step: the layers that ran hold a
        token (or the prompt) more than the rest, and all are cut back to the shortest
        where that gives what encoding afresh would; otherwise nothing is kept."""
        self._kept = None
        layers = getattr(cache, "layers", None)
        if not layers or not all(hasattr(layer, "get_seq_length") for layer in layers):
            return  # a convolution's state (LFM2-VL) has no tokens to cut back to
        lengths = [int(layer.get_seq_length()) for layer in layers]
        shortest = min(lengths)
        if shortest <= 0 or not can_continue(cache, max(lengths), shortest, shortest):
            return
        for layer, length in zip(layers, lengths, strict=True):
            if length > shortest:
                layer.crop(shortest - length)
        self.keep(sequence, cache, images)


def can_continue(cache: Any, held: int, keep: int, total: int) -> bool:
    """Whether `cache`, holding `held` tokens, can be cut back to its first `keep` and then
    grow to `total` tokens, giving the same keys and values as encoding them afresh."""
    layers = getattr(cache, "layers", None)
    if layers is None:
        return hasattr(cache, "crop")  # a cache of another kind: cropped as it says
    return all(_layer_can_continue(layer, held - keep, total) for layer in layers)


def _layer_can_continue(layer: Any, remove: int, total: int) -> bool:
    if hasattr(layer, "conv_states") or hasattr(layer, "recurrent_states"):
        # Linear attention and convolutions keep a summary, not each token: exact only when
        # nothing is removed.
        return remove == 0
    window = getattr(layer, "sliding_window", None) if getattr(layer, "is_sliding", False) else None
    if window is not None:
        # Once full, the window has dropped the tokens a cut would need again.
        return remove == 0 or int(layer.get_seq_length()) < int(window)
    limit = getattr(layer, "max_cache_len", None)
    return limit is None or total <= int(limit)


def _shared_start(first: list[int], second: list[int]) -> int:
    """How many leading tokens `first` and `second` have in common."""
    count = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        count += 1
    return count
