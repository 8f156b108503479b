"""The window's captures with the accessibility API, on real GTK 3 and Qt 6 windows (the private
desktop of tests/desktop/test_accessibility_atspi.py): the focused item and the item under the
pointer captured by their place, with their facts; window captures carry the window's tree."""

from __future__ import annotations

from difflib import SequenceMatcher

import pytest
from PIL import Image

from desktop_app import accessibility
from desktop_app.accessibility import item_capture
from desktop_app.capture import desktop_bounds
from desktop_app.core import messages
from desktop_app.core.accessible import AccessibleItem, Role, facts_of
from desktop_app.core.types import Rect, Request
from desktop_app.engine.reading.grounded import GroundedBackend
from desktop_app.engine.reading.reader import TextReader
from desktop_app.gui.desktop_capturer import DesktopCapturer
from desktop_app.settings import AppSettings
from tests.desktop import test_accessibility_atspi as atspi
from tests.desktop.test_accessibility_atspi import TOOLKITS, Desktop, _near, _poll
from tests.helpers.a11y_qt_window import SMALL_LABELS
from tests.helpers.fakes import FakeBackend

desktop = atspi.desktop  # its private desktop and windows (fixtures)
screen = atspi.screen

ICON = (0x33, 0x66, 0xCC)
"""The unlabeled button's picture: a 24x24 square of this colour."""


def _coloured_box(image: Image.Image, colour: tuple[int, int, int]) -> Rect | None:
    """The box around the pixels of `colour` (within 8 in each channel), if any."""
    rgb = image.convert("RGB")
    pixels = rgb.load()
    assert pixels is not None
    found = [
        (x, y)
        for y in range(rgb.height)
        for x in range(rgb.width)
        if all(abs(a - b) <= 8 for a, b in zip(pixels[x, y], colour, strict=True))  # type: ignore[arg-type]
    ]
    if not found:
        return None
    xs, ys = [x for x, _ in found], [y for _, y in found]
    return Rect(min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1)


def _tree_ready(name: str, window_name: str | None = None) -> None:
    """Wait until the active window's whole tree, with an object named `name` (and the window
    named `window_name`, when given), is read within the time limit: a toolkit builds its
    accessible objects on the first questions, and the window's name can reach AT-SPI after
    its children, which on a slow machine can take the first reads past the limit (then Iris
    grounds in the text reader: tests/unit/test_grounded_backend.py)."""

    def whole() -> bool | None:
        tree = accessibility.active_window_tree()
        if tree is None or tree.truncated or tree.window.rect is None:
            return None
        if window_name is not None and tree.window.name != window_name:
            return None
        return True if any(node.name == name for node in tree.nodes) else None

    where = "the active window's tree" if window_name is None else repr(window_name)
    _poll(whole, 15, f"{where} has no {name!r} within the time limit")


@pytest.mark.parametrize("toolkit", TOOLKITS)
def test_the_focused_unlabeled_button_is_captured_where_it_is(
    screen: Desktop, toolkit: str
) -> None:
    shown = screen.show(toolkit, focus="unlabeled")
    expected = shown["controls"]["unlabeled"]["rect"]
    capturer = DesktopCapturer(AppSettings())

    def button_focused() -> bool | None:
        item = accessibility.focused_item()
        return True if item is not None and item.node.role is Role.BUTTON else None

    _poll(button_focused, 15, "the unlabeled button is not focused on the bus")
    image = capturer.focused_item()
    facts = facts_of(image)
    assert facts is not None and isinstance(facts.item, AccessibleItem)
    node = facts.item.node
    assert (node.role, node.name) == (Role.BUTTON, "")
    assert _near(node.rect, expected)
    plan = item_capture(facts.item, desktop_bounds())
    assert plan is not None
    assert facts.origin == (plan.rect.x, plan.rect.y)
    assert image.size == (plan.rect.width, plan.rect.height)  # the planned rectangle, no more
    on_image = facts.on_image(node.rect)  # type: ignore[arg-type]
    assert on_image is not None
    icon = _coloured_box(image, ICON)  # the button's picture is inside its place on the image
    assert icon is not None, "the button's picture is not in the capture"
    assert on_image.x <= icon.x and icon.x + icon.width <= on_image.x + on_image.width
    assert on_image.y <= icon.y and icon.y + icon.height <= on_image.y + on_image.height


@pytest.mark.parametrize("toolkit", TOOLKITS)
def test_the_item_under_the_pointer_and_the_windows_tree(screen: Desktop, toolkit: str) -> None:
    shown = screen.show(toolkit, focus="save")
    x, y, width, height = shown["controls"]["chart"]["rect"]
    screen.xdotool("mousemove", "--sync", str(x + width // 2), str(y + height // 2))
    capturer = DesktopCapturer(AppSettings())
    image = capturer.item_under_pointer()
    facts = facts_of(image)
    assert facts is not None and facts.item is not None
    names = [facts.item.node.name, *(node.name for node in facts.item.ancestors)]
    assert "chart3" in names, facts.item

    _tree_ready("Save", window_name=f"{toolkit} save")
    window = capturer.window()
    facts = facts_of(window)
    assert facts is not None and facts.tree is not None
    assert facts.tree.window.name == f"{toolkit} save"
    saves = [node for node in facts.tree.nodes if node.name == "Save"]
    assert saves and saves[0].rect is not None
    on_image = facts.on_image(saves[0].rect)
    assert on_image is not None  # the Save button lies on the captured window
    assert on_image.x >= 0 and on_image.x + on_image.width <= window.width
    assert on_image.y >= 0 and on_image.y + on_image.height <= window.height


@pytest.mark.slow
def test_the_trees_names_win_over_the_readers_misreadings(screen: Desktop) -> None:
    """A Qt window with buttons in a 7-pixel font: the text reader misreads some of them; the
    grounding prompt of a window capture has their names exactly, and not the misreadings."""
    screen.show("qt", extra=("--small-labels", "7"))
    _tree_ready(SMALL_LABELS[0])
    image = DesktopCapturer(AppSettings()).window()
    reader = TextReader()
    read = reader.read(image).lines
    misread = [
        line.text
        for line in read
        if line.text not in SMALL_LABELS and any(_close(line.text, label) for label in SMALL_LABELS)
    ]
    print(f"the reader read {[line.text for line in read]}")
    assert misread, "the reader read every small label right: make them smaller"
    inner = FakeBackend()
    GroundedBackend(inner, reader).start(Request.single("Describe.", [image]), lambda _: None)
    prompt = inner.requests[0].turns[-1].text
    print(prompt)
    for label in SMALL_LABELS:
        assert f'"{label}"' in prompt
    for wrong in misread:
        assert wrong not in prompt


def _close(found: str, label: str) -> bool:
    """True when `found` is `label` with a few characters wrong."""
    return SequenceMatcher(None, found.casefold(), label.casefold()).ratio() >= 0.6


@pytest.mark.parametrize("toolkit", TOOLKITS)
def test_where_is_tells_each_controls_place_in_the_window(screen: Desktop, toolkit: str) -> None:
    shown = screen.show(toolkit)
    _tree_ready("Save")
    image = DesktopCapturer(AppSettings()).window()
    facts = facts_of(image)
    assert facts is not None
    inner = FakeBackend()
    backend = GroundedBackend(inner, TextReader())
    first = Request.single("Describe.", [image])
    answer = backend.start(first, lambda _: None)
    for key, question in (("save", "Where is the Save button?"), ("chart", "Where is chart3?")):
        x, y, width, height = shown["controls"][key]["rect"]
        centre_x = x + width / 2 - facts.origin[0]
        centre_y = y + height / 2 - facts.origin[1]
        row = messages.POSITION_ROWS[min(2, int(3 * centre_y / image.height))]
        column = messages.POSITION_COLUMNS[min(2, int(3 * centre_x / image.width))]
        where = backend.start(first.follow_up(answer.text, question), lambda _: None)
        assert messages.POSITION.format(row=row, column=column) in where.text, where.text
        assert f"of the {messages.WHERE_AREA_WINDOW}" in where.text
        assert where.place is not None and _near(where.place, [x, y, width, height])
    assert len(inner.requests) == 1  # where-questions never reached the model
