"""The local backend: a transformers vision-language model on this computer."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import GenerationError, IrisError, OutOfMemoryError, first_line
from desktop_app.core.types import (
    Answer,
    ProgressCallback,
    Request,
    StopReason,
    TextCallback,
    Timings,
)
from desktop_app.engine.backend import Backend
from desktop_app.engine.images import fit_longest_edge
from desktop_app.engine.local.choices import choice_constraint
from desktop_app.engine.local.conversation_cache import (
    ConversationCache,
    Reuse,
    fingerprints_remembered,
    image_fingerprint,
)
from desktop_app.engine.local.loading import LoadedModel, load_model
from desktop_app.engine.local.out_of_memory import is_out_of_memory
from desktop_app.engine.local.precision import Hardware, detect_hardware
from desktop_app.engine.local.prepared import (
    EncodedImages,
    cached_processor,
    encode_images,
    with_encoded,
)
from desktop_app.engine.local.streaming import (
    CancelCriteria,
    PieceStreamer,
    StoppedInsideStep,
    stop_inside_steps,
)
from desktop_app.engine.models.hub import resolve_model
from desktop_app.engine.tasks import DESCRIBE
from desktop_app.settings import EngineSettings

log = logging.getLogger(__name__)
"""Questions and answers are logged at DEBUG only (`--debug` or IRIS_DEBUG=1), never above."""


class LocalBackend(Backend):
    """Runs a transformers model from a local folder or the Hugging Face cache."""

    def __init__(
        self,
        settings: EngineSettings,
        *,
        hardware: Hardware | None = None,
        allow_download: bool = True,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.settings = settings
        self._hardware = hardware
        self._allow_download = allow_download
        self._clock = clock
        self._loaded: LoadedModel | None = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._active: threading.Event | None = None
        self._preparing: threading.Event | None = None
        self._encoded: EncodedImages | None = None
        self._conversation = ConversationCache()
        self.load_seconds = 0.0

    # -- loading -------------------------------------------------------------------------
    def load(self, on_progress: ProgressCallback | None = None) -> None:
        with self._load_lock:
            if self._loaded is not None:
                return
            started = self._clock()
            folder = resolve_model(
                self.settings.model,
                revision=self.settings.revision,
                on_progress=on_progress,
                allow_download=self._allow_download,
            )
            hardware = self._hardware or detect_hardware()
            self._loaded = load_model(
                folder, self._name(folder), self.settings, hardware, on_progress
            )
            self.load_seconds = self._clock() - started

    def _name(self, folder: Path) -> str:
        return (
            folder.name if Path(self.settings.model).expanduser().exists() else self.settings.model
        )

    @property
    def loaded(self) -> LoadedModel:
        """The loaded model; loads it first if needed."""
        if self._loaded is None:
            self.load()
        assert self._loaded is not None
        return self._loaded

    @property
    def description(self) -> str:
        if self._loaded is None:
            return self.settings.model
        return messages.LOCAL_DESCRIPTION.format(
            model=self._loaded.name, placement=self._loaded.placement.describe()
        )

    def warm_up(self) -> None:
        """Answer a one-token question about a blank image, then forget it.

        The first generation after loading pays for one-time set-up (about 0.1 s for the
        256M model on two cores); the window does this while the user is not waiting.
        """
        from PIL import Image

        blank = Image.new("RGB", (64, 64), (128, 128, 128))
        self.start(Request.single(DESCRIBE, [blank], 1), lambda piece: None)
        self.forget_conversation()

    def forget_conversation(self) -> None:
        """Drop the kept keys and values: the next request encodes everything again."""
        with self._run_lock:
            self._conversation.clear()

    def close(self) -> None:
        self.cancel()
        with self._run_lock:
            self._loaded = None
            self._encoded = None
            self._conversation.clear()

    # -- answering -----------------------------------------------------------------------
    def cancel(self) -> None:
        with self._state_lock:
            for running in (self._active, self._preparing):
                if running is not None:
                    running.set()

    def prepare(self, request: Request) -> None:
        """Preprocess and encode `request`'s images, kept for the next `start` with them.

        Nothing is encoded when the kept conversation already holds these images (a
        follow-up continues from its cache), nor for a family whose model cannot take
        encoded images. Cancelled between the encoder's layers.
        """
        self._preparing_with(lambda loaded, preparing: self._prepare(loaded, request, preparing))

    def prepare_prompt(self, request: Request) -> None:
        """Run `request`'s whole prompt through the model (its images encoded there, unless
        `prepare` did that already), kept as the conversation so far: a `start` whose prompt
        begins with it (the same turns, the question's words added) continues from there.
        Only the images, as `prepare`, for a family whose cache cannot be kept. Cancelled
        within a layer."""

        def work(loaded: LoadedModel, preparing: threading.Event) -> None:
            if loaded.family.reuses_cache:
                self._run_prompt(loaded, request, preparing)
            else:
                self._prepare(loaded, request, preparing)

        self._preparing_with(work)

    def _preparing_with(self, work: Callable[[LoadedModel, threading.Event], None]) -> None:
        """Run `work` with the loaded model and an event `cancel` sets; never raises."""
        preparing = threading.Event()
        with self._state_lock:
            self._preparing = preparing
        try:
            loaded = self.loaded
            with self._run_lock:
                if not preparing.is_set():
                    work(loaded, preparing)
        except Exception as error:  # the work is left to `start`, which reports failures
            log.debug("preparing failed: %r", error)
        finally:
            with self._state_lock:
                if self._preparing is preparing:
                    self._preparing = None

    def _run_prompt(
        self, loaded: LoadedModel, request: Request, preparing: threading.Event
    ) -> None:
        """Run `request`'s prompt through the model (continuing the kept conversation where
        the prompt begins with it, as `start` does: a prompt run again with more text encodes
        only that; else its images' encoding taken where it was prepared) and keep the keys
        and values as the conversation so far."""
        import torch

        request, images = self._for_model(request)
        with fingerprints_remembered():
            key = image_fingerprint(images, request.detail)
            cached_processor(loaded.processor)
            inputs = _to_model(
                loaded.family.build_inputs(loaded.processor, request, images), loaded
            )
        start = self._start_from_cache(loaded, inputs, key)  # the kept conversation is taken
        try:
            with torch.inference_mode(), stop_inside_steps(loaded.model, preparing):
                output = loaded.model.generate(
                    **start.inputs,
                    **_token_ids(loaded),
                    max_new_tokens=1,
                    do_sample=False,
                    return_dict_in_generate=True,
                )
        except StoppedInsideStep:
            return
        self._conversation.keep(output.sequences[0], output.past_key_values, key)

    def _prepare(self, loaded: LoadedModel, request: Request, preparing: threading.Event) -> None:
        request, images = self._for_model(request)
        if not images:
            return
        with fingerprints_remembered():
            key = image_fingerprint(images, request.detail)
            cached_processor(loaded.processor)
            if (self._encoded is not None and self._encoded.key == key) or (
                loaded.family.reuses_cache and self._conversation.holds(key)
            ):
                return
            inputs = _to_model(
                loaded.family.build_inputs(loaded.processor, request, images), loaded
            )
        if preparing.is_set():
            return
        encoded = encode_images(loaded.model, inputs, key, preparing)
        if encoded is not None:
            self._encoded = encoded

    def _for_model(self, request: Request) -> tuple[Request, list[Any]]:
        """The request as the model answers it (tiles when the settings split images) and its
        images fitted to the settings' longest edge."""
        images = [fit_longest_edge(image, self.settings.longest_edge) for image in request.images]
        if self.settings.split_image and not request.detail:
            request = replace(request, detail=True)  # splitting asked for in the settings
        return request, images

    def start(self, request: Request, on_text: TextCallback) -> Answer:
        cancelled = threading.Event()
        with self._state_lock:
            if self._active is not None:
                self._active.set()
            self._active = cancelled
        try:
            loaded = self.loaded
            with self._run_lock:
                if cancelled.is_set():
                    return Answer("", 0, 0, Timings(load_s=self.load_seconds), StopReason.CANCELLED)
                return self._generate(loaded, request, on_text, cancelled)
        finally:
            with self._state_lock:
                if self._active is cancelled:
                    self._active = None

    def _generate(
        self,
        loaded: LoadedModel,
        request: Request,
        on_text: TextCallback,
        cancelled: threading.Event,
    ) -> Answer:
        import torch
        from transformers import StoppingCriteriaList

        started = self._clock()
        request, images = self._for_model(request)
        try:
            with fingerprints_remembered():
                cached_processor(loaded.processor)
                inputs = _to_model(
                    loaded.family.build_inputs(loaded.processor, request, images), loaded
                )
                seen = image_fingerprint(images, request.detail)
            start = self._start_from_cache(loaded, inputs, seen)
        except IrisError:
            raise
        except Exception as error:
            log.warning("preparing the inputs failed: %s", first_line(error), exc_info=True)
            raise GenerationError(messages.PROMPT_FAILED.format(model=loaded.name)) from None
        preprocess_s = self._clock() - started
        tokenizer = loaded.processor.tokenizer
        callback_errors: list[BaseException] = []

        def forward_text(piece: str) -> None:
            try:
                on_text(piece)
            except BaseException as error:
                callback_errors.append(error)
                cancelled.set()

        streamer = PieceStreamer(
            lambda ids: tokenizer.decode(
                ids, skip_special_tokens=True, clean_up_tokenization_spaces=False
            ).lstrip(),
            forward_text,
            self._clock,
        )
        stop_ids = loaded.family.stop_token_ids(loaded.processor, loaded.model)
        prompt_tokens = int(inputs["input_ids"].shape[1])
        options: dict[str, Any] = {
            "max_new_tokens": request.max_new_tokens,
            "do_sample": False,
            "streamer": streamer,
            "stopping_criteria": StoppingCriteriaList([CancelCriteria(cancelled)]),
            **_token_ids(loaded),
        }
        banned = loaded.family.banned_token_ids(loaded.processor)
        if banned:
            options["bad_words_ids"] = banned
        if request.choices:
            options["prefix_allowed_tokens_fn"] = choice_constraint(
                tokenizer, request.choices, prompt_tokens, stop_ids
            )
        output = None
        try:
            with torch.inference_mode(), stop_inside_steps(loaded.model, cancelled) as step:
                output = loaded.model.generate(
                    **start.inputs, **options, return_dict_in_generate=True
                )
        except StoppedInsideStep:
            streamer.end()
            if loaded.family.reuses_cache and not callback_errors:
                answered = torch.tensor(streamer.token_ids, dtype=torch.long)
                sequence = torch.cat([inputs["input_ids"][0].cpu(), answered])
                # Stopped before a text layer ran (in the vision encoder): the cache given
                # is as it was given, the kept conversation's start or nothing.
                cache = step.cache or start.inputs.get("past_key_values")
                self._conversation.keep_stopped(sequence, cache, seen)
        except Exception as error:
            self._conversation.clear()
            if callback_errors:
                raise callback_errors[0] from None
            if is_out_of_memory(error):
                raise OutOfMemoryError(
                    messages.MODEL_OUT_OF_MEMORY.format(model=loaded.name)
                ) from None
            log.warning("generating failed: %s", first_line(error), exc_info=True)
            raise GenerationError(messages.GENERATION_FAILED) from error
        if callback_errors:
            self._conversation.clear()
            raise callback_errors[0]
        if loaded.family.reuses_cache and output is not None:
            self._conversation.keep(output.sequences[0], output.past_key_values, seen)
        finished = self._clock()
        log.debug("asked %r; answered %r", request.turns[-1].text, streamer.text)
        timings = Timings(
            load_s=self.load_seconds,
            preprocess_s=preprocess_s,
            first_token_s=None
            if streamer.first_token_at is None
            else streamer.first_token_at - started,
            decode_ms_per_token=streamer.decode_ms_per_token(),
            total_s=finished - started,
        )
        return Answer(
            streamer.text,
            prompt_tokens,
            len(streamer.token_ids),
            timings,
            _stop_reason(cancelled, streamer.token_ids, stop_ids, request.max_new_tokens),
            cached_tokens=start.cached_tokens,
        )

    def _start_from_cache(
        self, loaded: LoadedModel, inputs: dict[str, Any], seen: tuple[str, ...]
    ) -> Reuse:
        """The inputs for `generate`, continuing the kept conversation where they match it;
        else with the images' encoding where `prepare` made it."""
        start = Reuse(inputs, 0)
        if loaded.family.reuses_cache:
            image_ids = loaded.family.image_token_ids(loaded.model)
            start = self._conversation.start(inputs, seen, image_ids)
        encoded = self._encoded
        if start.cached_tokens == 0 and encoded is not None and encoded.key == seen:
            start = Reuse(with_encoded(start.inputs, encoded), 0)
        return start


def _stop_reason(
    cancelled: threading.Event, token_ids: list[int], stop_ids: list[int], limit: int
) -> StopReason:
    if cancelled.is_set():
        return StopReason.CANCELLED
    if token_ids and token_ids[-1] in stop_ids:
        return StopReason.END_OF_TURN
    if len(token_ids) >= limit:
        return StopReason.MAX_TOKENS
    return StopReason.END_OF_TURN


def _to_model(inputs: Any, loaded: LoadedModel) -> Any:
    """Move inputs to the model's device; floating tensors take the model's dtype."""
    import torch

    model = loaded.model
    device = getattr(model, "device", torch.device("cpu"))
    dtype = getattr(model, "dtype", torch.float32)
    moved = {}
    for key, value in inputs.items():
        if isinstance(value, torch.Tensor):
            value = value.to(device)
            if value.is_floating_point() and dtype in (torch.float16, torch.bfloat16):
                value = value.to(dtype)
        moved[key] = value
    return moved


def _token_ids(loaded: LoadedModel) -> dict[str, Any]:
    """`generate`'s end-of-turn and padding token ids for `loaded`'s model."""
    stop_ids = loaded.family.stop_token_ids(loaded.processor, loaded.model)
    pad = loaded.processor.tokenizer.pad_token_id
    return {
        "eos_token_id": stop_ids or None,
        "pad_token_id": pad if pad is not None else (stop_ids[0] if stop_ids else None),
    }
