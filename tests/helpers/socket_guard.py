"""A guard that records, and refuses, every network connection leaving this computer.

It wraps `socket.socket.connect`, `connect_ex`, `sendto`, `socket.create_connection` and
`socket.getaddrinfo`. Unix sockets (Qt, X11, D-Bus, speech-dispatcher) and loopback
addresses (127.0.0.0/8, ::1, `localhost`) pass; any other host is recorded in `attempts`
and refused with `NetworkBlockedError` (a `ConnectionError`, so libraries see "offline" and
nothing is sent). Tests then assert that `attempts` is empty.

In a subprocess: `write_sitecustomize(folder, log)` writes a `sitecustomize.py` that
installs the guard at interpreter start-up and appends each attempt to `log` as a JSON line;
put `folder` first on the child's PYTHONPATH.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


class NetworkBlockedError(ConnectionError):
    """A connection to a non-loopback host, refused by the guard."""


def is_local_host(host: object) -> bool:
    """True for loopback addresses and names, and for no host at all (a local bind)."""
    if host is None or host in ("", b""):
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    name = name.strip("[]").split("%")[0].rstrip(".").lower()
    if name in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


LOCAL_FAMILIES = frozenset(
    getattr(socket, name) for name in ("AF_UNIX", "AF_NETLINK") if hasattr(socket, name)
)
"""Socket families that never leave the computer."""


def is_local_address(family: int, address: object) -> bool:
    """True for a unix (or netlink) socket, or an IP (host, port, ...) tuple on loopback."""
    if family in LOCAL_FAMILIES:
        return True
    if family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and address:
        return is_local_host(address[0])
    return False


class SocketGuard:
    """Install with `with SocketGuard() as guard:` (or `install()`/`uninstall()`)."""

    def __init__(self, on_attempt: Callable[[str], None] | None = None) -> None:
        self.attempts: list[str] = []
        self._on_attempt = on_attempt
        self._lock = threading.Lock()
        self._saved: dict[str, Any] = {}

    def _refuse(self, what: str) -> None:
        with self._lock:
            self.attempts.append(what)
        if self._on_attempt is not None:
            self._on_attempt(what)
        raise NetworkBlockedError(f"network access blocked by the test guard: {what}")

    def install(self) -> SocketGuard:
        assert not self._saved, "installed twice"
        self._saved = {
            "connect": socket.socket.connect,
            "connect_ex": socket.socket.connect_ex,
            "sendto": socket.socket.sendto,
            "create_connection": socket.create_connection,
            "getaddrinfo": socket.getaddrinfo,
        }
        saved = self._saved
        guard = self

        def connect(sock: socket.socket, address: Any) -> None:
            if not is_local_address(sock.family, address):
                guard._refuse(f"connect {address!r}")
            saved["connect"](sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            if not is_local_address(sock.family, address):
                guard._refuse(f"connect_ex {address!r}")
            result: int = saved["connect_ex"](sock, address)
            return result

        def sendto(sock: socket.socket, data: Any, *args: Any) -> int:
            address = args[-1]
            if not is_local_address(sock.family, address):
                guard._refuse(f"sendto {address!r}")
            result: int = saved["sendto"](sock, data, *args)
            return result

        def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
            if not is_local_host(address[0]):
                guard._refuse(f"create_connection {address!r}")
            made: socket.socket = saved["create_connection"](address, *args, **kwargs)
            return made

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            if not is_local_host(host):
                guard._refuse(f"getaddrinfo {host!r}")
            return saved["getaddrinfo"](host, *args, **kwargs)

        socket.socket.connect = connect  # type: ignore[method-assign,assignment]
        socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
        socket.socket.sendto = sendto  # type: ignore[method-assign,assignment]
        socket.create_connection = create_connection  # type: ignore[assignment]
        socket.getaddrinfo = getaddrinfo
        return self

    def uninstall(self) -> None:
        saved, self._saved = self._saved, {}
        if not saved:
            return
        socket.socket.connect = saved["connect"]  # type: ignore[method-assign]
        socket.socket.connect_ex = saved["connect_ex"]  # type: ignore[method-assign]
        socket.socket.sendto = saved["sendto"]  # type: ignore[method-assign]
        socket.create_connection = saved["create_connection"]
        socket.getaddrinfo = saved["getaddrinfo"]

    def __enter__(self) -> SocketGuard:
        return self.install()

    def __exit__(self, *exc: object) -> None:
        self.uninstall()


def append_to(log: Path) -> Callable[[str], None]:
    """An `on_attempt` that appends each attempt to `log` as a JSON line, at once."""

    def write(what: str) -> None:
        with log.open("a", encoding="utf-8") as stream:
            stream.write(json.dumps({"attempt": what}) + "\n")

    return write


def read_attempts(log: Path) -> list[str]:
    """The attempts a subprocess's guard appended to `log` (none when it does not exist)."""
    if not log.exists():
        return []
    lines = log.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["attempt"] for line in lines if line.strip()]


SITECUSTOMIZE = """\
# Written by tests/helpers/socket_guard.py: guard every network connection of this process.
import sys
from pathlib import Path

sys.path.insert(0, {root!r})
from tests.helpers.socket_guard import SocketGuard, append_to

SocketGuard(append_to(Path({log!r}))).install()
del sys.path[0]
"""


def write_sitecustomize(folder: Path, log: Path, root: Path) -> Path:
    """A `sitecustomize.py` in `folder` installing the guard (imported from the tree at `root`)
    at start-up of any Python that has `folder` on its PYTHONPATH; attempts go to `log`."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "sitecustomize.py"
    target.write_text(SITECUSTOMIZE.format(root=str(root), log=str(log)), encoding="utf-8")
    return target
