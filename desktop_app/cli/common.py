"""Pieces the commands share: settings from arguments, the backend, image loading."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from desktop_app.cli.output import ProgressPrinter
from desktop_app.engine.backend import Backend
from desktop_app.engine.images import load_image
from desktop_app.engine.precision import detect_hardware
from desktop_app.engine.reading.backend import grounded_if_asked
from desktop_app.settings import DeviceChoice, EngineSettings, Quantization


def settings_from(args: argparse.Namespace) -> EngineSettings:
    """EngineSettings from the model options; without --model, the default for this computer."""
    hardware = detect_hardware()
    model = args.model
    if model is None:
        from desktop_app.engine.catalogue import default_model

        model = default_model(hardware.cuda_free_bytes / 2**30 if hardware.cuda else None)
    return EngineSettings(
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


def loaded_backend(settings: EngineSettings) -> Backend:
    """The local model (grounded in the text reader unless turned off), loaded, progress
    shown on a terminal's stderr. torch is imported here, not when this module is."""
    from desktop_app.engine.local import LocalBackend

    backend = grounded_if_asked(LocalBackend(settings), settings)
    backend.load(ProgressPrinter())
    return backend


def load_images(paths: Sequence[str]) -> list[Any]:
    """Every image, or the first ImageError."""
    return [load_image(path) for path in paths]
