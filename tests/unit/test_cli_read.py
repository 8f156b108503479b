"""`iris read`: text line by line, jsonl events like `describe`, offline, clean errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from desktop_app.cli.main import main
from desktop_app.core import messages
from desktop_app.testing.text_screens import dialog, form

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dialog_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("read") / "dialog.png"
    dialog("light", "DejaVu Sans", 14).image.save(path)
    return path


def test_read_prints_the_lines_in_reading_order(
    capsys: pytest.CaptureFixture[str], dialog_png: Path
) -> None:
    assert main(["read", str(dialog_png)]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line]
    assert lines[0] == "Save changes?" and lines[-1] == "Save; Don't Save; Cancel"


def test_read_jsonl_streams_tokens_then_an_answer_per_image(
    capsys: pytest.CaptureFixture[str], dialog_png: Path, tmp_path: Path
) -> None:
    second = tmp_path / "form.png"
    form("dark", "Liberation Sans", 16).image.save(second)
    assert main(["read", str(dialog_png), str(second), "--format", "jsonl"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    answers = [event for event in events if event["event"] == "answer"]
    assert [answer["image"] for answer in answers] == [str(dialog_png), str(second)]
    first_tokens = events[: events.index(answers[0])]
    assert {event["event"] for event in first_tokens} == {"token"}
    assert "".join(event["text"] for event in first_tokens) == answers[0]["text"]
    assert answers[0]["tokens"] == len(first_tokens) == len(answers[0]["lines"])
    assert set(answers[0]["timings"]) >= {"first_token_s", "total_s"}
    line = answers[0]["lines"][0]
    assert line["text"] == "Save changes?" and len(line["box"]) == 4 and line["confidence"] > 0.8


def test_read_says_plainly_when_there_is_no_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blank = tmp_path / "blank.png"
    Image.new("RGB", (400, 300), (40, 90, 160)).save(blank)
    assert main(["read", str(blank)]) == 0
    assert capsys.readouterr().out.strip() == messages.NO_TEXT_FOUND


@pytest.mark.parametrize("content", [None, b"", b"not an image at all"])
def test_read_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / "bad.png"
    if content is not None:
        path.write_bytes(content)
    assert main(["read", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert str(path) in captured.err


def test_read_works_offline_without_torch_or_a_model(dialog_png: Path, tmp_path: Path) -> None:
    """A fresh install: no Hugging Face cache, no network, and torch never imported."""
    script = (
        "import sys; from desktop_app.cli.main import main; code = main(['read', sys.argv[1]]); "
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules; sys.exit(code)"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "empty-hf")}
    done = subprocess.run(
        [sys.executable, "-c", script, str(dialog_png)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Don't Save" in done.stdout and not (tmp_path / "empty-hf").exists()
