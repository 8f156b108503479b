"""Read Iris's window back over AT-SPI, as Orca does. Runs under the system Python (pyatspi).

Usage: atspi_probe.py OUT.json [--press "Describe screen"] [--hotkey KEYS] [--wait-answer]
                       [--ready "Ready."] [--status "Status: "]
--ready and --status are the status line's words in the interface language (English default).
Writes {"controls": [[role, name], ...], "conversation": [...], "errors": [...]} to OUT.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pyatspi  # type: ignore[import-not-found]

APP_NAMES = ("Iris", "iris", "python", "python3")


def find_app(deadline: float) -> object:
    while time.monotonic() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for app in desktop:
            if app is not None and app.name in APP_NAMES:
                for window in app:
                    if window is not None and window.name == "Iris":
                        return window
        time.sleep(0.2)
    raise TimeoutError("the Iris window did not appear on the accessibility bus")


def walk(node: object, found: list[tuple[str, str, object]]) -> None:
    try:
        found.append((node.getRoleName(), node.name or "", node))
        for child in node:
            if child is not None:
                walk(child, found)
    except Exception:  # a node vanished while walking
        return


def conversation_items(window: object) -> list[str]:
    nodes: list[tuple[str, str, object]] = []
    walk(window, nodes)
    for role, name, node in nodes:
        if name == "Conversation" and role in ("list", "list box", "table", "tree"):
            return [child.name for child in node if child is not None]
    return []


STATUS = ["Status: "]
"""The status line's accessible name before its text (--status)."""


def status_text(window: object) -> str:
    """The status line's text, from its accessible name ("Status: Done.")."""
    nodes: list[tuple[str, str, object]] = []
    walk(window, nodes)
    for role, name, _node in nodes:
        if name.startswith(STATUS[0]) and role == "label":
            return name.removeprefix(STATUS[0])
    return ""


def wait_for_status(window: object, wanted: tuple[str, ...], seconds: float) -> str:
    deadline = time.monotonic() + seconds
    status = ""
    while time.monotonic() < deadline:
        status = status_text(window)
        if status.startswith(wanted):
            return status
        time.sleep(0.2)
    return status


def main(argv: list[str]) -> int:
    out = argv[0]
    errors: list[str] = []
    deadline = time.monotonic() + 60
    window = find_app(deadline)
    if "--status" in argv:
        STATUS[0] = argv[argv.index("--status") + 1]
    wanted_ready = argv[argv.index("--ready") + 1] if "--ready" in argv else "Ready."
    ready = wait_for_status(window, (wanted_ready,), 120)  # hotkeys are set before the model loads
    if not ready.startswith(wanted_ready):
        errors.append(f"the model did not become ready: {ready!r}")
    nodes: list[tuple[str, str, object]] = []
    walk(window, nodes)
    controls = [[role, name] for role, name, _ in nodes if name]
    if "--press" in argv:
        wanted = argv[argv.index("--press") + 1]
        buttons = [n for r, name, n in nodes if r == "push button" and name == wanted]
        if not buttons:
            errors.append(f"no push button named {wanted!r}")
        else:
            action = buttons[0].queryAction()
            names = [action.getName(i) for i in range(action.nActions)]
            action.doAction(names.index("Press") if "Press" in names else 0)
    if "--hotkey" in argv:
        keys = argv[argv.index("--hotkey") + 1]
        subprocess.run(["xdotool", "key", "--clearmodifiers", keys], check=True)
    conversation: list[str] = []
    if "--wait-answer" in argv:
        answer_deadline = time.monotonic() + 120
        while time.monotonic() < answer_deadline:
            conversation = conversation_items(window)
            answers = [item for item in conversation if item.startswith("Iris: ")]
            if answers and status_text(window) in ("Done.", "Stopped."):
                conversation = conversation_items(window)  # the answer may have grown meanwhile
                break
            time.sleep(0.2)
        else:
            errors.append("no answer appeared in the conversation")
    else:
        conversation = conversation_items(window)
    result = {
        "controls": controls,
        "conversation": conversation,
        "status": status_text(window),
        "errors": errors,
    }
    with open(out, "w", encoding="utf-8") as stream:
        json.dump(result, stream)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
