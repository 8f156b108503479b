"""Benchmark of grounding on the default path: time to first token of a description.

    .venv/bin/python benchmarks/grounding.py [--runs N] [--shape 256M|500M|2.2B] [--write]

Random weights with SmolVLM-256M-Instruct's published layer sizes (built offline), default
settings (int8, grounding on), through the backends the window makes
(`gui.backends.local_backend_factory`): the model in its own process, grounded in this one with
the text read in the text reader's process (below the model's priority), on dense dark-theme
text screens made of the generated test screens (desktop_app/testing/text_screens.py) at
1920x1080 and 2880x1800. Four cases: a
window whose accessibility tree names every label (ScreenFacts built from where the screens
drew them, plus one unnamed image the reader reads); the same screen without a tree (the text
reader beside the image encoding); no grounding; a focused button (a 300x60 capture with
its item facts). Then screenshots of real applications (benchmarks/real_screens.py: a
document, a terminal listing, a settings dialog) at 1920x1080 and 2880x1800 (scale 2), with
no tree: the default path on a window Iris knows nothing about. Each run uses a new image
with new pixels and no kept conversation, so nothing is reused. Prints a Markdown section;
with --write, puts it into docs/performance.md in place of the last one;
`benchmarks/report.py` includes it in a full report. `--shape` measures a bigger SmolVLM's
shapes the same way (no Ask about the screen, no targets: those are the default model's) in a
section of its own; each shape's typical figure (`typical_first_token_s`) is the one the model
catalogue records (`engine/models/catalogue.py`, `cpu_first_words_s`).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import real_screens  # noqa: E402
from machine_info import machine, write_section  # noqa: E402

from desktop_app.core.accessible import (  # noqa: E402
    AccessibleItem,
    AccessibleNode,
    AccessibleTree,
    Role,
    ScreenFacts,
    State,
    attach_facts,
)
from desktop_app.core.types import Rect, Request  # noqa: E402
from desktop_app.engine.tasks import DESCRIBE  # noqa: E402
from desktop_app.testing.text_screens import document, form, table, two_columns  # noqa: E402

SIZES = ((1920, 1080), (2880, 1800))
HEADING = "## Grounding on the default path"
SHAPES = {
    "256M": "SmolVLM-256M-Instruct",
    "500M": "SmolVLM-500M-Instruct",
    "2.2B": "SmolVLM-Instruct",
}
"""The catalogue's CPU models, by the shape `--shape` names; the first is the default model."""
DEFAULT_SHAPE = "256M"
TYPICAL_SIZE = "1920x1080"
"""The screen size of the catalogue's figure."""
TYPICAL_CASES = ("tree", "reader", "real")
"""The grounded cases whose median at TYPICAL_SIZE is the catalogue's figure."""
TARGETS = {"tree": 1.5, "reader": 1.5, "item": 1.0, "real": 1.5}
"""Time to first token targets (seconds) per case."""
REAL_APPS = ("document-light", "terminal-dark", "settings-dark")
"""The real screens measured, at each of the set's sizes."""
QUESTION = "What is the title of this window?"
"""The question asked after Ask about the screen."""
TYPING_S = 3.0
"""How long the user takes to type it: the screen is read and encoded meanwhile."""


def dense_screen(size: tuple[int, int]) -> tuple[Any, list[tuple[str, Rect]]]:
    """Dark test screens tiled to `size`, and each whole label on it with its box."""
    from PIL import Image

    tiles = [
        document("dark", "Liberation Serif", 12),
        table("dark", "Liberation Sans", 14),
        two_columns("dark", "DejaVu Sans", 15),
        form("dark", "Liberation Sans", 13),
        document("dark", "DejaVu Sans", 11, seed=7),
        table("dark", "DejaVu Sans", 12, seed=8),
        two_columns("dark", "Liberation Sans", 13, seed=9),
        form("dark", "DejaVu Sans", 12, seed=10),
        document("dark", "Liberation Sans", 13, seed=11),
    ]
    canvas = Image.new("RGB", size, (30, 31, 34))
    labels: list[tuple[str, Rect]] = []
    width, height = tiles[0].image.size
    index = 0
    for top in range(0, size[1], height):
        for left in range(0, size[0], width):
            tile = tiles[index % len(tiles)]
            index += 1
            canvas.paste(tile.image, (left, top))
            for text, (x0, y0, x1, y1) in zip(tile.lines, tile.boxes, strict=True):
                if left + x1 <= size[0] and top + y1 <= size[1] and x1 > x0 and y1 > y0:
                    labels.append((text, Rect(left + x0, top + y0, x1 - x0, y1 - y0)))
    return canvas, labels


def window_facts(size: tuple[int, int], labels: list[tuple[str, Rect]]) -> ScreenFacts:
    """A window filling the screen, a label node per drawn line, and one unnamed image."""
    window = AccessibleNode(Role.WINDOW, "Mail", Rect(0, 0, *size))
    nodes = [AccessibleNode(Role.LABEL, text, box, depth=2) for text, box in labels]
    nodes.append(AccessibleNode(Role.IMAGE, "", Rect(size[0] - 320, 40, 240, 160), depth=2))
    tree = AccessibleTree(window, tuple(nodes), application="mail")
    return ScreenFacts((0, 0), tree=tree)


def button(screen: Any) -> Any:
    """A 300x60 capture of a focused button, with its item facts."""
    from PIL import ImageDraw

    image = screen.crop((600, 400, 900, 460))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 292, 52), radius=6, fill=(40, 110, 200))
    draw.text((120, 22), "Send", fill=(255, 255, 255))
    node = AccessibleNode(Role.BUTTON, "Send", Rect(608, 408, 284, 44), frozenset({State.FOCUSED}))
    window = AccessibleNode(Role.WINDOW, "Mail", Rect(0, 0, 1920, 1080))
    tool_bar = AccessibleNode(Role.TOOL_BAR, "", Rect(0, 380, 1920, 100))
    item = AccessibleItem(node, window, (tool_bar,), "mail")
    return attach_facts(image, ScreenFacts((600, 400), item=item))


_FRESH = itertools.count(1)
"""Numbers the images `fresh` makes: no two of a run are alike, whichever case made them."""


def fresh(image: Any) -> Any:
    """A copy with one pixel changed and the same facts: no cache can know it. Each copy
    differs from every other one made (a case's run 0 would otherwise be the last case's run
    0: the ungrounded case then continued from the grounded one's encoding of its image)."""
    number = next(_FRESH)
    copy = image.copy()
    copy.putpixel((0, 0), (number % 256, number // 256 % 256, 11))
    return copy


def first_token_s(backend: Any, image: Any) -> tuple[float, int]:
    """A description of `image`: seconds to its first token (the grounding's wait included)
    and its prompt's tokens. A new image: nothing is continued from the last answer."""
    answer = backend.start(Request.single(DESCRIBE, [image], max_new_tokens=2), lambda _: None)
    return answer.timings.first_token_s or 0.0, answer.prompt_tokens


def asked_at_once(backend: Any, image: Any) -> tuple[float, int, int]:
    """The question about `image` asked with nothing prepared: its first token, its prompt's
    tokens and how many of them were continued from a prepared prompt (none)."""
    answer = backend.start(Request.single(QUESTION, [image], max_new_tokens=2), lambda _: None)
    return answer.timings.first_token_s or 0.0, answer.prompt_tokens, answer.cached_tokens


def asked_after_typing(backend: Any, image: Any) -> tuple[float, int, int]:
    """Ask about the screen as the window does it: `prepare` on the engine's thread while the
    question is typed (TYPING_S), then the question (`stop_waiting`, then `start`). The time
    from Enter to its first token (the preparing's end waited for included), its prompt's
    tokens and how many of them were continued from the prepared prompt."""
    ahead = Request.single("", [image], max_new_tokens=2)
    preparing = threading.Thread(target=backend.prepare, args=(ahead,))
    preparing.start()
    time.sleep(TYPING_S)  # the user types
    entered = time.perf_counter()
    backend.stop_waiting()
    preparing.join()
    waited = time.perf_counter() - entered
    answer = backend.start(Request.single(QUESTION, [image], max_new_tokens=2), lambda _: None)
    first = waited + (answer.timings.first_token_s or 0.0)
    return first, answer.prompt_tokens, answer.cached_tokens


def ask_row(backend: Any, name: str, image: Any, runs: int) -> dict[str, Any]:
    """Ask about the screen `image`: the question asked at once, and typed while prepared."""
    rows = {}
    for key, ask in (("at_once", asked_at_once), ("typed", asked_after_typing)):
        ask(backend, fresh(image))  # warm
        measured = [ask(backend, fresh(image)) for _ in range(runs)]
        rows[key] = (
            statistics.median(s for s, _, _ in measured),
            measured[0][1],
            statistics.median(c for _, _, c in measured),
        )
    return {"size": f"{image.width}x{image.height}", "screen": name, **rows}


def heading(shape: str) -> str:
    """The section's heading: the default model's, or a bigger shape's own."""
    return HEADING if shape == DEFAULT_SHAPE else f"{HEADING}: SmolVLM {shape}"


def typical_first_token_s(rows: list[dict[str, Any]]) -> float:
    """What a description of a TYPICAL_SIZE screen waits for its first token on the default
    path: the median of the grounded cases (TYPICAL_CASES) at that size."""
    return statistics.median(
        row["first_token_s"]
        for row in rows
        if row["size"] == TYPICAL_SIZE and row["key"] in TYPICAL_CASES
    )


def figures(
    runs: int, shape: str = DEFAULT_SHAPE
) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    from process import shipped_backend

    from desktop_app.testing.random_models import build_real_shape_model

    rows = []
    asks = []
    asking = shape == DEFAULT_SHAPE  # Ask about the screen: the default model's rows only
    with tempfile.TemporaryDirectory() as folder:
        model = build_real_shape_model(SHAPES[shape], Path(folder) / SHAPES[shape].lower())
        grounded = shipped_backend(model)  # the model's process, the reader's process
        plain = grounded.inner  # the model's process, ungrounded
        grounded.load()
        grounded.warm_up()
        try:
            for size in SIZES:
                screen, labels = dense_screen(size)
                tree = attach_facts(screen.copy(), window_facts(size, labels))
                cases: list[tuple[str, str, Any, Any]] = [
                    ("tree", "window with an accessibility tree", grounded, tree),
                    ("reader", "same screen, no tree (reader beside encoding)", grounded, screen),
                    ("plain", "ungrounded", plain, screen),
                    ("item", "focused button, 300x60, item facts", grounded, button(screen)),
                ]
                for key, what, backend, image in cases:
                    first_token_s(backend, fresh(image))  # warm
                    measured = [first_token_s(backend, fresh(image)) for _ in range(runs)]
                    rows.append(
                        {
                            "size": f"{size[0]}x{size[1]}",
                            "key": key,
                            "what": what,
                            "first_token_s": statistics.median(s for s, _ in measured),
                            "prompt_tokens": measured[0][1],
                        }
                    )
                if asking:
                    asks.append(ask_row(grounded, "dense text (the screen above)", screen, runs))
            for screen in real_screens.build():
                if not screen.name.startswith(REAL_APPS):
                    continue
                image = screen.image()
                first_token_s(grounded, fresh(image))  # warm
                measured = [first_token_s(grounded, fresh(image)) for _ in range(runs)]
                ungrounded = first_token_s(plain, fresh(image))
                rows.append(
                    {
                        "size": f"{image.width}x{image.height}",
                        "key": "real",
                        "what": f"real screen: {screen.name.rsplit('-', 1)[0]}, no tree "
                        f"(ungrounded {ungrounded[0]:.2f} s)",
                        "first_token_s": statistics.median(s for s, _ in measured),
                        "prompt_tokens": measured[0][1],
                    }
                )
                if asking:
                    name = f"real: {screen.name.rsplit('-', 1)[0]}"
                    asks.append(ask_row(grounded, name, image, runs))
            return grounded.description, rows, asks
        finally:
            grounded.close()


def section(runs: int, shape: str = DEFAULT_SHAPE) -> list[str]:
    """The Markdown section on grounding on the default path, for the model `shape`."""
    started = time.perf_counter()
    description, rows, asks = figures(runs, shape)
    command = "" if shape == DEFAULT_SHAPE else f" --shape {shape}"
    lines = [
        heading(shape),
        "",
        f"Time to first token of a description (`benchmarks/grounding.py{command}`), median "
        f"of {runs} run(s): random weights with {SHAPES[shape]}'s shapes ({description}), default "
        "settings (grounding on, one tile), through the backends the window makes: the model "
        "in its own process, the text reader in its own, below the model's priority. Dense "
        "dark-theme text screens made of the test screens. Every run has new pixels, so "
        "nothing is continued from the last answer. The tree's labels are "
        "every line drawn; the reader then reads only an unnamed 240x160 image. Without a "
        "tree the text reader reads the whole screen while the model prepares and encodes "
        "the image. The real screens are applications' own windows (`benchmarks/real_screens.py`"
        "), read the same way: the default path on a window with no accessibility tree.",
        "",
        f"Measured on: {machine()}.",
        "",
        "| screen | case | first token s | target s | prompt tokens |",
        "|---|---|---|---|---|",
    ]
    verdicts = []
    targets = TARGETS if shape == DEFAULT_SHAPE else {}
    for row in rows:
        target = targets.get(row["key"])
        shown = "" if target is None else f"{target:g}"
        lines.append(
            f"| {row['size']} | {row['what']} | {row['first_token_s']:.2f} | {shown} | "
            f"{row['prompt_tokens']} |"
        )
        if target is not None:
            met = row["first_token_s"] <= target
            verdicts.append(met)
    met = sum(verdicts)
    plain = {row["size"]: row["prompt_tokens"] for row in rows if row["key"] == "plain"}
    unread = [
        f"{row['size']} ({row['what'].split(',')[0]})"
        for row in rows
        if row["key"] in ("reader", "real") and row["prompt_tokens"] <= plain[row["size"]]
    ]
    if unread:
        lines += [
            "",
            f"Without a tree, no text reached the prompt for {'; '.join(unread)}: the reader, "
            "below the model's priority, was still detecting the screen's text when the image "
            "encoding ended, and was stopped there (reading such a screen whole takes several "
            "seconds on these cores).",
        ]
    if asks:
        lines += ask_lines(asks)
    verdicts += [row["typed"][0] <= TARGETS["reader"] for row in asks]
    met = sum(verdicts)
    lines += [
        "",
        f"Typical first token (the model catalogue's figure: the median of the grounded cases "
        f"at {TYPICAL_SIZE}): {typical_first_token_s(rows):.2f} s.",
    ]
    if verdicts:
        lines += ["", f"Targets met: {met} of {len(verdicts)}."]
    lines += ["", f"Measured in {time.perf_counter() - started:.0f} s.", ""]
    return lines


def ask_lines(asks: list[dict[str, Any]]) -> list[str]:
    """The Ask about the screen table."""
    lines = [
        "",
        f'**Ask about the screen** (no tree): the question "{QUESTION}" asked at once, and '
        f"typed in {TYPING_S:g} s while Iris reads the screen's text (no budget), encodes "
        "the image and, once the text is read, runs the grounded prompt through the model "
        "(`GroundedBackend.prepare`); Enter then waits for the preparing under way, if any, "
        "and the question adds its own words. Time from Enter to the first token (target "
        f"{TARGETS['reader']:g} s).",
        "",
        "| size | screen | asked at once s | typed, then s | prompt tokens at once / typed "
        "| continued from the prepared prompt |",
        "|---|---|---|---|---|---|",
    ]
    for row in asks:
        at_once, typed = row["at_once"], row["typed"]
        lines.append(
            f"| {row['size']} | {row['screen']} | {at_once[0]:.2f} | {typed[0]:.2f} | "
            f"{at_once[1]} / {typed[1]} | {typed[2]:.0f} |"
        )
    return lines


def write(lines: list[str], shape: str = DEFAULT_SHAPE) -> None:
    """Put the section into docs/performance.md in place of its last version (or at the end)."""
    write_section(heading(shape), lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shape", choices=list(SHAPES), default=DEFAULT_SHAPE)
    parser.add_argument("--write", action="store_true", help="update docs/performance.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        os.environ.setdefault("IRIS_CACHE_DIR", cache)  # leave the user's int8 cache alone
        lines = section(args.runs, args.shape)
    print("\n".join(lines))
    if args.write:
        write(lines, args.shape)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
