"""The listener contract, shared binding checks, and the listener for when none can work."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from desktop_app.core import messages
from desktop_app.core.errors import HotkeyError
from desktop_app.hotkeys._keys import Hotkey, format_hotkey, parse_hotkey


class HotkeyListener(Protocol):
    """Global hotkeys that fire while other programs have focus."""

    def start(self, bindings: Mapping[str, str], on_press: Callable[[str], None]) -> dict[str, str]:
        """Grab every binding (action -> hotkey string), releasing any earlier ones.

        on_press(action) is called from the listener's own thread. Returns {action: problem}
        for the bindings that could not be registered (bad string, taken by another program,
        no display...); the others still work. Never raises for such problems.
        """
        ...

    def stop(self) -> None:
        """Release every grab and end the listener's thread, promptly (bounded)."""
        ...


def check_bindings(bindings: Mapping[str, str]) -> tuple[dict[str, Hotkey], dict[str, str]]:
    """Parse bindings: (usable {action: Hotkey}, {action: problem}) for bad or duplicate ones."""
    usable: dict[str, Hotkey] = {}
    problems: dict[str, str] = {}
    owners: dict[Hotkey, str] = {}
    for action, text in bindings.items():
        try:
            hotkey = parse_hotkey(text)
        except HotkeyError as error:
            problems[action] = error.message
            continue
        if hotkey in owners:
            problems[action] = messages.HOTKEY_DUPLICATE.format(
                hotkey=format_hotkey(hotkey), action=action, other=owners[hotkey]
            )
            continue
        owners[hotkey] = action
        usable[action] = hotkey
    return usable, problems


@dataclass
class Request:
    """Work for a listener's thread: new bindings to grab, or None to stop; answered by `done`."""

    bindings: dict[str, Hotkey] | None
    on_press: Callable[[str], None] | None = None
    problems: dict[str, str] = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)


class UnavailableListener:
    """Used where no global hotkeys can work: every binding gets the same plain problem."""

    def __init__(self, problem: str) -> None:
        self.problem = problem

    def start(self, bindings: Mapping[str, str], on_press: Callable[[str], None]) -> dict[str, str]:
        """Report the problem for every binding."""
        return dict.fromkeys(bindings, self.problem)

    def stop(self) -> None:
        """Nothing to release."""
