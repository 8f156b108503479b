"""Tabbed pages that a screen reader announces by name.

QTabWidget keeps its pages in a QStackedWidget, which Orca announces as "layered pane" at
every page change. Here each page sits in a flat, untitled group box named after its tab, so
Orca says "General panel" instead, and only the current page is shown.

The tabs ask for room for their widest and tallest page, so that the window opens with every
page in view across; a page scrolls up and down, and sideways only when its form cannot reflow
any narrower.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QGroupBox, QScrollArea, QTabBar, QVBoxLayout, QWidget

from desktop_app.gui.screen_room import screen_room

_NEXT_KEYS = ("Ctrl+Tab", "Ctrl+PgDown")
_PREVIOUS_KEYS = ("Ctrl+Shift+Tab", "Ctrl+PgUp")
"""One spelling each: Qt matches X11's Backtab with Shift held to Ctrl+Shift+Tab, and a second
spelling of the same keys ("Ctrl+Backtab") would make the shortcut ambiguous, so never fire."""


class PageTabs(QWidget):
    """A tab bar over named pages; Ctrl+Tab and Ctrl+Page Down (Shift or Page Up back) move
    between pages and put the focus on the new page's first control."""

    currentChanged = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QTabBar()
        self.bar.setObjectName("page_tab_bar")
        self._pages: list[QWidget] = []
        self._panels: list[QGroupBox] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.bar)
        self.bar.currentChanged.connect(self._show_page)
        for keys, step in ((_NEXT_KEYS, 1), (_PREVIOUS_KEYS, -1)):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(lambda step=step: self._step(step))

    def addTab(self, page: QWidget, title: str) -> int:
        """Add `page` under the tab `title`; returns its index."""
        panel = QGroupBox()
        panel.setFlat(True)
        panel.setAccessibleName(title)
        panel.setObjectName(f"page_{len(self._pages)}")
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(0, 0, 0, 0)
        scroll = PageScroll(page)  # large text: the page scrolls, and follows the focus
        scroll.setObjectName(f"page_scroll_{len(self._pages)}")
        inner.addWidget(scroll)
        self._layout.addWidget(panel, 1)
        self._pages.append(page)
        self._panels.append(panel)
        index = self.bar.addTab(title)
        panel.setVisible(index == self.bar.currentIndex())
        return index

    def sizeHint(self) -> QSize:
        """The bar over the widest and the tallest page, shown or not."""
        shown = super().sizeHint()
        pages = [panel.sizeHint() for panel in self._panels]
        width = max([shown.width(), *(page.width() for page in pages)])
        height = self.bar.sizeHint().height() + self._layout.spacing()
        return QSize(width, max([shown.height(), *(height + page.height() for page in pages)]))

    def minimumSizeHint(self) -> QSize:
        """As wide as the widest page can reflow, shown or not (see `PageScroll`)."""
        shown = super().minimumSizeHint()
        widest = max([shown.width(), *(panel.minimumSizeHint().width() for panel in self._panels)])
        return QSize(widest, shown.height())

    def panel(self, index: int) -> QGroupBox:
        """The named group box that holds page `index` (and its scroll area)."""
        return self._panels[index]

    def count(self) -> int:
        """The number of pages."""
        return len(self._pages)

    def tabText(self, index: int) -> str:
        """The title of page `index`."""
        return self.bar.tabText(index)

    def widget(self, index: int) -> QWidget | None:
        """Page `index`, or None."""
        return self._pages[index] if 0 <= index < len(self._pages) else None

    def indexOf(self, page: QWidget) -> int:
        """The index of `page`, or -1."""
        return self._pages.index(page) if page in self._pages else -1

    def currentIndex(self) -> int:
        """The index of the page shown."""
        return self.bar.currentIndex()

    def currentWidget(self) -> QWidget | None:
        """The page shown."""
        return self.widget(self.currentIndex())

    def setCurrentIndex(self, index: int) -> None:
        """Show page `index`."""
        self.bar.setCurrentIndex(index)

    def _show_page(self, index: int) -> None:
        for number, panel in enumerate(self._panels):
            panel.setVisible(number == index)
        self.currentChanged.emit(index)

    def _step(self, step: int) -> None:
        if not self._pages:
            return
        self.setCurrentIndex((self.currentIndex() + step) % len(self._pages))
        page = self.currentWidget()
        if page is not None:
            first = page.nextInFocusChain()
            while first is not None and page.isAncestorOf(first) and not _takes_tab(first):
                first = first.nextInFocusChain()
            if first is not None and page.isAncestorOf(first):
                first.setFocus(Qt.FocusReason.TabFocusReason)


class PageScroll(QScrollArea):
    """A page's scroll area, frameless and left out of the Tab order (Tab goes to the page's
    fields, and the page scrolls to show each), that asks for the whole page and its vertical
    scroll bar (Qt's own hint stops at 36 lines of text across); the window bounds it to the
    screen."""

    def __init__(self, page: QWidget) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWidget(page)

    def sizeHint(self) -> QSize:
        page = self.widget()
        return super().sizeHint() if page is None else page.sizeHint() + self._around_page()

    def minimumSizeHint(self) -> QSize:
        """As wide as the page can reflow, so that it never scrolls sideways, unless that
        leaves the window's frame no room on the screen (`screen_room`); a few lines high."""
        shown = super().minimumSizeHint()
        page = self.widget()
        if page is None:
            return shown
        room = screen_room(self).width()
        width = page.minimumSizeHint().width() + self._around_page().width()
        return QSize(min(width, room), shown.height())

    def _around_page(self) -> QSize:
        """The frame on each side, and the vertical scroll bar beside the page."""
        frame = 2 * self.frameWidth()
        return QSize(frame + self.verticalScrollBar().sizeHint().width(), frame)


def _takes_tab(widget: QWidget) -> bool:
    return (
        widget.isVisible()
        and widget.isEnabled()
        and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
    )
