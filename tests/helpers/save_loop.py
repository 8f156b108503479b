"""The child of the SIGKILL test: saves settings and history with Iris's own writers, forever.

    python -m tests.helpers.save_loop FOLDER START

Before and after each save it writes "begin|end settings|history N" on stdout (unbuffered),
so the parent knows which save may be in progress and which completed when it kills us.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from desktop_app.settings import AppSettings, Conversation, Exchange, save_settings, write_history

SETTINGS = "settings.json"
HISTORY = "history.json"


def settings_for(number: int) -> AppSettings:
    """Settings whose content and length change with `number`."""
    return AppSettings().with_changes(
        custom_prompt=f"save {number} " + "x" * (number * 397 % 6000),
        answer_language=f"language {number}",
        keep_in_tray=number % 2 == 0,
    )


def history_for(number: int) -> tuple[Conversation, ...]:
    """Up to ten conversations whose content and length change with `number`."""
    return tuple(
        Conversation(
            f"2024-01-01T00:00:{n % 60:02d}+00:00",
            tuple(
                Exchange(f"question {n}.{k}", f"answer {n}.{k} " + "y" * (n * 53 % 900), "t")
                for k in range(1 + n % 4)
            ),
        )
        for n in range(max(0, number - 9), number + 1)
    )


def number_of_settings(settings: AppSettings) -> int:
    """Which save these settings came from (-1: none, the defaults)."""
    return int(settings.custom_prompt.split()[1]) if settings.custom_prompt else -1


def number_of_history(conversations: tuple[Conversation, ...]) -> int:
    """Which save this history came from (-1: none, empty)."""
    if not conversations:
        return -1
    return int(conversations[-1].exchanges[0].question.split()[1].split(".")[0])


def main(folder: Path, start: int) -> None:
    out = sys.stdout.fileno()
    os.write(out, b"ready\n")
    number = start
    while True:
        for name, save in (
            ("settings", lambda n: save_settings(settings_for(n), folder / SETTINGS)),
            ("history", lambda n: write_history(history_for(n), folder / HISTORY)),
        ):
            os.write(out, f"begin {name} {number}\n".encode())
            save(number)
            os.write(out, f"end {name} {number}\n".encode())
        number += 1


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
