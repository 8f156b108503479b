"""Requests, conversation turns and answers exchanged between the layers."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop_app.core.reading import TextReading

TextCallback = Callable[[str], None]
"""Receives each new piece of an answer as it is generated."""

ProgressCallback = Callable[[str, float], None]
"""Receives a stage name and the fraction done (0.0-1.0) while a model loads or downloads."""


@dataclass(frozen=True)
class Turn:
    """One user message (text and images) and, once answered, the assistant's reply.

    Images are kept opaque here (PIL images in practice) so that `core` needs no Pillow.
    """

    text: str
    images: tuple[Any, ...] = ()
    answer: str | None = None

    def answered(self, answer: str) -> Turn:
        """This turn with its answer filled in."""
        return Turn(self.text, self.images, answer)


@dataclass(frozen=True)
class Example:
    """A worked example for few-shot prompting: an image and the answer wanted for it."""

    image: Any
    answer: str


@dataclass(frozen=True)
class Request:
    """A conversation whose last turn awaits an answer, plus generation limits."""

    turns: tuple[Turn, ...]
    max_new_tokens: int = 256
    examples: tuple[Example, ...] = ()
    choices: tuple[str, ...] = ()
    """When given, the answer is constrained to exactly one of these strings."""
    detail: bool = False
    """Look closer: split images into tiles where the model can (slower, finer)."""
    ground: bool = True
    """Give the model the text read on the images, where text grounding is on (a saved
    prompt can turn it off for its request)."""

    def __post_init__(self) -> None:
        if not self.turns:
            raise ValueError("a request needs at least one turn")
        if self.turns[-1].answer is not None:
            raise ValueError("the last turn of a request must be unanswered")
        if any(turn.answer is None for turn in self.turns[:-1]):
            raise ValueError("every earlier turn of a request must be answered")
        if self.max_new_tokens < 1:
            raise ValueError("max_new_tokens must be at least 1")

    @property
    def images(self) -> list[Any]:
        """Every image of the conversation, examples first, in order."""
        found: list[Any] = [example.image for example in self.examples]
        for turn in self.turns:
            found.extend(turn.images)
        return found

    def has_the_images_of(self, other: Request) -> bool:
        """Whether this request holds the very images `other` holds (the same objects, in
        the same order): what was prepared for one serves the other."""
        return [id(image) for image in self.images] == [id(image) for image in other.images]

    @classmethod
    def single(
        cls, text: str, images: Sequence[Any], max_new_tokens: int = 256, *, detail: bool = False
    ) -> Request:
        """A one-turn request."""
        return cls((Turn(text, tuple(images)),), max_new_tokens, detail=detail)

    def follow_up(self, answer: str, text: str, images: Sequence[Any] = ()) -> Request:
        """The next request of this conversation: `answer` fills the last turn, `text` asks on."""
        turns = (*self.turns[:-1], self.turns[-1].answered(answer), Turn(text, tuple(images)))
        return Request(turns, self.max_new_tokens, self.examples, detail=self.detail)


class StopReason(enum.Enum):
    """Why generation ended."""

    END_OF_TURN = "end_of_turn"
    MAX_TOKENS = "max_tokens"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Timings:
    """Where the time of one answer went, in seconds unless the name says otherwise.

    `first_token_s` counts from the start of the request, preprocessing included,
    model loading not.
    """

    load_s: float = 0.0
    preprocess_s: float = 0.0
    first_token_s: float | None = None
    decode_ms_per_token: float | None = None
    total_s: float = 0.0

    def as_dict(self) -> dict[str, float | None]:
        """Rounded figures for JSON output."""
        return {
            "load_s": round(self.load_s, 4),
            "preprocess_s": round(self.preprocess_s, 4),
            "first_token_s": _round(self.first_token_s, 4),
            "decode_ms_per_token": _round(self.decode_ms_per_token, 2),
            "total_s": round(self.total_s, 4),
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True)
class Answer:
    """The finished (or cancelled) answer to a request."""

    text: str
    prompt_tokens: int
    generated_tokens: int
    timings: Timings = field(default_factory=Timings)
    stop_reason: StopReason = StopReason.END_OF_TURN
    reading: TextReading | None = None
    """For the text reader's answers: the lines and blocks found, with boxes."""
    cached_tokens: int = 0
    """Prompt tokens taken from the conversation's kept cache instead of encoded again."""
    place: Rect | None = None
    """What the answer located ("Where is the Save button?"), in virtual-desktop pixels;
    "Move the pointer there" moves to its centre."""

    @property
    def cancelled(self) -> bool:
        """True when the user stopped the answer before it ended."""
        return self.stop_reason is StopReason.CANCELLED


@dataclass(frozen=True)
class Rect:
    """A rectangle on the screen, in physical pixels of the virtual desktop."""

    x: int
    y: int
    width: int
    height: int

    def __post_init__(self) -> None:
        if self.width < 1 or self.height < 1:
            raise ValueError("a rectangle needs a positive width and height")

    def contains(self, x: int, y: int) -> bool:
        """True when the point lies inside."""
        return self.x <= x < self.x + self.width and self.y <= y < self.y + self.height

    @classmethod
    def from_edges(cls, left: int, top: int, right: int, bottom: int) -> Rect | None:
        """The rectangle between these edges; None when it is empty."""
        if right <= left or bottom <= top:
            return None
        return cls(left, top, right - left, bottom - top)

    def intersection(self, other: Rect) -> Rect | None:
        """The part of this rectangle inside `other`; None when they do not overlap."""
        return Rect.from_edges(
            max(self.x, other.x),
            max(self.y, other.y),
            min(self.x + self.width, other.x + other.width),
            min(self.y + self.height, other.y + other.height),
        )
