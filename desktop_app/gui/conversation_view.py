"""The conversation: each question, image and answer is its own item a screen reader can walk."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem, QWidget

from desktop_app.core import messages

ROLE_KIND = Qt.ItemDataRole.UserRole
ROLE_TEXT = Qt.ItemDataRole.UserRole + 1


class ConversationView(QListWidget):
    """A list of entries: 'You: …', 'Image: …' and 'Iris: …', newest last.

    `answer_changed` carries the text of the answer being written, or of the answer the user
    selects, for the Answer pane where it can be read line by line.
    """

    answer_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversation")
        self.setAccessibleName(messages.CONVERSATION_NAME)
        self.setAccessibleDescription(messages.CONVERSATION_DESCRIPTION)
        self.setWordWrap(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._answer: QListWidgetItem | None = None
        self.currentItemChanged.connect(self._on_current_changed)

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Arriving in the list, the newest entry is the current one (a screen reader speaks
        it), unless the user chose another before; Up arrow goes back from there."""
        if self.currentRow() < 0 and self.count():
            self.setCurrentRow(self.count() - 1)
        super().focusInEvent(event)

    def _on_current_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None and current.data(ROLE_KIND) == "answer":
            self.answer_changed.emit(str(current.data(ROLE_TEXT)))

    def add_question(self, text: str) -> None:
        """Append the user's question."""
        self._add("question", messages.YOU_PREFIX.format(text=text), text)

    def add_image(self, name: str, width: int, height: int) -> None:
        """Append a note that an image joined the conversation."""
        text = messages.IMAGE_ITEM.format(name=name, width=width, height=height)
        self._add("image", text, text)

    def start_answer(self) -> None:
        """Append an empty answer that `append_to_answer` fills as it streams."""
        self._answer = self._add("answer", messages.IRIS_PREFIX.format(text=""), "")

    def append_to_answer(self, piece: str) -> None:
        """Add streamed text to the answer being written."""
        if self._answer is None:
            self.start_answer()
        assert self._answer is not None
        text = str(self._answer.data(ROLE_TEXT)) + piece
        self._set_answer_text(text)

    def finish_answer(self, text: str, *, stopped: bool = False, suffix: str | None = None) -> None:
        """Set the final text; a stopped answer is marked with `suffix` (by default
        UNFINISHED_SUFFIX; a fault's broken-off answer has UNFINISHED_FAULT_SUFFIX)."""
        if self._answer is None:
            self.start_answer()
        mark = messages.UNFINISHED_SUFFIX if suffix is None else suffix
        shown = text + (mark if stopped else "")
        self._set_answer_text(text, shown)
        self._answer = None

    def last_answer(self) -> str | None:
        """The text of the newest answer, if any."""
        for row in range(self.count() - 1, -1, -1):
            item = self.item(row)
            if item.data(ROLE_KIND) == "answer" and item.data(ROLE_TEXT):
                return str(item.data(ROLE_TEXT))
        return None

    def entries(self) -> list[str]:
        """Every entry's shown text, in order."""
        return [self.item(row).text() for row in range(self.count())]

    def _set_answer_text(self, text: str, shown: str | None = None) -> None:
        assert self._answer is not None
        self._answer.setData(ROLE_TEXT, text)
        label = messages.IRIS_PREFIX.format(text=shown if shown is not None else text)
        self._answer.setText(label)
        self._answer.setData(Qt.ItemDataRole.AccessibleTextRole, label)
        self.answer_changed.emit(text)

    def _add(self, kind: str, shown: str, text: str) -> QListWidgetItem:
        item = QListWidgetItem(shown)
        item.setData(ROLE_KIND, kind)
        item.setData(ROLE_TEXT, text)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, shown)
        self.addItem(item)
        self.scrollToItem(item)
        return item
