"""Finding models: local folders are checked; Hub ids go through the Hugging Face cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.errors import ModelNotFoundError, ModelOfflineError, UnsafeModelError
from desktop_app.engine.models import bundled, hub
from desktop_app.engine.models.hub import (
    cached_snapshot,
    check_model_folder,
    is_downloaded,
    looks_like_path,
    resolve_model,
)
from desktop_app.engine.models.revisions import Pin, RevisionRecord
from tests.helpers.hub_cache import CACHED_COMMIT, OTHER_COMMIT, put_in_hub_cache


def _folder(tmp_path: Path, files: dict[str, str | bytes], config: dict | None = None) -> Path:  # type: ignore[type-arg]
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config or {"model_type": "idefics3"}))
    for name, content in files.items():
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    return folder


def test_paths_and_hub_ids_are_told_apart(tmp_path: Path) -> None:
    assert looks_like_path(str(tmp_path))
    assert looks_like_path("./models/smol")
    assert not looks_like_path("HuggingFaceTB/SmolVLM-256M-Instruct")


def test_folder_without_weights_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="no weights"):
        check_model_folder(_folder(tmp_path, {}))


def test_pickle_only_weights_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeModelError, match="pickle"):
        check_model_folder(_folder(tmp_path, {"pytorch_model.bin": b"\x80\x04"}))


def test_custom_code_is_refused(tmp_path: Path) -> None:
    config = {"model_type": "x", "auto_map": {"AutoModel": "modeling_x.XModel"}}
    folder = _folder(tmp_path, {"model.safetensors": b"{}"}, config)
    with pytest.raises(UnsafeModelError, match="own Python code"):
        check_model_folder(folder)


def test_folder_without_config_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(ModelNotFoundError, match=r"config\.json"):
        check_model_folder(tmp_path)


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError):
        resolve_model(str(tmp_path / "nothing-here"))


def test_hub_id_resolves_from_the_cache_offline(tiny_models: dict[str, Path]) -> None:
    snapshot = put_in_hub_cache(tiny_models["idefics3"], "iris-test/tiny-smolvlm")
    assert cached_snapshot("iris-test/tiny-smolvlm") == snapshot
    assert resolve_model("iris-test/tiny-smolvlm") == snapshot


@pytest.fixture
def own_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RevisionRecord:
    """An empty model-revisions.json of this test's own (the suite's is shared)."""
    monkeypatch.setenv("IRIS_CONFIG_DIR", str(tmp_path / "config"))
    return RevisionRecord()


def test_is_downloaded_honours_the_revision_given(
    tiny_models: dict[str, Path], own_record: RevisionRecord
) -> None:
    """A commit given (EngineSettings.revision, --revision) counts only when that commit is
    cached; a branch counts when the cache's ref names a cached commit."""
    repo = "iris-test/is-downloaded-given"
    assert not is_downloaded(repo)
    put_in_hub_cache(tiny_models["idefics3"], repo)
    assert is_downloaded(repo)
    assert is_downloaded(repo, CACHED_COMMIT)
    assert is_downloaded(repo, "main")
    assert not is_downloaded(repo, OTHER_COMMIT)
    assert not is_downloaded(repo, "v2")  # a tag the cache has no ref for
    with pytest.raises(ModelOfflineError):  # and loading would indeed download it
        resolve_model(repo, revision=OTHER_COMMIT, allow_download=False)


def test_is_downloaded_honours_the_recorded_commit(
    tiny_models: dict[str, Path], own_record: RevisionRecord
) -> None:
    """After Iris recorded a commit for `main`, only that commit counts, whatever the cache's
    refs/main names (another program may have updated it)."""
    repo = "iris-test/is-downloaded-recorded"
    put_in_hub_cache(tiny_models["idefics3"], repo)
    own_record.put(repo, Pin("main", OTHER_COMMIT))
    assert not is_downloaded(repo)
    assert not is_downloaded(repo, "main")
    assert is_downloaded(repo, CACHED_COMMIT)  # a commit given wins over the record
    own_record.put(repo, Pin("main", CACHED_COMMIT))
    assert is_downloaded(repo)


def test_is_downloaded_honours_the_catalogue_pin(
    tiny_models: dict[str, Path], own_record: RevisionRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = "iris-test/is-downloaded-pinned"
    put_in_hub_cache(tiny_models["idefics3"], repo)
    pins = {repo: OTHER_COMMIT}
    monkeypatch.setattr(hub, "pinned_revision", pins.get)
    assert not is_downloaded(repo)  # the catalogue's commit is not the cached one
    assert is_downloaded(repo, CACHED_COMMIT)
    pins[repo] = CACHED_COMMIT
    assert is_downloaded(repo)
    assert resolve_model(repo, allow_download=False).name == CACHED_COMMIT


def test_is_downloaded_for_a_bundled_model_and_a_folder(
    tmp_path: Path, tiny_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shipped model loads from its folder whatever the revision; a path has nothing to
    download (a missing folder is reported when loading)."""
    root = tmp_path / "models"
    root.mkdir()
    (root / "test-org--shipped").symlink_to(tiny_models["idefics3"], target_is_directory=True)
    monkeypatch.setenv(bundled.BUNDLED_MODELS_VARIABLE, str(root))
    assert is_downloaded("test-org/shipped")
    assert is_downloaded("test-org/shipped", OTHER_COMMIT)
    assert not is_downloaded("test-org/not-shipped")
    assert is_downloaded(str(tiny_models["llava"]))
    assert is_downloaded(str(tmp_path / "nothing-here"))


def test_unknown_hub_id_offline_says_so() -> None:
    with pytest.raises(ModelOfflineError, match="internet"):
        resolve_model("iris-test/not-downloaded")


def test_download_attempt_without_network_exits_3(tmp_path: Path) -> None:
    """The real download path runs until the network refuses (a closed loopback port)."""
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="0",
        HF_ENDPOINT="http://127.0.0.1:9",
        HF_HOME=str(tmp_path / "hf"),
        HF_HUB_ETAG_TIMEOUT="2",
        HF_HUB_DOWNLOAD_TIMEOUT="2",
    )
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "models", "download", "iris-test/unreachable"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 3, result.stderr
    assert "internet cannot be reached" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
