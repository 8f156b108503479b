"""`iris describe|batch|models list --server`: against the real `transformers serve` on
127.0.0.1, and against the stub for the faults; consent, the API key, partial answers."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.cli.main import main
from desktop_app.cli.server import api_key_for, consented, terminal_ask
from desktop_app.core import messages
from desktop_app.core.errors import ServerConsentError
from desktop_app.settings import (
    ApiKeys,
    ServerAddress,
    ServerSettings,
    load_settings,
)
from desktop_app.settings.secrets import SERVICE, MemoryKeyring
from tests.helpers.cli import events, run_cli
from tests.helpers.model_server import RunningServer, transformers_serve
from tests.helpers.socket_guard import SocketGuard
from tests.helpers.stub_server import (
    MODEL,
    Reply,
    StubServer,
    answer,
    json_reply,
    piece,
    stub_server,
)

ROOT = Path(__file__).resolve().parents[2]
REMOTE = "http://192.0.2.10:9"
"""TEST-NET-1: never reachable; the socket guard refuses it before anything is sent."""
KEY_VARIABLE = "IRIS_SERVER_API_KEY"


def child_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, **extra}
    env.pop(KEY_VARIABLE, None)
    return env


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key set by whoever runs the tests must not reach the servers here."""
    monkeypatch.delenv(KEY_VARIABLE, raising=False)


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with stub_server() as running:
        yield running


def server_args(server: RunningServer, *more: str) -> list[str]:
    return ["--server", server.url, "--server-model", server.model, "--no-ground", *more]


# -- against the real server --------------------------------------------------------------------
def test_describe_streams_from_the_server(
    capsys: pytest.CaptureFixture[str], model_server: RunningServer, photo: Path
) -> None:
    code, out, err = run_cli(
        capsys, "describe", str(photo), *server_args(model_server, "--max-new-tokens", "6")
    )
    assert code == 0, err
    assert err == ""
    assert out.endswith("\n") and out.strip()


def test_jsonl_conversation_through_the_server(
    capsys: pytest.CaptureFixture[str], model_server: RunningServer, photo: Path
) -> None:
    code, out, err = run_cli(
        capsys, "describe", str(photo), "--ask", "What is it?", "--ask", "And the colour?",
        "--format", "jsonl", *server_args(model_server, "--max-new-tokens", "5"),
    )  # fmt: skip
    assert code == 0, err
    stream = events(out)
    answers = [event for event in stream if event["event"] == "answer"]
    assert [a["turn"] for a in answers] == [1, 2]
    assert all(a["tokens"] == 5 for a in answers)
    assert answers[1]["prompt_tokens"] > answers[0]["prompt_tokens"]
    assert answers[0]["timings"]["first_token_s"] > 0


def test_describe_as_a_subprocess_never_loads_torch(
    model_server: RunningServer, photo: Path
) -> None:
    """`python -m desktop_app describe --server ...` as a user runs it; a weak computer
    never imports torch for it."""
    args = ["describe", str(photo), *server_args(model_server, "--max-new-tokens", "4")]
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=child_env(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.strip()
    probe = (
        "import sys; from desktop_app.cli.main import main; code = main(sys.argv[1:]); "
        "sys.exit(code or 10 * ('torch' in sys.modules) + 20 * ('transformers' in sys.modules))"
    )
    light = subprocess.run(
        [sys.executable, "-c", probe, *args],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=child_env(),
    )  # fmt: skip
    assert light.returncode == 0, (light.returncode, light.stderr)


def test_models_list_from_the_server(
    capsys: pytest.CaptureFixture[str], model_server: RunningServer
) -> None:
    code, out, err = run_cli(capsys, "models", "list", "--server", model_server.url)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == model_server.model
    assert lines[-1].startswith(f"127.0.0.1:{model_server.port} answered in ")
    assert lines[-1].endswith(" milliseconds.")


@pytest.mark.slow
def test_killed_server_leaves_the_partial_answer_marked_unfinished(
    tiny_models: dict[str, Path], tmp_path: Path, photo: Path
) -> None:
    with transformers_serve(tiny_models["idefics3"], tmp_path) as server:
        command = [
            sys.executable, "-m", "desktop_app", "describe", str(photo),
            *server_args(server, "--max-new-tokens", "1000"),
        ]  # fmt: skip
        child = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=child_env(),
            bufsize=0,  # read(1) takes one byte, leaving the rest to communicate()
        )
        try:
            assert child.stdout is not None
            first = child.stdout.read(1)  # the answer has begun
            server.kill()
            rest, err = child.communicate(timeout=60)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
    out = (first + rest).decode()
    assert child.returncode == 4, err
    suffix = " " + messages.SERVER_ANSWER_UNFINISHED + "\n"
    assert out.endswith(suffix) and len(out) > len(suffix)
    assert err.decode() == f"iris: {messages.SERVER_STREAM_CUT}\n"


# -- consent ------------------------------------------------------------------------------------
def test_remote_server_without_a_terminal_needs_consent(
    capsys: pytest.CaptureFixture[str], photo: Path
) -> None:
    with SocketGuard() as guard:
        code, out, err = run_cli(
            capsys, "describe", str(photo), "--server", REMOTE, "--server-model", "m",
            "--no-ground",
        )  # fmt: skip
    assert code == 4
    assert out == ""
    assert err == "iris: " + messages.SERVER_CONSENT_NEEDED_CLI.format(server="192.0.2.10:9") + "\n"
    assert guard.attempts == []  # nothing was contacted


def test_allow_remote_agrees_and_warns_about_plain_http(
    capsys: pytest.CaptureFixture[str], photo: Path
) -> None:
    with SocketGuard() as guard:
        code, _, err = run_cli(
            capsys, "describe", str(photo), "--server", REMOTE, "--server-model", "m",
            "--no-ground", "--allow-remote",
        )  # fmt: skip
    assert code == 4  # the guard refused the connection: unreachable, not consent
    assert guard.attempts
    lines = err.splitlines()
    assert lines[0] == "iris: " + messages.SERVER_PLAIN_HTTP_WARNING.format(server="192.0.2.10:9")
    assert lines[1] == "iris: " + messages.SERVER_UNREACHABLE.format(server="192.0.2.10:9")
    assert load_settings().server.approved_hosts == ()  # agreed for this run only


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_consent_asked_at_a_terminal_is_saved(tmp_path: Path) -> None:
    settings_file = tmp_path / "settings.json"
    settings = ServerSettings(url="https://gpu-box:8443", model="m")
    prompt = Terminal()
    approved = consented(settings, False, terminal_ask(Terminal("y\n"), prompt), settings_file)
    assert approved.approved(ServerAddress.parse("https://gpu-box:8443"))
    asked = prompt.getvalue()
    assert "gpu-box:8443" in asked and asked.endswith("[y/N] ")
    assert messages.SERVER_CONSENT_QUESTION.format(server="gpu-box:8443") in asked  # https
    assert load_settings(settings_file).server.approved_hosts == ("gpu-box:8443",)
    # Asked once: the saved approval needs no terminal.
    again = load_settings(settings_file).server.with_changes(url="https://gpu-box:8443")
    assert consented(again, False, terminal_ask(io.StringIO(), io.StringIO())) == again


def test_consent_refused_at_a_terminal_saves_nothing(tmp_path: Path) -> None:
    settings_file = tmp_path / "settings.json"
    prompt = Terminal()
    with pytest.raises(ServerConsentError) as raised:
        consented(
            ServerSettings(url="gpu-box:8000"),
            False,
            terminal_ask(Terminal("\n"), prompt),
            settings_file,
        )
    assert raised.value.message == messages.SERVER_CONSENT_DECLINED_CLI.format(
        server="gpu-box:8000"
    )
    warned = messages.SERVER_CONSENT_QUESTION_PLAIN_HTTP.format(server="gpu-box:8000")
    assert warned in prompt.getvalue()
    assert not settings_file.exists()


def test_loopback_needs_no_consent() -> None:
    def never(question: str) -> bool | None:
        raise AssertionError("asked about this computer")

    local = ServerSettings(url="http://localhost:8000")
    assert consented(local, False, never) == local


# -- the API key --------------------------------------------------------------------------------
def test_api_key_comes_from_the_environment_then_the_keyring() -> None:
    address = ServerAddress.parse("https://gpu-box:8443")
    keyring = MemoryKeyring()
    keyring.set_password(SERVICE, address.origin(), "from-keyring")
    keys = ApiKeys(keyring)
    assert api_key_for(address, {KEY_VARIABLE: " from-env "}, keys) == "from-env"
    assert api_key_for(address, {}, keys) == "from-keyring"
    assert api_key_for(address, {KEY_VARIABLE: ""}, keys) == ""  # set empty: no key
    assert api_key_for(ServerAddress.parse("https://other:1"), {}, keys) == ""


def test_the_key_is_never_an_argument(capsys: pytest.CaptureFixture[str], photo: Path) -> None:
    for option in ("--api-key", "--server-key", "--key"):
        with pytest.raises(SystemExit) as exited:
            main(["describe", str(photo), "--server", "http://127.0.0.1:9", option, "k"])
        assert exited.value.code == 2
    capsys.readouterr()


def test_environment_key_is_sent_as_bearer(
    capsys: pytest.CaptureFixture[str],
    stub: StubServer,
    photo: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(KEY_VARIABLE, "sk-from-env")
    stub.script(answer("A", " photo."))
    code, out, err = run_cli(capsys, "describe", str(photo), "--server", stub.url, "--no-ground")
    assert code == 0, err
    assert out == "A photo.\n"
    assert {seen.headers.get("authorization") for seen in stub.seen} == {"Bearer sk-from-env"}


# -- faults through the command line (the stub) ---------------------------------------------------
def test_fault_mid_answer_keeps_the_partial_text(
    capsys: pytest.CaptureFixture[str], stub: StubServer, photo: Path
) -> None:
    stub.script(Reply(chunks=[piece("Two"), piece(" cats"), "data: {broken\n\n"]))
    code, out, err = run_cli(capsys, "describe", str(photo), "--server", stub.url, "--no-ground")
    assert code == 4
    assert out == "Two cats " + messages.SERVER_ANSWER_UNFINISHED + "\n"
    assert err.startswith("iris: The model server sent an answer Iris cannot read")
    assert len(err.splitlines()) == 1


def test_fault_mid_answer_in_jsonl_carries_the_partial_text(
    capsys: pytest.CaptureFixture[str], stub: StubServer, photo: Path
) -> None:
    stub.script(Reply(chunks=[piece("Two"), piece(" cats")]))  # ends with no finish_reason
    code, out, _ = run_cli(
        capsys, "describe", str(photo), "--server", stub.url, "--no-ground", "--format", "jsonl"
    )
    assert code == 4
    assert events(out) == [
        {"event": "token", "text": "Two"},
        {"event": "token", "text": " cats"},
        {"event": "error", "message": messages.SERVER_STREAM_CUT, "partial": "Two cats"},
    ]


def test_busy_retry_is_told_on_stderr(
    capsys: pytest.CaptureFixture[str], stub: StubServer, photo: Path
) -> None:
    stub.script(json_reply(429, {"error": "busy"}, {"Retry-After": "0"}), answer("Done."))
    code, out, err = run_cli(capsys, "describe", str(photo), "--server", stub.url, "--no-ground")
    assert code == 0
    assert out == "Done.\n"
    assert err == "iris: " + messages.SERVER_RETRYING.format(seconds=0) + "\n"


def test_flags_reach_the_server(
    capsys: pytest.CaptureFixture[str], stub: StubServer, photo: Path
) -> None:
    stub.script(Reply(chunks=[piece("slow")], stall=True))
    code, out, err = run_cli(
        capsys, "describe", str(photo), "--server", stub.url + "/v1", "--server-model", MODEL,
        "--server-timeout", "0.3", "--longest-edge", "100", "--max-new-tokens", "7",
        "--no-ground",
    )  # fmt: skip
    assert code == 4
    assert out == "slow " + messages.SERVER_ANSWER_UNFINISHED + "\n"
    assert err == "iris: " + messages.SERVER_STALLED.format(seconds=0.3) + "\n"
    body = stub.chat_requests[0].json()
    assert (body["model"], body["max_tokens"]) == (MODEL, 7)
    assert stub.chat_requests[0].path == "/v1/chat/completions"


def test_bad_server_flags_are_bad_input(
    capsys: pytest.CaptureFixture[str], photo: Path, tmp_path: Path
) -> None:
    code, _, err = run_cli(capsys, "describe", str(photo), "--server", "ftp://gpu-box")
    assert code == 2 and "ftp://gpu-box" in err
    missing = tmp_path / "no-ca.pem"
    code, _, err = run_cli(
        capsys, "describe", str(photo), "--server", "https://localhost:1", "--server-ca",
        str(missing),
    )  # fmt: skip
    assert code == 2 and str(missing) in err
    code, _, err = run_cli(
        capsys, "describe", str(photo), "--server", "http://localhost:1", "--longest-edge", "32"
    )
    assert code == 2
    assert err == "iris: " + messages.SERVER_EDGE_TOO_SMALL.format(pixels=64) + "\n"
    with pytest.raises(SystemExit):
        main(["describe", str(photo), "--server", "http://localhost:1", "--server-timeout", "0"])
    capsys.readouterr()


def test_unknown_model_and_wrong_port_exit_4(
    capsys: pytest.CaptureFixture[str], stub: StubServer, photo: Path
) -> None:
    code, out, err = run_cli(
        capsys, "describe", str(photo), "--server", stub.url, "--server-model", "x/y",
        "--no-ground",
    )  # fmt: skip
    assert code == 4 and out == ""
    assert MODEL in err and "x/y" in err
    stub.close()
    code, _, err = run_cli(capsys, "models", "list", "--server", stub.url)
    assert code == 4
    unreachable = messages.SERVER_UNREACHABLE.format(server=f"127.0.0.1:{stub.port}")
    assert err == f"iris: {unreachable}\n"


def test_batch_through_the_server(
    capsys: pytest.CaptureFixture[str], stub: StubServer, photo: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "pictures"
    folder.mkdir()
    for name in ("a.jpg", "b.jpg"):
        (folder / name).write_bytes(photo.read_bytes())
    stub.script(answer("First."), answer("Second."))
    table = tmp_path / "alt.csv"
    code, _, err = run_cli(
        capsys, "batch", str(folder), "--out", str(table), "--server", stub.url, "--no-ground"
    )
    assert code == 0, err
    with table.open(newline="", encoding="utf-8") as rows:
        assert [row["alt_text"] for row in csv.DictReader(rows)] == ["First.", "Second."]


def test_saved_settings_apply_to_the_same_server_only(stub: StubServer) -> None:
    """The saved model is used for the saved server; another server starts from none."""
    from desktop_app.cli.parser import build_parser
    from desktop_app.cli.server import server_settings_from

    saved = ServerSettings(
        url=stub.url, model="saved/model", verify_tls=False, approved_hosts=("gpu-box:8000",),
        stall_timeout_s=42.0,
    )  # fmt: skip
    parse = build_parser().parse_args
    same = server_settings_from(parse(["describe", "x.png", "--server", stub.url + "/v1/"]), saved)
    assert (same.model, same.verify_tls, same.stall_timeout_s) == ("saved/model", False, 42.0)
    other = server_settings_from(parse(["describe", "x.png", "--server", "gpu-box:8000"]), saved)
    assert (other.model, other.verify_tls, other.stall_timeout_s) == ("", True, 42.0)
    assert other.approved(ServerAddress.parse("gpu-box:8000"))
    flagged = server_settings_from(
        parse(["describe", "x.png", "--server", stub.url, "--server-model", "flag/model"]), saved
    )
    assert flagged.model == "flag/model" and flagged.enabled


def test_grounding_in_the_text_reader_works_with_a_server(
    capsys: pytest.CaptureFixture[str],
    stub: StubServer,
    screenshot: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without --no-ground the text found on the image goes with the question (the reader
    given time to finish however busy the machine)."""
    from desktop_app.engine.reading import grounded
    from desktop_app.engine.tasks import Task, prompt_for

    monkeypatch.setattr(grounded, "READ_BUDGET_S", 60.0)

    stub.script(answer("A mail program."))
    code, out, err = run_cli(capsys, "describe", str(screenshot), "--server", stub.url)
    assert code == 0, err
    assert out == "A mail program.\n"
    sent = stub.chat_requests[0].json()["messages"][0]["content"][-1]["text"]
    assert sent != prompt_for(Task.DESCRIBE)
    assert "Inbox" in sent
