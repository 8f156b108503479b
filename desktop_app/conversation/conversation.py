"""One conversation: the turns so far, images waiting for a question, the request in flight."""

from __future__ import annotations

from typing import Any

from desktop_app.core.types import Request, Turn


class Conversation:
    """What a new question, image, answer or fault does to the conversation.

    `history` holds the answered turns; `pending_images` wait for the next question;
    `in_flight` is the request being answered (its last turn is the new question);
    `detail` says whether the images are looked at tile by tile ("More detail").
    """

    def __init__(self) -> None:
        self.history: tuple[Turn, ...] = ()
        self.pending_images: list[Any] = []
        self.detail = False
        self.in_flight: Request | None = None

    def is_empty(self) -> bool:
        """True before any image or question (a question then has nothing to be about)."""
        return not self.history and not self.pending_images and self.in_flight is None

    def images(self) -> list[Any]:
        """Every image of the conversation, the newest last."""
        images = [image for turn in self.history for image in turn.images]
        images.extend(self.pending_images)
        if self.in_flight is not None:
            images.extend(self.in_flight.turns[-1].images)
        return images

    def has_images(self) -> bool:
        """True when some turn, the request in flight or the pending list has an image."""
        return bool(self.pending_images) or any(turn.images for turn in self._turns())

    def start_anew(self) -> None:
        """A new capture is coming (not a file: files dropped one after another make one
        conversation). Forget the answered turns and their detail; keep the images waiting
        for a question and the request in flight (the next request interrupts it and takes
        its images). After answered turns the model encodes the whole conversation again
        with each new image: on two cores the eighth description of a 1920x1080 screen in one
        conversation waited 12.6 s for its first token instead of 1.3 s, and the conversation
        soon outgrows the model's context."""
        self.history = ()
        self.detail = False

    def attach(self, image: Any) -> None:
        """Keep `image` for the next question."""
        self.pending_images.append(image)

    def start(
        self,
        text: str,
        images: list[Any],
        *,
        max_new_tokens: int,
        carried: tuple[Any, ...] = (),
        ground: bool = True,
    ) -> Request:
        """The request asking `text` about `carried` (an interrupted request's images) and
        `images`, after the turns so far; the pending images are taken by it. `ground`: give
        the model the images' text (see Request.ground)."""
        self.pending_images = []
        turn = Turn(text, (*carried, *images))
        request = Request((*self.history, turn), max_new_tokens, detail=self.detail, ground=ground)
        self.in_flight = request
        return self.in_flight

    def upcoming(self, *, max_new_tokens: int) -> Request:
        """The request the next question will make about the pending images (its text not
        known yet: empty), without taking them."""
        turn = Turn("", tuple(self.pending_images))
        return Request((*self.history, turn), max_new_tokens, detail=self.detail)

    def interrupt(self) -> tuple[Any, ...]:
        """Forget the request in flight; return its new images (a new question keeps them)."""
        if self.in_flight is None:
            return ()
        images = self.in_flight.turns[-1].images
        self.in_flight = None
        return images

    def answered(self, text: str) -> None:
        """The request in flight was answered with `text`: it becomes the newest turn."""
        if self.in_flight is None:
            return
        turns = self.in_flight.turns
        self.history = (*turns[:-1], turns[-1].answered(text))
        self.in_flight = None

    def failed(self, partial: str) -> None:
        """The request in flight failed. Text it kept (`partial`) stays as its answer, so a
        follow-up can go on from it; without any, its images wait for a retry."""
        if self.in_flight is None:
            return
        if partial:
            self.answered(partial)
            return
        self.pending_images = list(self.in_flight.turns[-1].images)
        self.in_flight = None

    def want_detail(self) -> None:
        """From now on, look at the images tile by tile."""
        self.detail = True

    def clear(self) -> None:
        """Forget everything (a new conversation)."""
        self.history = ()
        self.pending_images = []
        self.detail = False
        self.in_flight = None

    def _turns(self) -> tuple[Turn, ...]:
        return (*self.history, *(self.in_flight.turns[-1:] if self.in_flight else ()))
