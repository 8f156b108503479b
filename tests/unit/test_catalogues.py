"""The catalogues: the template matches the source, and every language's catalogue (found by
glob, so a new language is checked as soon as it is added) is complete, keeps each message's
placeholders, has valid plural forms, compiles with `msgfmt --check` and loads."""

from __future__ import annotations

import gettext
import runpy
import shutil
import string
import subprocess
from pathlib import Path

import pytest

babel_messages = pytest.importorskip("babel.messages")
from babel.messages.catalog import Catalog, Message  # noqa: E402
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "desktop_app" / "locale"
TEMPLATE = LOCALE / "iris.pot"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/iris.po"))
KEYWORDS = {"N_": None, "NP_": (1, 2), "gettext": None, "ngettext": (1, 2)}


def _read(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, domain="iris")


def _ids(catalogue: Catalog) -> set[str]:
    return {_key(message) for message in catalogue if message.id}


def _key(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple | list) else message.id


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_template_holds_every_marked_string_of_the_source() -> None:
    """Run scripts/update_catalogues.sh after adding or changing a message."""
    extracted = {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(
            ROOT / "desktop_app",
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
        )
    }
    assert extracted == _ids(_read(TEMPLATE))


def test_the_template_is_valid_for_msgfmt() -> None:
    msgfmt = _msgfmt()
    subprocess.run([msgfmt, "--check-format", "-o", "/dev/null", str(TEMPLATE)], check=True)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_catalogue_translates_every_message_of_the_template(po: Path) -> None:
    catalogue = _read(po)
    translated = {
        _key(message)
        for message in catalogue
        if message.id and not message.fuzzy and all(_forms(message))
    }
    missing = _ids(_read(TEMPLATE)) - translated
    assert not missing, f"{len(missing)} untranslated, e.g. {sorted(missing)[:3]}"


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_catalogue_has_no_fuzzy_or_empty_entries_and_keeps_placeholders(po: Path) -> None:
    catalogue = _read(po)
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        if message.fuzzy or not all(_forms(message)):
            problems.append(f"fuzzy or empty: {_key(message)!r}")
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        wanted = set().union(*(_fields(text) for text in ids))
        for form in _forms(message):
            found = _fields(form)
            allowed_missing = {"count"} if len(ids) > 1 else set()
            if found - wanted or (wanted - found) - allowed_missing:
                problems.append(f"placeholders {sorted(found)} for {_key(message)!r}")
    assert not problems, "\n".join(problems[:10])


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_catalogue_plural_forms_are_valid(po: Path) -> None:
    catalogue = _read(po)
    header = dict(catalogue.mime_headers)
    assert "Plural-Forms" in header
    expression = catalogue.plural_expr
    plural = gettext.c2py(expression)
    assert {plural(n) for n in range(200)} <= set(range(catalogue.num_plurals))
    for message in catalogue:
        if isinstance(message.id, tuple | list) and message.id:
            assert len(_forms(message)) == catalogue.num_plurals, _key(message)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_catalogue_passes_msgfmt_check_compiles_and_loads(po: Path, tmp_path: Path) -> None:
    msgfmt = _msgfmt()
    checked = subprocess.run(
        [msgfmt, "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    compiler = runpy.run_path(str(ROOT / "scripts" / "compile_catalogues.py"))
    compiler["compile_catalogues"](LOCALE, tmp_path)
    language = po.parent.parent.name
    loaded = gettext.translation("iris", localedir=tmp_path, languages=[language])
    from desktop_app.core import messages

    assert loaded.gettext(messages.SETTINGS_TITLE) == _translation(po, messages.SETTINGS_TITLE)
    assert loaded.gettext(messages.SETTINGS_TITLE) != messages.SETTINGS_TITLE


def _translation(po: Path, msgid: str) -> str:
    message = _read(po).get(msgid)
    assert message is not None
    return str(message.string)


def _forms(message: Message) -> tuple[str, ...]:
    text = message.string
    return tuple(text) if isinstance(text, tuple | list) else (text,)


def _msgfmt() -> str:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext's msgfmt is not installed (./test.sh installs it as root)")
    return msgfmt
