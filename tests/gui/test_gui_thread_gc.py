"""Garbage is collected on the GUI thread only while the window runs (gui_thread_gc)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from desktop_app.gui.gui_thread_gc import GuiThreadCollector
from desktop_app.gui.worker import EngineWorker
from tests.helpers.fakes import FakeBackend
from tests.helpers.main_thread_gc import collected_on_the_main_thread

# The suite collects on the main thread only (tests/conftest.py); the tests marked
# automatic_gc need Python's own collector, which GuiThreadCollector switches off and gives back.


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


@pytest.mark.automatic_gc
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


@pytest.mark.automatic_gc
def test_without_it_the_busy_thread_collects() -> None:
    """The hazard the collector removes (so the test above can fail)."""
    assert gc.isenabled()
    finalized_on: list[str] = []
    _make_cycle(finalized_on)
    _allocate_on_a_thread()
    assert "busy-engine" in finalized_on


@pytest.mark.automatic_gc
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


def test_stopping_with_only_what_is_due_leaves_a_young_cycle(qtbot: QtBot) -> None:
    """`stop(everything=False)`, as the test suite stops one after each test: no full
    collection each time."""
    gc.collect()
    collector = GuiThreadCollector()
    finalized_on: list[str] = []
    _make_cycle(finalized_on)
    collector.stop(everything=False)
    assert finalized_on == []
    gc.collect()
    assert finalized_on == [threading.main_thread().name] * 2


def test_nothing_due_collects_nothing(collector: GuiThreadCollector) -> None:
    gc.collect()
    assert collector.collect_due() == 0


def test_the_test_suite_collects_on_the_main_thread_only() -> None:
    """The suite's own guard (tests/helpers/main_thread_gc): a busy thread in a test does
    not collect; the main thread does as the block ends."""
    assert not gc.isenabled()
    finalized_on: list[str] = []
    with collected_on_the_main_thread(with_event_loop=False):
        _make_cycle(finalized_on)
        allocated = _allocate_on_a_thread()
        assert finalized_on == []
    assert set(finalized_on) == {threading.main_thread().name}
    assert allocated


def test_the_engine_thread_is_destroyed_on_the_gui_thread_at_shutdown(qtbot: QtBot) -> None:
    """Not left to a garbage collection, which may run on another thread (a model loaded in
    the same process collects on the engine's thread)."""
    worker = EngineWorker(FakeBackend(description="fake"))
    thread = worker.thread()
    assert isinstance(thread, QThread) and thread.isRunning()
    worker.shutdown()
    assert not shiboken6.isValid(thread)
    worker.shutdown()  # twice is harmless
