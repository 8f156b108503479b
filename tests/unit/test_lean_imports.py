"""A process that loads one model leaves torchvision out where the family does without it:
each load runs in a fresh process, as the model process does."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.engine.local.lean_imports import (
    ONE_MODEL_ENV,
    WITHOUT_TORCHVISION,
    keep_torchvision_out,
    torchvision_kept_out,
)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # each test starts Python, torch and transformers afresh

LOAD_AND_ANSWER = """
import json, sys
from pathlib import Path
from PIL import Image
from desktop_app.core.types import Request
from desktop_app.engine.local.loading import load_model
from desktop_app.engine.local.precision import Hardware
from desktop_app.settings import EngineSettings

folder = Path(sys.argv[1])
loaded = load_model(folder, folder.name, EngineSettings(model=str(folder)), Hardware(cores=1))
image = Image.new("RGB", (320, 200), (40, 90, 200))
inputs = loaded.family.build_inputs(loaded.processor, Request.single("Describe.", [image]), [image])
output = loaded.model.generate(**inputs, max_new_tokens=2, do_sample=False)
print(json.dumps({
    "torchvision": sys.modules.get("torchvision") is not None,
    "image_processor": type(loaded.processor.image_processor).__name__,
    "new_tokens": output.shape[-1] - inputs["input_ids"].shape[-1],
}))
"""
TORCHVISION_INSTALLED = importlib.util.find_spec("torchvision") is not None


def _load_in_fresh_process(folder: Path, one_model: bool, cache: Path) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "IRIS_CACHE_DIR": str(cache)}
    env.pop(ONE_MODEL_ENV, None)
    if one_model:
        env[ONE_MODEL_ENV] = "1"
    command = [sys.executable, "-c", LOAD_AND_ANSWER, str(folder)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    figures: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def test_one_model_process_loads_smolvlm_without_torchvision(
    tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    figures = _load_in_fresh_process(tiny_models["idefics3"], True, tmp_path)
    assert figures["torchvision"] is False
    assert figures["image_processor"] == "Idefics3ImageProcessorPil"
    assert figures["new_tokens"] == 2


@pytest.mark.parametrize("family", sorted(WITHOUT_TORCHVISION - {"idefics3"}))
def test_every_family_listed_answers_without_torchvision(
    family: str, tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    figures = _load_in_fresh_process(tiny_models[family], True, tmp_path)
    assert figures["torchvision"] is False
    assert str(figures["image_processor"]).endswith("Pil")
    assert figures["new_tokens"] == 2


@pytest.mark.skipif(not TORCHVISION_INSTALLED, reason="torchvision is not installed")
def test_smolvlm2_keeps_torchvision_for_its_video_processor(
    tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    figures = _load_in_fresh_process(tiny_models["smolvlm2"], True, tmp_path)
    assert figures["torchvision"] is True
    assert figures["new_tokens"] == 2


@pytest.mark.skipif(not TORCHVISION_INSTALLED, reason="torchvision is not installed")
def test_a_process_loading_any_model_keeps_transformers_choice(
    tiny_models: dict[str, Path], tmp_path: Path
) -> None:
    figures = _load_in_fresh_process(tiny_models["idefics3"], False, tmp_path)
    assert figures["torchvision"] is True
    assert figures["new_tokens"] == 2


def test_a_family_needing_torchvision_changes_nothing() -> None:
    before = sys.modules.get("torchvision", "absent")
    assert keep_torchvision_out("smolvlm") is torchvision_kept_out()
    assert sys.modules.get("torchvision", "absent") is before
