"""Plain data types and errors shared by every layer (standard library only)."""

from desktop_app.core.errors import (
    BadInputError,
    GenerationError,
    ImageError,
    IrisError,
    ModelError,
)
from desktop_app.core.types import (
    Answer,
    Example,
    ProgressCallback,
    Request,
    StopReason,
    TextCallback,
    Timings,
    Turn,
)

__all__ = [
    "Answer",
    "BadInputError",
    "Example",
    "GenerationError",
    "ImageError",
    "IrisError",
    "ModelError",
    "ProgressCallback",
    "Request",
    "StopReason",
    "TextCallback",
    "Timings",
    "Turn",
]
