"""Build a random-weight model folder: `python -m desktop_app.testing FAMILY_OR_SHAPE FOLDER`.

FAMILY is one of the tiny families (idefics3, smolvlm2, idefics2, idefics, llava); a real shape
(SmolVLM-256M-Instruct, SmolVLM-500M-Instruct) builds random weights at the published sizes.
The result answers with gibberish: it is for trying Iris offline and for tests and benchmarks.
"""

from __future__ import annotations

import sys
from pathlib import Path

from desktop_app.testing.random_models import (
    FAMILIES,
    REAL_SHAPES,
    build_real_shape_model,
    build_tiny_model,
)


def main(argv: list[str]) -> int:
    """Build one model folder and print its path."""
    if len(argv) != 2 or argv[0] not in (*FAMILIES, *REAL_SHAPES):
        choices = ", ".join((*FAMILIES, *REAL_SHAPES))
        print(f"usage: python -m desktop_app.testing {{{choices}}} FOLDER", file=sys.stderr)
        return 2
    kind, folder = argv[0], Path(argv[1])
    built = (
        build_tiny_model(kind, folder) if kind in FAMILIES else build_real_shape_model(kind, folder)
    )
    print(built)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
