"""Garbage is collected on the GUI thread only while the window runs (gui_thread_gc)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.gui.gui_thread_gc import GuiThreadCollector


class _Cycle:
    """Half of a reference cycle that records the thread its finalizer ran on."""

    def __init__(self, finalized_on: list[str]) -> None:
        self.finalized_on = finalized_on
        self.other: object = None

    def __del__(self) -> None:
        self.finalized_on.append(threading.current_thread().name)


def _make_cycle(finalized_on: list[str]) -> None:
    first, second = _Cycle(finalized_on), _Cycle(finalized_on)
    first.other, second.other = second, first


def _allocate_on_a_thread() -> list[list[int]]:
    """What the engine's thread does while reading replies: allocate many containers (far
    past the youngest generation's threshold); they are returned, kept alive."""
    kept: list[list[int]] = []

    def allocate() -> None:
        kept.extend([index] for index in range(20 * gc.get_threshold()[0]))

    thread = threading.Thread(target=allocate, name="busy-engine")
    thread.start()
    thread.join()
    return kept


@pytest.fixture
def collector(qtbot: QtBot) -> Iterator[GuiThreadCollector]:
    collector = GuiThreadCollector(interval_ms=20)
    try:
        yield collector
    finally:
        collector.stop()


def test_a_cycle_is_collected_on_the_gui_thread_not_where_memory_was_allocated(
    qtbot: QtBot, collector: GuiThreadCollector
) -> None:
    finalized_on: list[str] = []
    _make_cycle(finalized_on)
    allocated = _allocate_on_a_thread()
    assert finalized_on == []  # the busy thread did not collect it
    qtbot.waitUntil(lambda: len(finalized_on) == 2)
    assert set(finalized_on) == {threading.main_thread().name}
    assert allocated


def test_without_it_the_busy_thread_collects() -> None:
    """The hazard the collector removes (so the test above can fail)."""
    assert gc.isenabled()
    finalized_on: list[str] = []
    _make_cycle(finalized_on)
    _allocate_on_a_thread()
    assert "busy-engine" in finalized_on


def test_stop_gives_automatic_collection_back_as_it_was(qtbot: QtBot) -> None:
    assert gc.isenabled()
    collector = GuiThreadCollector()
    assert not gc.isenabled()
    collector.stop()
    assert gc.isenabled()
    gc.disable()
    try:
        GuiThreadCollector().stop()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_nothing_due_collects_nothing(collector: GuiThreadCollector) -> None:
    gc.collect()
    assert collector.collect_due() == 0
