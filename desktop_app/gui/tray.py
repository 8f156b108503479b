"""The notification-area (tray) icon and its menu of Iris's main actions."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QApplication, QMenu, QStyle, QSystemTrayIcon, QWidget

from desktop_app.core import messages as text
from desktop_app.core.actions import ACTIONS, QUIT, SHOW_WINDOW

ICON_RESOURCE = ("resources", "iris.svg")
"""The application icon, as package data of `desktop_app` (a checkout, a wheel, a bundle)."""


def icon_path() -> Path | None:
    """The icon's file where Iris is installed, or None when it is not a plain file there."""
    resource = resources.files("desktop_app").joinpath(*ICON_RESOURCE)
    return resource if isinstance(resource, Path) and resource.is_file() else None


def tray_available() -> bool:
    """True when the desktop has a notification area to put an icon in."""
    return QSystemTrayIcon.isSystemTrayAvailable()


def app_icon() -> QIcon:
    """Iris's icon, or a standard one when the file is missing or unreadable (needs the
    QApplication)."""
    path = icon_path()
    if path is not None:
        icon = QIcon(str(path))
        if not icon.isNull():
            return icon
    return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)


def tray_menu(
    window_actions: dict[str, QAction], show_action: QAction, parent: QWidget | None = None
) -> QMenu:
    """The tray's menu: the actions marked for the tray that exist, then Show Iris and Quit."""
    menu = QMenu(parent)
    menu.setAccessibleName(text.TRAY_TOOLTIP)
    for declared in ACTIONS:
        if declared.in_tray and declared.id in window_actions:
            menu.addAction(window_actions[declared.id])
    menu.addSeparator()
    menu.addAction(show_action)
    if QUIT.id in window_actions:
        menu.addAction(window_actions[QUIT.id])
    return menu


class TrayIcon(QObject):
    """A tray icon whose click shows the window; does nothing where there is no tray."""

    def __init__(self, window_actions: dict[str, QAction], parent: QWidget) -> None:
        super().__init__(parent)
        self.window = parent
        self.icon: QSystemTrayIcon | None = None
        self.menu: QMenu | None = None
        self.show_action = QAction(SHOW_WINDOW.shown_label, self)
        self.show_action.setObjectName(SHOW_WINDOW.id)
        self.show_action.triggered.connect(lambda _checked=False: self.show_window())
        if not tray_available():
            return
        self.menu = tray_menu(window_actions, self.show_action, parent)
        self.icon = QSystemTrayIcon(app_icon(), self)
        self.icon.setToolTip(text.TRAY_TOOLTIP)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.icon.show()

    @property
    def available(self) -> bool:
        """True when the icon exists."""
        return self.icon is not None

    def show_window(self) -> None:
        """Bring the window back, in front, with keyboard focus."""
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def hide(self) -> None:
        """Take the icon out of the tray (before quitting)."""
        if self.icon is not None:
            self.icon.hide()

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_window()
