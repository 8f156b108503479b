"""The interface's language: the marker for translatable strings and the language in use.

Strings in `core.messages` are marked with `N_` (plural ones with `NP_`) so that Babel extracts
them (domain ``iris``, catalogues under ``desktop_app/locale/<language>/LC_MESSAGES/iris.po``,
compiled to ``iris.mo`` when Iris is built). `install(language)` loads a catalogue and rebinds
every constant of `core.messages` to its translation; a string captured before that (a
setting's label, an action's label) is translated where it is shown, with `translate`, its
msgid being the English text.
"""

from __future__ import annotations

import gettext
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from desktop_app.core.pseudo_locale import PSEUDO_LANGUAGE, PseudoTranslations

log = logging.getLogger(__name__)

DOMAIN = "iris"
SOURCE_LANGUAGE = "en"
LANGUAGE_VARIABLE = "IRIS_LANGUAGE"
"""Overrides the setting and the system's locale (``IRIS_LANGUAGE=en_XA`` for the pseudo-locale)."""
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "es": "Español", "fr": "Français"}
"""The interface languages Iris has catalogues for, each named in its own language (never
translated: a user looking for their language finds it whatever is shown)."""

_installed: str | None = None
_generation = 0
_translations: gettext.NullTranslations = gettext.NullTranslations()
_marked: set[str] = set()
_sources: dict[str, Any] = {}
"""`core.messages`' constants as written (English), by name, kept by the first install."""


def N_(text: str) -> str:
    """Mark `text` for extraction; it is translated when a language is installed."""
    _marked.add(text)
    return text


class Plural:
    """A message whose words depend on a number, `{count}`: filled with `ngettext`."""

    def __init__(self, singular: str, plural: str) -> None:
        self.singular = singular
        self.plural = plural

    def format(self, **fields: Any) -> str:
        """The message for `fields["count"]` in the installed language, filled in."""
        text = _translations.ngettext(self.singular, self.plural, int(fields["count"]))
        return text.format(**fields)

    def __repr__(self) -> str:
        return f"Plural({self.singular!r}, {self.plural!r})"


def NP_(singular: str, plural: str) -> Plural:
    """Mark a plural message for extraction (`ngettext`'s two English forms)."""
    _marked.update((singular, plural))
    return Plural(singular, plural)


def marked() -> frozenset[str]:
    """Every string marked so far (by modules imported so far)."""
    return frozenset(_marked)


def locale_folder() -> Path:
    """Where the catalogues are: ``desktop_app/locale`` (in the one-folder app, its copy)."""
    return Path(__file__).resolve().parent.parent / "locale"


def system_language() -> str:
    """The language the system's locale asks for ("de" for de_DE.UTF-8), or English."""
    for variable in _LOCALE_VARIABLES:
        value = os.environ.get(variable, "")
        for entry in value.split(":"):
            code = entry.split(".")[0].split("@")[0]
            if code and code not in ("C", "POSIX"):
                return code.split("_")[0].lower()
    return SOURCE_LANGUAGE


def chosen_language(setting: str = "") -> str:
    """The language to install: ``$IRIS_LANGUAGE``, else `setting`, else the system's."""
    return os.environ.get(LANGUAGE_VARIABLE, "").strip() or setting.strip() or system_language()


def interface_language() -> str:
    """The language the interface is shown in: the one installed, else the system's."""
    return _installed or system_language()


def catalogue(language: str) -> gettext.NullTranslations:
    """The translations for `language`: its compiled catalogue, the pseudo-locale, or none
    (English, or a language Iris has no catalogue for)."""
    if language == PSEUDO_LANGUAGE:
        return PseudoTranslations(_marked)
    if language.split("_")[0] == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    found = gettext.translation(
        DOMAIN, localedir=locale_folder(), languages=[language], fallback=True
    )
    source = locale_folder() / language.split("_")[0] / "LC_MESSAGES" / f"{DOMAIN}.po"
    if type(found) is gettext.NullTranslations and source.exists():
        log.warning("%s is not compiled: run scripts/compile_catalogues.py", source)
    return found


def has_catalogue(language: str) -> bool:
    """True when `language` is shown translated (a compiled catalogue, or the pseudo-locale)."""
    return type(catalogue(language)) is not gettext.NullTranslations


def install(language: str) -> str:
    """Show the interface in `language` ("" for the system's): load its catalogue and rebind
    every constant of `core.messages` to its translation. Returns the language installed."""
    global _installed, _translations, _generation
    from desktop_app.core import messages

    if not _sources:
        _sources.update(
            (name, value)
            for name, value in vars(messages).items()
            if name.isupper() and isinstance(value, str | tuple | dict)
        )
    language = language or system_language()
    _translations = catalogue(language)
    _installed = language
    _generation += 1
    for name, value in _sources.items():
        setattr(messages, name, translated(value))
    return language


def generation() -> int:
    """How many times a language was installed: words cached for display follow it."""
    return _generation


def translate(text: str) -> str:
    """`text` (English, as marked) in the installed language; any other text unchanged."""
    if not text:
        return text
    return _translations.gettext(text)


def translated(value: Any) -> Any:
    """`value` translated: a string, or each string of a tuple or a mapping's values."""
    if isinstance(value, str):
        return translate(value)
    if isinstance(value, tuple):
        return tuple(translated(item) for item in value)
    if isinstance(value, Mapping):
        return {key: translated(item) for key, item in value.items()}
    return value
