"""Loading images safely: every failure becomes an `ImageError` with a plain message."""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from desktop_app.core import messages
from desktop_app.core.errors import ImageError

MAX_PIXELS = 80_000_000
"""Images larger than this (about 80 megapixels, e.g. 10000x8000) are refused as likely bombs."""
MAX_PIXELS_PER_BYTE = 10_000
"""No real compressor packs more pixels in a byte (deflate at one bit a pixel: about 8000):
a file declaring more is a decompression bomb (a 100-byte GIF can declare 8000x10000)."""
RATIO_CHECK_PIXELS = 16_000_000
"""Images up to this size (64 MB decoded) are never refused for their compression ratio."""

_WHITE = (255, 255, 255)
_ENDS_EARLY_WORDS = ("truncat", "eof", "not enough", "end of file")
"""Words in a decoder's error that mean the file stops too soon."""
_LOG = logging.getLogger(__name__)


def load_image(path: str | Path) -> Image.Image:
    """Open an image file as an 8-bit RGB picture, upright, first frame only."""
    file = Path(path)
    if not file.exists():
        raise ImageError(messages.FILE_NOT_FOUND.format(path=file))
    if file.is_dir():
        raise ImageError(messages.IS_A_FOLDER.format(path=file))
    try:
        size = file.stat().st_size
    except OSError as error:
        raise ImageError(
            messages.FILE_UNREADABLE.format(path=file, reason=error.strerror)
        ) from None
    if size == 0:
        raise ImageError(messages.FILE_EMPTY.format(path=file))
    try:
        with file.open("rb") as stream:
            return _decode(stream, str(file))
    except PermissionError:
        raise ImageError(
            messages.FILE_UNREADABLE.format(path=file, reason="permission denied")
        ) from None


def load_image_bytes(data: bytes, name: str = "image") -> Image.Image:
    """Decode image data held in memory (clipboard, drag and drop) like `load_image`."""
    if not data:
        raise ImageError(messages.FILE_EMPTY.format(path=name))
    return _decode(io.BytesIO(data), name)


def _decode(stream: IO[bytes], name: str) -> Image.Image:
    file_bytes = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Pillow's notes on damaged metadata
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(stream)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageError(
                    messages.IMAGE_TOO_LARGE.format(path=name, width=width, height=height)
                )
            if width * height > max(RATIO_CHECK_PIXELS, MAX_PIXELS_PER_BYTE * file_bytes):
                raise ImageError(messages.IMAGE_BOMB.format(path=name))
            if width < 1 or height < 1:
                raise ImageError(messages.NOT_AN_IMAGE.format(path=name))
            image.seek(0)
            image.load()
            upright = ImageOps.exif_transpose(image)
            return to_rgb(upright if upright is not None else image)
        except ImageError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(messages.IMAGE_BOMB.format(path=name)) from None
        except UnidentifiedImageError:
            raise ImageError(messages.NOT_AN_IMAGE.format(path=name)) from None
        except MemoryError:
            raise ImageError(messages.IMAGE_BOMB.format(path=name)) from None
        except Exception as error:  # a damaged file can make a decoder raise anything
            _LOG.debug("Cannot decode %s: %r", name, error)
            raise ImageError(
                messages.IMAGE_DAMAGED.format(path=name, reason=_damage(error))
            ) from None


def _damage(error: Exception) -> str:
    """A plain reason for a decoder's error (its own words are jargon or raw bytes)."""
    text = str(error).lower()
    if isinstance(error, EOFError) or any(word in text for word in _ENDS_EARLY_WORDS):
        return messages.IMAGE_ENDS_EARLY
    return messages.IMAGE_DATA_CORRUPT


def to_rgb(image: Image.Image) -> Image.Image:
    """Flatten any Pillow mode (palette, alpha, CMYK, 16-bit, float, 1-bit) to 8-bit RGB."""
    mode = image.mode
    if mode == "RGB":
        return image.copy()
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        return _high_depth_to_rgb(image)
    if mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    elif mode == "P":
        return image.convert("RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, _WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _high_depth_to_rgb(image: Image.Image) -> Image.Image:
    """Stretch 16/32-bit or float pixel values to 8 bits."""
    values = image.convert("F")
    extrema = values.getextrema()
    low, high = float(extrema[0]), float(extrema[1])  # type: ignore[arg-type]
    span = (high - low) or 1.0
    scaled = values.point(lambda v: (v - low) * 255.0 / span)
    return scaled.convert("L").convert("RGB")


def fit_longest_edge(image: Image.Image, longest_edge: int | None) -> Image.Image:
    """Scale the image down (never up) so that its longest side is at most `longest_edge`."""
    if longest_edge is None or max(image.size) <= longest_edge:
        return image
    ratio = longest_edge / max(image.size)
    size = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    return image.resize(size, Image.Resampling.LANCZOS)
