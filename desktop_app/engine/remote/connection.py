"""HTTP to the model server with the standard library: timeouts, TLS, and an abort that
works from any thread. Every failure becomes a `ServerError` with a sentence for the user.

Proxies from the environment are not used: images go straight to the server named.
"""

from __future__ import annotations

import contextlib
import email.utils
import html
import http.client
import json
import logging
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any

from desktop_app.core import messages
from desktop_app.core.errors import (
    ServerAuthError,
    ServerBusyError,
    ServerError,
    ServerStreamError,
    ServerUnreachableError,
)
from desktop_app.settings import ServerAddress, ServerSettings

log = logging.getLogger(__name__)

MAX_ERROR_BODY = 64 * 1024
MAX_JSON_BODY = 8 * 2**20
USER_AGENT = "Iris (desktop describer)"


@dataclass(frozen=True)
class Endpoint:
    """Where and how to connect (the API key travels only in the Authorization header)."""

    address: ServerAddress
    api_key: str = ""
    verify_tls: bool = True
    ca_file: str = ""
    connect_timeout_s: float = 10.0
    stall_timeout_s: float = 120.0

    @classmethod
    def of(cls, settings: ServerSettings, api_key: str = "") -> Endpoint:
        """The endpoint `settings` describe (raises BadInputError for a bad URL)."""
        return cls(
            ServerAddress.parse(settings.url),
            api_key,
            settings.verify_tls,
            settings.ca_file,
            settings.connect_timeout_s,
            settings.stall_timeout_s,
        )

    def __repr__(self) -> str:  # never show the key
        return f"Endpoint({self.address.origin()}, key={'set' if self.api_key else 'none'})"


@dataclass(frozen=True)
class HttpFailure:
    """A response that was not 200: its status, the server's reason, and Retry-After."""

    status: int
    reason: str
    retry_after_s: float | None


class Exchange:
    """One request and its response. `abort` closes the socket at once from any thread;
    the thread reading then sees the stream end."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._connection: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()
        self._aborted = False

    @property
    def aborted(self) -> bool:
        """True once `abort` was called."""
        return self._aborted

    def send(
        self, method: str, api_path: str, body: dict[str, Any] | None = None
    ) -> http.client.HTTPResponse:
        """Connect, send, and return the response once its headers arrived (any status)."""
        address = self.endpoint.address
        connection = self._connect_timeout_connection()
        with self._lock:
            if self._aborted:
                raise ConnectionAbortedError
            self._connection = connection
        try:
            connection.connect()
        except OSError as error:
            if self._aborted:
                raise ConnectionAbortedError from error
            raise self._connect_error(error) from error
        if self._aborted:  # cancelled while connecting
            connection.close()
            raise ConnectionAbortedError
        assert connection.sock is not None
        connection.sock.settimeout(self.endpoint.stall_timeout_s)
        headers = {"User-Agent": USER_AGENT, "Accept": "text/event-stream, application/json"}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.endpoint.api_key:
            headers["Authorization"] = f"Bearer {self.endpoint.api_key}"
        try:
            connection.request(method, address.path(api_path), data, headers)
            response = connection.getresponse()
        except TimeoutError as error:
            seconds = self.endpoint.stall_timeout_s
            raise ServerStreamError(messages.SERVER_STALLED.format(seconds=seconds)) from error
        except (http.client.HTTPException, OSError) as error:
            if self._aborted:
                raise ConnectionAbortedError from error
            reason = messages.SERVER_NOT_OPENAI.format(
                server=address.label, reason=type(error).__name__
            )
            raise ServerUnreachableError(reason) from error
        log.debug("%s %s to %r: HTTP %d", method, api_path, self.endpoint, response.status)
        return response

    def _connect_timeout_connection(self) -> http.client.HTTPConnection:
        address = self.endpoint.address
        timeout = self.endpoint.connect_timeout_s
        if not address.encrypted:
            return http.client.HTTPConnection(address.host, address.port, timeout=timeout)
        try:
            context = ssl.create_default_context(cafile=self.endpoint.ca_file or None)
        except (OSError, ssl.SSLError) as error:
            reason = getattr(error, "strerror", None) or str(error)
            raise ServerUnreachableError(
                messages.SERVER_TLS_FAILED.format(server=address.label, reason=reason)
            ) from error
        if not self.endpoint.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection(
            address.host, address.port, timeout=timeout, context=context
        )

    def _connect_error(self, error: OSError) -> ServerError:
        label = self.endpoint.address.label
        if isinstance(error, ssl.SSLError):
            reason = getattr(error, "verify_message", None) or error.reason or str(error)
            return ServerUnreachableError(
                messages.SERVER_TLS_FAILED.format(server=label, reason=reason)
            )
        if isinstance(error, socket.gaierror):
            return ServerUnreachableError(messages.SERVER_UNKNOWN_HOST.format(server=label))
        if isinstance(error, TimeoutError):
            seconds = self.endpoint.connect_timeout_s
            return ServerUnreachableError(
                messages.SERVER_TIMEOUT_CONNECT.format(server=label, seconds=seconds)
            )
        return ServerUnreachableError(messages.SERVER_UNREACHABLE.format(server=label))

    def abort(self) -> None:
        """Close the connection now (the reading thread wakes up at once)."""
        with self._lock:
            self._aborted = True
            connection = self._connection
        if connection is None:
            return
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Release the connection."""
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


def failure_of(response: http.client.HTTPResponse, api_key: str = "") -> HttpFailure:
    """What a non-200 response says: the status, the server's reason, Retry-After. A server
    that repeats the API key in its reason does not get it shown or spoken."""
    try:
        body = response.read(MAX_ERROR_BODY)
    except (http.client.HTTPException, OSError):
        body = b""
    reason = _reason(body, response.reason)
    if api_key:
        reason = reason.replace(api_key, "[API key]")
    return HttpFailure(response.status, reason, _retry_after(response))


def error_for(failure: HttpFailure, address: ServerAddress) -> ServerError:
    """The user's sentence for a failed status (unknown models are the caller's to spot)."""
    label = address.label
    status = f"HTTP {failure.status}"
    if failure.status in (401, 403):
        return ServerAuthError(messages.SERVER_AUTH.format(server=label, status=status))
    if failure.status == 429 or failure.status in (502, 503, 504):
        if failure.retry_after_s is not None:
            text = messages.SERVER_BUSY_WAIT.format(
                server=label, status=status, seconds=round(failure.retry_after_s)
            )
        else:
            text = messages.SERVER_BUSY.format(server=label, status=status)
        return ServerBusyError(text, failure.retry_after_s)
    text = messages.SERVER_FAILED.format(server=label, status=status, reason=failure.reason)
    if failure.status >= 500:
        return ServerBusyError(text, failure.retry_after_s)
    if failure.status == 404:
        return ServerError(
            messages.SERVER_NOT_OPENAI.format(server=label, reason=f"{status}, {failure.reason}")
        )
    return ServerError(text)


def read_json(response: http.client.HTTPResponse, address: ServerAddress) -> Any:
    """The JSON body of a 200 response."""
    try:
        return json.loads(response.read(MAX_JSON_BODY))
    except (ValueError, http.client.HTTPException, OSError) as error:
        reason = type(error).__name__
        raise ServerError(
            messages.SERVER_NOT_OPENAI.format(server=address.label, reason=reason)
        ) from error


def _reason(body: bytes, fallback: str) -> str:
    """The server's own words: an OpenAI-style {"error": {"message"}}, a web page's title,
    or the first line."""
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("<"):  # a web page: its title or heading, never its markup
        return _page_heading(text) or fallback
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        error = data.get("error", data.get("detail", data.get("message")))
        if isinstance(error, dict):
            error = error.get("message", error)
        if error:
            text = str(error)
    first = text.splitlines()[0] if text else fallback
    return first[:200] or fallback


def _page_heading(page: str) -> str:
    for tag in ("title", "h1"):
        found = re.search(rf"<{tag}[^>]*>(.*?)</{tag}>", page, re.IGNORECASE | re.DOTALL)
        if found:
            words = " ".join(re.sub(r"<[^>]*>", " ", found.group(1)).split())
            if words:
                return html.unescape(words)[:200]
    return ""


def _retry_after(response: http.client.HTTPResponse) -> float | None:
    value = response.getheader("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
