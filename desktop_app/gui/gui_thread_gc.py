"""Python's garbage collection on the GUI thread only (after pyqtgraph's and Spyder's
GarbageCollector).

Left automatic, a collection runs on whichever thread happens to allocate past the threshold:
the engine's thread reading the model's replies, the speech thread. A reference cycle that
holds a Qt object made on the GUI thread (a widget, a pixmap, a timer) is then destroyed on
that other thread, which Qt does not allow and which can crash the process at random. So the
automatic collector is switched off while the window runs, and the GUI thread collects on a
timer with the thresholds the automatic one would use.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 250
"""How often the GUI thread looks at the allocation counts (cheap when nothing is due)."""


def collect_due(thresholds: tuple[int, ...]) -> int:
    """Collect, on the calling thread, the oldest generation whose count has passed its
    threshold in `thresholds` (`gc.get_threshold()`'s form), as the automatic collector would;
    the number of objects found unreachable (0: none due)."""
    due = [
        generation
        for generation, (count, threshold) in enumerate(
            zip(gc.get_count(), thresholds, strict=True)
        )
        if threshold and count > threshold
    ]
    return gc.collect(due[-1]) if due else 0


class GuiThreadCollector(QObject):
    """Switches automatic collection off until `stop`; collects on the GUI thread instead."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int:
        """Collect the oldest generation whose count has passed its threshold, as the
        automatic collector would; the number of objects found unreachable (0: none due)."""
        return collect_due(self._thresholds)

    def stop(self, *, everything: bool = True) -> None:
        """Collect what is left (`everything` False: only what is due) and give collection
        back to Python as it was."""
        self._timer.stop()
        if everything:
            gc.collect()
        else:
            self.collect_due()
        if self._was_enabled:
            gc.enable()
