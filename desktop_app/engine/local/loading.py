"""Loading a checked model folder into a processor and a model, placed and quantized."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import (
    IrisError,
    ModelError,
    OutOfMemoryError,
    UnsupportedModelError,
    first_line,
)
from desktop_app.core.types import ProgressCallback
from desktop_app.engine.local.address_space import address_space_room, load_fits
from desktop_app.engine.local.deferred_meta import real_meta_registrations
from desktop_app.engine.local.families import Family, family_for
from desktop_app.engine.local.gpu_pages import page_out_gpu_libraries
from desktop_app.engine.local.image_size import apply_longest_edge, square_in_one_resize
from desktop_app.engine.local.int8_cache import (
    CacheLoad,
    begin_load,
    load_int8_cached,
    release_free_memory,
    save_int8,
)
from desktop_app.engine.local.int8_stream import (
    NotStreamable,
    quantize_streaming,
    stream_into_cache,
)
from desktop_app.engine.local.lean_imports import keep_out_before_loading, one_model_process
from desktop_app.engine.local.out_of_memory import is_out_of_memory
from desktop_app.engine.local.precision import (
    Hardware,
    Placement,
    plan_placement,
    quantization_config,
    quantize_dynamic_int8,
)
from desktop_app.engine.local.tensor_file import check_whole
from desktop_app.engine.local.vision_layout import contiguous_vision_embeddings
from desktop_app.engine.models.catalogue import smallest
from desktop_app.engine.models.hub import check_model_folder, weights_size
from desktop_app.settings import DEFAULT_MODEL, EngineSettings, Quantization

log = logging.getLogger(__name__)

SMALLER_BY = 1.2
"""A catalogue model is offered as smaller when the failing model's weights are this many
times its download."""


@dataclass
class LoadedModel:
    """A model ready to generate."""

    name: str
    folder: Path
    family: Family
    processor: Any
    model: Any
    placement: Placement


def load_model(
    folder: Path,
    name: str,
    settings: EngineSettings,
    hardware: Hardware,
    on_progress: ProgressCallback | None = None,
) -> LoadedModel:
    """Load `folder` (already resolved) as `settings` and `hardware` say."""
    config = check_model_folder(folder, name)
    family = family_for(config, name)
    family.check_prompt(folder, name)  # before the weights: never load a model Iris cannot ask
    if one_model_process():
        keep_out_before_loading(family.model_type)
    check_weights(folder, name)
    size = weights_size(folder)
    placement = plan_placement(settings, hardware, size)
    if placement.device == "cpu":
        int8 = placement.quantization is Quantization.INT8
        if not load_fits(size, int8, address_space_room()):
            raise out_of_memory(name, size)  # where native code would crash, not raise
        if one_model_process():
            page_out_gpu_libraries()  # torch never calls them here; the loading touches none
    _report(on_progress, messages.STAGE_LOAD, 0.0)
    begun: CacheLoad | None = None
    try:
        _set_threads(settings.threads or hardware.cores)
        if placement.quantization is Quantization.INT8:
            begun = begin_load(folder, placement.attention)  # packs beside the processor's load
        processor = _load_processor(folder, settings, placement.device)
        if placement.quantization is Quantization.INT8:
            model = _load_int8(family, folder, placement, on_progress, begun)
        else:
            real_meta_registrations()  # transformers builds the model on the meta device
            model = _load_weights(family, folder, placement)
        model.eval()
        contiguous_vision_embeddings(model)
        if placement.device == "cpu":
            from desktop_app.engine.local.lean_decode import lean_decoding

            lean_decoding(model)  # writing a token without transformers' per-call code
    except IrisError:
        raise
    except Exception as error:
        if is_out_of_memory(error):
            raise out_of_memory(name, size) from None
        log.debug("loading %s failed", name, exc_info=True)
        if isinstance(error, ImportError) and "torchvision" in str(error).casefold():
            # The one-folder app leaves torchvision out (packaging/requirements-app.txt).
            raise UnsupportedModelError(
                messages.MODEL_NEEDS_TORCHVISION.format(model=name, default=DEFAULT_MODEL)
            ) from None
        raise ModelError(
            messages.MODEL_BROKEN.format(model=name, reason=first_line(error))
        ) from None
    finally:
        if begun is not None:
            begun.close()
    _report(on_progress, messages.STAGE_READY, 1.0)
    return LoadedModel(name, folder, family, processor, model, placement)


def check_weights(folder: Path, name: str) -> None:
    """Refuse a truncated or damaged weights file before loading it (or its int8 cache)."""
    for path in sorted(folder.glob("*.safetensors")):
        try:
            check_whole(path)
        except ValueError as error:
            log.debug("%s: %s", path, error)
            message = messages.MODEL_WEIGHTS_DAMAGED.format(model=name, file=path.name)
            raise ModelError(message) from None


def out_of_memory(name: str, weights_bytes: int) -> OutOfMemoryError:
    """The error for a model that does not fit; it names a smaller one where Iris knows one."""
    smaller = smallest()
    if weights_bytes > SMALLER_BY * smaller.download_gb * 1e9:
        return OutOfMemoryError(
            messages.MODEL_OUT_OF_MEMORY_TRY_SMALLER.format(
                model=name, smaller=smaller.hub_id, memory=smaller.memory_gb
            )
        )
    return OutOfMemoryError(messages.MODEL_OUT_OF_MEMORY_NO_SMALLER.format(model=name))


def _report(on_progress: ProgressCallback | None, stage: str, fraction: float) -> None:
    if on_progress is not None:
        on_progress(stage, fraction)


def _set_threads(threads: int) -> None:
    import torch

    if threads > 0 and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def _load_processor(folder: Path, settings: EngineSettings, device: str) -> Any:
    """The model's processor, with Iris's image settings.

    Image splitting left to the model (None) is turned off on the CPU: one tile gives the
    first word in about a second where a 1280x800 screenshot's 13 tiles take ten or more.
    """
    from transformers import AutoProcessor
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # progress goes through `on_progress`

    processor = AutoProcessor.from_pretrained(
        folder, local_files_only=True, trust_remote_code=False
    )
    image_processor: Any = getattr(processor, "image_processor", None)
    split = settings.split_image
    if split is None and device == "cpu":
        split = False
    if split is not None and hasattr(image_processor, "do_image_splitting"):
        image_processor.do_image_splitting = split
    if settings.longest_edge is not None and image_processor is not None:
        # Idefics3/SmolVLM resize every image to this edge before tiling: it sets the tile count.
        apply_longest_edge(image_processor, settings.longest_edge)
    elif split is False:
        square_in_one_resize(image_processor)
    return processor


def _load_int8(
    family: Family,
    folder: Path,
    placement: Placement,
    on_progress: ProgressCallback | None,
    begun: CacheLoad | None,
) -> Any:
    """From the int8 cache (its load `begun` by `begin_load`: None on a miss); on a miss the
    checkpoint quantized layer by layer into the cache and loaded from there (in memory where
    the cache cannot be written or read back; where the checkpoint cannot be streamed, the
    float32 model quantized whole, then kept in the cache). Layers that read the same input
    share one product (`int8_shared`) whichever way."""
    from desktop_app.engine.local.int8_shared import share_inputs

    model = None if begun is None else load_int8_cached(family, folder, placement.attention, begun)
    if model is not None:
        return model
    real_meta_registrations()  # what follows builds the model on the meta device
    _report(on_progress, messages.STAGE_QUANTIZE, 0.0)

    def progress(done: float) -> None:
        _report(on_progress, messages.STAGE_QUANTIZE, 0.9 * done)

    try:
        stream_into_cache(family, folder, placement.attention, progress)
    except NotStreamable as reason:
        log.info("quantizing %s whole: %s", folder, reason)
        release_free_memory()
        model = _load_weights(family, folder, placement)
        _report(on_progress, messages.STAGE_QUANTIZE, 0.8)
        model = quantize_dynamic_int8(model)
        release_free_memory()  # the float32 weights' memory
        save_int8(model, folder, placement.attention)
        share_inputs(model)  # after: the cache holds each layer (a warm load shares them)
        return model
    except OSError as error:
        if is_out_of_memory(error):
            raise
        log.warning("could not write the int8 cache of %s", folder, exc_info=True)
    else:
        model = load_int8_cached(family, folder, placement.attention)
        if model is not None:
            return model
    # Not written again: the same write would fail the same way.
    model = quantize_streaming(family, folder, placement.attention, progress)
    share_inputs(model)
    return model


def _load_weights(family: Family, folder: Path, placement: Placement) -> Any:
    import torch

    model_class = family.model_class()
    options: dict[str, Any] = {
        "dtype": getattr(torch, placement.dtype),
        "local_files_only": True,
        "use_safetensors": True,  # never a pickle .bin, even beside the safetensors
    }
    if placement.device_map is not None:
        options["device_map"] = placement.device_map
    config = quantization_config(placement)
    if config is not None:
        options["quantization_config"] = config
        options.setdefault("device_map", placement.device)
    try:
        model = model_class.from_pretrained(
            folder, attn_implementation=placement.attention, trust_remote_code=False, **options
        )
    except ValueError as error:
        if "attn" not in str(error) and "attention" not in str(error):
            raise UnsupportedModelError(first_line(error)) from None
        model = model_class.from_pretrained(
            folder, attn_implementation="eager", trust_remote_code=False, **options
        )
    if "device_map" not in options and placement.device != "cpu":
        model = model.to(placement.device)
    return model
