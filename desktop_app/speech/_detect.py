"""Which screen reader runs, if any: Orca on Linux, NVDA or JAWS on Windows, VoiceOver on macOS.

Each platform's probe takes the system calls it makes as arguments, so that tests run every
platform's logic on Linux with fakes. `detect_screen_reader` never raises: a failure counts as
"none", logged at debug level.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from desktop_app.core import messages
from desktop_app.speech._screen_reader import JAWS, NVDA, ORCA, VOICEOVER, load_nvda

log = logging.getLogger(__name__)

DBUS_TIMEOUT_S = 0.5
"""Longest wait for the AT-SPI bus's answer (connecting included)."""

LINUX_SCREEN_READERS = {"orca": ORCA, "odilia": "Odilia"}
"""Program names of Linux screen readers, and how Iris names them."""

INTERPRETERS = ("python", "python3")
"""Programs whose first argument names the program really running (`python3 /usr/bin/orca`)."""


def detect_screen_reader(platform: str = sys.platform) -> str | None:
    """The running screen reader's name ("Orca", "NVDA", "JAWS", "VoiceOver", or
    messages.SCREEN_READER_GENERIC when one runs that Iris cannot name), or None.

    IRIS_SCREEN_READER, if set, is the answer instead ("none" or empty: None), for tests and
    for computers where detection is wrong."""
    override = os.environ.get("IRIS_SCREEN_READER")
    if override is not None:
        return None if override.strip().lower() in ("", "none") else override.strip()
    if platform.startswith("linux"):
        probe: Callable[[], str | None] = linux_probe
    elif platform == "win32":
        probe = windows_probe
    elif platform == "darwin":
        probe = macos_probe
    else:
        return None
    return _quietly(probe, None)


def _quietly(probe: Callable[[], Any], default: Any) -> Any:
    """`probe()`, or `default` (logged at debug) if it raises."""
    try:
        return probe()
    except Exception as error:
        log.debug("screen reader probe %s failed: %s", getattr(probe, "__name__", probe), error)
        return default


# --- Linux ---------------------------------------------------------------------------------------
def linux_probe(
    programs: Callable[[], Iterable[str]] | None = None,
    screen_reader_enabled: Callable[[], bool] | None = None,
) -> str | None:
    """A screen reader's program among this user's processes (its name), else AT-SPI's
    ScreenReaderEnabled (the generic name); either one counts."""
    names = set(_quietly(lambda: list((programs or running_programs)()), []))
    for program, name in LINUX_SCREEN_READERS.items():
        if program in names:
            return name
    if _quietly(screen_reader_enabled or atspi_screen_reader_enabled, False):
        return messages.SCREEN_READER_GENERIC
    return None


def running_programs(proc: Path = Path("/proc"), uid: int | None = None) -> Iterator[str]:
    """Names of the programs this user (`uid`) runs: each process's `comm`, the base name of
    its argv[0], and of argv[1] when argv[0] is a Python interpreter."""
    uid = os.getuid() if uid is None else uid
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            comm = (entry / "comm").read_text(errors="replace").strip()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # ended meanwhile, or not ours to read
        yield comm
        first = os.path.basename(argv[0].decode(errors="replace")) if argv else ""
        yield first
        if first.startswith(INTERPRETERS) and len(argv) > 1:
            yield os.path.basename(argv[1].decode(errors="replace"))


def atspi_screen_reader_enabled(timeout: float = DBUS_TIMEOUT_S) -> bool:
    """AT-SPI's `org.a11y.Status.ScreenReaderEnabled` on the session bus, read with jeepney
    (GNOME sets it with its screen reader switch; Orca 43 started by hand does not). False
    when there is no session bus, no AT-SPI bus (it is not started for this), or no answer
    within `timeout`: the call runs on a thread of its own, abandoned at the deadline."""
    answer: list[bool] = []

    def ask() -> None:
        answer.append(_quietly(_read_screen_reader_enabled, False))

    thread = threading.Thread(target=ask, name="iris-atspi-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(answer and answer[0])


def _read_screen_reader_enabled() -> bool:
    from jeepney import DBusAddress, MessageType, Properties
    from jeepney.io.blocking import open_dbus_connection
    from jeepney.low_level import MessageFlag

    bus = DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Status")
    request = Properties(bus).get("ScreenReaderEnabled")
    request.header.flags |= MessageFlag.no_auto_start
    with open_dbus_connection(bus="SESSION", auth_timeout=DBUS_TIMEOUT_S) as connection:
        reply = connection.send_and_get_reply(request, timeout=DBUS_TIMEOUT_S)
    if reply.header.message_type is MessageType.error:
        log.debug("AT-SPI bus: %s", reply.body)
        return False
    _signature, value = reply.body[0]
    return bool(value)


# --- Windows -------------------------------------------------------------------------------------
class WindowsScreenReaderApi(Protocol):
    """The three questions the Windows probe asks."""

    def nvda_running(self) -> bool:
        """NVDA's controller client says NVDA runs."""
        ...

    def jaws_running(self) -> bool:
        """JAWS's window (class JFWUI2) exists."""
        ...

    def screen_reader_flag(self) -> bool:
        """SystemParametersInfo(SPI_GETSCREENREADER): some screen reader says it runs."""
        ...


SPI_GETSCREENREADER = 0x0046
JAWS_WINDOW_CLASS = "JFWUI2"


class Win32ScreenReaderApi:
    """The Windows calls, through ctypes. Windows only; not tested on Windows.

    `user32` and `nvda` (a loader of NVDA's controller client DLL) are for tests."""

    def __init__(self, user32: Any = None, nvda: Callable[[], Any] = load_nvda) -> None:
        self._user32 = user32 if user32 is not None else getattr(ctypes, "windll").user32  # noqa: B009
        self._nvda = nvda

    def nvda_running(self) -> bool:
        """nvdaController_testIfRunning() == 0 (False without the DLL)."""
        return bool(self._nvda().nvdaController_testIfRunning() == 0)

    def jaws_running(self) -> bool:
        """FindWindowW("JFWUI2", None) finds JAWS's window."""
        return bool(self._user32.FindWindowW(JAWS_WINDOW_CLASS, None))

    def screen_reader_flag(self) -> bool:
        """SPI_GETSCREENREADER's BOOL."""
        flag = ctypes.c_int(0)
        ok = self._user32.SystemParametersInfoW(SPI_GETSCREENREADER, 0, ctypes.byref(flag), 0)
        return bool(ok) and bool(flag.value)


def windows_probe(api: WindowsScreenReaderApi | None = None) -> str | None:
    """NVDA, else JAWS, else the generic name if Windows' screen reader flag is set."""
    api = api or Win32ScreenReaderApi()
    if _quietly(api.nvda_running, False):
        return NVDA
    if _quietly(api.jaws_running, False):
        return JAWS
    if _quietly(api.screen_reader_flag, False):
        return messages.SCREEN_READER_GENERIC
    return None


# --- macOS ---------------------------------------------------------------------------------------
VOICEOVER_BUNDLE_ID = "com.apple.VoiceOver"


def macos_probe(appkit: Any = None) -> str | None:
    """VoiceOver, if NSWorkspace says it is on or runs it (bundle com.apple.VoiceOver).
    `appkit` is for tests; pyobjc's AppKit is imported here otherwise. Not tested on macOS."""
    if appkit is None:
        import AppKit

        appkit = AppKit
    workspace = appkit.NSWorkspace.sharedWorkspace()
    enabled = getattr(workspace, "isVoiceOverEnabled", None)
    if enabled is not None and _quietly(enabled, False):
        return VOICEOVER
    for application in workspace.runningApplications():
        if application.bundleIdentifier() == VOICEOVER_BUNDLE_ID:
            return VOICEOVER
    return None
