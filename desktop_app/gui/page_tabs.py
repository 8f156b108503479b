"""Tabbed pages that a screen reader announces by name.

QTabWidget keeps its pages in a QStackedWidget, which Orca announces as "layered pane" at
every page change. Here each page sits in a flat, untitled group box named after its tab, so
Orca says "General panel" instead, and only the current page is shown.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QGroupBox, QScrollArea, QTabBar, QVBoxLayout, QWidget

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
        scroll = QScrollArea()  # large text: the page scrolls, and follows the focus
        scroll.setObjectName(f"page_scroll_{len(self._pages)}")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the page's fields
        scroll.setWidget(page)
        inner.addWidget(scroll)
        self._layout.addWidget(panel, 1)
        self._pages.append(page)
        self._panels.append(panel)
        index = self.bar.addTab(title)
        panel.setVisible(index == self.bar.currentIndex())
        return index

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


def _takes_tab(widget: QWidget) -> bool:
    return (
        widget.isVisible()
        and widget.isEnabled()
        and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
    )
