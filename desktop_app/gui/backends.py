"""Which backend the window's engine threads run: the local model, a server, the reader.

Each maker is called on its engine thread, so torch (or the text reader's models) are
imported there, after the window is on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from desktop_app.core import messages
from desktop_app.engine.process import BackendSpec, Kind, ProcessBackend
from desktop_app.settings import (
    ApiKeys,
    AppSettings,
    EngineSettings,
    ServerAddress,
    ServerSettings,
)


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
    """What the backend is made from: a change here means a new backend (when the model
    loads and unloads is not)."""
    engine = replace(
        settings.engine,
        load_at_start=EngineSettings.load_at_start,
        unload_after_minutes=EngineSettings.unload_after_minutes,
    )
    return (engine, settings.server if settings.server.enabled else None)


def server_backend_factory(
    settings: AppSettings,
    api_keys: ApiKeys,
    on_notice: Callable[[str], None],
    reader_process: ProcessBackend | None = None,
) -> Callable[[], Any]:
    """A maker of the backend for the model server in `settings`, called on the engine
    thread; `on_notice` hears (on that thread) what the user should know meanwhile. Its
    grounding reads in `reader_process` (a text reader's process of its own when None)."""

    def factory() -> Any:
        from desktop_app.engine.reading.backend import grounded_if_asked
        from desktop_app.engine.remote import ServerBackend

        address = ServerAddress.parse_or_none(settings.server.url)
        # a bad address gets no key; the backend says what is wrong with it
        api_key = api_keys.get(address.origin()) if address is not None else ""
        backend = ServerBackend(settings.server, api_key, on_notice)
        return grounded_if_asked(backend, settings.engine, remote_reader(settings, reader_process))

    return factory


def local_backend_factory(
    settings: AppSettings, reader_process: ProcessBackend | None = None
) -> Callable[[], Any]:
    """A maker of the local model's backend: a proxy to the model's own process, which
    imports torch and loads the model there (the window's process never does), grounded here
    with the text read in `reader_process` (a text reader's process of its own when None)."""

    def factory() -> Any:
        from desktop_app.engine.models.choice import concrete
        from desktop_app.engine.models.memory import check_before_loading
        from desktop_app.engine.reading.grounded import grounded_if_asked

        engine = concrete(settings.engine)  # "auto": the model recommended for this computer
        model = ProcessBackend(
            BackendSpec(Kind.LOCAL_MODEL, engine),
            smaller_model=smaller_model_name,
            before_start=lambda: check_before_loading(engine),
        )
        return grounded_if_asked(model, engine, remote_reader(settings, reader_process))

    return factory


def reader_process(settings: AppSettings) -> ProcessBackend:
    """The text reader in a process of its own (onnxruntime and its models take hundreds of
    megabytes while reading): the Read actions' backend, and the grounding's reader."""
    return ProcessBackend(BackendSpec(Kind.TEXT_READER, settings.engine))


def remote_reader(settings: AppSettings, process: ProcessBackend | None) -> Any:
    """A TextReader reading in `process` (a new text reader's process when None)."""
    from desktop_app.engine.process.remote_reader import RemoteTextReader

    if process is None:  # one of its own, ended with the backend
        return RemoteTextReader(reader_process(settings), owned=True)
    return RemoteTextReader(process)


def smaller_model_name(model: str) -> str | None:
    """The name of a smaller model than `model` that runs on this computer, if any."""
    from desktop_app.engine.models.memory import model_need_bytes, smaller_model_than

    folder = Path(model).expanduser()
    need = model_need_bytes(model, folder if folder.is_dir() else None)
    smaller = smaller_model_than(model, need)
    return smaller.name if smaller is not None else None
