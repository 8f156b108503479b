"""The server backend against a real OpenAI-compatible server: `transformers serve` on
127.0.0.1 with the tiny Idefics3 model (random weights: events and counts, never words)."""

from __future__ import annotations

import base64
import io
import time
from pathlib import Path

import pytest
from PIL import Image

from desktop_app.core import messages
from desktop_app.core.errors import (
    ServerConsentError,
    ServerModelError,
    ServerStreamError,
    ServerUnreachableError,
)
from desktop_app.core.types import Request, StopReason
from desktop_app.engine.remote import Endpoint, ServerBackend, check_server
from desktop_app.engine.remote.payload import ImageEncoder, chat_body
from desktop_app.settings import ServerAddress, ServerSettings
from tests.helpers.model_server import RunningServer, free_port, transformers_serve
from tests.helpers.socket_guard import SocketGuard
from tests.helpers.stub_server import answer, stub_server

LONG_ANSWER = 1000
"""Tokens asked for when the answer is to be stopped early (about 1.5 s of the tiny model)."""


def picture(size: tuple[int, int] = (640, 400)) -> Image.Image:
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image.paste((200, 40, 40), (20, 20, size[0] // 3, size[1] // 3))
    return image


def backend_for(server: RunningServer, **changes: object) -> ServerBackend:
    settings = ServerSettings(enabled=True, url=server.url, model=server.model)
    return ServerBackend(settings.with_changes(**changes))


def test_answer_streams_with_client_timings(model_server: RunningServer) -> None:
    backend = backend_for(model_server)
    backend.load()
    pieces: list[str] = []
    result = backend.start(Request.single("Describe the image.", [picture()], 8), pieces.append)
    assert len(pieces) >= 2
    assert "".join(pieces) == result.text
    # The server's own count (usage.completion_tokens), not the number of pieces.
    assert result.stop_reason is StopReason.MAX_TOKENS
    assert result.generated_tokens == 8
    assert result.prompt_tokens > 50  # the image's tokens are in the prompt
    timings = result.timings
    assert timings.first_token_s is not None and timings.first_token_s > 0
    assert timings.decode_ms_per_token is not None and timings.decode_ms_per_token > 0
    assert timings.total_s >= timings.first_token_s >= timings.preprocess_s


def test_follow_up_carries_the_image_in_its_history(model_server: RunningServer) -> None:
    backend = backend_for(model_server)
    first = Request.single("Describe the image.", [picture()], 6)
    one = backend.start(first, lambda piece: None)
    follow_up = first.follow_up(one.text, "What colour is the square?")
    two = backend.start(follow_up, lambda piece: None)
    # Without the image in the history the prompt would shrink by the image's tokens.
    assert two.prompt_tokens > one.prompt_tokens
    assert two.generated_tokens >= 1
    sent = chat_body(follow_up, model_server.model, ImageEncoder(), 512)["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[0]["content"][0]["type"] == "image_url"
    assert sent[1]["content"] == one.text


def test_cancel_on_the_first_piece_and_the_server_stays_healthy(
    model_server: RunningServer,
) -> None:
    backend = backend_for(model_server)
    cancelled_at: list[float] = []

    def stop_at_once(piece: str) -> None:
        if not cancelled_at:
            cancelled_at.append(time.perf_counter())
            backend.cancel()

    request = Request.single("Describe the image.", [picture()], LONG_ANSWER)
    result = backend.start(request, stop_at_once)
    assert result.stop_reason is StopReason.CANCELLED
    assert time.perf_counter() - cancelled_at[0] < 0.5
    assert result.generated_tokens < LONG_ANSWER
    assert model_server.healthy()
    after = backend.start(Request.single("Describe the image.", [picture()], 4), lambda p: None)
    assert after.stop_reason is not StopReason.CANCELLED
    assert after.generated_tokens >= 1


@pytest.mark.slow
def test_server_killed_mid_answer_keeps_the_partial_text(
    tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    with transformers_serve(tiny_models["idefics3"], tmp_path) as server:
        backend = backend_for(server)
        backend.load()
        pieces: list[str] = []

        def kill_on_first_piece(piece: str) -> None:
            pieces.append(piece)
            if len(pieces) == 1:
                server.kill()

        request = Request.single("Describe the image.", [picture()], LONG_ANSWER)
        with pytest.raises(ServerStreamError) as raised:
            backend.start(request, kill_on_first_piece)
    assert raised.value.partial
    assert raised.value.partial == "".join(pieces)
    assert raised.value.message == messages.SERVER_STREAM_CUT
    assert raised.value.exit_code == 4


def test_wrong_port_is_unreachable() -> None:
    port = free_port()
    backend = ServerBackend(ServerSettings(url=f"http://127.0.0.1:{port}", model="any"))
    with pytest.raises(ServerUnreachableError) as raised:
        backend.load()
    assert raised.value.message == messages.SERVER_UNREACHABLE.format(server=f"127.0.0.1:{port}")
    with pytest.raises(ServerUnreachableError):
        backend.start(Request.single("Describe.", [picture()], 4), lambda piece: None)


def test_unknown_model_names_the_served_one(model_server: RunningServer) -> None:
    backend = backend_for(model_server, model="someone/missing-model")
    with pytest.raises(ServerModelError) as raised:
        backend.load()
    assert "someone/missing-model" in raised.value.message
    assert model_server.model in raised.value.message
    # Asked straight away, without load: the server's failure is explained the same way.
    fresh = backend_for(model_server, model="someone/missing-model")
    with pytest.raises(ServerModelError) as again:
        fresh.start(Request.single("Describe.", [picture()], 4), lambda piece: None)
    assert model_server.model in again.value.message


def test_check_server_lists_the_model_and_a_latency(model_server: RunningServer) -> None:
    found = check_server(Endpoint.of(ServerSettings(url=model_server.url)))
    assert found.models == (model_server.model,)
    assert 0 < found.latency_ms < 10_000


def test_an_empty_model_setting_picks_the_only_model(model_server: RunningServer) -> None:
    backend = backend_for(model_server, model="")
    backend.load()
    assert backend.model == model_server.model
    assert backend.description == messages.SERVER_DESCRIPTION.format(
        model=model_server.model, server=f"127.0.0.1:{model_server.port}"
    )
    result = backend.start(Request.single("Describe.", [picture()], 3), lambda piece: None)
    assert result.generated_tokens >= 1


def _sent_sizes(body: dict[str, object]) -> list[tuple[int, int]]:
    sizes = []
    for message in body["messages"]:  # type: ignore[attr-defined]
        if isinstance(message["content"], str):
            continue
        for part in message["content"]:
            if part["type"] == "image_url":
                url = part["image_url"]["url"]
                assert url.startswith("data:image/png;base64,")
                png = base64.b64decode(url.split(",", 1)[1])
                sizes.append(Image.open(io.BytesIO(png)).size)
    return sizes


def test_images_are_sent_scaled_down_and_detail_sends_more() -> None:
    big = picture((3000, 1500))
    settings = ServerSettings(model="m", longest_edge=600, detail_longest_edge=1200)
    encoder = ImageEncoder()
    quick = chat_body(Request.single("Describe.", [big]), "m", encoder, settings.longest_edge)
    detailed = chat_body(Request.single("Describe.", [big], detail=True), "m", encoder, 1200)
    assert _sent_sizes(quick) == [(600, 300)]
    assert _sent_sizes(detailed) == [(1200, 600)]
    # The backend picks the edge from the request: seen on the wire by a stub.
    with stub_server(models=("m",)) as stub:
        stub.script(answer("ok"), answer("ok"))
        backend = ServerBackend(settings.with_changes(url=stub.url))
        backend.start(Request.single("Describe.", [big], 4), lambda piece: None)
        backend.start(Request.single("Describe.", [big], 4, detail=True), lambda piece: None)
        assert [_sent_sizes(seen.json()) for seen in stub.chat_requests] == [
            [(600, 300)],
            [(1200, 600)],
        ]
        assert stub.chat_requests[0].json()["max_tokens"] == 4
        assert stub.chat_requests[0].json()["stream"] is True


def test_small_images_are_not_scaled_up() -> None:
    body = chat_body(Request.single("Describe.", [picture((200, 100))]), "m", ImageEncoder(), 600)
    assert _sent_sizes(body) == [(200, 100)]


def test_a_host_not_agreed_to_is_refused_before_any_connection() -> None:
    settings = ServerSettings(url="http://192.0.2.10:9", model="m")
    request = Request.single("Describe.", [picture()], 4)
    with SocketGuard() as guard:
        with pytest.raises(ServerConsentError) as raised:
            ServerBackend(settings).load()
        with pytest.raises(ServerConsentError):
            ServerBackend(settings).start(request, lambda piece: None)
        assert guard.attempts == []
        # Once agreed to, the backend does connect (here the guard refuses it).
        approved = settings.approving(ServerAddress.parse(settings.url))
        with pytest.raises(ServerUnreachableError):
            ServerBackend(approved).load()
        assert guard.attempts
    assert raised.value.message == messages.SERVER_CONSENT_DECLINED.format(server="192.0.2.10:9")
