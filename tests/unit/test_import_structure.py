"""transformers' import structure remembered from one model process to the next
(engine/local/import_structure.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from desktop_app.engine.local import import_structure
from desktop_app.engine.local.import_structure import FILE_NAME, remembered

ROOT = Path(__file__).resolve().parents[2]

STRUCTURE = {
    frozenset({"torch"}): {"alpha.modeling_alpha": {"AlphaModel", "AlphaPreTrainedModel"}},
    frozenset(): {"alpha.configuration_alpha": {"AlphaConfig"}},
}


def afresh(define: Any) -> Any:
    """`remembered(define)` as a new model process makes it: the kept file read again."""
    import_structure._loaded.cache_clear()
    return remembered(define)


class CountingDefine:
    """Stands for transformers' define_import_structure: counts the folders it reads."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None]] = []

    def __call__(self, module_path: str, prefix: str | None = None) -> Any:
        self.calls.append((module_path, prefix))
        return STRUCTURE


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of model packages, and a cache of its own."""
    monkeypatch.setenv("IRIS_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "models"
    (folder / "alpha").mkdir(parents=True)
    (folder / "__init__.py").write_text("", encoding="utf-8")
    return folder


def test_a_second_process_reads_the_structure_without_the_source(models: Path) -> None:
    """The first asking reads the folder and keeps the answer; a later process (a fresh
    wrapper) gets the same answer, sets and frozensets as transformers makes them, without
    reading the folder."""
    first, later = CountingDefine(), CountingDefine()
    assert afresh(first)(str(models), "models") == STRUCTURE
    assert first.calls == [(str(models), "models")]
    answer = afresh(later)(str(models), "models")
    assert answer == STRUCTURE and later.calls == []
    assert all(isinstance(key, frozenset) for key in answer)
    assert all(isinstance(names, set) for modules in answer.values() for names in modules.values())


def test_each_path_and_prefix_is_kept_apart(models: Path) -> None:
    """transformers asks for the same folder by two spellings (with and without a prefix);
    each is kept, and neither answers for the other."""
    afresh(CountingDefine())(str(models), "models")
    define = CountingDefine()
    afresh(define)(str(models / "__init__.py"))
    assert define.calls == [(str(models / "__init__.py"), None)]
    again = CountingDefine()
    afresh(again)(str(models / "__init__.py"))
    afresh(again)(str(models), "models")
    assert again.calls == []


def test_a_changed_folder_is_read_again(models: Path) -> None:
    """A model package added (or a transformers whose folders changed) makes the kept answer
    stale: the folder is read again."""
    afresh(CountingDefine())(str(models), "models")
    (models / "beta").mkdir()
    define = CountingDefine()
    afresh(define)(str(models), "models")
    assert define.calls == [(str(models), "models")]


def test_a_damaged_file_is_read_past(models: Path) -> None:
    """A cache file that is not JSON, or holds the wrong shapes, is ignored and written anew."""
    afresh(CountingDefine())(str(models), "models")
    kept = Path(os.environ["IRIS_CACHE_DIR"]) / FILE_NAME
    stamps = json.loads(kept.read_text(encoding="utf-8"))["stamps"]
    wrong_shape = {"stamps": stamps, "structures": {key: [[1, 2]] for key in stamps}}
    for damage in (
        "{not json",
        json.dumps({"stamps": "x", "structures": []}),
        json.dumps(wrong_shape),
    ):
        kept.write_text(damage, encoding="utf-8")
        define = CountingDefine()
        assert afresh(define)(str(models), "models") == STRUCTURE
        assert len(define.calls) == 1
    assert afresh(CountingDefine())(str(models), "models") == STRUCTURE


def test_an_unwritable_cache_only_costs_the_reading(
    models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the cache cannot be written the answer still comes, read from the source."""
    blocked = models.parent / "blocked"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("IRIS_CACHE_DIR", str(blocked / "cache"))
    define = CountingDefine()
    assert afresh(define)(str(models), "models") == STRUCTURE
    assert not blocked.is_dir()
    assert afresh(define)(str(models), "models") == STRUCTURE
    assert len(define.calls) == 2  # read each time: nothing could be kept


def test_too_late_once_transformers_is_imported() -> None:
    """In a process that has imported transformers already, nothing is changed."""
    import transformers.utils.import_utils  # noqa: F401

    before = list(sys.meta_path)
    assert import_structure.remember_import_structure() is False
    assert sys.meta_path == before


CHECK_IN_A_FRESH_PROCESS = """
import json
from desktop_app.engine.local.import_structure import remember_import_structure
assert remember_import_structure()
import transformers
from transformers.utils import import_utils
import transformers.models.idefics3  # the second spelling, then a model's own package
print(json.dumps({
    "wrapped": "remembered" in import_utils.define_import_structure.__wrapped__.__qualname__,
    "folders_read": import_utils.create_import_structure_from_path.cache_info().misses,
    "idefics3": "Idefics3ForConditionalGeneration" in dir(transformers),
}))
"""


@pytest.mark.slow  # two processes importing transformers afresh
def test_the_model_process_reads_transformers_folders_once(tmp_path: Path) -> None:
    """With the hook in place before transformers is imported, the first process reads
    transformers' model folders and keeps what it found; the next reads none of them, and
    transformers still finds its models."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "IRIS_CACHE_DIR": str(tmp_path)}
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", CHECK_IN_A_FRESH_PROCESS],
            env=env, capture_output=True, text=True, timeout=300, cwd=ROOT,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    first, second = runs
    assert first["wrapped"] and second["wrapped"]
    assert first["folders_read"] > 100  # every model folder, at least once
    assert second["folders_read"] == 0
    assert first["idefics3"] and second["idefics3"]
    assert (tmp_path / FILE_NAME).is_file()
