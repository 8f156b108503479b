"""A scripted OpenAI-compatible stub on 127.0.0.1, for the faults a real server cannot be
made to produce: 429 and 5xx with Retry-After, malformed SSE, a stall, an HTML page.

Each POST /v1/chat/completions takes the next scripted `Reply`; GET /v1/models answers the
model list (or `models_reply`). Every request is recorded, headers included. A reply that
stalls blocks on a threading.Event (no sleeping) until `close()` releases it.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "stub/vision-model"
NOT_OPENAI_PAGE = b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>"


@dataclass(frozen=True)
class Reply:
    """One scripted response. With `chunks`, a 200 event stream written one HTTP chunk each;
    then the stream ends (`stall=False`) or goes silent until the stub closes."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    chunks: Sequence[str] | None = None
    stall: bool = False


@dataclass(frozen=True)
class Seen:
    """A request the stub received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def data(payload: Any) -> str:
    """One server-sent event carrying `payload` as JSON (or as it is, for a string)."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return f"data: {text}\n\n"


def piece(text: str) -> str:
    """A chat-completions chunk with one piece of text."""
    return data(
        {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": text}}]}
    )


def finish(reason: str = "stop", usage: dict[str, int] | None = None) -> str:
    """The chunk that ends the answer, with the token counts when given."""
    chunk: dict[str, Any] = {"choices": [{"index": 0, "delta": {}, "finish_reason": reason}]}
    if usage is not None:
        chunk["usage"] = usage
    return data(chunk)


def answer(*pieces: str, reason: str = "stop") -> Reply:
    """A whole streamed answer: the pieces, a finish reason, [DONE]."""
    return Reply(chunks=[*(piece(p) for p in pieces), finish(reason), data("[DONE]")])


def json_reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
    """A JSON response (an OpenAI-style error body, a model list)."""
    merged = {"Content-Type": "application/json", **(headers or {})}
    return Reply(status, merged, json.dumps(payload).encode())


class StubServer:
    """The running stub: `url`, the script, and what it saw."""

    def __init__(self, models: Sequence[str] = (MODEL,)) -> None:
        self.models_reply: Reply = json_reply(
            200, {"object": "list", "data": [{"id": m, "object": "model"} for m in models]}
        )
        self.replies: deque[Reply] = deque()
        self.seen: list[Seen] = []
        self.stalled = threading.Event()
        """Set when a reply went silent."""
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next chat requests, in order."""
        self.replies.extend(replies)

    @property
    def chat_requests(self) -> list[Seen]:
        """The POSTs to /v1/chat/completions, in order."""
        with self._lock:
            return [s for s in self.seen if s.path.endswith("/chat/completions")]

    def close(self) -> None:
        """Release stalled replies and stop."""
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next(self, seen: Seen) -> Reply:
        with self._lock:
            self.seen.append(seen)
            if seen.method == "GET" and seen.path.endswith("/models"):
                return self.models_reply
            if seen.method == "POST" and seen.path.endswith("/chat/completions") and self.replies:
                return self.replies.popleft()
        return Reply(404, {"Content-Type": "text/html"}, NOT_OPENAI_PAGE)

    def _wait_released(self) -> None:
        self.stalled.set()
        self._release.wait(timeout=60)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up mid-reply is expected here, not a failure."""


@contextmanager
def stub_server(models: Sequence[str] = (MODEL,)) -> Iterator[StubServer]:
    """A started stub, closed at the end."""
    stub = StubServer(models)
    try:
        yield stub
    finally:
        stub.close()


def _handler_for(stub: StubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            reply = stub._next(Seen(self.command, self.path, headers, body))
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.chunks is None:
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)
                return
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for text in reply.chunks:
                raw = text.encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(raw), raw))
                self.wfile.flush()
            if reply.stall:
                stub._wait_released()
                self.close_connection = True
                return
            self.wfile.write(b"0\r\n\r\n")

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read `stub.seen` instead."""

    return Handler
