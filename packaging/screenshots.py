"""Take the screenshots Iris's AppStream metainfo shows, on a private X server (Xvfb).

    .venv/bin/python packaging/screenshots.py [--main PNG] [--settings PNG]

`--main` (default resources/screenshots/main-window.png): the window after describing a screen,
with an example answer (no model runs). `--settings`: the Settings dialog's General tab. Each is
shown alone at the top left of a private X screen and taken with ImageMagick's
`import -window root`. Needs Xvfb, xprop and ImageMagick (./test.sh installs them).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAIN_SIZE = (800, 600)
SCREEN_SIZE = (1024, 1024)
EXAMPLE_ANSWER = (
    "An email program. The inbox lists three messages; the selected one, from Ana, is titled "
    "Meeting moved to 10:30 and says the meeting is now in room 4."
)


def _show_alone(widget: object, size: tuple[int, int]) -> None:
    """Put `widget` at the screen's top left, at `size`, and wait until it is drawn."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QWidget

    assert isinstance(widget, QWidget)
    widget.setGeometry(0, 0, *size)
    widget.show()
    if not QTest.qWaitForWindowExposed(widget, 10_000):
        raise SystemExit("the window was never shown")
    for _ in range(5):
        QApplication.processEvents()
    widget.repaint()
    QApplication.processEvents()


def _take(path: Path, size: tuple[int, int]) -> None:
    """The screen's top-left `size` into `path` (ImageMagick)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    crop = f"{size[0]}x{size[1]}+0+0"
    subprocess.run(
        ["import", "-window", "root", "-crop", crop, "+repage", f"png:{path}"], check=True
    )
    subprocess.run(["mogrify", "-strip", str(path)], check=True)  # no timestamps: reproducible
    print(path)


def main_window(path: Path) -> str:
    """Screenshot the main window; its X11 WM_CLASS as xprop prints it."""
    from desktop_app.core import messages
    from desktop_app.gui.main_window import MainWindow

    window = MainWindow()
    window.conversation.add_image("screen", 1920, 1080)
    window.conversation.start_answer()
    window.conversation.finish_answer(EXAMPLE_ANSWER)
    window.conversation.setCurrentRow(window.conversation.count() - 1)
    window.question.setText("Who else is invited?")
    window.show_status(messages.STATUS_READY.format(model="SmolVLM-256M-Instruct, 8-bit, CPU"))
    _show_alone(window, MAIN_SIZE)
    _take(path, MAIN_SIZE)
    found = subprocess.run(
        ["xprop", "-id", str(int(window.winId())), "WM_CLASS"],
        capture_output=True,
        text=True,
        check=True,
    )
    window.close()
    return found.stdout.strip()


def settings_general(path: Path) -> None:
    """Screenshot the Settings dialog at its General tab."""
    from desktop_app.gui.settings_dialog import SettingsDialog
    from desktop_app.settings import AppSettings

    dialog = SettingsDialog(AppSettings(start_at_login=True))
    dialog.tabs.setCurrentWidget(dialog.general_page)
    hint = dialog.sizeHint()
    size = (min(max(hint.width(), 560), SCREEN_SIZE[0]), min(hint.height(), SCREEN_SIZE[1]))
    _show_alone(dialog, size)
    _take(path, size)
    dialog.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--main", type=Path, default=ROOT / "resources/screenshots/main-window.png")
    parser.add_argument("--settings", type=Path, default=None)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))  # tests.helpers.xvfb
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    from tests.helpers.xvfb import xvfb_display

    with xvfb_display(*SCREEN_SIZE):
        from desktop_app.gui.app import desktop_application

        app = desktop_application(sys.argv[:1])
        print(main_window(args.main))
        if args.settings is not None:
            settings_general(args.settings)
        app.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
