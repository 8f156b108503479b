"""Controls that reflow, rather than make a page scroll sideways, when the window is narrow
(large text, a small or scaled screen, a longer language).

Qt's check box draws its label on one line, and a combo box asks for its widest item, as
their minimum widths: a long label or item made the whole page scroll sideways. A wrapped
label asks for a narrow block of lines even where one line fits."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QWidget,
)

from desktop_app.gui.screen_room import screen_room

_TEXT_FLAGS = Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextShowMnemonic
FIELD_CHARACTERS = 16
"""The fewest characters a text field shows: a form puts a field under its label, with the
whole width, rather than beside it with less than this."""


def keep_characters_in_view(
    field: QLineEdit | QPlainTextEdit, count: int = FIELD_CHARACTERS
) -> None:
    """Let `field` narrow no further than `count` characters (Qt's least is a few)."""
    field.setMinimumWidth(field.fontMetrics().horizontalAdvance("x" * count))


class WrappingCheckBox(QCheckBox):
    """A QCheckBox whose label wraps onto more lines where the window is too narrow for it:
    on one line where there is room, as before. QCheckBox's behaviour, accessible name and
    mnemonic stay (the label is still its text); only its layout and drawing change."""

    def __init__(self, label: str = "", parent: QWidget | None = None) -> None:
        super().__init__(label, parent)
        policy = self.sizePolicy()
        policy.setHeightForWidth(True)
        policy.setHorizontalPolicy(QSizePolicy.Policy.Preferred)
        policy.setVerticalPolicy(QSizePolicy.Policy.Preferred)  # a form gives it every line
        self.setSizePolicy(policy)

    def minimumSizeHint(self) -> QSize:
        """As narrow as the label's longest word beside the box, and one line high, as
        QLabel's hint for wrapped text is (the height at the narrowest would be the page's
        least height at every width)."""
        metrics = self.fontMetrics()
        words = self.text().replace("&", "").split() or [""]
        around = 1000 - self._label_rect(1000).width()  # the box, spacing and margins
        return QSize(around + max(map(metrics.horizontalAdvance, words)), self._one_line())

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        """One line's height, and a line more for each line the label wraps onto."""
        room = self._label_rect(width)
        room.setHeight(1 << 20)
        wrapped = self.fontMetrics().boundingRect(room, int(_TEXT_FLAGS), self.text()).height()
        return self._one_line() + max(0, wrapped - self.fontMetrics().height())

    def hitButton(self, pos: QPoint) -> bool:
        """A click anywhere on the box or its label toggles it, on every line."""
        return self.rect().contains(pos)

    def paintEvent(self, event: QPaintEvent) -> None:
        """The style draws the box, its frame (a style sheet's focus frame among them) and
        focus, as for a check box without a label; the label is drawn wrapped beside it."""
        painter = QPainter(self)
        option = self._option(self.width(), self.height())
        label, option.text = option.text, ""
        style = self.style()
        style.drawControl(QStyle.ControlElement.CE_CheckBox, option, painter, self)
        option.text = label
        style.drawItemText(
            painter,
            style.subElementRect(QStyle.SubElement.SE_CheckBoxContents, option, self),
            int(_TEXT_FLAGS | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            self.palette(),
            self.isEnabled(),
            label,
            QPalette.ColorRole.WindowText,
        )

    def _one_line(self) -> int:
        """The check box's height with its label on one line, as QCheckBox asks for it."""
        return super().sizeHint().height()

    def _option(self, width: int, height: int) -> QStyleOptionButton:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.rect = QRect(0, 0, width, height)
        return option

    def _label_rect(self, width: int) -> QRect:
        """Where the style puts the label of a check box `width` wide, one line high."""
        option = self._option(width, self._one_line())
        return self.style().subElementRect(QStyle.SubElement.SE_CheckBoxContents, option, self)


class ShrinkingComboBox(QComboBox):
    """A QComboBox that asks for room for its widest item, and narrows to a few characters
    (the shown item elided; the screen reader still reads it whole) rather than make a page
    scroll sideways."""

    NARROWEST_CHARACTERS = 20

    def minimumSizeHint(self) -> QSize:
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        metrics = self.fontMetrics()
        letters = QSize(
            metrics.horizontalAdvance("x") * self.NARROWEST_CHARACTERS, metrics.height()
        )
        narrowest = self.style().sizeFromContents(
            QStyle.ContentsType.CT_ComboBox, option, letters, self
        )
        shown = super().minimumSizeHint()
        return QSize(min(shown.width(), narrowest.width()), shown.height())


class WrappingLabel(QLabel):
    """A word-wrapped QLabel that asks for its text on one line, as a plain label does
    (QLabel's own hint for wrapped text is a narrow block of lines), up to half the room on
    its screen (`screen_room`): a form gives a label alone on its row the width it asks for,
    even where its page is narrower."""

    def __init__(self, label: str = "", parent: QWidget | None = None) -> None:
        super().__init__(label, parent)
        self.setWordWrap(True)

    def sizeHint(self) -> QSize:
        """Its text on one line, up to half the screen's room; at least its longest word."""
        one_line = self.fontMetrics().boundingRect(
            QRect(0, 0, 1 << 20, 1 << 20), int(Qt.TextFlag.TextShowMnemonic), self.text()
        )
        margins = self.contentsMargins()
        width = one_line.width() + margins.left() + margins.right() + 2 * self.margin()
        width = min(width, screen_room(self).width() // 2)
        width = max(width, self.minimumSizeHint().width())
        return QSize(width, super().heightForWidth(width))

    def heightForWidth(self, width: int) -> int:
        """The height at `width`, or at the hint's width where that is less: a form lays a
        label out no wider than its hint, but asks its height at the label column's width."""
        return super().heightForWidth(min(width, self.sizeHint().width()))
