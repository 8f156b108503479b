"""The `iris` argument parser."""

from __future__ import annotations

import argparse

from desktop_app import __version__
from desktop_app.core import messages
from desktop_app.core.actions import hotkeys_help
from desktop_app.settings import DeviceChoice, Quantization

API_KEY_VARIABLE = "IRIS_SERVER_API_KEY"
"""Where the command line finds a model server's API key (never in its arguments)."""

EPILOG = """Without a command, Iris opens its window.

global hotkeys (work while another program has focus; change them in Settings):
{hotkeys}

examples:
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
  iris models list --server http://gpu-box:8000

The first real run downloads the model (about 0.5 GB for the default) into the standard
Hugging Face cache; after that Iris works offline and nothing leaves your computer.
With --server the model runs on that server instead: the images and questions go there
(Iris asks once per server). Its API key comes from IRIS_SERVER_API_KEY or the system
keyring, never from the command line.
exit codes: 0 done, 2 bad input (file, image, arguments), 3 model problem, 4 server problem."""


def build_parser() -> argparse.ArgumentParser:
    """All commands and their options."""
    parser = argparse.ArgumentParser(
        prog="iris",
        description=messages.CLI_DESCRIPTION,
        epilog=EPILOG.format(hotkeys=hotkeys_help()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"iris {__version__}")
    parser.add_argument("--debug", action="store_true", help="log details to stderr")
    parser.add_argument(
        "--model", dest="window_model", metavar="ID_OR_PATH", help="the window's model"
    )
    parser.add_argument(
        "--speak-to-files",
        metavar="DIR",
        help="write each spoken utterance as a WAV file in DIR instead of playing it",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    describe = commands.add_parser(
        "describe", help="describe images, answer questions about them, read or classify them"
    )
    describe.add_argument("images", nargs="+", metavar="IMAGE", help="image files")
    describe.add_argument(
        "--ask",
        action="append",
        default=[],
        metavar="QUESTION",
        help="a question; repeat for a conversation. Without --task the first question "
        "is asked about the images; with --task the questions follow its answer",
    )
    describe.add_argument(
        "--task", choices=["describe", "read", "classify"], help="what to do first (describe)"
    )
    describe.add_argument("--labels", help="comma-separated categories for --task classify")
    describe.add_argument("--instruction", help="a custom instruction instead of a task")
    describe.add_argument(
        "--prompt",
        metavar="NAME",
        help="a saved prompt instead of a task (its name, any case; `iris prompts list`); "
        "for one that compares, give the earlier image first",
    )
    describe.add_argument(
        "--answer", default="", metavar="TEXT", help="the answer to the saved prompt's question"
    )
    describe.add_argument(
        "--example",
        nargs=2,
        action="append",
        default=[],
        metavar=("IMAGE", "ANSWER"),
        help="a worked example for few-shot prompting; repeatable",
    )
    _add_model_options(describe)
    _add_server_options(describe)
    describe.add_argument("--format", choices=["text", "jsonl"], default="text")

    read = commands.add_parser(
        "read", help="read the text of images (works offline, no model download needed)"
    )
    read.add_argument("images", nargs="+", metavar="IMAGE", help="image files")
    read.add_argument("--format", choices=["text", "jsonl"], default="text")
    read.add_argument("--threads", type=_positive, metavar="N", help="CPU threads")

    batch = commands.add_parser("batch", help="write alt text for every image in a folder")
    batch.add_argument("folder", metavar="FOLDER")
    batch.add_argument("--out", required=True, metavar="CSV", help="where to write the table")
    batch.add_argument("--task", choices=["describe", "read"], default="describe")
    batch.add_argument("--recursive", action="store_true", help="include sub-folders")
    _add_model_options(batch)
    _add_server_options(batch)

    prompts = commands.add_parser("prompts", help="list, export or import the saved prompts")
    prompt_commands = prompts.add_subparsers(
        dest="prompts_command", metavar="ACTION", required=True
    )
    prompt_commands.add_parser("list", help="the saved prompts, their hotkeys and what they do")
    export = prompt_commands.add_parser("export", help="write the saved prompts to a JSON file")
    export.add_argument("file", metavar="FILE")
    imported = prompt_commands.add_parser(
        "import", help="add the prompts of a JSON file (same names are replaced)"
    )
    imported.add_argument("file", metavar="FILE")

    models = commands.add_parser("models", help="list or download models")
    model_commands = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    listing = model_commands.add_parser(
        "list", help="the models Iris knows and which are downloaded, or a server's models"
    )
    _add_server_options(listing, sends_images=False)
    download = model_commands.add_parser("download", help="download a model from the Hub")
    download.add_argument("model_id", metavar="ID")
    download.add_argument("--revision", help="a branch, tag or commit to pin")
    return parser


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("model")
    group.add_argument(
        "--model",
        metavar="ID_OR_PATH",
        help="Hub id, local folder, or auto (the model recommended for this computer)",
    )
    group.add_argument(
        "--quant", choices=[q.value for q in Quantization], default="auto", help="precision"
    )
    group.add_argument("--device", choices=[d.value for d in DeviceChoice], default="auto")
    group.add_argument("--max-new-tokens", type=_positive, default=256, metavar="N")
    group.add_argument(
        "--longest-edge", type=_positive, metavar="PIXELS", help="scale images down to this"
    )
    split = group.add_mutually_exclusive_group()
    split.add_argument(
        "--split", dest="split", action="store_true", default=None, help="tile large images"
    )
    split.add_argument("--no-split", dest="split", action="store_false", help="one tile only")
    group.add_argument("--threads", type=_positive, metavar="N", help="CPU threads")
    group.add_argument("--revision", help="Hub revision (branch, tag or commit) to use")
    group.add_argument(
        "--no-ground",
        dest="ground",
        action="store_false",
        help="do not give the model the text found on the image",
    )


def _add_server_options(parser: argparse.ArgumentParser, sends_images: bool = True) -> None:
    """--server and its companions (the key comes from the environment or the keyring)."""
    group = parser.add_argument_group(
        "model server",
        f"use a model on an OpenAI-compatible server; its API key comes from {API_KEY_VARIABLE} "
        "or the system keyring",
    )
    group.add_argument("--server", metavar="URL", help="the server, e.g. http://gpu-box:8000")
    if sends_images:
        group.add_argument("--server-model", metavar="NAME", help="the model's name on the server")
    group.add_argument(
        "--server-ca", metavar="FILE", help="certificate authority file of a private server"
    )
    group.add_argument(
        "--server-timeout",
        type=_seconds,
        metavar="SECONDS",
        help="give up when the server sends nothing for this long",
    )
    if sends_images:
        group.add_argument(
            "--allow-remote",
            action="store_true",
            help="agree that images go to a server that is not this computer",
        )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value
