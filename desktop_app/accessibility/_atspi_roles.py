"""AT-SPI's roles and states (the numbers of atspi-constants.h) in Iris's words."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from desktop_app.core.accessible import Role, State

ROLES: dict[int, Role] = {
    1: Role.LABEL,  # accelerator label
    2: Role.DIALOG,  # alert
    6: Role.CANVAS,
    7: Role.CHECK_BOX,
    8: Role.MENU_ITEM,  # check menu item
    11: Role.COMBO_BOX,
    16: Role.DIALOG,
    18: Role.CANVAS,  # drawing area
    23: Role.WINDOW,  # frame
    26: Role.IMAGE,  # icon
    27: Role.IMAGE,
    29: Role.LABEL,
    31: Role.LIST,
    32: Role.LIST_ITEM,
    33: Role.MENU,
    34: Role.MENU_BAR,
    35: Role.MENU_ITEM,
    37: Role.TAB,  # page tab
    38: Role.TAB_LIST,  # page tab list
    40: Role.TEXT_FIELD,  # password text
    41: Role.MENU,  # popup menu
    42: Role.PROGRESS_BAR,
    43: Role.BUTTON,  # push button
    44: Role.RADIO_BUTTON,
    45: Role.MENU_ITEM,  # radio menu item
    48: Role.SCROLL_BAR,
    50: Role.SEPARATOR,
    51: Role.SLIDER,
    52: Role.SPIN_BUTTON,
    54: Role.STATUS_BAR,
    55: Role.TABLE,
    56: Role.CELL,  # table cell
    60: Role.TERMINAL,
    61: Role.TEXT_FIELD,  # text
    62: Role.TOGGLE_BUTTON,
    63: Role.TOOL_BAR,
    65: Role.TREE,
    66: Role.TREE,  # tree table
    69: Role.WINDOW,
    73: Role.PARAGRAPH,
    78: Role.EMBEDDED,
    79: Role.TEXT_FIELD,  # entry
    81: Role.LABEL,  # caption
    82: Role.DOCUMENT,  # document frame
    83: Role.HEADING,
    88: Role.LINK,
    91: Role.TREE_ITEM,
    92: Role.DOCUMENT,  # spreadsheet
    93: Role.DOCUMENT,  # presentation
    94: Role.DOCUMENT,  # text
    95: Role.DOCUMENT,  # web
    96: Role.DOCUMENT,  # email
    98: Role.LIST,  # list box
    99: Role.GROUP,  # grouping
    103: Role.PROGRESS_BAR,  # level bar
    116: Role.LABEL,  # static
    129: Role.BUTTON,  # push button menu
}
PASSWORD_TEXT = 40
TEXT_ROLES = frozenset({60, 61, 79})
"""Roles whose text is read with the Text interface (never a password's)."""
VALUE_ROLES = frozenset({42, 48, 51, 52, 103})
"""Roles whose value is read with the Value interface."""

# Bits of AtspiStateType.
ACTIVE, BUSY, CHECKED, COLLAPSED, ENABLED, EXPANDABLE, EXPANDED = 1, 3, 4, 5, 8, 9, 10
FOCUSED, PRESSED, SELECTED, SENSITIVE, SHOWING = 12, 20, 23, 24, 25
REQUIRED, INVALID_ENTRY, READ_ONLY = 33, 36, 43
_STATES = {
    FOCUSED: State.FOCUSED,
    SELECTED: State.SELECTED,
    CHECKED: State.CHECKED,
    PRESSED: State.PRESSED,
    EXPANDED: State.EXPANDED,
    COLLAPSED: State.COLLAPSED,
    READ_ONLY: State.READ_ONLY,
    REQUIRED: State.REQUIRED,
    INVALID_ENTRY: State.INVALID,
    BUSY: State.BUSY,
}


def state_bits(words: Sequence[int]) -> frozenset[int]:
    """The AtspiStateType numbers set in a `GetState` bitfield (32-bit words, lowest first)."""
    return _bits(tuple(words))


@lru_cache(maxsize=1024)
def _bits(words: tuple[int, ...]) -> frozenset[int]:
    return frozenset(
        32 * index + bit for index, word in enumerate(words) for bit in range(32) if word >> bit & 1
    )


def state_words(*bits: int) -> list[int]:
    """The two-word bitfield with `bits` set (for a Collection match rule)."""
    words = [0, 0]
    for bit in bits:
        words[bit // 32] |= 1 << bit % 32
    return words


def states_of(bits: frozenset[int]) -> frozenset[State]:
    """The states worth telling among `bits`."""
    found = {state for bit, state in _STATES.items() if bit in bits}
    if EXPANDABLE in bits and EXPANDED not in bits:
        found.add(State.COLLAPSED)
    if SENSITIVE not in bits and ENABLED not in bits:
        found.add(State.UNAVAILABLE)
    return frozenset(found)


def role_of(number: int) -> Role:
    """Iris's role for AT-SPI's role `number`; OTHER when it has none."""
    return ROLES.get(number, Role.OTHER)
