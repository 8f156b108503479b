"""Iris as people install it: the wheel and sdist, the Linux one-folder app, and the checkable
parts of the Windows installer and the macOS bundle (packaging/)."""

from __future__ import annotations

import json
import os
import plistlib
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

import desktop_app
from desktop_app.core import messages
from desktop_app.settings import autostart
from tests.helpers.script_modules import load_script

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
APP = ROOT / "dist" / "iris"
PROBLEM_MARKS = ("Traceback", "ERROR", "CRITICAL")


iris_app = load_script("iris_app", PACKAGING / "iris_app.py")
make_app_venv = load_script("make_app_venv", PACKAGING / "make_app_venv.py")


# --- the version, the requirements ---------------------------------------------------------------
def test_the_version_is_written_once() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    attr = project["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "desktop_app.__version__"
    assert re.fullmatch(r"\d+\.\d+\.\d+", desktop_app.__version__)
    assert iris_app.version() == desktop_app.__version__
    assert iris_app.app_id() == desktop_app.APP_ID


def _requirements(lines: list[str]) -> dict[str, Requirement]:
    parsed = (Requirement(line) for line in lines)
    return {req.name.lower().replace("_", "-"): req for req in parsed}


def test_the_apps_requirements_keep_pyprojects_pins() -> None:
    """The same versions as pyproject, except torch (the CPU build) and torchvision (left
    out); headless cv2, the builder and setuptools come on top."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = _requirements(project["project"]["dependencies"])
    text = (PACKAGING / "requirements-app.txt").read_text()
    lines = [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]
    app = _requirements(lines)
    assert str(app.pop("torch")) == "torch==2.13.0"
    assert str(wanted.pop("torch")) == "torch==2.14.1"
    assert wanted.pop("torchvision") and "torchvision" not in app
    assert str(app.pop("pyinstaller")) == "pyinstaller==6.22.3"
    assert app.pop("setuptools")
    assert str(app.pop("babel")) in project["build-system"]["requires"]
    headless = app.pop("opencv-python-headless")
    assert make_app_venv.headless_opencv() == str(headless)
    assert {name: str(req) for name, req in app.items()} == {
        name: str(req) for name, req in wanted.items()
    }
    extras = project["project"]["optional-dependencies"]
    assert "pyinstaller==6.22.3" in extras["package"] and "build==1.6.1" in extras["package"]


def test_the_app_venv_is_keyed_on_its_requirements_hash(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("torch==2.13.0\n")
    first = make_app_venv.requirements_digest(requirements)
    requirements.write_text("torch==2.13.0\nmss>=10.2\n")
    assert make_app_venv.requirements_digest(requirements) != first
    assert make_app_venv.headless_opencv(requirements) is None


# --- what the app leaves out and what it carries --------------------------------------------------
@pytest.mark.parametrize(
    "destination",
    [
        "PySide6/Qt/lib/libQt6Qml.so.6",
        "PySide6/Qt/lib/libQt6QuickControls2.so.6",
        "libQt6Quick.so.6",  # a link PyInstaller makes in the top folder
        "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
        "PySide6/Qt/plugins/imageformats/libqpdf.so",
        "PySide6/Qt/qml/QtQuick/Controls/qmldir",
        "PySide6\\Qt6Network.dll",
        "PySide6\\plugins\\platforminputcontexts\\qtvirtualkeyboardplugin.dll",
        "PySide6/Qt/lib/QtQml.framework/Versions/A/QtQml",
        "PySide6/Qt/lib/libQt6WebEngineCore.so.6",
        "PySide6/Qt/plugins/generic/libqtuiotouchplugin.so",  # links QtNetwork
    ],
)
def test_unwanted_qt_files_are_left_out(destination: str) -> None:
    assert iris_app.unwanted_qt(destination)


@pytest.mark.parametrize(
    "destination",
    [
        "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/lib/libQt6DBus.so.6",  # accessibility: AT-SPI over D-Bus
        "PySide6/Qt/lib/libQt6Svg.so.6",  # the icon
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
        "PySide6/Qt/plugins/imageformats/libqsvg.so",
        "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
        "PySide6\\Qt6Widgets.dll",
        "PySide6/Qt/lib/QtWidgets.framework/Versions/A/QtWidgets",
        "torch/lib/libtorch_cpu.so",
        "cv2/cv2.abi3.so",
    ],
)
def test_qt_files_iris_needs_are_kept(destination: str) -> None:
    assert not iris_app.unwanted_qt(destination)


def test_excluded_modules_include_the_big_unused_ones() -> None:
    excluded = set(iris_app.EXCLUDED_MODULES)
    for name in ("PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtVirtualKeyboard", "tkinter"):
        assert name in excluded
    assert not excluded & {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"}
    used = {
        f"PySide6.{name}"
        for path in (ROOT / "desktop_app").rglob("*.py")
        for name in re.findall(r"PySide6\.(Qt\w+)", path.read_text())
    }
    assert used and not used & excluded


def test_licence_files_of_the_bundled_distributions(tmp_path: Path) -> None:
    datas = iris_app.licence_datas(["PIL", "PySide6", "desktop_app", "torch"], tmp_path)
    targets = {(Path(source).name, folder) for source, folder in datas}
    assert {("LICENSE", "."), ("THIRD_PARTY_NOTICES.md", "."), ("INDEX.txt", "licenses")} <= targets
    assert ("LICENSE", "licenses/pillow") in targets  # from its dist-info's licenses/ folder
    assert ("LICENSE", "licenses/torch") in targets
    assert ("LGPL-3.0.txt", "licenses/Qt") in targets  # Qt's wheels carry none
    folders = {folder.split("/")[1] for _, folder in datas if folder.startswith("licenses/")}
    assert {"pillow", "torch", "pyinstaller"} <= folders
    assert "iris-desktop" not in folders  # Iris's own is LICENSE
    assert all(Path(source).is_file() for source, _ in datas)
    index = (tmp_path / "INDEX.txt").read_text()
    # PySide6 ships no licence file: the index names its licence, from its metadata
    assert "PySide6_Essentials 6.11.3: LGPL-3.0-only" in index
    assert "\nPython 3." in index and "\npillow " in index


def test_the_linux_desktop_files_are_laid_out_as_usr_share() -> None:
    datas = {(Path(source).name, folder) for source, folder in iris_app.freedesktop_datas()}
    app_id = desktop_app.APP_ID
    assert (f"{app_id}.desktop", "share/applications") in datas
    assert (f"{app_id}.metainfo.xml", "share/metainfo") in datas
    assert (f"{app_id}.png", "share/icons/hicolor/48x48/apps") in datas
    assert (f"{app_id}.svg", "share/icons/hicolor/scalable/apps") in datas
    assert [Path(s).name for s, _ in iris_app.changelog_datas()] == ["CHANGELOG.md"]
    assert all(Path(source).is_file() for source, _ in iris_app.freedesktop_datas())


def test_bundle_model_option_names_folders_as_iris_finds_them(
    tmp_path: Path, tiny_models: dict[str, Path]
) -> None:
    snapshot = tmp_path / "hub" / "models--test-org--tiny" / "snapshots" / "0123abc"
    snapshot.parent.mkdir(parents=True)
    shutil.copytree(tiny_models["idefics3"], snapshot)
    value = os.pathsep.join([str(tiny_models["idefics3"]), str(snapshot)])
    chosen = iris_app.bundled_model_folders(value)
    assert [name for name, _ in chosen] == ["idefics3", "test-org--tiny"]
    datas = iris_app.model_datas(chosen)
    assert ("config.json", "models/test-org--tiny") in {
        (Path(source).name, folder) for source, folder in datas
    }
    app = tmp_path / "app"
    iris_app.place(datas, app)
    assert (app / "models" / "test-org--tiny" / "model.safetensors").is_file()
    toc = iris_app.as_toc(datas)
    assert (
        "models/idefics3/config.json",
        str(tiny_models["idefics3"] / "config.json"),
        "DATA",
    ) in toc


def test_bundle_model_option_takes_a_downloaded_hub_id(
    tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.engine.models import hub

    cache = {"test-org/tiny": tiny_models["llava"]}
    monkeypatch.setattr(hub, "cached_snapshot", lambda model, revision=None: cache.get(model))
    assert iris_app.bundled_model_folders("test-org/tiny") == [
        ("test-org--tiny", tiny_models["llava"])
    ]


def test_bundle_model_option_refuses_what_iris_would_refuse(tmp_path: Path) -> None:
    pickled = tmp_path / "pickled"
    pickled.mkdir()
    (pickled / "config.json").write_text("{}")
    (pickled / "pytorch_model.bin").write_bytes(b"\0")
    with pytest.raises(SystemExit, match="pickle"):
        iris_app.bundled_model_folders(str(pickled))
    with pytest.raises(SystemExit, match="not in the Hugging Face cache"):
        iris_app.bundled_model_folders("test-org/not-downloaded")
    assert iris_app.bundled_model_folders("") == []


def test_the_spec_files_are_python_that_uses_the_shared_module() -> None:
    for platform in ("linux", "windows", "macos"):
        path = PACKAGING / f"iris-{platform}.spec"
        text = path.read_text()
        compile(text, str(path), "exec")
        for used in ("app.hidden_imports()", "app.EXCLUDED_MODULES", "app.without_unwanted_qt"):
            assert used in text, (path.name, used)
        assert "licence_datas" in text and "model_datas" in text


def test_a_model_that_needs_torchvision_says_so_plainly(
    tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app has no torchvision; SmolVLM2's processor then fails to import, as here."""
    from desktop_app.core.errors import UnsupportedModelError
    from desktop_app.engine.local import loading
    from desktop_app.engine.local.precision import detect_hardware
    from desktop_app.settings import DEFAULT_MODEL, EngineSettings

    def no_torchvision(*args: object) -> None:
        raise ImportError(
            "\nSmolVLMVideoProcessor requires the Torchvision library but it was not found in "
            "your environment. Check out the instructions on the\ninstallation page: ..."
        )

    monkeypatch.setattr(loading, "_load_processor", no_torchvision)
    folder = tiny_models["smolvlm2"]
    with pytest.raises(UnsupportedModelError) as raised:
        loading.load_model(folder, "smolvlm2", EngineSettings(), detect_hardware())
    assert raised.value.message == messages.MODEL_NEEDS_TORCHVISION.format(
        model="smolvlm2", default=DEFAULT_MODEL
    )


# --- macOS: the bundle's Info.plist -------------------------------------------------------------
def test_the_macos_info_plist_explains_each_permission() -> None:
    keys = iris_app.info_plist()
    loaded = plistlib.loads(plistlib.dumps(keys))
    assert loaded == keys
    assert loaded["CFBundleIdentifier"] == desktop_app.APP_ID
    assert loaded["CFBundleShortVersionString"] == desktop_app.__version__
    assert loaded["LSUIElement"] is False and loaded["NSHighResolutionCapable"] is True
    assert loaded["NSScreenCaptureUsageDescription"] == messages.MACOS_SCREEN_CAPTURE_USAGE
    assert loaded["NSAccessibilityUsageDescription"] == messages.MACOS_ACCESSIBILITY_USAGE
    assert loaded["NSInputMonitoringUsageDescription"] == messages.MACOS_INPUT_MONITORING_USAGE
    assert "NSAppleEventsUsageDescription" not in loaded  # Iris sends no Apple events
    for key in ("NSScreenCaptureUsageDescription", "NSAccessibilityUsageDescription"):
        assert loaded[key].startswith("Iris ") and loaded[key].endswith(".")
    assert loaded["CFBundleLocalizations"] == ["en", *CATALOGUE_LANGUAGES]


def test_the_macos_permission_explanations_come_in_each_language(tmp_path: Path) -> None:
    """<language>.lproj/InfoPlist.strings from each catalogue: macOS shows them instead of the
    English in Info.plist. A throwaway catalogue with a quote in it checks the escaping."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    locale = tmp_path / "locale"
    (locale / "xx" / "LC_MESSAGES").mkdir(parents=True)
    catalogue = Catalog(locale="de")
    catalogue.add(messages.MACOS_SCREEN_CAPTURE_USAGE, 'Iris "sieht" den Bildschirm.')
    catalogue.add(messages.MACOS_ACCESSIBILITY_USAGE, "Iris braucht Bedienungshilfen.")
    with (locale / "xx" / "LC_MESSAGES" / "iris.po").open("wb") as file:
        write_po(file, catalogue)
    made = iris_app.info_plist_strings(tmp_path / "out", locale)
    assert [folder for _, folder in made] == ["xx.lproj"]
    text = Path(made[0][0]).read_text(encoding="utf-8")
    assert text.splitlines() == [
        '"NSScreenCaptureUsageDescription" = "Iris \\"sieht\\" den Bildschirm.";',
        '"NSAccessibilityUsageDescription" = "Iris braucht Bedienungshilfen.";',
    ]
    real = iris_app.info_plist_strings(tmp_path / "real")
    wanted = [f"{language}.lproj" for language in CATALOGUE_LANGUAGES]
    assert [folder for _, folder in real] == wanted
    for source, _ in real:
        assert Path(source).read_text(encoding="utf-8").count(" = ") == len(iris_app.PLIST_MESSAGES)


# --- Windows: the Inno Setup script -------------------------------------------------------------
def parse_iss(text: str) -> dict[str, list[str]]:
    """Sections of an Inno Setup script and their lines, with `{#Name}` defines filled in
    (only plain string defines); comments and preprocessor lines dropped."""
    defines = dict(re.findall(r'^#define (\w+) "([^"]*)"$', text, re.MULTILINE))
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith((";", "#", "//")):
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            current = sections.setdefault(header.group(1), [])
        elif current is not None:
            current.append(re.sub(r"\{#(\w+)\}", lambda m: defines.get(m[1], m[0]), line))
    return sections


def setup_directives(sections: dict[str, list[str]]) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in sections["Setup"])
    return {key.strip(): value.strip() for key, value in pairs}


def entries(sections: dict[str, list[str]], name: str) -> list[dict[str, str]]:
    """`Name: "x"; Flags: a b` lines as dicts (quotes removed)."""
    found = []
    for line in sections[name]:
        params = re.findall(r'(\w+):\s*("(?:[^"]|"")*"|[^;]*)', line)
        found.append({key: value.strip().strip('"') for key, value in params})
    return found


def test_the_windows_installer_script() -> None:
    iss = PACKAGING / "windows" / "iris.iss"
    sections = parse_iss(iss.read_text())
    setup = setup_directives(sections)
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["PrivilegesRequiredOverridesAllowed"] == "dialog"
    assert setup["Uninstallable"] == "yes"
    window_program = f"{iris_app.APP_NAME}w.exe"  # iris-windows.spec's windowed program
    assert setup["UninstallDisplayIcon"] == f"{{app}}\\{window_program}"
    assert setup["WizardStyle"] == "classic"  # the standard pages that screen readers read
    for file_key in ("LicenseFile", "SetupIconFile"):
        assert (iss.parent / setup[file_key].replace("\\", "/")).resolve().is_file(), file_key
    assert setup["LicenseFile"].endswith("LICENSE")
    assert "AppVersion" in setup and "DefaultDirName" in setup

    files = entries(sections, "Files")
    assert files[0]["Source"].endswith("\\*") and "recursesubdirs" in files[0]["Flags"]
    icons = entries(sections, "Icons")
    start_menu = [i for i in icons if i["Name"].startswith("{autoprograms}")]
    desktop = [i for i in icons if i["Name"].startswith("{autodesktop}")]
    assert start_menu and start_menu[0]["Filename"] == f"{{app}}\\{window_program}"
    assert desktop and desktop[0]["Tasks"] == "desktopicon"
    tasks = entries(sections, "Tasks")
    assert tasks[0]["Name"] == "desktopicon" and "unchecked" in tasks[0]["Flags"]
    (launch,) = entries(sections, "Run")
    assert launch["Filename"] == f"{{app}}\\{window_program}"
    assert "postinstall" in launch["Flags"].split() and "LaunchProgram" in launch["Description"]
    code = "\n".join(sections["Code"])
    assert f"'{autostart.RUN_KEY}'" in code and f"'{autostart.RUN_VALUE}'" in code
    assert "windows_version_file" in (PACKAGING / "iris-windows.spec").read_text()


def test_the_installer_speaks_each_catalogue_language(tmp_path: Path) -> None:
    """build/inno-languages.iss: Inno Setup's wizard in each language Iris has a catalogue
    for, and the Start menu entry's comment from the catalogue (iris.iss includes it)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    iss = (PACKAGING / "windows" / "iris.iss").read_text()
    assert '#include AddBackslash(SourcePath) + "..\\..\\build\\inno-languages.iss"' in iss
    icons = entries(parse_iss(iss), "Icons")
    assert icons[0]["Comment"] == "{cm:IrisComment}"
    locale = tmp_path / "locale"
    for language, comment in (("fr", "Décrire l'écran"), ("xx", "?")):
        (locale / language / "LC_MESSAGES").mkdir(parents=True)
        catalogue = Catalog(locale="fr")
        catalogue.add(messages.AUTOSTART_COMMENT, comment)
        with (locale / language / "LC_MESSAGES" / "iris.po").open("wb") as file:
            write_po(file, catalogue)
    written = iris_app.inno_languages(tmp_path / "inno.iss", locale).read_text("utf-8-sig")
    assert written.splitlines() == [
        'Name: "french"; MessagesFile: "compiler:Languages\\French.isl"',
        "",
        "[CustomMessages]",
        f"english.IrisComment={messages.AUTOSTART_COMMENT}",
        "french.IrisComment=Décrire l'écran",
    ]
    assert "app.inno_languages()" in (PACKAGING / "iris-windows.spec").read_text()


def test_the_windows_programs_carry_the_version_the_installer_reads(tmp_path: Path) -> None:
    """PyInstaller evaluates the version file with its versioninfo classes (only on Windows,
    where pefile exists): here each class records its arguments."""
    text = iris_app.windows_version_file(tmp_path).read_text()

    def record(kind: str) -> Any:
        return lambda *args, **kwargs: (kind, args, kwargs)

    names = ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable", "StringStruct")
    namespace = {name: record(name) for name in (*names, "VarFileInfo", "VarStruct")}
    _, _, info = eval(text, namespace)  # our own file, evaluated as PyInstaller does
    release = tuple(int(n) for n in desktop_app.__version__.split("."))
    assert info["ffi"][2]["prodvers"] == (*release, 0)
    (_, (tables,), _) = info["kids"][0]
    (_, (_, structs), _) = tables[0]
    strings = dict(struct[1] for struct in structs)
    assert strings["ProductVersion"] == desktop_app.__version__  # iris.iss: GetStringFileInfo
    assert strings["OriginalFilename"] == "iris.exe"


# --- the wheel and the sdist ---------------------------------------------------------------------
def _run(
    command: list[str], timeout: float = 600, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)


def _window_env(tmp_path: Path) -> dict[str, str]:
    """A window with no model anywhere, offscreen, that reports when ready and quits."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        IRIS_CONFIG_DIR=str(tmp_path / "config"),
        HF_HOME=str(tmp_path / "hf"),
        HF_HUB_OFFLINE="1",
        IRIS_REPORT_READY=str(tmp_path / "ready.json"),
        IRIS_REPORT_IDLE_AFTER="0.5",
    )
    return env


def check_installed_iris(iris: Path, screenshot: Path, tmp_path: Path) -> None:
    """`iris --version`, `iris read` and the window, as the user's installed program."""
    version = _run([str(iris), "--version"], cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.strip() == f"iris {desktop_app.__version__}"
    read = _run([str(iris), "read", str(screenshot)], cwd=tmp_path)
    assert read.returncode == 0, read.stderr
    assert "Meeting at 10:30" in read.stdout and "Mail" in read.stdout
    env = _window_env(tmp_path)
    window = _run([str(iris), "--speak-to-files", str(tmp_path / "speech")], cwd=tmp_path, env=env)
    output = window.stdout + window.stderr
    assert window.returncode == 0, output
    assert not any(mark in output for mark in PROBLEM_MARKS), output
    report = json.loads((tmp_path / "ready.json").read_text())
    assert report["idle"]["modal"] == messages.FIRST_RUN_TITLE  # the window asks for a model
    assert report["ready"]["torch_imported"] is False


@pytest.mark.slow
def test_wheel_and_sdist_build_and_the_installed_iris_works(
    tmp_path: Path, screenshot: Path
) -> None:
    """`python -m build`, then the wheel installed (without dependencies) in a new venv that
    sees this venv's packages: its own `iris` command and window."""
    dist = tmp_path / "dist"
    built = _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist)], cwd=ROOT)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    version = desktop_app.__version__
    (wheel,) = dist.glob(f"iris_desktop-{version}-py3-none-any.whl")
    (sdist,) = dist.glob(f"iris_desktop-{version}.tar.gz")

    names = set(zipfile.ZipFile(wheel).namelist())
    info = f"iris_desktop-{version}.dist-info"
    for name in (
        "desktop_app/__init__.py",
        "desktop_app/py.typed",
        "desktop_app/resources/iris.svg",
        f"{info}/licenses/LICENSE",
        f"{info}/licenses/THIRD_PARTY_NOTICES.md",
        f"{info}/entry_points.txt",
    ):
        assert name in names, name
    assert not any(name.startswith(("tests/", "packaging/", "resources/")) for name in names)
    for language in CATALOGUE_LANGUAGES:  # compiled by the build (setup.py)
        assert f"desktop_app/locale/{language}/LC_MESSAGES/iris.mo" in names, language
    metadata = zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode()
    assert f"\nVersion: {version}\n" in metadata and "License-Expression: Apache-2.0" in metadata
    assert (
        "iris = desktop_app.cli.main:main"
        in zipfile.ZipFile(wheel).read(f"{info}/entry_points.txt").decode()
    )

    top = f"iris_desktop-{version}"
    with tarfile.open(sdist) as archive:
        members = {name.removeprefix(top + "/") for name in archive.getnames()}
    for name in (
        "README.md", "LICENSE", "THIRD_PARTY_NOTICES.md", "CHANGELOG.md", "pyproject.toml",
        "MANIFEST.in", "desktop_app/resources/iris.svg", "packaging/iris-linux.spec",
        "packaging/windows/iris.iss", "packaging/requirements-app.txt", "tests/conftest.py",
        "tests/packaging/test_packaging.py",
    ):  # fmt: skip
        assert name in members, name
    assert any(name.startswith("resources/") for name in members)
    assert not any("__pycache__" in name for name in members)

    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", "--without-pip", str(venv)]).returncode == 0
    python = venv / "bin" / "python"
    where_packages = "import sysconfig; print(sysconfig.get_path('purelib'))"
    purelib = Path(_run([str(python), "-c", where_packages]).stdout.strip())
    (purelib / "iris-test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"]
    installed = _run([*pip, "--no-index", str(wheel)])
    assert installed.returncode == 0, installed.stderr
    where = _run(
        [str(python), "-c", "import desktop_app.gui.tray as t; print(t.icon_path())"],
        cwd=tmp_path,
    )
    assert where.stdout.strip() == str(purelib / "desktop_app" / "resources" / "iris.svg")
    _speaks_each_language(venv / "bin" / "iris", tmp_path)
    check_installed_iris(venv / "bin" / "iris", screenshot, tmp_path)


# --- the Linux one-folder app ---------------------------------------------------------------------
UNWANTED_IN_APP = re.compile(r"Qt6?(Qml|Quick|VirtualKeyboard|WebEngine|Pdf)|virtualkeyboard")


@pytest.mark.slow
@pytest.mark.timeout(1800)  # a fresh clone first makes build/app-venv (downloads)
def test_the_linux_app_builds_and_runs(
    tmp_path: Path, screenshot: Path, tiny_models: dict[str, Path]
) -> None:
    """packaging/build_linux.sh, then the built program: --version, read, the window, and a
    model shipped in a models folder (IRIS_BUNDLED_MODELS) answering offline."""
    built = _run([str(PACKAGING / "build_linux.sh")], cwd=ROOT, timeout=1800)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-5000:]
    report = json.loads((ROOT / "build" / "app-build.json").read_text())
    print(
        f"\nLinux one-folder app: built in {report['seconds']:.0f} s, "
        f"{report['bytes'] / 1e6:.0f} MB in {report['files']} files (build/app-build.json)"
    )
    iris = APP / iris_app.APP_NAME
    files = [path.relative_to(APP).as_posix() for path in APP.rglob("*")]
    unwanted = [name for name in files if UNWANTED_IN_APP.search(name)]
    assert not unwanted, unwanted[:20]
    for needed in (
        "LICENSE", "THIRD_PARTY_NOTICES.md", "licenses/INDEX.txt", "licenses/torch/LICENSE",
        "licenses/Qt/LGPL-3.0.txt", "CHANGELOG.md",
        f"share/applications/{desktop_app.APP_ID}.desktop",
        "_internal/desktop_app/resources/iris.svg",
        "_internal/PySide6/Qt/plugins/platforms/libqxcb.so",
    ):  # fmt: skip
        assert (APP / needed).exists(), needed
    assert list(APP.glob("_internal/rapidocr_onnxruntime/models/*.onnx"))
    for language in CATALOGUE_LANGUAGES:  # Iris's catalogues, and Qt's for its own dialogs
        assert (APP / f"_internal/desktop_app/locale/{language}/LC_MESSAGES/iris.mo").exists()
        assert (APP / f"_internal/PySide6/Qt/translations/qtbase_{language}.qm").exists()
    _speaks_each_language(iris, tmp_path)
    assert not (APP / "_internal" / "torchvision").exists()
    _no_missing_qt_libraries()

    check_installed_iris(iris, screenshot, tmp_path)

    shipped = tmp_path / "models"
    shipped.mkdir()
    (shipped / "test-org--tiny").symlink_to(tiny_models["idefics3"], target_is_directory=True)
    env = {**os.environ, "IRIS_BUNDLED_MODELS": str(shipped), "IRIS_CACHE_DIR": str(tmp_path / "c")}
    answer = _run(
        [str(iris), "describe", str(screenshot), "--max-new-tokens", "3", "--format", "jsonl"],
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout.splitlines()[-1])["event"] == "answer"
    listed = _run([str(iris), "models", "list"], cwd=tmp_path, env=env)
    assert any(
        line.startswith("test-org/tiny") and messages.MODEL_BUNDLED in line
        for line in listed.stdout.splitlines()
    )
    _the_apps_model_process_answers(iris, tiny_models["idefics3"], screenshot)


def _the_apps_model_process_answers(iris: Path, model: Path, screenshot: Path) -> None:
    """The window's model process as the app starts it (the program itself with
    MODEL_PROCESS_FLAG, one model: torchvision, torch's compiler and distributed tensors kept
    out) loads the tiny model and answers through the proxy."""
    from PIL import Image

    from desktop_app.core.types import Request
    from desktop_app.engine.process import MODEL_PROCESS_FLAG, BackendSpec, Kind, ProcessBackend
    from desktop_app.settings import EngineSettings

    spec = BackendSpec(Kind.LOCAL_MODEL, EngineSettings(model=str(model)))
    backend = ProcessBackend(spec, command=[str(iris), MODEL_PROCESS_FLAG])
    pieces: list[str] = []
    try:
        backend.load()
        request = Request.single("Describe.", [Image.open(screenshot)], max_new_tokens=3)
        answer = backend.start(request, pieces.append)
    finally:
        backend.close()
    assert 1 <= answer.generated_tokens <= 3 and "".join(pieces) == answer.text


CATALOGUE_LANGUAGES = sorted(
    path.parent.parent.name for path in (ROOT / "desktop_app" / "locale").glob("*/LC_MESSAGES/*.po")
)
"""The languages with a catalogue in this checkout (the build compiles each)."""


def _speaks_each_language(iris: Path, tmp_path: Path) -> None:
    """`iris --help` in each catalogue's language (IRIS_LANGUAGE): the compiled catalogue
    loads, and its words are the catalogue's."""
    import gettext

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for language in CATALOGUE_LANGUAGES:
        po = ROOT / "desktop_app" / "locale" / language / "LC_MESSAGES" / "iris.po"
        mo = tmp_path / "locale" / language / "LC_MESSAGES" / "iris.mo"
        mo.parent.mkdir(parents=True)
        with po.open("rb") as source, mo.open("wb") as compiled:
            write_mo(compiled, read_po(source))
        words = gettext.translation("iris", tmp_path / "locale", [language]).gettext
        env = {**os.environ, "IRIS_LANGUAGE": language}
        shown = _run([str(iris), "--help"], cwd=tmp_path, env=env)
        assert shown.returncode == 0, shown.stderr
        flat = " ".join(shown.stdout.split())
        assert words(messages.CLI_HELP_BATCH) in flat, (language, flat[:500])
        assert words(messages.CLI_HELP_BATCH) != messages.CLI_HELP_BATCH


def _no_missing_qt_libraries() -> None:
    """Every Qt library, plugin and PySide6 module kept finds the Qt libraries it links (none
    of them was left out)."""
    plugins = sorted((APP / "_internal" / "PySide6").rglob("*.so*"))
    assert len(plugins) > 20
    for plugin in plugins:
        linked = _run(["ldd", str(plugin)]).stdout
        missing = [line for line in linked.splitlines() if "Qt6" in line and "not found" in line]
        assert not missing, (plugin.name, missing)
