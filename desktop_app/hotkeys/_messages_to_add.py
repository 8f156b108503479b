"""User-facing hotkey strings, to move into `desktop_app.core.messages` (a "hotkeys" section).

Fields are filled with `str.format`. Once moved, import them from messages and delete this file.
"""

from __future__ import annotations

# Bad hotkey strings (parse_hotkey); {text} is the string as given.
HOTKEY_EMPTY = "No hotkey given."
HOTKEY_UNKNOWN_PART = "The hotkey {text} has a part Iris does not know: {part}."
HOTKEY_NO_KEY = "The hotkey {text} has only modifiers; add a key, for example {text}+D."
HOTKEY_TWO_KEYS = "The hotkey {text} has more than one key: {first} and {second}."
HOTKEY_NEEDS_MODIFIER = (
    "The hotkey {text} would stop you typing {key}. Add Control, Alt or Super to it."
)
# Registering (listener.start); {hotkey} is format_hotkey's readable form.
HOTKEY_DUPLICATE = "{hotkey} is set for both {action} and {other}."
HOTKEY_TAKEN = "{hotkey} is already used by another program. Choose another hotkey."
HOTKEY_NO_SUCH_KEY = "{hotkey} cannot be used: the keyboard layout has no {key} key."
HOTKEY_FAILED = "{hotkey} could not be set: {reason}"
HOTKEY_NO_DISPLAY = (
    "Global hotkeys are off: no desktop display was found. Use the Iris window's menus instead."
)
HOTKEY_DISPLAY_FAILED = "Global hotkeys are off: the display could not be opened ({reason})."
HOTKEY_WAYLAND = (
    "Global hotkeys are off: this Wayland desktop does not let programs set them. "
    "Use the Iris window's menus, or add the hotkeys in your desktop's keyboard settings."
)
HOTKEY_NEEDS_PACKAGE = "Global hotkeys are off: the Python package {package} is not installed."
HOTKEY_UNSUPPORTED_PLATFORM = "Global hotkeys are not supported on {platform}."
HOTKEY_NOT_ANSWERING = "Global hotkeys are off: the hotkey listener stopped answering."
HOTKEY_MACOS_PERMISSION = (
    "Global hotkeys are off: macOS has not allowed Iris to see key presses. Open System "
    "Settings, Privacy and Security, and turn Iris (or the terminal that runs it) on under "
    "both Accessibility and Input Monitoring, then restart Iris."
)

# Readable names (format_hotkey), as screen readers should speak them.
KEY_CONTROL = "Control"
KEY_ALT = "Alt"
KEY_OPTION = "Option"
KEY_SHIFT = "Shift"
KEY_SUPER = "Super"
KEY_WINDOWS = "Windows"
KEY_COMMAND = "Command"
KEY_NAMES = {
    "space": "Space",
    "escape": "Escape",
    "tab": "Tab",
    "enter": "Enter",
    "backspace": "Backspace",
    "pause": "Pause",
    "print": "Print Screen",
    "home": "Home",
    "end": "End",
    "insert": "Insert",
    "delete": "Delete",
    "pageup": "Page Up",
    "pagedown": "Page Down",
    "up": "Up Arrow",
    "down": "Down Arrow",
    "left": "Left Arrow",
    "right": "Right Arrow",
}
