"""Grounding in the accessibility tree: the prompt's lines and item facts, and which parts of
an image the text reader reads."""

from __future__ import annotations

import threading
from typing import Any

from desktop_app.core.accessible import (
    AccessibleItem,
    AccessibleNode,
    Role,
    ScreenFacts,
    State,
    attach_facts,
    facts_of,
)
from desktop_app.core.reading import LineEnd, TextBlock, TextLine, TextReading, TextWord
from desktop_app.core.types import Rect
from desktop_app.engine import tasks
from desktop_app.engine.reading.image_grounding import ground_image
from desktop_app.engine.reading.reader import TextReader
from desktop_app.engine.reading.tree_grounding import item_facts, tree_lines, unread_parts
from tests.helpers.fakes import picture
from tests.helpers.grounding_fakes import (
    CHART,
    INBOX,
    SAVE,
    ScriptedReader,
    window_image,
    window_nodes,
)


def _facts(image: object) -> ScreenFacts:
    facts = facts_of(image)
    assert facts is not None
    return facts


def test_tree_lines_place_informative_nodes_in_thirds_and_skip_the_rest() -> None:
    off_image = AccessibleNode(Role.BUTTON, "Hidden", Rect(5000, 5000, 50, 20))
    twin = AccessibleNode(Role.LABEL, "Save", Rect(705, 605, 40, 16))  # the button's own label
    image = window_image(window_nodes(off_image, twin))
    lines = tree_lines(_facts(image), image.size).splitlines()
    assert lines == [
        'top left: label "Inbox"',
        "middle left: image",
        'bottom right: button "Save" (focused)',
    ]


def test_tree_lines_are_bounded_and_say_when_cut_off() -> None:
    many = [
        AccessibleNode(Role.LIST_ITEM, f"Message {i}", Rect(120, 120 + i, 300, 1))
        for i in range(200)
    ]
    image = window_image(window_nodes(*many))
    text = tree_lines(_facts(image), image.size, limit=300)
    assert len(text) <= 300 + len(tasks.TREE_CUT_OFF) + 1
    assert text.endswith(tasks.TREE_CUT_OFF)
    cut = window_image(window_nodes(), truncated=True)
    assert tree_lines(_facts(cut), cut.size).endswith(tasks.TREE_CUT_OFF)
    assert tree_lines(_facts(window_image()), (800, 600)).count("\n") == 2  # no note


def test_values_and_states_are_told() -> None:
    field = AccessibleNode(
        Role.TEXT_FIELD,
        "To",
        Rect(300, 80, 300, 24),
        frozenset({State.REQUIRED}),
        "bob@example.com",
    )
    image = window_image(window_nodes(field))
    assert 'text field "To" (required) value "bob@example.com"' in tree_lines(
        _facts(image), image.size
    )


def _item_image(node: AccessibleNode, size: tuple[int, int], *, clipped: bool = False) -> object:
    document = AccessibleNode(Role.DOCUMENT, "", Rect(0, 0, 1000, 800))
    group = AccessibleNode(Role.GROUP, "", Rect(0, 0, 500, 500))
    window = AccessibleNode(Role.WINDOW, "Report", Rect(0, 0, 1280, 800))
    item = AccessibleItem(node, window, (document, group), "Writer")
    origin = (node.rect.x - 10, node.rect.y - 10) if node.rect else (0, 0)
    facts = ScreenFacts(origin, item=item, clipped=clipped)
    return attach_facts(picture(size, (40, 40, 40)), facts)


def test_item_facts_say_role_name_container_window_and_place() -> None:
    chart = AccessibleNode(Role.IMAGE, "chart3", Rect(200, 200, 40, 30))
    image = _item_image(chart, (480, 270))
    text = item_facts(_facts(image), (480, 270))
    assert text.startswith('an image named "chart3" in a document, in the window "Report"')
    assert "Writer" in text
    assert tasks.ITEM_PLACE.format(position="top left") in text  # a small item in its context
    unnamed = AccessibleNode(Role.BUTTON, "", Rect(200, 200, 280, 50), frozenset({State.PRESSED}))
    big = _item_image(unnamed, (300, 70), clipped=True)
    text = item_facts(_facts(big), (300, 70))
    assert text.startswith("a button with no name (pressed)")
    assert tasks.ITEM_CLIPPED in text and " of the picture" not in text


def test_the_reader_reads_only_what_the_tree_has_no_text_for() -> None:
    image = window_image()
    assert unread_parts(_facts(image), image.size) == [Rect(20, 100, 300, 200)]
    textless = window_image([AccessibleNode(Role.GROUP, "", Rect(100, 50, 800, 600)), CHART])
    assert unread_parts(_facts(textless), textless.size) == [Rect(0, 0, 800, 600)]
    named = _item_image(SAVE, (100, 50))
    assert unread_parts(_facts(named), (100, 50)) == []
    icon = _item_image(AccessibleNode(Role.IMAGE, "", Rect(200, 200, 200, 40)), (220, 60))
    assert unread_parts(_facts(icon), (220, 60)) == [Rect(10, 10, 200, 40)]


def test_the_prompt_has_the_tree_names_not_the_readers_misreading() -> None:
    canvas = AccessibleNode(Role.CANVAS, "", Rect(500, 450, 400, 200))  # under the button
    image = window_image(window_nodes(canvas))
    reader = ScriptedReader(  # the canvas (at 400, 400 on the picture), then the chart
        [("Sve", Rect(205, 155, 40, 16)), ("Q3 sales", Rect(20, 20, 80, 16))], []
    )
    ground = ground_image(image, reader, threading.Event())
    assert reader.sizes == [(400, 200), (300, 200)]  # the canvas, the chart; never the whole
    assert 'button "Save"' in ground.text and "Sve" not in ground.text
    assert "Q3 sales" in ground.text
    assert [line.text for line in ground.lines] == ["Q3 sales"]
    assert ground.lines[0].box == Rect(420, 420, 80, 16)  # in the picture's pixels


def test_an_image_without_facts_is_read_whole() -> None:
    image = picture((640, 400), (0, 0, 0))
    reader = ScriptedReader([("Save", Rect(20, 20, 40, 16))])
    ground = ground_image(image, reader, threading.Event())
    assert reader.sizes == [(640, 400)]
    assert ground.text == tasks.GROUNDING.format(text="top left: Save")
    assert [line.text for line in ground.lines] == ["Save"]
    assert INBOX.name not in ground.text


class TurnedReader(TextReader):
    """Reads a 400x640 image turned a quarter (its text ran upwards): the line's box is in
    the upright 640x400 image's pixels, on its left."""

    def read(self, image: Any, on_line: Any = None, cancelled: Any = None) -> TextReading:
        line = TextLine((TextWord("Save", 0.99),), Rect(20, 200, 40, 16), 0.99)
        if on_line is not None:
            on_line(line, LineEnd.BLOCK)
        return TextReading((TextBlock((line,), line.box),), 640, 400, rotated=90)


def test_the_grounding_told_as_read_is_the_one_the_prompt_gets() -> None:
    image = picture((640, 400), (0, 0, 0))
    reader = ScriptedReader([("Save", Rect(20, 20, 40, 16)), ("Cancel", Rect(500, 350, 60, 16))])
    told: list[str] = []
    ground = ground_image(image, reader, threading.Event(), told.append)
    assert told == [tasks.GROUNDING.format(text="top left: Save"), ground.text]
    assert ground.text.endswith("bottom right: Cancel")


def test_a_turned_image_is_placed_in_its_upright_size_though_told_as_read() -> None:
    ground = ground_image(picture((400, 640), (0, 0, 0)), TurnedReader(), threading.Event(), print)
    assert ground.text == tasks.GROUNDING.format(text="middle left: Save")
