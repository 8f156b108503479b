"""Image loading: every mode becomes upright RGB; every bad file becomes an ImageError."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from desktop_app.core.errors import ImageError
from desktop_app.engine.images import fit_longest_edge, load_image, load_image_bytes
from tests.helpers.image_files import png_header


def _save(image: Image.Image, path: Path, **options: object) -> Path:
    image.save(path, **options)
    return path


def test_exif_rotation_is_applied(tmp_path: Path) -> None:
    wide = Image.new("RGB", (40, 10), (255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise when shown
    path = _save(wide, tmp_path / "rotated.jpg", exif=exif.tobytes())
    loaded = load_image(path)
    assert loaded.size == (10, 40)
    assert loaded.mode == "RGB"


def test_palette_with_transparency_is_flattened_on_white(tmp_path: Path) -> None:
    image = Image.new("P", (8, 8), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.info["transparency"] = 0
    path = _save(image, tmp_path / "palette.png", transparency=0)
    loaded = load_image(path)
    assert loaded.mode == "RGB"
    assert loaded.getpixel((0, 0)) == (255, 255, 255)


def test_rgba_alpha_composited_on_white(tmp_path: Path) -> None:
    image = Image.new("RGBA", (4, 4), (0, 0, 255, 0))
    loaded = load_image(_save(image, tmp_path / "clear.png"))
    assert loaded.getpixel((1, 1)) == (255, 255, 255)


def test_cmyk_becomes_rgb(tmp_path: Path) -> None:
    image = Image.new("CMYK", (5, 5), (0, 255, 255, 0))
    loaded = load_image(_save(image, tmp_path / "cmyk.jpg"))
    assert loaded.mode == "RGB"
    red, green, blue = loaded.getpixel((2, 2))  # type: ignore[misc]
    assert red > 200 and green < 60 and blue < 60


def test_16_bit_greyscale_is_stretched_to_8_bit(tmp_path: Path) -> None:
    image = Image.new("I;16", (4, 1))
    for x, value in enumerate((0, 1000, 30000, 65535)):
        image.putpixel((x, 0), value)
    loaded = load_image(_save(image, tmp_path / "deep.png"))
    assert loaded.mode == "RGB"
    assert loaded.getpixel((0, 0)) == (0, 0, 0)
    assert loaded.getpixel((3, 0)) == (255, 255, 255)


def test_greyscale_becomes_rgb(tmp_path: Path) -> None:
    loaded = load_image(_save(Image.new("L", (3, 3), 128), tmp_path / "grey.png"))
    assert loaded.getpixel((1, 1)) == (128, 128, 128)


def test_animated_gif_gives_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (6, 6), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    loaded = load_image(path)
    red, green, _ = loaded.getpixel((3, 3))  # type: ignore[misc]
    assert red > 200 and green < 60


def test_bytes_from_clipboard_decode() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (7, 3), (1, 2, 3)).save(buffer, format="PNG")
    assert load_image_bytes(buffer.getvalue()).size == (7, 3)


def _truncated_png(tmp_path: Path) -> Path:
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((200, 200)).save(buffer, format="PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    return path


def _truncated_jpeg(tmp_path: Path) -> Path:
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((300, 300)).convert("RGB").save(buffer, format="JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buffer.getvalue()[:600])
    return path


def _write(name: str, content: bytes) -> object:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path

    return make


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda folder: folder / "missing.png", "No file"),
        (lambda folder: folder, "is a folder"),
        (_write("empty.png", b""), "empty"),
        (_truncated_png, "damaged"),
        (_truncated_jpeg, "damaged"),
        (_write("note.png", b"hello, not a picture"), "not an image"),
        (_write("bomb.png", png_header(30000, 30000)), "enormous"),
    ],
    ids=["missing", "folder", "empty", "truncated-png", "truncated-jpeg", "text", "bomb"],
)
def test_bad_files_raise_image_error(tmp_path: Path, make: object, words: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(ImageError) as raised:
        load_image(path)
    assert words in raised.value.message
    assert raised.value.exit_code == 2


def test_fit_longest_edge_only_shrinks() -> None:
    image = Image.new("RGB", (1280, 800))
    assert fit_longest_edge(image, 640).size == (640, 400)
    assert fit_longest_edge(image, 4000).size == (1280, 800)
    assert fit_longest_edge(image, None).size == (1280, 800)
