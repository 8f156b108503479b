"""`iris read`: the text of images, line by line, with no model download and no network."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from desktop_app.cli.common import load_images
from desktop_app.cli.output import AnswerWriter, print_error
from desktop_app.core.errors import IrisError
from desktop_app.core.reading import TextReading
from desktop_app.core.types import Request
from desktop_app.engine.reading.backend import ReaderBackend
from desktop_app.engine.reading.reader import TextReader
from desktop_app.engine.tasks import READ


def run_read(args: argparse.Namespace) -> int:
    """Read each image in turn; its lines stream as they are found."""
    writer = AnswerWriter(json_lines=args.format == "jsonl")
    try:
        images = load_images(args.images)
        backend = ReaderBackend(TextReader(threads=args.threads))
        for path, image in zip(args.images, images, strict=True):
            if len(images) > 1:
                writer.heading(Path(path).name)
            try:
                answer = backend.start(Request.single(READ, [image]), writer.token)
            except KeyboardInterrupt:
                backend.cancel()
                raise
            writer.answer(answer, READ, {"image": path, "lines": lines_json(answer.reading)})
    except IrisError as error:
        writer.error(error.message)
        print_error(error.message)
        return error.exit_code
    return 0


def lines_json(reading: TextReading | None) -> list[dict[str, Any]]:
    """Each line found: its text, box [x, y, width, height] and confidence."""
    if reading is None:
        return []
    return [
        {
            "text": line.text,
            "box": [line.box.x, line.box.y, line.box.width, line.box.height],
            "confidence": round(line.confidence, 3),
            "block": index,
        }
        for index, block in enumerate(reading.blocks)
        for line in block.lines
    ]
