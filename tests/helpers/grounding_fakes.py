"""Fakes for the grounding tests: a text reader that answers from a script, a model backend
whose `prepare` can be watched, and a window with an accessibility tree."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from PIL import Image

from desktop_app.core.accessible import (
    AccessibleNode,
    AccessibleTree,
    Role,
    ScreenFacts,
    State,
    attach_facts,
)
from desktop_app.core.reading import LineEnd, TextBlock, TextLine, TextReading, TextWord
from desktop_app.core.types import Rect, Request
from desktop_app.engine.reading.reader import TextReader
from tests.helpers.fakes import FakeBackend, picture

ORIGIN = (100, 50)
"""Where the window's picture sits on the desktop."""
SAVE = AccessibleNode(Role.BUTTON, "Save", Rect(700, 600, 80, 30), frozenset({State.FOCUSED}))
INBOX = AccessibleNode(Role.LABEL, "Inbox", Rect(120, 70, 60, 20))
CHART = AccessibleNode(Role.IMAGE, "", Rect(120, 150, 300, 200))
"""An unnamed image: the tree has no text for it."""


def window_nodes(*extra: AccessibleNode) -> tuple[AccessibleNode, ...]:
    """The window's objects: layout groups, a label, an unnamed image, the Save button."""
    return (
        AccessibleNode(Role.GROUP, "", Rect(100, 50, 800, 600), depth=1),
        INBOX,
        AccessibleNode(Role.SEPARATOR, "", Rect(100, 100, 800, 2)),
        CHART,
        SAVE,
        *extra,
    )


def window_image(
    nodes: Sequence[AccessibleNode] | None = None,
    *,
    size: tuple[int, int] = (800, 600),
    origin: tuple[int, int] = ORIGIN,
    truncated: bool = False,
) -> Image.Image:
    """An 800x600 window picture at ORIGIN with its tree attached."""
    window = AccessibleNode(Role.WINDOW, "Mail", Rect(*ORIGIN, 800, 600))
    tree = AccessibleTree(window, tuple(nodes or window_nodes()), truncated, application="mail")
    return attach_facts(picture(size, (20, 20, 30)), ScreenFacts(origin, tree=tree))


class ScriptedReader(TextReader):
    """Answers its n-th read with those of the n-th of `reads` (lines with boxes in the pixels
    of the image read) that lie on the image; nothing once they run out. Records the size of
    each image read. `when_reading` runs at the start of each read; with `until_stopped` each
    read lasts until it is told to stop. Each line (a block of its own) goes to the caller's
    `on_line` as it is read (after `each_line`, where given), as the real reader's do."""

    def __init__(
        self,
        *reads: Sequence[tuple[str, Rect]],
        when_reading: Callable[[], None] | None = None,
        until_stopped: bool = False,
        each_line: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.reads = reads
        self.when_reading = when_reading
        self.until_stopped = until_stopped
        self.each_line = each_line
        self.sizes: list[tuple[int, int]] = []
        self.stopped: list[bool] = []
        """With `until_stopped`: whether each read was told to stop (within 10 s)."""
        self._reads_ended = threading.Semaphore(0)
        self.closes = 0

    def close(self) -> None:
        self.closes += 1

    def wait_for_reads(self, count: int, timeout_s: float) -> bool:
        """Whether `count` reads (more than those waited for before) returned within the time."""
        return all(self._reads_ended.acquire(timeout=timeout_s) for _ in range(count))

    def read(self, image: Any, on_line: Any = None, cancelled: Any = None) -> TextReading:
        self.sizes.append(image.size)
        if self.when_reading is not None:
            self.when_reading()
        if self.until_stopped:
            self.stopped.append(cancelled is not None and cancelled.wait(10.0))
        found = self.reads[len(self.sizes) - 1] if len(self.sizes) <= len(self.reads) else ()
        blocks = []
        width, height = image.size
        for text, box in found:
            if box.x + box.width > width or box.y + box.height > height:
                continue  # not on this image
            line = TextLine((TextWord(text, 0.99),), box, 0.99)
            blocks.append(TextBlock((line,), box))
            if self.each_line is not None:
                self.each_line()
            if on_line is not None:
                on_line(line, LineEnd.BLOCK)
        self._reads_ended.release()
        return TextReading(tuple(blocks), *image.size)


class PreparingBackend(FakeBackend):
    """A FakeBackend whose `prepare` records itself in `calls` and runs `when_preparing`
    (`stop_waiting` is recorded too)."""

    def __init__(self, when_preparing: Callable[[], None] | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.when_preparing = when_preparing
        self.prepared: list[Request] = []
        self.prompts: list[Request] = []
        """The requests given to `prepare_prompt` (which then prepares as `prepare` does)."""
        self.prompted = threading.Semaphore(0)
        """Released as each `prepare_prompt` returns."""
        self.prepare_done = threading.Event()

    def prepare(self, request: Request) -> None:
        self.calls.append("prepare")
        self.prepared.append(request)
        if self.when_preparing is not None:
            self.when_preparing()
        self.calls.append("prepared")
        self.prepare_done.set()

    def prepare_prompt(self, request: Request) -> None:
        self.prompts.append(request)
        self.prepare(request)
        self.prompted.release()

    def stop_waiting(self) -> None:
        self.calls.append("stop_waiting")
