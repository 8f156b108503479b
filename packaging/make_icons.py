"""Render Iris's icon (desktop_app/resources/iris.svg) at the standard sizes.

Writes, under `resources/` (or `--out`):
  icons/hicolor/NxN/apps/APP_ID.png   for N in SIZES (the freedesktop icon theme layout)
  icons/hicolor/scalable/apps/APP_ID.svg
  iris.ico    Windows: one file with 16 to 256 px
  iris.icns   macOS: one file with 16 to 512 points (32 to 1024 px)

Run from the repository root: `.venv/bin/python packaging/make_icons.py`. Qt's SVG renderer draws
offscreen; Pillow writes the files, so the same Qt gives the same bytes.
"""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from desktop_app import APP_ID

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "desktop_app" / "resources" / "iris.svg"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
"""The hicolor theme's PNG sizes."""
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)
"""Pillow writes macOS's Retina slots: 16 pt is the 32 px image, 512 pt@2x the 1024 px one."""


def hicolor_png(out: Path, size: int) -> Path:
    """Where the PNG of `size` pixels goes under `out`."""
    return out / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def hicolor_svg(out: Path) -> Path:
    """Where the scalable icon goes under `out`."""
    return out / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"


def render(svg: Path, sizes: Sequence[int]) -> dict[int, Image.Image]:
    """`svg` drawn into square RGBA images of each size (transparent background)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {svg}")
    images: dict[int, Image.Image] = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        rgba = image.convertToFormat(QImage.Format.Format_RGBA8888)
        data = bytes(rgba.constBits())[: rgba.bytesPerLine() * size]
        images[size] = Image.frombytes(
            "RGBA", (size, size), data, "raw", "RGBA", rgba.bytesPerLine()
        )
    return images


def write_icons(out: Path, svg: Path = SVG) -> list[Path]:
    """Write every icon file under `out`; the paths written."""
    images = render(svg, sorted({*SIZES, *ICO_SIZES, *ICNS_SIZES}))
    written: list[Path] = []
    for size in SIZES:
        path = hicolor_png(out, size)
        path.parent.mkdir(parents=True, exist_ok=True)
        images[size].save(path, optimize=True)
        written.append(path)
    scalable = hicolor_svg(out)
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(svg, scalable)
    written.append(scalable)
    largest = images[max(ICO_SIZES)]
    ico = out / "iris.ico"
    largest.save(
        ico,
        format="ICO",
        sizes=[(size, size) for size in ICO_SIZES],
        append_images=[images[size] for size in ICO_SIZES],
    )
    written.append(ico)
    icns = out / "iris.icns"
    images[max(ICNS_SIZES)].save(
        icns, format="ICNS", append_images=[images[size] for size in ICNS_SIZES]
    )
    written.append(icns)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: `make_icons.py [--out FOLDER]`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources")
    args = parser.parse_args(argv)
    for path in write_icons(args.out):
        print(path.relative_to(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
