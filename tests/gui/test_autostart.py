"""Start Iris when I log in: each platform's entry written and removed, and the whole path
through the Settings dialog and the controller on Linux."""

from __future__ import annotations

import json
import plistlib
import shutil
import stat
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from desktop_app import APP_ID
from desktop_app.core import messages
from desktop_app.gui.settings_dialog import SettingsDialog
from desktop_app.gui.worker import EngineWorker
from desktop_app.settings import load_settings
from desktop_app.settings.autostart import (
    RUN_VALUE,
    Autostart,
    LaunchAgentAutostart,
    RunKeyAutostart,
    WindowsRunKey,
    XdgAutostart,
    exec_argument,
    launch_command,
    platform_autostart,
    sync_autostart,
)
from tests.helpers.controllers import ControllerFactory
from tests.helpers.fakes import FakeSpeaker

SYSTEM_PYTHON = "/usr/bin/python3"
GIO_PARSE = """
import json, sys
import gi
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib
info = Gio.DesktopAppInfo.new_from_filename(sys.argv[1])
if info is None:
    raise SystemExit("GLib refused the desktop entry")
print(json.dumps(GLib.shell_parse_argv(info.get_commandline())[1]))
"""


class FakeRunKey:
    """The Run key as a dictionary; `broken` makes every change fail as a locked key does."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.broken = False

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        if self.broken:
            raise PermissionError(13, "Access is denied")
        self.values[name] = value

    def delete(self, name: str) -> None:
        if self.broken:
            raise PermissionError(13, "Access is denied")
        self.values.pop(name, None)


def _executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _gio_argv(entry: Path) -> list[str]:
    """The command GLib (as GNOME starts autostart entries) reads from `entry`."""
    if not Path(SYSTEM_PYTHON).is_file():
        pytest.fail("the system Python with gi is missing (./test.sh installs python3-gi)")
    done = subprocess.run(
        [SYSTEM_PYTHON, "-c", GIO_PARSE, str(entry)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    argv: list[str] = json.loads(done.stdout)
    return argv


# -- the command -------------------------------------------------------------------------------
def test_launch_command_frozen_is_the_bundled_program(tmp_path: Path) -> None:
    program = _executable(tmp_path / "Iris" / "iris")
    assert launch_command(frozen=True, executable=str(program)) == (str(program),)


def test_launch_command_prefers_the_script_beside_python(tmp_path: Path) -> None:
    python = _executable(tmp_path / "venv" / "bin" / "python")
    script = _executable(tmp_path / "venv" / "bin" / "iris")
    command = launch_command(frozen=False, executable=str(python), which=lambda _: "/usr/bin/x")
    assert command == (str(script),)


def test_launch_command_then_path_then_the_module(tmp_path: Path) -> None:
    python = _executable(tmp_path / "python" / "bin" / "python3")
    on_path = _executable(tmp_path / "elsewhere" / "iris")
    assert launch_command(frozen=False, executable=str(python), which=lambda _: str(on_path)) == (
        str(on_path),
    )
    assert launch_command(frozen=False, executable=str(python), which=lambda _: None) == (
        str(python),
        "-m",
        "desktop_app",
    )


def test_launch_command_here_starts_this_iris() -> None:
    command = launch_command()
    assert Path(command[0]).is_absolute()
    assert Path(command[0]) == Path(sys.executable).parent / "iris" or command[1:] == (
        "-m",
        "desktop_app",
    )


# -- Linux ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argument", "written"),
    [
        ("/usr/bin/iris", "/usr/bin/iris"),
        ("/home/ana/My Apps/iris", '"/home/ana/My Apps/iris"'),
        ("-m", "-m"),
        ("/opt/100%/iris", "/opt/100%%/iris"),
        ("/tmp/$HOME/iris", '"/tmp/\\\\$HOME/iris"'),
        ('/a"b', '"/a\\\\"b"'),
        ("C:\\x", '"C:\\\\\\\\x"'),
        ("", '""'),
    ],
)
def test_exec_arguments_are_quoted_as_the_specification_says(argument: str, written: str) -> None:
    assert exec_argument(argument) == written


def test_xdg_entry_written_and_removed(tmp_path: Path) -> None:
    folder = tmp_path / "config" / "autostart"
    autostart = platform_autostart("linux", environ={"XDG_CONFIG_HOME": str(tmp_path / "config")})
    assert isinstance(autostart, XdgAutostart)
    assert autostart.path == folder / f"{APP_ID}.desktop"
    program = _executable(tmp_path / "My Apps $1" / "iris")
    command = (str(program), "--debug")

    assert sync_autostart(autostart, True, command) is True
    text = autostart.path.read_text(encoding="utf-8")
    assert "X-GNOME-Autostart-enabled=true\n" in text
    assert f"Icon={APP_ID}\n" in text
    assert _gio_argv(autostart.path) == list(command)
    validator = shutil.which("desktop-file-validate")
    assert validator, "desktop-file-validate is missing (./test.sh installs desktop-file-utils)"
    checked = subprocess.run([validator, str(autostart.path)], capture_output=True, text=True)
    assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout

    assert sync_autostart(autostart, True, command) is False  # already so: nothing written
    assert sync_autostart(autostart, False, command) is True
    assert not autostart.path.exists()
    assert sync_autostart(autostart, False, command) is False  # nothing there: no error
    assert list(folder.iterdir()) == []  # no temporary files left


def test_xdg_folder_defaults_to_dot_config(tmp_path: Path) -> None:
    autostart = platform_autostart("linux", home=tmp_path, environ={})
    assert isinstance(autostart, XdgAutostart)
    assert autostart.path == tmp_path / ".config" / "autostart" / f"{APP_ID}.desktop"


def test_xdg_changed_command_is_rewritten(tmp_path: Path) -> None:
    autostart = XdgAutostart(tmp_path)
    sync_autostart(autostart, True, ("/old/iris",))
    assert sync_autostart(autostart, True, ("/new/iris",)) is True
    assert "Exec=/new/iris\n" in autostart.path.read_text(encoding="utf-8")


def test_xdg_unwritable_folder_raises(tmp_path: Path) -> None:
    (tmp_path / "autostart").write_text("a file where the folder should be")
    autostart = XdgAutostart(tmp_path / "autostart")
    with pytest.raises(OSError):
        sync_autostart(autostart, True, ("/usr/bin/iris",))


# -- Windows ----------------------------------------------------------------------------------
def test_run_key_value_written_and_removed() -> None:
    key = FakeRunKey()
    key.values["Other program"] = "other.exe"
    autostart = platform_autostart("win32", run_key=key)
    assert isinstance(autostart, RunKeyAutostart)
    command = (r"C:\Program Files\Iris\iris.exe",)

    assert sync_autostart(autostart, True, command) is True
    assert key.values[RUN_VALUE] == r'"C:\Program Files\Iris\iris.exe"'
    assert sync_autostart(autostart, True, command) is False
    python = (r"C:\Python311\python.exe", "-m", "desktop_app")
    sync_autostart(autostart, True, python)
    assert key.values[RUN_VALUE] == r"C:\Python311\python.exe -m desktop_app"
    assert sync_autostart(autostart, False, command) is True
    assert key.values == {"Other program": "other.exe"}
    assert "HKEY_CURRENT_USER" in autostart.place and RUN_VALUE in autostart.place


def test_the_real_registry_refuses_off_windows() -> None:
    if sys.platform == "win32":
        pytest.skip("on Windows the registry is real")
    with pytest.raises(OSError):
        WindowsRunKey().get(RUN_VALUE)


# -- macOS ------------------------------------------------------------------------------------
def test_launch_agent_written_and_removed(tmp_path: Path) -> None:
    autostart = platform_autostart("darwin", home=tmp_path)
    assert isinstance(autostart, LaunchAgentAutostart)
    plist = tmp_path / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
    command = ("/Applications/Iris.app/Contents/MacOS/Iris",)

    assert sync_autostart(autostart, True, command) is True
    agent = plistlib.loads(plist.read_bytes())
    assert agent["Label"] == APP_ID
    assert agent["ProgramArguments"] == list(command)
    assert agent["RunAtLoad"] is True
    assert plist.stat().st_mode & 0o022 == 0  # launchd refuses group- or world-writable agents
    assert sync_autostart(autostart, True, command) is False
    assert sync_autostart(autostart, False, command) is True
    assert not plist.exists()


# -- through the Settings dialog and the controller (Linux) ----------------------------------
class Rig:
    """The window and controller (no model ever loads), settings in the test's folder."""

    def __init__(
        self, make_controller: ControllerFactory, autostart: Autostart | None = None
    ) -> None:
        self.qtbot = make_controller.qtbot
        self.speaker = FakeSpeaker()
        self.controller = make_controller(
            backend=lambda: pytest.fail("no model is needed"),
            speaker=self.speaker,
            reader=EngineWorker(lambda: pytest.fail("no reader is needed")),
            autostart=autostart,
        )
        self.window = self.controller.window

    def save_settings(self, start_at_login: bool) -> None:
        """Open Settings, set the box as a keyboard user would, press OK."""
        self.controller.preferences.open_settings()
        dialog = self.window.findChildren(SettingsDialog)[-1]
        box = dialog.start_at_login
        assert box.accessibleName() == messages.FIELD_START_AT_LOGIN
        assert box.accessibleDescription() == messages.FIELD_START_AT_LOGIN_DESCRIPTION
        if box.isChecked() != start_at_login:
            box.setFocus()
            self.qtbot.keyClick(box, " ")  # Space toggles a focused check box
        assert box.isChecked() is start_at_login
        with self.qtbot.waitSignal(self.controller.preferences.changed):
            dialog.accept()
        dialog.deleteLater()


@pytest.fixture
def linux_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """XDG_CONFIG_HOME and Iris's config folder inside the test's folder."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the XDG autostart folder is Linux's")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("IRIS_CONFIG_DIR", str(tmp_path / "iris"))
    return tmp_path


@pytest.fixture
def rig(make_controller: ControllerFactory, linux_home: Path) -> Rig:
    return Rig(make_controller)


def test_settings_checkbox_writes_and_removes_the_entry(rig: Rig, linux_home: Path) -> None:
    entry = linux_home / "xdg" / "autostart" / f"{APP_ID}.desktop"
    rig.save_settings(True)
    assert entry.is_file()
    assert _gio_argv(entry) == list(launch_command())
    assert load_settings().start_at_login is True
    assert rig.controller.settings.start_at_login is True

    rig.save_settings(False)
    assert not entry.exists()
    assert load_settings().start_at_login is False
    assert rig.speaker.said == []  # success is quiet


def test_unwritable_autostart_folder_is_told_and_the_choice_kept(
    rig: Rig, linux_home: Path
) -> None:
    blocker = linux_home / "xdg" / "autostart"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("a file where the folder should be")
    rig.save_settings(True)
    told = rig.window.status.text()
    assert told.startswith("Iris cannot set itself to start when you log in")
    assert str(blocker / f"{APP_ID}.desktop") in told
    assert (told, False) in rig.speaker.said
    assert rig.controller.settings.start_at_login is True
    assert load_settings().start_at_login is True

    blocker.unlink()  # fixed: the next save of the settings writes the entry
    rig.save_settings(True)
    assert (blocker / f"{APP_ID}.desktop").is_file()


class RefusingRemoval:
    """An XDG entry in `folder` whose removal fails (a locked-down home)."""

    def __init__(self, folder: Path) -> None:
        self.inner = XdgAutostart(folder)
        self.place = self.inner.place

    def render(self, command: Sequence[str]) -> str:
        return self.inner.render(command)

    def read(self) -> str | None:
        return self.inner.read()

    def write(self, entry: str) -> None:
        self.inner.write(entry)

    def remove(self) -> None:
        raise PermissionError(1, "Operation not permitted")


def test_failed_removal_is_told_and_retried(
    make_controller: ControllerFactory, linux_home: Path
) -> None:
    autostart = RefusingRemoval(linux_home / "autostart")
    rig = Rig(make_controller, autostart)
    rig.save_settings(True)
    rig.save_settings(False)
    told = rig.window.status.text()
    assert told == messages.AUTOSTART_OFF_FAILED.format(
        place=autostart.place, reason="Operation not permitted"
    )
    assert rig.controller.settings.start_at_login is False
    assert load_settings().start_at_login is False
    rig.speaker.said.clear()
    rig.save_settings(False)  # off and off, but the last try failed: tried again
    assert rig.speaker.said == [(told, False)]
