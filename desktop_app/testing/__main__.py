"""Build a random-weight model folder: `python -m desktop_app.testing FAMILY_OR_SHAPE FOLDER`.

FAMILY is one of the tiny families (idefics3, smolvlm2, idefics2, idefics, llava, and the others
in random_models.MORE_FAMILIES); a real shape
(SmolVLM-256M-Instruct, SmolVLM-500M-Instruct) builds random weights at the published sizes.
The result answers with gibberish: it is for trying Iris offline and for tests and benchmarks.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop_app.testing.random_models import (
    ALL_FAMILIES,
    REAL_SHAPES,
    build_real_shape_model,
    build_tiny_model,
)

DESCRIPTION = """\
Build a vision-language model with random weights, offline (nothing is downloaded), and print
the folder it was written to. Iris loads it like any model folder, with --model FOLDER.

Its answers are gibberish, but they stream, are spoken and can be stopped like real ones: enough
to try the window, speech, hotkeys and the command line on a computer without the real model or
without internet, and what the tests and benchmarks use."""

EPILOG = """\
kinds:
  idefics3, smolvlm2, idefics2, idefics, llava
      a tiny model of that family (idefics3 is SmolVLM's, Iris's default): about 1 MB, built
      in well under a minute
  qwen2_vl, qwen2_5_vl, qwen3_vl, gemma3, paligemma, llava_next, llava_onevision, mistral3,
  internvl, aya_vision, lfm2_vl
      a tiny model of another family, built the same way (PaliGemma has no chat template:
      Iris refuses it)
  SmolVLM-256M-Instruct, SmolVLM-500M-Instruct, SmolVLM-Instruct
      random weights with that model's real layer sizes (about 0.5 GB / 1 GB / 4.5 GB; the
      last is the 2.2B one and needs about 5 GB of memory to build), for timing and
      memory measurements

examples:
  python -m desktop_app.testing idefics3 /tmp/tiny && ./run.sh --model /tmp/tiny
  python -m desktop_app.testing idefics3 /tmp/tiny && ./run.sh describe photo.png --model /tmp/tiny
  python -m desktop_app.testing SmolVLM-256M-Instruct /tmp/smolvlm-256m-shape"""


def build_parser() -> argparse.ArgumentParser:
    """The command's arguments: which model to build, and where."""
    parser = argparse.ArgumentParser(
        prog="python -m desktop_app.testing",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "kind",
        choices=(*ALL_FAMILIES, *REAL_SHAPES),
        metavar="KIND",
        help="which model to build: a family's tiny model or a real shape (see kinds below)",
    )
    parser.add_argument("folder", type=Path, metavar="FOLDER", help="where to write the model")
    return parser


def main(argv: list[str]) -> int:
    """Build one model folder and print its path (exit code 2 for bad arguments)."""
    args = build_parser().parse_args(argv)
    kind: str = args.kind
    folder: Path = args.folder
    built = (
        build_tiny_model(kind, folder)
        if kind in ALL_FAMILIES
        else build_real_shape_model(kind, folder)
    )
    print(built)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
