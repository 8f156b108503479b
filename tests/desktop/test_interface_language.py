"""The window in German on a real X display, read back over AT-SPI as Orca reads it: the
Interface language saved in Settings is installed before the window is built, so the names a
screen reader gets are German. Needs the German catalogue (desktop_app/locale/de)."""

from __future__ import annotations

import gettext
import json
import os
import runpy
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core import messages
from desktop_app.core.actions import ASK, DESCRIBE_SCREEN, STOP
from tests.helpers.iris_probe import run_iris_with_probe

pytestmark = pytest.mark.slow  # starts the app on Xvfb under its own D-Bus session

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "desktop_app" / "locale"


@pytest.fixture(scope="module")
def german() -> gettext.GNUTranslations:
    """The German catalogue, compiled as the editable install compiles it."""
    if not (LOCALE / "de" / "LC_MESSAGES" / "iris.po").exists():
        pytest.skip("no German catalogue (desktop_app/locale/de/LC_MESSAGES/iris.po) yet")
    runpy.run_path(str(ROOT / "scripts" / "compile_catalogues.py"))["compile_catalogues"]()
    return gettext.translation("iris", localedir=LOCALE, languages=["de"])


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tiny random model (the window needs a model folder, never loaded here)."""
    from desktop_app.testing.random_models import build_tiny_model

    return build_tiny_model("idefics3", tmp_path_factory.mktemp("tiny") / "idefics3")


def test_the_window_in_german_read_over_atspi(
    x_display: str, tiny_model: Path, tmp_path: Path, german: gettext.GNUTranslations
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    saved = {"interface_language": "de", "engine": {"load_at_start": False}}
    (config / "settings.json").write_text(json.dumps(saved), encoding="utf-8")
    de = german.gettext
    status_prefix = de(messages.LABELLED_TEXT).format(label=de(messages.STATUS_NAME), text="")
    probe = _run_iris_with_probe(
        x_display,
        tiny_model,
        tmp_path,
        config,
        ["--ready", de(messages.SPOKEN_READY), "--status", status_prefix],
    )
    assert probe["errors"] == [], probe
    controls = {tuple(pair) for pair in probe["controls"]}
    names = {name for _, name in controls}
    expected = {
        ("push button", de(DESCRIBE_SCREEN.label)),
        ("push button", de(ASK.label)),
        ("push button", de(STOP.label)),
        ("text", de(messages.QUESTION_NAME)),
        ("text", de(messages.ANSWER_NAME)),
    }
    assert expected <= controls, sorted(controls)
    english = {DESCRIBE_SCREEN.label, messages.QUESTION_NAME, messages.CONVERSATION_NAME}
    assert all(de(name) != name for name in english)  # the names checked do differ
    assert not names & english, sorted(names & english)
    assert probe["status"] == de(messages.STATUS_LOADS_AT_FIRST_USE)


def _run_iris_with_probe(
    display: str, model: Path, tmp_path: Path, config: Path, probe_args: list[str]
) -> dict[str, Any]:
    unset = ("IRIS_LANGUAGE", "LANGUAGE", "LC_ALL", "LC_MESSAGES")
    base = {key: value for key, value in os.environ.items() if key not in unset}
    probe, _, _ = run_iris_with_probe(
        display, model, tmp_path, probe_args,
        config=config, base_env=base,
        extra_env={"LANG": "C.UTF-8"},  # English locale: German comes from the setting alone
    )  # fmt: skip
    return probe
