"""For users who see some of the screen: the window's colours and the size of its text.

High-contrast themes meet WCAG's enhanced contrast (7:1, AAA) for every text against its
background; the focused control gets a 2-pixel frame and text fields a 2-pixel caret, in
every theme. "Follow the system" takes the system's high-contrast setting where Qt reports
one (Windows, macOS, GNOME), with its light or dark scheme.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QProxyStyle,
    QStyle,
    QWidget,
)

from desktop_app.core import messages
from desktop_app.gui.main_window import MainWindow
from desktop_app.settings import TEXT_SIZE_STEP, AppSettings, Theme

FOCUS_FRAME_PX = 2
CARET_PX = 2
ANSWER_HEIGHT_PX = 140
"""The answer pane's greatest height at 100 percent; it grows with the text."""
SMALLEST, LARGEST, NORMAL = 50, 300, 100
HIGH_CONTRAST_COLOURS: dict[Theme, dict[QPalette.ColorRole, str]] = {
    Theme.HIGH_CONTRAST_DARK: {
        QPalette.ColorRole.Window: "#000000",
        QPalette.ColorRole.WindowText: "#ffffff",
        QPalette.ColorRole.Base: "#000000",
        QPalette.ColorRole.AlternateBase: "#1a1a1a",
        QPalette.ColorRole.Text: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#d0d0d0",
        QPalette.ColorRole.Button: "#000000",
        QPalette.ColorRole.ButtonText: "#ffffff",
        QPalette.ColorRole.Highlight: "#ffff00",
        QPalette.ColorRole.HighlightedText: "#000000",
        QPalette.ColorRole.ToolTipBase: "#000000",
        QPalette.ColorRole.ToolTipText: "#ffffff",
        QPalette.ColorRole.Link: "#00ffff",
    },
    Theme.HIGH_CONTRAST_LIGHT: {
        QPalette.ColorRole.Window: "#ffffff",
        QPalette.ColorRole.WindowText: "#000000",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f0f0f0",
        QPalette.ColorRole.Text: "#000000",
        QPalette.ColorRole.PlaceholderText: "#404040",
        QPalette.ColorRole.Button: "#ffffff",
        QPalette.ColorRole.ButtonText: "#000000",
        QPalette.ColorRole.Highlight: "#00006e",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: "#ffffff",
        QPalette.ColorRole.ToolTipText: "#000000",
        QPalette.ColorRole.Link: "#00006e",
    },
}
TEXT_PAIRS = (
    (QPalette.ColorRole.WindowText, QPalette.ColorRole.Window),
    (QPalette.ColorRole.Text, QPalette.ColorRole.Base),
    (QPalette.ColorRole.Text, QPalette.ColorRole.AlternateBase),
    (QPalette.ColorRole.PlaceholderText, QPalette.ColorRole.Base),
    (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Button),
    (QPalette.ColorRole.HighlightedText, QPalette.ColorRole.Highlight),
    (QPalette.ColorRole.ToolTipText, QPalette.ColorRole.ToolTipBase),
    (QPalette.ColorRole.Link, QPalette.ColorRole.Base),
)
"""Each text colour and the background it is drawn on."""
FRAMED = "QLineEdit, QPlainTextEdit, QTextEdit, QListView, QTreeView"
"""Controls whose edges a high-contrast theme draws."""
INDICATORS = "QCheckBox::indicator, QRadioButton::indicator"
INDICATOR_EM = 0.8
"""A check box's or radio button's size in a high-contrast theme, in lines of its text."""
FOCUSABLE = (
    f"{FRAMED}, QComboBox, QSpinBox, QDoubleSpinBox, QPushButton, QCheckBox, QTabBar, QLabel"
)


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2's contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: QColor) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * linear(colour.redF())
        + 0.7152 * linear(colour.greenF())
        + 0.0722 * linear(colour.blueF())
    )


def high_contrast_palette(theme: Theme) -> QPalette:
    """The palette of a high-contrast `theme`, the same when active, inactive or disabled
    (greyed-out text is told by its state, not by a fainter colour)."""
    palette = QPalette()
    for role, colour in HIGH_CONTRAST_COLOURS[theme].items():
        palette.setColor(role, QColor(colour))
    return palette


def system_theme() -> Theme:
    """The high-contrast theme the system asks for, else SYSTEM."""
    hints = QGuiApplication.styleHints()
    accessibility = getattr(hints, "accessibility", None)
    preference = getattr(Qt, "ContrastPreference", None)
    if accessibility is None or preference is None:
        return Theme.SYSTEM
    if accessibility().contrastPreference() != preference.HighContrast:
        return Theme.SYSTEM
    if hints.colorScheme() == Qt.ColorScheme.Dark:
        return Theme.HIGH_CONTRAST_DARK
    return Theme.HIGH_CONTRAST_LIGHT


def focus_style_sheet(palette: QPalette, framed: bool = False) -> str:
    """A frame of FOCUS_FRAME_PX around the focused control, in the highlight colour; with
    `framed` (high contrast), a 1-pixel frame in the text colour around each text field and
    list, whose edges the theme's plain background would hide, and check boxes and radio
    buttons drawn in the text colour (`indicator_style_sheet`)."""
    colour = palette.color(QPalette.ColorRole.Highlight).name()
    focus = f"{_each(FOCUSABLE, ':focus')} {{ border: {FOCUS_FRAME_PX}px solid {colour}; }}"
    if not framed:
        return focus
    edge = palette.color(QPalette.ColorRole.Text).name()
    return f"{FRAMED} {{ border: 1px solid {edge}; }}\n{indicator_style_sheet(palette)}\n{focus}"


def indicator_style_sheet(palette: QPalette) -> str:
    """Check boxes and radio buttons as a frame in the text colour, filled with it when on,
    as large as the text: Qt's own box is edged in a shade of the background, which a
    high-contrast theme's black (or white) leaves invisible."""
    text = palette.color(QPalette.ColorRole.Text).name()
    base = palette.color(QPalette.ColorRole.Base).name()
    box = f"width: {INDICATOR_EM}em; height: {INDICATOR_EM}em; border: 2px solid {text};"
    return (
        f"{INDICATORS} {{ {box} background: {base}; }}\n"
        f"{_each(INDICATORS, ':checked')} {{ background: {text}; }}\n"
        f"QRadioButton::indicator {{ border-radius: {INDICATOR_EM / 2}em; }}"
    )


def _each(selectors: str, state: str) -> str:
    """Each of the comma-separated `selectors` in `state` (":focus", ":checked")."""
    return ", ".join(f"{selector.strip()}{state}" for selector in selectors.split(","))


class WideCaretStyle(QProxyStyle):
    """The application's style with a caret CARET_PX wide in every text field."""

    def pixelMetric(self, metric: QStyle.PixelMetric, *args: object) -> int:
        if metric == QStyle.PixelMetric.PM_TextCursorWidth:
            return CARET_PX
        return int(super().pixelMetric(metric, *args))  # type: ignore[arg-type]


_CARET_STYLE: list[WideCaretStyle] = []


def wide_caret_style() -> WideCaretStyle:
    """The one WideCaretStyle, made on first use and owned by the application: a widget does
    not own the style it is given, and must never outlive it (a crash on quitting)."""
    if not _CARET_STYLE:
        style = WideCaretStyle()
        style.setParent(QApplication.instance())
        _CARET_STYLE.append(style)
    return _CARET_STYLE[0]


class Appearance(QObject):
    """Applies the colours and the text size to the window (and the dialogs it owns), and
    does Larger text, Smaller text and Normal text size, saved through `save`."""

    def __init__(
        self,
        window: MainWindow,
        settings: Callable[[], AppSettings],
        save: Callable[[AppSettings], None],
        announce: Callable[[str], None],
    ) -> None:
        super().__init__(window)
        self.window = window
        self._settings = settings
        self._save = save
        self._announce = announce
        self._base_point_size = QApplication.font().pointSizeF()
        self._system_palette = QApplication.palette()
        self.theme = Theme.SYSTEM
        caret_style = wide_caret_style()
        for field in window.findChildren(QLineEdit):
            field.setStyle(caret_style)
        for view in window.findChildren(QPlainTextEdit):
            view.setCursorWidth(CARET_PX)
        self.apply(settings())

    def apply(self, settings: AppSettings) -> None:
        """Use `settings`' theme and text size now."""
        theme = settings.theme if settings.theme is not Theme.SYSTEM else system_theme()
        self.theme = theme
        palette = (
            high_contrast_palette(theme) if theme is not Theme.SYSTEM else self._system_palette
        )
        # The application's palette, not only the window's: widgets styled by a style sheet
        # (the focus frame) take their colours from it, and would keep the system's.
        QApplication.setPalette(palette)
        self.window.setPalette(palette)
        self.window.setStyleSheet(focus_style_sheet(palette, framed=theme is not Theme.SYSTEM))
        self._set_text_size(settings.text_size_percent)

    def dress(self, dialog: QWidget) -> None:
        """Give a dialog the window's colours and focus frame."""
        dialog.setPalette(self.window.palette())
        dialog.setStyleSheet(self.window.styleSheet())

    def larger_text(self) -> None:
        self._change_text_size(self._settings().text_size_percent + TEXT_SIZE_STEP)

    def smaller_text(self) -> None:
        self._change_text_size(self._settings().text_size_percent - TEXT_SIZE_STEP)

    def normal_text(self) -> None:
        self._change_text_size(NORMAL)

    def _change_text_size(self, percent: int) -> None:
        percent = max(SMALLEST, min(LARGEST, percent))
        self._save(self._settings().with_changes(text_size_percent=percent))
        self._set_text_size(percent)
        self._announce(messages.TEXT_SIZE_NOW.format(percent=percent))

    def _set_text_size(self, percent: int) -> None:
        for widget in self.zoomed_widgets():
            font = widget.font()
            font.setPointSizeF(self._base_point_size * percent / 100)
            widget.setFont(font)
        self.window.answer_view.setMaximumHeight(int(ANSWER_HEIGHT_PX * max(1, percent / 100)))

    def zoomed_widgets(self) -> list[QWidget]:
        """The widgets whose text Larger text and Smaller text change."""
        window = self.window
        return [window.conversation, window.answer_view, window.question]
