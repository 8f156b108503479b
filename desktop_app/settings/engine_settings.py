"""How the model is chosen, placed and fed: model, device, precision, resolution, length."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

DEFAULT_MODEL = "HuggingFaceTB/SmolVLM-256M-Instruct"


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
    the model's default).
    """

    model: str = DEFAULT_MODEL
    device: DeviceChoice = DeviceChoice.AUTO
    quantization: Quantization = Quantization.AUTO
    max_new_tokens: int = 256
    longest_edge: int | None = None
    split_image: bool | None = None
    revision: str | None = None
    threads: int | None = None
    ground_in_text: bool = True
    """Give the model the text the text reader found on the image, with rough positions."""

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError("max_new_tokens must be at least 1")
        if self.longest_edge is not None and self.longest_edge < 16:
            raise ValueError("longest_edge must be at least 16 pixels")

    def with_changes(self, **changes: object) -> EngineSettings:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]
