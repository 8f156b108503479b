"""How the model is chosen, placed and fed: model, device, precision, resolution, length."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from desktop_app.core import messages
from desktop_app.settings.schema import Place, check_minimums, setting

DEFAULT_MODEL = "HuggingFaceTB/SmolVLM-256M-Instruct"
AUTO_MODEL = "auto"
"""The model setting's value for "the model recommended for this computer"."""


class Quantization(enum.Enum):
    """Weight precision. AUTO picks the best for the device (int8 on CPU, bf16 on CUDA)."""

    AUTO = "auto"
    NONE = "none"
    INT8 = "int8"
    BNB_4BIT = "4bit"
    BNB_8BIT = "8bit"
    QUANTO_INT8 = "quanto8"


class DeviceChoice(enum.Enum):
    """Where the model runs."""

    AUTO = "auto"
    CPU = "cpu"
    CUDA = "cuda"
    MPS = "mps"


@dataclass(frozen=True)
class EngineSettings:
    """Everything the engine needs to load a model and shape its inputs.

    `longest_edge` caps the image's longest side in pixels before the model's processor
    sees it (None keeps the processor's own size). `split_image` turns the processor's
    tiling of large images on or off where the model family supports it (None keeps
    the model's default). Each field is declared in the settings schema (`settings.schema`).
    """

    model: str = setting(
        DEFAULT_MODEL,
        messages.FIELD_MODEL,
        Place.LOCAL_MODEL,
        description=messages.FIELD_MODEL_DESCRIPTION,
        required=messages.PROBLEM_MODEL_EMPTY,
    )
    quantization: Quantization = setting(
        Quantization.AUTO,
        messages.FIELD_QUANTIZATION,
        Place.LOCAL_MODEL,
        choices={
            Quantization.AUTO: messages.QUANT_AUTO,
            Quantization.NONE: messages.QUANT_NONE,
            Quantization.INT8: messages.QUANT_INT8,
            Quantization.BNB_4BIT: messages.QUANT_BNB_4BIT,
            Quantization.BNB_8BIT: messages.QUANT_BNB_8BIT,
            Quantization.QUANTO_INT8: messages.QUANT_QUANTO_INT8,
        },
    )
    device: DeviceChoice = setting(
        DeviceChoice.AUTO,
        messages.FIELD_DEVICE,
        Place.LOCAL_MODEL,
        choices={
            DeviceChoice.AUTO: messages.DEVICE_AUTO,
            DeviceChoice.CPU: messages.DEVICE_CPU,
            DeviceChoice.CUDA: messages.DEVICE_CUDA,
            DeviceChoice.MPS: messages.DEVICE_MPS,
        },
    )
    longest_edge: int | None = setting(
        None,
        messages.FIELD_LONGEST_EDGE,
        Place.LOCAL_MODEL,
        minimum=16,
        maximum=16384,
        step=64,
        strict_minimum=True,
        none_label=messages.LONGEST_EDGE_DEFAULT,
        too_small=messages.PROBLEM_LONGEST_EDGE,
    )
    split_image: bool | None = setting(None, messages.FIELD_SPLIT_IMAGE, Place.LOCAL_MODEL)
    ground_in_text: bool = setting(True, messages.FIELD_GROUND_IN_TEXT, Place.ANY_MODEL)
    """Give the model the text the text reader found on the image, with rough positions."""
    max_new_tokens: int = setting(
        256,
        messages.FIELD_MAX_TOKENS,
        Place.ANY_MODEL,
        minimum=1,
        maximum=32768,
        step=32,
        strict_minimum=True,
    )
    load_at_start: bool = setting(True, messages.FIELD_LOAD_AT_START, Place.LOCAL_MODEL)
    """Start the model's process and load the model when Iris starts (else at the first use)."""
    unload_after_minutes: int | None = setting(
        15,
        messages.FIELD_UNLOAD_AFTER,
        Place.LOCAL_MODEL,
        minimum=1,
        maximum=1440,
        step=5,
        none_label=messages.UNLOAD_NEVER,
        description=messages.FIELD_UNLOAD_AFTER_DESCRIPTION,
    )
    """End the model's process after this many minutes unused (None: never)."""
    revision: str | None = setting(None, messages.FIELD_REVISION)
    threads: int | None = setting(None, messages.FIELD_THREADS, minimum=1)

    def __post_init__(self) -> None:
        check_minimums(self)

    def with_changes(self, **changes: object) -> EngineSettings:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]
