"""Fakes the window's controller is given in place of speech, screen capture and the model."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from PIL import Image, ImageDraw

from desktop_app.core.accessible import (
    AccessibleItem,
    AccessibleNode,
    Role,
    ScreenFacts,
    attach_facts,
)
from desktop_app.core.errors import CaptureError, IrisError
from desktop_app.core.types import Answer, ProgressCallback, Rect, Request, TextCallback
from desktop_app.engine.backend import Backend


class FakeSpeaker:
    """Records what would be said, and whether it interrupted."""

    def __init__(self) -> None:
        self.said: list[tuple[str, bool]] = []
        self.languages: list[str | None] = []
        """The language each utterance of `said` was asked for (None: the speaker's own)."""
        self.stopped = 0

    def say(self, text: str, *, interrupt: bool = False, language: str | None = None) -> None:
        self.said.append((text, interrupt))
        self.languages.append(language)

    def stop(self) -> None:
        self.stopped += 1


class FakeStream:
    """Speech of one answer: its pieces, how it ended, and pieces that came after the end."""

    def __init__(self) -> None:
        self.language: str | None = None
        """The answer's language, as the Voice set it."""
        self.pieces: list[str] = []
        self.finished = False
        self.cancelled = False
        self.pieces_after_finish = 0
        self.pieces_after_cancel = 0

    def feed(self, piece: str) -> None:
        self.pieces.append(piece)
        self.pieces_after_finish += self.finished
        self.pieces_after_cancel += self.cancelled

    def finish(self) -> None:
        self.finished = True

    def cancel(self) -> None:
        self.cancelled = True


def picture(size: tuple[int, int], colour: tuple[int, int, int]) -> Image.Image:
    """A picture with something in it (a framed box on a plain background), so it is not
    taken for a blank capture."""
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).rectangle(
        (size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), outline=(255, 255, 255), width=3
    )
    return image


class FakeCapturer:
    """A screen and a window (pictures with a box in them); `fail` makes the screen capture
    fail. `active` is the window the user works in; `activated` lists the windows given
    focus."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.fail = False
        self.screen_image = picture((1280, 800), (10, 120, 200))
        self.active: int | None = None
        self.activated: list[int] = []
        self.item = AccessibleNode(Role.BUTTON, "", Rect(100, 200, 120, 40))
        """The focused item and the one under the pointer."""
        self.item_clipped = False
        self.item_error: IrisError | None = None
        self.pointer_moves: list[tuple[int, int]] = []
        self.pointer_error: IrisError | None = None

    def active_window_id(self) -> int | None:
        return self.active

    def activate(self, window_id: int) -> bool:
        self.activated.append(window_id)
        self.active = window_id
        return True

    def screen(self) -> Image.Image:
        self.calls.append("screen")
        if self.fail:
            raise CaptureError("No display to capture.")
        return self.screen_image

    def window(self) -> Image.Image:
        self.calls.append("window")
        return picture((640, 480), (200, 120, 10))

    def focused_item(self) -> Image.Image:
        self.calls.append("focused_item")
        return self._item()

    def item_under_pointer(self) -> Image.Image:
        self.calls.append("item_under_pointer")
        return self._item()

    def _item(self) -> Image.Image:
        if self.item_error is not None:
            raise self.item_error
        image = picture((self.item.rect.width, self.item.rect.height), (30, 30, 30))
        origin = (self.item.rect.x, self.item.rect.y)
        facts = ScreenFacts(origin, item=AccessibleItem(self.item), clipped=self.item_clipped)
        return attach_facts(image, facts)

    def move_pointer(self, x: int, y: int) -> None:
        if self.pointer_error is not None:
            raise self.pointer_error
        self.pointer_moves.append((x, y))


class NoCapture:
    """For tests that never capture: any capture fails the test."""

    def active_window_id(self) -> int | None:
        return None

    def activate(self, window_id: int) -> bool:
        raise AssertionError("not used")

    def screen(self) -> Image.Image:
        raise AssertionError("not used")

    def window(self) -> Image.Image:
        raise AssertionError("not used")

    def focused_item(self) -> Image.Image:
        raise AssertionError("not used")

    def item_under_pointer(self) -> Image.Image:
        raise AssertionError("not used")

    def move_pointer(self, x: int, y: int) -> None:
        raise AssertionError("not used")


LOADING_TENTHS = tuple(tenth / 10 for tenth in range(11))
"""Loading progress reported in tenths, 0 to 1."""


class FakeBackend(Backend):
    """An engine backend that answers from a script and records what it is asked.

    `start` records the request, passes each of `pieces` to `on_text` and answers their
    text with `prompt_tokens` and one generated token a piece. `load` reports `progress`
    (fractions of "Loading model"), each step first taking `step` (a semaphore the test
    releases) when given; it first waits for `held` (an event the test sets) when given.
    Either wait failing within `hold_s` fails the load. `load_error` is raised by `load`,
    and by `start` too, which loads first as LocalBackend does; `start_error` by `start`
    (`AssertionError("not used")` for a backend whose start fails the test). Answers carry
    `place` (as an answer to "Where is …?" does).
    """

    def __init__(
        self,
        *,
        description: str = "fake model",
        pieces: Sequence[str] = ("A fake answer.",),
        prompt_tokens: int = 1,
        progress: Sequence[float] = (),
        step: threading.Semaphore | None = None,
        held: threading.Event | None = None,
        hold_s: float = 30.0,
        load_error: BaseException | None = None,
        start_error: BaseException | None = None,
        place: Rect | None = None,
    ) -> None:
        self._description = description
        self.place = place
        self.pieces = tuple(pieces)
        self.prompt_tokens = prompt_tokens
        self.progress = tuple(progress)
        self.step = step
        self.held = held
        self.hold_s = hold_s
        self.load_error = load_error
        self.start_error = start_error
        self.requests: list[Request] = []
        """Every request `start` was given, in order."""
        self.loads = 0
        self.warm_ups = 0
        self.cancels = 0
        self.closes = 0
        self.calls: list[str] = []
        """"load", "warm_up", "start", "cancel" and "close", in the order they came."""
        self.warmed = threading.Event()
        """Set by the first `warm_up`."""

    def load(self, on_progress: ProgressCallback | None = None) -> None:
        self.calls.append("load")
        self.loads += 1
        if self.held is not None:
            assert self.held.wait(self.hold_s), "the test did not let the load go on"
        if self.load_error is not None:
            raise self.load_error
        for fraction in self.progress:
            if self.step is not None:
                assert self.step.acquire(timeout=self.hold_s), "the test did not release a step"
            if on_progress is not None:
                on_progress("Loading model", fraction)

    def warm_up(self) -> None:
        self.calls.append("warm_up")
        self.warm_ups += 1
        self.warmed.set()

    def start(self, request: Request, on_text: TextCallback) -> Answer:
        self.calls.append("start")
        self.requests.append(request)
        if self.load_error is not None:
            self.load()  # as LocalBackend: a request first loads the model
        if self.start_error is not None:
            raise self.start_error
        for piece in self.pieces:
            on_text(piece)
        text = "".join(self.pieces)
        return Answer(text, self.prompt_tokens, len(self.pieces), place=self.place)

    def cancel(self) -> None:
        self.calls.append("cancel")
        self.cancels += 1

    def close(self) -> None:
        self.calls.append("close")
        self.closes += 1

    @property
    def description(self) -> str:
        return self._description
