"""A model shipped inside the one-folder app (engine/models/bundled.py): found offline, by Hub id,
never asked to be downloaded, listed as bundled, and the default when none is chosen."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core import messages
from desktop_app.engine.local.backend import LocalBackend
from desktop_app.engine.models import bundled
from desktop_app.engine.models.hub import is_downloaded, resolve_model
from desktop_app.settings import DEFAULT_MODEL, AppSettings, EngineSettings
from tests.helpers.app_process import offscreen_app_env
from tests.helpers.cli import events, run_cli
from tests.helpers.controllers import ControllerFactory

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 120_000
SHIPPED = "test-org/tiny-vlm"
"""A Hub id no cache holds: only the bundled folder can answer for it."""


def _ship(root: Path, name: str, model: Path) -> Path:
    """Put `model` in the bundled models' folder `root` as `name` (a link: no copying)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / name).symlink_to(model, target_is_directory=True)
    return root / name


@pytest.fixture
def shipped(tmp_path: Path, tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """IRIS_BUNDLED_MODELS holding the tiny Idefics3 model as `test-org--tiny-vlm`."""
    root = tmp_path / "models"
    _ship(root, bundled.folder_name(SHIPPED), tiny_models["idefics3"])
    monkeypatch.setenv(bundled.BUNDLED_MODELS_VARIABLE, str(root))
    return root


def test_a_hub_id_loads_from_its_bundled_folder_offline(shipped: Path) -> None:
    assert bundled.bundled_folder(SHIPPED) == shipped / "test-org--tiny-vlm"
    assert resolve_model(SHIPPED, allow_download=False) == shipped / "test-org--tiny-vlm"
    assert is_downloaded(SHIPPED)
    assert not is_downloaded("test-org/other-model")  # not shipped, not downloaded


def test_a_folder_named_by_the_model_alone_counts_too(
    tmp_path: Path, tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "models"
    _ship(root, "SmolVLM-500M-Instruct", tiny_models["idefics3"])
    monkeypatch.setenv(bundled.BUNDLED_MODELS_VARIABLE, str(root))
    assert bundled.bundled_folder("HuggingFaceTB/SmolVLM-500M-Instruct") == (
        root / "SmolVLM-500M-Instruct"
    )
    # a catalogue model's bare folder name is known by its Hub id
    assert [m.model for m in bundled.bundled_models()] == ["HuggingFaceTB/SmolVLM-500M-Instruct"]
    assert bundled.bundled_default() == "HuggingFaceTB/SmolVLM-500M-Instruct"


def test_only_plain_names_are_looked_up(shipped: Path) -> None:
    (shipped / "no-config").mkdir()
    for model in ("../models/test-org--tiny-vlm", "a/b/c", "test-org/..", ".", "no-config"):
        assert bundled.bundled_folder(model) is None, model


def test_without_a_frozen_app_or_the_variable_nothing_is_bundled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(bundled.BUNDLED_MODELS_VARIABLE, raising=False)
    assert bundled.models_dir() is None
    assert bundled.bundled_models() == [] and bundled.bundled_default() is None
    assert bundled.preferred_model(DEFAULT_MODEL) == DEFAULT_MODEL


def test_the_frozen_app_looks_beside_its_program(
    tmp_path: Path, tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As PyInstaller's program: sys.frozen set, sys.executable in the app's folder."""
    monkeypatch.delenv(bundled.BUNDLED_MODELS_VARIABLE, raising=False)
    app = tmp_path / "iris"
    app.mkdir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(app / "iris"))
    monkeypatch.setattr(sys, "_MEIPASS", str(app / "_internal"), raising=False)
    assert bundled.models_dir() is None  # an app without models
    _ship(app / "models", bundled.folder_name(DEFAULT_MODEL), tiny_models["idefics3"])
    assert bundled.models_dir() == app / "models"
    assert bundled.bundled_folder(DEFAULT_MODEL) == app / "models" / bundled.folder_name(
        DEFAULT_MODEL
    )


def test_the_default_prefers_irises_default_then_a_catalogue_model(
    tmp_path: Path, tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "models"
    monkeypatch.setenv(bundled.BUNDLED_MODELS_VARIABLE, str(root))
    _ship(root, "aaa-own-model", tiny_models["idefics3"])
    assert bundled.bundled_default() == "aaa-own-model"
    assert bundled.preferred_model(DEFAULT_MODEL) == "aaa-own-model"
    assert bundled.preferred_model("someone/chosen") == "someone/chosen"  # a user's choice stays
    _ship(root, "HuggingFaceTB--SmolVLM-Instruct", tiny_models["idefics3"])
    assert bundled.bundled_default() == "HuggingFaceTB/SmolVLM-Instruct"
    _ship(root, bundled.folder_name(DEFAULT_MODEL), tiny_models["idefics3"])
    assert bundled.bundled_default() == DEFAULT_MODEL
    assert bundled.preferred_model(DEFAULT_MODEL) == DEFAULT_MODEL


def test_models_list_shows_bundled_models(
    capsys: pytest.CaptureFixture[str], shipped: Path, tiny_models: dict[str, Path]
) -> None:
    _ship(shipped, bundled.folder_name(DEFAULT_MODEL), tiny_models["idefics3"])
    code, out, _ = run_cli(capsys, "models", "list")
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert messages.MODEL_BUNDLED in rows[DEFAULT_MODEL]
    assert messages.MODEL_NOT_IN_CACHE in rows["HuggingFaceTB/SmolVLM-500M-Instruct"]
    assert messages.MODEL_BUNDLED in rows[SHIPPED]  # not in the catalogue: listed after it


@pytest.mark.parametrize("chosen", [[], ["--model", SHIPPED]])
def test_describe_uses_the_bundled_model_offline(
    capsys: pytest.CaptureFixture[str], shipped: Path, screenshot: Path, chosen: list[str]
) -> None:
    """Without --model the bundled model is the default; with its Hub id it is found."""
    code, out, err = run_cli(
        capsys, "describe", str(screenshot), *chosen, "--max-new-tokens", "3", "--format", "jsonl"
    )
    assert code == 0, err
    assert events(out)[-1]["event"] == "answer"


def test_the_window_loads_a_bundled_model_without_asking_to_download(
    qtbot: QtBot, make_controller: ControllerFactory, shipped: Path
) -> None:
    def never_asked(title: str, text: str) -> bool:
        raise AssertionError(f"asked: {text}")

    settings = AppSettings().with_changes(engine=EngineSettings(model=SHIPPED, max_new_tokens=3))
    controller = make_controller(
        settings,
        backend=LocalBackend(settings.engine, allow_download=False),
        confirm=never_asked,
    )
    assert is_downloaded(settings.engine.model)
    with qtbot.waitSignal(controller.session.model_ready, timeout=TIMEOUT_MS) as ready:
        controller.load_model()
    assert SHIPPED in ready.args[0]


@pytest.mark.slow
def test_the_app_opens_with_the_bundled_model_as_its_default(tmp_path: Path, shipped: Path) -> None:
    """`python -m desktop_app` with no model configured and none downloaded, but one bundled:
    no download question (without it, test_startup_probe's app asks)."""
    report = tmp_path / "ready.json"
    env = offscreen_app_env(tmp_path, report)
    command = [sys.executable, "-m", "desktop_app", "--speak-to-files", str(tmp_path / "speech")]
    process = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    output = process.stdout + process.stderr
    assert process.returncode == 0, output
    assert "Traceback" not in output and "ERROR" not in output, output
    data = json.loads(report.read_text())
    assert data["ready"]["modal"] is None and data["idle"]["modal"] is None
