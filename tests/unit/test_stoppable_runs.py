"""A reading cancelled part-way stops inside its current model run, not after it."""

from __future__ import annotations

import threading
import time

import pytest

from desktop_app.engine.reading.ocr import FIRST_BAND
from desktop_app.engine.reading.reader import TextReader
from desktop_app.engine.reading.stoppable import RunStopped, StoppableSession
from desktop_app.testing.text_screens import document


class SlowSession:
    """A session whose run lasts until its options' terminate flag is set (or `hold_s`)."""

    def __init__(self, hold_s: float = 10.0) -> None:
        self.terminated = threading.Event()
        self.hold_s = hold_s

    def run(
        self, output_names: object, input_feed: object, run_options: object = None
    ) -> list[int]:
        deadline = time.monotonic() + self.hold_s
        while time.monotonic() < deadline:
            if run_options is not None and getattr(run_options, "terminate", False):
                self.terminated.set()
                raise RuntimeError("Exiting due to terminate flag being set to true.")
            self.terminated.wait(0.005)
        return [1]


def test_a_run_stops_when_its_reading_is_cancelled() -> None:
    slow = SlowSession()
    session = StoppableSession(slow)
    cancelled = threading.Event()
    threading.Timer(0.05, cancelled.set).start()
    with session.stopping(cancelled), pytest.raises(RunStopped):
        session.run(None, {})
    assert slow.terminated.is_set()


def test_runs_outside_a_reading_are_unchanged() -> None:
    session = StoppableSession(SlowSession(hold_s=0.0))
    assert session.run(None, {}, type("Options", (), {"terminate": False})()) == [1]


def test_a_whole_screen_reading_stops_inside_its_detection() -> None:
    """Detection of a big dense screen is one long run: cancel ends that run part-way."""
    screen = document("dark", "DejaVu Sans", 11).image.resize((2880, 1800))
    reader = TextReader(threads=1)
    detector = reader.models._stoppable[0]
    outcomes: list[str] = []
    real_run = detector.run

    def watched_run(*arguments: object) -> object:
        (pixels,) = dict(arguments[1]).values()  # type: ignore[call-overload]
        if pixels.shape[2] > 2 * FIRST_BAND:  # not the top band, detected first on its own
            threading.Timer(0.1, cancelled.set).start()  # cancel while the detection runs
        try:
            result = real_run(*arguments)
        except RunStopped:
            outcomes.append("stopped")
            raise
        outcomes.append("finished")
        return result

    cancelled = threading.Event()
    detector.run = watched_run  # type: ignore[method-assign]
    try:
        reading = reader.read(screen, cancelled=cancelled)
    finally:
        del detector.run
    # The top band's run ends first; its first line is the only one read.
    assert outcomes == ["finished", "stopped"]
    assert len(reading.lines) <= 1
