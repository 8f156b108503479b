"""Images prepared ahead of the prompt: the processor's resize/split/normalise kept, and the
vision encoder's output kept for `generate` (transformers' `mm_encoder_outputs`).

`LocalBackend.prepare` runs these while the text reader reads the same images; the next
`start` for those images takes what was made instead of doing it again.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from desktop_app.engine.local.conversation_cache import image_fingerprint
from desktop_app.engine.local.layer_hooks import checked_before

PIXEL_NAMES = ("pixel_values", "pixel_values_images", "image_patches")
"""Input names that carry an image's pixels to a vision encoder (as `generate` knows them)."""


class StopPreparing(Exception):
    """Raised inside the vision encoder when preparing is cancelled."""


@dataclass(frozen=True)
class EncodedImages:
    """The vision encoder's output for some images, and the inputs it replaces."""

    key: tuple[str, ...]
    """`image_fingerprint` of the images and how finely they were looked at."""
    features: Any
    replaces: frozenset[str]


class ImageProcessorCache:
    """Stands in for a processor's image processor and gives back its last result again for
    the same images and options (the prompt's text may differ: it is not the image
    processor's business)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self._kept: tuple[tuple[str, ...], Any] | None = None
        self._lock = threading.Lock()
        self.computed = 0
        """How many times the image processor really ran (for tests)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def __call__(self, images: Any, *args: Any, **kwargs: Any) -> Any:
        key = _key(images, args, kwargs)
        with self._lock:
            if key is not None and self._kept is not None and self._kept[0] == key:
                return _copy(self._kept[1])
        result = self.inner(images, *args, **kwargs)
        self.computed += 1
        if key is not None:
            with self._lock:
                self._kept = (key, _copy(result))
        return result


def cached_processor(processor: Any) -> ImageProcessorCache | None:
    """`processor`'s image processor wrapped in an ImageProcessorCache (once); None when it
    has none."""
    current = getattr(processor, "image_processor", None)
    if current is None or isinstance(current, ImageProcessorCache):
        return current
    wrapped = ImageProcessorCache(current)
    processor.image_processor = wrapped
    return wrapped


def _key(images: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, ...] | None:
    flat = list(_flatten(images))
    if not flat or not all(hasattr(image, "tobytes") and hasattr(image, "mode") for image in flat):
        return None
    options = repr(sorted(kwargs.items(), key=lambda item: item[0]))
    return (repr(args), options, *image_fingerprint(flat, False))


def _flatten(images: Any) -> Iterator[Any]:
    if isinstance(images, list | tuple):
        for item in images:
            yield from _flatten(item)
    else:
        yield images


def _copy(result: Any) -> Any:
    """A shallow copy: the processor pops keys from what it is given; tensors are shared."""
    try:
        return result.__class__(dict(result))
    except Exception:  # not a mapping: give it as it is
        return result


def encode_images(
    model: Any, inputs: dict[str, Any], key: tuple[str, ...], cancelled: threading.Event
) -> EncodedImages | None:
    """The vision encoder's output for `inputs`' images, in the form `generate` takes as
    `mm_encoder_outputs["image"]`; None where the model cannot take it (or when cancelled)."""
    import torch

    supports = getattr(model, "_supports_mm_encoder_outputs", None)
    if supports is None or not supports() or "image" not in getattr(model, "input_modalities", ()):
        return None
    encoder = getattr(getattr(model, "base_model", None), "get_image_features", None)
    if encoder is None:
        return None
    names = [
        name
        for name in inspect.signature(encoder).parameters
        if name != "kwargs" and name in inputs
    ]
    if not any(name in PIXEL_NAMES for name in names):
        return None
    try:
        with torch.inference_mode(), stop_between_layers(model, cancelled):
            features = encoder(**{name: inputs[name] for name in names}, return_dict=True)
    except StopPreparing:
        return None
    # Only the pixels are replaced: the rest (Qwen-VL's image_grid_thw, which places the image
    # tokens' 3D positions; image sizes and masks) still describes the prompt to `generate`.
    return EncodedImages(key, features, frozenset(names) & frozenset(PIXEL_NAMES))


def with_encoded(inputs: dict[str, Any], encoded: EncodedImages) -> dict[str, Any]:
    """`inputs` for `generate` with the images' encoder output in place of their pixels."""
    kept = {name: value for name, value in inputs.items() if name not in encoded.replaces}
    kept["mm_encoder_outputs"] = {"image": encoded.features}
    return kept


@contextmanager
def stop_between_layers(model: Any, cancelled: threading.Event) -> Iterator[None]:
    """Raise StopPreparing before the next encoder layer once `cancelled` is set."""

    def check(_layer: Any, _args: tuple[Any, ...], _kwargs: dict[str, Any]) -> None:
        if cancelled.is_set():
            raise StopPreparing

    layers = [
        module
        for module in _vision_modules(model)
        if type(module).__name__.endswith("EncoderLayer")
    ]
    with checked_before(layers, check):
        yield


def _vision_modules(model: Any) -> Iterator[Any]:
    base = getattr(model, "base_model", model)
    for name in ("vision_model", "vision_tower"):
        tower = getattr(base, name, None)
        if tower is not None and hasattr(tower, "modules"):
            yield from tower.modules()
            return
