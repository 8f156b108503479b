"""The server backend against a scripted stub: the faults a real server cannot be made to
produce (busy, malformed, stalled, not an OpenAI server) and where the API key goes."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import pytest
from PIL import Image

from desktop_app.core import messages
from desktop_app.core.errors import (
    ServerAuthError,
    ServerBusyError,
    ServerError,
    ServerModelError,
    ServerStreamError,
)
from desktop_app.core.types import Answer, Request, StopReason
from desktop_app.engine.remote import Endpoint, ServerBackend, check_server
from desktop_app.settings import ServerSettings
from tests.helpers.stub_server import (
    MODEL,
    NOT_OPENAI_PAGE,
    Reply,
    StubServer,
    answer,
    data,
    finish,
    json_reply,
    piece,
    stub_server,
)

KEY = "sk-iris-test-3f9a1c77"
"""Distinctive enough that finding it in a log can only mean the key was logged."""


@pytest.fixture
def stub() -> Iterator[StubServer]:
    with stub_server() as running:
        yield running


def backend_for(
    stub: StubServer, api_key: str = "", notices: list[str] | None = None, **changes: object
) -> ServerBackend:
    settings = ServerSettings(enabled=True, url=stub.url, model=MODEL).with_changes(**changes)
    on_notice = None if notices is None else notices.append
    return ServerBackend(settings, api_key, on_notice=on_notice)


def request(max_new_tokens: int = 16, detail: bool = False) -> Request:
    return Request.single(
        "Describe the image.", [Image.new("RGB", (64, 48), "navy")], max_new_tokens, detail=detail
    )


def ask(backend: ServerBackend, pieces: list[str] | None = None) -> Answer:
    return backend.start(request(), (pieces if pieces is not None else []).append)


# -- busy servers: Retry-After honoured once ----------------------------------------------------
def test_429_with_retry_after_is_honoured_once(stub: StubServer) -> None:
    stub.script(
        json_reply(429, {"error": {"message": "slow down"}}, {"Retry-After": "1"}),
        answer("Hello", " there"),
    )
    notices: list[str] = []
    started = time.perf_counter()
    result = ask(backend_for(stub, notices=notices))
    assert result.text == "Hello there"
    assert len(stub.chat_requests) == 2
    assert notices == [messages.SERVER_RETRYING.format(seconds=1)]
    assert time.perf_counter() - started >= 0.9  # it did wait as asked


def test_429_twice_is_busy(stub: StubServer) -> None:
    busy = json_reply(429, {"error": "rate limited"}, {"Retry-After": "0"})
    stub.script(busy, busy, answer("never sent"))
    notices: list[str] = []
    with pytest.raises(ServerBusyError) as raised:
        ask(backend_for(stub, notices=notices))
    assert len(stub.chat_requests) == 2
    assert len(notices) == 1
    assert raised.value.exit_code == 4
    assert "HTTP 429" in raised.value.message


def test_503_without_retry_after_is_busy_after_one_request(stub: StubServer) -> None:
    stub.script(Reply(503, body=b"Service Unavailable"), answer("never sent"))
    notices: list[str] = []
    with pytest.raises(ServerBusyError) as raised:
        ask(backend_for(stub, notices=notices))
    assert len(stub.chat_requests) == 1
    assert notices == []
    assert raised.value.retry_after_s is None
    assert raised.value.message == messages.SERVER_BUSY.format(
        server=f"127.0.0.1:{stub.port}", status="HTTP 503"
    )


def test_retry_after_as_an_http_date(stub: StubServer) -> None:
    """A date already past means "now": retried at once. A date far ahead is not waited for."""
    past = {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
    stub.script(Reply(503, past), answer("ok"))
    assert ask(backend_for(stub)).text == "ok"
    assert len(stub.chat_requests) == 2

    ahead = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 600))
    stub.script(Reply(429, {"Retry-After": ahead}), answer("never sent"))
    with pytest.raises(ServerBusyError) as raised:
        ask(backend_for(stub))
    assert len(stub.chat_requests) == 3
    assert raised.value.retry_after_s is not None
    assert 590 <= raised.value.retry_after_s <= 600


def test_500_names_the_servers_reason(stub: StubServer) -> None:
    stub.script(json_reply(500, {"error": {"message": "CUDA out of memory"}}))
    with pytest.raises(ServerBusyError) as raised:
        ask(backend_for(stub))
    assert "HTTP 500" in raised.value.message
    assert "CUDA out of memory" in raised.value.message
    assert len(stub.chat_requests) == 1


def test_500_for_a_model_the_server_lacks_names_its_models(stub: StubServer) -> None:
    """Some servers answer an unknown model with 500: the model list tells what happened."""
    stub.script(Reply(500, body=b"Internal Server Error"))
    backend = backend_for(stub, model="someone/else")
    with pytest.raises(ServerModelError) as raised:
        ask(backend)
    assert MODEL in raised.value.message and "someone/else" in raised.value.message


@pytest.mark.parametrize("status", [401, 403])
def test_refused_key_is_an_auth_error(stub: StubServer, status: int) -> None:
    stub.script(json_reply(status, {"error": {"message": "invalid api key"}}))
    with pytest.raises(ServerAuthError) as raised:
        ask(backend_for(stub, api_key="wrong"))
    assert f"HTTP {status}" in raised.value.message
    stub.models_reply = json_reply(status, {"detail": "Not authenticated"})
    with pytest.raises(ServerAuthError):
        backend_for(stub).load()


# -- streams that go wrong ----------------------------------------------------------------------
def test_malformed_event_keeps_the_partial_text(stub: StubServer) -> None:
    stub.script(Reply(chunks=[piece("Hel"), piece("lo"), "data: {this is not json\n\n"]))
    pieces: list[str] = []
    with pytest.raises(ServerStreamError) as raised:
        ask(backend_for(stub), pieces)
    assert pieces == ["Hel", "lo"]
    assert raised.value.partial == "Hello"
    assert raised.value.message == messages.SERVER_STREAM_MALFORMED.format(
        reason="a chunk that is not JSON"
    )


def test_a_stall_gives_up_after_the_timeout(stub: StubServer) -> None:
    stub.script(Reply(chunks=[piece("one"), piece(" two")], stall=True))
    started = time.perf_counter()
    with pytest.raises(ServerStreamError) as raised:
        ask(backend_for(stub, stall_timeout_s=0.5))
    assert time.perf_counter() - started < 5
    assert raised.value.partial == "one two"
    assert raised.value.message == messages.SERVER_STALLED.format(seconds=0.5)


def test_a_stream_ending_without_finish_reason_was_cut(stub: StubServer) -> None:
    stub.script(Reply(chunks=[piece("half an"), piece(" answ")]))
    with pytest.raises(ServerStreamError) as raised:
        ask(backend_for(stub))
    assert raised.value.partial == "half an answ"
    assert raised.value.message == messages.SERVER_STREAM_CUT


def test_done_and_a_usage_only_final_chunk_are_read(stub: StubServer) -> None:
    """vLLM's shape: a role chunk, pieces, finish_reason, then usage with no choices, [DONE]."""
    stub.script(
        Reply(
            chunks=[
                ": keep-alive comment\n\n",
                data({"choices": [{"index": 0, "delta": {"role": "assistant"}}]}),
                piece("A cat"),
                piece(" on a mat."),
                finish("length"),
                data({"choices": [], "usage": {"prompt_tokens": 321, "completion_tokens": 5}}),
                data("[DONE]"),
            ]
        ),
        Reply(chunks=[piece("Fine."), data("[DONE]")]),
    )
    pieces: list[str] = []
    result = ask(backend_for(stub), pieces)
    assert pieces == ["A cat", " on a mat."]
    assert result.text == "A cat on a mat."
    assert (result.prompt_tokens, result.generated_tokens) == (321, 5)
    assert result.stop_reason is StopReason.MAX_TOKENS
    assert result.timings.first_token_s is not None
    assert result.timings.decode_ms_per_token is not None
    # [DONE] alone ends an answer; without usage the pieces are counted.
    plain = ask(backend_for(stub))
    assert (plain.text, plain.generated_tokens, plain.stop_reason) == (
        "Fine.",
        1,
        StopReason.END_OF_TURN,
    )


def test_a_server_that_ignores_stream_answers_whole(stub: StubServer) -> None:
    completion = {
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "A red door."}}],
        "usage": {"prompt_tokens": 80, "completion_tokens": 4},
    }
    stub.script(json_reply(200, completion))
    pieces: list[str] = []
    result = ask(backend_for(stub), pieces)
    assert pieces == ["A red door."]
    assert (result.text, result.prompt_tokens, result.generated_tokens) == ("A red door.", 80, 4)
    assert result.stop_reason is StopReason.END_OF_TURN
    assert result.timings.decode_ms_per_token is None  # one piece: no rate to measure
    stub.script(json_reply(200, ["not", "a", "completion"]))
    with pytest.raises(ServerStreamError):
        ask(backend_for(stub))


def test_a_null_error_field_is_no_error(stub: StubServer) -> None:
    stub.script(
        Reply(
            chunks=[
                data({"error": None, "choices": [{"delta": {"content": "Fine"}}]}),
                finish(),
                data("[DONE]"),
            ]
        )
    )
    assert ask(backend_for(stub)).text == "Fine"


def test_an_error_chunk_mid_stream(stub: StubServer) -> None:
    stub.script(Reply(chunks=[piece("The screen"), data({"error": {"message": "engine died"}})]))
    with pytest.raises(ServerStreamError) as raised:
        ask(backend_for(stub))
    assert raised.value.partial == "The screen"
    assert raised.value.message == messages.SERVER_ANSWER_ERROR.format(reason="engine died")


def test_an_html_page_is_not_an_openai_server(stub: StubServer) -> None:
    stub.models_reply = Reply(404, {"Content-Type": "text/html"}, NOT_OPENAI_PAGE)
    with pytest.raises(ServerError) as raised:
        backend_for(stub).load()
    label = f"127.0.0.1:{stub.port}"
    assert raised.value.message.startswith(
        messages.SERVER_NOT_OPENAI.format(server=label, reason="x").split("(")[0]
    )
    assert "HTTP 404" in raised.value.message
    assert "<" not in raised.value.message  # no markup read out to the user


def test_a_model_list_that_is_not_one(stub: StubServer) -> None:
    stub.models_reply = json_reply(200, {"models": "none here"})
    with pytest.raises(ServerError) as raised:
        check_server(Endpoint.of(ServerSettings(url=stub.url)))
    assert "no model list" in raised.value.message


# -- the API key --------------------------------------------------------------------------------
def test_the_key_goes_only_in_the_authorization_header(
    stub: StubServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stub.script(answer("Hi"))
    backend = backend_for(stub, api_key=KEY)
    backend.load()
    ask(backend)
    assert [seen.headers.get("authorization") for seen in stub.seen] == [f"Bearer {KEY}"] * 2
    assert all(KEY.encode() not in seen.body for seen in stub.seen)
    assert caplog.records  # the capture works: there is something to look through
    for record in caplog.records:
        assert KEY not in record.getMessage()
    endpoint = Endpoint.of(backend.settings, KEY)
    assert KEY not in repr(endpoint) and KEY not in str(endpoint)
    assert "key=set" in repr(endpoint)
    assert KEY not in repr(backend) and KEY not in backend.description


def test_a_key_repeated_by_the_server_is_not_shown(stub: StubServer) -> None:
    stub.script(json_reply(400, {"error": {"message": f"bad request from key {KEY}"}}))
    with pytest.raises(ServerError) as raised:
        ask(backend_for(stub, api_key=KEY))
    assert KEY not in raised.value.message
    assert "bad request from key [API key]" in raised.value.message
    stub.models_reply = json_reply(418, {"detail": f"{KEY} is a teapot"})
    with pytest.raises(ServerError) as listed:
        check_server(Endpoint.of(ServerSettings(url=stub.url), KEY))
    assert KEY not in listed.value.message


def test_no_key_sends_no_authorization(stub: StubServer) -> None:
    stub.script(answer("Hi"))
    ask(backend_for(stub))
    assert all("authorization" not in seen.headers for seen in stub.seen)


# -- cancelling ---------------------------------------------------------------------------------
def test_cancel_during_a_stall_returns_at_once(stub: StubServer) -> None:
    stub.script(Reply(chunks=[piece("one"), piece(" two")], stall=True))
    backend = backend_for(stub, stall_timeout_s=60.0)
    results: list[Answer] = []
    pieces: list[str] = []
    both_shown = threading.Event()

    def show(piece: str) -> None:
        pieces.append(piece)
        if len(pieces) == 2:
            both_shown.set()

    worker = threading.Thread(target=lambda: results.append(backend.start(request(), show)))
    worker.start()
    assert stub.stalled.wait(timeout=10) and both_shown.wait(timeout=10)
    cancelled_at = time.perf_counter()
    backend.cancel()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert time.perf_counter() - cancelled_at < 1.0
    assert results[0].stop_reason is StopReason.CANCELLED
    assert results[0].text == "one two"


def test_cancel_while_waiting_to_retry(stub: StubServer) -> None:
    """The notice comes before the wait; cancelling then ends the wait at once."""
    stub.script(Reply(429, {"Retry-After": "30"}), answer("never sent"))
    backend: ServerBackend

    def cancel_on_notice(text: str) -> None:
        backend.cancel()

    backend = ServerBackend(ServerSettings(url=stub.url, model=MODEL), on_notice=cancel_on_notice)
    started = time.perf_counter()
    result = ask(backend)
    assert result.cancelled and result.text == ""
    assert time.perf_counter() - started < 5
    assert len(stub.chat_requests) == 1
