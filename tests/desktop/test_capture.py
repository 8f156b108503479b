"""Screen capture against a private Xvfb display: plain X windows of known colours, no WM."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from desktop_app.capture import (
    ORIGIN_KEY,
    _api,
    active_window_rect,
    capture_region,
    capture_screen,
    capture_window,
    monitors,
    pointer_position,
)
from desktop_app.capture._geometry import clip, format_region, monitor_at
from desktop_app.core import messages
from desktop_app.core.errors import CaptureError
from desktop_app.core.types import Rect

BLUE = (51, 102, 204)
ORANGE = (230, 120, 20)
MAP_TIMEOUT_S = 5.0

MakeWindow = Callable[[Rect, tuple[int, int, int]], Any]


@pytest.fixture(scope="module")
def xconn(x_display: str) -> Iterator[Any]:
    """A python-xlib connection of the test's own, to draw windows with."""
    from Xlib import display as xdisplay

    connection = xdisplay.Display(x_display)
    yield connection
    connection.close()


@pytest.fixture
def make_window(xconn: Any) -> Iterator[MakeWindow]:
    """Open solid-colour windows (focused, mapped); destroy them and reset focus afterwards."""
    from Xlib import X

    root = xconn.screen().root
    made: list[Any] = []

    def make(rect: Rect, rgb: tuple[int, int, int]) -> Any:
        red, green, blue = rgb
        window = root.create_window(
            rect.x, rect.y, rect.width, rect.height, 0, xconn.screen().root_depth,
            background_pixel=(red << 16) | (green << 8) | blue, override_redirect=True,
        )  # fmt: skip
        made.append(window)
        window.map()
        xconn.sync()
        deadline = time.monotonic() + MAP_TIMEOUT_S
        while window.get_attributes().map_state != X.IsViewable:
            assert time.monotonic() < deadline, "the test window was not mapped"
        window.set_input_focus(X.RevertToParent, X.CurrentTime)
        xconn.sync()
        return window

    yield make
    for window in made:
        window.destroy()
    root.delete_property(xconn.intern_atom("_NET_ACTIVE_WINDOW"))
    xconn.set_input_focus(X.PointerRoot, X.RevertToPointerRoot, X.CurrentTime)
    xconn.sync()


def _solid(image: Image.Image, rgb: tuple[int, int, int]) -> bool:
    return image.getcolors() == [(image.width * image.height, rgb)]


def test_capture_screen_sees_the_window(make_window: MakeWindow) -> None:
    make_window(Rect(100, 150, 200, 120), BLUE)
    image = capture_screen()
    assert (image.size, image.mode) == ((1280, 800), "RGB")
    assert image.getpixel((100, 150)) == BLUE
    assert image.getpixel((299, 269)) == BLUE
    assert image.getpixel((300, 270)) != BLUE
    assert image.info[ORIGIN_KEY] == (0, 0)
    everything = capture_screen(all_monitors=True)
    assert everything.size == (1280, 800)
    assert everything.tobytes() == image.tobytes()


def test_capture_window_uses_the_focused_window_without_a_window_manager(
    make_window: MakeWindow,
) -> None:
    make_window(Rect(40, 30, 300, 200), ORANGE)
    make_window(Rect(500, 400, 160, 90), BLUE)  # Focused last.
    assert active_window_rect() == Rect(500, 400, 160, 90)
    image = capture_window()
    assert (image.size, image.mode) == ((160, 90), "RGB")
    assert _solid(image, BLUE)


def test_net_active_window_and_frame_extents_win(xconn: Any, make_window: MakeWindow) -> None:
    from Xlib import Xatom

    active = make_window(Rect(200, 220, 240, 160), ORANGE)
    make_window(Rect(700, 100, 100, 100), BLUE)  # Has the input focus, but is not "active".
    active.change_property(
        xconn.intern_atom("_NET_FRAME_EXTENTS"), Xatom.CARDINAL, 32, [4, 6, 24, 2]
    )
    root = xconn.screen().root
    root.change_property(xconn.intern_atom("_NET_ACTIVE_WINDOW"), Xatom.WINDOW, 32, [active.id])
    xconn.sync()
    assert active_window_rect() == Rect(196, 196, 250, 186)  # left, right, top, bottom added


def test_a_window_partly_off_screen_gives_its_visible_part(make_window: MakeWindow) -> None:
    make_window(Rect(1180, 740, 200, 100), BLUE)
    assert active_window_rect() == Rect(1180, 740, 100, 60)
    image = capture_window()
    assert image.size == (100, 60)
    assert _solid(image, BLUE)


def test_no_active_window_is_a_clear_error(make_window: MakeWindow) -> None:
    with pytest.raises(CaptureError) as caught:
        capture_window()
    assert caught.value.message == messages.CAPTURE_NO_ACTIVE_WINDOW


def test_pointer_position_follows_xdotool(x_display: str) -> None:
    for x, y in ((321, 123), (0, 799)):
        subprocess.run(["xdotool", "mousemove", str(x), str(y)], check=True, timeout=10)
        assert pointer_position() == (x, y)


def test_monitors_of_xvfb(x_display: str) -> None:
    assert monitors() == [Rect(0, 0, 1280, 800)]


def test_capture_region_crops_the_screen(make_window: MakeWindow) -> None:
    make_window(Rect(100, 150, 200, 120), BLUE)
    image = capture_region(Rect(90, 140, 30, 20))
    assert (image.size, image.mode) == ((30, 20), "RGB")
    assert image.getpixel((10, 10)) == BLUE
    assert image.getpixel((29, 19)) == BLUE
    assert image.tobytes() == capture_screen().crop((90, 140, 120, 160)).tobytes()
    assert capture_region(Rect(1270, 790, 50, 50)).size == (10, 10)  # Clipped to the screen.


def test_capture_region_outside_the_screen_is_an_error(x_display: str) -> None:
    with pytest.raises(CaptureError) as caught:
        capture_region(Rect(1280, 0, 10, 10))
    assert caught.value.message == messages.CAPTURE_REGION_OFF_SCREEN.format(
        region=format_region(Rect(1280, 0, 10, 10))
    )
    with pytest.raises(ValueError):
        Rect(0, 0, 0, 10)  # Empty regions cannot even be made.


def test_capture_region_from_a_source_never_touches_the_display(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_display() -> None:
        raise AssertionError("the display was used")

    monkeypatch.setattr(_api, "current", no_display)
    monkeypatch.setattr(_api, "screens", no_display)
    source = Image.new("RGB", (100, 50), ORANGE)
    source.paste(BLUE, (10, 20, 30, 30))
    crop = capture_region(Rect(10, 20, 20, 10), source=source)
    assert (crop.size, crop.mode) == ((20, 10), "RGB")
    assert _solid(crop, BLUE)
    assert capture_region(Rect(90, 40, 50, 50), source=source).size == (10, 10)
    # A capture of a monitor left of the primary one knows its place on the desktop.
    source.info[ORIGIN_KEY] = (-100, 0)
    assert _solid(capture_region(Rect(-90, 20, 20, 10), source=source), BLUE)
    with pytest.raises(CaptureError) as caught:
        capture_region(Rect(0, 0, 10, 10), source=source)
    assert "outside the screenshot" in caught.value.message
    rgba = Image.new("RGBA", (8, 8), (*BLUE, 128))
    assert capture_region(Rect(0, 0, 4, 4), source=rgba).mode == "RGB"


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, messages.CAPTURE_NO_DISPLAY),
        ({"WAYLAND_DISPLAY": "wayland-0"}, messages.CAPTURE_WAYLAND),
    ],
)
def test_no_display_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: str
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    for capture in (capture_screen, capture_window, pointer_position, monitors):
        with pytest.raises(CaptureError) as caught:
            capture()
        assert caught.value.message == expected


def test_a_display_that_cannot_be_opened_is_a_clear_error(
    x_display: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = next(n for n in range(4321, 4421) if not Path(f"/tmp/.X{n}-lock").exists())
    monkeypatch.setenv("DISPLAY", f":{number}")
    start = f"Cannot capture the screen: the display :{number} could not be opened"
    for capture in (capture_screen, capture_window, pointer_position, monitors):
        with pytest.raises(CaptureError) as caught:
            capture()
        assert caught.value.message.startswith(start)
        assert "\n" not in caught.value.message
        assert "Traceback" not in caught.value.message


def test_capture_writes_no_files(
    make_window: MakeWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tempfile

    temp, cwd = tmp_path / "tmp", tmp_path / "cwd"
    temp.mkdir()
    cwd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.chdir(cwd)

    def no_saving(*args: object, **kwargs: object) -> None:
        raise AssertionError("a capture was saved")

    monkeypatch.setattr(Image.Image, "save", no_saving)
    make_window(Rect(10, 10, 50, 50), BLUE)
    screen = capture_screen(all_monitors=True)
    capture_window()
    capture_region(Rect(0, 0, 64, 64))
    capture_region(Rect(0, 0, 64, 64), source=screen)
    assert (os.listdir(temp), os.listdir(cwd)) == ([], [])


# --- geometry, no display -------------------------------------------------------------------


def test_clip() -> None:
    desktop = Rect(-1920, 0, 3200, 1080)
    assert clip(Rect(0, 0, 100, 100), desktop) == Rect(0, 0, 100, 100)
    assert clip(Rect(-2000, -10, 200, 50), desktop) == Rect(-1920, 0, 120, 40)
    assert clip(Rect(1280, 0, 10, 10), desktop) is None
    assert clip(Rect(0, 1080, 10, 10), desktop) is None


def test_monitor_at_picks_the_monitor_under_the_pointer() -> None:
    primary, left = Rect(0, 0, 1920, 1080), Rect(-1280, 0, 1280, 1024)
    assert monitor_at([primary, left], -5, 500) == left
    assert monitor_at([primary, left], 5, 500) == primary
    assert monitor_at([primary, left], -5, 1050) == primary  # In no monitor: the primary.
