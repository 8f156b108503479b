"""A real OpenAI-compatible model server for tests: `transformers serve` on 127.0.0.1.

The tiny model folder is laid out as a Hugging Face cache entry (`iris/tiny-idefics3`) in a
private cache, so the server lists it under /v1/models and loads it offline.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MODEL_ID = "iris/tiny-idefics3"
REVISION = "0" * 39 + "1"
START_TIMEOUT_S = 90.0


@dataclass
class RunningServer:
    """A started server: its URL, the model it serves, the process and its log."""

    url: str
    port: int
    model: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL the server (no goodbye on open connections)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def healthy(self) -> bool:
        """True when /health answers 200."""
        return _get_status(self.port, "/health") == 200


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cache_with_model(model_folder: Path, cache: Path, model_id: str = MODEL_ID) -> Path:
    """`cache` (an HF_HUB_CACHE folder) holding `model_folder` as `model_id` at `REVISION`."""
    entry = cache / ("models--" + model_id.replace("/", "--"))
    snapshot = entry / "snapshots" / REVISION
    snapshot.mkdir(parents=True, exist_ok=True)
    for file in model_folder.iterdir():
        target = snapshot / file.name
        if not target.exists():
            target.symlink_to(file.resolve())
    (entry / "refs").mkdir(exist_ok=True)
    (entry / "refs" / "main").write_text(REVISION)
    return cache


@contextlib.contextmanager
def transformers_serve(
    model_folder: Path, workdir: Path, model_id: str = MODEL_ID
) -> Iterator[RunningServer]:
    """Start `transformers serve` on a free loopback port serving `model_folder` as
    `model_id`; stop it at the end."""
    cache = cache_with_model(model_folder, workdir / "hub", model_id)
    port = free_port()
    log = workdir / f"serve-{port}.log"
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "HF_HUB_CACHE": str(cache),
        "HF_HOME": str(workdir / "hf-home"),
        "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
        "OMP_NUM_THREADS": "1",
    }
    command = [
        sys.executable,
        "-c",
        "import sys; from transformers.cli.transformers import main; sys.exit(main())",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--device",
        "cpu",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    server = RunningServer(f"http://127.0.0.1:{port}", port, model_id, process, log)
    try:
        _wait_until_up(server)
        yield server
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


def _wait_until_up(server: RunningServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"transformers serve exited: {server.log.read_text()[-2000:]}")
        if server.healthy() and _get_status(server.port, "/v1/models") == 200:
            return
        time.sleep(0.2)  # a process starting up: nothing to wait on but the port
    raise RuntimeError(f"transformers serve did not start: {server.log.read_text()[-2000:]}")


def _get_status(port: int, path: str) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()
