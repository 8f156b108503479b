"""Make (or reuse) build/app-venv, the virtual environment the one-folder app is built from.

    python packaging/make_app_venv.py        (Linux, macOS, Windows; Python 3.11 or newer)

Installs packaging/requirements-app.txt (torch's CPU-only build, no torchvision, PyInstaller),
swaps opencv-python for the same version's headless build, checks that torch has no CUDA,
then installs Iris from this checkout without its dependencies, as a wheel would (package
data included). The environment is remade only when the requirements file changes (its hash
is kept in build/app-venv/.requirements). Prints the environment's Python. Standard library
only: it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "packaging" / "requirements-app.txt"
VENV = ROOT / "build" / "app-venv"
STAMP = VENV / ".requirements"
NOISE = "is ignored: it is neither a file nor a directory"
"""A pip warning about this machine's extra index folders, left out of the output."""


def venv_python(folder: Path = VENV) -> Path:
    """The environment's Python."""
    scripts = "Scripts" if os.name == "nt" else "bin"
    return folder / scripts / ("python.exe" if os.name == "nt" else "python")


def requirements_digest(path: Path = REQUIREMENTS) -> str:
    """The first 16 hex digits of the requirements file's SHA-256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def headless_opencv(path: Path = REQUIREMENTS) -> str | None:
    """The `opencv-python-headless==X` requirement of the file, if it has one."""
    match = re.search(r"^(opencv-python-headless==\S+)", path.read_text(), re.MULTILINE)
    return match.group(1) if match else None


def pip(python: Path, *args: str) -> None:
    """Run pip quietly in the environment; its output, less this machine's noise, to stderr.
    It runs in the environment's folder: from the checkout, `python -m pip` would take the
    checkout's own iris_desktop.egg-info (left by an editable install or a wheel build, maybe
    half-written) for an installed distribution."""
    command = [str(python), "-m", "pip", "--disable-pip-version-check", "--quiet", *args]
    result = subprocess.run(command, capture_output=True, text=True, cwd=VENV)
    for line in (result.stdout + result.stderr).splitlines():
        if NOISE not in line:
            print(line, file=sys.stderr)
    if result.returncode != 0:
        raise SystemExit(f"pip {' '.join(args[:2])} failed in {VENV}")


def make() -> Path:
    """Create the environment if its requirements changed; install Iris into it."""
    python = venv_python()
    digest = requirements_digest()
    if not STAMP.is_file() or STAMP.read_text().strip() != digest:
        print(f"Making {VENV} from {REQUIREMENTS.name} (a few minutes)...", file=sys.stderr)
        shutil.rmtree(VENV, ignore_errors=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
        pip(python, "install", "-r", str(REQUIREMENTS))
        headless = headless_opencv()
        if headless:
            # rapidocr-onnxruntime asks for opencv-python, whose cv2 carries Qt 5 (and points
            # Qt's plugin path at it); the same version's headless cv2 is all Iris needs.
            pip(python, "uninstall", "--yes", "opencv-python")
            pip(python, "install", "--no-deps", "--force-reinstall", headless)
        check = "import sys, torch, PyInstaller; sys.exit(torch.version.cuda is not None)"
        if subprocess.run([str(python), "-c", check]).returncode != 0:
            raise SystemExit(
                "The app needs torch's CPU-only build: set "
                "PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu (or put the "
                "torch-*+cpu wheel in PIP_FIND_LINKS) and run this again."
            )
        STAMP.write_text(digest + "\n")
    # setuptools builds in build/lib and build/bdist.*, and would reuse files since deleted.
    for stale in (ROOT / "build" / "lib", *(ROOT / "build").glob("bdist.*")):
        shutil.rmtree(stale, ignore_errors=True)
    pip(python, "install", "--no-deps", "--no-build-isolation", "--force-reinstall", str(ROOT))
    return python


if __name__ == "__main__":
    print(make())
