"""Full-screen region chooser over a screenshot, usable with the keyboard alone."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QCloseEvent,
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QWidget

from desktop_app.core import messages as text
from desktop_app.core.types import Rect

STEP = 10
"""Pixels an arrow key moves or resizes the rectangle by (1 with Control)."""

_ARROWS: dict[Qt.Key, tuple[int, int]] = {
    Qt.Key.Key_Left: (-1, 0),
    Qt.Key.Key_Right: (1, 0),
    Qt.Key.Key_Up: (0, -1),
    Qt.Key.Key_Down: (0, 1),
}


def pil_to_qimage(image: Any) -> QImage:
    """A PIL image as a QImage that owns its pixels."""
    rgba = image.convert("RGBA")
    data = rgba.tobytes("raw", "RGBA")
    width, height = rgba.size
    return QImage(data, width, height, 4 * width, QImage.Format.Format_RGBA8888).copy()


def describe_rect(rect: Rect) -> str:
    """What a screen reader says about the rectangle."""
    return text.REGION_VALUE.format(width=rect.width, height=rect.height, x=rect.x, y=rect.y)


class RegionSelector(QWidget):
    """Shows `screenshot` full-screen; emits `selected(Rect)` in screenshot pixels or `cancelled`.

    Keyboard: arrows move the rectangle 10 px (Control: 1 px), Shift+arrows resize it from
    the right and bottom edges, Enter confirms, Escape cancels. Mouse: drag a rectangle.
    """

    selected = Signal(object)
    cancelled = Signal()

    def __init__(self, screenshot: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint)
        self._image = pil_to_qimage(screenshot)
        self._width, self._height = screenshot.size
        self.rect_ = Rect(
            self._width // 4,
            self._height // 4,
            max(1, self._width // 2),
            max(1, self._height // 2),
        )
        self._anchor: tuple[int, int] | None = None
        self._finished = False
        self.setWindowTitle(text.REGION_NAME)
        self.setAccessibleName(text.REGION_NAME)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self._announce(speak=False)

    # -- public ----------------------------------------------------------------------------------
    def start(self) -> None:
        """Cover the screen and take the keyboard."""
        self.showFullScreen()
        self.activateWindow()
        self.setFocus()

    def region(self) -> Rect:
        """The current rectangle, in screenshot pixels."""
        return self.rect_

    def region_text(self) -> str:
        """The current rectangle in words."""
        return describe_rect(self.rect_)

    # -- geometry --------------------------------------------------------------------------------
    def _target(self) -> QRectF:
        """Where the screenshot is drawn: scaled to fit, centred."""
        scale = min(self.width() / self._width, self.height() / self._height)
        width, height = self._width * scale, self._height * scale
        return QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)

    def to_image(self, point: QPoint | QPointF) -> tuple[int, int]:
        """A widget point in screenshot pixels, clamped to the screenshot."""
        target = self._target()
        x = round((point.x() - target.x()) * self._width / target.width())
        y = round((point.y() - target.y()) * self._height / target.height())
        return min(max(x, 0), self._width), min(max(y, 0), self._height)

    def _to_widget(self, rect: Rect) -> QRectF:
        target = self._target()
        scale = target.width() / self._width
        return QRectF(
            target.x() + rect.x * scale,
            target.y() + rect.y * scale,
            rect.width * scale,
            rect.height * scale,
        )

    def _set(self, x: int, y: int, width: int, height: int) -> None:
        width = min(max(width, 1), self._width)
        height = min(max(height, 1), self._height)
        x = min(max(x, 0), self._width - width)
        y = min(max(y, 0), self._height - height)
        self.rect_ = Rect(x, y, width, height)
        self.update()

    def _announce(self, *, speak: bool = True) -> None:
        """Put the rectangle in the accessible description, and say it when a reader listens."""
        words = self.region_text()
        self.setAccessibleDescription(
            text.REGION_DESCRIPTION.format(region=words, help=text.REGION_HELP)
        )
        if speak and QAccessible.isActive():
            QAccessible.updateAccessibility(QAccessibleAnnouncementEvent(self, words))

    # -- decisions -------------------------------------------------------------------------------
    def _finish(self, rect: Rect | None) -> None:
        if self._finished:
            return
        self._finished = True
        self.close()
        if rect is None:
            self.cancelled.emit()
        else:
            self.selected.emit(rect)

    # -- events ----------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Arrows move, Shift+arrows resize, Enter confirms, Escape cancels."""
        key = Qt.Key(event.key())
        modifiers = event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._finish(self.rect_)
            return
        if key == Qt.Key.Key_Escape:
            self._finish(None)
            return
        if key not in _ARROWS:
            super().keyPressEvent(event)
            return
        dx, dy = _ARROWS[key]
        step = 1 if modifiers & Qt.KeyboardModifier.ControlModifier else STEP
        rect = self.rect_
        if modifiers & Qt.KeyboardModifier.ShiftModifier:
            width = min(rect.width + dx * step, self._width - rect.x)
            height = min(rect.height + dy * step, self._height - rect.y)
            self._set(rect.x, rect.y, width, height)
        else:
            self._set(rect.x + dx * step, rect.y + dy * step, rect.width, rect.height)
        self._announce()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Start a drag."""
        if event.button() == Qt.MouseButton.LeftButton:
            self._anchor = self.to_image(event.position())
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Follow the drag."""
        if self._anchor is None:
            super().mouseMoveEvent(event)
            return
        self._drag_to(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """End the drag and choose the rectangle (a plain click chooses nothing)."""
        if self._anchor is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        moved = self._drag_to(event.position())
        self._anchor = None
        if moved:
            self._finish(self.rect_)

    def _drag_to(self, position: QPointF) -> bool:
        """Span the rectangle from the anchor to `position`; False while it is empty."""
        assert self._anchor is not None
        x0, y0 = self._anchor
        x1, y1 = self.to_image(position)
        if x0 == x1 or y0 == y1:
            return False
        self._set(min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0))
        self._announce(speak=False)
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window any other way (Alt+F4) cancels."""
        if not self._finished:
            self._finished = True
            self.cancelled.emit()
        super().closeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        """The screenshot, dimmed outside a high-contrast rectangle, and its size in words."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0))
        painter.drawImage(self._target(), self._image)
        area = self._to_widget(self.rect_)
        shade = QColor(0, 0, 0, 140)
        outside = self._target()
        painter.fillRect(
            QRectF(outside.left(), outside.top(), outside.width(), area.top() - outside.top()),
            shade,
        )
        painter.fillRect(
            QRectF(
                outside.left(), area.bottom(), outside.width(), outside.bottom() - area.bottom()
            ),
            shade,
        )
        painter.fillRect(
            QRectF(outside.left(), area.top(), area.left() - outside.left(), area.height()), shade
        )
        painter.fillRect(
            QRectF(area.right(), area.top(), outside.right() - area.right(), area.height()), shade
        )
        painter.setPen(QPen(QColor(0, 0, 0), 5))
        painter.drawRect(area)
        painter.setPen(QPen(QColor(255, 221, 0), 3))
        painter.drawRect(area)
        font = QFont(painter.font())
        font.setPointSize(max(font.pointSize(), 1) * 2)
        painter.setFont(font)
        label = QRect(0, 0, self.width(), painter.fontMetrics().height() * 2)
        painter.fillRect(label, QColor(0, 0, 0, 200))
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, self.region_text())
        painter.end()
