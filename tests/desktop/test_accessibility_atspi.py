"""The AT-SPI client against real GTK 3 and Qt 6 windows on a private desktop: Xvfb, a session
D-Bus (which starts the accessibility bus and registry when first asked), openbox and
GSettings' toolkit-accessibility on. Each window is its own process
(tests/helpers/a11y_gtk_window.py, a11y_qt_window.py) and says where its controls are."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from desktop_app import accessibility
from desktop_app.core.accessible import (
    TREE_TIME_LIMIT_S,
    AccessibleItem,
    AccessibleNode,
    Role,
)
from desktop_app.core.types import Rect
from tests.helpers.orca_desktop import TAG_VARIABLE, tagged_pids
from tests.helpers.xvfb import xvfb

HELPERS = Path(__file__).resolve().parents[1] / "helpers"
SYSTEM_PYTHON = "/usr/bin/python3"
TOOLKITS = ("gtk", "qt")
CONTROLS = {
    "unlabeled": (Role.BUTTON, ""),
    "chart": (Role.IMAGE, "chart3"),
    "list": (Role.LIST_ITEM, "Banana"),
    "save": (Role.BUTTON, "Save"),
}
GRID = 2000
WHOLE_TREE_TIME_S = 60.0
"""Time enough to read every one of the GRID labels, however busy the machine."""
T = TypeVar("T")

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="AT-SPI is Linux's")


def _missing() -> str:
    tools = ["Xvfb", "dbus-daemon", "openbox", "gsettings", "xdotool", "xprop"]
    absent = [tool for tool in tools if shutil.which(tool) is None]
    if not Path("/usr/libexec/at-spi-bus-launcher").exists() and not shutil.which(
        "at-spi-bus-launcher"
    ):
        absent.append("at-spi2-core")
    gtk = [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('Gtk', '3.0')"]
    if not Path(SYSTEM_PYTHON).exists() or subprocess.run(gtk, capture_output=True).returncode:
        absent.append("python3-gi with gir1.2-gtk-3.0")
    return ", ".join(absent)


def _poll(condition: Callable[[], T | None], timeout: float, what: str) -> T:
    """Poll `condition` every 50 ms until it returns something; TimeoutError naming `what`."""
    deadline = time.monotonic() + timeout
    while (found := condition()) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.05)
    return found


@dataclass
class Desktop:
    """The private desktop: its environment, and the windows started on it."""

    env: dict[str, str]
    root: Path
    windows: list[subprocess.Popen[bytes]]

    def xdotool(self, *arguments: str) -> None:
        subprocess.run(["xdotool", *arguments], env=self.env, check=True, timeout=30)

    def show(
        self, toolkit: str, focus: str = "save", grid: int = 0, extra: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """Start a window of `toolkit` with `focus` focused (`extra`: more of its options);
        what it wrote once active."""
        out = self.root / f"{toolkit}-{focus}-{grid}-{uuid.uuid4().hex[:6]}.json"
        python = SYSTEM_PYTHON if toolkit == "gtk" else sys.executable
        argv = [python, str(HELPERS / f"a11y_{toolkit}_window.py"), str(out), "--focus", focus,
                "--grid", str(grid), "--title", f"{toolkit} {focus}", *extra]  # fmt: skip
        log = open(self.root / f"{out.stem}.log", "wb")  # noqa: SIM115 (closed with the window)
        self.windows.append(
            subprocess.Popen(argv, env=self.env, stdout=log, stderr=log, start_new_session=True)
        )
        log.close()
        return _poll(
            lambda: json.loads(out.read_text()) if out.exists() else None, 60,
            f"the {toolkit} window did not show",
        )  # fmt: skip

    def close_windows(self) -> None:
        for window in self.windows:
            _stop(window)
        self.windows.clear()


def _stop(popen: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(popen.pid, signal.SIGTERM)
    try:
        popen.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, signal.SIGKILL)
        popen.wait(timeout=10)


@pytest.fixture(scope="module")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desktop]:
    """Xvfb, a session bus, openbox and accessibility on; the test process talks to them."""
    if missing := _missing():
        pytest.skip(f"not installed: {missing} (./test.sh installs them as root)")
    root = tmp_path_factory.mktemp("atspi")
    runtime = Path(tempfile.mkdtemp(prefix="atspi-run-", dir="/tmp"))  # short socket paths
    tag = uuid.uuid4().hex
    started: list[subprocess.Popen[bytes]] = []
    with xvfb() as display:
        env = {key: value for key, value in os.environ.items()
               if key not in ("AT_SPI_BUS_ADDRESS", "NO_AT_BRIDGE", "WAYLAND_DISPLAY",
                              "GSETTINGS_BACKEND", "DBUS_SESSION_BUS_ADDRESS")}  # fmt: skip
        env.update(
            DISPLAY=display, XDG_RUNTIME_DIR=str(runtime), XDG_CONFIG_HOME=str(root / "config"),
            XDG_CACHE_HOME=str(root / "cache"), QT_QPA_PLATFORM="xcb",
            QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1", QT_ACCESSIBILITY="1", LANG="C.UTF-8",
            **{TAG_VARIABLE: tag},
        )  # fmt: skip
        dbus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        started.append(dbus)
        try:
            assert dbus.stdout is not None
            env["DBUS_SESSION_BUS_ADDRESS"] = dbus.stdout.readline().decode().strip()
            dbus.stdout.close()
            started.append(
                subprocess.Popen(["openbox", "--sm-disable"], env=env, start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )  # fmt: skip
            _poll(lambda: True if _window_manager(env) else None, 20, "openbox did not start")
            gsettings = ["gsettings", "set", "org.gnome.desktop.interface"]
            subprocess.run([*gsettings, "toolkit-accessibility", "true"], env=env, timeout=30)
            with pytest.MonkeyPatch.context() as patch:
                for key in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"):
                    patch.setenv(key, env[key])
                patch.delenv("AT_SPI_BUS_ADDRESS", raising=False)
                desktop = Desktop(env, root, [])
                try:
                    yield desktop
                finally:
                    desktop.close_windows()
        finally:
            for popen in reversed(started):
                _stop(popen)
            for pid in tagged_pids(tag):  # what D-Bus started: the accessibility bus, registry
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            shutil.rmtree(runtime, ignore_errors=True)


def _window_manager(env: dict[str, str]) -> bool:
    done = subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], env=env,
                          capture_output=True, text=True, timeout=10)  # fmt: skip
    return "window id" in done.stdout


@pytest.fixture
def screen(desktop: Desktop) -> Iterator[Desktop]:
    """The desktop, its windows closed after the test."""
    yield desktop
    desktop.close_windows()


def _near(rect: Rect | None, expected: list[int], pixels: int = 2) -> bool:
    if rect is None:
        return False
    found = (rect.x, rect.y, rect.width, rect.height)
    return all(abs(a - b) <= pixels for a, b in zip(found, expected, strict=True))


def _matching(item: AccessibleItem, role: Role, name: str) -> AccessibleNode | None:
    """The item, or its nearest container, with `role` and `name` (the deepest object under
    the pointer may be the label inside a list item)."""
    for node in (item.node, *reversed(item.ancestors)):
        if node.role is role and node.name == name:
            return node
    return None


def _timed(task: Callable[[], T]) -> tuple[T, float]:
    began = time.perf_counter()
    result = task()
    return result, time.perf_counter() - began


@pytest.mark.parametrize("control", list(CONTROLS))
@pytest.mark.parametrize("toolkit", TOOLKITS)
def test_focused_item_and_item_at(screen: Desktop, toolkit: str, control: str) -> None:
    role, name = CONTROLS[control]
    shown = screen.show(toolkit, focus=control)
    expected = shown["controls"][control]["rect"]

    def focused() -> AccessibleItem | None:
        item = accessibility.focused_item()
        return item if item is not None and item.node.name == name else None

    item = _poll(focused, 15, f"focused_item() did not find {name!r}")
    item, seconds = _timed(accessibility.focused_item)
    print(f"{toolkit} focused_item ({control}): {seconds * 1000:.1f} ms")
    assert item is not None
    assert (item.node.role, item.node.name) == (role, name), item
    assert _near(item.node.rect, expected), (item.node.rect, expected)
    assert item.window is not None and item.window.role is Role.WINDOW
    assert item.window.name == f"{toolkit} {control}"
    assert all(0 < node.depth < item.node.depth for node in item.ancestors)

    x, y, width, height = expected
    x, y = x + width // 2, y + height // 2
    screen.xdotool("mousemove", "--sync", str(x), str(y))
    under, seconds = _timed(lambda: accessibility.item_at(x, y))
    print(f"{toolkit} item_at ({control}): {seconds * 1000:.1f} ms")
    assert under is not None
    assert under.node.rect is not None and under.node.rect.contains(x, y), under
    found = _matching(under, role, name)
    assert found is not None, under
    assert _near(found.rect, expected), (found.rect, expected)


@pytest.mark.parametrize("toolkit", TOOLKITS)
def test_active_window_tree_names_and_places(screen: Desktop, toolkit: str) -> None:
    shown = screen.show(toolkit)
    _poll(lambda: accessibility.focused_item(), 15, "the window is not on the bus")
    tree = accessibility.active_window_tree(time_limit_s=2.0)
    assert tree is not None and not tree.truncated
    assert tree.window.name == f"{toolkit} save" and tree.window.role is Role.WINDOW
    for control, (role, name) in CONTROLS.items():
        expected = shown["controls"][control]["rect"]
        found = [node for node in tree.nodes if node.role is role and node.name == name]
        assert any(_near(node.rect, expected) for node in found), (control, found)
    assert tree.nodes and tree.nodes[0].depth == 1
    assert all(node.depth >= 1 for node in tree.nodes)


@pytest.mark.slow
@pytest.mark.parametrize("toolkit", TOOLKITS)
def test_a_window_of_two_thousand_objects_is_cut_short_by_its_limits(
    screen: Desktop, toolkit: str
) -> None:
    """Reading stops at the time limit, with the window's outline read first, and at the node
    limit; given time, every label is read. How long the default read takes is measured by
    benchmarks/grounding.py, not asserted here (wall time on a shared machine is not a test)."""
    screen.show(toolkit, grid=GRID)
    _poll(lambda: accessibility.focused_item(), 30, "the window is not on the bus")
    whole = accessibility.active_window_tree(time_limit_s=WHOLE_TREE_TIME_S)
    assert whole is not None and not whole.truncated
    labels = [node for node in whole.nodes if node.name.startswith("Cell ")]
    assert len(labels) >= GRID
    for _ in range(2):
        tree, seconds = _timed(accessibility.active_window_tree)
        assert tree is not None
        print(
            f"{toolkit} tree of {GRID} labels: {seconds * 1000:.0f} ms wall "
            f"(limit {TREE_TIME_LIMIT_S * 1000:.0f} ms; whole tree {whole.elapsed_s:.2f} s), "
            f"{len(tree.nodes)} of {len(whole.nodes)} objects, truncated={tree.truncated}"
        )
        assert tree.truncated and len(tree.nodes) < len(whole.nodes)
        assert tree.elapsed_s <= seconds
        names = {node.name for node in tree.nodes}
        assert {"Save", "chart3"} <= names  # the window's outline comes first
    counted = accessibility.active_window_tree(time_limit_s=WHOLE_TREE_TIME_S, node_limit=100)
    assert counted is not None and counted.truncated
    assert len(counted.nodes) <= 100 < len(whole.nodes)
