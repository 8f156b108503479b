"""Settings: round trip, defaults, corrupt files kept aside, atomic writes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from desktop_app.settings import (
    DEFAULT_HOTKEYS,
    AppSettings,
    DescriptionStyle,
    DeviceChoice,
    Quantization,
    SpeechOutput,
    SpeechSettings,
    load_settings,
    save_settings,
)


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


@pytest.mark.parametrize("content", ["{not json", '{"style": "loud"}', "[1, 2]"])
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
