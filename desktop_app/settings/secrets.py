"""API keys for model servers, kept in the operating system's keyring, never in a file of Iris's.

Windows Credential Manager, the macOS Keychain, or the Secret Service (GNOME Keyring,
KWallet) on Linux, through the `keyring` package. Where none is available the key is kept
in memory until Iris closes, and `remember` says so. Keys are never logged.
"""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger(__name__)

SERVICE = "Iris model server"
"""The keyring entry's service name; the user name is the server's origin (scheme://host:port)."""


class KeyringLike(Protocol):
    """The three calls of a `keyring` backend Iris makes (tests pass an in-memory one)."""

    def get_password(self, service: str, username: str) -> str | None: ...
    def set_password(self, service: str, username: str, password: str) -> None: ...
    def delete_password(self, service: str, username: str) -> None: ...


class ApiKeys:
    """The API key of each server, by origin."""

    def __init__(self, keyring_backend: KeyringLike | None = None) -> None:
        """Without `keyring_backend`, the system's keyring is found on first use."""
        self._backend: KeyringLike | None = keyring_backend
        self._session: dict[str, str] = {}

    def _keyring(self) -> KeyringLike:
        if self._backend is None:
            import keyring

            self._backend = keyring.get_keyring()
        return self._backend

    def get(self, origin: str) -> str:
        """The key for `origin`, or "" when there is none."""
        if origin in self._session:
            return self._session[origin]
        try:
            return self._keyring().get_password(SERVICE, origin) or ""
        except Exception as error:  # no keyring, locked, refused: no key
            log.info("no API key from the keyring for %s (%s)", origin, type(error).__name__)
            return ""

    def remember(self, origin: str, key: str) -> bool:
        """Keep `key` for `origin` ("" forgets it). False when only this session keeps it."""
        if not key:
            self.forget(origin)
            return True
        try:
            self._keyring().set_password(SERVICE, origin, key)
        except Exception as error:
            log.info("keyring unavailable for %s (%s)", origin, type(error).__name__)
            self._session[origin] = key
            return False
        self._session.pop(origin, None)
        return True

    def forget(self, origin: str) -> None:
        """Delete the key for `origin` wherever it is kept."""
        self._session.pop(origin, None)
        try:
            self._keyring().delete_password(SERVICE, origin)
        except Exception as error:  # nothing stored, or no keyring
            log.debug("no API key deleted for %s (%s)", origin, type(error).__name__)


class MemoryKeyring:
    """A keyring backend that keeps keys in a dict (tests, and runs with no keyring at all)."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)
