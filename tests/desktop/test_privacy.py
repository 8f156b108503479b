"""Privacy: nothing leaves the computer, screenshots stay in memory, logs hold no content.

The network checks run with HF_HUB_OFFLINE and HF_HUB_DISABLE_TELEMETRY unset, as on a
user's computer: the suite's own offline setting (conftest.py) must not be what keeps
Iris quiet. `tests/helpers/socket_guard.py` records and refuses every connection that is
not to a unix socket or a loopback address.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from desktop_app.cli.main import DEBUG_VARIABLE, main
from desktop_app.core import messages
from desktop_app.core.errors import ModelOfflineError
from desktop_app.engine.models.hub import resolve_model
from tests.helpers.socket_guard import (
    NetworkBlockedError,
    SocketGuard,
    read_attempts,
    write_sitecustomize,
)

if TYPE_CHECKING:
    from tests.helpers.controllers import ControllerFactory

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 120_000
QUESTION = "Is the zebra-striped umbrella number 7461 near the door?"
"""Distinctive enough that finding it in a log can only mean the question was logged."""
OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY")


@pytest.fixture
def online(monkeypatch: pytest.MonkeyPatch) -> None:
    """huggingface_hub as on a user's computer: not offline, telemetry not disabled."""
    from huggingface_hub import constants

    for name in OFFLINE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", False)


@pytest.fixture
def guard(online: None) -> Iterator[SocketGuard]:
    with SocketGuard() as installed:
        yield installed


class Records(logging.Handler):
    """Every record the root logger lets through, formatted with any traceback."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def records() -> Iterator[Records]:
    """Log records as the configured root level lets them through; the level is restored."""
    root = logging.getLogger()
    level = root.level
    handler = Records()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


# -- the guard itself --------------------------------------------------------------------
def test_guard_refuses_and_records_other_hosts_but_not_loopback(guard: SocketGuard) -> None:
    with pytest.raises(NetworkBlockedError):
        socket.create_connection(("192.0.2.1", 80), timeout=0.5)
    with socket.socket() as sock, pytest.raises(NetworkBlockedError):
        sock.connect(("192.0.2.1", 443))
    with socket.socket(socket.AF_INET6) as sock, pytest.raises(NetworkBlockedError):
        sock.connect_ex(("2001:db8::1", 443))
    with pytest.raises(NetworkBlockedError):
        socket.getaddrinfo("huggingface.co", 443)
    assert len(guard.attempts) == 4, guard.attempts
    assert "192.0.2.1" in guard.attempts[0]

    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        socket.create_connection(("localhost", port), timeout=5).close()
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) == 0
    left, right = socket.socketpair()  # unix sockets: X11, D-Bus, Qt
    left.close(), right.close()
    assert len(guard.attempts) == 4


def test_guard_in_a_subprocess_writes_its_attempts(tmp_path: Path) -> None:
    log = tmp_path / "attempts.jsonl"
    env = _guarded_env(tmp_path, log)
    code = "import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
    code += "except ConnectionError as error:\n    print(type(error).__name__)\n"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "NetworkBlockedError", result.stderr
    assert read_attempts(log) == ["create_connection ('192.0.2.1', 80)"]


def test_a_model_download_is_the_one_thing_that_goes_out(guard: SocketGuard) -> None:
    """Asking for a Hub model that is not downloaded is an explicit download: it does try
    the Hub (the guard sees it) and, refused, Iris says it is offline."""
    with pytest.raises(ModelOfflineError):
        resolve_model("iris-test/not-downloaded-anywhere")
    assert guard.attempts and all("huggingface.co" in a for a in guard.attempts), guard.attempts


# -- no connection: the command line -----------------------------------------------------
def _put_in_hub_cache(source: Path, repo_id: str) -> None:
    from huggingface_hub import constants

    repo = Path(constants.HF_HUB_CACHE) / ("models--" + repo_id.replace("/", "--"))
    commit = "1234567890abcdef1234567890abcdef12345678"
    if not (repo / "snapshots" / commit).exists():
        shutil.copytree(source, repo / "snapshots" / commit)
        (repo / "refs").mkdir(parents=True, exist_ok=True)
        (repo / "refs" / "main").write_text(commit)


def test_cli_in_process_opens_no_connection(
    guard: SocketGuard,
    tiny_models: dict[str, Path],
    photo: Path,
    screenshot: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    model = str(tiny_models["idefics3"])
    _put_in_hub_cache(tiny_models["idefics3"], "iris-test/privacy-cached")
    runs = [
        ["describe", str(photo), "--model", model, "--max-new-tokens", "4", "--ask", QUESTION],
        ["describe", str(photo), "--model", "iris-test/privacy-cached", "--max-new-tokens", "3"],
        ["read", str(screenshot)],
        ["models", "list"],
    ]
    for argv in runs:
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 0, (argv, err)
    assert guard.attempts == []


def _guarded_env(tmp_path: Path, log: Path) -> dict[str, str]:
    """The environment of a user's machine (no offline switches), with the guard installed
    by a sitecustomize.py first on PYTHONPATH, and private config, cache and HF folders."""
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_VARIABLES}
    guard_folder = tmp_path / "guard"
    write_sitecustomize(guard_folder, log, ROOT)
    env.update(
        PYTHONPATH=os.pathsep.join([str(guard_folder), str(ROOT)]),
        HF_HOME=str(tmp_path / "hf"),
        IRIS_CONFIG_DIR=str(tmp_path / "config"),
        IRIS_CACHE_DIR=str(tmp_path / "int8"),
    )
    return env


@pytest.mark.slow
def test_cli_entry_point_opens_no_connection_and_logs_no_content(
    tmp_path: Path, tiny_models: dict[str, Path], photo: Path, screenshot: Path
) -> None:
    """`python -m desktop_app` as a user runs it, each network attempt written to a file."""
    log = tmp_path / "attempts.jsonl"
    env = _guarded_env(tmp_path, log)
    model = str(tiny_models["idefics3"])
    runs = {
        "describe": ["describe", str(photo), "--model", model, "--max-new-tokens", "6",
                     "--ask", QUESTION, "--format", "jsonl"],
        "read": ["read", str(screenshot)],
        "models": ["models", "list"],
    }  # fmt: skip
    outputs = {}
    for name, argv in runs.items():
        result = subprocess.run(
            [sys.executable, "-m", "desktop_app", *argv],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, (name, result.stderr)
        outputs[name] = result
    assert read_attempts(log) == []
    answer = json.loads(outputs["describe"].stdout.splitlines()[-1])
    assert answer["event"] == "answer" and answer["tokens"] >= 1
    stderr = outputs["describe"].stderr
    assert "zebra-striped umbrella" not in stderr
    if len(answer["text"].strip()) >= 8:
        assert answer["text"].strip() not in stderr
    print(f"entry point: {len(runs)} commands, 0 network attempts")


# -- no connection: the window -----------------------------------------------------------
def test_window_describes_and_answers_without_any_connection(
    guard: SocketGuard,
    records: Records,
    qapp: object,
    tiny_models: dict[str, Path],
    photo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real app (run_app): start with a tiny model, describe a dropped image, answer a
    typed question, quit. No connection, and no question or answer in the logs."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.gui.app import run_app
    from desktop_app.gui.main_window import MainWindow
    from desktop_app.settings import AppSettings, EngineSettings, save_settings

    monkeypatch.setenv("IRIS_CONFIG_DIR", str(tmp_path / "config"))
    save_settings(AppSettings(engine=EngineSettings(max_new_tokens=8)))  # short gibberish
    monkeypatch.delenv("DISPLAY", raising=False)  # no global hotkeys: the same on any machine
    logging.getLogger().setLevel(logging.WARNING)  # the default level (`iris` without --debug)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    state: dict[str, object] = {"step": "wait for the model"}
    answers: list[str] = []

    def drive() -> None:
        windows = [w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows and state["step"] != "quit":
            return
        window = windows[-1] if windows else None
        status = window.status.text() if window is not None else ""
        if state["step"] == "wait for the model" and status.startswith("Ready."):
            state.update(step="describing", window=window)
            assert window is not None
            window.files_dropped.emit([str(photo)])
        elif state["step"] == "describing" and status == messages.STATUS_DONE:
            assert window is not None
            answers.append(window.answer_view.toPlainText())
            window.show_status("")  # so that the next "Done." is the question's
            window.question.setText(QUESTION)
            state["step"] = "asking"
            window.actions_by_key["ask"].trigger()
        elif state["step"] == "asking" and status == messages.STATUS_DONE:
            assert window is not None
            answers.append(window.answer_view.toPlainText())
            state["step"] = "quit"
            window.actions_by_key["quit"].trigger()

    # Closing the window must not post a second quit that would end the next test's waits.
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(drive)
    give_up = QTimer()
    give_up.setSingleShot(True)
    give_up.timeout.connect(lambda: app.exit(1))
    timer.start()
    give_up.start(TIMEOUT_MS)
    try:
        code = run_app(["iris"], model=str(tiny_models["idefics3"]),
                       speak_to_files=tmp_path / "speech")  # fmt: skip
    finally:
        timer.stop()
        give_up.stop()
        app.setQuitOnLastWindowClosed(quit_on_close)
        window = state.get("window")
        if isinstance(window, MainWindow):
            window.close()
            window.deleteLater()
    assert code == 0 and state["step"] == "quit", state
    assert len(answers) == 2 and all(answers), answers
    assert guard.attempts == []
    assert "zebra-striped umbrella" not in records.text
    for answer in answers:
        if len(answer.strip()) >= 8:
            assert answer.strip() not in records.text
    print(f"window: 2 answers, {len(records.lines)} log records, 0 network attempts")


@pytest.mark.slow
def test_window_entry_point_opens_no_connection(
    tmp_path: Path, tiny_models: dict[str, Path]
) -> None:
    """`python -m desktop_app --model FOLDER` offscreen, guarded from its first line: the
    window starts (Qt, settings, speech, hotkeys), the model starts loading behind it, and
    the app quits 4 s later. Describing and answering in the window are checked in-process
    above, where the test can drive the window."""
    log = tmp_path / "attempts.jsonl"
    report = tmp_path / "ready.json"
    env = _guarded_env(tmp_path, log)
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    env.update(QT_QPA_PLATFORM="offscreen", IRIS_REPORT_READY=str(report),
               IRIS_REPORT_IDLE_AFTER="4")  # fmt: skip
    command = [sys.executable, "-m", "desktop_app", "--model", str(tiny_models["idefics3"]),
               "--speak-to-files", str(tmp_path / "speech")]  # fmt: skip
    result = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    idle = json.loads(report.read_text())["idle"]
    assert read_attempts(log) == []
    print(f"window entry point: idle status {idle['status']!r}, 0 network attempts")


# -- screenshots stay in memory ----------------------------------------------------------
IMAGE_SIGNATURES: tuple[tuple[str, bytes], ...] = (
    ("PNG", b"\x89PNG\r\n\x1a\n"),
    ("JPEG", b"\xff\xd8\xff"),
    ("GIF", b"GIF8"),
    ("TIFF", b"II*\x00"),
    ("TIFF", b"MM\x00*"),
    ("QOI", b"qoif"),
)


def image_kind(head: bytes, size: int) -> str | None:
    """The image format a file's first bytes announce, or None."""
    for kind, signature in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[:2] == b"BM" and len(head) >= 6 and int.from_bytes(head[2:6], "little") == size:
        return "BMP"
    if len(head) >= 3 and head[:1] == b"P" and head[1:2] in b"123456" and head[2:3].isspace():
        return "PPM"
    return None


def image_files(root: Path) -> list[tuple[Path, str]]:
    """Every regular file under `root` whose content starts like an image."""
    found = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            with path.open("rb") as stream:
                head = stream.read(16)
            kind = image_kind(head, path.stat().st_size)
            if kind is not None:
                found.append((path, kind))
    return found


def test_image_scanner_finds_every_format(tmp_path: Path) -> None:
    picture = Image.new("RGB", (8, 8), (1, 2, 3))
    formats = {"PNG": "png", "JPEG": "jpg", "BMP": "bmp", "TIFF": "tif", "WebP": "webp",
               "PPM": "ppm", "GIF": "gif"}  # fmt: skip
    for kind, suffix in formats.items():
        picture.save(tmp_path / f"nested-{kind}.{suffix.upper()}.data", format=kind)
    (tmp_path / "notes.txt").write_text("BM not a bitmap\nP6 is a paper size\n")
    (tmp_path / "weights.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{}")
    assert sorted(kind for _, kind in image_files(tmp_path)) == sorted(formats)


class Silent:
    """Speech that says nothing: both the speaker and the streaming speech."""

    def say(self, text: str, *, interrupt: bool = False, language: str | None = None) -> None: ...
    def stop(self) -> None: ...
    def feed(self, piece: str) -> None: ...
    def finish(self) -> None: ...
    def cancel(self) -> None: ...


def test_screenshots_never_touch_the_disk(
    qtbot: QtBot,
    x_display: str,
    tiny_models: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_controller: ControllerFactory,
) -> None:
    """Capture the real (Xvfb) screen, describe it and read its text, with every place a
    program writes to (temp, home, XDG, Iris's config and cache, the working folder) in
    watched folders: afterwards none of them holds an image file."""
    from desktop_app.gui.backends import local_backend_factory
    from desktop_app.gui.desktop_capturer import DesktopCapturer
    from desktop_app.settings import AppSettings, EngineSettings
    from desktop_app.testing.text_screens import dialog
    from tests.helpers.xvfb import root_picture

    watched = tmp_path / "watched"
    places = ["tmp", "home", "config", "cache", "data", "state", "runtime", "iris-config",
              "iris-cache", "cwd"]  # fmt: skip
    for place in places:
        (watched / place).mkdir(parents=True, mode=0o700)
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.setenv(name, str(watched / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(watched / "tmp"))
    monkeypatch.setenv("HOME", str(watched / "home"))
    for name, place in [("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"),
                        ("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state"),
                        ("XDG_RUNTIME_DIR", "runtime"), ("IRIS_CONFIG_DIR", "iris-config"),
                        ("IRIS_CACHE_DIR", "iris-cache")]:  # fmt: skip
        monkeypatch.setenv(name, str(watched / place))
    monkeypatch.chdir(watched / "cwd")

    settings = AppSettings().with_changes(
        engine=EngineSettings(model=str(tiny_models["idefics3"]), max_new_tokens=4)
    )
    controller = make_controller(
        settings,
        show=True,
        capturer=DesktopCapturer(settings),
        backend=local_backend_factory(settings),  # grounded in the text reader
        speaker=Silent(),
        streaming_speech=Silent,
    )
    window = controller.window
    desktop = tmp_path / "desktop.png"  # outside the watched folders: what the screen shows
    dialog("light", "DejaVu Sans", 14).image.save(desktop)
    try:
        with (
            root_picture(x_display, desktop),
            qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS) as described,
        ):
            window.actions_by_key["describe_screen"].trigger()
        with (
            root_picture(x_display, desktop),
            qtbot.waitSignal(controller.answer_finished, timeout=TIMEOUT_MS) as read,
        ):
            window.actions_by_key["read_screen"].trigger()
    finally:
        controller.shutdown()  # its saves finished before the folders are searched
    assert described.args[0].generated_tokens >= 1
    assert read.args[0].text
    assert any(e.startswith("Image: screen, 1280 by 800") for e in window.conversation.entries())
    written = [p for p in watched.rglob("*") if p.is_file()]
    found = image_files(watched)
    print(f"watched folders: {len(written)} files written, {len(found)} images")
    assert found == []


# -- logs hold no content unless debug logging is on ---------------------------------------
def _describe_for_logs(photo: Path, model: Path, capsys: pytest.CaptureFixture[str],
                       *flags: str) -> str:  # fmt: skip
    argv = [*flags, "describe", str(photo), "--model", str(model), "--ask", QUESTION,
            "--max-new-tokens", "8", "--format", "jsonl"]  # fmt: skip
    assert main(argv) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    answer: str = events[-1]["text"]
    assert events[-1]["event"] == "answer" and answer
    return answer


def _image_traces(photo: Path) -> list[str]:
    data = photo.read_bytes()
    pixels = Image.open(photo).convert("RGB").tobytes()
    return [
        base64.b64encode(data[:48]).decode(),
        base64.b64encode(pixels[:48]).decode(),
        "/9j/",  # base64 of any JPEG's first bytes
        "iVBORw0KGgo",  # base64 of any PNG's first bytes
        repr(data[:16])[2:-1],
        repr(pixels[:16])[2:-1],
    ]


def test_logs_hold_no_question_answer_or_image_by_default(
    records: Records,
    tiny_models: dict[str, Path],
    photo: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(DEBUG_VARIABLE, raising=False)
    answer = _describe_for_logs(photo, tiny_models["idefics3"], capsys)
    assert logging.getLogger().level == logging.WARNING
    assert "zebra-striped umbrella" not in records.text
    assert repr(answer) not in records.text
    if len(answer.strip()) >= 8:
        assert answer.strip() not in records.text
    for trace in _image_traces(photo):
        assert trace not in records.text
    print(f"default level: {len(records.lines)} log records, no question, answer or image")


@pytest.mark.parametrize("switch", ["--debug", DEBUG_VARIABLE])
def test_debug_logging_shows_question_and_answer_but_no_image(
    records: Records,
    tiny_models: dict[str, Path],
    photo: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    switch: str,
) -> None:
    """Switched on (`--debug` or IRIS_DEBUG=1), the question and answer are logged, which
    also shows the default-level test above would see them if they were logged there."""
    flags: list[str] = []
    if switch == DEBUG_VARIABLE:
        monkeypatch.setenv(DEBUG_VARIABLE, "1")
    else:
        monkeypatch.delenv(DEBUG_VARIABLE, raising=False)
        flags.append(switch)
    answer = _describe_for_logs(photo, tiny_models["idefics3"], capsys, *flags)
    assert logging.getLogger().level == logging.DEBUG
    assert "zebra-striped umbrella" in records.text
    assert repr(answer) in records.text
    for trace in _image_traces(photo):
        assert trace not in records.text
