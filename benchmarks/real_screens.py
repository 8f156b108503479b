"""Real application screenshots with known text: the text reader's real-screen test set.

    .venv/bin/python benchmarks/real_screens.py [--folder DIR] [--force]

Builds (once; kept in a cache folder) screenshots of applications installed from Debian,
run under a private Xvfb, none of them drawn by Iris's code: a word processor with a
document (AbiWord), a web browser with a local page (NetSurf), a file manager with a folder
(Thunar), a terminal with a long listing (xterm) and a GTK 3 settings dialog
(benchmarks/real_screens_dialog.py, run by the system Python). Each at 1920x1080 (scale 1)
and 2880x1800 (scale 2: GDK_SCALE=2, a doubled terminal font), light and dark
(GTK_THEME=Adwaita:dark). The truth is the text this script gave the application (the
document's paragraphs, the page's text, the file names, the listing, the dialog's labels);
menus, toolbars and column headers are not in it. Needs, from Debian:

    apt-get install xvfb imagemagick xdotool xterm abiword netsurf-gtk thunar python3-gi \\
        gir1.2-gtk-3.0 fonts-dejavu-core fonts-liberation
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VERSION = 3
"""Raise when the screens change: a cache of another version is built again."""
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "iris" / "real-screens"
MODES = (("1920x1080", (1920, 1080), 1), ("2880x1800", (2880, 1800), 2))
THEMES = ("light", "dark")
SETTLE_S = 2.0
"""Wait at least this long after starting an application, then until the screen stops changing."""
DIALOG = Path(__file__).with_name("real_screens_dialog.py")

PARAGRAPHS = (
    "Quarterly report for the community garden",
    "The garden opened on the first of April with thirty two members and eleven raised beds. "
    "Since then we have added a tool shed, a water tank that holds nine hundred litres, and a "
    "small greenhouse for seedlings.",
    "Membership fees stay at twelve pounds a year. Please pay before the end of June so that we "
    "can order compost and seeds for the autumn planting.",
    "Volunteers are needed on Saturday mornings between nine and noon. Bring gloves, a hat and "
    "something to drink; we provide the tools.",
    "Questions about plots, keys or the rota go to Margaret Ellis at the garden office, open on "
    "Tuesdays and Thursdays from two until five.",
)
PAGE_ITEMS = (
    "Train times from Leeds to York",
    "Trains run every twenty minutes on weekdays and every half hour on Sundays.",
    "Buy tickets at the station or on the train; railcards save a third.",
    "Bicycles travel free outside the morning and evening peak hours.",
    "Platform changes are announced ten minutes before departure.",
)
PAGE_TABLE = (
    ("Departs", "Arrives", "Platform", "Status"),
    ("08:12", "08:41", "4", "On time"),
    ("08:32", "09:03", "2", "Delayed 5 min"),
    ("08:52", "09:21", "4", "On time"),
    ("09:12", "09:44", "1", "Cancelled"),
)
FILE_NAMES = (
    "Budget 2026.ods",
    "Holiday photos",
    "Invoice 4471.pdf",
    "Letter to the council.odt",
    "Meeting notes.txt",
    "Passport scan.png",
    "Recipes",
    "Tax return draft.odt",
    "Train tickets.pdf",
    "Wedding speech.odt",
    "bank statement march.pdf",
    "doctor appointment.ics",
    "insurance renewal.pdf",
    "music",
    "school reports",
)
LISTING_WORDS = (
    "invoice", "report", "backup", "notes", "budget", "letter", "photo", "archive", "draft",
    "summary", "agenda", "contacts", "receipt", "statement", "schedule", "manual",
)  # fmt: skip
LISTING_TYPES = (".txt", ".pdf", ".odt", ".png", ".csv", ".tar.gz", ".log", ".md")


@dataclass(frozen=True)
class RealScreen:
    """One screenshot and the text a perfect reader would find in it (besides the chrome)."""

    name: str
    path: Path
    truth: tuple[str, ...]

    def image(self) -> Any:
        from PIL import Image

        with Image.open(self.path) as image:
            return image.convert("RGB")


def listing(lines: int = 40) -> list[str]:
    """A deterministic `ls -l`-like listing."""
    rng = random.Random(20)
    rows = []
    for index in range(lines):
        name = f"{rng.choice(LISTING_WORDS)}_{2020 + index % 6}_{rng.randint(1, 99):02d}"
        size = rng.randint(120, 9_000_000)
        month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct")[index % 10]
        day, hour, minute = rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59)
        kind = rng.choice(LISTING_TYPES)
        rows.append(
            f"-rw-r--r-- 1 anna staff {size:>8} {month} {day:>2} {hour:02d}:{minute:02d} "
            f"{name}{kind}"
        )
    return rows


def page_html(theme: str, scale: int) -> str:
    colours = "background:#1e1f22;color:#e6e6e6" if theme == "dark" else "background:#fff"
    px = 16  # the browser scales the page itself (GDK_SCALE)
    head = f"<h1>{PAGE_ITEMS[0]}</h1>"
    items = "".join(f"<p>{text}</p>" for text in PAGE_ITEMS[1:])
    rows = "".join(
        "<tr>" + "".join(f"<td style='padding:4px 12px'>{c}</td>" for c in row)
        + "</tr>"
        for row in PAGE_TABLE
    )  # fmt: skip
    return (
        f"<html><head><title>Timetable</title></head><body style='{colours};font-family:"
        f"DejaVu Sans;font-size:{px}px;margin:24px'>{head}{items}<table>{rows}"
        "</table></body></html>"
    )


def page_truth() -> list[str]:
    return [*PAGE_ITEMS, *(text for row in PAGE_TABLE for text in row)]


@contextmanager
def display(size: tuple[int, int]) -> Iterator[str]:
    sys.path.insert(0, str(ROOT))
    from tests.helpers.xvfb import xvfb

    with xvfb(*size) as name:
        yield name


def settled_capture(display_name: str, out: Path, env: dict[str, str]) -> None:
    """Wait for the screen to stop changing, then save it as PNG."""
    time.sleep(SETTLE_S)
    previous = b""
    deadline = time.monotonic() + 30
    while True:
        shot = subprocess.run(
            ["import", "-display", display_name, "-window", "root", "png:-"],
            env=env, capture_output=True, check=True, timeout=60,
        ).stdout  # fmt: skip
        if shot == previous or time.monotonic() > deadline:
            out.write_bytes(shot)
            return
        previous = shot
        time.sleep(0.7)


def fill_screen(display_name: str, pid: int, env: dict[str, str]) -> None:
    """Make the application's windows cover the screen (there is no window manager)."""
    env = {**env, "DISPLAY": display_name}
    deadline = time.monotonic() + 30
    found: list[str] = []
    while not found and time.monotonic() < deadline:
        time.sleep(0.5)
        found = [
            window
            for window in subprocess.run(
                ["xdotool", "search", "--onlyvisible", "--pid", str(pid), ""],
                env=env, capture_output=True, text=True, timeout=30,
            ).stdout.split()
            if subprocess.run(
                ["xdotool", "getwindowname", window],
                env=env, capture_output=True, text=True, timeout=30,
            ).stdout.strip()  # named: the application's window, not the root or a helper
        ]  # fmt: skip
    time.sleep(0.5)
    width, height = subprocess.run(
        ["xdotool", "getdisplaygeometry"], env=env, capture_output=True, text=True, timeout=30
    ).stdout.split()
    deadline = time.monotonic() + 20
    settled = False
    while time.monotonic() < deadline:  # some set their own size again after mapping
        for window in found:
            for action in (["windowmove", window, "0", "0"], ["windowsize", window, width, height]):
                subprocess.run(["xdotool", *action], env=env, capture_output=True, timeout=30)
        time.sleep(1.0)
        sizes = [
            subprocess.run(
                ["xdotool", "getwindowgeometry", "--shell", window],
                env=env,
                capture_output=True,
                text=True,
                timeout=30,
            ).stdout
            for window in found
        ]
        filled = any(f"WIDTH={width}\nHEIGHT={height}" in size for size in sizes)
        if filled and settled:
            return
        settled = filled  # twice in a row: some resize themselves once more a moment later


def app_command(
    app: str, work: Path, theme: str, size: tuple[int, int], scale: int
) -> tuple[list[str], list[str]]:
    """The command that shows `app` with known content, and that content."""
    if app == "terminal":
        rows = listing()
        (work / "listing.txt").write_text("\n".join(rows) + "\n")
        colours = ["-bg", "#1e1e1e", "-fg", "#d0d0d0"] if theme == "dark" else ["-bg", "white"]
        command = [
            "xterm", "-fa", "DejaVu Sans Mono", "-fs", str(11 * scale), *colours,
            "-e", "sh", "-c", f"cat {work / 'listing.txt'}; sleep 600",
        ]  # fmt: skip
        return command, rows
    if app == "document":
        (work / "report.txt").write_text("\n\n".join(PARAGRAPHS) + "\n")
        geometry = f"--geometry={size[0] // scale}x{size[1] // scale}+0+0"
        return ["abiword", geometry, str(work / "report.txt")], list(PARAGRAPHS)
    if app == "browser":
        (work / "page.html").write_text(page_html(theme, scale))
        return ["netsurf-gtk", f"file://{work / 'page.html'}"], page_truth()
    if app == "files":
        folder = work / "Documents"
        folder.mkdir(exist_ok=True)
        for name in FILE_NAMES:
            target = folder / name
            if "." in name:
                target.write_text("x")
            else:
                target.mkdir(exist_ok=True)
        return ["thunar", str(folder)], list(FILE_NAMES)
    if app == "settings":
        truth_file = work / "dialog.json"
        subprocess.run(["/usr/bin/python3", str(DIALOG), "--truth", str(truth_file)], check=True)
        return ["/usr/bin/python3", str(DIALOG)], json.loads(truth_file.read_text())
    raise ValueError(app)


APPS = ("document", "browser", "files", "terminal", "settings")


def shoot(
    app: str, mode: str, size: tuple[int, int], scale: int, theme: str, out: Path
) -> list[str]:
    """Run `app` on a fresh display and save its screenshot at `out`; return the truth."""
    with tempfile.TemporaryDirectory() as folder, display(size) as display_name:
        work = Path(folder)
        home = work / "home"
        (home / ".config" / "gtk-3.0").mkdir(parents=True)
        (home / ".config" / "gtk-3.0" / "settings.ini").write_text(
            "[Settings]\ngtk-cursor-blink=false\ngtk-enable-animations=false\n"
        )
        command, truth = app_command(app, work, theme, size, scale)
        env = {
            **os.environ,
            "DISPLAY": display_name,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "NO_AT_BRIDGE": "1",
            "GDK_SCALE": str(scale),
            "QT_SCALE_FACTOR": str(scale),
            "GTK_THEME": "Adwaita:dark" if theme == "dark" else "Adwaita",
        }
        process = subprocess.Popen(
            command, env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            fill_screen(display_name, process.pid, env)
            settled_capture(display_name, out, env)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        return truth


def build(folder: Path = CACHE, force: bool = False) -> list[RealScreen]:
    """The set, built into `folder` unless a complete one of this VERSION is there."""
    index = folder / "index.json"
    if not force and index.exists():
        kept = json.loads(index.read_text())
        if kept.get("version") == VERSION:
            return _screens(folder, kept["screens"])
    for tool in ("Xvfb", "import", "xdotool", "xterm", "abiword", "netsurf-gtk", "thunar"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is not installed: see benchmarks/real_screens.py")
    folder.mkdir(parents=True, exist_ok=True)
    screens = []
    for mode, size, scale in MODES:
        for theme in THEMES:
            for app in APPS:
                name = f"{app}-{theme}-{mode}"
                truth = shoot(app, mode, size, scale, theme, folder / f"{name}.png")
                screens.append({"name": name, "truth": truth})
                print(f"built {name}", file=sys.stderr)
    index.write_text(json.dumps({"version": VERSION, "screens": screens}, indent=1))
    return _screens(folder, screens)


def _screens(folder: Path, entries: list[dict[str, Any]]) -> list[RealScreen]:
    return [
        RealScreen(entry["name"], folder / f"{entry['name']}.png", tuple(entry["truth"]))
        for entry in entries
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=CACHE)
    parser.add_argument("--force", action="store_true", help="build again even if cached")
    args = parser.parse_args()
    for screen in build(args.folder, args.force):
        print(f"{screen.path}  {len(screen.truth)} truth lines")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
