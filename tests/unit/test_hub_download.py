"""The real Hugging Face Hub download path, end to end, against a fake Hub on loopback.

`FakeHub` answers the few requests `huggingface_hub.snapshot_download` makes, with the
headers the real Hub sends:

- `GET /api/models/{repo}/revision/{rev}`: the repo's info, whose `sha` pins the commit;
- `GET /api/models/{repo}/tree/{rev}`: the file listing (sizes, blob ids, LFS info);
- `HEAD`/`GET /{repo}/resolve/{rev}/{file}`: small files directly (`ETag`,
  `X-Repo-Commit`, `Content-Length`); LFS files (weights) as a 302 to a second "CDN"
  server (`Location`, `X-Linked-Etag`, `X-Linked-Size`), as huggingface.co does;
- errors as 404s carrying `X-Error-Code` (`RepoNotFound`, `RevisionNotFound`,
  `EntryNotFound`), which huggingface_hub turns into its typed errors.

The listing carries the hashes Iris checks downloads against: each file's git blob id
(`oid`) and, for LFS files, the content's sha256 (`lfs.oid`). `FakeHub.tamper` names files
whose served bytes are changed on the way (same length), while the listing stays true.

No Xet headers are ever sent, so the plain HTTP download path is the one exercised.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image

from desktop_app.core import messages
from desktop_app.core.errors import ModelIntegrityError, ModelNotFoundError, UnsafeModelError
from desktop_app.core.types import Answer, Request
from desktop_app.engine.models.hub import resolve_model
from desktop_app.engine.models.revisions import Pin, RevisionRecord

REPO = "iris-test/tiny-smolvlm"
PICKLE_REPO = "iris-test/pickle-only"
LFS_SUFFIXES = (".safetensors", ".bin")


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


MAIN_SHA = _sha1("iris-test main")
OLD_SHA = _sha1("iris-test old")


def _git_blob_id(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


@dataclass
class FakeRepo:
    """A Hub model repo: files per commit, and branches pointing at commits."""

    commits: dict[str, dict[str, bytes]]
    branches: dict[str, str] = field(default_factory=dict)

    def commit(self, revision: str) -> str | None:
        if revision in self.commits:
            return revision
        return self.branches.get(revision)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, hub: FakeHub, name: str) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hub = hub
        self.name = name

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


_INFO = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)(?:/revision/(?P<rev>[^/]+))?$")
_TREE = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)/tree/(?P<rev>[^/]+)$")
_RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")
_BLOB = re.compile(r"^/blobs/(?P<sha256>[0-9a-f]{64})$")


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 10  # a stuck client connection cannot hold a handler thread for long

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: the test reads `FakeHub.requests` instead."""

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def do_GET(self) -> None:
        self._answer(with_body=True)

    # -- routing -------------------------------------------------------------------------
    def _answer(self, *, with_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        hub = self.server.hub
        hub.record(self.server.name, self.command, path)
        if self.server.name == "cdn":
            match = _BLOB.match(path)
            blob = hub.blobs.get(match["sha256"]) if match else None
            if blob is None:
                self._send(404, with_body=with_body)
            else:
                if with_body:
                    hub.hold_back(path)
                self._send(200, blob, with_body=with_body)
            return
        if match := _TREE.match(path):
            self._tree(match["repo"], match["rev"], with_body)
        elif match := _INFO.match(path):
            self._info(match["repo"], match["rev"] or "main", with_body)
        elif match := _RESOLVE.match(path):
            self._resolve(match["repo"], match["rev"], match["file"], with_body)
        else:
            self._send(404, with_body=with_body)

    def _commit(self, repo_id: str, revision: str, with_body: bool) -> tuple[str, FakeRepo] | None:
        repo = self.server.hub.repos.get(repo_id)
        if repo is None:
            self._error(404, "RepoNotFound", "Repository not found", with_body)
            return None
        sha = repo.commit(revision)
        if sha is None:
            self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}", with_body)
            return None
        return sha, repo

    def _info(self, repo_id: str, revision: str, with_body: bool) -> None:
        found = self._commit(repo_id, revision, with_body)
        if found is None:
            return
        sha, repo = found
        info = {
            "_id": _sha1(repo_id)[:24],
            "id": repo_id,
            "modelId": repo_id,
            "author": repo_id.split("/")[0],
            "sha": sha,
            "private": False,
            "gated": False,
            "disabled": False,
            "lastModified": "2025-01-01T00:00:00.000Z",
            "tags": [],
            "siblings": [{"rfilename": name} for name in sorted(repo.commits[sha])],
        }
        self._json(info, with_body)

    def _tree(self, repo_id: str, revision: str, with_body: bool) -> None:
        found = self._commit(repo_id, revision, with_body)
        if found is None:
            return
        sha, repo = found
        entries: list[dict[str, object]] = []
        for name, content in sorted(repo.commits[sha].items()):
            entry: dict[str, object] = {
                "type": "file",
                "path": name,
                "size": len(content),
                "oid": _git_blob_id(content),
            }
            if name.endswith(LFS_SUFFIXES):
                digest = hashlib.sha256(content).hexdigest()
                entry["lfs"] = {"oid": digest, "size": len(content), "pointerSize": 134}
            entries.append(entry)
        self._json(entries, with_body)

    def _resolve(self, repo_id: str, revision: str, name: str, with_body: bool) -> None:
        found = self._commit(repo_id, revision, with_body)
        if found is None:
            return
        sha, repo = found
        content = repo.commits[sha].get(name)
        if content is None:
            self._error(404, "EntryNotFound", f"{name} does not exist", with_body, commit=sha)
            return
        if name.endswith(LFS_SUFFIXES):
            digest = hashlib.sha256(content).hexdigest()
            self.server.hub.blobs[digest] = self.server.hub.served(name, content)
            headers = {
                "Location": f"{self.server.hub.cdn_url}/blobs/{digest}",
                "X-Linked-Etag": f'"{digest}"',
                "X-Linked-Size": str(len(content)),
                "X-Repo-Commit": sha,
                "ETag": f'"{_git_blob_id(content)}"',
            }
            self._send(302, headers=headers, with_body=with_body)
            return
        headers = {"X-Repo-Commit": sha, "ETag": f'"{_git_blob_id(content)}"'}
        if with_body:
            self.server.hub.hold_back(name)
        self._send(200, self.server.hub.served(name, content), headers=headers, with_body=with_body)

    # -- replies -------------------------------------------------------------------------
    def _error(
        self, status: int, code: str, text: str, with_body: bool, commit: str | None = None
    ) -> None:
        headers = {"X-Error-Code": code, "X-Error-Message": text}
        if commit is not None:
            headers["X-Repo-Commit"] = commit
        body = json.dumps({"error": text}).encode()
        self._send(status, body, headers=headers, with_body=with_body)

    def _json(self, value: object, with_body: bool) -> None:
        body = json.dumps(value).encode()
        self._send(200, body, headers={"Content-Type": "application/json"}, with_body=with_body)

    def _send(
        self,
        status: int,
        body: bytes = b"",
        *,
        headers: dict[str, str] | None = None,
        with_body: bool,
    ) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)


class FakeHub:
    """A fake huggingface.co (and its CDN) on two free loopback ports, recording requests."""

    def __init__(self, repos: dict[str, FakeRepo]) -> None:
        self.repos = repos
        self.blobs: dict[str, bytes] = {}
        self.requests: list[tuple[str, str, str]] = []
        self.serve_first: str | None = None
        self.tamper: set[str] = set()
        """Files whose bytes are changed on the way (the listing's hashes stay true)."""
        """When set, the download of every other file waits until `release()`."""
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._servers = [_Server(self, "hub"), _Server(self, "cdn")]
        self._threads = [
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
            for server in self._servers
        ]
        self.url = self._servers[0].url
        self.cdn_url = self._servers[1].url

    def record(self, server: str, method: str, path: str) -> None:
        with self._lock:
            self.requests.append((server, method, path))

    def hold_back(self, name: str) -> None:
        if self.serve_first is not None and name != self.serve_first:
            assert self._released.wait(timeout=10), f"{name} was held back for good"

    def served(self, name: str, content: bytes) -> bytes:
        """`content` as sent: the same length, the last byte flipped when `name` is tampered."""
        if name not in self.tamper or not content:
            return content
        return content[:-1] + bytes([content[-1] ^ 0xFF])

    def release(self) -> None:
        self._released.set()

    def paths(self, method: str | None = None) -> list[str]:
        with self._lock:
            return [path for _, m, path in self.requests if method in (None, m)]

    def start(self) -> FakeHub:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
            assert not thread.is_alive()

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if any(thread.is_alive() for thread in self._threads):
            self.stop()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def repos(tiny_models: dict[str, Path]) -> dict[str, FakeRepo]:
    """The tiny idefics3 model (plus a pickle file Iris must skip), and a pickle-only repo."""
    files = _files(tiny_models["idefics3"])
    files["pytorch_model.bin"] = b"\x80\x04 pickle weights that must never be fetched"
    old = dict(files)
    config = json.loads(old["config.json"])
    old["config.json"] = json.dumps({**config, "iris_test_commit": "old"}).encode()
    pickle_only = {"config.json": files["config.json"], "pytorch_model.bin": b"\x80\x04 pickle"}
    return {
        REPO: FakeRepo({MAIN_SHA: files, OLD_SHA: old}, {"main": MAIN_SHA}),
        PICKLE_REPO: FakeRepo({MAIN_SHA: pickle_only}, {"main": MAIN_SHA}),
    }


@pytest.fixture
def hf_cache(tmp_path: Path) -> Path:
    return tmp_path / "hf" / "hub"


@pytest.fixture
def hub(
    repos: dict[str, FakeRepo], hf_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeHub]:
    """A running fake Hub, with huggingface_hub pointed at it (online), a fresh cache and a
    fresh record of downloaded revisions (in IRIS_CONFIG_DIR).

    huggingface_hub copies `HF_ENDPOINT`, `HF_HUB_OFFLINE` and `HF_HOME` into its
    `constants` module at import time and reads them from there at call time.
    """
    from huggingface_hub import constants

    monkeypatch.setenv("IRIS_CONFIG_DIR", str(tmp_path / "config"))
    with FakeHub(repos) as fake:
        template = fake.url + "/{repo_id}/resolve/{revision}/{filename}"
        monkeypatch.setattr(constants, "ENDPOINT", fake.url)
        monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE", template)
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        monkeypatch.setattr(constants, "HF_HUB_CACHE", str(hf_cache))
        yield fake


def _cli_download(hub: FakeHub, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m desktop_app models download ...` online against the fake Hub."""
    env = dict(os.environ)
    env.update(
        HF_HUB_OFFLINE="0",
        HF_ENDPOINT=hub.url,
        HF_HOME=str(tmp_path / "cli-hf"),
        IRIS_CONFIG_DIR=str(tmp_path / "cli-config"),
        HF_HUB_ETAG_TIMEOUT="10",
        HF_HUB_DOWNLOAD_TIMEOUT="10",
    )
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", "models", "download", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


# -- downloading -------------------------------------------------------------------------
def test_download_fetches_safetensors_into_the_cache_then_works_offline(
    hub: FakeHub, hf_cache: Path
) -> None:
    files = hub.repos[REPO].commits[MAIN_SHA]
    progress: list[tuple[str, float]] = []

    def on_progress(stage: str, done: float) -> None:
        progress.append((stage, done))
        hub.release()

    # config.json arrives alone first: its bytes are a sliver of the download, whatever
    # snapshot_download's own byte bar (which only counts files already started) says.
    hub.serve_first = "config.json"
    folder = resolve_model(REPO, on_progress=on_progress)

    assert folder == hf_cache / "models--iris-test--tiny-smolvlm" / "snapshots" / MAIN_SHA
    assert RevisionRecord().get(REPO) == Pin("main", MAIN_SHA)  # main, resolved once
    names = {p.name for p in folder.iterdir()}
    assert {"model.safetensors", "config.json", "tokenizer.json", "chat_template.jinja"} <= names
    assert not any(name.endswith(".bin") for name in names)
    assert (folder / "model.safetensors").read_bytes() == files["model.safetensors"]

    # The real Hub's request sequence: info, listing, then HEAD+GET of allowed files only.
    assert hub.paths()[:2] == [
        f"/api/models/{REPO}/revision/main",
        f"/api/models/{REPO}/tree/{MAIN_SHA}",
    ]
    assert not [p for p in hub.paths() if p.endswith(".bin")]
    weights = f"/{REPO}/resolve/{MAIN_SHA}/model.safetensors"
    assert weights in hub.paths("HEAD")
    assert weights not in hub.paths("GET")  # the 302's Location was followed to the CDN
    assert ("cdn", "GET", f"/blobs/{hashlib.sha256(files['model.safetensors']).hexdigest()}") in (
        hub.requests
    )

    fractions = [done for stage, done in progress]
    assert {stage for stage, _ in progress} == {messages.STAGE_DOWNLOAD}
    assert len(fractions) >= 2
    assert fractions == sorted(fractions), fractions
    assert all(0.0 <= done <= 1.0 for done in fractions)
    # The first report (config.json alone) is well short of done: the weights are still to come.
    fetched = sum(len(content) for name, content in files.items() if not name.endswith(".bin"))
    assert fractions[0] < 1.0 - len(files["model.safetensors"]) / fetched, fractions
    assert fractions[-1] == 1.0

    hub.stop()
    count = len(hub.requests)
    assert resolve_model(REPO) == folder  # from the cache, with the Hub gone
    assert len(hub.requests) == count


def test_downloaded_model_answers_through_the_local_backend(hub: FakeHub) -> None:
    from desktop_app.engine.local.backend import LocalBackend
    from desktop_app.settings import EngineSettings

    backend = LocalBackend(EngineSettings(model=REPO))
    backend.load()
    assert any(p.endswith("model.safetensors") for p in hub.paths("HEAD"))
    hub.stop()

    image = Image.new("RGB", (64, 48), (200, 180, 20))
    pieces: list[str] = []
    answer = backend.start(Request.single("Describe.", [image], max_new_tokens=3), pieces.append)
    assert isinstance(answer, Answer)
    assert 1 <= answer.generated_tokens <= 3
    assert "".join(pieces) == answer.text
    backend.close()


def test_revision_pin_downloads_that_commit(hub: FakeHub, hf_cache: Path) -> None:
    folder = resolve_model(REPO, revision=OLD_SHA)

    assert folder == hf_cache / "models--iris-test--tiny-smolvlm" / "snapshots" / OLD_SHA
    assert json.loads((folder / "config.json").read_text())["iris_test_commit"] == "old"
    # A commit sha needs no info call: the listing and files are asked at that commit only.
    assert f"/api/models/{REPO}/tree/{OLD_SHA}" in hub.paths()
    resolved = [p for p in hub.paths() if "/resolve/" in p]
    assert resolved
    assert all(f"/resolve/{OLD_SHA}/" in p for p in resolved)
    assert not [p for p in hub.paths() if "main" in p or MAIN_SHA in p]


def test_unknown_revision_is_reported_as_unknown_model(hub: FakeHub) -> None:
    with pytest.raises(ModelNotFoundError) as caught:
        resolve_model(REPO, revision="no-such-branch")
    assert caught.value.message == messages.MODEL_UNKNOWN.format(model=REPO)
    assert f"/api/models/{REPO}/revision/no-such-branch" in hub.paths()


# -- refusing ----------------------------------------------------------------------------
def test_unknown_repo_is_reported_as_unknown_model(hub: FakeHub) -> None:
    with pytest.raises(ModelNotFoundError) as caught:
        resolve_model("iris-test/nope")
    assert caught.value.message == messages.MODEL_UNKNOWN.format(model="iris-test/nope")
    assert hub.paths() == ["/api/models/iris-test/nope/revision/main"]


def test_unknown_repo_from_the_cli_exits_3_with_one_line(hub: FakeHub, tmp_path: Path) -> None:
    result = _cli_download(hub, tmp_path, "iris-test/nope")
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].endswith(messages.MODEL_UNKNOWN.format(model="iris-test/nope"))
    assert "/api/models/iris-test/nope/revision/main" in hub.paths()


def test_pickle_only_repo_is_refused(hub: FakeHub) -> None:
    with pytest.raises(UnsafeModelError, match="pickle"):
        resolve_model(PICKLE_REPO)
    assert not [p for p in hub.paths() if p.endswith(".bin")]
    assert not [p for p in hub.paths() if "/resolve/" in p]  # refused from the listing alone


def test_pickle_only_repo_from_the_cli_exits_3(hub: FakeHub, tmp_path: Path) -> None:
    result = _cli_download(hub, tmp_path, PICKLE_REPO)
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "pickle" in lines[0]
    assert not [p for p in hub.paths() if p.endswith(".bin")]


# -- checking downloads against the Hub's hashes, and pinning the revision -----------------
def _snapshots(hf_cache: Path) -> Path:
    return hf_cache / "models--iris-test--tiny-smolvlm" / "snapshots"


def _blobs(hf_cache: Path) -> Path:
    return hf_cache / "models--iris-test--tiny-smolvlm" / "blobs"


@pytest.mark.parametrize(
    ("name", "hash_kind"),
    [("model.safetensors", "LFS sha256"), ("tokenizer.json", "git blob id")],
)
def test_tampered_file_is_refused_deleted_and_fetched_again(
    hub: FakeHub, hf_cache: Path, name: str, hash_kind: str
) -> None:
    """A file whose bytes differ from the listing's hash: refused with the reason, deleted
    (its cached blob too, so it is not reused), nothing recorded; a clean retry loads."""
    files = hub.repos[REPO].commits[MAIN_SHA]
    hub.tamper = {name}
    with pytest.raises(ModelIntegrityError) as caught:
        resolve_model(REPO)
    assert caught.value.message == messages.MODEL_HASH_MISMATCH.format(model=REPO, files=name)
    assert caught.value.exit_code == 3
    assert not (_snapshots(hf_cache) / MAIN_SHA).exists()
    tampered = hub.served(name, files[name])
    assert tampered != files[name] and len(tampered) == len(files[name])
    assert not [p for p in _blobs(hf_cache).iterdir() if p.read_bytes() == tampered]
    assert RevisionRecord().get(REPO) is None
    print(f"tampered {name} ({hash_kind}): refused, {len(files[name])} bytes deleted")

    hub.tamper = set()
    count = len(hub.requests)
    folder = resolve_model(REPO)
    assert (folder / name).read_bytes() == files[name]
    assert RevisionRecord().get(REPO) == Pin("main", MAIN_SHA)
    fetched = [path for _, method, path in hub.requests[count:] if method == "GET"]
    if name.endswith(LFS_SUFFIXES):
        body = f"/blobs/{hashlib.sha256(files[name]).hexdigest()}"
    else:
        body = f"/{REPO}/resolve/{MAIN_SHA}/{name}"
    assert body in fetched
    assert len([path for path in fetched if "/api/" not in path]) == 1  # the good files kept


def test_recorded_commit_is_reused_after_the_branch_moves(
    hub: FakeHub, hf_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """main is resolved once; when it later points elsewhere Iris keeps loading the commit
    it checked, offline, until a download with an explicit --revision looks main up again."""
    from desktop_app.cli.main import main

    first = resolve_model(REPO)
    assert first.name == MAIN_SHA
    repo = hub.repos[REPO]
    repo.branches["main"] = OLD_SHA  # upstream pushes: main moves
    try:
        count = len(hub.requests)
        assert resolve_model(REPO) == first
        assert resolve_model(REPO, revision="main") == first  # the recorded resolution of main
        assert len(hub.requests) == count  # not even a look at the Hub

        assert main(["models", "download", REPO, "--revision", "main"]) == 0
        assert str(_snapshots(hf_cache) / OLD_SHA) in capsys.readouterr().out
        assert f"/api/models/{REPO}/revision/main" in hub.paths()[count:]
        assert RevisionRecord().get(REPO) == Pin("main", OLD_SHA)
        assert resolve_model(REPO).name == OLD_SHA
    finally:
        repo.branches["main"] = MAIN_SHA


def test_a_recorded_commit_missing_from_the_cache_is_fetched_exactly(hub: FakeHub) -> None:
    """The record names a commit whose files were removed from the cache: the download asks
    for that commit, not for whatever main is now."""
    RevisionRecord().put(REPO, Pin("main", OLD_SHA))
    folder = resolve_model(REPO)
    assert folder.name == OLD_SHA
    assert not [p for p in hub.paths() if "/revision/" in p]  # main was not looked up
    assert all(f"/resolve/{OLD_SHA}/" in p for p in hub.paths() if "/resolve/" in p)
