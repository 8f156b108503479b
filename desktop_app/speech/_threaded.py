"""A speaker whose engine lives on one dedicated thread, fed through a queue."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from desktop_app.core import messages
from desktop_app.core import messages as new_messages
from desktop_app.core.errors import SpeechError, first_line
from desktop_app.speech._route import OWN_VOICE_ROUTE, SpeechRoute

log = logging.getLogger(__name__)


class Backend(Protocol):
    """Speaks on the speaker's thread; only `interrupt` is called from other threads."""

    def speak(self, text: str, cancelled: threading.Event) -> None:
        """Speak `text`; return when it is over, or soon after `cancelled` is set."""
        ...

    def interrupt(self) -> None:
        """Make the running `speak` return now (its `cancelled` is already set)."""
        ...

    def close(self) -> None:
        """Release the engine."""
        ...


class LanguageBackend(Protocol):
    """A Backend that can speak in a chosen language (Iris's own voice, speech-dispatcher);
    the others (NVDA, JAWS, VoiceOver) speak in the screen reader's own voice."""

    def use_language(self, language: str | None) -> None:
        """Speak what follows with a voice of `language` (a code such as "de")."""
        ...


@dataclass
class _Utterance:
    text: str
    language: str | None = None
    cancelled: threading.Event = field(default_factory=threading.Event)


class ThreadedSpeaker:
    """Queues utterances for a Backend made and used on the speaker's own thread.

    If the backend cannot be made, or fails while speaking, the speaker goes silent: `problem`
    says why, and every later call does nothing. Callers never see an exception. A failure
    after a good start is also passed to `on_problem`, on the speaker's thread.
    """

    def __init__(
        self,
        backend_factory: Callable[[], Backend],
        *,
        name: str = "iris-speech",
        start_timeout: float = 10.0,
        on_problem: Callable[[str], None] | None = None,
        route: SpeechRoute = OWN_VOICE_ROUTE,
        language: str | None = None,
    ) -> None:
        """`language` (a code such as "de") is spoken where `say` names none: the
        interface's, for Iris's own messages."""
        self.problem: str | None = None
        self.language = language
        self.route = route
        """Whose voice speaks, and why (create_speaker sets it once the backend is made)."""
        self._on_problem = on_problem
        self._condition = threading.Condition()
        self._queue: deque[_Utterance] = deque()
        self._current: _Utterance | None = None
        self._backend: Backend | None = None
        self._closing = False
        self._finished = False
        self._started = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(backend_factory,), name=name, daemon=True
        )
        self._thread.start()
        if not self._started.wait(start_timeout):
            log.warning("speech engine did not start within %.0f s; still waiting", start_timeout)

    def say(self, text: str, *, interrupt: bool = False, language: str | None = None) -> None:
        """Queue `text` (blank text is ignored), to be spoken in `language` (by default the
        speaker's); with `interrupt`, stop everything first."""
        if interrupt:
            self.stop()
        if not text.strip():
            return
        with self._condition:
            if self._finished or self._closing:
                return
            self._queue.append(_Utterance(text, language or self.language))
            self._condition.notify_all()

    def stop(self) -> None:
        """Drop the queue and silence the current utterance."""
        with self._condition:
            for utterance in self._queue:
                utterance.cancelled.set()
            self._queue.clear()
            current, backend = self._current, self._backend
            if current is not None:
                current.cancelled.set()
            self._condition.notify_all()
        if current is not None and backend is not None:
            try:
                backend.interrupt()
            except Exception as error:
                log.warning("could not interrupt speech: %s", error)

    def wait_idle(self, timeout: float) -> bool:
        """True once the queue is empty and nothing is being spoken."""
        with self._condition:
            return self._condition.wait_for(
                lambda: self._finished or (not self._queue and self._current is None), timeout
            )

    def close(self, timeout: float = 5.0) -> None:
        """Stop, end the thread and release the engine."""
        with self._condition:
            self._closing = True
        self.stop()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("speech thread did not end within %.0f s", timeout)

    # -- the speaker's thread ----------------------------------------------------------------
    def _run(self, backend_factory: Callable[[], Backend]) -> None:
        try:
            backend = backend_factory()
        except Exception as error:
            self._fail(error, starting=True)
            self._started.set()
            return
        with self._condition:
            self._backend = backend
        self._started.set()
        try:
            while self._speak_next(backend):
                pass
        finally:
            try:
                backend.close()
            except Exception as error:
                log.warning("closing the speech engine failed: %s", error)
            with self._condition:
                self._backend = None
                self._finished = True
                self._condition.notify_all()

    def _speak_next(self, backend: Backend) -> bool:
        """Speak one queued utterance; False when the thread should end."""
        with self._condition:
            self._condition.wait_for(lambda: bool(self._queue) or self._closing)
            if self._closing:
                return False
            utterance = self._current = self._queue.popleft()
        try:
            if not utterance.cancelled.is_set():
                _use_language(backend, utterance.language)
                backend.speak(utterance.text, utterance.cancelled)
        except Exception as error:
            self._fail(error, starting=False)
            return False
        finally:
            with self._condition:
                self._current = None
                self._condition.notify_all()
        return True

    def _fail(self, error: Exception, *, starting: bool) -> None:
        """Go silent for good, with the reason in `problem`."""
        if isinstance(error, SpeechError):
            problem = error.message
        else:
            template = (
                new_messages.SPEECH_ENGINE_NOT_STARTED
                if starting
                else messages.SPEECH_ENGINE_FAILED
            )
            problem = template.format(reason=first_line(error))
        log.warning("speech is off: %s", problem, exc_info=not isinstance(error, SpeechError))
        with self._condition:
            self.problem = problem
            self._finished = True
            for utterance in self._queue:
                utterance.cancelled.set()
            self._queue.clear()
            self._condition.notify_all()
        if not starting and self._on_problem is not None:
            try:
                self._on_problem(problem)
            except Exception:
                log.warning("reporting that speech is off failed", exc_info=True)


def _use_language(backend: Backend, language: str | None) -> None:
    """Have `backend` speak in `language` if it can choose (a LanguageBackend)."""
    use = getattr(backend, "use_language", None)
    if use is not None:
        use(language)
