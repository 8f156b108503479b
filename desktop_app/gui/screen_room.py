"""How much of its screen a window of Iris may take."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget

SCREEN_SHARE = 0.9
"""Of the screen's available width and height: the rest is room for the window's frame (its
title bar and borders), which Qt's window sizes leave out."""


def screen_room(widget: QWidget) -> QSize:
    """The largest window, frame left out, that fits on `widget`'s screen. With large text or
    a scaled desktop (1920x1080 at 200 % is 960x540) a fixed size in pixels may not fit."""
    available = widget.screen().availableGeometry().size()
    return QSize(int(available.width() * SCREEN_SHARE), int(available.height() * SCREEN_SHARE))


def opening_size(window: QWidget) -> QSize:
    """The size a dialog opens at: as wide as it asks, where the screen has room (Qt's own
    opening size stops at two thirds of the screen), and as high as its wrapped lines need at
    that width, up to the screen's room."""
    room = screen_room(window)
    hint = window.sizeHint()
    width = max(min(hint.width(), room.width()), window.minimumSizeHint().width())
    layout = window.layout()
    height = hint.height()
    if layout is not None and layout.hasHeightForWidth():
        height = max(height, layout.totalHeightForWidth(width))
    return QSize(width, min(height, room.height()))
