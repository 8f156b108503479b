"""Models shipped inside the one-folder app, for computers without internet.

The app's build can copy model folders into a `models/` folder beside the `iris` program
(`IRIS_BUNDLE_MODEL`, see packaging/README.md); an administrator may also put one there.
A Hub id such as `org/name` then loads from `models/org--name` or `models/name`, without the
network. `IRIS_BUNDLED_MODELS=FOLDER` names such a folder for a non-frozen Iris (tests).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop_app.engine.models.catalogue import CATALOGUE, find
from desktop_app.settings import DEFAULT_MODEL

BUNDLED_MODELS_VARIABLE = "IRIS_BUNDLED_MODELS"
MODELS_FOLDER = "models"
ORG_SEPARATOR = "--"
"""Replaces the Hub id's "/" in a bundled folder's name (as the Hugging Face cache does)."""

_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
"""One part of a Hub id; never "..", never a path."""


@dataclass(frozen=True)
class BundledModel:
    """A model folder shipped with the app, and the id Iris knows it by."""

    model: str
    folder: Path


def models_dir() -> Path | None:
    """The bundled models' folder: IRIS_BUNDLED_MODELS, else `models/` beside the frozen
    program (in a macOS bundle: Contents/Resources/models), else None."""
    named = os.environ.get(BUNDLED_MODELS_VARIABLE, "").strip()
    if named:
        folder = Path(named).expanduser()
        return folder if folder.is_dir() else None
    if not getattr(sys, "frozen", False):
        return None
    return next((folder for folder in _frozen_places() if folder.is_dir()), None)


def _frozen_places() -> Iterator[Path]:
    program = Path(sys.executable).resolve().parent
    yield program / MODELS_FOLDER
    yield program.parent / "Resources" / MODELS_FOLDER  # Iris.app/Contents/MacOS/iris
    internal = getattr(sys, "_MEIPASS", None)
    if internal:
        yield Path(internal) / MODELS_FOLDER


def folder_name(hub_id: str) -> str:
    """The bundled folder's name for `hub_id`: `org/name` -> `org--name`."""
    return hub_id.replace("/", ORG_SEPARATOR)


def bundled_folder(model: str) -> Path | None:
    """The bundled folder of Hub id (or bundled name) `model`, or None when none is shipped."""
    parts = model.split("/")
    root = models_dir()
    if root is None or len(parts) > 2 or not all(_PART.match(part) for part in parts):
        return None
    for name in dict.fromkeys((folder_name(model), parts[-1])):
        folder = root / name
        if (folder / "config.json").is_file():
            return folder
    return None


def bundled_models() -> list[BundledModel]:
    """Every model folder shipped with the app, by name."""
    root = models_dir()
    if root is None:
        return []
    found = []
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and _PART.match(folder.name) and (folder / "config.json").is_file():
            found.append(BundledModel(_model_id(folder.name), folder))
    return found


def _model_id(name: str) -> str:
    """`org--name` -> `org/name`; a catalogue model's bare name -> its Hub id; else `name`."""
    if ORG_SEPARATOR in name:
        return name.replace(ORG_SEPARATOR, "/", 1)
    entry = next((e for e in CATALOGUE if e.name.casefold() == name.casefold()), None)
    return entry.hub_id if entry is not None else name


def bundled_default() -> str | None:
    """The model to use when none is configured: Iris's default if it is shipped, else the
    first shipped catalogue model, else the first shipped folder; None when none is."""
    shipped = bundled_models()
    if not shipped:
        return None
    known = [model.model for model in shipped if find(model.model) is not None]
    if DEFAULT_MODEL in known:
        return DEFAULT_MODEL
    return known[0] if known else shipped[0].model


def preferred_model(model: str) -> str:
    """`model`, unless it is Iris's built-in default, which is not shipped while another
    model is: then the shipped one (an offline install's model is its default)."""
    if model != DEFAULT_MODEL or bundled_folder(model) is not None:
        return model
    return bundled_default() or model
