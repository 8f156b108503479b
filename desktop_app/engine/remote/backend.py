"""The model on a server the user controls, through the OpenAI-compatible chat API.

Same contract as the local backend: `start` streams the answer's pieces as they arrive
over server-sent events and returns an `Answer`; `cancel` closes the stream at once.
Timings are measured on the client (`answer_stream`). A fault after some text arrived
raises a `ServerError` whose `partial` holds that text.
"""

from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import (
    ServerBusyError,
    ServerConsentError,
    ServerError,
    ServerModelError,
)
from desktop_app.core.types import Answer, ProgressCallback, Request, StopReason, TextCallback
from desktop_app.engine.backend import Backend
from desktop_app.engine.remote.answer_stream import AnswerStream
from desktop_app.engine.remote.connection import (
    Endpoint,
    Exchange,
    error_for,
    failure_of,
    read_json,
)
from desktop_app.engine.remote.payload import ImageEncoder, chat_body, closest_choice
from desktop_app.settings import ServerAddress, ServerSettings

log = logging.getLogger(__name__)

MAX_RETRY_WAIT_S = 30.0
"""A busy server's Retry-After is honoured once when it asks for at most this long."""

NoticeCallback = Callable[[str], None]


@dataclass(frozen=True)
class ServerCheck:
    """What "Test connection" found: the server's models and one round trip's latency."""

    models: tuple[str, ...]
    latency_ms: float


def check_server(endpoint: Endpoint) -> ServerCheck:
    """Ask the server for its models (GET /v1/models), timing the round trip."""
    started = time.perf_counter()
    exchange = Exchange(endpoint)
    try:
        response = exchange.send("GET", "/v1/models")
        if response.status != 200:
            raise error_for(failure_of(response, endpoint.api_key), endpoint.address)
        data = read_json(response, endpoint.address)
    finally:
        exchange.close()
    latency_ms = (time.perf_counter() - started) * 1000
    listed = data.get("data") if isinstance(data, dict) else None
    if not isinstance(listed, list):
        raise ServerError(
            messages.SERVER_NOT_OPENAI.format(server=endpoint.address.label, reason="no model list")
        )
    models = tuple(str(item["id"]) for item in listed if isinstance(item, dict) and "id" in item)
    return ServerCheck(models, latency_ms)


def has_model(models: tuple[str, ...], name: str) -> bool:
    """True when the server lists `name` (Ollama's "llava" matches "llava:latest")."""
    return any(model == name or model.split(":")[0] == name for model in models)


class ServerBackend(Backend):
    """Answers requests with a model that runs on an OpenAI-compatible server."""

    def __init__(
        self,
        settings: ServerSettings,
        api_key: str = "",
        on_notice: NoticeCallback | None = None,
    ) -> None:
        """`on_notice` hears what the user should know while waiting (a busy server's
        retry); it is called on the engine thread."""
        self.settings = settings
        self._api_key = api_key
        self._on_notice = on_notice
        self._model = settings.model.strip()
        self._models: tuple[str, ...] | None = None
        self._encoder = ImageEncoder()
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._exchange: Exchange | None = None

    # -- contract ---------------------------------------------------------------------------
    def load(self, on_progress: ProgressCallback | None = None) -> None:
        """Check that the server answers, accepts the key, and has the model."""
        endpoint = self._endpoint()
        if on_progress:
            on_progress(messages.STAGE_CONNECT, 0.0)
        models = check_server(endpoint).models
        self._models = models
        label = endpoint.address.label
        if not self._model:
            if len(models) != 1:
                listed = ", ".join(models)
                raise ServerModelError(
                    messages.SERVER_MODEL_NOT_SET.format(models=listed)
                    if models
                    else messages.SERVER_NO_MODELS.format(server=label)
                )
            self._model = models[0]
        elif models and not has_model(models, self._model):
            raise self._model_missing(label)
        if on_progress:
            on_progress(messages.STAGE_CONNECT, 1.0)

    def start(self, request: Request, on_text: TextCallback) -> Answer:
        self.cancel()
        cancelled = self._cancelled = threading.Event()
        started = time.perf_counter()
        endpoint = self._endpoint()
        if not self._model:
            self.load()
        edge = self.settings.detail_longest_edge if request.detail else self.settings.longest_edge
        body = chat_body(request, self._model, self._encoder, edge)
        preprocess_s = time.perf_counter() - started
        stream = AnswerStream(on_text, started)
        try:
            response = self._open(endpoint, body, cancelled)
            if response is not None and _is_json(response):
                stream.take_whole(read_json(response, endpoint.address))
            elif response is not None:
                stream.read(response, cancelled, endpoint.stall_timeout_s)
        except ConnectionAbortedError:
            pass  # cancelled: the partial answer is returned below
        except ServerError:
            if not cancelled.is_set():
                raise  # a fault the cancel itself caused is no fault
        finally:
            self._finish_exchange()
        if cancelled.is_set():
            stream.finish = StopReason.CANCELLED
        text = closest_choice(stream.text, request.choices) if request.choices else stream.text
        answer = stream.answer(text, preprocess_s)
        log.debug(
            "%s answered %d tokens (%s) in %.2f s",
            endpoint.address.label,
            answer.generated_tokens,
            answer.stop_reason.value,
            answer.timings.total_s,
        )
        return answer

    def cancel(self) -> None:
        self._cancelled.set()
        with self._lock:
            exchange = self._exchange
        if exchange is not None:
            exchange.abort()

    @property
    def description(self) -> str:
        address = ServerAddress.parse_or_none(self.settings.url)
        label = address.label if address is not None else self.settings.url
        return messages.SERVER_DESCRIPTION.format(model=self._model or "?", server=label)

    @property
    def model(self) -> str:
        """The model's name on the server (chosen at load when the settings left it empty)."""
        return self._model

    # -- steps ----------------------------------------------------------------------------------
    def _endpoint(self) -> Endpoint:
        endpoint = Endpoint.of(self.settings, self._api_key)
        if not self.settings.approved(endpoint.address):
            label = endpoint.address.label
            raise ServerConsentError(messages.SERVER_CONSENT_DECLINED.format(server=label))
        return endpoint

    def _open(
        self, endpoint: Endpoint, body: dict[str, Any], cancelled: threading.Event
    ) -> http.client.HTTPResponse | None:
        """The 200 response, after one honoured Retry-After; None when cancelled meanwhile."""
        for attempt in (1, 2):
            exchange = Exchange(endpoint)
            with self._lock:
                self._exchange = exchange
            if cancelled.is_set():
                return None
            response = exchange.send("POST", "/v1/chat/completions", body)
            if response.status == 200:
                return response
            failure = failure_of(response, endpoint.api_key)
            self._finish_exchange()
            if failure.status in (400, 404, 422, 500) and self._model_is_missing(endpoint):
                raise self._model_missing(endpoint.address.label)
            error = error_for(failure, endpoint.address)
            wait = error.retry_after_s if isinstance(error, ServerBusyError) else None
            if attempt == 2 or wait is None or wait > MAX_RETRY_WAIT_S:
                raise error
            if self._on_notice:
                self._on_notice(messages.SERVER_RETRYING.format(seconds=round(wait, 1)))
            if cancelled.wait(wait):
                return None
        return None  # not reached

    def _model_is_missing(self, endpoint: Endpoint) -> bool:
        try:
            self._models = check_server(endpoint).models
        except ServerError:
            return False
        return bool(self._models) and not has_model(self._models, self._model)

    def _model_missing(self, label: str) -> ServerModelError:
        if self._models:
            return ServerModelError(
                messages.SERVER_MODEL_MISSING.format(
                    server=label, model=self._model, models=", ".join(self._models)
                )
            )
        return ServerModelError(
            messages.SERVER_MODEL_MISSING_NONE.format(server=label, model=self._model)
        )

    def _finish_exchange(self) -> None:
        with self._lock:
            exchange, self._exchange = self._exchange, None
        if exchange is not None:
            exchange.close()


def _is_json(response: http.client.HTTPResponse) -> bool:
    """True when the server answered with one JSON object instead of an event stream."""
    kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
    return kind == "application/json"
