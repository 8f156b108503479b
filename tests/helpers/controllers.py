"""Building the window's controller in tests."""

from __future__ import annotations

TIMEOUT_MS = 60_000
"""How long a test waits for a controller's signal before failing."""
