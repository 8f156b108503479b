"""A model on a server the user controls, spoken to through the OpenAI-compatible API."""

from desktop_app.engine.remote.backend import ServerBackend, ServerCheck, check_server, has_model
from desktop_app.engine.remote.connection import Endpoint

__all__ = ["Endpoint", "ServerBackend", "ServerCheck", "check_server", "has_model"]
