"""Qt images to PIL images (through PNG bytes, so every Qt format is handled)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage, QPixmap

from desktop_app.core import messages
from desktop_app.core.errors import ImageError
from desktop_app.engine.images import load_image_bytes


def qimage_to_pil(image: Any, name: str = "image") -> Any:
    """A QImage or QPixmap (clipboard, drop) as an RGB PIL image; ImageError if empty."""
    if isinstance(image, QPixmap):
        image = image.toImage()
    if not isinstance(image, QImage) or image.isNull():
        raise ImageError(messages.NOT_AN_IMAGE.format(path=name))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]
    buffer.close()
    return load_image_bytes(bytes(data.data()), name)
