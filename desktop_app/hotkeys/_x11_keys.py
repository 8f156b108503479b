"""X11 keysyms and modifier masks for canonical hotkey names (python-xlib, imported lazily)."""

from __future__ import annotations

import functools
import itertools
import operator
import string
from collections.abc import Iterable
from typing import Any

_NAMED_KEYSYMS = {
    "space": 0x0020,
    "escape": 0xFF1B,
    "tab": 0xFF09,
    "enter": 0xFF0D,
    "backspace": 0xFF08,
    "pause": 0xFF13,
    "print": 0xFF61,
    "home": 0xFF50,
    "left": 0xFF51,
    "up": 0xFF52,
    "right": 0xFF53,
    "down": 0xFF54,
    "pageup": 0xFF55,
    "pagedown": 0xFF56,
    "end": 0xFF57,
    "insert": 0xFF63,
    "delete": 0xFFFF,
}
_F1 = 0xFFBE  # XK_F1; F1..F35 are consecutive.
_SHIFT, _LOCK, _CONTROL, _MOD1, _MOD2, _MOD4 = 1, 2, 4, 8, 16, 64


def _bits(masks: Iterable[int]) -> int:
    return functools.reduce(operator.or_, masks, 0)


def keysym(key: str) -> int:
    """The X keysym of a canonical key name (letters map to their lower-case keysym)."""
    if key in _NAMED_KEYSYMS:
        return _NAMED_KEYSYMS[key]
    if key.startswith("f") and key[1:].isdigit():
        return _F1 + int(key[1:]) - 1
    if len(key) == 1 and key in string.ascii_lowercase + string.digits:
        return ord(key)
    raise ValueError(key)


class ModifierMasks:
    """Which X modifier bit means what on this server, read from its modifier mapping."""

    def __init__(self, display: Any) -> None:
        mapping = [set(codes) - {0} for codes in display.get_modifier_mapping()]

        def mask_of(keysyms: tuple[int, ...], default: int) -> int:
            codes = {display.keysym_to_keycode(sym) for sym in keysyms} - {0}
            for index in range(3, 8):  # Mod1..Mod5; 0-2 are Shift, Lock, Control.
                if codes & mapping[index]:
                    return 1 << index
            return default

        self.by_name = {
            "ctrl": _CONTROL,
            "alt": mask_of((0xFFE9, 0xFFEA), _MOD1),  # Alt_L, Alt_R
            "shift": _SHIFT,
            "super": mask_of((0xFFEB, 0xFFEC), _MOD4),  # Super_L, Super_R
        }
        locks = {_LOCK, mask_of((0xFF7F,), _MOD2), mask_of((0xFF14,), 0)} - {0}  # Num, Scroll
        locks -= set(self.by_name.values())
        self.relevant = _bits(self.by_name.values())
        sizes = range(len(locks) + 1)
        self.lock_variants = sorted(
            {_bits(combo) for size in sizes for combo in itertools.combinations(locks, size)}
        )
        """Every combination of CapsLock, NumLock and ScrollLock, to grab alongside each hotkey."""

    def mask(self, modifiers: frozenset[str]) -> int:
        """The X modifier mask of canonical modifier names."""
        return _bits(self.by_name[name] for name in modifiers)
