"""`iris models list` and `iris models download ID`."""

from __future__ import annotations

import argparse
import sys

from desktop_app.cli.output import ProgressPrinter
from desktop_app.core import messages
from desktop_app.core.i18n import translate
from desktop_app.core.languages import find_language
from desktop_app.engine.models import choice
from desktop_app.engine.models.bundled import bundled_folder, bundled_models
from desktop_app.engine.models.catalogue import CATALOGUE, find
from desktop_app.engine.models.hub import is_downloaded, resolve_model


def run_models(args: argparse.Namespace) -> int:
    """List the catalogue or download one model."""
    if args.models_command == "list":
        if getattr(args, "server", None):
            print(server_models(args))
            return 0
        print(catalogue_table())
        # told beside the table, which stays one model a line for scripts
        reason = choice.recommend(choice.this_computer()).reason
        print(messages.MODELS_RECOMMENDED_CLI.format(reason=reason), file=sys.stderr)
        return 0
    # An explicit --revision is looked up on the Hub again; without it the recorded commit stays.
    folder = resolve_model(
        args.model_id,
        revision=args.revision,
        on_progress=ProgressPrinter(),
        refresh=args.revision is not None,
    )
    print(messages.MODELS_DOWNLOADED.format(model=args.model_id, path=folder))
    return 0


def catalogue_table() -> str:
    """The catalogue as aligned columns, with whether each model is shipped with the app or
    downloaded; then the app's shipped models that the catalogue does not know."""
    header = messages.MODELS_TABLE_HEADER
    rows = [header]
    for entry in CATALOGUE:
        status = (
            messages.MODEL_BUNDLED
            if bundled_folder(entry.hub_id) is not None
            else messages.MODEL_IN_CACHE
            if is_downloaded(entry.hub_id)
            else messages.MODEL_NOT_IN_CACHE
        )
        rows.append(
            (
                entry.hub_id,
                entry.parameters,
                f"{entry.download_gb:g} GB",
                f"{entry.memory_gb:g} GB",
                entry.licence,
                languages_of(entry.languages),
                status,
                translate(entry.note),
            )
        )
    for shipped in bundled_models():
        if find(shipped.model) is None:
            unknown = messages.MODEL_FACT_UNKNOWN
            rows.append(
                (
                    shipped.model,
                    unknown,
                    unknown,
                    unknown,
                    unknown,
                    languages_of(None),
                    messages.MODEL_BUNDLED,
                    "",
                )
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def languages_of(codes: tuple[str, ...] | None) -> str:
    """A model's languages for the table: their English names, or "unknown"."""
    if codes is None:
        return messages.MODEL_LANGUAGES_UNKNOWN
    return ",".join(known.name if (known := find_language(code)) else code for code in codes)


def server_models(args: argparse.Namespace) -> str:
    """The models the server of --server offers, one a line, and its round-trip time."""
    from desktop_app.cli.server import server_endpoint
    from desktop_app.engine.remote import check_server

    endpoint = server_endpoint(args)
    check = check_server(endpoint)
    label = endpoint.address.label
    lines = list(check.models) or [messages.SERVER_NO_MODELS.format(server=label)]
    lines.append(messages.SERVER_MODELS_LATENCY.format(server=label, latency_ms=check.latency_ms))
    return "\n".join(lines)
