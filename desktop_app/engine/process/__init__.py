"""The model in its own process: the window keeps the Backend contract through a proxy."""

from desktop_app.engine.process.proxy import (
    MODEL_PROCESS_FLAG,
    ModelProcessError,
    ProcessBackend,
    model_process_command,
)
from desktop_app.engine.process.spec import BackendSpec, Kind

__all__ = [
    "MODEL_PROCESS_FLAG",
    "BackendSpec",
    "Kind",
    "ModelProcessError",
    "ProcessBackend",
    "model_process_command",
]
