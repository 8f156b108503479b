"""Fixtures of the tests that need a real X display, AT-SPI or the real Orca."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

# `orca_desktop`: the real Orca on a private headless desktop, one per test module.
from tests.helpers.orca_desktop import orca_desktop_fixture  # noqa: F401


@pytest.fixture(scope="session")
def x_display() -> Iterator[str]:
    """A private Xvfb display (1280x800); DISPLAY points at it for the whole session."""
    from tests.helpers.xvfb import xvfb_display

    with xvfb_display() as display:
        yield display
