"""What the PyInstaller spec files share: what goes into Iris's one-folder app, and what not.

Imported by packaging/iris-{linux,windows,macos}.spec (PyInstaller runs them with packaging/
on sys.path) and by tests/packaging/test_packaging.py. PyInstaller itself is imported only inside
the functions that need it, so that the tests can use the rest without it.

The app holds Python, Iris, its packages (torch as the CPU-only build; no torchvision; see
packaging/requirements-app.txt), only the Qt libraries and plugins a Widgets program needs,
the text reader's PP-OCR models, Iris's icon, LICENSE, THIRD_PARTY_NOTICES.md and the licence
files of every bundled distribution (`licenses/`). Optionally a vision-language model:
IRIS_BUNDLE_MODEL names model folders, or Hub ids in this computer's Hugging Face cache,
separated by os.pathsep; each goes into the app's `models/` folder, where Iris finds it
(desktop_app/engine/models/bundled.py).
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path, PurePath
from typing import Any

PACKAGING = Path(__file__).resolve().parent
ROOT = PACKAGING.parent
ENTRY_SCRIPT = PACKAGING / "iris_main.py"
APP_NAME = "iris"
"""The program's name (the `iris` command) and the one-folder app's folder: dist/iris/."""
DISPLAY_NAME = "Iris"
BUNDLE_MODEL_VARIABLE = "IRIS_BUNDLE_MODEL"

# --- Python modules ----------------------------------------------------------------------------
UNUSED_QT_MODULES = (
    "QtQml", "QtQmlCore", "QtQmlFeatures", "QtQmlMeta", "QtQmlModels", "QtQmlWorkerScript",
    "QtQuick", "QtQuick3D", "QtQuickControls2", "QtQuickTest", "QtQuickWidgets",
    "QtVirtualKeyboard", "QtWebEngine", "QtWebEngineCore", "QtWebEngineWidgets",
    "QtWebEngineQuick", "QtWebChannel", "QtWebSockets", "QtPdf", "QtPdfWidgets", "Qt3DCore",
    "Qt3DRender", "Qt3DInput", "Qt3DLogic", "Qt3DAnimation", "Qt3DExtras", "QtCharts",
    "QtDataVisualization", "QtGraphs", "QtMultimedia", "QtMultimediaWidgets", "QtNetwork",
    "QtNetworkAuth", "QtSql", "QtTest", "QtDesigner", "QtUiTools", "QtHelp", "QtOpenGL",
    "QtOpenGLWidgets", "QtPrintSupport", "QtXml", "QtConcurrent", "QtSvgWidgets",
    "QtLabsStyleKit", "QtBluetooth", "QtNfc", "QtPositioning", "QtLocation", "QtSensors",
    "QtSerialPort", "QtSerialBus", "QtRemoteObjects", "QtScxml", "QtStateMachine",
    "QtTextToSpeech", "QtSpatialAudio", "QtHttpServer",
)  # fmt: skip
"""PySide6 modules Iris does not use: it uses QtCore, QtGui and QtWidgets only."""

UNUSED_MODULES = (
    "tkinter", "_tkinter", "matplotlib", "IPython", "jedi", "notebook", "pytest", "_pytest",
    "hypothesis", "torchvision", "tensorboard", "torch.utils.tensorboard", "pandas", "scipy",
    "sklearn", "PyQt5", "PyQt6", "gi", "pip", "desktop_app.testing", "tests",
)  # fmt: skip
"""Other modules the app never uses; some are big, some are reached only by optional imports."""

EXCLUDED_MODULES = [*(f"PySide6.{name}" for name in UNUSED_QT_MODULES), *UNUSED_MODULES]

TRANSFORMERS_MODEL_PACKAGES = (
    # the families Iris supports (engine/local/families.py)
    "idefics3", "smolvlm", "idefics2", "idefics", "llava",
    # what their checkpoints are built from: text models, vision towers, tokenizers
    "auto", "llama", "mistral", "qwen2", "siglip", "clip", "gpt2", "encoder_decoder",
)  # fmt: skip
"""transformers imports models lazily, so PyInstaller cannot see them: these are collected."""

TRANSFORMERS_LEFT_OUT = ("transformers.models.", "transformers.commands", "transformers.cli")
"""The other models, and the `transformers` command (serve, chat) Iris never runs."""


def hidden_imports() -> list[str]:
    """Modules imported in ways PyInstaller cannot follow (lazily, by name)."""
    from PyInstaller.utils.hooks import collect_submodules

    modules = collect_submodules("desktop_app", filter=lambda name: ".testing" not in name)
    modules += collect_submodules(
        "transformers", filter=lambda name: not name.startswith(TRANSFORMERS_LEFT_OUT)
    )
    for package in TRANSFORMERS_MODEL_PACKAGES:
        modules += collect_submodules(f"transformers.models.{package}")
    modules += ["pyttsx3", *collect_submodules("pyttsx3.drivers")]  # importlib, by platform
    if sys.platform == "darwin":
        modules += collect_submodules("pynput")  # picks its backend by platform, by name
    return modules


def data_files() -> list[tuple[str, str]]:
    """(source, folder in the app) of data Iris needs: its icon, the text reader's models and
    configuration, transformers' data (chat templates, JSON tables)."""
    from PyInstaller.utils.hooks import collect_data_files

    datas = collect_data_files("desktop_app", excludes=["testing/**"])
    datas += collect_data_files("rapidocr_onnxruntime")  # PP-OCRv4 *.onnx, config.yaml
    datas += collect_data_files(
        "transformers", excludes=["**/*.cu", "**/*.cuh", "**/*.cpp", "**/*.h", "**/*.pyi"]
    )
    return datas


# --- Qt libraries and plugins ------------------------------------------------------------------
UNWANTED_QT_LIBRARIES = (
    "Qt6Qml*", "Qt6Quick*", "Qt6VirtualKeyboard*", "Qt6WebEngine*", "Qt6WebChannel*",
    "Qt6WebSockets*", "Qt6Pdf*", "Qt63D*", "Qt6Charts*", "Qt6DataVisualization*",
    "Qt6Graphs*", "Qt6Multimedia*", "Qt6Network*", "Qt6Sql*", "Qt6Test*", "Qt6Designer*",
    "Qt6UiTools*", "Qt6Help*", "Qt6Labs*", "Qt6Lottie*", "Qt6ShaderTools*",
    "Qt6WaylandCompositor*", "Qt6WlShellIntegration*", "Qt6OpenGLWidgets*", "Qt6PrintSupport*",
    "Qt6Xml*", "Qt6Concurrent*", "Qt6SvgWidgets*", "Qt6TextToSpeech*",
    "Qt6EglFS*", "Qt6EglFs*",  # the embedded full-screen platform, left out below
)  # fmt: skip
"""Shared libraries left out, as file names without `lib` and the suffix (Linux
libQt6Qml.so.6, Windows Qt6Qml.dll, macOS QtQml.framework are all matched)."""

UNWANTED_QT_PLUGINS = (
    "platforminputcontexts/*virtualkeyboard*",  # pulls in QtQuick and QtQml
    "qmltooling/*", "sqldrivers/*", "designer/*", "vectorimageformats/*", "tls/*",
    "networkinformation/*", "printsupport/*", "wayland-graphics-integration-server/*",
    "imageformats/*qpdf*", "egldeviceintegrations/*", "platforms/*eglfs*",
    "platforms/*linuxfb*", "platforms/*vnc*", "platforms/*vkkhrdisplay*",
    "platforms/*minimalegl*",
    "generic/*tuiotouch*",  # touch events over the network: QtNetwork
    "wayland-shell-integration/*wl-shell*",  # the obsolete wl_shell (xdg-shell stays)
)  # fmt: skip
"""Qt plugins (below Qt's plugins folder) left out. Kept: xcb, wayland, offscreen (tests)
and the Windows/macOS platforms, the compose and IBus input methods, image formats (the
icon is SVG), icon engines, platform themes and the accessibility (AT-SPI over D-Bus) that
screen readers need."""


def _qt_library_name(path: PurePath) -> str | None:
    """`Qt6Qml` for libQt6Qml.so.6, Qt6Qml.dll or QtQml.framework/...; None for non-Qt files."""
    for part in path.parts:
        if part.endswith(".framework"):
            return "Qt6" + part.removesuffix(".framework").removeprefix("Qt")
    name = path.name.removeprefix("lib")
    match = re.match(r"(Qt6[A-Za-z0-9]+)", name)
    return match.group(1) if match else None


def unwanted_qt(destination: str) -> bool:
    """True for a file the app leaves out: an unwanted Qt library (wherever it lies: PyInstaller
    may link one to the top folder), or an unwanted plugin or QML module of PySide6."""
    path = PurePath(destination.replace("\\", "/"))
    if "PySide6" in path.parts:
        parts = path.parts[path.parts.index("PySide6") + 1 :]
        if "qml" in parts:
            return True
        if "plugins" in parts:
            below = "/".join(parts[parts.index("plugins") + 1 :])
            if any(fnmatch.fnmatch(below, pattern) for pattern in UNWANTED_QT_PLUGINS):
                return True
    library = _qt_library_name(path)
    return library is not None and any(
        fnmatch.fnmatch(library, pattern) for pattern in UNWANTED_QT_LIBRARIES
    )


def without_unwanted_qt(toc: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The TOC (PyInstaller's (destination, source, kind) list) without unwanted Qt files."""
    return [entry for entry in toc if not unwanted_qt(entry[0])]


# --- licences --------------------------------------------------------------------------------
_LICENCE_NAME = re.compile(
    r"^(LICEN[CS]E|COPYING|NOTICE|AUTHORS|COPYRIGHT|THIRD.?PARTY)", re.IGNORECASE
)


QT_LICENCES = ROOT / "resources" / "licenses"
"""LGPL-3.0.txt and GPL-3.0.txt: the licence of Qt and PySide6, whose wheels carry none."""


def distributions_of(module_names: Iterable[str]) -> list[str]:
    """The installed distributions that provide the top-level packages of `module_names`."""
    providers = metadata.packages_distributions()
    found: set[str] = set()
    for name in module_names:
        found.update(providers.get(name.split(".")[0], ()))
    return sorted(found, key=str.casefold)


def licence_files(distribution: str) -> list[tuple[Path, str]]:
    """(file, folder below the distribution's licences) of its licence texts: its dist-info's
    `licenses/` folder (PEP 639), files named LICENSE, COPYING, NOTICE, AUTHORS, COPYRIGHT or
    THIRD-PARTY... in its dist-info, and such files at the top of its packages (onnxruntime
    keeps its LICENSE and ThirdPartyNotices.txt there)."""
    dist = metadata.distribution(distribution)
    found = []
    for file in dist.files or ():
        parts = PurePath(str(file)).parts
        if not parts or parts[0] == "..":
            continue  # outside site-packages (scripts, data)
        named = bool(_LICENCE_NAME.match(parts[-1])) or "licenses" in parts[1:-1]
        in_info = parts[0].endswith((".dist-info", ".egg-info"))
        if named and (in_info or len(parts) == 2):
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                inner = parts[1:-1]
                below = "/".join(inner[1:] if inner[:1] == ("licenses",) else inner)
                below = below if in_info else ""
                found.append((path, below))
    return sorted(found)


def licence_summary(distribution: str) -> str:
    """One line for the licences index: name, version and licence, as its metadata says."""
    info = metadata.metadata(distribution)
    licence = info.get("License-Expression") or info.get("License") or ""
    if not licence or len(licence) > 80:  # some put the whole text there
        classifiers = [c.split(" :: ")[-1] for c in info.get_all("Classifier") or ()]
        licence = "; ".join(c for c in classifiers if "Licen" in c) or (
            "see the files in this folder" if licence else "not stated in its metadata"
        )
    return f"{info['Name']} {info['Version']}: {licence}"


def licence_datas(module_names: Iterable[str], workdir: Path) -> list[tuple[str, str]]:
    """(source, folder in the app) for LICENSE, THIRD_PARTY_NOTICES.md, Python's licence,
    `licenses/<distribution>/...` of every distribution whose modules the app holds, and
    `licenses/INDEX.txt` (written to `workdir`): each distribution's version and licence."""
    datas = [(str(ROOT / name), ".") for name in ("LICENSE", "THIRD_PARTY_NOTICES.md")]
    python = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    for python_licence in (
        Path(sys.base_prefix) / "lib" / python / "LICENSE.txt",  # Linux, macOS
        Path(sys.base_prefix) / "LICENSE.txt",  # Windows
    ):
        if python_licence.is_file():
            datas.append((str(python_licence), "licenses/Python"))
            break
    # Qt's wheels carry no licence text: Iris keeps the LGPL-3.0 and the GPL-3.0 it builds on.
    datas += [(str(path), "licenses/Qt") for path in sorted(QT_LICENCES.glob("*.txt"))]
    index = [
        "The packages inside this copy of Iris, their versions and licences. Their licence",
        "texts are in the folder of the same name (Qt's and PySide6's in Qt/); how Qt may be",
        "replaced, and the other notices, are in THIRD_PARTY_NOTICES.md.",
        "",
        f"Python {sys.version.split()[0]}: PSF-2.0",
    ]
    placed: set[tuple[str, str]] = set()
    for distribution in [*distributions_of(module_names), "pyinstaller"]:
        if distribution == "iris-desktop":
            continue  # Iris's own: LICENSE, above
        index.append(licence_summary(distribution))
        for file, below in licence_files(distribution):
            folder = f"licenses/{distribution}" + (f"/{below}" if below else "")
            if (file.name, folder) not in placed:  # cv2 has the same files twice
                placed.add((file.name, folder))
                datas.append((str(file), folder))
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "INDEX.txt").write_text("\n".join(index) + "\n", encoding="utf-8")
    datas.append((str(workdir / "INDEX.txt"), "licenses"))
    return datas


def module_names(analysis: Any) -> list[str]:
    """Top-level names of every Python module and extension the Analysis collected."""
    names = {entry[0].split(".")[0] for entry in analysis.pure}
    names |= {PurePath(entry[0].replace("\\", "/")).parts[0] for entry in analysis.binaries}
    return sorted(name for name in names if name.isidentifier())


# --- documents and the Linux desktop files ------------------------------------------------------
def changelog_datas() -> list[tuple[str, str]]:
    """(source, folder in the app) of CHANGELOG.md, beside LICENSE."""
    return [(str(ROOT / "CHANGELOG.md"), ".")]


def freedesktop_datas() -> list[tuple[str, str]]:
    """(source, folder in the app) of the Linux launcher, AppStream metainfo and icons, in a
    `share/` folder laid out as /usr/share is (README: copy it to ~/.local/share)."""
    resources = ROOT / "resources"
    datas = [
        (str(resources / f"{app_id()}.desktop"), "share/applications"),
        (str(resources / f"{app_id()}.metainfo.xml"), "share/metainfo"),
    ]
    for icon in sorted((resources / "icons").rglob("*")):
        if icon.is_file():
            datas.append((str(icon), "share/" + icon.parent.relative_to(resources).as_posix()))
    return datas


# --- bundled models ------------------------------------------------------------------------------
def bundled_model_folders(value: str | None = None) -> list[tuple[str, Path]]:
    """(name in `models/`, folder) for each model IRIS_BUNDLE_MODEL names (or `value`): a model
    folder (named as it is, or `org--name` when it is a Hugging Face cache snapshot), or a Hub
    id already in the Hugging Face cache (`org--name`). Each is checked as Iris checks models
    (safetensors weights only, no custom code). Raises SystemExit with a plain reason."""
    from desktop_app.core.errors import IrisError
    from desktop_app.engine.models.bundled import folder_name
    from desktop_app.engine.models.hub import cached_snapshot, check_model_folder, looks_like_path

    text = os.environ.get(BUNDLE_MODEL_VARIABLE, "") if value is None else value
    chosen = []
    for item in (part.strip() for part in text.split(os.pathsep)):
        if not item:
            continue
        if looks_like_path(item):
            folder = Path(item).expanduser().resolve()
            snapshot = folder.parent.name == "snapshots" and folder.parents[1].name.startswith(
                "models--"
            )
            name = folder.parents[1].name.removeprefix("models--") if snapshot else folder.name
        else:
            cached = cached_snapshot(item)
            if cached is None:
                raise SystemExit(
                    f"{BUNDLE_MODEL_VARIABLE}: {item} is not in the Hugging Face cache; "
                    f"run `iris models download {item}` first, or name its folder."
                )
            folder, name = cached, folder_name(item)
        if not folder.is_dir():
            raise SystemExit(f"{BUNDLE_MODEL_VARIABLE}: no model folder at {folder}")
        try:
            check_model_folder(folder, item)
        except IrisError as error:
            raise SystemExit(f"{BUNDLE_MODEL_VARIABLE}: {error.message}") from None
        chosen.append((name, folder))
    return chosen


def model_datas(models: Sequence[tuple[str, Path]]) -> list[tuple[str, str]]:
    """(source, folder in the app) of each file of the bundled models, links followed."""
    datas = []
    for name, folder in models:
        for file in sorted(folder.rglob("*")):
            if file.is_file() and not file.name.startswith("."):
                below = file.parent.relative_to(folder).as_posix()
                target = f"models/{name}" + ("" if below == "." else f"/{below}")
                datas.append((str(file.resolve()), target))
    return datas


def as_toc(datas: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(source, folder) pairs as TOC entries, to add to an Analysis's datas after it ran."""
    return [
        ((PurePath(folder) / Path(source).name).as_posix(), source, "DATA")
        for source, folder in datas
    ]


def place(datas: Iterable[tuple[str, str]], root: Path) -> None:
    """Copy (source, folder) pairs below `root` (beside the program, after COLLECT)."""
    for source, folder in datas:
        target = root / folder
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / Path(source).name)


# --- version and macOS ---------------------------------------------------------------------------
def version() -> str:
    """desktop_app.__version__, read from the source (the one place it is written)."""
    text = (ROOT / "desktop_app" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise SystemExit("desktop_app/__init__.py has no __version__")
    return match.group(1)


def app_id() -> str:
    """Iris's reverse-DNS id (desktop_app.APP_ID): the macOS bundle identifier."""
    text = (ROOT / "desktop_app" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^APP_ID = "([^"]+)"', text, re.MULTILINE)
    if match is None:
        raise SystemExit("desktop_app/__init__.py has no APP_ID")
    return match.group(1)


LOCALE = ROOT / "desktop_app" / "locale"
PLIST_MESSAGES = {
    "NSHumanReadableCopyright": "MACOS_COPYRIGHT",
    "NSScreenCaptureUsageDescription": "MACOS_SCREEN_CAPTURE_USAGE",
    "NSAccessibilityUsageDescription": "MACOS_ACCESSIBILITY_USAGE",
    "NSInputMonitoringUsageDescription": "MACOS_INPUT_MONITORING_USAGE",
}
"""The Info.plist keys macOS shows the user, and the core.messages sentence of each."""


def catalogue_languages(locale: Path = LOCALE) -> list[str]:
    """The languages Iris has a catalogue for (desktop_app/locale/<language>/LC_MESSAGES)."""
    return sorted(po.parent.parent.name for po in locale.glob("*/LC_MESSAGES/iris.po"))


def info_plist_strings(workdir: Path, locale: Path = LOCALE) -> list[tuple[str, str]]:
    """Write each catalogue's language's `<language>.lproj/InfoPlist.strings` under `workdir`
    (the permission explanations macOS shows, and VoiceOver reads, in the user's language);
    return them as (source, folder in the bundle's Resources) pairs."""
    from babel.messages.pofile import read_po

    from desktop_app.core import messages

    made = []
    for language in catalogue_languages(locale):
        with (locale / language / "LC_MESSAGES" / "iris.po").open("rb") as source:
            catalogue = read_po(source)
        lines = []
        for key, name in PLIST_MESSAGES.items():
            entry = catalogue.get(getattr(messages, name))
            text = str(entry.string) if entry is not None and entry.string else ""
            if text:
                escaped = text.replace("\\", "\\\\").replace('"', '\\"')
                lines.append(f'"{key}" = "{escaped}";')
        folder = f"{language}.lproj"
        target = workdir / folder / "InfoPlist.strings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        made.append((str(target), folder))
    return made


INNO_LANGUAGES = {"de": "German", "es": "Spanish", "fr": "French"}
"""Catalogue languages, and Inno Setup's translation of its wizard (compiler:Languages\\X.isl)."""
INNO_FILE = ROOT / "build" / "inno-languages.iss"
"""Written by iris-windows.spec, included by packaging/windows/iris.iss."""


def inno_languages(target: Path = INNO_FILE, locale: Path = LOCALE) -> Path:
    """Write the installer's other languages (each catalogue language Inno Setup translates)
    and Iris's own words in each ({cm:IrisComment}: the Start menu entry's comment), as lines
    of iris.iss's [Languages] section followed by a [CustomMessages] section."""
    from babel.messages.pofile import read_po

    from desktop_app.core import messages

    english = messages.AUTOSTART_COMMENT
    lines, comments = [], [f"english.IrisComment={english}"]
    for language in catalogue_languages(locale):
        inno = INNO_LANGUAGES.get(language.split("_")[0])
        if inno is None:
            continue
        name = inno.lower()
        lines.append(f'Name: "{name}"; MessagesFile: "compiler:Languages\\{inno}.isl"')
        with (locale / language / "LC_MESSAGES" / "iris.po").open("rb") as source:
            entry = read_po(source).get(english)
        comments.append(f"{name}.IrisComment={entry.string if entry and entry.string else english}")
    target.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join([*lines, "", "[CustomMessages]", *comments, ""])
    target.write_text(text, encoding="utf-8-sig")  # the BOM: Inno Setup then reads UTF-8
    return target


def info_plist(app_version: str | None = None) -> dict[str, Any]:
    """The keys Iris adds to its macOS bundle's Info.plist (BUNDLE(info_plist=...)): its id and
    version, a normal Dock app with sharp text, why it asks for each permission (translated
    in each language's InfoPlist.strings), and the languages it speaks."""
    from desktop_app.core import messages

    release = app_version or version()
    return {
        "CFBundleDevelopmentRegion": "en",
        "CFBundleLocalizations": ["en", *catalogue_languages()],
        "CFBundleName": DISPLAY_NAME,
        "CFBundleDisplayName": DISPLAY_NAME,
        "CFBundleIdentifier": app_id(),
        "CFBundleShortVersionString": release,
        "CFBundleVersion": release,
        "LSUIElement": False,  # a Dock icon and a menu bar, like other programs
        "NSHighResolutionCapable": True,
        "NSHumanReadableCopyright": messages.MACOS_COPYRIGHT,
        "NSScreenCaptureUsageDescription": messages.MACOS_SCREEN_CAPTURE_USAGE,
        "NSAccessibilityUsageDescription": messages.MACOS_ACCESSIBILITY_USAGE,
        "NSInputMonitoringUsageDescription": messages.MACOS_INPUT_MONITORING_USAGE,
        # No NSAppleEventsUsageDescription: Iris sends no Apple events.
    }


def windows_version_file(workdir: Path, app_version: str | None = None) -> Path:
    """Write the Windows version resource of iris.exe and irisw.exe (Explorer's Details;
    iris.iss reads ProductVersion from it) in PyInstaller's version-file format, which
    EXE(version=...) reads; return its path."""
    release = app_version or version()
    numbers = tuple([int(n) for n in re.findall(r"\d+", release)[:4]] + [0, 0, 0, 0])[:4]
    strings = {
        "CompanyName": "The Iris developers",
        "FileDescription": DISPLAY_NAME,
        "FileVersion": release,
        "InternalName": APP_NAME,
        "LegalCopyright": "Apache License 2.0",
        "OriginalFilename": f"{APP_NAME}.exe",
        "ProductName": DISPLAY_NAME,
        "ProductVersion": release,
    }
    structs = ",\n        ".join(f"StringStruct({k!r}, {v!r})" for k, v in strings.items())
    text = f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={numbers}, prodvers={numbers}, mask=0x3f, flags=0x0,
    OS=0x40004, fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
        {structs}])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "version-info.txt"
    path.write_text(text, encoding="utf-8")
    return path
