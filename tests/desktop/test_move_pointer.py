"""Moving the pointer on a private Xvfb display, read back by Iris and by xdotool."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from desktop_app.capture import move_pointer, pointer_position
from desktop_app.core.errors import CaptureError


def _xdotool_location() -> tuple[int, int]:
    shown = subprocess.run(
        ["xdotool", "getmouselocation", "--shell"],
        check=True, capture_output=True, text=True, timeout=10,
    ).stdout  # fmt: skip
    values = dict(line.split("=", 1) for line in shown.splitlines() if "=" in line)
    return int(values["X"]), int(values["Y"])


@pytest.mark.parametrize("place", [(321, 123), (0, 0), (1279, 799), (640, 400)])
def test_move_pointer_lands_where_asked(x_display: str, place: tuple[int, int]) -> None:
    subprocess.run(["xdotool", "mousemove", "5", "5"], check=True, timeout=10)
    move_pointer(*place)
    assert pointer_position() == place
    assert _xdotool_location() == place


def test_a_place_off_the_screen_stops_at_its_edge(x_display: str) -> None:
    move_pointer(5000, -30)
    assert pointer_position() == (1279, 0)
    assert _xdotool_location() == (1279, 0)


def test_without_xtest_the_pointer_is_warped(
    x_display: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from Xlib import display as xdisplay

    monkeypatch.setattr(xdisplay.Display, "has_extension", lambda self, name: False)
    move_pointer(77, 88)
    assert _xdotool_location() == (77, 88)


def test_a_display_that_cannot_be_opened_is_a_capture_error(
    x_display: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = next(n for n in range(4321, 4421) if not Path(f"/tmp/.X{n}-lock").exists())
    monkeypatch.setenv("DISPLAY", f":{number}")
    with pytest.raises(CaptureError) as caught:
        move_pointer(1, 1)
    assert caught.value.message.startswith(f"Cannot capture the screen: the display :{number} ")
    assert "\n" not in caught.value.message
