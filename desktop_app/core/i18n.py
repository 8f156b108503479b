"""The interface's language: the marker for translatable strings and the language in use.

Strings in `core.messages` are marked with `N_` so that Babel extracts them (domain ``iris``,
catalogues under ``desktop_app/locale/<language>/LC_MESSAGES/iris.po``).
"""

from __future__ import annotations

import os

DOMAIN = "iris"
SOURCE_LANGUAGE = "en"
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_installed: str | None = None


def N_(text: str) -> str:
    """Mark `text` for extraction; it is translated when a language is installed."""
    return text


def system_language() -> str:
    """The language the system's locale asks for ("de" for de_DE.UTF-8), or English."""
    for variable in _LOCALE_VARIABLES:
        value = os.environ.get(variable, "")
        for entry in value.split(":"):
            code = entry.split(".")[0].split("@")[0]
            if code and code not in ("C", "POSIX"):
                return code.split("_")[0].lower()
    return SOURCE_LANGUAGE


def interface_language() -> str:
    """The language the interface is shown in: the one installed, else the system's."""
    return _installed or system_language()
