"""Fakes the window's controller is given in place of speech and screen capture."""

from __future__ import annotations

from PIL import Image

from desktop_app.core.errors import CaptureError


class FakeSpeaker:
    """Records what would be said, and whether it interrupted."""

    def __init__(self) -> None:
        self.said: list[tuple[str, bool]] = []
        self.stopped = 0

    def say(self, text: str, *, interrupt: bool = False) -> None:
        self.said.append((text, interrupt))

    def stop(self) -> None:
        self.stopped += 1


class FakeStream:
    """Speech of one answer: its pieces, how it ended, and pieces that came after the end."""

    def __init__(self) -> None:
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


class FakeCapturer:
    """A screen and a window of plain colour; `fail` makes the screen capture fail.
    `active` is the window the user works in; `activated` lists the windows given focus."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.fail = False
        self.screen_image = Image.new("RGB", (1280, 800), (10, 120, 200))
        self.active: int | None = None
        self.activated: list[int] = []

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
        return Image.new("RGB", (640, 480), (200, 120, 10))


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
