"""The contract every engine backend keeps (local transformers now, a remote server later).

Modelled on NVDA's contentRecog: one small interface with cancel. `start` blocks the
calling thread (run it on a worker), streams text pieces through `on_text`, and returns an
`Answer` or raises a typed `IrisError`. `cancel` may be called from any thread.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from desktop_app.core.types import Answer, ProgressCallback, Request, TextCallback


class Backend(ABC):
    """Turns requests into streamed answers."""

    @abstractmethod
    def load(self, on_progress: ProgressCallback | None = None) -> None:
        """Get ready to answer (download, load, warm up). Safe to call more than once."""

    def load_for(self, request: Request, on_progress: ProgressCallback | None = None) -> None:
        """`load`, for `request`, which waits on it: a wrapper may begin the request's own
        work meanwhile (the text reader reads its images while the model loads)."""
        self.load(on_progress)

    @abstractmethod
    def start(self, request: Request, on_text: TextCallback) -> Answer:
        """Answer `request`, passing each new piece of text to `on_text` as it comes.

        A request started while another runs cancels the running one first. A cancelled
        request returns its partial answer with `stop_reason` CANCELLED.
        """

    @abstractmethod
    def cancel(self) -> None:
        """Stop the running request within one decoding step. Does nothing when idle."""

    @property
    @abstractmethod
    def description(self) -> str:
        """Which model runs where, for the status line (e.g. 'SmolVLM-256M-Instruct, cpu, int8')."""

    @property
    def needs_load(self) -> bool:
        """True when `start` would first have to load (a model process not running: never
        started, unloaded, or ended); the window then loads it with progress first."""
        return False

    def prepare(self, request: Request) -> None:  # noqa: B027 - optional hook
        """Do now, on the caller's thread, the part of answering `request` that does not
        depend on its prompt text (a local model: preparing and encoding the images).

        A wrapper that works on the prompt first (the text reader) runs this at the same time
        on another thread; the next `start` with the same images uses what it made. It never
        raises (a failure leaves the work to `start`) and `cancel` cuts it short.
        """

    def prepare_prompt(self, request: Request) -> None:
        """Do now all of answering `request` that a `start` whose prompt begins with its
        prompt can take up (a local model: its images, and its prompt run through the
        model); by default `prepare`. The same contract as `prepare`."""
        self.prepare(request)

    def stop_waiting(self) -> None:  # noqa: B027 - optional hook
        """Other work is coming (the request for what `prepare` was given, an unload; called
        from any thread): a `prepare` that waits for work going on without it returns now,
        and that work goes on."""

    def warm_up(self) -> None:  # noqa: B027 - optional hook
        """Run once, after `load`, what makes a first request slow (the window does this idle)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the model's memory."""
