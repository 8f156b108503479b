"""What the platform's accessibility API (AT-SPI, UI Automation, AX) says about the screen.

Objects with their role, name, states, value and place; the active window's tree; the item a
capture shows. A capture keeps these facts with its image (`attach_facts`/`facts_of`) so the
prompt can give the model what the tree knows exactly. Standard library only.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from desktop_app.core.types import Rect

TREE_TIME_LIMIT_S = 0.150
"""Reading a window's tree stops after this long; what was read is kept, marked cut off."""
TREE_NODE_LIMIT = 5000
"""Reading a window's tree stops after this many objects."""
ITEM_MARGIN = 8
"""Pixels captured around an item on each side."""
SMALL_ITEM = 64
"""An item narrower or lower than this is captured with its surroundings as context."""
CONTEXT_SIZE = (480, 270)
"""The least width and height captured around a small item."""
FACTS_KEY = "iris.accessible"
"""Where a captured image keeps its `ScreenFacts` (in PIL's `Image.info`)."""


class Role(enum.Enum):
    """An object's role, the same words on every platform (as screen readers speak them)."""

    BUTTON = "button"
    TOGGLE_BUTTON = "toggle button"
    CHECK_BOX = "check box"
    RADIO_BUTTON = "radio button"
    LINK = "link"
    IMAGE = "image"
    CANVAS = "canvas"
    TERMINAL = "terminal"
    EMBEDDED = "embedded object"
    TEXT_FIELD = "text field"
    LABEL = "label"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    DOCUMENT = "document"
    LIST = "list"
    LIST_ITEM = "list item"
    TABLE = "table"
    CELL = "cell"
    TREE = "tree"
    TREE_ITEM = "tree item"
    MENU_BAR = "menu bar"
    MENU = "menu"
    MENU_ITEM = "menu item"
    TAB_LIST = "tab list"
    TAB = "tab"
    COMBO_BOX = "combo box"
    SLIDER = "slider"
    SPIN_BUTTON = "spin button"
    SCROLL_BAR = "scroll bar"
    PROGRESS_BAR = "progress bar"
    TOOL_BAR = "tool bar"
    STATUS_BAR = "status bar"
    DIALOG = "dialog"
    WINDOW = "window"
    GROUP = "group"
    SEPARATOR = "separator"
    OTHER = "object"


TEXTLESS_ROLES = frozenset({Role.IMAGE, Role.CANVAS, Role.TERMINAL, Role.EMBEDDED})
"""Roles whose text (if any) only the picture shows: the text reader reads those parts."""


class State(enum.Enum):
    """States worth telling, in the words screen readers use."""

    FOCUSED = "focused"
    SELECTED = "selected"
    CHECKED = "checked"
    PRESSED = "pressed"
    EXPANDED = "expanded"
    COLLAPSED = "collapsed"
    UNAVAILABLE = "unavailable"
    READ_ONLY = "read only"
    REQUIRED = "required"
    INVALID = "invalid entry"
    BUSY = "busy"


@dataclass(frozen=True)
class AccessibleNode:
    """One object of the tree."""

    role: Role
    name: str = ""
    rect: Rect | None = None
    """Where it is, in virtual-desktop pixels; None when it has no place on the screen."""
    states: frozenset[State] = frozenset()
    value: str = ""
    """A text field's text, a slider's or progress bar's value, a combo box's choice."""
    description: str = ""
    role_name: str = ""
    """The platform's own word for the role when `role` is OTHER ("ruler", "calendar")."""
    depth: int = 0
    """How deep in the window's tree (the window is 0)."""

    @property
    def role_words(self) -> str:
        """The role as spoken: the platform's word for OTHER, else the role's."""
        return self.role_name if self.role is Role.OTHER and self.role_name else self.role.value

    @property
    def has_text(self) -> bool:
        """True when the tree knows a name or value for it."""
        return bool(self.name.strip() or self.value.strip())


@dataclass(frozen=True)
class AccessibleTree:
    """The active window and the objects in it that are showing, in document order."""

    window: AccessibleNode
    nodes: tuple[AccessibleNode, ...]
    truncated: bool = False
    """Reading stopped at TREE_TIME_LIMIT_S or TREE_NODE_LIMIT; `nodes` is what was read."""
    elapsed_s: float = 0.0
    application: str = ""


@dataclass(frozen=True)
class AccessibleItem:
    """The focused object, or the one under the pointer, with where it sits."""

    node: AccessibleNode
    window: AccessibleNode | None = None
    ancestors: tuple[AccessibleNode, ...] = ()
    """Its containers, the window's child first and its parent last."""
    application: str = ""


@dataclass(frozen=True)
class ScreenFacts:
    """What the accessibility API said about a captured image."""

    origin: tuple[int, int]
    """Where the image's top-left pixel is on the virtual desktop."""
    tree: AccessibleTree | None = None
    """The active window's tree (Describe window and screen)."""
    item: AccessibleItem | None = None
    """The item the image was captured for (Describe focused item / item under pointer)."""
    clipped: bool = False
    """The item is partly scrolled away or off the screen: the image shows its visible part."""
    of_window: bool = False
    """The image is a capture of the active window (Describe window), whatever its tree says."""

    def on_image(self, rect: Rect) -> Rect | None:
        """`rect` (desktop pixels) in the image's pixels; None when it has no place."""
        x, y = self.origin
        try:
            return Rect(rect.x - x, rect.y - y, rect.width, rect.height)
        except ValueError:
            return None


def attach_facts(image: Any, facts: ScreenFacts) -> Any:
    """Keep `facts` with `image` (a PIL image); returns the image."""
    image.info[FACTS_KEY] = facts
    return image


def facts_of(image: Any) -> ScreenFacts | None:
    """The facts kept with `image`, if any."""
    info = getattr(image, "info", None)
    found = info.get(FACTS_KEY) if isinstance(info, dict) else None
    return found if isinstance(found, ScreenFacts) else None
