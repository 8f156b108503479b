"""The conversation's state, without Qt: what questions, answers, faults and interruptions
do to the turns, the pending images and the request in flight."""

from __future__ import annotations

import subprocess
import sys

from desktop_app.conversation import Conversation
from desktop_app.core.types import Request, Turn


def test_a_new_conversation_is_empty_and_a_question_needs_something_to_be_about() -> None:
    conversation = Conversation()
    assert conversation.is_empty() and not conversation.has_images()
    assert conversation.images() == [] and conversation.in_flight is None


def test_attached_images_go_with_the_next_question_and_stay_in_its_turn() -> None:
    conversation = Conversation()
    conversation.attach("screen")
    request = conversation.start("What is this?", ["photo"], max_new_tokens=8)
    assert request.turns == (Turn("What is this?", ("photo",)),)
    assert request.max_new_tokens == 8 and not request.detail
    assert conversation.pending_images == []  # taken by the request
    conversation.answered("A cat.")
    assert conversation.in_flight is None
    assert conversation.history == (Turn("What is this?", ("photo",), "A cat."),)
    follow_up = conversation.start("Which colour?", [], max_new_tokens=8)
    assert follow_up.turns[:-1] == conversation.history  # asked after the turns so far


def test_images_lists_every_image_newest_last() -> None:
    conversation = Conversation()
    conversation.start("Describe.", ["first"], max_new_tokens=4)
    conversation.answered("One.")
    conversation.attach("waiting")
    conversation.start("And this?", ["asked"], max_new_tokens=4)
    assert conversation.images() == ["first", "asked"]  # the caller chose what to ask about
    conversation.attach("later")
    assert conversation.images() == ["first", "later", "asked"]
    assert conversation.has_images()


def test_new_images_start_anew_keeping_the_images_that_wait_and_the_request_in_flight() -> None:
    conversation = Conversation()
    conversation.start("Describe.", ["first"], max_new_tokens=4)
    conversation.answered("One.")
    conversation.want_detail()
    conversation.attach("waiting")
    conversation.start_anew()
    assert conversation.history == () and not conversation.detail
    assert conversation.pending_images == ["waiting"]
    request = conversation.start("Describe.", ["second"], max_new_tokens=4)
    assert request.turns == (Turn("Describe.", ("second",)),)  # the first screen is not sent
    conversation.start_anew()
    assert conversation.in_flight is request  # the next request interrupts it and takes its images
    assert conversation.interrupt() == ("second",)


def test_an_interrupted_request_gives_its_images_back_for_the_next_question() -> None:
    conversation = Conversation()
    conversation.start("Describe.", ["screen"], max_new_tokens=4)
    carried = conversation.interrupt()
    assert carried == ("screen",) and conversation.in_flight is None
    request = conversation.start("What does it say?", [], max_new_tokens=4, carried=carried)
    assert request.turns[-1].images == ("screen",)
    assert conversation.history == ()  # the interrupted one never became a turn
    assert conversation.interrupt() == ("screen",)
    assert conversation.interrupt() == ()  # nothing in flight any more


def test_a_fault_without_text_puts_the_images_back_to_wait_for_a_retry() -> None:
    conversation = Conversation()
    conversation.start("Describe.", ["screen"], max_new_tokens=4)
    conversation.failed("")
    assert conversation.pending_images == ["screen"] and conversation.history == ()
    assert conversation.in_flight is None


def test_a_fault_that_kept_text_makes_it_the_answer_so_a_follow_up_goes_on() -> None:
    conversation = Conversation()
    conversation.start("Describe.", ["screen"], max_new_tokens=4)
    conversation.failed("A dialog with")
    assert conversation.history == (Turn("Describe.", ("screen",), "A dialog with"),)
    assert conversation.pending_images == []


def test_more_detail_lasts_for_the_conversation_and_clear_forgets_everything() -> None:
    conversation = Conversation()
    conversation.want_detail()
    assert conversation.start("Describe.", ["x"], max_new_tokens=4).detail
    conversation.answered("Fully.")
    assert conversation.start("More?", [], max_new_tokens=4).detail
    conversation.attach("y")
    conversation.clear()
    assert conversation.is_empty() and not conversation.detail
    assert conversation.images() == []


def test_late_outcomes_after_the_request_is_gone_change_nothing() -> None:
    conversation = Conversation()
    conversation.answered("stray")
    conversation.failed("stray")
    assert conversation.is_empty()


def test_the_conversation_needs_no_qt() -> None:
    code = (
        "import sys, desktop_app.conversation\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'torch'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_upcoming_request_has_the_images_the_question_will_have_and_takes_none() -> None:
    conversation = Conversation()
    first, screen = object(), object()
    conversation.start("What is this?", [first], max_new_tokens=8)
    conversation.answered("A cat.")
    conversation.attach(screen)
    upcoming = conversation.upcoming(max_new_tokens=8)
    assert upcoming.turns[-1] == Turn("", (screen,)) and conversation.pending_images == [screen]
    assert conversation.in_flight is None  # nothing asked yet
    asked = conversation.start("And this?", list(conversation.pending_images), max_new_tokens=8)
    assert asked.has_the_images_of(upcoming) and upcoming.has_the_images_of(asked)
    another = conversation.start("And now?", [object()], max_new_tokens=8)
    assert not another.has_the_images_of(upcoming)
    equal_but_not_the_same = Request.single("", [[1, 2]])
    assert not equal_but_not_the_same.has_the_images_of(Request.single("", [[1, 2]]))
