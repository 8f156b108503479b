"""The previous capture of each window, for "what changed" prompts: kept in memory only,
never written to disk, and only for the most recent windows."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

WINDOWS_KEPT = 8
"""How many windows' captures are kept; the least recently captured is forgotten first."""


class LastCaptures:
    """The last capture per window id (None: a window the platform could not name)."""

    def __init__(self, windows: int = WINDOWS_KEPT) -> None:
        self._windows = windows
        self._images: OrderedDict[int | None, Any] = OrderedDict()

    def swap(self, window_id: int | None, image: Any) -> Any | None:
        """Keep `image` as `window_id`'s last capture; return the one it replaces, or None."""
        previous = self._images.pop(window_id, None)
        self._images[window_id] = image
        while len(self._images) > self._windows:
            self._images.popitem(last=False)
        return previous

    def forget(self) -> None:
        """Drop every capture."""
        self._images.clear()

    def __len__(self) -> int:
        return len(self._images)
