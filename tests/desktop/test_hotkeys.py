"""Global hotkeys: parsing, and the X11 listener against a private Xvfb (xdotool presses keys)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from desktop_app.core.errors import HotkeyError
from desktop_app.hotkeys import (
    Hotkey,
    HotkeyListener,
    create_listener,
    format_hotkey,
    parse_hotkey,
)
from desktop_app.settings import DEFAULT_HOTKEYS

WAIT_S = 5.0


class Presses:
    """Collects on_press calls and the threads they came from; wait for a given action."""

    def __init__(self) -> None:
        self.actions: list[str] = []
        self.threads: list[threading.Thread] = []
        self._changed = threading.Condition()

    def __call__(self, action: str) -> None:
        with self._changed:
            self.actions.append(action)
            self.threads.append(threading.current_thread())
            self._changed.notify_all()

    def wait_for(self, action: str) -> list[str]:
        with self._changed:
            assert self._changed.wait_for(lambda: action in self.actions, WAIT_S), self.actions
            return list(self.actions)


def press(*keys: str) -> None:
    """Press key combinations on the private display, one after the other, in order."""
    subprocess.run(["xdotool", "key", *keys], check=True, timeout=WAIT_S)


@pytest.fixture
def listener(x_display: str) -> Iterator[HotkeyListener]:
    created = create_listener()
    yield created
    created.stop()


# --- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "readable", "canonical"),
    [
        ("ctrl+alt+shift+d", "Control+Alt+Shift+D", "ctrl+alt+shift+d"),
        ("Shift+Control+ALT+D", "Control+Alt+Shift+D", "ctrl+alt+shift+d"),
        ("win+f5", "Super+F5", "super+f5"),
        ("cmd + PgDn", "Super+Page Down", "super+pagedown"),
        ("meta+alt+esc", "Alt+Super+Escape", "alt+super+escape"),
        ("ctrl+7", "Control+7", "ctrl+7"),
        ("F12", "F12", "f12"),
        ("pause", "Pause", "pause"),
        ("shift+print", "Shift+Print Screen", "shift+print"),
        ("ctrl+alt+up", "Control+Alt+Up Arrow", "ctrl+alt+up"),
        ("control+space", "Control+Space", "ctrl+space"),
        ("ctrl+f24", "Control+F24", "ctrl+f24"),
    ],
)
def test_parse_and_format(text: str, readable: str, canonical: str) -> None:
    hotkey = parse_hotkey(text)
    assert format_hotkey(hotkey, platform="linux") == readable
    assert str(hotkey) == canonical
    assert parse_hotkey(str(hotkey)) == hotkey


def test_hotkey_is_a_frozen_value() -> None:
    hotkey = parse_hotkey("ctrl+alt+shift+d")
    assert hotkey == Hotkey(frozenset({"ctrl", "alt", "shift"}), "d")
    assert {hotkey: 1}[parse_hotkey("shift+alt+ctrl+D")] == 1


def test_format_names_modifiers_per_platform() -> None:
    hotkey = parse_hotkey("ctrl+alt+super+d")
    assert format_hotkey(hotkey, platform="darwin") == "Control+Option+Command+D"
    assert format_hotkey(hotkey, platform="win32") == "Control+Alt+Windows+D"


def test_every_default_parses() -> None:
    for text in DEFAULT_HOTKEYS.values():
        assert format_hotkey(parse_hotkey(text), platform="linux").startswith("Control+Alt+Shift+")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "No hotkey given"),
        ("   ", "No hotkey given"),
        ("ctrl+alt", "only modifiers"),
        ("ctrl+alt+banana", "banana"),
        ("ctrl+a+b", "more than one key"),
        ("ctrl++d", "does not know"),
        ("ctrl+f25", "f25"),
        ("d", "stop you typing D"),
        ("shift+5", "stop you typing 5"),
    ],
)
def test_bad_hotkeys_raise_plain_errors(text: str, said: str) -> None:
    with pytest.raises(HotkeyError) as caught:
        parse_hotkey(text)
    assert said in caught.value.message
    assert "\n" not in caught.value.message


def test_every_key_maps_on_every_platform() -> None:
    from desktop_app.hotkeys._keys import KEYS
    from desktop_app.hotkeys._macos import pynput_hotkey
    from desktop_app.hotkeys._windows import virtual_key
    from desktop_app.hotkeys._x11_keys import keysym

    for key in KEYS:
        assert keysym(key) > 0 and 0 < virtual_key(key) < 0x100
    assert virtual_key("d") == 0x44 and virtual_key("f24") == 0x87 and keysym("f24") == 0xFFD5
    assert pynput_hotkey(parse_hotkey("ctrl+alt+shift+d")) == "<ctrl>+<alt>+<shift>+d"
    assert pynput_hotkey(parse_hotkey("cmd+pgup")) == "<cmd>+<page_up>"


# --- the X11 listener ---------------------------------------------------------------------------


def test_defaults_fire_on_the_listener_thread(listener: HotkeyListener) -> None:
    presses = Presses()
    assert listener.start(DEFAULT_HOTKEYS, presses) == {}
    press("ctrl+alt+shift+d", "ctrl+alt+shift+s")
    assert presses.wait_for("stop") == ["describe_screen", "stop"]
    assert all(thread is not threading.main_thread() for thread in presses.threads)


def test_lock_keys_do_not_stop_hotkeys(listener: HotkeyListener) -> None:
    presses = Presses()
    assert listener.start(DEFAULT_HOTKEYS, presses) == {}
    press("Num_Lock", "Caps_Lock", "ctrl+alt+shift+w", "Num_Lock", "Caps_Lock")
    assert presses.wait_for("describe_window") == ["describe_window"]


def test_a_hotkey_taken_by_another_program_is_reported(
    x_display: str, listener: HotkeyListener
) -> None:
    from Xlib import XK, X
    from Xlib import display as xdisplay

    other: Any = xdisplay.Display(x_display)
    try:
        keycode = other.keysym_to_keycode(XK.string_to_keysym("w"))
        mask = X.ControlMask | X.Mod1Mask | X.ShiftMask
        other.screen().root.grab_key(keycode, mask, False, X.GrabModeAsync, X.GrabModeAsync)
        other.sync()
        presses = Presses()
        problems = listener.start(DEFAULT_HOTKEYS, presses)
        assert list(problems) == ["describe_window"]
        assert (
            "Control+Alt+Shift+W is already used by another program" in problems["describe_window"]
        )
        press("ctrl+alt+shift+d")
        assert presses.wait_for("describe_screen") == ["describe_screen"]
    finally:
        other.close()


def test_reassigning_releases_the_old_keys(listener: HotkeyListener) -> None:
    presses = Presses()
    assert listener.start(DEFAULT_HOTKEYS, presses) == {}
    again = Presses()
    assert listener.start({"describe_screen": "ctrl+alt+shift+x"}, again) == {}
    press("ctrl+alt+shift+d", "ctrl+alt+shift+x")  # D first: had it fired, it would come first.
    assert again.wait_for("describe_screen") == ["describe_screen"]
    assert presses.actions == []


class RecordingRoot:
    """The session's root window, passed through, recording grab_key and ungrab_key calls;
    `regrabbed` is set at the first grab."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.grabbed: list[tuple[int, int]] = []
        self.released: list[tuple[int, int]] = []
        self.regrabbed = threading.Event()

    def grab_key(self, keycode: int, modifiers: int, *rest: Any, **options: Any) -> None:
        self.grabbed.append((keycode, modifiers))
        self.regrabbed.set()
        self.root.grab_key(keycode, modifiers, *rest, **options)

    def ungrab_key(self, keycode: int, modifiers: int) -> None:
        self.released.append((keycode, modifiers))
        self.root.ungrab_key(keycode, modifiers)


@pytest.mark.skipif(sys.platform != "linux", reason="X11")
def test_a_keyboard_change_as_orca_makes_it_never_lets_a_bound_key_go(
    x_display: str, listener: HotkeyListener
) -> None:
    """Orca rewrites the keymap with xkbcomp (its modifier key): Iris grabs its keys again for
    the new map without releasing them in between, so a hotkey pressed then still reaches Iris."""
    presses = Presses()
    assert listener.start(DEFAULT_HOTKEYS, presses) == {}
    session = listener._session  # type: ignore[attr-defined]
    recording = session._root = RecordingRoot(session._root)
    keymap = subprocess.run(
        ["xkbcomp", x_display, "-"], check=True, capture_output=True, timeout=WAIT_S
    ).stdout
    subprocess.run(["xkbcomp", "-w0", "-", x_display], input=keymap, check=True, timeout=WAIT_S)
    assert recording.regrabbed.wait(WAIT_S), "the keyboard change was not noticed"
    press("ctrl+alt+shift+d")  # comes after the change's notices: handled after them
    assert presses.wait_for("describe_screen") == ["describe_screen"]
    assert recording.grabbed and recording.released == []


def test_bad_and_duplicate_bindings_are_reported_others_still_fire(
    listener: HotkeyListener,
) -> None:
    presses = Presses()
    bindings = {
        "describe_screen": "ctrl+alt+banana",
        "stop": "ctrl+alt+shift+s",
        "repeat": "S+ctrl+alt+shift",
    }
    problems = listener.start(bindings, presses)
    assert set(problems) == {"describe_screen", "repeat"}
    assert "banana" in problems["describe_screen"]
    assert "both repeat and stop" in problems["repeat"]
    press("ctrl+alt+shift+s")
    assert presses.wait_for("stop") == ["stop"]


def test_a_failing_handler_is_logged_as_a_warning(
    listener: HotkeyListener, caplog: pytest.LogCaptureFixture
) -> None:
    presses = Presses()

    def handler(action: str) -> None:
        presses(action)
        if action == "describe_screen":
            raise RuntimeError("boom")

    assert listener.start(DEFAULT_HOTKEYS, handler) == {}
    press("ctrl+alt+shift+d", "ctrl+alt+shift+l")
    presses.wait_for("repeat")  # The listener survived the failing handler.
    assert any("describe_screen" in record.getMessage() for record in caplog.records)


def test_stop_is_prompt_and_ends_the_thread(x_display: str) -> None:
    before = threading.active_count()
    listener = create_listener()
    presses = Presses()
    assert listener.start(DEFAULT_HOTKEYS, presses) == {}
    assert threading.active_count() == before + 1
    started = time.monotonic()
    listener.stop()
    assert time.monotonic() - started < 2.0
    assert threading.active_count() == before
    listener.stop()  # Stopping twice is harmless.


def test_stop_releases_the_grabs(x_display: str) -> None:
    first, second = create_listener(), create_listener()
    try:
        assert first.start(DEFAULT_HOTKEYS, Presses()) == {}
        assert set(second.start(DEFAULT_HOTKEYS, Presses())) == set(DEFAULT_HOTKEYS)  # All taken.
        first.stop()
        assert second.start(DEFAULT_HOTKEYS, Presses()) == {}
    finally:
        first.stop()
        second.stop()


def test_stop_from_inside_the_handler_does_not_hang(x_display: str) -> None:
    listener = create_listener()
    presses = Presses()

    def handler(action: str) -> None:
        listener.stop()
        presses(action)

    assert listener.start(DEFAULT_HOTKEYS, handler) == {}
    press("ctrl+alt+shift+d")
    presses.wait_for("describe_screen")
    presses.threads[0].join(WAIT_S)
    assert not presses.threads[0].is_alive()


# --- no display ---------------------------------------------------------------------------------


@pytest.fixture
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


@pytest.mark.skipif(sys.platform != "linux", reason="Linux display handling")
def test_without_a_display_every_binding_gets_a_plain_problem(no_display: None) -> None:
    problems = create_listener().start(DEFAULT_HOTKEYS, Presses())
    assert set(problems) == set(DEFAULT_HOTKEYS)
    assert all("no desktop display" in problem for problem in problems.values())


@pytest.mark.skipif(sys.platform != "linux", reason="Linux display handling")
def test_wayland_without_x_gets_a_plain_problem(
    no_display: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    problems = create_listener().start({"stop": "ctrl+alt+shift+s"}, Presses())
    assert "Wayland" in problems["stop"]


def test_an_unreachable_display_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.hotkeys._x11 import X11Listener

    before = threading.active_count()
    listener = X11Listener(display_name=":987")
    problems = listener.start(DEFAULT_HOTKEYS, Presses())
    listener.stop()
    assert set(problems) == set(DEFAULT_HOTKEYS)
    assert all(p.startswith("Global hotkeys are off: the display") for p in problems.values())
    assert threading.active_count() == before
