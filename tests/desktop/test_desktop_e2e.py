"""End to end on a real X display: the real window, capture, hotkeys, speech and AT-SPI tree.

Iris runs as a user would start it (`python -m desktop_app --model FOLDER`), under
dbus-run-session with Qt's accessibility bridge on; a probe in the system Python reads the
window back with pyatspi, as Orca does, and presses keys with xdotool.
"""

from __future__ import annotations

import os
import subprocess
import wave
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.helpers.iris_probe import run_iris_with_probe
from tests.helpers.xvfb import root_picture

pytestmark = pytest.mark.slow  # each test starts the app on Xvfb and waits for answers


def _run_iris_with_probe(
    display: str, model: Path, tmp_path: Path, probe_args: list[str]
) -> tuple[dict[str, Any], list[Path], str]:
    return run_iris_with_probe(
        display, model, tmp_path, probe_args,
        config=tmp_path / "config", extra_env={"PYTHONUNBUFFERED": "1"},
    )  # fmt: skip


def _seconds(path: Path) -> float:
    with wave.open(str(path)) as audio:
        return audio.getnframes() / float(audio.getframerate())


def _desktop_picture(folder: Path) -> Path:
    """A screen with something on it (an empty Xvfb screen is black: refused as blank)."""
    from desktop_app.testing.text_screens import dialog

    path = folder / "desktop.png"
    dialog("light", "DejaVu Sans", 14).image.save(path)
    return path


def test_hotkey_describes_the_screen_and_speaks(
    x_display: str, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    """Ctrl+Alt+Shift+D with the focus anywhere: capture, answer in the window, speech."""
    with root_picture(x_display, _desktop_picture(tmp_path)):
        probe, wavs, details = _run_iris_with_probe(
            x_display, tiny_models["idefics3"], tmp_path,
            ["--hotkey", "ctrl+alt+shift+d", "--wait-answer"],
        )  # fmt: skip
    _assert_screen_answered(probe, wavs, details)
    durations = [_seconds(path) for path in wavs]
    print(f"speech: {len(wavs)} WAV files, {sum(durations):.2f} s in all")
    assert all(seconds > 0 for seconds in durations)


def test_accessibility_tree_and_press_describe_screen(
    x_display: str, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    """Every control has a role and name a screen reader reads; its action works."""
    with root_picture(x_display, _desktop_picture(tmp_path)):
        probe, _, details = _run_iris_with_probe(
            x_display, tiny_models["llava"], tmp_path,
            ["--press", "Describe screen", "--wait-answer"],
        )  # fmt: skip
    assert probe["errors"] == [], details
    controls = {tuple(pair) for pair in probe["controls"]}
    for expected in [
        ("push button", "Describe screen"),
        ("push button", "Ask"),
        ("push button", "Stop"),
        ("text", "Question"),
        ("text", "Answer"),  # read-only text with a caret, read line by line
        ("label", "Model location: Model runs on this computer."),  # where the model runs
    ]:
        assert expected in controls, sorted(controls)
    # the status line says its text in its name, spoken on Tab
    assert any(role == "label" and name.startswith("Status: ") for role, name in controls)
    assert any(name == "Conversation" for _, name in controls)
    assert any(item.startswith("Iris: ") for item in probe["conversation"])
    assert probe["status"] == "Done."


def test_hotkey_reads_the_screen_text_aloud(
    x_display: str, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    """Ctrl+Alt+Shift+T anywhere: the text on the screen, line by line, shown and spoken."""
    from desktop_app.testing.text_screens import dialog

    picture, blank = tmp_path / "dialog.png", tmp_path / "blank.png"
    dialog("light", "DejaVu Sans", 14).image.save(picture)
    Image.new("RGB", (1280, 800), (0, 0, 0)).save(blank)
    show = ["display", "-window", "root"]
    subprocess.run([*show, str(picture)], env={**os.environ, "DISPLAY": x_display}, timeout=30)
    try:
        probe, wavs, details = _run_iris_with_probe(
            x_display, tiny_models["idefics3"], tmp_path,
            ["--hotkey", "ctrl+alt+shift+t", "--wait-answer"],
        )  # fmt: skip
    finally:
        subprocess.run([*show, str(blank)], env={**os.environ, "DISPLAY": x_display}, timeout=30)
    assert probe["errors"] == [], details
    answer = [item for item in probe["conversation"] if item.startswith("Iris: ")][-1]
    assert answer.startswith("Iris: Save changes?") and "Save; Don't Save; Cancel" in answer
    durations = [_seconds(path) for path in wavs]
    print(f"speech: {len(wavs)} WAV files, {sum(durations):.2f} s in all")
    lines = [line for line in answer.splitlines() if line.strip()]
    assert len(wavs) >= len(lines) and all(seconds > 0 for seconds in durations)


def test_a_saved_prompts_hotkey_runs_it_from_anywhere(
    x_display: str, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    """A saved prompt's own global hotkey, pressed with the focus anywhere: it captures what
    the prompt looks at, answers in the window and speaks, as the actions' hotkeys do."""
    from desktop_app.settings import AppSettings, PromptTarget, SavedPrompt, save_settings

    prompt = SavedPrompt(
        "Screen check", "Say what is on the screen.", target=PromptTarget.SCREEN,
        hotkey="ctrl+alt+shift+1",
    )  # fmt: skip
    settings = AppSettings().with_changes(prompts=(prompt,))
    save_settings(settings, tmp_path / "config" / "settings.json")
    with root_picture(x_display, _desktop_picture(tmp_path)):
        probe, wavs, details = _run_iris_with_probe(
            x_display, tiny_models["idefics3"], tmp_path,
            ["--hotkey", "ctrl+alt+shift+1", "--wait-answer"],
        )  # fmt: skip
    _assert_screen_answered(probe, wavs, details)
    assert all(_seconds(path) > 0 for path in wavs), details


def _assert_screen_answered(probe: dict[str, object], wavs: list[Path], details: str) -> None:
    """The probe saw no error, the screen's picture in the conversation, an answer after it,
    and speech written."""
    assert probe["errors"] == [], details
    conversation = probe["conversation"]
    assert isinstance(conversation, list)
    assert "Image: screen, 1280 by 800 pixels" in conversation, conversation
    answers = [item for item in conversation if item.startswith("Iris: ")]
    assert answers and len(answers[-1]) > len("Iris: "), conversation
    assert wavs, details
