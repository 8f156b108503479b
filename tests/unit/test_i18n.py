"""Installing an interface language: messages rebound, words captured at import translated
where shown, plural forms, the pseudo-locale, and which language is chosen."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.core import i18n, messages
from desktop_app.core.actions import ACTIONS, DESCRIBE_SCREEN, Menu, label_of
from desktop_app.core.pseudo_locale import (
    PSEUDO_LANGUAGE,
    is_pseudo_localized,
    pseudo_localize,
)

Install = Callable[[str], str]


def _fields(text: str) -> list[tuple[str | None, str | None]]:
    return [(name, spec) for _, name, spec, _ in string.Formatter().parse(text) if name]


def _constants() -> dict[str, object]:
    return {name: getattr(messages, name) for name in dir(messages) if name.isupper()}


def _catalogue(root: Path, language: str, entries: dict[str, str], plural: str = "") -> Path:
    """A throwaway compiled catalogue for `language` under `root` (domain iris)."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalogue = Catalog(locale=language, domain=i18n.DOMAIN)
    for msgid, msgstr in entries.items():
        catalogue.add(msgid, msgstr)
    if plural:
        singular, plural_id = messages.BATCH_DONE.singular, messages.BATCH_DONE.plural
        catalogue.add((singular, plural_id), (plural + " 1", plural + " 2"))
    folder = root / language / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "iris.mo").open("wb") as file:
        write_mo(file, catalogue)
    return root


@pytest.mark.parametrize(
    "text",
    [
        messages.SERVER_CHECK_OK,
        messages.SERVER_TIMEOUT_CONNECT,
        messages.OPEN_IMAGE_FILTER,
        messages.MENU_FILE,
        messages.UNFINISHED_SUFFIX,
        "%(name)s has %d items, 100%% sure",
        messages.CLI_HELP_SERVER,
    ],
)
def test_pseudo_locale_keeps_fields_patterns_and_outer_spaces(text: str) -> None:
    pseudo = pseudo_localize(text)
    assert is_pseudo_localized(pseudo) and not is_pseudo_localized(text)
    assert _fields(pseudo) == _fields(text)
    assert re.findall(r"%(?:\([^)]*\))?[a-z%]", pseudo) == re.findall(
        r"%(?:\([^)]*\))?[a-z%]", text
    )
    assert re.findall(r"\*\.\w+|https?://\S+|--\w+", pseudo) == re.findall(
        r"\*\.\w+|https?://\S+|--\w+", text
    )
    assert len(pseudo) >= 1.4 * len(text)
    assert pseudo[: len(pseudo) - len(pseudo.lstrip())] == text[: len(text) - len(text.lstrip())]
    assert pseudo.count("&") == text.count("&")


def test_pseudo_locale_accents_every_letter_outside_fields() -> None:
    pseudo = pseudo_localize("Ready. Model: {model}.")
    outside = re.sub(r"\{[^}]*\}", "", pseudo)
    assert not re.search(r"[A-Za-z]", outside)


def test_install_rebinds_every_message_and_english_brings_them_back(install: Install) -> None:
    english = _constants()
    install(PSEUDO_LANGUAGE)
    shown = _constants()
    for name, value in english.items():
        if isinstance(value, str) and value.strip():
            assert is_pseudo_localized(shown[name]), name
            assert _fields(shown[name]) == _fields(value), name
        elif isinstance(value, dict):
            assert all(is_pseudo_localized(item) for item in shown[name].values()), name
        elif isinstance(value, tuple):
            assert all(is_pseudo_localized(item) for item in shown[name]), name
    assert is_pseudo_localized(messages.BATCH_DONE.format(count=2, path="p", failed=0))
    install("en")
    assert _constants() == english


def test_words_captured_before_install_are_translated_where_shown(install: Install) -> None:
    from desktop_app.settings.app_settings import SCHEMA
    from desktop_app.settings.schema import Place

    label = SCHEMA["answer_language"].label  # the schema was made in English, at import
    install(PSEUDO_LANGUAGE)
    assert is_pseudo_localized(SCHEMA["answer_language"].label)
    assert not is_pseudo_localized(label)
    assert all(
        is_pseudo_localized(text)
        for entry in SCHEMA.on(Place.GENERAL)
        for text in (entry.label or "", *(label for _, label in entry.choices))
        if text not in i18n.LANGUAGE_NAMES.values()
    )
    assert is_pseudo_localized(Place.GENERAL.page)
    assert is_pseudo_localized(Menu.FILE.title)
    assert all(is_pseudo_localized(action.shown_label) for action in ACTIONS)
    assert is_pseudo_localized(label_of(DESCRIBE_SCREEN.id))
    assert not is_pseudo_localized(DESCRIBE_SCREEN.label)  # the source (README's key table)


def test_a_catalogue_translates_messages_and_plural_forms(
    install: Install, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = messages.STATUS_DONE
    entries = {source: "Fertig.", DESCRIBE_SCREEN.label: "Beschreiben"}
    root = _catalogue(tmp_path, "de", entries, "Z")
    monkeypatch.setattr(i18n, "locale_folder", lambda: root)
    assert i18n.has_catalogue("de") and not i18n.has_catalogue("es")
    install("de")
    assert messages.STATUS_DONE == "Fertig."
    assert DESCRIBE_SCREEN.shown_label == "Beschreiben"
    assert messages.BATCH_DONE.format(count=1, path="p", failed=0) == "Z 1"
    assert messages.BATCH_DONE.format(count=5, path="p", failed=0) == "Z 2"
    assert messages.STATUS_THINKING == "Thinking."  # not in this catalogue: English
    assert i18n.translate("Fertig.") == "Fertig."  # already translated: left alone
    install("es")  # no catalogue: English
    assert source == messages.STATUS_DONE


def test_english_plural_forms_follow_the_count() -> None:
    assert "1 row " in messages.BATCH_DONE.format(count=1, path="p", failed=0)
    assert "2 rows " in messages.BATCH_DONE.format(count=2, path="p", failed=0)
    assert "1 minute " in messages.STATUS_UNLOADED_IDLE.format(count=1)


@pytest.mark.parametrize(
    ("variable", "setting", "locale", "expected"),
    [
        ("en_XA", "de", "fr_FR.UTF-8", "en_XA"),
        ("", "de", "fr_FR.UTF-8", "de"),
        ("", "", "fr_FR.UTF-8", "fr"),
    ],
)
def test_the_variable_beats_the_setting_which_beats_the_locale(
    monkeypatch: pytest.MonkeyPatch, variable: str, setting: str, locale: str, expected: str
) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", locale)
    monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, variable)
    assert i18n.chosen_language(setting) == expected


@pytest.mark.parametrize(
    ("saved", "expected"),
    [('{"interface_language": "de"}', "de"), ('{"interface_language": "xx"}', ""), ("[", "")],
)
def test_the_saved_language_is_read_without_touching_the_file(
    tmp_path: Path, saved: str, expected: str
) -> None:
    from desktop_app.settings.interface_language import saved_interface_language

    path = tmp_path / "settings.json"
    path.write_text(saved, encoding="utf-8")
    assert saved_interface_language(path) == expected
    assert path.read_text(encoding="utf-8") == saved
    assert saved_interface_language(tmp_path / "missing.json") == ""


def test_the_command_line_speaks_the_chosen_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from desktop_app.cli.main import main

    monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, PSEUDO_LANGUAGE)
    assert main(["read", str(tmp_path / "missing.png")]) != 0
    error = capsys.readouterr().err
    assert is_pseudo_localized(error) and str(tmp_path) in error
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    assert is_pseudo_localized(shown)
    assert json.dumps(i18n.interface_language()) == json.dumps(PSEUDO_LANGUAGE)


@pytest.fixture
def install(interface_language: Install) -> Install:
    return interface_language


def test_every_role_has_words_to_translate() -> None:
    from desktop_app.core.accessible import Role

    assert set(messages.ROLE_WORDS) == {role.value for role in Role}
    assert all(role in i18n.marked() for role in messages.ROLE_WORDS.values())
