"""The `iris` command as a user runs it: streamed answers, jsonl events, exit codes."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from desktop_app.cli.main import main
from desktop_app.testing.random_models import FAMILIES
from tests.helpers.cli import events, run_cli
from tests.helpers.image_files import png_header

ROOT = Path(__file__).resolve().parents[2]


def test_describe_streams_text(
    capsys: pytest.CaptureFixture[str], tiny_models: dict[str, Path], screenshot: Path
) -> None:
    code, out, err = run_cli(
        capsys, "describe", str(screenshot), "--model", str(tiny_models["idefics3"]),
        "--max-new-tokens", "6",
    )  # fmt: skip
    assert code == 0, err
    assert out.endswith("\n") and out.strip()


@pytest.mark.parametrize("family", ["idefics3", "idefics", "llava"])
def test_jsonl_events_per_turn(
    capsys: pytest.CaptureFixture[str],
    tiny_models: dict[str, Path],
    screenshot: Path,
    photo: Path,
    family: str,
) -> None:
    code, out, err = run_cli(
        capsys, "describe", str(screenshot), str(photo), "--model", str(tiny_models[family]),
        "--task", "describe", "--ask", "What colour is it?", "--max-new-tokens", "5",
        "--format", "jsonl",
    )  # fmt: skip
    assert code == 0, err
    stream = events(out)
    answers = [e for e in stream if e["event"] == "answer"]
    assert [a["turn"] for a in answers] == [1, 2]
    assert answers[1]["question"] == "What colour is it?"
    assert stream[-1]["event"] == "answer"
    # Tokens of each turn come before its answer and join to its text.
    turn_text = ""
    for event in stream:
        if event["event"] == "token":
            turn_text += event["text"]
        elif event["event"] == "answer":
            assert turn_text == event["text"]
            assert 1 <= event["tokens"] <= 5
            assert set(event["timings"]) >= {
                "load_s", "preprocess_s", "first_token_s", "decode_ms_per_token",
            }  # fmt: skip
            assert event["timings"]["first_token_s"] >= event["timings"]["preprocess_s"]
            turn_text = ""
    assert answers[1]["prompt_tokens"] > answers[0]["prompt_tokens"]


def test_classify_answers_a_label(
    capsys: pytest.CaptureFixture[str], tiny_models: dict[str, Path], photo: Path
) -> None:
    code, out, _ = run_cli(
        capsys, "describe", str(photo), "--model", str(tiny_models["smolvlm2"]),
        "--task", "classify", "--labels", "animals, vegetables,city landscape", "--format", "jsonl",
    )  # fmt: skip
    assert code == 0
    answer = events(out)[-1]
    assert answer["text"] in {"animals", "vegetables", "city landscape"}


def test_classify_without_labels_is_bad_input(
    capsys: pytest.CaptureFixture[str], photo: Path
) -> None:
    code, _, err = run_cli(capsys, "describe", str(photo), "--task", "classify")
    assert code == 2
    assert "--labels" in err


def test_few_shot_example_and_custom_instruction(
    capsys: pytest.CaptureFixture[str], tiny_models: dict[str, Path], photo: Path, screenshot: Path
) -> None:
    code, out, err = run_cli(
        capsys, "describe", str(photo), "--model", str(tiny_models["idefics"]),
        "--example", str(screenshot), "A mail app. Fun fact: it has an inbox.",
        "--instruction", "Describe this image.", "--max-new-tokens", "4", "--format", "jsonl",
    )  # fmt: skip
    assert code == 0, err
    assert events(out)[-1]["event"] == "answer"


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _png_bytes(size: tuple[int, int] = (64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize(size).save(buffer, format="PNG")
    return buffer.getvalue()


def _jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((300, 300)).convert("RGB").save(buffer, format="JPEG")
    return buffer.getvalue()


def _bad_inputs(folder: Path) -> dict[str, Path]:
    return {
        "missing": folder / "nope.png",
        "directory": folder,
        "zero-bytes": _write(folder, "zero.png", b""),
        "truncated-png": _write(folder, "cut.png", _png_bytes((200, 200))[:300]),
        "truncated-jpeg": _write(folder, "cut.jpg", _jpeg_bytes()[:500]),
        "text-as-png": _write(folder, "notes.png", b"just some words\n"),
        "bomb": _write(folder, "bomb.png", png_header(30000, 30000)),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "directory",
        "zero-bytes",
        "truncated-png",
        "truncated-jpeg",
        "text-as-png",
        "bomb",
    ],
)
def test_bad_input_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    path = _bad_inputs(tmp_path)[case]
    code, out, err = run_cli(capsys, "describe", str(path), "--model", str(tmp_path))
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("iris: ")
    assert "Traceback" not in err


def test_bad_input_as_jsonl_error_event(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, "describe", str(tmp_path / "x.png"), "--format", "jsonl")
    assert code == 2
    assert events(out) == [{"event": "error", "message": f"No file at {tmp_path / 'x.png'}."}]


def _model_folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "idefics3"}')
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.parametrize(
    ("model", "words"),
    [
        ("iris-test/unknown-model", "internet cannot be reached"),
        ("NO_WEIGHTS", "no weights"),
        ("PICKLE", "pickle"),
    ],
)
def test_model_problems_exit_3(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, photo: Path, model: str, words: str
) -> None:
    if model == "NO_WEIGHTS":
        model = str(_model_folder(tmp_path, {}))
    elif model == "PICKLE":
        model = str(_model_folder(tmp_path, {"pytorch_model.bin": b"\x80\x04K\x01."}))
    code, out, err = run_cli(capsys, "describe", str(photo), "--model", model)
    assert code == 3
    assert out == ""
    assert words in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("family", FAMILIES)
def test_batch_reports_a_bad_file_and_goes_on(
    capsys: pytest.CaptureFixture[str], tiny_models: dict[str, Path], tmp_path: Path, family: str
) -> None:
    folder = tmp_path / "pictures"
    folder.mkdir()
    _write(folder, "a.png", _png_bytes())
    _write(folder, "b.png", b"broken")
    _write(folder, "c.jpg", _jpeg_bytes())
    _write(folder, "readme.txt", b"not an image and not listed")
    out_csv = tmp_path / "alt-text.csv"
    code, out, err = run_cli(
        capsys, "batch", str(folder), "--out", str(out_csv),
        "--model", str(tiny_models[family]), "--max-new-tokens", "4",
    )  # fmt: skip
    assert code == 0, err
    with out_csv.open(newline="", encoding="utf-8") as table:
        rows = list(csv.DictReader(table))
    assert [row["file"] for row in rows] == ["a.png", "b.png", "c.jpg"]
    assert rows[0]["error"] == "" and rows[2]["error"] == ""
    assert "not an image" in rows[1]["error"] and rows[1]["alt_text"] == ""
    assert "3 rows" in out and "1 failed" in out


def test_batch_of_empty_folder_is_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_cli(capsys, "batch", str(tmp_path), "--out", str(tmp_path / "o.csv"))
    assert code == 2
    assert "No image files" in err


def test_models_list_shows_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "models", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["MODEL", "PARAMS"]
    assert any(line.startswith("HuggingFaceTB/SmolVLM-256M-Instruct") for line in lines)
    assert "not downloaded" in out


def test_models_download_offline_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "models", "download", "HuggingFaceTB/SmolVLM-256M-Instruct")
    assert code == 3
    assert "iris models download" in err


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["describe", "x.png", "--max-new-tokens", "0"])
    assert exited.value.code == 2


@pytest.mark.slow
def test_entry_points_run_as_a_user_would(tiny_models: dict[str, Path], photo: Path) -> None:
    """`python -m desktop_app` and the installed `iris` script both work end to end."""
    iris = Path(sys.executable).parent / "iris"
    for command in ([sys.executable, "-m", "desktop_app"], [str(iris)]):
        result = subprocess.run(
            [*command, "describe", str(photo), "--model", str(tiny_models["llava"]),
             "--max-new-tokens", "3", "--format", "jsonl"],
            capture_output=True, text=True, timeout=300, cwd=ROOT, env=dict(os.environ),
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert events(result.stdout)[-1]["event"] == "answer"
