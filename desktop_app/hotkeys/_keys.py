"""Hotkey strings: parse "ctrl+alt+shift+d" into a `Hotkey`, and format it for screen readers."""

from __future__ import annotations

import string
import sys
from dataclasses import dataclass

from desktop_app.core import messages
from desktop_app.core.errors import HotkeyError

MODIFIERS = ("ctrl", "alt", "shift", "super")
"""Canonical modifier names, in the order they are written and spoken."""

_MODIFIER_ALIASES = {
    "ctrl": "ctrl",
    "control": "ctrl",
    "alt": "alt",
    "option": "alt",
    "shift": "shift",
    "super": "super",
    "win": "super",
    "windows": "super",
    "cmd": "super",
    "command": "super",
    "meta": "super",
}
NAMED_KEYS = tuple(messages.KEY_NAMES)
"""Canonical names of the keys that are neither letters, digits nor function keys."""

_KEY_ALIASES = {
    "esc": "escape",
    "return": "enter",
    "del": "delete",
    "ins": "insert",
    "pgup": "pageup",
    "pgdn": "pagedown",
    "page_up": "pageup",
    "page_down": "pagedown",
    "printscreen": "print",
    "print_screen": "print",
    "prtsc": "print",
    "break": "pause",
}
_FUNCTION_KEYS = tuple(f"f{number}" for number in range(1, 25))
_TYPING_KEYS = frozenset(string.ascii_lowercase + string.digits) | {"space"}
KEYS = frozenset(string.ascii_lowercase + string.digits) | set(_FUNCTION_KEYS) | set(NAMED_KEYS)
"""Every canonical key name a hotkey may use."""


@dataclass(frozen=True)
class Hotkey:
    """Modifiers (canonical names from MODIFIERS) and one key (a canonical name from KEYS)."""

    modifiers: frozenset[str]
    key: str

    def __str__(self) -> str:
        """The canonical string, e.g. "ctrl+alt+shift+d" (what settings store)."""
        return "+".join([m for m in MODIFIERS if m in self.modifiers] + [self.key])


def _canonical_key(part: str) -> str | None:
    part = _KEY_ALIASES.get(part, part)
    return part if part in KEYS else None


def parse_hotkey(text: str) -> Hotkey:
    """Parse a case-insensitive hotkey string; raise HotkeyError with a plain message if bad."""
    shown = text.strip()
    if not shown:
        raise HotkeyError(messages.HOTKEY_EMPTY)
    modifiers: set[str] = set()
    key: str | None = None
    for raw in shown.lower().replace(" ", "").split("+"):
        if raw in _MODIFIER_ALIASES:
            modifiers.add(_MODIFIER_ALIASES[raw])
            continue
        canonical = _canonical_key(raw)
        if canonical is None:
            raise HotkeyError(messages.HOTKEY_UNKNOWN_PART.format(text=shown, part=raw or "+"))
        if key is not None and key != canonical:
            raise HotkeyError(messages.HOTKEY_TWO_KEYS.format(text=shown, first=key, second=raw))
        key = canonical
    if key is None:
        raise HotkeyError(messages.HOTKEY_NO_KEY.format(text=shown))
    if key in _TYPING_KEYS and not modifiers - {"shift"}:
        raise HotkeyError(messages.HOTKEY_NEEDS_MODIFIER.format(text=shown, key=key_name(key)))
    return Hotkey(frozenset(modifiers), key)


def key_name(key: str) -> str:
    """A key's readable name: "D", "5", "F5", "Page Up"."""
    return messages.KEY_NAMES.get(key, key.upper())


def _modifier_names(platform: str) -> dict[str, str]:
    if platform == "darwin":
        return {
            "ctrl": messages.KEY_CONTROL,
            "alt": messages.KEY_OPTION,
            "shift": messages.KEY_SHIFT,
            "super": messages.KEY_COMMAND,
        }
    return {
        "ctrl": messages.KEY_CONTROL,
        "alt": messages.KEY_ALT,
        "shift": messages.KEY_SHIFT,
        "super": messages.KEY_WINDOWS if platform == "win32" else messages.KEY_SUPER,
    }


def format_hotkey(hotkey: Hotkey, platform: str = sys.platform) -> str:
    """Readable form for screen readers: "Control+Alt+Shift+D" (Option/Command on macOS)."""
    names = _modifier_names(platform)
    return "+".join([names[m] for m in MODIFIERS if m in hotkey.modifiers] + [key_name(hotkey.key)])
