"""The `iris` argument parser."""

from __future__ import annotations

import argparse

from desktop_app import __version__
from desktop_app.core import messages
from desktop_app.core.actions import hotkeys_help
from desktop_app.settings import DeviceChoice, Quantization

API_KEY_VARIABLE = "IRIS_SERVER_API_KEY"
"""Where the command line finds a model server's API key (never in its arguments)."""

EXAMPLES = """\
  iris --model HuggingFaceTB/SmolVLM-256M-Instruct
  iris describe photo.png
  iris describe screen.png --ask "What does the error say?" --ask "Which button closes it?"
  iris read letter.jpg                 (text only; needs no model download)
  iris describe letter.jpg --task read --format jsonl
  iris describe pet.jpg --task classify --labels cat,dog,bird
  iris describe error.png --prompt "error dialog"
  iris batch ~/Pictures --out alt-text.csv
  iris models list
  iris describe photo.png --server http://gpu-box:8000 --server-model Qwen/Qwen2.5-VL-7B-Instruct
  iris models list --server http://gpu-box:8000"""
"""Commands as typed (not translated)."""


def build_parser() -> argparse.ArgumentParser:
    """All commands and their options."""
    parser = argparse.ArgumentParser(
        prog="iris",
        description=messages.CLI_DESCRIPTION,
        epilog=messages.CLI_EPILOG.format(
            hotkeys=hotkeys_help(), examples=EXAMPLES, variable=API_KEY_VARIABLE
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"iris {__version__}")
    parser.add_argument("--debug", action="store_true", help=messages.CLI_HELP_DEBUG)
    parser.add_argument(
        "--model", dest="window_model", metavar="ID_OR_PATH", help=messages.CLI_HELP_WINDOW_MODEL
    )
    parser.add_argument(
        "--speak-to-files",
        metavar="DIR",
        help=messages.CLI_HELP_SPEAK_TO_FILES,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    describe = commands.add_parser("describe", help=messages.CLI_HELP_DESCRIBE)
    describe.add_argument("images", nargs="+", metavar="IMAGE", help=messages.CLI_HELP_IMAGES)
    describe.add_argument(
        "--ask",
        action="append",
        default=[],
        metavar="QUESTION",
        help=messages.CLI_HELP_ASK,
    )
    describe.add_argument(
        "--task", choices=["describe", "read", "classify"], help=messages.CLI_HELP_TASK
    )
    describe.add_argument("--labels", help=messages.CLI_HELP_LABELS)
    describe.add_argument("--instruction", help=messages.CLI_HELP_INSTRUCTION)
    describe.add_argument(
        "--prompt",
        metavar="NAME",
        help=messages.CLI_HELP_PROMPT,
    )
    describe.add_argument("--answer", default="", metavar="TEXT", help=messages.CLI_HELP_ANSWER)
    describe.add_argument(
        "--example",
        nargs=2,
        action="append",
        default=[],
        metavar=("IMAGE", "ANSWER"),
        help=messages.CLI_HELP_EXAMPLE,
    )
    _add_model_options(describe)
    _add_server_options(describe)
    describe.add_argument("--format", choices=["text", "jsonl"], default="text")

    read = commands.add_parser("read", help=messages.CLI_HELP_READ)
    read.add_argument("images", nargs="+", metavar="IMAGE", help=messages.CLI_HELP_IMAGES)
    read.add_argument("--format", choices=["text", "jsonl"], default="text")
    read.add_argument("--threads", type=_positive, metavar="N", help=messages.CLI_HELP_THREADS)

    batch = commands.add_parser("batch", help=messages.CLI_HELP_BATCH)
    batch.add_argument("folder", metavar="FOLDER")
    batch.add_argument("--out", required=True, metavar="CSV", help=messages.CLI_HELP_OUT)
    batch.add_argument("--task", choices=["describe", "read"], default="describe")
    batch.add_argument("--recursive", action="store_true", help=messages.CLI_HELP_RECURSIVE)
    _add_model_options(batch)
    _add_server_options(batch)

    prompts = commands.add_parser("prompts", help=messages.CLI_HELP_PROMPTS)
    prompt_commands = prompts.add_subparsers(
        dest="prompts_command", metavar="ACTION", required=True
    )
    prompt_commands.add_parser("list", help=messages.CLI_HELP_PROMPTS_LIST)
    export = prompt_commands.add_parser("export", help=messages.CLI_HELP_PROMPTS_EXPORT)
    export.add_argument("file", metavar="FILE")
    imported = prompt_commands.add_parser("import", help=messages.CLI_HELP_PROMPTS_IMPORT)
    imported.add_argument("file", metavar="FILE")

    models = commands.add_parser("models", help=messages.CLI_HELP_MODELS)
    model_commands = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = model_commands.add_parser("list", help=messages.CLI_HELP_MODELS_LIST)
    _add_server_options(listing, sends_images=False)
    download = model_commands.add_parser("download", help=messages.CLI_HELP_MODELS_DOWNLOAD)
    download.add_argument("model_id", metavar="ID")
    download.add_argument("--revision", help=messages.CLI_HELP_REVISION_PIN)
    return parser


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(messages.CLI_GROUP_MODEL)
    group.add_argument(
        "--model",
        metavar="ID_OR_PATH",
        help=messages.CLI_HELP_MODEL,
    )
    group.add_argument(
        "--quant",
        choices=[q.value for q in Quantization],
        default="auto",
        help=messages.CLI_HELP_QUANT,
    )
    group.add_argument("--device", choices=[d.value for d in DeviceChoice], default="auto")
    group.add_argument("--max-new-tokens", type=_positive, default=256, metavar="N")
    group.add_argument(
        "--longest-edge", type=_positive, metavar="PIXELS", help=messages.CLI_HELP_LONGEST_EDGE
    )
    split = group.add_mutually_exclusive_group()
    split.add_argument(
        "--split", dest="split", action="store_true", default=None, help=messages.CLI_HELP_SPLIT
    )
    split.add_argument(
        "--no-split", dest="split", action="store_false", help=messages.CLI_HELP_NO_SPLIT
    )
    group.add_argument("--threads", type=_positive, metavar="N", help=messages.CLI_HELP_THREADS)
    group.add_argument("--revision", help=messages.CLI_HELP_REVISION)
    group.add_argument(
        "--no-ground",
        dest="ground",
        action="store_false",
        help=messages.CLI_HELP_NO_GROUND,
    )


def _add_server_options(parser: argparse.ArgumentParser, sends_images: bool = True) -> None:
    """--server and its companions (the key comes from the environment or the keyring)."""
    group = parser.add_argument_group(
        messages.CLI_GROUP_SERVER,
        messages.CLI_GROUP_SERVER_HELP.format(variable=API_KEY_VARIABLE),
    )
    group.add_argument("--server", metavar="URL", help=messages.CLI_HELP_SERVER)
    if sends_images:
        group.add_argument("--server-model", metavar="NAME", help=messages.CLI_HELP_SERVER_MODEL)
    group.add_argument("--server-ca", metavar="FILE", help=messages.CLI_HELP_SERVER_CA)
    group.add_argument(
        "--server-timeout",
        type=_seconds,
        metavar="SECONDS",
        help=messages.CLI_HELP_SERVER_TIMEOUT,
    )
    if sends_images:
        group.add_argument(
            "--allow-remote",
            action="store_true",
            help=messages.CLI_HELP_ALLOW_REMOTE,
        )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            messages.CLI_NOT_WHOLE_NUMBER.format(text=repr(text))
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(messages.CLI_AT_LEAST_ONE)
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(messages.CLI_NOT_SECONDS.format(text=repr(text))) from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(messages.CLI_MORE_THAN_ZERO_SECONDS)
    return value
