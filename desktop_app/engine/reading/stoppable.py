"""onnxruntime runs that stop part-way when a reading is cancelled.

Detecting the text of a whole screen is one run of the detection model (seconds on a busy
two-core computer); checking for cancel between runs is not enough to let the model go on at
once. onnxruntime checks a run's terminate flag between two of the model's operations: a
watcher sets it as soon as the reading's cancel event is set.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

WATCH_S = 0.01
"""How often a running model's watcher looks at the cancel event."""


class RunStopped(Exception):
    """A run ended early because its reading was cancelled."""


class StoppableSession:
    """Wraps an onnxruntime InferenceSession: runs made inside `stopping(cancelled)` end with
    RunStopped soon after `cancelled` is set; other runs are unchanged."""

    def __init__(self, session: Any, run_config: dict[str, str] | None = None) -> None:
        self._session = session
        self._local = threading.local()
        self._run_config = run_config or {}
        """onnxruntime run-config entries given to every run."""

    def _options(self, run_options: Any) -> Any:
        if not self._run_config:
            return run_options
        import onnxruntime

        options = run_options or onnxruntime.RunOptions()
        for key, value in self._run_config.items():
            options.add_run_config_entry(key, value)
        return options

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    @contextmanager
    def stopping(self, cancelled: threading.Event | None) -> Iterator[None]:
        """Runs on this thread, inside the block, stop when `cancelled` is set."""
        self._local.cancelled = cancelled
        try:
            yield
        finally:
            self._local.cancelled = None

    def run(self, output_names: Any, input_feed: Any, run_options: Any = None) -> Any:
        cancelled: threading.Event | None = getattr(self._local, "cancelled", None)
        run_options = self._options(run_options)
        if cancelled is None:
            return self._session.run(output_names, input_feed, run_options)
        if cancelled.is_set():
            raise RunStopped
        import onnxruntime

        options = run_options or onnxruntime.RunOptions()
        finished = threading.Event()

        def watch() -> None:
            while not finished.wait(WATCH_S):
                if cancelled.is_set():
                    options.terminate = True
                    return

        threading.Thread(target=watch, name="iris-run-watch", daemon=True).start()
        try:
            return self._session.run(output_names, input_feed, options)
        except Exception as error:
            if cancelled.is_set():
                raise RunStopped from error
            raise
        finally:
            finished.set()
