"""Entry point of the `iris` command: parse, run, and turn errors into exit codes."""

from __future__ import annotations

import argparse
import faulthandler
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from desktop_app.cli.output import print_error
from desktop_app.cli.parser import build_parser
from desktop_app.core import i18n, messages
from desktop_app.core.errors import IrisError

EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run `iris` with `argv` (default: the process arguments); return the exit code."""
    install_language()
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(debug_requested(args.debug))
    try:
        return _open_window(args) if args.command is None else _dispatch(args)
    except IrisError as error:
        print_error(error.message)
        return error.exit_code
    except KeyboardInterrupt:
        print_error(messages.CLI_INTERRUPTED)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        sys.stderr.close()
        return 0


def install_language() -> str:
    """Put the interface language in place before any message is made: IRIS_LANGUAGE, else
    the saved Interface language, else the system's locale."""
    from desktop_app.settings.interface_language import saved_interface_language

    return i18n.install(i18n.chosen_language(saved_interface_language()))


def _open_window(args: argparse.Namespace) -> int:
    from desktop_app.core.errors import BadInputError

    try:
        from desktop_app.gui.app import display_available, run_app
    except ImportError as error:
        print_error(messages.WINDOW_CANNOT_START.format(error=error))
        return 1
    if not display_available():
        raise BadInputError(messages.NO_DISPLAY_FOR_WINDOW)
    speak_to = Path(args.speak_to_files).expanduser() if args.speak_to_files else None
    if not faulthandler.is_enabled():  # a crash in Qt or a library leaves a Python traceback
        faulthandler.enable()
    return run_app(sys.argv[:1], model=args.window_model, speak_to_files=speak_to)


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "describe":
        from desktop_app.cli.describe import run_describe

        return run_describe(args)
    if args.command == "read":
        from desktop_app.cli.read import run_read

        return run_read(args)
    if args.command == "batch":
        from desktop_app.cli.batch import run_batch

        return run_batch(args)
    if args.command == "prompts":
        from desktop_app.cli.prompts import run_prompts

        return run_prompts(args)
    from desktop_app.cli.models import run_models

    return run_models(args)


DEBUG_VARIABLE = "IRIS_DEBUG"


def debug_requested(flag: bool) -> bool:
    """`--debug`, or IRIS_DEBUG=1 in the environment (for the window started from a menu)."""
    import os

    return flag or os.environ.get(DEBUG_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def _configure_logging(debug: bool) -> None:
    """Warnings and errors to stderr; with `debug`, details too, questions and answers
    included. Without it nothing logged holds an answer, a question or image data."""
    level = logging.DEBUG if debug else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(level)  # also when a handler was already installed
    if debug:
        return
    import os

    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    import warnings

    warnings.filterwarnings("ignore", category=UserWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
