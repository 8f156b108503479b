"""The command line's model server: the --server options, the API key, and consent.

The API key is never a command-line argument (other users of the computer can see those):
it comes from IRIS_SERVER_API_KEY, or else from the system keyring.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

from desktop_app.cli.output import print_error
from desktop_app.cli.parser import API_KEY_VARIABLE
from desktop_app.core import messages
from desktop_app.core.errors import BadInputError, ServerConsentError
from desktop_app.engine.remote import Endpoint, ServerBackend
from desktop_app.settings import (
    SCHEMA,
    ApiKeys,
    ServerAddress,
    ServerSettings,
    load_settings,
    save_error_message,
    save_settings,
    settings_path,
)

MIN_LONGEST_EDGE = round(SCHEMA["server.longest_edge"].minimum or 0)
"""The smallest image edge a server may be sent (the settings schema's)."""

Ask = Callable[[str], bool | None]
"""Asks the user a yes/no question; None when there is nobody to ask (no terminal)."""


def server_settings_from(args: argparse.Namespace, saved: ServerSettings) -> ServerSettings:
    """The saved server settings with the flags applied. Settings tied to one server (model,
    certificate authority, TLS verification) are kept only when the flags name that server."""
    address = ServerAddress.parse(args.server)
    same = _same_server(saved.url, address)
    base = (
        saved
        if same
        else ServerSettings(
            connect_timeout_s=saved.connect_timeout_s,
            stall_timeout_s=saved.stall_timeout_s,
            longest_edge=saved.longest_edge,
            detail_longest_edge=saved.detail_longest_edge,
            approved_hosts=saved.approved_hosts,
        )
    )
    changes: dict[str, object] = {"enabled": True, "url": args.server.strip()}
    model = getattr(args, "server_model", None)
    if model is not None:
        changes["model"] = model.strip()
    if args.server_ca:
        ca_file = Path(args.server_ca).expanduser()
        if not ca_file.is_file():
            raise BadInputError(messages.FILE_NOT_FOUND.format(path=ca_file))
        changes["ca_file"] = str(ca_file)
    if args.server_timeout is not None:
        changes["stall_timeout_s"] = args.server_timeout
    edge = getattr(args, "longest_edge", None)
    if edge is not None:
        if edge < MIN_LONGEST_EDGE:
            raise BadInputError(messages.SERVER_EDGE_TOO_SMALL.format(pixels=MIN_LONGEST_EDGE))
        changes["longest_edge"] = edge
        changes["detail_longest_edge"] = max(edge, base.detail_longest_edge)
    return base.with_changes(**changes)


def _same_server(url: str, address: ServerAddress) -> bool:
    saved = ServerAddress.parse_or_none(url)
    return saved is not None and saved.origin() == address.origin()


def api_key_for(
    address: ServerAddress,
    environ: Mapping[str, str] | None = None,
    keys: ApiKeys | None = None,
) -> str:
    """IRIS_SERVER_API_KEY when it is set (even empty: no key), else the keyring's key."""
    environ = os.environ if environ is None else environ
    if API_KEY_VARIABLE in environ:
        return environ[API_KEY_VARIABLE].strip()
    return (keys or ApiKeys()).get(address.origin())


def terminal_ask(stdin: TextIO | None = None, stderr: TextIO | None = None) -> Ask:
    """Asks on stderr and reads the answer from stdin, when both are a terminal."""

    def ask(question: str) -> bool | None:
        source, sink = stdin or sys.stdin, stderr or sys.stderr
        if not (_is_terminal(source) and _is_terminal(sink)):
            return None
        sink.write(messages.SERVER_CONSENT_PROMPT_CLI.format(question=question))
        sink.flush()
        return source.readline().strip().lower() in ("y", "yes")

    return ask


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):  # closed or detached
        return False


def consented(
    settings: ServerSettings,
    allow_remote: bool,
    ask: Ask,
    settings_file: Path | None = None,
) -> ServerSettings:
    """`settings` approving the server, or ServerConsentError; nothing is contacted here.

    A loopback server or one approved before needs nothing; --allow-remote agrees for this
    run; otherwise the user is asked, and a yes is saved in the settings file.
    """
    address = ServerAddress.parse(settings.url)
    if settings.approved(address):
        return settings
    if allow_remote:
        return settings.approving(address)
    question = address.consent_question()
    agreed = ask(question)
    if agreed is None:
        raise ServerConsentError(messages.SERVER_CONSENT_NEEDED_CLI.format(server=address.label))
    if not agreed:
        raise ServerConsentError(messages.SERVER_CONSENT_DECLINED_CLI.format(server=address.label))
    _save_approval(address, settings_file)
    return settings.approving(address)


def _save_approval(address: ServerAddress, settings_file: Path | None) -> None:
    """Remember the user's yes; a failed save is told, and this run goes on."""
    file = settings_file or settings_path()
    saved = load_settings(file)
    try:
        save_settings(saved.with_changes(server=saved.server.approving(address)), file)
    except OSError as error:
        print_error(save_error_message(error, file, messages.SAVE_WHAT_SETTINGS))


def server_backend(args: argparse.Namespace, ask: Ask | None = None) -> ServerBackend:
    """The backend for --server (not loaded yet), once the user agreed where images go."""
    settings = server_settings_from(args, load_settings().server)
    settings = consented(settings, args.allow_remote, ask or terminal_ask())
    address = ServerAddress.parse(settings.url)
    if address.plain_http_to_other_host:
        print_error(messages.SERVER_PLAIN_HTTP_WARNING.format(server=address.label))
    return ServerBackend(settings, api_key_for(address), on_notice=print_error)


def server_endpoint(args: argparse.Namespace) -> Endpoint:
    """Where `iris models list --server` asks (no images go there: no consent needed)."""
    settings = server_settings_from(args, load_settings().server)
    return Endpoint.of(settings, api_key_for(ServerAddress.parse(settings.url)))
