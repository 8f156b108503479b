"""Global hotkeys on macOS through pynput's GlobalHotKeys (needs Accessibility permission).

Untested in CI (Linux only); kept small on purpose.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import first_line
from desktop_app.hotkeys._keys import MODIFIERS, Hotkey, format_hotkey
from desktop_app.hotkeys._listener import check_bindings

_LOG = logging.getLogger(__name__)
_PYNPUT_MODIFIERS = {"ctrl": "<ctrl>", "alt": "<alt>", "shift": "<shift>", "super": "<cmd>"}
_PYNPUT_KEYS = {
    "escape": "esc",
    "pageup": "page_up",
    "pagedown": "page_down",
    "print": "print_screen",
}
_START_TIMEOUT_S = 5.0


def pynput_hotkey(hotkey: Hotkey) -> str:
    """The pynput form of a hotkey: "<ctrl>+<alt>+<shift>+d"."""
    key = hotkey.key
    if len(key) > 1:
        key = f"<{_PYNPUT_KEYS.get(key, key)}>"
    return "+".join([_PYNPUT_MODIFIERS[m] for m in MODIFIERS if m in hotkey.modifiers] + [key])


class MacListener:
    """HotkeyListener for macOS; pynput calls on_press from its own listener thread."""

    def __init__(self) -> None:
        self._listener: Any = None

    def start(self, bindings: Mapping[str, str], on_press: Callable[[str], None]) -> dict[str, str]:
        """Listen for the bindings (replacing earlier ones); return {action: problem}."""
        self.stop()
        usable, problems = check_bindings(bindings)
        try:
            from pynput import keyboard
        except ImportError:
            return problems | dict.fromkeys(
                usable, messages.HOTKEY_NEEDS_PACKAGE.format(package="pynput")
            )
        callbacks: dict[str, Callable[[], None]] = {}
        for action, hotkey in usable.items():
            try:
                keyboard.HotKey.parse(pynput_hotkey(hotkey))
            except ValueError as error:
                problems[action] = messages.HOTKEY_FAILED.format(
                    hotkey=format_hotkey(hotkey), reason=first_line(error)
                )
                continue
            callbacks[pynput_hotkey(hotkey)] = _guarded(on_press, action)
        self._listener = keyboard.GlobalHotKeys(callbacks)
        self._listener.start()
        self._listener.wait()
        if not getattr(self._listener, "IS_TRUSTED", True):  # No Accessibility permission.
            self.stop()
            for action in usable:
                problems.setdefault(action, messages.HOTKEY_MACOS_PERMISSION)
        return problems

    def stop(self) -> None:
        """Stop pynput's listener thread (bounded wait)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
            listener.join(_START_TIMEOUT_S)


def _guarded(on_press: Callable[[str], None], action: str) -> Callable[[], None]:
    def fire() -> None:
        try:
            on_press(action)
        except Exception:
            _LOG.warning("Handling the hotkey for %s failed", action, exc_info=True)

    return fire
