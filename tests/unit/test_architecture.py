"""Layering contracts, lint and types are part of the suite."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_import_layers_hold() -> None:
    result = _run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_ruff_is_clean() -> None:
    result = _run(str(BIN / "ruff"), "check", "desktop_app", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _run(str(BIN / "ruff"), "format", "--check", "desktop_app", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_is_clean() -> None:
    result = _run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def _loaded_by(statements: str, watched: tuple[str, ...]) -> tuple[list[str], str]:
    """Run `statements` in a fresh interpreter; which `watched` modules got imported, and stdout."""
    code = (
        f"{statements}\n"
        "import json, sys\n"
        f"print(json.dumps([m for m in {watched!r} if m in sys.modules]))\n"
    )
    result = _run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stdout + result.stderr
    *printed, loaded = result.stdout.splitlines()
    return json.loads(loaded), "\n".join(printed)


def test_core_needs_only_the_standard_library() -> None:
    loaded, _ = _loaded_by(
        "import desktop_app.core, desktop_app.core.messages",
        ("torch", "transformers", "PIL", "numpy"),
    )
    assert loaded == []


def test_model_acquisition_imports_no_torch() -> None:
    """engine.models (catalogue, Hub, revisions, integrity, bundled) stays light at run time
    too, beyond the import-linter contract: huggingface_hub and tqdm do not pull torch in."""
    loaded, _ = _loaded_by(
        "import pkgutil, importlib, desktop_app.engine.models as models\n"
        "for found in pkgutil.iter_modules(models.__path__):\n"
        "    importlib.import_module(f'desktop_app.engine.models.{found.name}')\n"
        "from desktop_app.engine.models.hub import is_downloaded\n"
        "assert not is_downloaded('iris-test/never-downloaded')",
        ("torch", "transformers", "torchvision", "accelerate", "desktop_app.engine.local"),
    )
    assert loaded == []


def test_cli_help_does_not_import_torch() -> None:
    loaded, shown = _loaded_by(
        "from desktop_app.cli.main import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0",
        ("torch",),
    )
    assert loaded == []
    assert "describe" in shown and "Ctrl+Alt+Shift+D" in shown


def _imported_modules(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_only_gui_imports_qtwidgets() -> None:
    package = ROOT / "desktop_app"
    offenders = [
        str(path.relative_to(ROOT))
        for path in package.rglob("*.py")
        if package / "gui" not in path.parents
        and any("QtWidgets" in name for name in _imported_modules(path))
    ]
    assert offenders == []
    assert _imported_modules(Path(__file__)) >= {"ast", "subprocess"}  # the scanner sees imports


def test_window_code_imports_no_torch() -> None:
    """The window appears before torch and transformers load (they load on the engine thread)."""
    loaded, _ = _loaded_by(
        "import desktop_app.gui.app, desktop_app.speech, desktop_app.capture, desktop_app.hotkeys",
        ("torch", "transformers", "pyttsx3"),
    )
    assert loaded == []
