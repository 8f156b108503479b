"""The test suite's garbage collection on the main thread only, as the app's (gui_thread_gc).

pytest runs the window in-process, and a test's engine, speech and saving threads allocate
while it runs. Left automatic, a collection runs on whichever of them passes the threshold and
destroys there the Qt objects that earlier tests left in reference cycles: during tests/gui,
3-27 live QThreads (and palettes, drop events) at a time were destroyed on the engine's
thread, and the suite once ended in a segmentation fault in test_gui.py. So automatic
collection is off for the whole run, and the main thread collects what is due: at the end of
each test and, in tests with Qt's event loop, on a timer as the app does. (A model loaded in
the test's own process still collects on the engine's thread, int8_cache.release_free_memory;
the app loads models in a process of their own. The engine's QThread is destroyed at shutdown
for that reason; only palettes, plain values, were left for those collections to find.)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from desktop_app.gui.gui_thread_gc import GuiThreadCollector, collect_due

AUTOMATIC_MARKER = "automatic_gc"
"""Marks a test that needs Python's own collector (after a full collection on the main thread,
so that no Qt object is left for another thread to destroy)."""


@contextmanager
def collected_on_the_main_thread(with_event_loop: bool) -> Iterator[None]:
    """Automatic collection off during the block and after it; what is due is collected on
    this (the main) thread at its end and, `with_event_loop`, in it as the app does
    (GuiThreadCollector)."""
    gc.disable()
    collector = GuiThreadCollector() if with_event_loop else None
    try:
        yield
    finally:
        if collector is not None:
            collector.stop(everything=False)
        else:
            collect_due(gc.get_threshold())


@contextmanager
def automatic_collection() -> Iterator[None]:
    """Python's own collector during the block, with nothing left over from earlier tests."""
    gc.collect()
    gc.enable()
    try:
        yield
    finally:
        gc.collect()
        gc.disable()
