"""The window with the model on a server: the location line, consent, faults, Settings.

A real `transformers serve` on 127.0.0.1 answers (the `model_server` fixture, or a private
one to kill); speech and capture are fakes passed in. A host that is not this computer
(192.0.2.10, TEST-NET) is only named: a fake backend stands in for it, so nothing is sent.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QObject, Qt, Slot
from pytestqt.qtbot import QtBot

from desktop_app.core import messages
from desktop_app.core.types import Answer
from desktop_app.engine.backend import Backend
from desktop_app.gui.settings_dialog import SettingsDialog
from desktop_app.gui.worker import EngineWorker
from desktop_app.settings import (
    ApiKeys,
    AppSettings,
    EngineSettings,
    ServerAddress,
    ServerSettings,
    load_settings,
)
from desktop_app.settings.keeper import SettingsKeeper
from desktop_app.settings.secrets import SERVICE, MemoryKeyring
from tests.helpers.controllers import ControllerFactory
from tests.helpers.fakes import FakeBackend, FakeSpeaker, FakeStream, NoCapture
from tests.helpers.model_server import RunningServer, free_port, transformers_serve
from tests.helpers.stub_server import MODEL as STUB_MODEL
from tests.helpers.stub_server import answer, json_reply, stub_server

TIMEOUT_MS = 60_000
PHOTO = Image.new("RGB", (96, 64), (30, 140, 220))
REMOTE_URL = "http://192.0.2.10:8000"
REMOTE_LABEL = "192.0.2.10:8000"


def server_settings(
    url: str, model: str, max_new_tokens: int = 6, ground_in_text: bool = False
) -> AppSettings:
    """A server in use; the local model (the default Hub id) is not downloaded."""
    engine = EngineSettings(max_new_tokens=max_new_tokens, ground_in_text=ground_in_text)
    return AppSettings().with_changes(
        engine=engine,
        server=ServerSettings(enabled=True, url=url, model=model),
    )


class Rig:
    """The window's controller; the engine worker makes the controller's own backend
    unless `backend` is given; `backend_factory` and `confirm` are passed on."""

    def __init__(
        self,
        make_controller: ControllerFactory,
        settings: AppSettings,
        *,
        backend: Backend | None = None,
        backend_factory: Callable[[AppSettings], Callable[[], Any]] | None = None,
        confirm: Callable[[str, str], bool] | None = None,
    ) -> None:
        self.speaker = FakeSpeaker()
        self.streams: list[FakeStream] = []
        self.questions: list[tuple[str, str]] = []
        self._confirm = confirm or self._refuse_to_be_asked
        self.api_keys = ApiKeys(MemoryKeyring())
        self.worker = EngineWorker(backend or self._controllers_backend)
        self.reader = EngineWorker(lambda: server_stand_in())
        self.controller = make_controller(
            settings,
            show=True,
            capturer=NoCapture(),
            worker=self.worker,
            speaker=self.speaker,
            streaming_speech=self._stream,
            confirm=self._ask,
            backend_factory=backend_factory,
            reader=self.reader,
            api_keys=self.api_keys,
        )
        self.window = self.controller.window

    def _controllers_backend(self) -> Backend:  # on the engine thread, as in the app
        made: Backend = self.controller.session.backend_factory(self.controller.settings)()
        return made

    def _ask(self, title: str, question: str) -> bool:
        self.questions.append((title, question))
        return self._confirm(title, question)

    @staticmethod
    def _refuse_to_be_asked(title: str, question: str) -> bool:
        raise AssertionError(f"asked {title!r} unexpectedly")

    def _stream(self) -> FakeStream:
        self.streams.append(FakeStream())
        return self.streams[-1]

    def said(self) -> list[str]:
        return [text for text, _ in self.speaker.said]

    def close(self) -> None:
        """Shut the controller down now (before its server stops)."""
        self.controller.shutdown()


def server_stand_in(description: str = "fake model on the server") -> FakeBackend:
    """Stands in for a server that must not be contacted: counts loads and requests."""
    return FakeBackend(description=description, pieces=["A fake answer."], prompt_tokens=1)


class RecordingFactory:
    """A backend factory that records the settings it is asked for."""

    def __init__(self, backend: FakeBackend) -> None:
        self.backend = backend
        self.asked: list[AppSettings] = []

    def __call__(self, settings: AppSettings) -> Callable[[], Any]:
        self.asked.append(settings)
        return lambda: self.backend


class Killer(QObject):
    """Kills the server (SIGKILL) on the GUI thread when the first piece arrives."""

    def __init__(self, server: RunningServer) -> None:
        super().__init__()
        self.server = server
        self.killed_after: str | None = None

    @Slot(int, str)
    def on_piece(self, request_id: int, piece: str) -> None:
        if self.killed_after is None:
            self.killed_after = piece
            self.server.kill()


@pytest.fixture
def served(make_controller: ControllerFactory, model_server: RunningServer) -> Rig:
    settings = server_settings(model_server.url, model_server.model, ground_in_text=True)
    return Rig(make_controller, settings)  # as the app runs it: images grounded in their text


# -- a real server on this computer ---------------------------------------------------------------
def test_a_server_on_this_computer_loads_describes_and_follows_up(
    qtbot: QtBot, served: Rig, model_server: RunningServer
) -> None:
    label = ServerAddress.parse(model_server.url).label
    where = messages.LOCATION_LINE.format(location=messages.LOCATION_SERVER.format(server=label))
    assert served.window.location.text() == where  # said before anything loads
    assert served.window.location.accessibleName() == f"{messages.LOCATION_NAME}: {where}"
    with qtbot.waitSignal(served.controller.session.model_ready, timeout=TIMEOUT_MS) as ready:
        served.controller.load_model()
    description = ready.args[0]
    assert description == messages.SERVER_DESCRIPTION.format(model=model_server.model, server=label)
    assert served.window.status.text() == messages.STATUS_READY.format(model=description)
    assert served.questions == []  # loopback: nothing leaves this computer, nothing to ask
    assert messages.STATUS_CONNECTING in served.said()  # a quick check, not a percentage
    assert not any(text.startswith("Model loading") for text in served.said())

    with qtbot.waitSignal(served.controller.answer_finished, timeout=TIMEOUT_MS) as first:
        served.controller.describe_images([PHOTO], "photo")
    answer: Answer = first.args[0]
    assert answer.generated_tokens >= 1 and not answer.cancelled
    stream = served.streams[-1]
    assert stream.pieces and "".join(stream.pieces) == answer.text and stream.finished
    assert served.window.conversation.entries()[-1] == messages.IRIS_PREFIX.format(text=answer.text)
    assert messages.STATUS_READING_UNTIL_MODEL not in served.said()  # no local model needed

    served.window.question.setText("What colour is it?")
    with qtbot.waitSignal(served.controller.answer_finished, timeout=TIMEOUT_MS) as second:
        served.window.actions_by_key["ask"].trigger()
    assert second.args[0].generated_tokens >= 1
    assert "You: What colour is it?" in served.window.conversation.entries()
    assert [len(turn.images) for turn in served.controller.conversation.history] == [1, 0]

    with qtbot.waitSignal(served.controller.answer_finished, timeout=TIMEOUT_MS) as detailed:
        served.window.actions_by_key["more_detail"].trigger()  # works without a local model
    assert detailed.args[0].generated_tokens >= 1
    assert messages.STATUS_DETAIL_NEEDS_MODEL not in served.said()
    assert served.window.location.text() == where


@pytest.mark.slow
def test_a_fault_mid_answer_keeps_the_partial_answer_marked_unfinished(
    qtbot: QtBot, tiny_models: dict[str, Path], tmp_path: Path, make_controller: ControllerFactory
) -> None:
    with transformers_serve(tiny_models["idefics3"], tmp_path) as server:
        rig = Rig(make_controller, server_settings(server.url, server.model, max_new_tokens=4000))
        try:
            killer = Killer(server)
            rig.worker.piece.connect(killer.on_piece)
            with qtbot.waitSignal(rig.controller.request_failed, timeout=TIMEOUT_MS) as failed:
                rig.controller.describe_images([PHOTO], "photo")
        finally:
            rig.close()
    message = failed.args[0]
    assert message == messages.SERVER_STREAM_CUT
    assert killer.killed_after is not None
    partial = "".join(rig.streams[-1].pieces)
    assert partial.startswith(killer.killed_after)
    entry = rig.window.conversation.entries()[-1]
    assert entry == messages.IRIS_PREFIX.format(text=partial + messages.UNFINISHED_FAULT_SUFFIX)
    assert rig.window.status.text() == message  # shown
    assert rig.speaker.said[-1] == (message, True)  # and spoken
    assert rig.streams[-1].cancelled  # the rest of the half answer is not read on
    turn = rig.controller.conversation.history[-1]
    assert turn.answer == partial and len(turn.images) == 1  # a follow-up goes on from it
    assert rig.controller.conversation.pending_images == []


def test_a_key_entered_in_settings_is_used_at_once_and_a_busy_servers_retry_is_told(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_controller: ControllerFactory,
) -> None:
    monkeypatch.setenv("IRIS_CONFIG_DIR", str(tmp_path))
    with stub_server() as stub:
        rig = Rig(make_controller, server_settings(stub.url, STUB_MODEL))
        try:
            with qtbot.waitSignal(rig.controller.session.model_ready, timeout=TIMEOUT_MS):
                rig.controller.load_model()
            rig.controller.preferences.open_settings()
            dialog = rig.controller.preferences.dialog
            dialog.server_panel.api_key.setText("sk-new-key")
            with qtbot.waitSignal(rig.controller.session.model_ready, timeout=TIMEOUT_MS):
                dialog.accept()  # the same settings, a new key: the backend is made anew
            stub.script(json_reply(429, {"error": {"message": "busy"}}, {"Retry-After": "0"}))
            stub.script(answer("Two ", "cats."))
            with qtbot.waitSignal(rig.controller.answer_finished, timeout=TIMEOUT_MS) as done:
                rig.controller.describe_images([PHOTO], "photo")
        finally:
            rig.close()
    assert done.args[0].text == "Two cats."
    retrying = messages.SERVER_RETRYING.format(seconds=0)
    assert (retrying, True) in rig.speaker.said  # told on the GUI thread, shown and spoken
    assert [seen.headers["authorization"] for seen in stub.chat_requests] == [
        "Bearer sk-new-key"
    ] * 2
    assert rig.api_keys.get(ServerAddress.parse(stub.url).origin()) == "sk-new-key"
    assert "sk-new-key" not in (tmp_path / "settings.json").read_text()


# -- consent for a host that is not this computer -------------------------------------------------
def test_declining_sends_nothing_and_asks_again_next_time(
    qtbot: QtBot, make_controller: ControllerFactory
) -> None:
    backend = server_stand_in()
    factory = RecordingFactory(backend)
    rig = Rig(
        make_controller,
        server_settings(REMOTE_URL, "big-model"),
        backend=backend,
        backend_factory=factory,
        confirm=lambda title, question: False,
    )
    rig.controller.load_model()
    question = messages.SERVER_CONSENT_QUESTION_PLAIN_HTTP.format(server=REMOTE_LABEL)
    assert rig.questions == [(messages.SERVER_CONSENT_TITLE, question)]
    assert rig.speaker.said[0] == (rig.questions[0][1], True)  # the question is spoken
    declined = messages.SERVER_CONSENT_DECLINED.format(server=REMOTE_LABEL)
    assert rig.window.status.text() == declined
    assert rig.speaker.said[-1] == (declined, True)
    rig.controller.describe_images([PHOTO], "photo")  # asked again; declined again
    assert len(rig.questions) == 2 and rig.controller.conversation.pending_images == [PHOTO]
    with qtbot.waitSignal(rig.controller.session.model_ready, timeout=TIMEOUT_MS):
        rig.worker.load()  # queued after anything the controller asked of the worker
    assert backend.loads == 1 and backend.requests == []  # nothing loaded, nothing sent
    assert factory.asked == []
    assert load_settings().server.approved_hosts == ()


def test_agreeing_is_saved_asked_once_and_plain_http_is_warned_about(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_controller: ControllerFactory,
) -> None:
    monkeypatch.setenv("IRIS_CONFIG_DIR", str(tmp_path))
    backend = server_stand_in()
    factory = RecordingFactory(backend)
    rig = Rig(
        make_controller,
        server_settings(REMOTE_URL, "big-model"),
        backend=server_stand_in("never used"),
        backend_factory=factory,
        confirm=lambda title, question: True,
    )
    plain = messages.LOCATION_SERVER_PLAIN.format(server=REMOTE_LABEL)
    assert rig.window.location.text() == messages.LOCATION_LINE.format(location=plain)
    with qtbot.waitSignal(rig.controller.session.model_ready, timeout=TIMEOUT_MS):
        rig.controller.load_model()
    assert len(rig.questions) == 1
    saved = json.loads((tmp_path / "settings.json").read_text())
    assert saved["server"]["approved_hosts"] == [REMOTE_LABEL]
    assert [asked.server.approved_hosts for asked in factory.asked] == [(REMOTE_LABEL,)]
    assert rig.controller.settings.server.approved_hosts == (REMOTE_LABEL,)
    warning = messages.SERVER_PLAIN_HTTP_WARNING.format(server=REMOTE_LABEL)
    assert rig.speaker.said[-1] == (warning, False)  # after the loading news, not over it
    assert rig.window.status.text() == warning

    with qtbot.waitSignal(rig.controller.session.model_ready, timeout=TIMEOUT_MS):
        rig.controller.load_model()
    with qtbot.waitSignal(rig.controller.answer_finished, timeout=TIMEOUT_MS):
        rig.controller.describe_images([PHOTO], "photo")
    assert len(rig.questions) == 1  # asked only once
    assert backend.loads == 2 and len(backend.requests) == 1


def test_turning_the_server_on_replaces_the_backend_and_the_location_line(
    qtbot: QtBot, model_server: RunningServer, make_controller: ControllerFactory
) -> None:
    local = AppSettings().with_changes(engine=EngineSettings(ground_in_text=False))
    factory = RecordingFactory(server_stand_in())
    rig = Rig(make_controller, local, backend=server_stand_in(), backend_factory=factory)
    here = messages.LOCATION_LINE.format(location=messages.LOCATION_THIS_COMPUTER)
    location = rig.window.location
    assert location.text() == here and location.accessibleName().endswith(here)
    for label in (rig.window.status, location):  # both reached with Tab, and read
        assert label.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert rig.window.status.nextInFocusChain() is location
    untouched = local.with_changes(server=local.server.with_changes(url=model_server.url))
    rig.controller.apply_settings(untouched)  # a server typed in but not chosen
    assert factory.asked == [] and rig.window.location.text() == here
    chosen = untouched.with_changes(server=untouched.server.with_changes(enabled=True))
    with qtbot.waitSignal(rig.controller.session.model_ready, timeout=TIMEOUT_MS):
        rig.controller.apply_settings(chosen)
    assert factory.asked == [chosen]
    label = ServerAddress.parse(model_server.url).label
    where = messages.LOCATION_SERVER.format(server=label)
    assert rig.window.location.text() == messages.LOCATION_LINE.format(location=where)


# -- the Settings dialog's "Where the model runs" ------------------------------------------------
class BrokenKeyring(MemoryKeyring):
    """A keyring that refuses to store (no Secret Service running)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("no keyring")


def _dialog(qtbot: QtBot, settings: AppSettings, keys: ApiKeys, said: list[str]) -> SettingsDialog:
    dialog = SettingsDialog(settings, api_keys=keys, speak=said.append)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_server_fields_round_trip_and_the_key_goes_to_the_keyring_only(
    qtbot: QtBot, tmp_path: Path
) -> None:
    ca_file = tmp_path / "office-ca.pem"
    ca_file.write_text("-----BEGIN CERTIFICATE-----\n")
    server = ServerSettings(
        enabled=True,
        url="https://gpu-box.example:8443/v1",
        model="HuggingFaceTB/SmolVLM2-2.2B-Instruct",
        verify_tls=False,
        ca_file=str(ca_file),
        connect_timeout_s=7.0,
        stall_timeout_s=300.0,
        approved_hosts=("gpu-box.example:8443",),
    )
    settings = AppSettings().with_changes(server=server)
    origin = "https://gpu-box.example:8443"
    keyring = MemoryKeyring()
    keys = ApiKeys(keyring)
    keys.remember(origin, "old-key")
    said: list[str] = []
    dialog = _dialog(qtbot, settings, keys, said)
    panel = dialog.server_panel
    assert panel.api_key.text() == "old-key"  # prefilled for the server's origin
    assert dialog.result_settings() == settings
    assert panel.server_fields.isEnabled()

    panel.here.setChecked(True)
    assert not panel.server_fields.isEnabled() and not panel.test_button.isEnabled()
    assert dialog.result_settings().server == server.with_changes(enabled=False)
    panel.on_server.setChecked(True)
    panel.api_key.setText("sk-secret-123")
    panel.connect_timeout.setValue(3)
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted and said == []
    assert keyring.entries[(SERVICE, origin)] == "sk-secret-123"
    target = tmp_path / "settings.json"
    assert SettingsKeeper(AppSettings(), target).save(dialog.result_settings()) is None
    assert "sk-secret-123" not in target.read_text() and "old-key" not in target.read_text()
    assert load_settings(target).server == server.with_changes(connect_timeout_s=3.0)


def test_server_address_is_checked_and_a_key_without_keyring_is_told(qtbot: QtBot) -> None:
    keys = ApiKeys(BrokenKeyring())
    said: list[str] = []
    dialog = _dialog(qtbot, AppSettings(), keys, said)
    panel = dialog.server_panel
    assert panel.here.isChecked() and not panel.server_fields.isEnabled()
    panel.on_server.setChecked(True)
    panel.url.setText("ftp://gpu-box")
    dialog.accept()
    assert dialog.isVisible() and dialog.focusWidget() is panel.url
    bad = messages.SERVER_URL_BAD.format(url="ftp://gpu-box")
    assert dialog.problems.text() == messages.PROBLEM_SERVER_URL.format(reason=bad)
    panel.url.setText("gpu-box:8000")
    panel.ca_file.setText("/nowhere/ca.pem")
    dialog.accept()
    assert dialog.isVisible() and dialog.focusWidget() is panel.ca_file
    missing = messages.PROBLEM_SERVER_CA_FILE.format(path="/nowhere/ca.pem")
    assert dialog.problems.text() == missing
    panel.ca_file.clear()
    panel.api_key.setText("sk-secret-123")
    dialog.accept()
    assert not dialog.isVisible()
    assert said == [messages.SERVER_KEY_SESSION_ONLY]
    assert keys.get("http://gpu-box:8000") == "sk-secret-123"  # until Iris closes


def test_test_connection_finds_the_models_off_the_gui_thread(
    qtbot: QtBot, model_server: RunningServer
) -> None:
    said: list[str] = []
    settings = AppSettings().with_changes(server=ServerSettings(url=model_server.url))
    dialog = _dialog(qtbot, settings, ApiKeys(MemoryKeyring()), said)
    panel = dialog.server_panel
    panel.on_server.setChecked(True)
    checking_thread: list[threading.Thread] = []
    panel._check.finished.connect(  # runs where it is emitted: the checking thread
        lambda outcome: checking_thread.append(threading.current_thread()),
        type=Qt.ConnectionType.DirectConnection,
    )
    with qtbot.waitSignal(panel.check_finished, timeout=TIMEOUT_MS) as checked:
        qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
        assert not panel.test_button.isEnabled()  # running, and the window is not blocked
    label = ServerAddress.parse(model_server.url).label
    found = checked.args[0]
    assert found.startswith(f"Connected to {label} in ") and model_server.model in found
    assert panel.test_result.text() == found and said[-1] == found
    assert said[0] == messages.SERVER_CHECK_RUNNING.format(server=label)
    assert checking_thread and checking_thread[0] is not threading.main_thread()
    assert panel.model.currentText() == model_server.model
    assert [panel.model.itemText(i) for i in range(panel.model.count())] == [model_server.model]
    assert panel.test_button.isEnabled()


def test_test_connection_to_a_closed_port_says_nothing_answers(qtbot: QtBot) -> None:
    said: list[str] = []
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = AppSettings().with_changes(server=ServerSettings(enabled=True, url=url))
    dialog = _dialog(qtbot, settings, ApiKeys(MemoryKeyring()), said)
    with qtbot.waitSignal(dialog.server_panel.check_finished, timeout=TIMEOUT_MS) as checked:
        dialog.server_panel.test_button.click()
    unreachable = messages.SERVER_UNREACHABLE.format(server=f"127.0.0.1:{port}")
    assert checked.args[0] == unreachable
    assert dialog.server_panel.test_result.text() == unreachable and said[-1] == unreachable
