"""Pieces the commands share: settings from arguments, the backend, image loading."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from desktop_app.cli.output import ProgressPrinter
from desktop_app.engine.backend import Backend
from desktop_app.engine.images import load_image
from desktop_app.engine.models.bundled import bundled_default
from desktop_app.engine.models.choice import concrete
from desktop_app.engine.reading.backend import grounded_if_asked
from desktop_app.settings import DEFAULT_MODEL, DeviceChoice, EngineSettings, Quantization


def settings_from(args: argparse.Namespace) -> EngineSettings:
    """EngineSettings from the model options; without --model, the model shipped with the app
    if there is one, else the default for this computer (with --server no local model is
    chosen: torch is not even imported)."""
    model = args.model
    if model is None and uses_server(args):
        model = DEFAULT_MODEL
    elif model is None:
        model = bundled_default() or _default_for_hardware()
    settings = EngineSettings(
        model=model,
        device=DeviceChoice(args.device),
        quantization=Quantization(args.quant),
        max_new_tokens=args.max_new_tokens,
        longest_edge=args.longest_edge,
        split_image=args.split,
        revision=args.revision,
        threads=args.threads,
        ground_in_text=args.ground,
    )
    return settings if uses_server(args) else concrete(settings)


def _default_for_hardware() -> str:
    from desktop_app.engine.local.precision import detect_hardware
    from desktop_app.engine.models.catalogue import default_model

    hardware = detect_hardware()
    return default_model(hardware.cuda_free_bytes / 2**30 if hardware.cuda else None)


def uses_server(args: argparse.Namespace) -> bool:
    """True when --server names a model server to use instead of this computer."""
    return bool(getattr(args, "server", None))


def loaded_backend(settings: EngineSettings, args: argparse.Namespace | None = None) -> Backend:
    """The model (grounded in the text reader unless turned off), loaded, progress shown on a
    terminal's stderr: on the server of --server, else on this computer. torch is imported
    here for the local model, not when this module is."""
    model: Backend
    if args is not None and uses_server(args):
        from desktop_app.cli.server import server_backend

        model = server_backend(args)
    else:
        from desktop_app.engine.local.backend import LocalBackend

        model = LocalBackend(settings)
    backend = grounded_if_asked(model, settings)
    backend.load(ProgressPrinter())
    return backend


def load_images(paths: Sequence[str]) -> list[Any]:
    """Every image, or the first ImageError."""
    return [load_image(path) for path in paths]
