"""Every action Iris offers, declared once: the window's menus, buttons and shortcuts, the tray
menu, the global hotkeys and their Settings page, `iris --help` and the README's key table are
made from this table (a test checks that no action's id or label is written anywhere else)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from desktop_app.core import messages
from desktop_app.core.i18n import N_, translate


class Menu(enum.Enum):
    """The window's menus, in menu-bar order; the value is the menu's title."""

    FILE = messages.MENU_FILE
    DESCRIBE = messages.MENU_DESCRIBE
    READ = messages.MENU_READ
    CONVERSATION = messages.MENU_CONVERSATION
    VIEW = messages.MENU_VIEW

    @property
    def title(self) -> str:
        """The menu's title in the interface language."""
        return translate(self.value)


@dataclass(frozen=True)
class Action:
    """One thing the user can do, and every way of reaching it.

    `label` is the menu item, button and accessible name, and how spoken messages name the
    action (English, marked for translation; `shown_label` is it in the interface language);
    `shortcut` works while Iris's window has the focus (Qt's portable spelling);
    `hotkey` is the default global hotkey (works anywhere; changed in Settings), "" for none;
    `handler` names the Controller method that does it ("images.describe_screen": a method of
    its `images` part); `help` is the README's explanation (English, as the README).
    """

    id: str
    label: str
    handler: str
    shortcut: str = ""
    hotkey: str = ""
    menu: Menu | None = None
    in_tray: bool = False
    help: str = ""

    @property
    def shown_label(self) -> str:
        """The label in the interface language."""
        return translate(self.label)

    @property
    def in_window(self) -> bool:
        """True for actions the window offers (in a menu or on a shortcut)."""
        return self.menu is not None or bool(self.shortcut)


DESCRIBE_SCREEN = Action(
    "describe_screen",
    N_("Describe screen"),
    "images.describe_screen",
    "Ctrl+D",
    "ctrl+alt+shift+d",
    Menu.DESCRIBE,
    in_tray=True,
    help="the monitor under the pointer",
)
DESCRIBE_WINDOW = Action(
    "describe_window",
    N_("Describe window"),
    "images.describe_window",
    "Ctrl+W",
    "ctrl+alt+shift+w",
    Menu.DESCRIBE,
    in_tray=True,
    help="the active window",
)
DESCRIBE_REGION = Action(
    "describe_region",
    N_("Describe region"),
    "images.describe_region",
    "Ctrl+R",
    "ctrl+alt+shift+r",
    Menu.DESCRIBE,
    in_tray=True,
    help="a rectangle you choose with the keyboard or mouse",
)
DESCRIBE_FOCUSED = Action(
    "describe_focused",
    N_("Describe focused item"),
    "images.describe_focused",
    hotkey="ctrl+alt+shift+f",
    menu=Menu.DESCRIBE,
    help="the control, image or chart the keyboard is on",
)
DESCRIBE_POINTER = Action(
    "describe_pointer",
    N_("Describe item under pointer"),
    "images.describe_pointer",
    hotkey="ctrl+alt+shift+p",
    menu=Menu.DESCRIBE,
    help="what the mouse pointer is over",
)
MOVE_POINTER = Action(
    "move_pointer_there",
    N_("Move the pointer there"),
    "pointer.move_there",
    "Ctrl+Shift+M",
    "ctrl+alt+shift+m",
    Menu.DESCRIBE,
    help=N_(
        "to what Where is … found, or the item described",
    ),
)
ASK_SCREEN = Action(
    "ask_screen",
    N_("Ask about the screen"),
    "images.ask_about_screen",
    hotkey="ctrl+alt+shift+a",
    help="captures, then puts you in the question field",
)
MORE_DETAIL = Action(
    "more_detail",
    N_("More detail"),
    "more_detail",
    "Ctrl+M",
    menu=Menu.DESCRIBE,
    help="look again, tile by tile",
)
READ_SCREEN = Action(
    "read_screen",
    N_("Read screen text"),
    "images.read_screen",
    "Ctrl+T",
    "ctrl+alt+shift+t",
    Menu.READ,
    help="no model needed",
)
READ_WINDOW = Action(
    "read_window", N_("Read window text"), "images.read_window", "Ctrl+Shift+W", menu=Menu.READ
)
READ_REGION = Action(
    "read_region", N_("Read region text"), "images.read_region", "Ctrl+Shift+R", menu=Menu.READ
)
READ_IMAGE = Action(
    "read_image",
    N_("Read image text"),
    "read_image",
    "Ctrl+Shift+T",
    menu=Menu.READ,
    help="the newest image in the conversation",
)
OPEN_IMAGE = Action(
    "open_image", N_("Open image"), "images.open_image_dialog", "Ctrl+O", menu=Menu.FILE
)
PASTE_IMAGE = Action(
    "paste_image", N_("Paste image"), "images.paste_image", "Ctrl+V", menu=Menu.FILE
)
ASK = Action(
    "ask",
    N_("Ask"),
    "ask",
    "Ctrl+Return",
    menu=Menu.CONVERSATION,
    help="the question field's Enter does it too",
)
STOP = Action(
    "stop",
    N_("Stop"),
    "stop",
    "Escape",
    "ctrl+alt+shift+s",
    Menu.CONVERSATION,
    in_tray=True,
    help="generation and speech",
)
REPEAT = Action(
    "repeat",
    N_("Repeat"),
    "repeat",
    "Ctrl+L",
    "ctrl+alt+shift+l",
    Menu.CONVERSATION,
    in_tray=True,
    help="the last answer",
)
COPY_ANSWER = Action(
    "copy_answer", N_("Copy answer"), "copy_answer", "Ctrl+Shift+C", menu=Menu.CONVERSATION
)
NEW_CONVERSATION = Action(
    "new_conversation", N_("New conversation"), "new_conversation", "Ctrl+N", menu=Menu.CONVERSATION
)
CLEAR_HISTORY = Action(
    "clear_history",
    N_("Clear history"),
    "clear_history",
    "Ctrl+Shift+Delete",
    menu=Menu.CONVERSATION,
    help="the saved conversation text",
)
UNLOAD_MODEL = Action(
    "unload_model",
    N_("Unload the model"),
    "unload_model",
    menu=Menu.FILE,
    in_tray=True,
    help="gives its memory back to other programs; the next question loads it again",
)
LARGER_TEXT = Action(
    "larger_text",
    N_("Larger text"),
    "appearance.larger_text",
    "Ctrl++",
    menu=Menu.VIEW,
    help="the conversation, the answer and the question, up to 300 percent",
)
SMALLER_TEXT = Action(
    "smaller_text", N_("Smaller text"), "appearance.smaller_text", "Ctrl+-", menu=Menu.VIEW
)
NORMAL_TEXT = Action(
    "normal_text", N_("Normal text size"), "appearance.normal_text", "Ctrl+0", menu=Menu.VIEW
)
SETTINGS = Action("settings", N_("Settings"), "preferences.open_settings", "Ctrl+,", menu=Menu.FILE)
QUIT = Action("quit", N_("Quit"), "quit", "Ctrl+Q", menu=Menu.FILE)
SHOW_WINDOW = Action(
    "show_window",
    N_("Show Iris"),
    "show_window",
    hotkey="ctrl+alt+shift+i",
    help="bring the window back",
)

ACTIONS: tuple[Action, ...] = (
    DESCRIBE_SCREEN,
    DESCRIBE_WINDOW,
    DESCRIBE_REGION,
    DESCRIBE_FOCUSED,
    DESCRIBE_POINTER,
    ASK_SCREEN,
    MORE_DETAIL,
    MOVE_POINTER,
    READ_SCREEN,
    READ_WINDOW,
    READ_REGION,
    READ_IMAGE,
    OPEN_IMAGE,
    PASTE_IMAGE,
    ASK,
    STOP,
    REPEAT,
    COPY_ANSWER,
    NEW_CONVERSATION,
    CLEAR_HISTORY,
    UNLOAD_MODEL,
    LARGER_TEXT,
    SMALLER_TEXT,
    NORMAL_TEXT,
    SETTINGS,
    QUIT,
    SHOW_WINDOW,
)
"""All actions; menus, the tray and the hotkeys page list theirs in this order."""

BY_ID: dict[str, Action] = {action.id: action for action in ACTIONS}

DEFAULT_HOTKEYS: dict[str, str] = {action.id: action.hotkey for action in ACTIONS if action.hotkey}
"""Global hotkeys by action id. Chosen to clash with no NVDA, JAWS, Orca or VoiceOver command."""


def label_of(action_id: str) -> str:
    """An action's label in the interface language ("describe_screen" -> "Describe screen");
    an unknown id (an old settings file's) is spelled from the id."""
    action = BY_ID.get(action_id)
    return action.shown_label if action else action_id.replace("_", " ").capitalize()


def menu_actions(menu: Menu) -> tuple[Action, ...]:
    """The actions in `menu`, in order."""
    return tuple(action for action in ACTIONS if action.menu is menu)


def readable_keys(keys: str) -> str:
    """Keys as people write them: "ctrl+alt+shift+d" -> "Ctrl+Alt+Shift+D",
    "Ctrl+Return" -> "Ctrl+Enter"."""
    names = {"return": "Enter", "delete": "Delete", "escape": "Escape"}
    parts = keys.split("+") if keys else []
    return "+".join(names.get(part.lower(), part[:1].upper() + part[1:]) for part in parts)


def hotkeys_help() -> str:
    """The global hotkeys, one per line, for `iris --help`."""
    rows = [(readable_keys(a.hotkey), a.shown_label) for a in ACTIONS if a.hotkey]
    width = max(len(keys) for keys, _ in rows)
    return "\n".join(f"  {keys.ljust(width)}  {label}" for keys, label in rows)


def key_table() -> str:
    """The README's table of actions and their keys (Markdown)."""
    lines = ["| Action | In the window | Anywhere (global hotkey) |", "|---|---|---|"]
    for action in ACTIONS:
        if not (action.shortcut or action.hotkey):
            continue
        name = f"{action.label} ({action.help})" if action.help else action.label
        keys = (readable_keys(action.shortcut), readable_keys(action.hotkey))
        lines.append(f"| {name} | {keys[0]} | {keys[1]} |")
    return "\n".join(lines)
