"""Writing answers to stdout as plain text or JSON lines, and progress to stderr."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from desktop_app.core import messages
from desktop_app.core.types import Answer


class AnswerWriter:
    """Streams text pieces and finished answers in the chosen format."""

    def __init__(self, json_lines: bool, stream: TextIO | None = None) -> None:
        self.json_lines = json_lines
        self.stream = stream or sys.stdout
        self._turns = 0
        self._streamed = False
        """True while a turn's text is on the stream without its ending."""

    def question(self, text: str) -> None:
        """Announce a follow-up question (text format only; jsonl carries it in the answer)."""
        if not self.json_lines and self._turns > 0:
            self._write(messages.TURN_HEADER.format(question=text) + "\n")

    def token(self, piece: str) -> None:
        """One new piece of the answer being generated."""
        if self.json_lines:
            self._event({"event": "token", "text": piece})
        else:
            self._write(piece)
            self._streamed = self._streamed or bool(piece)

    def heading(self, name: str) -> None:
        """Name the image whose answer follows (text format only; jsonl names it in the answer)."""
        if not self.json_lines:
            self._write(messages.READ_HEADING.format(name=name) + "\n")

    def answer(self, answer: Answer, question: str, extra: dict[str, Any] | None = None) -> None:
        """The end of one turn; `extra` adds fields to the jsonl event."""
        self._turns += 1
        self._streamed = False
        if self.json_lines:
            self._event(
                {
                    "event": "answer",
                    "turn": self._turns,
                    "question": question,
                    "text": answer.text,
                    "tokens": answer.generated_tokens,
                    "prompt_tokens": answer.prompt_tokens,
                    "stop_reason": answer.stop_reason.value,
                    "timings": answer.timings.as_dict(),
                    **(extra or {}),
                }
            )
            return
        if answer.cancelled:
            self._write(" " + messages.CLI_ANSWER_CANCELLED)
        self._write("\n")

    def error(self, message: str, partial: str | None = None) -> None:
        """An error, as an event in jsonl (the caller also writes it to stderr). `partial` is
        the text of the answer it broke off (a model server's fault); in text format the
        streamed part stays and is marked unfinished."""
        if self.json_lines:
            event: dict[str, Any] = {"event": "error", "message": message}
            if partial is not None:
                event["partial"] = partial
            self._event(event)
        elif self._streamed:
            self._streamed = False
            self._write(" " + messages.SERVER_ANSWER_UNFINISHED + "\n")

    def _event(self, event: dict[str, Any]) -> None:
        self._write(json.dumps(event, ensure_ascii=False) + "\n")

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


class ProgressPrinter:
    """Shows model download/load progress on stderr when it is a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self._last: tuple[str, int] | None = None

    def __call__(self, stage: str, fraction: float) -> None:
        percent = int(fraction * 100)
        if (stage, percent) == self._last:
            return
        self._last = (stage, percent)
        if not self.stream.isatty():
            return
        end = "\n" if fraction >= 1.0 else ""
        self.stream.write(f"\r{stage}: {percent:3d}%{end}")
        self.stream.flush()


def print_error(message: str) -> None:
    """One clear line on stderr."""
    sys.stderr.write(f"iris: {message}\n")
    sys.stderr.flush()
