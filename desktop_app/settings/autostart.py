"""Start Iris when I log in: the platform's own autostart entry, written or removed.

Linux and other XDG desktops: `$XDG_CONFIG_HOME/autostart/APP_ID.desktop`. Windows: the value
"Iris" under HKEY_CURRENT_USER's Run key. macOS: `~/Library/LaunchAgents/APP_ID.plist`.
Standard library only; the Windows registry comes in through `RunKey` so that tests can fake it.
"""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from desktop_app import APP_ID
from desktop_app.core import messages
from desktop_app.settings.atomic import write_atomically

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "Iris"
_EXEC_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#`()")
"""Characters that make an Exec= argument need quotes (Desktop Entry Specification)."""


class Autostart(Protocol):
    """One platform's autostart entry for Iris."""

    place: str
    """Where the entry lives, as said to the user."""

    def render(self, command: Sequence[str]) -> str:
        """The entry that starts `command` (program and arguments)."""
        ...

    def read(self) -> str | None:
        """The entry now there, or None. Raises OSError."""
        ...

    def write(self, entry: str) -> None:
        """Put `entry` in place (atomically where it is a file). Raises OSError."""
        ...

    def remove(self) -> None:
        """Take the entry away; nothing happens when there is none. Raises OSError."""
        ...


def launch_command(
    *,
    frozen: bool | None = None,
    executable: str | None = None,
    which: Callable[[str], str | None] = shutil.which,
) -> tuple[str, ...]:
    """The command that starts this Iris: the bundled program when frozen (PyInstaller), else
    the `iris` script beside this Python, else `iris` on PATH, else `python -m desktop_app`."""
    is_frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    python = Path(executable or sys.executable).absolute()
    if is_frozen:
        return (str(python),)
    script = python.parent / ("iris.exe" if os.name == "nt" else "iris")
    if script.is_file():
        return (str(script),)
    found = which("iris")
    if found:
        return (str(Path(found).absolute()),)
    return (str(python), "-m", "desktop_app")


def sync_autostart(autostart: Autostart, enabled: bool, command: Sequence[str]) -> bool:
    """Make the entry match the setting: `command`'s entry when `enabled`, none otherwise.
    True when something was written or removed. Raises OSError."""
    wanted = autostart.render(command) if enabled else None
    if autostart.read() == wanted:
        return False
    if wanted is None:
        autostart.remove()
    else:
        autostart.write(wanted)
    return True


def failure_message(error: OSError, autostart: Autostart, enabled: bool) -> str:
    """What to show and speak when `sync_autostart` failed."""
    template = messages.AUTOSTART_ON_FAILED if enabled else messages.AUTOSTART_OFF_FAILED
    return template.format(place=autostart.place, reason=error.strerror or str(error))


# -- Linux and other XDG desktops --------------------------------------------------------------
def exec_argument(argument: str) -> str:
    """`argument` as the Desktop Entry Specification's Exec key wants it, quoted when needed,
    then escaped as a desktop file's string value."""
    quoted = argument.replace("%", "%%")
    if not quoted or any(character in _EXEC_RESERVED for character in quoted):
        for character in ("\\", '"', "`", "$"):
            quoted = quoted.replace(character, "\\" + character)
        quoted = f'"{quoted}"'
    for character, escaped in (("\\", "\\\\"), ("\n", "\\n"), ("\t", "\\t"), ("\r", "\\r")):
        quoted = quoted.replace(character, escaped)
    return quoted


class _EntryFile:
    """An autostart entry kept as one file (written atomically)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.place = str(path)

    def read(self) -> str | None:
        """The file's text, or None."""
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def write(self, entry: str) -> None:
        """Write the file atomically."""
        write_atomically(self.path, entry)

    def remove(self) -> None:
        """Delete the file (a login manager forgets it at the next login)."""
        self.path.unlink(missing_ok=True)


class XdgAutostart(_EntryFile):
    """`APP_ID.desktop` in the XDG autostart folder (GNOME, KDE, Xfce, MATE, Cinnamon...)."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder / f"{APP_ID}.desktop")

    def render(self, command: Sequence[str]) -> str:
        """A desktop entry that runs `command` at login."""
        lines = [
            "[Desktop Entry]",
            "Type=Application",
            f"Name={messages.APP_NAME}",
            f"Comment={messages.AUTOSTART_COMMENT}",
            "Exec=" + " ".join(exec_argument(argument) for argument in command),
            f"Icon={APP_ID}",
            "Terminal=false",
            "X-GNOME-Autostart-enabled=true",
        ]
        return "\n".join(lines) + "\n"


def xdg_autostart_folder(
    environ: Mapping[str, str] | None = None, home: Path | None = None
) -> Path:
    """`$XDG_CONFIG_HOME/autostart`, or `~/.config/autostart`."""
    base = (os.environ if environ is None else environ).get("XDG_CONFIG_HOME", "")
    return (Path(base) if base else (home or Path.home()) / ".config") / "autostart"


# -- Windows -----------------------------------------------------------------------------------
class RunKey(Protocol):
    """The current user's Run key: string values by name."""

    def get(self, name: str) -> str | None:
        """The value, or None when there is none."""
        ...

    def set(self, name: str, value: str) -> None:
        """Create or replace the value."""
        ...

    def delete(self, name: str) -> None:
        """Delete the value; nothing happens when there is none."""
        ...


class WindowsRunKey:
    """HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run, through winreg."""

    def get(self, name: str) -> str | None:
        """The value, or None."""
        if sys.platform != "win32":
            raise OSError("the Windows registry exists only on Windows")
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                value, _kind = winreg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return str(value)

    def set(self, name: str, value: str) -> None:
        """Write a REG_SZ value."""
        if sys.platform != "win32":
            raise OSError("the Windows registry exists only on Windows")
        import winreg

        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete(self, name: str) -> None:
        """Delete the value if it is there."""
        if sys.platform != "win32":
            raise OSError("the Windows registry exists only on Windows")
        import winreg

        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
                winreg.DeleteValue(key, name)
        except FileNotFoundError:
            return


class RunKeyAutostart:
    """The value "Iris" in the current user's Run key."""

    def __init__(self, key: RunKey) -> None:
        self.key = key
        self.place = messages.AUTOSTART_PLACE_RUN_KEY.format(
            name=RUN_VALUE, key=f"HKEY_CURRENT_USER\\{RUN_KEY}"
        )

    def render(self, command: Sequence[str]) -> str:
        """A Windows command line (quoted as CreateProcess parses it)."""
        return subprocess.list2cmdline(list(command))

    def read(self) -> str | None:
        """The value, or None."""
        return self.key.get(RUN_VALUE)

    def write(self, entry: str) -> None:
        """Set the value."""
        self.key.set(RUN_VALUE, entry)

    def remove(self) -> None:
        """Delete the value."""
        self.key.delete(RUN_VALUE)


# -- macOS -------------------------------------------------------------------------------------
class LaunchAgentAutostart(_EntryFile):
    """`~/Library/LaunchAgents/APP_ID.plist`, which launchd runs at login (RunAtLoad)."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder / f"{APP_ID}.plist")

    def render(self, command: Sequence[str]) -> str:
        """A launchd property list that runs `command` once at login."""
        agent = {
            "Label": APP_ID,
            "ProgramArguments": list(command),
            "RunAtLoad": True,
            "ProcessType": "Interactive",
            "LimitLoadToSessionType": "Aqua",
        }
        return plistlib.dumps(agent, fmt=plistlib.FMT_XML, sort_keys=True).decode("utf-8")


def platform_autostart(
    platform: str | None = None,
    *,
    home: Path | None = None,
    environ: Mapping[str, str] | None = None,
    run_key: RunKey | None = None,
) -> Autostart:
    """This platform's autostart entry (`platform` as `sys.platform` names it)."""
    name = platform or sys.platform
    if name == "win32":
        return RunKeyAutostart(run_key or WindowsRunKey())
    if name == "darwin":
        return LaunchAgentAutostart((home or Path.home()) / "Library" / "LaunchAgents")
    return XdgAutostart(xdg_autostart_folder(environ, home))
