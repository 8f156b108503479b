"""Screenshots with known text: the test set that measures the text reader.

Each `TextScreen` is a 1280x800 picture drawn with Pillow, and the lines a perfect reader
would give, in reading order. Layouts: a document, two columns, a table, a dialog with
buttons, a settings form; light and dark themes; fonts from 9 to 24 px.
"""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

SIZE = (1280, 800)
WORDS = tuple(
    [
        "account",
        "balance",
        "invoice",
        "payment",
        "due",
        "date",
        "total",
        "amount",
        "order",
        "shipped",
        "delivery",
        "address",
        "meeting",
        "agenda",
        "project",
        "report",
        "summary",
        "update",
        "status",
        "pending",
        "approved",
        "rejected",
        "review",
        "settings",
        "privacy",
        "security",
        "password",
        "network",
        "printer",
        "display",
        "battery",
        "storage",
        "backup",
        "message",
        "inbox",
        "draft",
        "folder",
        "archive",
        "calendar",
        "reminder",
        "weekly",
        "monthly",
        "download",
        "upload",
        "customer",
        "support",
        "ticket",
        "priority",
        "number",
        "reference",
        "transfer",
        "savings",
        "current",
        "available",
        "doctor",
        "appointment",
        "prescription",
        "pharmacy",
        "letter",
        "council",
        "tax",
        "school",
        "holiday",
        "travel",
        "train",
    ]
)
FONTS = {
    "DejaVu Sans": "DejaVuSans.ttf",
    "DejaVu Serif": "DejaVuSerif.ttf",
    "DejaVu Sans Mono": "DejaVuSansMono.ttf",
    "Liberation Sans": "LiberationSans-Regular.ttf",
    "Liberation Serif": "LiberationSerif-Regular.ttf",
}
"""Font name → file (Debian's fonts-dejavu-core and fonts-liberation; ./test.sh installs both)."""

THEMES = {
    "light": {"background": (250, 250, 250), "text": (20, 20, 20), "panel": (232, 236, 242)},
    "dark": {"background": (30, 31, 34), "text": (225, 225, 225), "panel": (50, 54, 62)},
}


@dataclass(frozen=True)
class TextScreen:
    """A rendered screenshot and the text on it, line by line, in reading order."""

    name: str
    image: Any
    lines: tuple[str, ...]
    boxes: tuple[tuple[int, int, int, int], ...]
    """Each line's ink box: left, top, right, bottom."""
    font_px: int


@cache
def font_path(name: str) -> Path:
    """The file of a font named in FONTS; FileNotFoundError says how to install it."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", name], capture_output=True, text=True, check=False
        ).stdout
    except FileNotFoundError:
        found = ""
    path = Path(found)
    if path.name == FONTS[name] and path.is_file():
        return path
    for folder in Path("/usr/share/fonts").rglob(FONTS[name]):
        return folder
    raise FileNotFoundError(f"font {name!r} is missing: ./test.sh installs it")


class _Canvas:
    """Draws text lines and records them in reading order."""

    def __init__(self, theme: str, font: str, px: int) -> None:
        self.colours = THEMES[theme]
        self.image = Image.new("RGB", SIZE, self.colours["background"])
        self.draw = ImageDraw.Draw(self.image)
        self.font_name = font
        self.px = px
        self.lines: list[str] = []
        self.boxes: list[tuple[int, int, int, int]] = []

    def font(self, px: int | None = None) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(font_path(self.font_name)), px or self.px)

    def text(self, x: int, y: int, text: str, px: int | None = None, fill: Any = None) -> int:
        """Draw one line; return its width."""
        font = self.font(px)
        self.draw.text((x, y), text, font=font, fill=fill or self.colours["text"])
        self.lines.append(text)
        left, top, right, bottom = self.draw.textbbox((x, y), text, font=font)
        self.boxes.append((int(left), int(top), int(right), int(bottom)))
        return int(self.draw.textlength(text, font=font))

    def line_height(self, px: int | None = None) -> int:
        return round((px or self.px) * 1.45)

    def wrap(self, words: list[str], width: int, px: int | None = None) -> list[str]:
        """Greedy word wrap to `width` pixels."""
        font, lines, current = self.font(px), [], ""
        for word in words:
            candidate = f"{current} {word}".strip()
            if current and self.draw.textlength(candidate, font=font) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        if current:
            lines.append(current)
        return lines

    def screen(self, name: str) -> TextScreen:
        return TextScreen(name, self.image, tuple(self.lines), tuple(self.boxes), self.px)


def _sentence(rng: random.Random, words: int) -> list[str]:
    chosen = [rng.choice(WORDS) for _ in range(words)]
    chosen[0] = chosen[0].capitalize()
    if rng.random() < 0.5:
        chosen.insert(rng.randrange(1, words), f"{rng.randint(2, 980)}.{rng.randint(10, 99)}")
    if rng.random() < 0.3:
        date = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        chosen.insert(rng.randrange(1, words), date)
    chosen[-1] += rng.choice(".....?!")
    return chosen


def _paragraph(rng: random.Random, sentences: int) -> list[str]:
    return [word for _ in range(sentences) for word in _sentence(rng, rng.randint(5, 10))]


def document(theme: str, font: str, px: int, seed: int = 1) -> TextScreen:
    """A window title bar and paragraphs of body text."""
    rng, canvas = random.Random(seed), _Canvas(theme, font, px)
    canvas.draw.rectangle((0, 0, SIZE[0], 40), fill=canvas.colours["panel"])
    canvas.text(16, 10, f"Weekly {rng.choice(WORDS)} report - Editor", px=16)
    y = 70
    while y < SIZE[1] - 4 * canvas.line_height():
        for line in canvas.wrap(_paragraph(rng, 2), 1000):
            if y > SIZE[1] - canvas.line_height() - 20:
                break
            canvas.text(60, y, line)
            y += canvas.line_height()
        y += canvas.line_height()
    return canvas.screen(f"document-{theme}-{font}-{px}px")


def two_columns(theme: str, font: str, px: int, seed: int = 2) -> TextScreen:
    """A heading across the page, then two columns of text read left column first."""
    rng, canvas = random.Random(seed), _Canvas(theme, font, px)
    canvas.text(60, 30, f"Newsletter: {rng.choice(WORDS)} and {rng.choice(WORDS)}", px=26)
    for left in (60, 680):
        y = 100
        for line in canvas.wrap(_paragraph(rng, 6), 520):
            if y > SIZE[1] - canvas.line_height() - 30:
                break
            canvas.text(left, y, line)
            y += canvas.line_height()
    return canvas.screen(f"columns-{theme}-{font}-{px}px")


def table(theme: str, font: str, px: int, seed: int = 3) -> TextScreen:
    """A header row and rows of cells, read row by row, left to right."""
    rng, canvas = random.Random(seed), _Canvas(theme, font, px)
    canvas.text(60, 30, "Recent transactions", px=22)
    columns = (60, 300, 560, 820, 1060)
    header = ("Date", "Description", "Reference", "Amount", "Status")
    row_height = max(canvas.line_height() + 14, 34)
    y = 90
    canvas.draw.rectangle((50, y - 6, 1230, y + row_height - 8), fill=canvas.colours["panel"])
    for x, title in zip(columns, header, strict=True):
        canvas.text(x, y, title)
    y += row_height
    while y < SIZE[1] - row_height:
        cells = (
            f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)}",
            f"REF{rng.randint(10000, 99999)}",
            f"{rng.randint(1, 9999)}.{rng.randint(0, 99):02d}",
            rng.choice(("Paid", "Pending", "Failed", "Refunded")),
        )
        for x, cell in zip(columns, cells, strict=True):
            canvas.text(x, y, cell)
        y += row_height
    return canvas.screen(f"table-{theme}-{font}-{px}px")


def dialog(theme: str, font: str, px: int, seed: int = 4) -> TextScreen:
    """A modal dialog over an empty desktop: title, message, buttons."""
    rng, canvas = random.Random(seed), _Canvas(theme, font, px)
    box = (340, 220, 940, 580)
    canvas.draw.rectangle(box, fill=canvas.colours["panel"], outline=canvas.colours["text"])
    canvas.text(box[0] + 20, box[1] + 16, "Save changes?", px=max(px, 16) + 2)
    y = box[1] + 70
    for line in canvas.wrap(_paragraph(rng, 2), 540)[:4]:
        canvas.text(box[0] + 20, y, line)
        y += canvas.line_height()
    button_y = box[3] - 60
    x = box[0] + 230
    for label in ("Save", "Don't Save", "Cancel"):
        width = int(canvas.draw.textlength(label, font=canvas.font())) + 32
        canvas.draw.rounded_rectangle(
            (x, button_y, x + width, button_y + canvas.line_height() + 16),
            radius=6,
            fill=(40, 110, 200) if label == "Save" else canvas.colours["background"],
            outline=canvas.colours["text"],
        )
        colour = (255, 255, 255) if label == "Save" else None
        canvas.text(x + 16, button_y + 8, label, fill=colour)
        x += width + 16
    return canvas.screen(f"dialog-{theme}-{font}-{px}px")


def form(theme: str, font: str, px: int, seed: int = 5) -> TextScreen:
    """A settings page: a sidebar of sections and label/value pairs read row by row."""
    rng, canvas = random.Random(seed), _Canvas(theme, font, px)
    canvas.draw.rectangle((0, 0, 240, SIZE[1]), fill=canvas.colours["panel"])
    for index, section in enumerate(("General", "Network", "Privacy", "Display", "Sound")):
        canvas.text(24, 40 + index * 4 * canvas.line_height(), section)
    y = 40
    for _ in range(8):
        label = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)}"
        value = f"{rng.choice(WORDS)} {rng.randint(1, 500)}"
        canvas.text(300, y, label)
        canvas.text(700, y, value)
        y += 3 * canvas.line_height()
    return canvas.screen(f"form-{theme}-{font}-{px}px")


LAYOUTS = {
    "document": document,
    "columns": two_columns,
    "table": table,
    "dialog": dialog,
    "form": form,
}


def measured_set() -> list[TextScreen]:
    """The measured set: every layout in both themes, fonts and sizes from 9 to 24 px."""
    plan = (
        ("document", "light", "DejaVu Sans", 9),
        ("document", "dark", "Liberation Serif", 12),
        ("document", "light", "DejaVu Serif", 16),
        ("document", "dark", "DejaVu Sans Mono", 24),
        ("columns", "light", "Liberation Sans", 13),
        ("columns", "dark", "DejaVu Sans", 15),
        ("table", "light", "DejaVu Sans", 12),
        ("table", "dark", "Liberation Sans", 14),
        ("dialog", "light", "Liberation Sans", 14),
        ("dialog", "dark", "DejaVu Sans", 11),
        ("form", "light", "DejaVu Sans", 13),
        ("form", "dark", "Liberation Sans", 18),
    )
    return [LAYOUTS[layout](theme, font, px) for layout, theme, font, px in plan]
