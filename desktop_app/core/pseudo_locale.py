"""The pseudo-locale `en_XA`: every marked string accented, 40 % longer and in brackets.

Made at run time from the English source strings, no catalogue. Text that escaped translation
shows up unaccented, a sentence built by concatenation shows several bracketed pieces, and a
label too narrow for a longer language is cut off. Placeholders (``{name}``, ``{seconds:g}``),
``%`` formats, file patterns (``*.png``) and menu mnemonics (``&``) are kept working.
"""

from __future__ import annotations

import gettext
import math
import re
from collections.abc import Set

PSEUDO_LANGUAGE = "en_XA"
OPEN, CLOSE = "[", "]"
GROWTH = 0.4
"""How much longer a pseudo-localized string is than its source (translations run longer)."""

_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
_KEPT = re.compile(
    r"\{[^{}]*\}"  # str.format fields
    r"|%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]"  # printf formats
    r"|\*\.\w+|\(\*\)"  # file patterns of a file dialog's filter
    r"|&&|https?://\S+|--[a-z][\w-]*"  # an escaped ampersand, addresses, command options
)
_PAD_WORD = "~~~~~"


def pseudo_localize(text: str) -> str:
    """`text` accented, padded by 40 % and bracketed; leading and trailing spaces stay outside."""
    core = text.strip()
    if not core:
        return text
    start = text.index(core[0])
    pieces: list[str] = []
    position = 0
    for kept in _KEPT.finditer(core):
        pieces.append(core[position : kept.start()].translate(_ACCENTED))
        pieces.append(kept.group())
        position = kept.end()
    pieces.append(core[position:].translate(_ACCENTED))
    extra = max(1, math.ceil(len(core) * GROWTH) - len(OPEN + CLOSE))
    padding = " ".join(
        _PAD_WORD[: min(len(_PAD_WORD), extra - i)] for i in range(0, extra, len(_PAD_WORD))
    )
    end = start + len(core)
    return f"{text[:start]}{OPEN}{''.join(pieces)} {padding}{CLOSE}{text[end:]}"


def is_pseudo_localized(text: str) -> bool:
    """True when `text` comes from the pseudo-locale (holds a bracketed, padded piece)."""
    return OPEN in text and "~" + CLOSE in text


class PseudoTranslations(gettext.NullTranslations):
    """Translations that pseudo-localize every marked string (`known`), and leave the rest."""

    def __init__(self, known: Set[str]) -> None:
        super().__init__()
        self._known = known

    def gettext(self, message: str) -> str:
        return pseudo_localize(message) if message in self._known else message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)
