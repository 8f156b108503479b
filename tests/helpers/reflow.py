"""Checks that a window's controls reflow into its width rather than past it."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractSpinBox, QCheckBox, QLabel, QWidget


def cut_off(container: QWidget, view: QWidget) -> list[str]:
    """Each shown control or label in `container` that reaches past `view`'s right edge, or
    whose wrapped text has less room than its lines need, as "kind name"."""
    found: list[str] = []
    for widget in container.findChildren(QWidget):
        if not widget.isVisible() or isinstance(widget.parentWidget(), QAbstractSpinBox):
            continue
        right = widget.mapTo(view, widget.rect().topRight()).x()
        wraps = isinstance(widget, QCheckBox | QLabel) and widget.hasHeightForWidth()
        short = wraps and widget.height() < widget.heightForWidth(widget.width())
        if right >= view.width() or short:
            name = widget.objectName() or getattr(widget, "text", lambda: "")()
            found.append(f"{type(widget).__name__} {name}")
    return found
