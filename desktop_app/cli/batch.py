"""`iris batch`: alt text for every image in a folder, one CSV row each."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from desktop_app.cli.common import loaded_backend, settings_from
from desktop_app.core import messages
from desktop_app.core.errors import BadInputError, ImageError
from desktop_app.core.types import Request
from desktop_app.engine.images import load_image
from desktop_app.engine.tasks import Task, prompt_for

IMAGE_SUFFIXES = {
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".ico", ".ppm", ".tga",
}  # fmt: skip
CSV_COLUMNS = ("file", "alt_text", "error")


def image_files(folder: Path, recursive: bool) -> list[Path]:
    """Image files in `folder` (by extension), sorted by path."""
    if not folder.is_dir():
        raise BadInputError(messages.FOLDER_NOT_FOUND.format(path=folder))
    pattern = "**/*" if recursive else "*"
    found = [p for p in folder.glob(pattern) if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
    if not found:
        raise BadInputError(messages.FOLDER_HAS_NO_IMAGES.format(path=folder))
    return sorted(found)


def run_batch(args: argparse.Namespace) -> int:
    """Describe each image; a bad file gets its error in its row and the rest go on."""
    from tqdm import tqdm

    folder = Path(args.folder).expanduser()
    files = image_files(folder, args.recursive)
    settings = settings_from(args)
    backend = loaded_backend(settings, args)
    prompt = prompt_for(Task.READ if args.task == "read" else Task.DESCRIBE)
    failed = 0
    out = Path(args.out).expanduser()
    with out.open("w", newline="", encoding="utf-8") as table:
        writer = csv.writer(table)
        writer.writerow(CSV_COLUMNS)
        for file in tqdm(files, desc=messages.BATCH_PROGRESS, unit="image", disable=None):
            name = str(file.relative_to(folder))
            try:
                image = load_image(file)
            except ImageError as error:
                failed += 1
                writer.writerow((name, "", error.message))
                continue
            answer = backend.start(Request.single(prompt, [image], settings.max_new_tokens), _drop)
            writer.writerow((name, answer.text.strip(), ""))
            table.flush()
    print(messages.BATCH_DONE.format(count=len(files), path=out, failed=failed))
    return 0


def _drop(piece: str) -> None:
    """Batch output goes to the table, not the terminal."""
