"""A Qt 6 window for the AT-SPI client's tests. Runs under the venv's Python (PySide6, xcb, with
QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 so that its AT-SPI bridge is on).

    a11y_qt_window.py OUT.json [--focus unlabeled|chart|list|save] [--grid N] [--title T]
                      [--small-labels PIXELS]

The same controls as a11y_gtk_window.py: an icon-only button with no accessible name, an image
named "chart3", a list of "Apple", "Banana", "Cherry", a "Save" button and, with --grid N, N
labels ("Cell 1", ...), with --small-labels a row of SMALL_LABELS buttons in a font PIXELS
high (text the text reader gets wrong). Once it is active and the control given by --focus
has the keyboard focus (the list's second item, for "list"), it writes OUT.json in the same
form as the GTK window's. It runs until it is killed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from PySide6.QtCore import QRect, QTimer
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

ITEMS = ("Apple", "Banana", "Cherry")
COLUMNS = 50
SMALL_LABELS = ("Reconcile ledger", "Quarterly invoice 4521", "Forward to accounts", "Archive")


class Window(QWidget):
    """The controls, and where each is on the screen."""

    def __init__(self, grid: int, small_labels: int = 0) -> None:
        super().__init__()
        self.resize(640, 480)
        picture = QPixmap(24, 24)
        picture.fill(QColor("#3366cc"))
        self.unlabeled = QPushButton()
        self.unlabeled.setIcon(QIcon(picture))
        self.chart = QLabel()
        self.chart.setPixmap(QPixmap(48, 48))
        self.chart.setAccessibleName("chart3")
        self.chart.setFocusPolicy(self.chart.focusPolicy().StrongFocus)
        self.save = QPushButton("Save")
        self.list = QListWidget()
        self.list.addItems(ITEMS)
        self.list.setCurrentRow(1)
        self.list.setMaximumHeight(80)
        row = QHBoxLayout()
        for widget in (self.unlabeled, self.chart, self.save):
            row.addWidget(widget)
        row.addStretch()
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.list)
        if small_labels:
            small = QHBoxLayout()
            for text in SMALL_LABELS:
                button = QPushButton(text)
                font = button.font()
                font.setPixelSize(small_labels)
                button.setFont(font)
                small.addWidget(button)
            small.addStretch()
            layout.addLayout(small)
        if grid:
            self.resize(1200, 760)
            cells = QGridLayout()
            cells.setSpacing(0)
            for index in range(grid):
                label = QLabel(f"Cell {index + 1}")
                label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
                cells.addWidget(label, index // COLUMNS, index % COLUMNS)
            layout.addLayout(cells, 1)

    def widget_for(self, key: str) -> QWidget:
        """The widget that takes the focus for control `key`."""
        widgets: dict[str, QWidget] = {
            "unlabeled": self.unlabeled, "chart": self.chart, "list": self.list, "save": self.save,
        }  # fmt: skip
        return widgets[key]

    def controls(self) -> dict[str, dict[str, object]]:
        """Each control's accessible name and rectangle in screen pixels."""

        def place(widget: QWidget, rect: QRect) -> list[int]:
            corner = widget.mapToGlobal(rect.topLeft())
            return [corner.x(), corner.y(), rect.width(), rect.height()]

        banana = self.list.visualItemRect(self.list.item(1))
        return {
            "unlabeled": {"name": "", "rect": place(self.unlabeled, self.unlabeled.rect())},
            "chart": {"name": "chart3", "rect": place(self.chart, self.chart.rect())},
            "list": {"name": "Banana", "rect": place(self.list.viewport(), banana)},
            "save": {"name": "Save", "rect": place(self.save, self.save.rect())},
        }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--focus", default="save")
    parser.add_argument("--grid", type=int, default=0)
    parser.add_argument("--title", default="Qt controls")
    parser.add_argument("--small-labels", type=int, default=0)
    args = parser.parse_args(argv)
    app = QApplication([sys.argv[0]])
    window = Window(args.grid, args.small_labels)
    window.setWindowTitle(args.title)
    window.show()
    window.activateWindow()
    target = window.widget_for(args.focus)
    timer = QTimer()

    def report() -> None:
        if not window.isActiveWindow():
            window.activateWindow()
            return
        if not target.hasFocus():
            target.setFocus()
            return
        timer.stop()
        data = {
            "toolkit": "qt", "pid": os.getpid(), "title": args.title, "focused": args.focus,
            "controls": window.controls(),
        }  # fmt: skip
        with open(args.out + ".part", "w", encoding="utf-8") as stream:
            json.dump(data, stream)
        os.replace(args.out + ".part", args.out)

    timer.timeout.connect(report)
    timer.start(50)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
