"""The conversation history: the text of questions and answers, with times, never images.

Kept in the config folder as `history.json`, written atomically (see `atomic`), bounded to the
newest conversations. A damaged file is kept aside and the history starts empty.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop_app.core.types import Turn
from desktop_app.settings.app_settings import config_dir
from desktop_app.settings.atomic import (
    Opener,
    keep_corrupt_copy,
    remove_leftovers,
    write_atomically,
)

log = logging.getLogger(__name__)

FORMAT = "iris-history"
VERSION = 1
MAX_CONVERSATIONS = 200
MAX_EXCHANGES = 200
"""Per conversation; older exchanges of a very long conversation are dropped."""
MAX_CHARACTERS = 1_000_000
"""Of questions and answers together: the oldest conversations go first (about 1 MB)."""


@dataclass(frozen=True)
class Exchange:
    """One question (as asked of the model) and its answer, with the time it was answered."""

    question: str
    answer: str
    time: str
    """ISO 8601 local time with its UTC offset, to the second."""


@dataclass(frozen=True)
class Conversation:
    """The exchanges of one conversation, oldest first."""

    started: str
    exchanges: tuple[Exchange, ...]


def history_path() -> Path:
    """The history file."""
    return config_dir() / "history.json"


def now() -> str:
    """The current local time as the history writes it."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def to_json(conversations: Sequence[Conversation]) -> dict[str, Any]:
    """Plain JSON data for the history file."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "conversations": [
            {
                "started": conversation.started,
                "exchanges": [
                    {"question": item.question, "answer": item.answer, "time": item.time}
                    for item in conversation.exchanges
                ],
            }
            for conversation in conversations
        ],
    }


def from_json(data: Any) -> tuple[Conversation, ...]:
    """Conversations from JSON data; ValueError when it is not a history file."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not an Iris history file")
    if data.get("version") != VERSION:
        raise ValueError(f"unknown history version {data.get('version')!r}")
    conversations = data.get("conversations")
    if not isinstance(conversations, list):
        raise ValueError("conversations must be a list")
    return tuple(
        Conversation(_text(item, "started"), tuple(_exchange(e) for e in _list(item)))
        for item in conversations
    )


def _list(conversation: Any) -> list[Any]:
    exchanges = conversation.get("exchanges") if isinstance(conversation, dict) else None
    if not isinstance(exchanges, list):
        raise ValueError("a conversation needs a list of exchanges")
    return exchanges


def _exchange(data: Any) -> Exchange:
    return Exchange(_text(data, "question"), _text(data, "answer"), _text(data, "time"))


def _text(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str):
        raise ValueError(f"{key} must be text")
    return value


def load_history(path: Path | None = None) -> tuple[Conversation, ...]:
    """The saved conversations, oldest first; none when there is no file. A damaged or
    unreadable file is kept aside as `history.json.corrupt-TIME` (never overwritten)."""
    file = path or history_path()
    remove_leftovers(file)
    try:
        return from_json(json.loads(file.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return ()
    except (OSError, ValueError) as error:  # JSONDecodeError and UnicodeDecodeError too
        backup = keep_corrupt_copy(file)
        log.warning("history file %s is damaged (%s); starting empty, copy kept", backup, error)
        return ()


def write_history(
    conversations: Sequence[Conversation], path: Path | None = None, *, opener: Opener | None = None
) -> Path:
    """Write the history file atomically. Raises OSError (the old file stays whole)."""
    file = path or history_path()
    text = json.dumps(to_json(conversations), ensure_ascii=False, separators=(",", ":"))
    write_atomically(file, text + "\n", opener=opener)
    return file


def bounded(conversations: Sequence[Conversation]) -> tuple[Conversation, ...]:
    """The newest conversations within MAX_CONVERSATIONS, MAX_EXCHANGES and MAX_CHARACTERS
    (the newest conversation is always kept)."""
    kept = [
        Conversation(c.started, c.exchanges[-MAX_EXCHANGES:])
        for c in conversations[-MAX_CONVERSATIONS:]
    ]
    sizes = [sum(len(e.question) + len(e.answer) for e in c.exchanges) for c in kept]
    while len(kept) > 1 and sum(sizes) > MAX_CHARACTERS:
        kept.pop(0)
        sizes.pop(0)
    return tuple(kept)


class ConversationHistory:
    """The history kept on disk while Iris runs. `record` is cheap for the caller: the file
    is written on a background thread, one save at a time, newest content winning."""

    def __init__(
        self, path: Path | None = None, *, enabled: bool = True, opener: Opener | None = None
    ) -> None:
        """`opener` opens the temporary file of each save (tests pass one that fails)."""
        self.path = path or history_path()
        self._opener = opener
        self._enabled = enabled
        self._lock = threading.Lock()
        self._generation = 0
        """Raised by `clear`: saves queued before it are dropped."""
        self._latest = 0
        """Number of the newest queued save: older queued saves are skipped."""
        self._growing = False
        """The newest conversation is the one running now, so answers extend it."""
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="iris-history")
        self.conversations: tuple[Conversation, ...] = load_history(self.path) if enabled else ()

    @property
    def enabled(self) -> bool:
        """Whether answers are saved."""
        return self._enabled

    def record(self, turns: Sequence[Turn]) -> Future[None] | None:
        """Save the conversation `turns` (its answered turns' text only) as the newest one:
        it extends the conversation recorded last when it continues it, else it starts a new
        one. The future holds the save's OSError, if any; None when history is off."""
        answered = [turn for turn in turns if turn.answer is not None]
        if not self._enabled or not answered:
            return None
        time = now()
        last = self.conversations[-1] if self._growing and self.conversations else None
        if last is not None and _continues(last, answered):
            newest = answered[-1]
            grown = (*last.exchanges, Exchange(newest.text, newest.answer or "", time))
            conversations = (*self.conversations[:-1], Conversation(last.started, grown))
        else:
            exchanges = tuple(Exchange(t.text, t.answer or "", time) for t in answered)
            conversations = (*self.conversations, Conversation(time, exchanges))
        self.conversations = bounded(conversations)
        self._growing = True
        self._latest += 1
        return self._writer.submit(self._save, self.conversations, self._generation, self._latest)

    def _save(self, conversations: tuple[Conversation, ...], generation: int, number: int) -> None:
        with self._lock:
            if generation != self._generation or number != self._latest:
                return  # cleared since, or a newer save is queued
            write_history(conversations, self.path, opener=self._opener)

    def clear(self) -> int:
        """Delete the saved history now (queued saves are dropped); how many conversations
        it held. Raises OSError when the file cannot be deleted."""
        with self._lock:
            self._generation += 1
            count = len(self.conversations)
            self.conversations = ()
            self._growing = False
            self.path.unlink(missing_ok=True)
            remove_leftovers(self.path, older_than_s=0)
        return count

    def set_enabled(self, enabled: bool) -> int:
        """Turn saving on or off; off deletes the saved history (the count deleted)."""
        if enabled == self._enabled:
            return 0
        self._enabled = enabled
        if enabled:
            self.conversations = load_history(self.path)
            return 0
        return self.clear()

    def close(self) -> None:
        """Finish the queued save (the last answer is not lost on quitting)."""
        self._writer.shutdown(wait=True)


def _continues(conversation: Conversation, answered: Sequence[Turn]) -> bool:
    """True when `answered` is `conversation` plus one newer exchange."""
    earlier = answered[:-1]
    count = len(conversation.exchanges)
    if count == 0 or len(earlier) < count:
        return False
    tail = earlier[len(earlier) - count :]
    return all(
        item.question == turn.text and item.answer == turn.answer
        for item, turn in zip(conversation.exchanges, tail, strict=True)
    )
