"""Settings: round trip, defaults, corrupt files kept aside, atomic writes; loading field by
field against the settings schema (a refused value resets only its field, and is told)."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core import messages
from desktop_app.settings import (
    DEFAULT_HOTKEYS,
    SCHEMA,
    AppSettings,
    DescriptionStyle,
    DeviceChoice,
    EngineSettings,
    Problem,
    Quantization,
    Schema,
    ServerSettings,
    SpeechOutput,
    SpeechSettings,
    load_settings,
    load_settings_checked,
    save_settings,
    with_values,
)
from desktop_app.settings.app_settings import to_json
from desktop_app.settings.schema import setting
from tests.helpers.settings_samples import CHANGED


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    settings = AppSettings().with_changes(
        engine=AppSettings().engine.with_changes(
            model="/models/smol", quantization=Quantization.NONE, device=DeviceChoice.CPU,
            longest_edge=1024, split_image=False,
        ),
        speech=SpeechSettings(enabled=False, rate_wpm=260, output=SpeechOutput.OWN_VOICE),
        hotkeys={**DEFAULT_HOTKEYS, "describe_screen": "ctrl+alt+shift+x"},
        style=DescriptionStyle.CUSTOM,
        custom_prompt="Say only the colours.",
        keep_in_tray=False,
    )  # fmt: skip
    path = save_settings(settings, tmp_path / "settings.json")
    assert load_settings(path) == settings


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.json") == AppSettings()


def test_unknown_and_missing_keys_are_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"future_option": 1, "engine": {"max_new_tokens": 99}}))
    loaded = load_settings(path)
    assert loaded.engine.max_new_tokens == 99
    assert loaded.hotkeys == DEFAULT_HOTKEYS


@pytest.mark.parametrize("content", ["{not json", '"just text"', "[1, 2]"])
def test_corrupt_file_falls_back_and_keeps_a_copy(tmp_path: Path, content: str) -> None:
    path = tmp_path / "settings.json"
    path.write_text(content)
    assert load_settings(path) == AppSettings()
    copies = list(tmp_path.glob("settings.json.corrupt-*"))
    assert len(copies) == 1 and copies[0].read_text() == content


def test_save_leaves_no_temporary_files(tmp_path: Path) -> None:
    save_settings(AppSettings(), tmp_path / "settings.json")
    save_settings(AppSettings().with_changes(keep_in_tray=False), tmp_path / "settings.json")
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


def test_read_only_folder_raises_and_keeps_the_old_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root ignores permissions: make the target a directory instead so the rename fails
        target = tmp_path / "settings.json"
        target.mkdir()
        with pytest.raises(OSError):
            save_settings(AppSettings(), target)
        assert target.is_dir() and [p.name for p in tmp_path.iterdir()] == ["settings.json"]
        return
    path = save_settings(AppSettings(), tmp_path / "settings.json")
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(OSError):
            save_settings(AppSettings().with_changes(keep_in_tray=False), path)
        assert load_settings(path) == AppSettings()
    finally:
        tmp_path.chmod(0o700)


# -- loading field by field ----------------------------------------------------------------------
def _saved_with(tmp_path: Path, key: str, raw: Any) -> Path:
    """CHANGED saved, with the value at `key` ("speech.rate_wpm") replaced by `raw`."""
    data = to_json(CHANGED)
    section, _, name = key.rpartition(".")
    (data[section] if section else data)[name] = raw
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_bad_value_resets_only_its_field_and_is_told(tmp_path: Path) -> None:
    path = _saved_with(tmp_path, "speech.volume", 5)
    before = path.read_text(encoding="utf-8")
    loaded = load_settings_checked(path)
    speech = dataclasses.replace(CHANGED.speech, volume=1.0)
    assert loaded.settings == CHANGED.with_changes(speech=speech)  # every other field kept
    assert len(loaded.reset) == 1
    reset = loaded.reset[0]
    assert (reset.key, reset.label, reset.problem) == (
        "speech.volume", messages.FIELD_VOLUME, Problem.TOO_LARGE
    )  # fmt: skip
    assert reset.detail == "Volume in percent (500 is more than 100)"  # as shown: in percent
    assert loaded.notice() == messages.SETTINGS_RESET.format(details=reset.detail)
    assert load_settings(path) == loaded.settings  # the old API: settings only
    assert path.read_text(encoding="utf-8") == before  # the file is not touched
    assert not list(tmp_path.glob("*.corrupt-*"))


@pytest.mark.parametrize(
    ("key", "raw", "problem"),
    [
        ("keep_in_tray", "no", Problem.WRONG_TYPE),
        ("custom_prompt", 3, Problem.WRONG_TYPE),
        ("engine.max_new_tokens", "many", Problem.WRONG_TYPE),
        ("engine.max_new_tokens", 2.5, Problem.WRONG_TYPE),
        ("speech.rate_wpm", True, Problem.WRONG_TYPE),  # JSON true is no number
        ("speech.voice", ["en"], Problem.WRONG_TYPE),
        ("server.connect_timeout_s", "7", Problem.WRONG_TYPE),
        ("server.approved_hosts", "gpu-box:8443", Problem.WRONG_TYPE),
        ("engine.split_image", "yes", Problem.WRONG_TYPE),
        ("speech", ["rate"], Problem.WRONG_TYPE),
        ("hotkeys", "ctrl+d", Problem.WRONG_TYPE),
        ("engine.longest_edge", 8, Problem.TOO_SMALL),
        ("engine.max_new_tokens", 0, Problem.TOO_SMALL),
        ("speech.rate_wpm", 5, Problem.TOO_SMALL),
        ("speech.volume", -0.5, Problem.TOO_SMALL),
        ("server.stall_timeout_s", 1, Problem.TOO_SMALL),
        ("engine.threads", 0, Problem.TOO_SMALL),
        ("speech.rate_wpm", 5000, Problem.TOO_LARGE),
        ("engine.max_new_tokens", 10**6, Problem.TOO_LARGE),
        ("server.connect_timeout_s", 601.5, Problem.TOO_LARGE),
        ("style", "loud", Problem.NOT_A_CHOICE),
        ("engine.device", "tpu", Problem.NOT_A_CHOICE),
        ("engine.quantization", 4, Problem.NOT_A_CHOICE),
        ("speech.output", None, Problem.NOT_A_CHOICE),
        ("engine.model", "  ", Problem.EMPTY),
    ],
)
def test_each_problem_resets_its_field_only(
    tmp_path: Path, key: str, raw: Any, problem: Problem
) -> None:
    entry = SCHEMA[key]
    assert entry.value_in(CHANGED) != entry.default  # so that the reset shows
    loaded = load_settings_checked(_saved_with(tmp_path, key, raw))
    assert loaded.settings == with_values(CHANGED, {key: entry.default})
    assert [(reset.key, reset.problem) for reset in loaded.reset] == [(key, problem)]
    reset = loaded.reset[0]
    assert reset.label == entry.label and reset.detail.startswith(f"{entry.label} (")
    notice = loaded.notice()
    assert notice is not None and reset.detail in notice
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_good_values_of_every_kind_are_kept(tmp_path: Path) -> None:
    path = _saved_with(tmp_path, "server.connect_timeout_s", 7)  # a whole number of seconds
    loaded = load_settings_checked(path)
    assert loaded.settings == CHANGED and loaded.reset == ()
    assert isinstance(loaded.settings.server.connect_timeout_s, float)
    assert loaded.notice() is None


def test_several_bad_values_are_told_in_one_sentence(tmp_path: Path) -> None:
    data = to_json(CHANGED)
    data["speech"]["rate_wpm"] = 5000
    data["style"] = "loud"
    data["hotkeys"] = {"stop": 5, "repeat": "ctrl+alt+f10", "future_action": 1}
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    loaded = load_settings_checked(path)
    assert [reset.key for reset in loaded.reset] == ["speech.rate_wpm", "hotkeys.stop", "style"]
    assert loaded.reset[1].label == "Hotkey for Stop"
    assert loaded.settings.hotkeys == {**DEFAULT_HOTKEYS, "repeat": "ctrl+alt+f10"}
    assert loaded.settings.style is DescriptionStyle.SHORT
    details = messages.SETTINGS_RESET_SEPARATOR.join(reset.detail for reset in loaded.reset)
    assert loaded.notice() == messages.SETTINGS_RESET.format(details=details)
    assert loaded.notice() == (
        "Some settings could not be used and are back to their defaults: "
        "Speaking rate in words per minute (5000 is more than 1000); "
        "Hotkey for Stop (5 is not text); "
        'Description style ("loud" is not one of its choices).'
    )


def test_irises_own_notes_are_reset_quietly(tmp_path: Path) -> None:
    loaded = load_settings_checked(_saved_with(tmp_path, "speech_notice_told", 5))
    assert loaded.settings == CHANGED and loaded.reset == ()


def test_a_file_that_is_no_object_is_told_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("[1, 2]", encoding="utf-8")
    loaded = load_settings_checked(path)
    assert loaded.settings == AppSettings() and loaded.reset == ()
    assert loaded.corrupt_copy is not None and loaded.corrupt_copy.read_text() == "[1, 2]"
    assert loaded.notice() == messages.SETTINGS_FILE_RESET.format(path=loaded.corrupt_copy)
    assert load_settings_checked(tmp_path / "none.json").notice() is None


# -- the schema is the one place of a setting's rules ---------------------------------------------
def test_minimums_hold_for_every_value_and_maximums_for_the_file() -> None:
    edge = SCHEMA["engine.longest_edge"]
    assert edge.minimum is not None and edge.maximum is not None
    with pytest.raises(ValueError):
        EngineSettings(longest_edge=round(edge.minimum) - 1)
    with pytest.raises(ValueError):
        EngineSettings(max_new_tokens=0)
    with pytest.raises(ValueError):
        ServerSettings(longest_edge=round(SCHEMA["server.longest_edge"].minimum or 0) - 1)
    # the command line may ask for more than Settings offers, and for short server timeouts
    assert EngineSettings(longest_edge=round(edge.maximum) * 2).longest_edge == edge.maximum * 2
    assert ServerSettings(stall_timeout_s=0.5).stall_timeout_s == 0.5


def test_problem_sentences_name_the_schemas_minimum() -> None:
    for entry in SCHEMA:
        if entry.too_small:
            assert f"{entry.minimum:g}" in entry.too_small, entry.key


def test_every_field_is_declared_once_with_its_default() -> None:
    for entry in SCHEMA:
        assert entry.value_in(AppSettings()) == entry.default, entry.key
        assert entry.label is not None or entry.place is None, entry.key

    @dataclasses.dataclass(frozen=True)
    class Undeclared:
        declared: int = setting(1, "A label")
        plain: int = 2

    with pytest.raises(TypeError, match="plain"):
        Schema(Undeclared)
