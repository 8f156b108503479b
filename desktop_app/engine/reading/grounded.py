"""A backend wrapper that grounds a model in what is known about its images (the
accessibility facts, then the text reader where those have no text) and answers "Where is …?"
from them without the model."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from desktop_app.core.accessible import facts_of
from desktop_app.core.types import (
    Answer,
    ProgressCallback,
    Request,
    StopReason,
    TextCallback,
    Timings,
    Turn,
)
from desktop_app.engine.backend import Backend
from desktop_app.engine.reading.image_grounding import ImageGround, ground_image, item_grounding
from desktop_app.engine.reading.reader import TextReader
from desktop_app.engine.reading.where import (
    Located,
    find_node,
    find_text,
    latest_image,
    where_answer,
    where_target,
)
from desktop_app.engine.tasks import GROUNDED
from desktop_app.settings import EngineSettings

log = logging.getLogger(__name__)

READ_BUDGET_S = 1.0
"""The text reader stops (keeping the lines read so far, in reading order) once the inner
backend has prepared the images and this long has passed since the request was first waited
on (its model's load included): the model does not wait for the rest of a dense screen."""


READ_GRACE_S = 0.1
"""When the reading is due it stops at its next step; a reader still inside one long step
(detecting the text of a whole screen) this much later is left to end on its own, unused."""
STOP_WAIT_S = 10.0
"""How long a reading begun while the model loaded is waited for once told to stop (the
load failed, or the backend closes): it may be starting the reader's process, which must
not start after the reader was closed."""
PROMPT_WAIT_S = 30.0
"""How long `prepare` waits for a reading ahead to end before it runs the grounded prompt:
a question asked meanwhile (or an unload) ends the wait sooner (`stop_waiting`)."""
PROMPT_STEP_CHARS = 200
"""While the text is read ahead of a question, the prompt with the text read so far is run
through the model each time this much more has been read (about 60 to 120 tokens): the
question then encodes only what was read since."""
READER_NICENESS = 10
"""The reading beside the model runs at this lower CPU priority (Linux): on a computer whose
cores the image encoding fills, the encoding is not slowed down by it, and the reader reads
with what is left."""


def grounded_if_asked(
    backend: Backend, settings: EngineSettings, reader: TextReader | None = None
) -> Backend:
    """`backend` grounded in the accessibility facts and the text reader (`reader`, else one
    of this process); with grounding off in `settings`, wrapped only to tell the model a
    captured item's facts and to answer "Where is …?" from the accessibility facts. The reader
    works on one thread unless the settings give a number (its lower priority holds for the
    thread it runs on)."""
    if not settings.ground_in_text:
        return GroundedBackend(backend, ground_in_text=False)
    return GroundedBackend(backend, reader or TextReader(threads=settings.threads or 1))


class Background:
    """Runs `work` on its own thread at READER_NICENESS, keeping its result or its error;
    sets each of `finished` when it ends."""

    def __init__(self, work: Callable[[], Any], *finished: threading.Event) -> None:
        self.work = work
        self.finished = finished
        self._result: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="iris-read", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        lower_priority()
        try:
            self._result = self.work()
        except BaseException as error:  # given to the caller by `result`
            self._error = error
        finally:
            for event in self.finished:
                event.set()

    def ended(self, timeout: float) -> bool:
        """Whether the work has ended, waiting at most `timeout` seconds."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def result(self) -> Any:
        """The work's result, once it has ended; its error is raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


def lower_priority() -> None:
    """Give the calling thread READER_NICENESS (Linux; elsewhere nothing changes)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), READER_NICENESS)
    except OSError as error:  # a container may forbid it: the reading still runs
        log.debug("cannot lower the reading's priority: %s", error)


@dataclass
class _Reading:
    """A request's reading of its images: the events it stops on, and its thread (None
    until it is started)."""

    request: Request
    began: float
    """When the request was first waited on: its reading's budget counts from here."""
    unclaimed: bool = False
    """Begun by `prepare` and not yet taken by a request: `cancel` leaves it reading."""
    settled: threading.Event = field(default_factory=threading.Event)
    """Set when the reading ends, or a request comes: `prepare` waits for it no longer."""
    cancelled: threading.Event = field(default_factory=threading.Event)
    due: threading.Event = field(default_factory=threading.Event)
    """Set when the reading must stop; also set by the thread when it ends."""
    abandoned: threading.Event = field(default_factory=threading.Event)
    thread: Background | None = None
    so_far: str | None = None
    """The grounding of the text read so far (of a request with one image read whole)."""
    progressed: threading.Event = field(default_factory=threading.Event)
    """Set when `so_far` grows, and when the reading settles."""

    def told(self, grounding: str) -> None:
        """The grounding of the text read so far (`ground_image`'s `so_far`)."""
        self.so_far = grounding
        self.progressed.set()

    def settle(self) -> None:
        """`prepare` waits for the reading no longer."""
        self.settled.set()
        self.progressed.set()

    def stop(self, wait_s: float = 0.0) -> None:
        """Tell the reading to stop; wait up to `wait_s` for its thread to end."""
        self.cancelled.set()
        self.due.set()
        self.settle()
        if self.thread is not None and wait_s > 0:
            self.thread.ended(wait_s)


class GroundedBackend(Backend):
    """Wraps a model backend: each turn with images first gets what is known of their text,
    and a where-question answered from it never reaches the model.

    The reading runs while the inner backend's `prepare` works on the same images on another
    thread, and stops when both are due (READ_BUDGET_S); readings are kept per image for
    follow-ups. `prepare` begins both before the question is asked (while it is typed).
    """

    CACHE_SIZE = 8

    def __init__(
        self,
        inner: Backend,
        reader: TextReader | None = None,
        *,
        ground_in_text: bool = True,
        read_budget_s: float | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        """`read_budget_s`: READ_BUDGET_S unless given; `clock` times it."""
        self.inner = inner
        self.read_budget_s = READ_BUDGET_S if read_budget_s is None else read_budget_s
        self.reader = (reader or TextReader()) if ground_in_text else None
        self._reading: _Reading | None = None
        """The reading last begun (by `load_for` or `prepare`, for the `start` given a request
        with its images)."""
        self._found: OrderedDict[int, tuple[Callable[[], Any], ImageGround]] = OrderedDict()
        """Each image's grounding by the image's id, with a weak reference to the image: the
        cache tells the same image again, and keeps no screenshot alive (CACHE_SIZE of them
        held 50 MB at 1920x1080, 124 MB at 2880x1800, in the window's process)."""
        self._cache_lock = threading.Lock()
        self._clock = clock

    def load(self, on_progress: ProgressCallback | None = None) -> None:
        self.inner.load(on_progress)  # first: a model refused (memory) starts no reader either
        if self.reader is not None:
            self.reader.load()

    def load_for(self, request: Request, on_progress: ProgressCallback | None = None) -> None:
        """Load the model while `request`'s new images are read: the reading (the reader's
        process starting too) begins with the model's first progress report, once its
        memory check has let it load, and is done by the time `start` is given the same
        request. A model that fails to load ends the reader as well."""
        if self.reader is None or not request.ground or not self._unread(request):
            self.load(on_progress)
            return
        reading = self._reading_for(request)  # one `prepare` began is taken
        reader = self.reader

        def progress(stage: str, fraction: float) -> None:
            if reading.thread is None:
                self._begin_reading(reading)
            if on_progress is not None:
                on_progress(stage, fraction)

        try:
            self.inner.load(progress)
        except BaseException:
            reading.stop(STOP_WAIT_S)  # it may be starting the reader's process
            if reading.thread is not None:
                reader.close()
            raise

    def _begin_reading(self, reading: _Reading) -> None:
        """Read `reading`'s images on a thread of its own, below the model's priority."""
        reader = self.reader
        reading.thread = Background(
            lambda: self._ground(reading.request, reading, reader),
            reading.due,
            reading.settled,
            reading.progressed,
        )

    def _unread(self, request: Request) -> bool:
        return any(self._known(image) is None for turn in request.turns for image in turn.images)

    def _ground(
        self, request: Request, reading: _Reading, reader: TextReader | None
    ) -> tuple[Turn, ...]:
        """`request`'s turns, grounded by `reading` (through `reader`, or from what is known
        of each image: what a reading kept, or the facts alone)."""
        return tuple(self._grounded(turn, reading, reader) for turn in request.turns)

    def start(self, request: Request, on_text: TextCallback) -> Answer:
        reading = self._reading_for(request)  # the previous one's reading is stopped
        cancelled = reading.cancelled
        started = self._clock()
        target = where_target(request.turns[-1].text)
        latest = latest_image(request.turns)
        if target is not None and latest is not None:
            facts = facts_of(latest)
            located = find_node(facts, latest.size, target) if facts is not None else None
            if located is not None:
                return self._tell(located, latest, on_text, started)
        if self.reader is None or not request.ground:  # off: only an item's facts are told
            turns = tuple(_with_item_facts(turn) for turn in request.turns)
            return self.inner.start(replace(request, turns=turns), on_text)

        if reading.thread is None and self._unread(request):
            self._begin_reading(reading)
        if reading.thread is not None:  # begun by `load_for`, or now
            self._prepare(request, reading)
            if reading.thread.ended(READ_GRACE_S):
                turns = self._read_turns(request, reading)
            else:  # the reader is inside one long step: the model goes on without its text
                with self._cache_lock:
                    reading.abandoned.set()
                turns = self._ground(request, reading, None)
        else:  # nothing to read: the inner backend does it all in `start`
            turns = self._ground(request, reading, self.reader)
        if cancelled.is_set():
            total = self._clock() - started
            return Answer("", 0, 0, Timings(total_s=total), StopReason.CANCELLED)
        if target is not None and latest is not None:
            known = self._known(latest)
            located = find_text(known.lines, target) if known is not None else None
            if located is not None:
                return self._tell(located, latest, on_text, started)
        waited = self._clock() - started
        answer = self.inner.start(replace(request, turns=turns), on_text)
        return replace(answer, timings=_later(answer.timings, waited))

    def _read_turns(self, request: Request, reading: _Reading) -> tuple[Turn, ...]:
        """`request`'s turns grounded by `reading`, which has ended (its error raised here):
        its own result, or for another request with its images (read ahead of the
        question), what it kept of each image."""
        assert reading.thread is not None
        turns: tuple[Turn, ...] = reading.thread.result()
        return turns if reading.request is request else self._ground(request, reading, None)

    def _reading_for(self, request: Request) -> _Reading:
        """The reading begun for `request` (by `load_for`) or ahead of it for its images (by
        `prepare`), now the request's; else a new one (another is stopped)."""
        last = self._reading
        if last is not None and self._serves(last, request):
            last.unclaimed = False
            return last
        if last is not None:
            last.stop()
        self._reading = _Reading(request, self._clock())
        return self._reading

    @staticmethod
    def _serves(reading: _Reading, request: Request) -> bool:
        """Whether `reading` reads what `request` needs: begun for it, or still reading the
        very same images (ahead of its question); and not stopped. (What an ended reading
        read is known per image.)"""
        if reading.cancelled.is_set():
            return False
        if reading.request is request:
            return True
        still = reading.thread is None or not reading.thread.ended(0)
        return still and request.has_the_images_of(reading.request)

    def _prepare(self, request: Request, reading: _Reading) -> None:
        """Prepare the images; then let the reading go on until the budget, counted from when
        it began, is spent (or it ends: it sets `due` itself)."""
        try:
            self.inner.prepare(request)
        except Exception as error:  # preparing is only a head start
            log.debug("preparing failed: %r", error)
        left = self.read_budget_s - (self._clock() - reading.began)
        if left > 0:
            reading.due.wait(left)  # ends early on cancel
        reading.due.set()

    def _tell(self, located: Located, image: Any, on_text: TextCallback, started: float) -> Answer:
        text, place = where_answer(located, facts_of(image), image)
        on_text(text)
        elapsed = self._clock() - started
        timings = Timings(preprocess_s=elapsed, first_token_s=elapsed, total_s=elapsed)
        return Answer(text, 0, 1, timings, StopReason.END_OF_TURN, place=place)

    def _grounded(self, turn: Turn, reading: _Reading, reader: TextReader | None) -> Turn:
        if not turn.images or reading.cancelled.is_set():
            return turn
        found = [self._ground_of(image, reading, reader).text for image in turn.images]
        return _with_grounding(turn, "\n\n".join(part for part in found if part))

    def _known(self, image: Any) -> ImageGround | None:
        key = id(image)
        if key in self._found and self._found[key][0]() is image:
            self._found.move_to_end(key)
            return self._found[key][1]
        return None

    def _ground_of(self, image: Any, reading: _Reading, reader: TextReader | None) -> ImageGround:
        """The image's grounding (with `reader` None: the facts' alone), kept for follow-ups
        exactly as the model was given it (a reading cut short by the budget too: the same
        prompt again lets the model continue from its kept conversation). A reading the
        request went on without (`abandoned`) is dropped when it ends. The text read so far
        of a request's one image is told to `reading` as it comes (`_Reading.told`)."""
        with self._cache_lock:
            known = self._known(image)
        if known is not None:
            return known
        so_far = reading.told if len(reading.request.images) == 1 else None
        ground = ground_image(image, reader, reading.due, so_far)
        with self._cache_lock:
            if reading.cancelled.is_set() or (reader is not None and reading.abandoned.is_set()):
                return ground
            self._found[id(image)] = (_reference(image), ground)
            while len(self._found) > self.CACHE_SIZE:
                self._found.popitem(last=False)
        return ground

    def prepare(self, request: Request) -> None:
        """Read `request`'s new images (below the model's priority, with no budget) while the
        inner backend prepares them here; once read, have it run the grounded prompt too
        (`prepare_prompt`). A question then asked about the same images (`start`,
        `load_for`) takes what was made and adds only its own words. `stop_waiting` (the
        question, or an unload, coming) and `cancel` end the wait for the reading, which goes
        on for the question."""
        if self.reader is None or not request.ground:
            self.inner.prepare(request)
            return
        if not self._unread(request):  # read already (as the model loaded, or before)
            known = self._ground(request, _Reading(request, self._clock()), None)
            self.inner.prepare_prompt(replace(request, turns=known))
            return
        reading = self._reading_ahead(request)
        self.inner.prepare(request)
        self._prompt_as_read(request, reading)
        reading.settled.wait(PROMPT_WAIT_S)
        if not reading.unclaimed or reading.cancelled.is_set() or reading.thread is None:
            return
        if not reading.thread.ended(0):  # asked meanwhile: the question takes it as it is
            return
        try:
            turns = self._read_turns(request, reading)
        except Exception as error:  # the question's `start` tells
            log.debug("reading ahead failed: %r", error)
            return
        self.inner.prepare_prompt(replace(request, turns=turns))

    def _prompt_as_read(self, request: Request, reading: _Reading) -> None:
        """Until the reading ahead settles, have the inner backend run the prompt with the
        text read so far each time PROMPT_STEP_CHARS more has been read: each run, the
        question's too, continues from the last and encodes only what was read since."""
        prompted = 0
        while reading.progressed.wait(PROMPT_WAIT_S):
            reading.progressed.clear()
            if reading.settled.is_set() or not reading.unclaimed or reading.cancelled.is_set():
                return
            grounding = reading.so_far
            if grounding is None or len(grounding) < prompted + PROMPT_STEP_CHARS:
                continue
            prompted = len(grounding)
            turns = tuple(
                _with_grounding(turn, grounding) if turn.images else turn for turn in request.turns
            )
            self.inner.prepare_prompt(replace(request, turns=turns))

    def _reading_ahead(self, request: Request) -> _Reading:
        """The reading of `request`'s images ahead of the question: one begun for them
        already, else a new one (an earlier reading ahead is stopped; a request's own is
        left to it)."""
        last = self._reading
        if last is not None and self._serves(last, request):
            if last.request is request:  # begun by `load_for` as the model loaded for it
                last.unclaimed = True
            return last
        if last is not None and last.unclaimed:
            last.stop()
        reading = self._reading = _Reading(request, self._clock(), unclaimed=True)
        self._begin_reading(reading)
        return reading

    def stop_waiting(self) -> None:
        reading = self._reading
        if reading is not None:
            reading.settle()
        self.inner.stop_waiting()

    def warm_up(self) -> None:
        self.inner.warm_up()

    def cancel(self) -> None:
        reading = self._reading
        if reading is not None:
            reading.settle()
            if not reading.unclaimed:  # a reading ahead is no request's yet: it goes on
                reading.stop()
        self.inner.cancel()

    @property
    def description(self) -> str:
        return self.inner.description

    @property
    def needs_load(self) -> bool:
        return self.inner.needs_load

    def close(self) -> None:
        reading, self._reading = self._reading, None
        if reading is not None:  # before the reader closes: it may be starting its process
            reading.stop(STOP_WAIT_S)
        self.inner.close()
        if self.reader is not None:
            self.reader.close()


def _later(timings: Timings, waited: float) -> Timings:
    """`timings` counted from `waited` seconds earlier (the grounding before the model)."""
    return replace(
        timings,
        preprocess_s=timings.preprocess_s + waited,
        first_token_s=None if timings.first_token_s is None else timings.first_token_s + waited,
        total_s=timings.total_s + waited,
    )


def _with_grounding(turn: Turn, grounding: str) -> Turn:
    """`turn` told `grounding` before its words (as it was, when that is empty)."""
    if not grounding:
        return turn
    return Turn(GROUNDED.format(grounding=grounding, prompt=turn.text), turn.images, turn.answer)


def _with_item_facts(turn: Turn) -> Turn:
    """`turn` with the facts of the item its images were captured for, if any."""
    return _with_grounding(
        turn, "\n\n".join(text for text in map(item_grounding, turn.images) if text)
    )


def _reference(image: Any) -> Callable[[], Any]:
    """A weak reference to `image` (a PIL image); a strong one to an object that takes none."""
    try:
        return weakref.ref(image)
    except TypeError:
        return lambda: image
