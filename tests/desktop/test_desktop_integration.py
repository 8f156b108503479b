"""What makes Iris a desktop program: its icons, launcher, AppStream metadata, licences and
changelog, each checked against the code and the tools distributions check them with."""

from __future__ import annotations

import configparser
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from PIL import Image
from pytestqt.qtbot import QtBot

import desktop_app
from desktop_app import APP_ID
from desktop_app.core import messages
from tests.helpers.xvfb import xvfb

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
PACKAGE_SVG = ROOT / "desktop_app" / "resources" / "iris.svg"
DESKTOP_FILE = RESOURCES / f"{APP_ID}.desktop"
METAINFO = RESOURCES / f"{APP_ID}.metainfo.xml"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
APACHE_2_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"
"""sha256 of https://www.apache.org/licenses/LICENSE-2.0.txt, the standard text."""


def _pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def _project() -> dict[str, object]:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    return project


def _console_scripts() -> list[str]:
    scripts = _project()["scripts"]
    assert isinstance(scripts, dict)
    return list(scripts)


def _png(size: int, root: Path = RESOURCES) -> Path:
    return root / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


# -- icons --------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", PNG_SIZES)
def test_icon_at_each_standard_size(size: int) -> None:
    with Image.open(_png(size)) as image:
        assert image.format == "PNG"
        assert image.size == (size, size)
        rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A")
    assert alpha.getextrema() == (0, 255)  # transparent corners, an opaque eye
    assert rgba.getpixel((0, 0))[3] == 0
    centre = rgba.getpixel((size // 2, size // 2))
    assert centre[3] == 255 and centre[:3] != (255, 255, 255)  # the pupil, not blank
    colours = rgba.getcolors(maxcolors=size * size)
    assert colours is not None
    opaque = {colour for _, colour in colours if colour[3] == 255}
    assert len(opaque) >= 3  # outline, white, iris at least


def test_scalable_icon_is_the_package_icon() -> None:
    scalable = RESOURCES / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == PACKAGE_SVG.read_bytes()


def test_windows_and_macos_icons_hold_every_size() -> None:
    with Image.open(RESOURCES / "iris.ico") as ico:
        assert ico.format == "ICO"
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(RESOURCES / "iris.icns") as icns:
        assert icns.format == "ICNS"
        slots = set(icns.info["sizes"])  # (points, points, scale); Pillow writes Retina ones
        assert {(16, 16, 2), (32, 32, 2), (128, 128, 1), (256, 256, 1), (512, 512, 2)} <= slots


def test_make_icons_reproduces_the_committed_icons(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "make_icons.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(RESOURCES)
        for p in [
            *(RESOURCES / "icons").rglob("*"),
            RESOURCES / "iris.ico",
            RESOURCES / "iris.icns",
        ]
        if p.is_file()
    )
    assert made == committed
    for size in PNG_SIZES:
        with Image.open(_png(size, tmp_path)) as new, Image.open(_png(size)) as old:
            assert new.size == old.size
            new_bytes, old_bytes = new.convert("RGBA").tobytes(), old.convert("RGBA").tobytes()
            worst = max(abs(a - b) for a, b in zip(new_bytes, old_bytes, strict=True))
        assert worst <= 2, f"{size} px differs by {worst}"  # anti-aliasing may vary a little
    with Image.open(tmp_path / "iris.ico") as new_ico, Image.open(RESOURCES / "iris.ico") as ico:
        assert new_ico.info["sizes"] == ico.info["sizes"]


def test_the_icon_is_package_data(qtbot: QtBot) -> None:
    from desktop_app.gui.tray import app_icon, icon_path

    setuptools = _pyproject()["tool"]
    assert isinstance(setuptools, dict)
    assert "resources/*" in setuptools["setuptools"]["package-data"]["desktop_app"]
    found = icon_path()
    assert found is not None and found.read_bytes() == PACKAGE_SVG.read_bytes()
    icon = app_icon()
    assert not icon.isNull() and icon.pixmap(64, 64).width() == 64
    assert not (ROOT / "resources" / "iris.svg").exists()  # one copy only: the package's


# -- the launcher -------------------------------------------------------------------------------
def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP_FILE, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_is_valid() -> None:
    validator = shutil.which("desktop-file-validate")
    assert validator, "desktop-file-validate is missing (./test.sh installs desktop-file-utils)"
    done = subprocess.run([validator, str(DESKTOP_FILE)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout


def test_desktop_file_starts_the_console_script_with_the_app_icon() -> None:
    entry = _desktop_entry()
    assert entry["Exec"].split()[0] in _console_scripts()
    assert entry["Icon"] == APP_ID
    assert entry["Name"] == messages.APP_NAME
    assert entry["Terminal"] == "false"
    assert "Accessibility" in entry["Categories"].split(";")
    assert entry["StartupWMClass"] == messages.APP_NAME


def test_window_class_is_the_launchers_startup_wm_class(tmp_path: Path) -> None:
    """The real window on a real X server has the WM_CLASS the .desktop file names, so docks
    group the window with its launcher."""
    probe = (
        "from PySide6.QtTest import QTest\n"
        "from desktop_app.gui.app import desktop_application\n"
        "from desktop_app.gui.main_window import MainWindow\n"
        "import subprocess\n"
        "app = desktop_application(['iris'])\n"
        "window = MainWindow()\n"
        "window.show()\n"
        "assert QTest.qWaitForWindowExposed(window, 20000)\n"
        "print(app.desktopFileName())\n"
        "print(subprocess.run(['xprop', '-id', str(int(window.winId())), 'WM_CLASS'],\n"
        "      capture_output=True, text=True, check=True).stdout.strip())\n"
    )
    with xvfb(640, 480) as display:
        env = {
            **os.environ,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "IRIS_CONFIG_DIR": str(tmp_path),
        }
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120
        )
    assert done.returncode == 0, done.stderr
    app_id, wm_class = done.stdout.strip().splitlines()[-2:]
    assert app_id == APP_ID  # Wayland's app id: the .desktop file's name
    assert wm_class == f'WM_CLASS(STRING) = "iris", "{_desktop_entry()["StartupWMClass"]}"'


# -- AppStream ---------------------------------------------------------------------------------
def test_metainfo_is_valid() -> None:
    tool = shutil.which("appstreamcli")
    assert tool, "appstreamcli is missing (./test.sh installs appstream)"
    done = subprocess.run(
        [tool, "validate", "--no-net", str(METAINFO)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    problems = [line for line in done.stdout.splitlines() if line[:2] in ("E:", "W:")]
    assert problems == []


def test_metainfo_matches_the_code() -> None:
    component = ET.parse(METAINFO).getroot()
    assert component.get("type") == "desktop-application"
    assert component.findtext("id") == APP_ID
    assert component.findtext("name") == messages.APP_NAME
    assert component.findtext("project_license") == _project()["license"]
    launchable = component.find("launchable")
    assert launchable is not None and launchable.text == DESKTOP_FILE.name
    assert component.findtext("provides/binary") in _console_scripts()
    releases = component.findall("releases/release")
    assert releases and releases[0].get("version") == desktop_app.__version__
    image = component.find("screenshots/screenshot/image")
    assert image is not None and image.text is not None
    assert image.text.endswith("/resources/screenshots/main-window.png")
    with Image.open(ROOT / "resources" / "screenshots" / "main-window.png") as shot:
        assert shot.size == (int(image.get("width", 0)), int(image.get("height", 0)))


# -- licences and changelog --------------------------------------------------------------------
def test_licence_is_the_standard_apache_2_text() -> None:
    assert hashlib.sha256((ROOT / "LICENSE").read_bytes()).hexdigest() == APACHE_2_SHA256
    assert _project()["license"] == "Apache-2.0"


def test_lgpl_texts_ship_for_qt() -> None:
    assert (
        "GNU LESSER GENERAL PUBLIC LICENSE" in (RESOURCES / "licenses" / "LGPL-3.0.txt").read_text()
    )
    assert "GNU GENERAL PUBLIC LICENSE" in (RESOURCES / "licenses" / "GPL-3.0.txt").read_text()


def runtime_closure() -> set[str]:
    """Every distribution Iris's runtime needs here: its requirements (the installed metadata's
    and pyproject.toml's, which an outdated editable install may not have yet), followed
    recursively through the installed metadata, markers evaluated for this platform, extras
    ignored."""
    dependencies = _project()["dependencies"]
    assert isinstance(dependencies, list)
    pending = [
        Requirement(text) for text in [*dependencies, *(metadata.requires("iris-desktop") or [])]
    ]
    found: set[str] = set()
    while pending:
        requirement = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        found.add(name)
        pending.extend(Requirement(text) for text in metadata.requires(name) or [])
    return found


def test_third_party_notices_name_every_runtime_distribution() -> None:
    notices = (ROOT / "THIRD_PARTY_NOTICES.md").read_text(encoding="utf-8")
    named = {canonicalize_name(word) for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9._-]*", notices)}
    closure = runtime_closure()
    assert {"pyside6-essentials", "rapidocr-onnxruntime", "torch", "opencv-python"} <= closure
    assert sorted(closure - named) == []


def test_changelog_newest_version_is_the_package_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+[^\]]*)\]", changelog, flags=re.MULTILINE)
    assert versions and versions[0] == desktop_app.__version__
    assert f"[{versions[0]}]: " in changelog  # the heading's link
