"""Where the model runs when it is not on this computer: a server the user controls."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from desktop_app.core import messages
from desktop_app.core.errors import BadInputError
from desktop_app.settings.schema import Place, check_minimums, setting

DEFAULT_LONGEST_EDGE = 1536
"""Images are scaled down to this before they are sent (a 1080p screenshot stays readable)."""
DEFAULT_DETAIL_LONGEST_EDGE = 3072
""""More detail" sends images up to this size."""


@dataclass(frozen=True)
class ServerSettings:
    """An OpenAI-compatible server (vLLM, llama-server, Ollama, transformers serve...).

    The API key is never here: it lives in the system keyring (`settings.secrets`).
    `approved_hosts` are the servers the user agreed to send images to ("host:port").
    Each field is declared in the settings schema (`settings.schema`).
    """

    enabled: bool = setting(
        False, messages.SERVER_RUNS_ON_SERVER, Place.SERVER, widget="runs_on_server"
    )
    url: str = setting(
        "",
        messages.FIELD_SERVER_URL,
        Place.SERVER,
        placeholder=messages.FIELD_SERVER_URL_HINT,
        widget="server_url",
    )
    model: str = setting(
        "",
        messages.FIELD_SERVER_MODEL,
        Place.SERVER,
        description=messages.FIELD_SERVER_MODEL_DESCRIPTION,
        widget="server_model",
    )
    verify_tls: bool = setting(
        True, messages.FIELD_SERVER_VERIFY_TLS, Place.SERVER, widget="server_verify_tls"
    )
    ca_file: str = setting(
        "",
        messages.FIELD_SERVER_CA_FILE,
        Place.SERVER,
        placeholder=messages.FIELD_SERVER_CA_FILE_HINT,
        widget="server_ca_file",
    )
    connect_timeout_s: float = setting(
        10.0,
        messages.FIELD_SERVER_CONNECT_TIMEOUT,
        Place.SERVER,
        minimum=1,
        maximum=600,
        widget="server_connect_timeout",
    )
    stall_timeout_s: float = setting(
        120.0,
        messages.FIELD_SERVER_STALL_TIMEOUT,
        Place.SERVER,
        minimum=5,
        maximum=3600,
        widget="server_stall_timeout",
    )
    """Give up when the server sends nothing for this long (a big model's first token included)."""
    longest_edge: int = setting(
        DEFAULT_LONGEST_EDGE, messages.FIELD_SERVER_LONGEST_EDGE, minimum=64, strict_minimum=True
    )
    detail_longest_edge: int = setting(
        DEFAULT_DETAIL_LONGEST_EDGE,
        messages.FIELD_SERVER_DETAIL_LONGEST_EDGE,
        minimum=64,
        strict_minimum=True,
    )
    approved_hosts: tuple[str, ...] = setting((), messages.FIELD_SERVER_APPROVED_HOSTS)

    def __post_init__(self) -> None:
        check_minimums(self)
        # Timeouts below their Settings range are fine (--server-timeout 0.5); zero is not.
        if self.connect_timeout_s <= 0 or self.stall_timeout_s <= 0:
            raise ValueError("timeouts must be positive")

    def with_changes(self, **changes: object) -> ServerSettings:
        """A copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def approved(self, address: ServerAddress) -> bool:
        """True when images may go to `address` (this computer, or a host the user agreed to)."""
        return address.is_loopback or address.label in self.approved_hosts

    def approving(self, address: ServerAddress) -> ServerSettings:
        """These settings with `address` added to the hosts the user agreed to."""
        if address.label in self.approved_hosts:
            return self
        return replace(self, approved_hosts=(*self.approved_hosts, address.label))


@dataclass(frozen=True)
class ServerAddress:
    """A server's URL taken apart: `base` is what the API paths (/v1/...) are added to."""

    scheme: str
    host: str
    port: int
    base_path: str

    @classmethod
    def parse(cls, url: str) -> ServerAddress:
        """Accepts "http://host:8000", "https://host/v1", "host:8000" (http is assumed).

        Raises BadInputError (with a sentence) for anything else.
        """
        text = url.strip()
        if not text:
            raise BadInputError(messages.SERVER_URL_MISSING)
        if "://" not in text:
            text = "http://" + text
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError:
            raise BadInputError(messages.SERVER_URL_BAD.format(url=url)) from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadInputError(messages.SERVER_URL_BAD.format(url=url))
        if parts.username or parts.password or parts.query or parts.fragment:
            raise BadInputError(messages.SERVER_URL_BAD.format(url=url))
        path = parts.path.rstrip("/")
        for suffix in ("/chat/completions", "/models", "/v1"):
            if path.endswith(suffix):
                path = path[: -len(suffix)]
        default_port = 443 if parts.scheme == "https" else 80
        return cls(parts.scheme, parts.hostname, port or default_port, path.rstrip("/"))

    @classmethod
    def parse_or_none(cls, url: str) -> ServerAddress | None:
        """`parse(url)`, or None for an address Iris cannot use (where saying why is
        another step's job)."""
        try:
            return cls.parse(url)
        except BadInputError:
            return None

    @property
    def label(self) -> str:
        """ "host:port", as shown to the user and kept in `approved_hosts`."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def is_loopback(self) -> bool:
        """True for this computer (localhost, 127.x.x.x, ::1): nothing leaves it."""
        if self.host.lower() == "localhost" or self.host.lower().endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def encrypted(self) -> bool:
        """True for https."""
        return self.scheme == "https"

    @property
    def plain_http_to_other_host(self) -> bool:
        """True when images would cross a network unencrypted: warn about it."""
        return not self.encrypted and not self.is_loopback

    def path(self, api_path: str) -> str:
        """The request path for an API path such as "/v1/models"."""
        return self.base_path + api_path

    def origin(self) -> str:
        """scheme://host:port, the key under which the API key is kept."""
        return f"{self.scheme}://{self.label}"

    def consent_question(self) -> str:
        """The question asked before images first go to this server (with a warning when
        they would cross a network unencrypted)."""
        template = (
            messages.SERVER_CONSENT_QUESTION_PLAIN_HTTP
            if self.plain_http_to_other_host
            else messages.SERVER_CONSENT_QUESTION
        )
        return template.format(server=self.label)

    def location(self) -> str:
        """Where the model runs, in words, for the status line."""
        template = (
            messages.LOCATION_SERVER_PLAIN
            if self.plain_http_to_other_host
            else messages.LOCATION_SERVER
        )
        return template.format(server=self.label)
