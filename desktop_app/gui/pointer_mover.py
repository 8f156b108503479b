"""Move the pointer there: the mouse pointer goes to the last thing Iris located, for users
who still see some of the screen and use a mouse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from desktop_app.core import messages
from desktop_app.core.errors import IrisError
from desktop_app.core.types import Rect


class PointerMoving(Protocol):
    """The capturer's `move_pointer`."""

    def move_pointer(self, x: int, y: int) -> None: ...


class PointerMover:
    """Remembers the last place found (an answer to "Where is …?", a described item) and
    moves the pointer to its centre on request; each outcome is announced."""

    def __init__(self, mover: PointerMoving, announce: Callable[[str], None]) -> None:
        self.mover = mover
        self.announce = announce
        self.place: Rect | None = None

    def remember(self, place: Rect) -> None:
        """`place` (virtual-desktop pixels) is where the pointer goes next."""
        self.place = place

    def forget(self) -> None:
        """Nothing to move to (a new conversation)."""
        self.place = None

    def move_there(self) -> None:
        """Move the pointer to the centre of the remembered place, and say so."""
        if self.place is None:
            self.announce(messages.NOTHING_TO_POINT_AT)
            return
        x = self.place.x + self.place.width // 2
        y = self.place.y + self.place.height // 2
        try:
            self.mover.move_pointer(x, y)
        except IrisError as error:  # its message says what went wrong
            self.announce(error.message)
            return
        self.announce(messages.POINTER_MOVED)
