"""Fail tests on unexpected logged errors (after qutebrowser's tests/helpers/logfail.py)."""

from __future__ import annotations

import logging

import pytest


class LogFailHandler(logging.Handler):
    """Collects ERROR and CRITICAL records emitted during a test."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @classmethod
    def install(cls) -> LogFailHandler:
        handler = cls()
        logging.getLogger().addHandler(handler)
        return handler

    def uninstall(self) -> None:
        logging.getLogger().removeHandler(self)

    def check(self) -> None:
        if self.records:
            lines = "\n".join(f"{r.name}: {r.getMessage()}" for r in self.records)
            pytest.fail(f"unexpected error logged:\n{lines}", pytrace=False)
