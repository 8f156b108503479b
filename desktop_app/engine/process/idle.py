"""When an unused model process is ended to give its memory back: the policy, with the clock
passed in (tests move it; the window asks every IDLE_CHECK_S)."""

from __future__ import annotations

import time
from collections.abc import Callable

IDLE_CHECK_S = 30.0
"""How often the window asks whether the model has been unused long enough."""


class IdleClock:
    """Time since the model was last used. `touch` at every use (a request sent, answered,
    failed, spoken); `due` says whether `limit_s` has passed with nothing busy."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last_used = clock()

    def touch(self) -> None:
        self.last_used = self.clock()

    def idle_s(self) -> float:
        return self.clock() - self.last_used

    def due(self, limit_s: float | None, *, busy: bool) -> bool:
        """True when `limit_s` (None: never) has passed since the last use and nothing is
        busy now (answering, loading, speaking); a busy moment counts as a use."""
        if busy:
            self.touch()
            return False
        return limit_s is not None and self.idle_s() >= limit_s
