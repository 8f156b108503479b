"""The grounded backend: the tree's names in the prompt, the reader beside `prepare`, cancel,
and "Where is …?" answered without the model."""

from __future__ import annotations

import gc
import itertools
import os
import sys
import threading
import weakref
from dataclasses import replace
from typing import Any

import pytest

from desktop_app.core import messages
from desktop_app.core.accessible import (
    AccessibleItem,
    AccessibleNode,
    AccessibleTree,
    Role,
    ScreenFacts,
    attach_facts,
)
from desktop_app.core.errors import ModelError
from desktop_app.core.reading import LineEnd, TextBlock, TextLine, TextReading, TextWord
from desktop_app.core.types import Answer, Rect, Request, StopReason
from desktop_app.engine.reading.backend import GroundedBackend, grounded_if_asked
from desktop_app.engine.reading.grounded import PROMPT_STEP_CHARS, READER_NICENESS
from desktop_app.engine.reading.reader import TextReader
from desktop_app.engine.reading.where import where_target
from desktop_app.settings import EngineSettings
from tests.helpers.fakes import picture
from tests.helpers.grounding_fakes import (
    ORIGIN,
    SAVE,
    PreparingBackend,
    ScriptedReader,
    window_image,
)

WAIT_S = 10.0
"""How long one side waits for the other before the test fails (never reached when they
overlap)."""
SVE = [("Sve", Rect(605, 555, 40, 16))]
"""The reader's misreading of the Save button, when it reads the whole window."""


def _where(what: str, row: int, column: int, area: str) -> str:
    position = messages.POSITION.format(
        row=messages.POSITION_ROWS[row], column=messages.POSITION_COLUMNS[column]
    )
    return messages.WHERE_FOUND.format(what=what, position=position, area=area)


def test_reading_and_prepare_run_at_the_same_time() -> None:
    reading, preparing = threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def read() -> None:
        reading.set()
        seen["prepare while reading"] = preparing.wait(WAIT_S)

    def prepare() -> None:
        preparing.set()
        seen["reading while preparing"] = reading.wait(WAIT_S)

    inner = PreparingBackend(prepare)
    backend = GroundedBackend(inner, ScriptedReader(SVE, when_reading=read))
    image = picture((800, 600), (0, 0, 0))  # no facts: the whole image is read
    request = Request.single("Describe this.", [image])
    answer = backend.start(request, lambda piece: None)
    assert seen == {"prepare while reading": True, "reading while preparing": True}
    assert inner.prepared == [request] and inner.calls[-1] == "start"
    assert not answer.cancelled and answer.timings.preprocess_s > 0  # the wait is counted
    backend.start(request.follow_up(answer.text, "And then?"), lambda piece: None)
    assert inner.calls.count("prepare") == 1  # a follow-up has nothing new to read


def test_the_reading_stops_when_prepared_and_its_budget_is_spent() -> None:
    inner = PreparingBackend()
    reader = ScriptedReader(SVE, until_stopped=True)
    backend = GroundedBackend(inner, reader, read_budget_s=0.0)
    image = picture((800, 600), (0, 0, 0))
    backend.start(Request.single("Describe this.", [image]), lambda piece: None)
    assert reader.stopped == [True] and inner.prepare_done.is_set()
    assert "Sve" in inner.requests[0].turns[0].text  # what was read so far is used


def _loading_while_read(**reader_options: Any) -> tuple[PreparingBackend, ScriptedReader]:
    """A model whose load reports twice, the second time only once the reading has begun,
    and a reader of SVE."""
    step = threading.Semaphore(1)  # the first report; the reading gives the second
    inner = PreparingBackend(progress=(0.0, 1.0), step=step, hold_s=WAIT_S)
    return inner, ScriptedReader(SVE, when_reading=step.release, **reader_options)


def test_a_load_for_a_request_reads_its_images_while_the_model_loads() -> None:
    inner, reader = _loading_while_read()
    backend = GroundedBackend(inner, reader)
    request = Request.single("Describe this.", [picture((800, 600), (0, 0, 0))])
    reports: list[float] = []
    backend.load_for(request, lambda stage, fraction: reports.append(fraction))
    answer = backend.start(request, lambda piece: None)
    assert reports == [0.0, 1.0]  # passed on
    assert reader.sizes == [(800, 600)]  # read once, during the load
    assert "Sve" in inner.requests[0].turns[0].text and not answer.cancelled
    assert inner.calls == ["load", "prepare", "prepared", "start"]


def test_the_reading_budget_counts_from_the_load_for_the_request() -> None:
    """A load as long as the budget: the model waits no longer for the reading once loaded."""
    inner, reader = _loading_while_read(until_stopped=True)
    now = [0.0]
    backend = GroundedBackend(inner, reader, read_budget_s=3 * WAIT_S, clock=lambda: now[0])
    request = Request.single("Describe this.", [picture((800, 600), (0, 0, 0))])

    def loading(stage: str, fraction: float) -> None:
        now[0] += 3 * WAIT_S  # each report: the budget passes

    backend.load_for(request, loading)
    backend.start(request, lambda piece: None)
    assert reader.stopped == [True]  # stopped at once, not left to give up after WAIT_S


def test_a_load_for_another_request_is_not_taken_for_this_one() -> None:
    inner, reader = _loading_while_read()
    backend = GroundedBackend(inner, reader)
    backend.load_for(Request.single("Describe this.", [picture((800, 600), (0, 0, 0))]))
    asked = Request.single("Describe this.", [picture((640, 480), (9, 9, 9))])
    backend.start(asked, lambda piece: None)
    assert sorted(reader.sizes) == [(640, 480), (800, 600)]
    assert "Sve" not in inner.requests[0].turns[0].text


def test_a_model_refused_before_it_loads_starts_no_reading() -> None:
    inner = PreparingBackend(load_error=ModelError("Not enough memory."), progress=(0.0,))
    reader = ScriptedReader(SVE)
    backend = GroundedBackend(inner, reader)
    with pytest.raises(ModelError):
        backend.load_for(Request.single("Describe this.", [picture((800, 600), (0, 0, 0))]))
    assert reader.sizes == [] and reader.closes == 0


def test_a_load_given_up_stops_the_reading_and_ends_the_reader() -> None:
    inner, reader = _loading_while_read(until_stopped=True)
    backend = GroundedBackend(inner, reader)
    request = Request.single("Describe this.", [picture((800, 600), (0, 0, 0))])

    def give_up(stage: str, fraction: float) -> None:
        if fraction == 1.0:
            raise KeyboardInterrupt  # as the window's LoadCancelled does

    with pytest.raises(KeyboardInterrupt):
        backend.load_for(request, give_up)
    assert reader.wait_for_reads(1, WAIT_S) and reader.stopped == [True]
    assert reader.closes == 1


def test_cancel_after_a_load_for_a_request_stops_its_reading() -> None:
    inner, reader = _loading_while_read(until_stopped=True)
    backend = GroundedBackend(inner, reader)
    backend.load_for(Request.single("Describe this.", [picture((800, 600), (0, 0, 0))]))
    backend.cancel()
    assert reader.wait_for_reads(1, WAIT_S) and reader.stopped == [True]


def _typed_after_prepare(**reader_options: Any) -> tuple[PreparingBackend, ScriptedReader]:
    """A model whose `prepare` waits until the reading has begun, and a reader of SVE."""
    began = threading.Event()
    inner = PreparingBackend(lambda: began.wait(WAIT_S))
    return inner, ScriptedReader(SVE, when_reading=began.set, **reader_options)


def _preparing(backend: GroundedBackend, request: Request) -> threading.Thread:
    """`backend.prepare(request)` on a thread of its own (the window's engine thread)."""
    thread = threading.Thread(target=backend.prepare, args=(request,))
    thread.start()
    return thread


def test_a_question_takes_the_reading_and_prompt_made_while_it_was_typed() -> None:
    inner, reader = _typed_after_prepare()
    now = [0.0]
    backend = GroundedBackend(inner, reader, read_budget_s=1.0, clock=lambda: now[0])
    image = picture((800, 600), (0, 0, 0))
    backend.prepare(Request.single("", [image]))  # ends once the prompt is prepared
    (prompt,) = inner.prompts  # the grounded prompt, the question still to come
    assert "Sve" in prompt.turns[0].text and prompt.turns[0].images == (image,)
    now[0] += 5.0  # the question is typed
    answer = backend.start(Request.single("What does it say?", [image]), lambda piece: None)
    assert reader.sizes == [(800, 600)]  # read once, ahead of the question
    asked = inner.requests[0].turns[0].text
    assert asked.startswith(prompt.turns[0].text) and asked.endswith("What does it say?")
    assert not answer.cancelled


def test_the_prompt_is_run_as_the_text_ahead_of_the_question_is_read() -> None:
    """Each time PROMPT_STEP_CHARS more is read ahead, the prompt with the text so far is run
    (each run continues the last in the model: the question then encodes only what came
    since); once all is read, the whole text's prompt."""
    lines = [
        (f"Line {n} " + "x" * PROMPT_STEP_CHARS, Rect(10, 10 + 30 * n, 700, 20)) for n in range(3)
    ]
    gate = threading.Semaphore(0)
    inner = PreparingBackend()
    reader = ScriptedReader(lines, each_line=lambda: gate.acquire(timeout=WAIT_S))
    backend = GroundedBackend(inner, reader, read_budget_s=0.0)
    image = picture((800, 600), (0, 0, 0))
    preparing = _preparing(backend, Request.single("", [image]))
    for _ in range(2):
        gate.release()  # a line is read
        assert inner.prompted.acquire(timeout=WAIT_S), "no prompt run as the text came"
    gate.release()
    preparing.join(WAIT_S)
    texts = [prompt.turns[0].text for prompt in inner.prompts]
    assert "Line 0" in texts[0] and "Line 1" not in texts[0]
    assert "Line 1" in texts[1] and "Line 2" not in texts[1]
    assert all(f"Line {n}" in texts[-1] for n in range(3))
    for earlier, later in itertools.pairwise(texts):
        assert later.startswith(earlier.removesuffix("\n\n"))
    backend.start(Request.single("What does it say?", [image]), lambda piece: None)
    assert inner.requests[0].turns[0].text.startswith(texts[-1])
    assert reader.sizes == [(800, 600)]


class EarlyCellReader(TextReader):
    """Says a table row's last cell first (the real reader reads the top line before the rest
    is detected, and that may be any cell of the first row), then the row's other cells, then
    (once `go_on` is set) a paragraph; its reading has the row's cells in order."""

    def __init__(self) -> None:
        super().__init__()
        self.go_on = threading.Event()

    def read(self, image: Any, on_line: Any = None, cancelled: Any = None) -> TextReading:
        wide = "x" * PROMPT_STEP_CHARS
        cells = [
            TextLine((TextWord(f"{name} {wide}", 0.99),), Rect(10 + 250 * n, 10, 240, 20), 0.99)
            for n, name in enumerate(("-rw-r--r--", "anna", "staff"))
        ]
        paragraph = TextLine((TextWord(f"total 48 {wide}", 0.99),), Rect(10, 60, 700, 20), 0.99)
        on_line(cells[2], LineEnd.CELL)
        on_line(cells[0], LineEnd.CELL)
        on_line(cells[1], LineEnd.BLOCK)
        self.go_on.wait(WAIT_S)
        on_line(paragraph, LineEnd.BLOCK)
        row = TextBlock(tuple(cells), Rect(10, 10, 740, 20), is_row=True)
        return TextReading((row, TextBlock((paragraph,), paragraph.box)), *image.size)


def test_a_question_continues_the_prompts_run_as_read_when_the_first_line_came_early() -> None:
    inner = PreparingBackend()
    reader = EarlyCellReader()
    backend = GroundedBackend(inner, reader, read_budget_s=0.0)
    image = picture((800, 600), (0, 0, 0))
    preparing = _preparing(backend, Request.single("", [image]))
    assert inner.prompted.acquire(timeout=WAIT_S)  # the row's
    reader.go_on.set()
    preparing.join(WAIT_S)
    backend.start(Request.single("What does it say?", [image]), lambda piece: None)
    asked = inner.requests[0].turns[0].text
    for prompt in inner.prompts:
        assert asked.startswith(prompt.turns[0].text.removesuffix("\n\n"))
    assert asked.index("staff") < asked.index("anna") < asked.index("total 48")


def test_less_text_than_a_step_read_ahead_is_not_run_before_the_rest() -> None:
    gate = threading.Semaphore(0)
    inner = PreparingBackend()
    short = [("Inbox", Rect(10, 10, 60, 20)), ("Sent", Rect(10, 40, 60, 20))]
    backend = GroundedBackend(inner, ScriptedReader(short, each_line=gate.acquire))
    preparing = _preparing(backend, Request.single("", [picture((800, 600), (0, 0, 0))]))
    gate.release()
    gate.release()
    preparing.join(WAIT_S)
    (prompt,) = inner.prompts  # the whole text's, once read
    assert "Inbox" in prompt.turns[0].text and "Sent" in prompt.turns[0].text


def test_a_question_asked_before_the_reading_ahead_ends_stops_it_there() -> None:
    """The budget counts from `prepare`: the question waits no longer for the rest."""
    inner, reader = _typed_after_prepare(until_stopped=True)
    now = [0.0]
    backend = GroundedBackend(inner, reader, read_budget_s=1.0, clock=lambda: now[0])
    image = picture((800, 600), (0, 0, 0))
    preparing = _preparing(backend, Request.single("", [image]))
    assert inner.prepare_done.wait(WAIT_S)
    now[0] += 1.0  # a short question
    backend.stop_waiting()
    preparing.join(WAIT_S)
    assert not preparing.is_alive() and inner.prompts == []  # no prompt without the text
    backend.start(Request.single("What does it say?", [image]), lambda piece: None)
    assert reader.stopped == [True] and reader.sizes == [(800, 600)]
    assert "Sve" in inner.requests[0].turns[0].text  # what it had read is used


def test_cancel_leaves_a_reading_ahead_for_the_question() -> None:
    inner, reader = _typed_after_prepare(until_stopped=True)
    backend = GroundedBackend(inner, reader, read_budget_s=0.0)
    image = picture((800, 600), (0, 0, 0))
    preparing = _preparing(backend, Request.single("", [image]))
    assert inner.prepare_done.wait(WAIT_S)
    backend.cancel()  # the window stops whatever ran before a new request
    preparing.join(WAIT_S)
    backend.start(Request.single("What does it say?", [image]), lambda piece: None)
    assert reader.sizes == [(800, 600)] and reader.stopped == [True]  # by the question
    assert "Sve" in inner.requests[0].turns[0].text


def test_a_request_about_other_images_stops_the_reading_ahead() -> None:
    inner, reader = _typed_after_prepare(until_stopped=True)
    backend = GroundedBackend(inner, reader, read_budget_s=0.0)
    preparing = _preparing(backend, Request.single("", [picture((800, 600), (0, 0, 0))]))
    assert inner.prepare_done.wait(WAIT_S)
    backend.cancel()
    preparing.join(WAIT_S)
    other = Request.single("Describe this.", [picture((640, 480), (9, 9, 9))])
    backend.start(other, lambda piece: None)
    assert reader.wait_for_reads(2, WAIT_S)  # the abandoned reading may end after the start
    assert sorted(reader.sizes) == [(640, 480), (800, 600)] and reader.stopped == [True, True]
    assert "Sve" not in inner.requests[0].turns[0].text and inner.prompts == []


def test_a_load_for_the_question_takes_the_reading_ahead() -> None:
    inner, reader = _typed_after_prepare(until_stopped=True)
    inner.progress = (0.0, 1.0)
    backend = GroundedBackend(inner, reader, read_budget_s=0.0)
    image = picture((800, 600), (0, 0, 0))
    preparing = _preparing(backend, Request.single("", [image]))
    assert inner.prepare_done.wait(WAIT_S)
    backend.stop_waiting()
    preparing.join(WAIT_S)
    asked = Request.single("What does it say?", [image])
    backend.load_for(asked)
    backend.start(asked, lambda piece: None)
    assert reader.sizes == [(800, 600)] and "Sve" in inner.requests[0].turns[0].text


def test_the_model_loaded_for_a_question_still_typed_then_runs_its_prompt() -> None:
    """The worker loads an unloaded model for the question to come (`load_for` with the
    request it will make), then prepares: the reading begun during the load is kept for
    that question, and once it ends the grounded prompt is run."""
    gate, step = threading.Event(), threading.Semaphore(1)
    inner = PreparingBackend(progress=(0.0, 1.0), step=step, hold_s=WAIT_S)

    def reading() -> None:
        step.release()  # the load goes on once the reading has begun
        gate.wait(WAIT_S)  # and the reading ends once the test says

    backend = GroundedBackend(inner, ScriptedReader(SVE, when_reading=reading))
    upcoming = Request.single("", [picture((800, 600), (0, 0, 0))])
    backend.load_for(upcoming)
    preparing = _preparing(backend, upcoming)
    assert inner.prepare_done.wait(WAIT_S)
    gate.set()
    preparing.join(WAIT_S)
    (prompt,) = inner.prompts
    assert "Sve" in prompt.turns[0].text and inner.calls.count("load") == 1


def test_images_read_before_prepare_go_straight_into_the_prompt() -> None:
    inner, reader = _typed_after_prepare()
    backend = GroundedBackend(inner, reader)
    image = picture((800, 600), (0, 0, 0))
    backend.start(Request.single("Describe this.", [image]), lambda piece: None)
    backend.prepare(Request.single("", [image]))  # asked about again
    (prompt,) = inner.prompts
    assert "Sve" in prompt.turns[0].text and reader.sizes == [(800, 600)]


def test_the_readings_kept_for_follow_ups_keep_no_earlier_screen_alive() -> None:
    """A follow-up takes the kept reading, but the kept readings hold no screenshot: once a
    new screen is asked about, nothing here keeps the earlier one (CACHE_SIZE screenshots
    held 50 MB at 1920x1080 in the window's process)."""
    inner = PreparingBackend()
    reader = ScriptedReader(SVE)
    backend = GroundedBackend(inner, reader)
    earlier, later = picture((800, 600), (0, 0, 0)), picture((640, 480), (0, 0, 0))
    first = Request.single("Describe this.", [earlier])
    backend.start(first, lambda piece: None)
    backend.start(first.follow_up("A page.", "What does it say?"), lambda piece: None)
    assert reader.sizes == [(800, 600)]  # read once: the follow-up took the kept reading
    backend.start(Request.single("Describe this.", [later]), lambda piece: None)
    gone = weakref.ref(earlier)
    del earlier, first
    for record in (inner.requests, inner.prompts, inner.prepared):  # the fake's own records
        record.clear()
    gc.collect()
    assert gone() is None


def test_facts_with_text_never_send_the_whole_image_to_the_reader() -> None:
    inner = PreparingBackend()
    reader = ScriptedReader(SVE)
    backend = GroundedBackend(inner, reader)
    backend.start(Request.single("Describe this.", [window_image()]), lambda piece: None)
    assert reader.sizes == [(300, 200)]  # only the unnamed chart
    prompt = inner.requests[0].turns[0].text
    assert 'button "Save"' in prompt and "Sve" not in prompt
    assert prompt.endswith("Describe this.")


def test_an_image_without_facts_is_read_whole_as_before() -> None:
    inner = PreparingBackend()
    reader = ScriptedReader(SVE)
    GroundedBackend(inner, reader).start(
        Request.single("Describe this.", [picture((800, 600), (0, 0, 0))]), lambda piece: None
    )
    assert reader.sizes == [(800, 600)] and "Sve" in inner.requests[0].turns[0].text


def test_a_request_without_grounding_is_not_read() -> None:
    inner = PreparingBackend()
    reader = ScriptedReader(SVE)
    request = Request.single("Describe this.", [picture((800, 600), (0, 0, 0))])
    GroundedBackend(inner, reader).start(replace(request, ground=False), lambda piece: None)
    assert reader.sizes == [] and inner.requests[0].turns[0].text == "Describe this."


def test_cancel_while_reading_never_reaches_the_model() -> None:
    inner = PreparingBackend()
    backend = GroundedBackend(inner)
    backend.reader = ScriptedReader(SVE, when_reading=backend.cancel)
    answer = backend.start(
        Request.single("Describe this.", [picture((800, 600), (0, 0, 0))]), lambda piece: None
    )
    assert answer.stop_reason is StopReason.CANCELLED and inner.requests == []
    assert inner.cancels >= 1  # preparing is told to stop too


@pytest.mark.parametrize(
    ("question", "words", "roles"),
    [
        ("Where is the Save button?", "save", {Role.BUTTON, Role.TOGGLE_BUTTON}),
        ("where's Inbox", "inbox", set()),
        ("Where are the 'Q3 sales' figures?", "q3 sales", set()),
        ("WHERE IS MY check box “Remember me”?", "remember me", {Role.CHECK_BOX}),
        ("Where's the Don't Save button?", "don't save", {Role.BUTTON, Role.TOGGLE_BUTTON}),
        ("Where is the Subject field", "subject", {Role.TEXT_FIELD, Role.COMBO_BOX}),
    ],
)
def test_where_questions_are_recognised(question: str, words: str, roles: set[Role]) -> None:
    target = where_target(question)
    assert target is not None and target.words == words and target.roles == roles


@pytest.mark.parametrize(
    "question", ["Describe this.", "What is where?", "Where is the button?", "Somewhere else?"]
)
def test_other_questions_are_not_where_questions(question: str) -> None:
    assert where_target(question) is None


def _ask(backend: GroundedBackend, image: Any, question: str) -> tuple[list[str], Answer]:
    pieces: list[str] = []
    first = Request.single("Describe this.", [image])
    answer = backend.start(first, pieces.append)
    pieces.clear()
    return pieces, backend.start(first.follow_up(answer.text, question), pieces.append)


def test_where_is_answered_from_the_tree_without_the_model() -> None:
    inner = PreparingBackend()
    backend = GroundedBackend(inner, ScriptedReader(SVE))
    pieces, answer = _ask(backend, window_image(), "Where is the save button?")
    what = messages.WHERE_ITEM.format(name="Save", role="button")
    assert answer.text == _where(what, 2, 2, messages.WHERE_AREA_WINDOW)
    assert pieces == [answer.text]
    assert answer.place == SAVE.rect
    assert len(inner.requests) == 1  # only the description reached the model
    timings = answer.timings
    assert timings.first_token_s is not None and 0 < timings.first_token_s <= timings.total_s


def test_a_screen_capture_says_screen() -> None:
    screen = window_image(size=(1600, 1000), origin=(0, 0))  # the window is a part of it
    backend = GroundedBackend(PreparingBackend(), ScriptedReader())
    _, answer = _ask(backend, screen, "Where's Inbox?")
    what = messages.WHERE_ITEM.format(name="Inbox", role="label")
    assert answer.text == _where(what, 0, 0, messages.WHERE_AREA_SCREEN)


def test_a_window_capture_says_window_when_its_tree_was_cut_off_before_its_place() -> None:
    """The tree read stopped before the window's own extents came (a slow application): the
    reader's line is placed in the captured window, not on "the screen"."""
    cut_off = AccessibleTree(AccessibleNode(Role.WINDOW), (), truncated=True)
    image = attach_facts(
        picture((800, 600), (20, 20, 30)), ScreenFacts(ORIGIN, tree=cut_off, of_window=True)
    )
    backend = GroundedBackend(PreparingBackend(), ScriptedReader(SVE))
    _, answer = _ask(backend, image, "Where is Sve?")
    what = messages.WHERE_TEXT.format(text="Sve")
    assert answer.text == _where(what, 2, 2, messages.WHERE_AREA_WINDOW)
    unmarked = attach_facts(picture((800, 600), (20, 20, 30)), ScreenFacts(ORIGIN, tree=cut_off))
    backend = GroundedBackend(PreparingBackend(), ScriptedReader(SVE))
    _, answer = _ask(backend, unmarked, "Where is Sve?")
    assert answer.text == _where(what, 2, 2, messages.WHERE_AREA_SCREEN)  # can fail: flag read


def test_an_item_is_placed_in_its_window() -> None:
    window = AccessibleNode(Role.WINDOW, "Mail", Rect(0, 0, 1200, 900))
    item = AccessibleItem(SAVE, window, (), "mail")
    image = attach_facts(picture((96, 46), (0, 0, 0)), ScreenFacts((692, 592), item=item))
    backend = GroundedBackend(PreparingBackend(), ScriptedReader())
    _, answer = _ask(backend, image, "Where is Save?")
    what = messages.WHERE_ITEM.format(name="Save", role="button")
    assert answer.text == _where(what, 2, 1, messages.WHERE_AREA_WINDOW)
    assert answer.place == SAVE.rect


def test_where_is_answered_from_the_readers_text_on_a_picture() -> None:
    inner = PreparingBackend()
    found = [("Q3 sales", Rect(400, 40, 80, 16))]
    backend = GroundedBackend(inner, ScriptedReader(found))
    _, answer = _ask(backend, picture((800, 600), (0, 0, 0)), "Where are the Q3 sales?")
    what = messages.WHERE_TEXT.format(text="Q3 sales")
    assert answer.text == _where(what, 0, 1, messages.WHERE_AREA_PICTURE)
    assert answer.place is None and len(inner.requests) == 1


def test_read_text_in_a_window_has_a_desktop_place() -> None:
    chart_text = [("Q3 sales", Rect(20, 20, 80, 16))]  # in the chart, at 20, 100 on the picture
    backend = GroundedBackend(PreparingBackend(), ScriptedReader(chart_text))
    _, answer = _ask(backend, window_image(), "Where are the Q3 sales?")
    x, y = ORIGIN
    assert answer.place == Rect(40 + x, 120 + y, 80, 16)


def test_what_is_not_found_goes_to_the_model() -> None:
    inner = PreparingBackend()
    backend = GroundedBackend(inner, ScriptedReader(SVE))
    _, answer = _ask(backend, window_image(), "Where is the Print button?")
    assert len(inner.requests) == 2 and answer.place is None
    assert inner.requests[1].turns[-1].text == "Where is the Print button?"


def test_with_grounding_off_where_is_still_answered_from_the_tree() -> None:
    inner = PreparingBackend()
    backend = grounded_if_asked(inner, EngineSettings(ground_in_text=False))
    assert isinstance(backend, GroundedBackend) and backend.reader is None
    image = window_image()
    first = Request.single("Describe this.", [image])
    answer = backend.start(first, lambda piece: None)
    assert inner.requests == [first] and "prepare" not in inner.calls  # untouched
    where = backend.start(first.follow_up(answer.text, "Where is Save?"), lambda piece: None)
    assert where.place == SAVE.rect and len(inner.requests) == 1
    plain = picture((800, 600), (0, 0, 0))
    backend.start(Request.single("Where is Save?", [plain]), lambda piece: None)
    assert len(inner.requests) == 2  # no facts, no reader: the model answers


def test_with_grounding_off_an_items_facts_are_still_told() -> None:
    inner = PreparingBackend()
    backend = grounded_if_asked(inner, EngineSettings(ground_in_text=False))
    button = AccessibleNode(Role.BUTTON, "", Rect(400, 300, 120, 40))
    item = attach_facts(
        picture((120, 40), (40, 40, 40)), ScreenFacts((400, 300), item=AccessibleItem(button))
    )
    backend.start(Request.single("Describe this.", [item]), lambda piece: None)
    prompt = inner.requests[0].turns[-1].text
    assert prompt.endswith("Describe this.") and "button with no name" in prompt
    window = window_image()  # a window's tree is text grounding: off with it
    backend.start(Request.single("Describe this.", [window]), lambda piece: None)
    assert inner.requests[1].turns[-1].text == "Describe this."


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="thread priorities: Linux")
def test_the_reading_runs_below_the_models_priority() -> None:
    priorities: list[int] = []
    caller = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def note_priority() -> None:
        priorities.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    inner = PreparingBackend(when_preparing=note_priority)
    backend = GroundedBackend(inner, ScriptedReader(SVE, when_reading=note_priority))
    backend.start(Request.single("Describe this.", [window_image()]), lambda piece: None)
    reading, preparing = sorted(priorities, reverse=True)
    assert preparing == caller  # the model's work keeps the engine thread's priority
    assert reading == min(19, caller + READER_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == caller


def test_a_reader_fault_reaches_the_caller_and_not_the_model() -> None:
    def fail() -> None:
        raise RuntimeError("the reader broke")

    inner = PreparingBackend()
    backend = GroundedBackend(inner, ScriptedReader(when_reading=fail))
    with pytest.raises(RuntimeError, match="the reader broke"):
        backend.start(Request.single("Describe this.", [picture((800, 600), (9, 9, 9))]), print)
    assert inner.requests == []


def test_a_reader_stuck_in_one_long_step_is_left_behind() -> None:
    """The model does not wait for a reader inside one long step (detecting a whole screen):
    it goes on with the facts alone, and that is what follow-ups are given too."""
    release, stepped = threading.Event(), threading.Event()
    waited_out: list[bool] = []

    def long_step() -> None:
        waited_out.append(not release.wait(WAIT_S))
        stepped.set()

    reader = ScriptedReader([("Revenue 2026", Rect(10, 10, 100, 16))], when_reading=long_step)
    inner = PreparingBackend()
    backend = GroundedBackend(inner, reader, read_budget_s=0.0)
    first = Request.single("Describe this.", [window_image()])
    answer = backend.start(first, lambda piece: None)
    release.set()  # the reader's step ends now, after the model was asked
    prompt = inner.requests[0].turns[-1].text
    assert '"Save"' in prompt and "Revenue" not in prompt
    follow_up = backend.start(first.follow_up(answer.text, "And then?"), lambda piece: None)
    assert follow_up.text and inner.requests[1].turns[0].text == prompt  # as first given
    assert stepped.wait(WAIT_S) and waited_out == [False]  # nobody waited for the step
