"""Which backend the window's engine threads run: the local model, a server, the reader.

Each maker is called on its engine thread, so torch (or the text reader's models) are
imported there, after the window is on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desktop_app.core import messages
from desktop_app.settings import ApiKeys, AppSettings, ServerAddress, ServerSettings


def location_line(server: ServerSettings) -> str:
    """Where the model runs, for the line under the status ("Model runs on this computer.")."""
    if not server.enabled:
        return messages.LOCATION_LINE.format(location=messages.LOCATION_THIS_COMPUTER)
    address = ServerAddress.parse_or_none(server.url)
    if address is not None:
        where = address.location()
    else:
        where = messages.LOCATION_SERVER.format(server=server.url.strip() or "?")
    return messages.LOCATION_LINE.format(location=where)


def backend_settings(settings: AppSettings) -> tuple[object, ...]:
    """What the backend is made from: a change here means a new backend."""
    return (settings.engine, settings.server if settings.server.enabled else None)


def server_backend_factory(
    settings: AppSettings, api_keys: ApiKeys, on_notice: Callable[[str], None]
) -> Callable[[], Any]:
    """A maker of the backend for the model server in `settings`, called on the engine
    thread; `on_notice` hears (on that thread) what the user should know meanwhile."""

    def factory() -> Any:
        from desktop_app.engine.reading.backend import grounded_if_asked
        from desktop_app.engine.remote import ServerBackend

        address = ServerAddress.parse_or_none(settings.server.url)
        # a bad address gets no key; the backend says what is wrong with it
        api_key = api_keys.get(address.origin()) if address is not None else ""
        backend = ServerBackend(settings.server, api_key, on_notice)
        return grounded_if_asked(backend, settings.engine)

    return factory


def local_backend_factory(settings: AppSettings) -> Callable[[], Any]:
    """A maker of the local backend, called on the engine thread (torch loads there)."""

    def factory() -> Any:
        from desktop_app.engine.local.backend import LocalBackend
        from desktop_app.engine.reading.backend import grounded_if_asked

        return grounded_if_asked(LocalBackend(settings.engine), settings.engine)

    return factory


def reader_backend_factory(settings: AppSettings) -> Callable[[], Any]:
    """A maker of the text reader's backend, called on its own engine thread."""

    def factory() -> Any:
        from desktop_app.engine.reading.backend import ReaderBackend
        from desktop_app.engine.reading.reader import TextReader

        return ReaderBackend(TextReader(threads=settings.engine.threads))

    return factory
