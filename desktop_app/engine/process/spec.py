"""Which backend a model process runs, as a plain value the window sends it first."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from desktop_app.engine.backend import Backend
from desktop_app.settings import EngineSettings


class Kind(enum.Enum):
    LOCAL_MODEL = "local_model"
    """The local model alone (the window grounds its requests: engine/reading/grounded.py,
    reading through the text reader's process)."""
    TEXT_READER = "text_reader"
    """The text reader alone (Read screen, Read window, Read image)."""


@dataclass(frozen=True)
class BackendSpec:
    kind: Kind
    settings: EngineSettings
    factory: str | None = None
    """Instead of `kind`'s backend: "module:callable", called with the settings (tests and
    benchmarks run scripted backends this way)."""

    @property
    def model(self) -> str:
        """What the backend runs, before it has loaded (the model's name, or the reader's)."""
        return self.settings.model

    def build(self) -> Backend:
        """The backend itself: call in the model process (torch or onnxruntime load here)."""
        if self.factory is not None:
            import importlib

            module, _, name = self.factory.partition(":")
            made: Backend = getattr(importlib.import_module(module), name)(self.settings)
            return made
        if self.kind is Kind.TEXT_READER:
            from desktop_app.engine.reading.backend import ReaderBackend
            from desktop_app.engine.reading.reader import TextReader

            return ReaderBackend(TextReader(threads=self.settings.threads))
        from desktop_app.engine.local.deferred_meta import defer_meta_registrations
        from desktop_app.engine.local.lean_imports import one_model_process

        if one_model_process():
            defer_meta_registrations()  # before LocalBackend's imports bring torch in
        from desktop_app.engine.local.backend import LocalBackend

        return LocalBackend(self.settings)
