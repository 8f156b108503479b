"""The public capture functions; every image is 8-bit RGB and stays in memory."""

from __future__ import annotations

import logging

from PIL import Image

from desktop_app.capture._geometry import clip, format_region, monitor_at
from desktop_app.capture._platform import Platform, current
from desktop_app.capture._screens import ORIGIN_KEY, grab, layout, screens
from desktop_app.core import messages
from desktop_app.core.errors import CaptureError, first_line
from desktop_app.core.types import Rect

_LOG = logging.getLogger(__name__)


def capture_screen(*, all_monitors: bool = False) -> Image.Image:
    """The monitor under the pointer, or with `all_monitors` the whole virtual desktop."""
    platform = _ready()
    with screens() as session:
        found = layout(session)
        if all_monitors:
            return grab(session, found.desktop)
        return grab(session, _monitor_under_pointer(platform, found.monitors))


def capture_window() -> Image.Image:
    """The visible part of the active (focused) window."""
    platform = _ready()
    window = platform.active_window_rect()
    with screens() as session:
        return grab(session, _visible_window(window, layout(session).desktop))


def capture_region(rect: Rect, source: Image.Image | None = None) -> Image.Image:
    """The part of `rect` on the screen, or cropped from `source` without touching the display.

    `rect` is in virtual-desktop pixels. A `source` that Iris captured knows where it lies on
    the desktop (`Image.info`); any other image is taken to start at the desktop's top-left (0, 0).
    """
    if source is not None:
        return _crop(source, rect)
    _ready()
    with screens() as session:
        visible = clip(rect, layout(session).desktop)
        if visible is None:
            region = format_region(rect)
            raise CaptureError(messages.CAPTURE_REGION_OFF_SCREEN.format(region=region))
        return grab(session, visible)


def pointer_position() -> tuple[int, int]:
    """Where the pointer is, in virtual-desktop pixels."""
    return _ready().pointer_position()


def move_pointer(x: int, y: int) -> None:
    """Put the pointer at (x, y), in virtual-desktop pixels (as `pointer_position` reads it).

    Moving needs no permission to read the screen, so none is asked for.
    """
    current().move_pointer(x, y)


def desktop_bounds() -> Rect:
    """The virtual desktop: the rectangle around every monitor."""
    _ready()
    with screens() as session:
        return layout(session).desktop


def monitors() -> list[Rect]:
    """Each monitor's rectangle in virtual-desktop pixels, the primary one first."""
    _ready()
    with screens() as session:
        return layout(session).monitors


def active_window_rect() -> Rect:
    """The visible part of the active window's rectangle (frame included where known)."""
    platform = _ready()
    window = platform.active_window_rect()
    with screens() as session:
        return _visible_window(window, layout(session).desktop)


def active_window_id() -> int | None:
    """The window the user works in (an opaque number), or None when it cannot be told."""
    try:
        return _ready().active_window_id()
    except Exception as error:  # a capture problem is told by the capture itself
        _LOG.debug("active window unknown: %s", error)
        return None


def activate_window(window_id: int) -> bool:
    """Give the focus back to the window `active_window_id` returned; False if that failed."""
    try:
        _ready().activate_window(window_id)
    except Exception as error:  # the window may have closed meanwhile
        _LOG.debug("cannot activate window %s: %s", window_id, error)
        return False
    return True


def _ready() -> Platform:
    platform = current()
    platform.check_access()
    return platform


def _monitor_under_pointer(platform: Platform, found: list[Rect]) -> Rect:
    try:
        x, y = platform.pointer_position()
    except CaptureError as error:  # A screenshot of the primary monitor beats none.
        _LOG.warning("Pointer position unknown, capturing the primary monitor: %s", error.message)
        return found[0]
    return monitor_at(found, x, y)


def _visible_window(window: Rect, desktop: Rect) -> Rect:
    visible = clip(window, desktop)
    if visible is None:
        raise CaptureError(messages.CAPTURE_WINDOW_OFF_SCREEN)
    return visible


def _crop(source: Image.Image, rect: Rect) -> Image.Image:
    try:
        left, top = (int(value) for value in source.info.get(ORIGIN_KEY, (0, 0)))
    except (TypeError, ValueError) as error:
        raise CaptureError(messages.CAPTURE_FAILED.format(reason=first_line(error))) from error
    visible = clip(rect, Rect(left, top, source.width, source.height))
    if visible is None:
        region = format_region(rect)
        raise CaptureError(messages.CAPTURE_REGION_OFF_IMAGE.format(region=region))
    x, y = visible.x - left, visible.y - top
    image = source.crop((x, y, x + visible.width, y + visible.height)).convert("RGB")
    image.info[ORIGIN_KEY] = (visible.x, visible.y)
    return image
