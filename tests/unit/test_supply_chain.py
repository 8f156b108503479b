"""What Iris loads: safetensors only, never a model's own code, the commit it checked.

Downloads checked against the Hub's hashes are tested end to end in test_hub_download.py.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import pickle
import re
import shutil
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PIL import Image

from desktop_app.cli.main import main
from desktop_app.core import messages
from desktop_app.core.errors import ModelIntegrityError, UnsafeModelError
from desktop_app.core.types import Request
from desktop_app.engine.models import catalogue
from desktop_app.engine.models.hub import check_model_folder
from desktop_app.engine.models.integrity import ListedFile, discard, git_blob_id, matches, sha256_of
from desktop_app.engine.models.revisions import Pin, RevisionRecord, choose_commit, is_commit
from desktop_app.settings import EngineSettings, Quantization

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "desktop_app"
COMMIT_A = "a" * 40
COMMIT_B = "b" * 40


class _Trap:
    """Unpickling this runs `os.mkdir(path)`: what a hostile pickle .bin could do."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return os.mkdir, (str(self.path),)


def _copy_model(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


# -- pickle weights and custom code are refused, with the reason -------------------------
def test_pickle_only_folder_is_refused_from_the_cli_with_the_reason(
    tmp_path: Path, screenshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "pickled"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "idefics3"}))
    marker = tmp_path / "pickle-ran"
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps(_Trap(marker)))

    code = main(["describe", str(screenshot), "--model", str(folder)])
    err = capsys.readouterr().err.strip()
    assert code == UnsafeModelError.exit_code == 3
    assert err.splitlines() == [err]  # one line, no traceback
    assert err.endswith(messages.MODEL_PICKLE_ONLY.format(path=folder))
    assert "safetensors" in err and "hidden code" in err  # says why and what would load
    assert not marker.exists()


@pytest.mark.parametrize("how", ["auto_map", "python file"])
def test_custom_code_is_refused_with_the_reason(
    tmp_path: Path, tiny_models: dict[str, Path], how: str
) -> None:
    folder = _copy_model(tiny_models["idefics3"], tmp_path / "custom")
    if how == "auto_map":
        config = json.loads((folder / "config.json").read_text())
        config["auto_map"] = {"AutoModelForImageTextToText": "modeling_evil.EvilModel"}
        (folder / "config.json").write_text(json.dumps(config))
    else:
        (folder / "modeling_evil.py").write_text("raise SystemExit('custom code ran')\n")
    with pytest.raises(UnsafeModelError) as caught:
        check_model_folder(folder, "evil/model")
    assert caught.value.message == messages.MODEL_CUSTOM_CODE.format(model="evil/model")


def test_safetensors_load_even_beside_a_hostile_pickle(
    tmp_path: Path, tiny_models: dict[str, Path]
) -> None:
    """A folder with both: the safetensors weights load and answer; the .bin is never read."""
    from desktop_app.engine.local.backend import LocalBackend

    folder = _copy_model(tiny_models["idefics3"], tmp_path / "both")
    marker = tmp_path / "pickle-ran"
    (folder / "pytorch_model.bin").write_bytes(pickle.dumps(_Trap(marker)))
    settings = EngineSettings(model=str(folder), quantization=Quantization.NONE)
    backend = LocalBackend(settings)
    image = Image.new("RGB", (64, 48), (20, 90, 200))
    answer = backend.start(Request.single("Describe.", [image], max_new_tokens=3), print)
    backend.close()
    assert 1 <= answer.generated_tokens <= 3
    assert not marker.exists()


class _RecordingModel:
    calls: ClassVar[list[dict[str, Any]]] = []

    @classmethod
    def from_pretrained(cls, folder: Path, **options: Any) -> _RecordingModel:
        cls.calls.append(options)
        return cls()


class _RecordingFamily:
    def model_class(self) -> type[_RecordingModel]:
        return _RecordingModel


def test_weights_are_loaded_with_safetensors_only_and_no_remote_code(tmp_path: Path) -> None:
    from desktop_app.engine.local.loading import _load_weights
    from desktop_app.engine.local.precision import Placement

    _RecordingModel.calls.clear()
    placement = Placement("cpu", "float32", Quantization.NONE)
    _load_weights(_RecordingFamily(), tmp_path, placement)  # type: ignore[arg-type]
    [options] = _RecordingModel.calls
    assert options["use_safetensors"] is True
    assert options["trust_remote_code"] is False
    assert options["local_files_only"] is True


def _python_files() -> list[Path]:
    files = [*PACKAGE.rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]
    assert len(files) > 50
    return files


def test_trust_remote_code_is_never_set_true() -> None:
    setting_true = re.compile(r"""["']?trust_remote_code["']?\s*[=:]\s*(?!False\b)\w""")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _python_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if setting_true.search(line)
    ]
    assert offenders == []
    assert setting_true.search("model.from_pretrained(x, trust_remote_code=True)")
    assert setting_true.search('{"trust_remote_code": flag}')


def test_every_loading_call_says_trust_remote_code_false() -> None:
    """Each `from_pretrained` of the package (configs, processors, weights) passes
    `trust_remote_code=False` itself rather than trusting a library default.
    GenerationConfig has no remote code to trust."""
    calls = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr != "from_pretrained":
                continue
            receiver = ast.unparse(node.func.value)
            if receiver == "GenerationConfig":
                continue
            flags = [k.value for k in node.keywords if k.arg == "trust_remote_code"]
            calls.append((f"{path.relative_to(ROOT)}:{node.lineno} {receiver}", flags))
    print(f"from_pretrained calls checked: {len(calls)}")
    assert len(calls) >= 4  # processor, weights (and the eager retry), int8 cache config
    assert [where for where, flags in calls if len(flags) != 1] == []
    assert all(isinstance(f[0], ast.Constant) and f[0].value is False for _, f in calls)


# -- hashes ------------------------------------------------------------------------------
def test_hashes_are_git_blob_ids_and_sha256(tmp_path: Path) -> None:
    file = tmp_path / "hello.txt"
    file.write_bytes(b"hello\n")
    assert git_blob_id(file) == "ce013625030ba8dba906f756967f9e9ca394464a"  # git hash-object
    assert sha256_of(file) == hashlib.sha256(b"hello\n").hexdigest()
    in_git = ListedFile("hello.txt", 6, git_blob_id(file))
    in_lfs = ListedFile("hello.txt", 6, "0" * 40, sha256_of(file))
    assert matches(file, in_git) and matches(file, in_lfs)
    file.write_bytes(b"hellO\n")
    assert not matches(file, in_git) and not matches(file, in_lfs)
    assert not matches(tmp_path / "missing", in_git)


def test_discard_deletes_the_link_and_the_blob_behind_it(tmp_path: Path) -> None:
    blob = tmp_path / "blobs" / "abc"
    blob.parent.mkdir()
    blob.write_bytes(b"bad")
    snapshot = tmp_path / "snapshots" / COMMIT_A
    snapshot.mkdir(parents=True)
    (snapshot / "model.safetensors").symlink_to(blob)
    discard(snapshot, ["model.safetensors"])
    assert not (snapshot / "model.safetensors").exists() and not blob.exists()


def test_integrity_error_is_an_unsafe_model_error() -> None:
    error = ModelIntegrityError(messages.MODEL_HASH_MISMATCH.format(model="m", files="a, b"))
    assert isinstance(error, UnsafeModelError) and error.exit_code == 3
    assert "a, b" in error.message and "Download the model again" in error.message


# -- which commit loads ------------------------------------------------------------------
def test_commit_choice_user_then_catalogue_then_record() -> None:
    assert is_commit(COMMIT_A) and not is_commit("main") and not is_commit(None)
    recorded = Pin("main", COMMIT_B)
    assert choose_commit(COMMIT_A, None, recorded) == COMMIT_A  # the user's commit
    assert choose_commit(None, COMMIT_A, recorded) == COMMIT_A  # the catalogue's pin
    assert choose_commit(None, None, recorded) == COMMIT_B  # what was downloaded and checked
    assert choose_commit("main", COMMIT_A, recorded) == COMMIT_B  # main as resolved then
    assert choose_commit("v2", None, recorded) is None  # another branch: resolve at download
    assert choose_commit(None, None, None) is None


def test_revision_record_round_trip_and_damage(tmp_path: Path) -> None:
    record = RevisionRecord(tmp_path / "config" / "model-revisions.json")
    assert record.get("org/model") is None
    record.put("org/model", Pin("main", COMMIT_A))
    record.put("org/other", Pin(COMMIT_B, COMMIT_B))
    again = RevisionRecord(record.path)
    assert again.get("org/model") == Pin("main", COMMIT_A)
    assert again.get("org/other") == Pin(COMMIT_B, COMMIT_B)
    assert [p.name for p in record.path.parent.iterdir()] == ["model-revisions.json"]
    record.path.write_text('{"org/model": {"revision": "main", "commit": "not-a-sha"}}')
    assert again.get("org/model") is None  # a commit that is not one is ignored
    record.path.write_text("{broken")
    assert again.get("org/model") is None


def test_catalogue_pins_are_commits_or_none() -> None:
    for entry in catalogue.CATALOGUE:
        assert entry.revision is None or is_commit(entry.revision), entry.hub_id
        assert catalogue.pinned_revision(entry.hub_id) == entry.revision
    assert catalogue.pinned_revision("someone/unknown") is None
