"""Pixels and monitor layout through mss, with its errors turned into CaptureError."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from PIL import Image

from desktop_app.core import messages
from desktop_app.core.errors import CaptureError, first_line
from desktop_app.core.types import Rect

ORIGIN_KEY = "iris_capture_origin"
"""`Image.info` key holding a captured image's top-left corner in virtual-desktop pixels."""


@dataclass(frozen=True)
class Layout:
    """The virtual desktop (all monitors' bounding box) and each monitor, primary first."""

    desktop: Rect
    monitors: list[Rect]


@contextmanager
def screens() -> Iterator[Any]:
    """An open mss.MSS; any mss failure inside the block becomes a CaptureError."""
    try:
        import mss
    except ImportError:
        raise CaptureError(messages.CAPTURE_NEEDS_PACKAGE.format(package="mss")) from None
    try:
        with mss.MSS() as session:
            yield session
    except mss.ScreenShotError as error:
        raise _capture_error(error) from error


def layout(session: Any) -> Layout:
    """The monitor layout seen by an open mss session."""
    found = session.monitors
    desktop = _rect(found[0])
    primary = [m for m in found[1:] if m.get("is_primary")]
    others = [m for m in found[1:] if not m.get("is_primary")]
    monitors = [_rect(monitor) for monitor in primary + others]
    return Layout(desktop, monitors or [desktop])


def grab(session: Any, rect: Rect) -> Image.Image:
    """The pixels of `rect` (already clipped to the desktop) as an RGB image, kept in memory."""
    region = {"left": rect.x, "top": rect.y, "width": rect.width, "height": rect.height}
    shot = session.grab(region)
    image = Image.frombytes("RGB", shot.size, bytes(shot.bgra), "raw", "BGRX")
    image.info[ORIGIN_KEY] = (rect.x, rect.y)
    return image


def _rect(monitor: dict[str, Any]) -> Rect:
    return Rect(monitor["left"], monitor["top"], monitor["width"], monitor["height"])


def _capture_error(error: Exception) -> CaptureError:
    reason = first_line(error)
    if sys.platform.startswith("linux") and "connect to display" in reason.lower():
        display = os.environ.get("DISPLAY", "")
        return CaptureError(messages.CAPTURE_DISPLAY_FAILED.format(display=display, reason=reason))
    return CaptureError(messages.CAPTURE_FAILED.format(reason=reason))
