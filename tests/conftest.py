"""Shared fixtures. The whole suite runs offline, in a private Hugging Face cache."""
# ruff: noqa: E402 - the environment is set before huggingface_hub and Qt are imported

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

_SCRATCH = tempfile.mkdtemp(prefix="iris-test-")
atexit.register(shutil.rmtree, _SCRATCH, True)

# Before anything imports huggingface_hub (it reads these at import time).
os.environ["HF_HOME"] = os.path.join(_SCRATCH, "hf")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["IRIS_CONFIG_DIR"] = os.path.join(_SCRATCH, "config")
os.environ["IRIS_CACHE_DIR"] = os.path.join(_SCRATCH, "int8-cache")
# Messages in English whatever the developer's locale; a test that needs another language
# installs it with the `interface_language` fixture.
os.environ["IRIS_LANGUAGE"] = "en"

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image, ImageDraw

from tests.helpers.logfail import LogFailHandler
from tests.helpers.main_thread_gc import (
    AUTOMATIC_MARKER,
    automatic_collection,
    collected_on_the_main_thread,
)
from tests.helpers.model_server import RunningServer

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication
    from pytestqt.qtbot import QtBot

    from tests.helpers.controllers import ControllerFactory

pytest_plugins: list[str] = []


@pytest.fixture(autouse=True)
def garbage_collected_on_the_main_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """No Qt object destroyed by a collection on another thread (tests/helpers/main_thread_gc)."""
    if request.node.get_closest_marker(AUTOMATIC_MARKER) is not None:
        with automatic_collection():
            yield
        return
    with_event_loop = "qtbot" in request.fixturenames
    if with_event_loop:
        request.getfixturevalue("qapp")
    with collected_on_the_main_thread(with_event_loop):
        yield


@pytest.fixture(autouse=True)
def fail_on_logged_errors(request: pytest.FixtureRequest) -> Iterator[LogFailHandler]:
    """Unexpected ERROR log records fail the test (as qutebrowser's logfail)."""
    handler = LogFailHandler.install()
    yield handler
    handler.uninstall()
    if request.node.get_closest_marker("allow_error_log") is None:
        handler.check()


@pytest.fixture(autouse=True)
def english_after_each_test() -> Iterator[None]:
    """A test that installed another interface language leaves English behind it."""
    yield
    from desktop_app.core import i18n

    if i18n.interface_language() != i18n.SOURCE_LANGUAGE:
        i18n.install(i18n.SOURCE_LANGUAGE)


@pytest.fixture(autouse=True)
def application_palette_kept() -> Iterator[None]:
    """A test whose window used a high-contrast theme (the application's palette) leaves the
    palette it found."""
    widgets = sys.modules.get("PySide6.QtWidgets")  # never imported here for a test without Qt
    app = widgets.QApplication.instance() if widgets is not None else None
    before = widgets.QApplication.palette() if widgets is not None and app is not None else None
    yield
    if widgets is not None and before is not None and widgets.QApplication.instance() is app:
        widgets.QApplication.setPalette(before)


@pytest.fixture
def text_size(qapp: QApplication) -> Iterator[Callable[[float], None]]:
    """Scale the system's text (the application's font) for one test, as a user's desktop
    does before Iris starts."""
    normal = qapp.font()

    def scale(factor: float) -> None:
        font = qapp.font()
        font.setPointSizeF(normal.pointSizeF() * factor)
        qapp.setFont(font)

    yield scale
    qapp.setFont(normal)


@pytest.fixture
def interface_language() -> Callable[[str], str]:
    """`core.i18n.install` for one test: English is installed again after it."""
    from desktop_app.core import i18n

    return i18n.install


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "allow_error_log: the test expects ERROR log records")
    config.addinivalue_line(
        "markers", f"{AUTOMATIC_MARKER}: the test needs Python's automatic garbage collection"
    )


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny random model folder of each family the seeds use."""
    from desktop_app.testing.random_models import FAMILIES, build_tiny_model

    root = tmp_path_factory.mktemp("tiny-models")
    return {family: build_tiny_model(family, root / family) for family in FAMILIES}


@pytest.fixture(scope="session")
def every_family(
    tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """A tiny random model folder of every family Iris offers (the seeds' and the others)."""
    from desktop_app.testing.random_models import MORE_FAMILIES, build_tiny_model

    root = tmp_path_factory.mktemp("more-families")
    more = {family: build_tiny_model(family, root / family) for family in MORE_FAMILIES}
    return {**tiny_models, **more}


def _screenshot_like(size: tuple[int, int]) -> Image.Image:
    image = Image.new("RGB", size, (240, 240, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0], 30), fill=(40, 60, 120))
    draw.text((10, 8), "Inbox - Mail", fill=(255, 255, 255))
    draw.rectangle((20, 60, size[0] // 2, size[1] - 20), outline=(0, 0, 0))
    draw.text((30, 70), "Meeting at 10:30", fill=(0, 0, 0))
    return image


@pytest.fixture(scope="session")
def screenshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1280x800 PNG that looks a little like a screen."""
    path = tmp_path_factory.mktemp("images") / "screen.png"
    _screenshot_like((1280, 800)).save(path)
    return path


@pytest.fixture(scope="session")
def photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small JPEG photo-like image."""
    path = tmp_path_factory.mktemp("images") / "photo.jpg"
    image = Image.linear_gradient("L").resize((320, 200)).convert("RGB")
    image.save(path, quality=90)
    return path


@pytest.fixture(scope="session")
def model_server(
    tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """`transformers serve` on 127.0.0.1 with the tiny Idefics3 model, for the whole session."""
    from tests.helpers.model_server import transformers_serve

    with transformers_serve(tiny_models["idefics3"], tmp_path_factory.mktemp("serve")) as server:
        yield server


@pytest.fixture
def make_controller(qtbot: QtBot) -> Iterator[ControllerFactory]:
    """`make_controller(settings, **parts)`: a window and its controller built as the app builds
    them, with fake capture, speech and model unless given (tests/helpers/controllers.py);
    every controller made is shut down after the test."""
    from tests.helpers.controllers import ControllerFactory

    factory = ControllerFactory(qtbot)
    yield factory
    factory.shut_down()
