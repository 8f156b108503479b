"""Images the user gives Iris: picked files, the clipboard, dropped data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from desktop_app.core import messages
from desktop_app.core.actions import OPEN_IMAGE
from desktop_app.core.errors import ImageError, IrisError
from desktop_app.engine.images import load_image
from desktop_app.gui.images import qimage_to_pil


def pick_image_files(parent: QWidget) -> list[str]:
    """The files the user picks in the Open image dialog (none when cancelled)."""
    paths, _ = QFileDialog.getOpenFileNames(
        parent, OPEN_IMAGE.shown_label, "", messages.OPEN_IMAGE_FILTER
    )
    return list(paths)


def load_images(paths: Sequence[str]) -> tuple[list[Any], list[IrisError]]:
    """The images in `paths`, and the error of each file that is not one."""
    images, errors = [], []
    for path in paths:
        try:
            images.append(load_image(path))
        except IrisError as error:
            errors.append(error)
    return images, errors


def image_from_data(data: Any) -> Any:
    """A PIL image from dropped or pasted image data; ImageError when it is none."""
    try:
        return qimage_to_pil(data)
    except IrisError:
        raise ImageError(messages.DROP_NOT_AN_IMAGE) from None


def clipboard_content() -> Any | list[str] | None:
    """What the clipboard offers: image data, else the local files copied, else None."""
    clipboard = QGuiApplication.clipboard()
    image = clipboard.image()
    if not image.isNull():
        return image
    data = clipboard.mimeData()
    files = [url.toLocalFile() for url in data.urls() if url.isLocalFile()] if data else []
    return files or None
