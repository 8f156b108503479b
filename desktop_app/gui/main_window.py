"""The main window: conversation, question field, status line, progress bar and actions."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core import messages
from desktop_app.core.actions import ACTIONS, ASK, DESCRIBE_SCREEN, STOP, Action, Menu, menu_actions
from desktop_app.gui.conversation_view import ConversationView
from desktop_app.gui.screen_room import screen_room

OPENING_SIZE = QSize(720, 560)
"""The window's size when it opens, where the screen has room for it (`screen_room`)."""


class MainWindow(QMainWindow):
    """Widgets and actions only; what the actions do is the controller's business."""

    files_dropped = Signal(list)
    image_data_dropped = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(messages.WINDOW_TITLE)
        self.setAccessibleName(messages.APP_NAME)
        self.setAcceptDrops(True)
        self.actions_by_key: dict[str, QAction] = {}
        for declared in ACTIONS:
            if declared.in_window:
                self.actions_by_key[declared.id] = self._action(declared)
        for menu in Menu:
            bar_menu = self.menuBar().addMenu(menu.title)
            for declared in menu_actions(menu):
                bar_menu.addAction(self.actions_by_key[declared.id])
            if menu is Menu.DESCRIBE:
                self.prompts_menu = self.menuBar().addMenu(messages.MENU_PROMPTS)
                self.prompts_menu.setObjectName("prompts_menu")

        self.conversation = ConversationView()
        self.answer_view = QPlainTextEdit()  # read-only text with a caret: read line by line
        self.answer_view.setObjectName("answer")
        self.answer_view.setAccessibleName(messages.ANSWER_NAME)
        self.answer_view.setAccessibleDescription(messages.ANSWER_DESCRIPTION)
        self.answer_view.setReadOnly(True)
        self.answer_view.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard
            | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.answer_view.setTabChangesFocus(True)
        self.answer_view.setMaximumHeight(140)
        self.conversation.answer_changed.connect(self.answer_view.setPlainText)
        self.question = QLineEdit()
        self.question.setObjectName("question")
        self.question.setAccessibleName(messages.QUESTION_NAME)
        self.question.setPlaceholderText(messages.QUESTION_PLACEHOLDER)
        self.question.returnPressed.connect(self.actions_by_key[ASK.id].trigger)
        self.ask_button = self._button(ASK)
        self.describe_button = self._button(DESCRIBE_SCREEN)
        self.stop_button = self._button(STOP)
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setAccessibleName(messages.PROGRESS_NAME)
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.status.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reached with Tab, read aloud
        self.location = QLabel()
        self.location.setObjectName("location")
        self.location.setWordWrap(True)
        self.location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.location.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.show_status(messages.STATUS_NO_MODEL_YET)
        self.show_location(messages.LOCATION_LINE.format(location=messages.LOCATION_THIS_COMPUTER))

        self.conversation_label = QLabel(messages.CONVERSATION_LABEL)
        self.conversation_label.setObjectName("conversation_label")
        self.conversation_label.setBuddy(self.conversation)
        self.answer_label = QLabel(messages.ANSWER_LABEL)
        self.answer_label.setObjectName("answer_label")
        self.answer_label.setBuddy(self.answer_view)
        layout = QVBoxLayout()
        for widget in (
            self.describe_button,
            self.conversation_label,
            self.conversation,
            self.answer_label,
            self.answer_view,
            self.question,
            self.ask_button,
            self.stop_button,
            self.progress,
            self.status,
            self.location,
        ):
            layout.addWidget(widget)
        central = QWidget()
        central.setLayout(layout)
        self.setCentralWidget(central)
        QWidget.setTabOrder(self.question, self.ask_button)
        QWidget.setTabOrder(self.ask_button, self.conversation)
        QWidget.setTabOrder(self.conversation, self.answer_view)
        QWidget.setTabOrder(self.answer_view, self.describe_button)
        QWidget.setTabOrder(self.describe_button, self.stop_button)
        QWidget.setTabOrder(self.stop_button, self.status)
        QWidget.setTabOrder(self.status, self.location)
        self.resize(OPENING_SIZE.boundedTo(screen_room(self)))
        self.question.setFocus()
        self.close_handler: Callable[[], bool] | None = None
        """Asked when the window is closed: True lets Iris quit; False keeps it running (the
        handler hid the window, or the user cancelled). None: closing quits."""
        self._quitting = False

    def _action(self, declared: Action) -> QAction:
        action = QAction(declared.shown_label, self)
        action.setObjectName(declared.id)
        action.setShortcut(QKeySequence(declared.shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        keys = QKeySequence(declared.shortcut).toString()
        label = declared.shown_label
        action.setToolTip(messages.ACTION_TOOLTIP.format(label=label, keys=keys) if keys else label)
        self.addAction(action)
        return action

    def _button(self, declared: Action) -> QPushButton:
        action = self.actions_by_key[declared.id]
        button = QPushButton(action.text())
        button.setObjectName(f"{declared.id}_button")
        button.setAccessibleName(action.text())
        button.clicked.connect(action.trigger)
        return button

    def show_prompts(
        self, prompts: Sequence[tuple[str, str]], run: Callable[[str], object]
    ) -> None:
        """Fill the Prompts menu: one item per saved prompt (name, global hotkey as people
        write it or ""), in order; choosing one calls `run(name)`."""
        self.prompts_menu.clear()
        for index, (name, keys) in enumerate(prompts):
            shown = name.replace("&", "&&")
            action = QAction(f"{shown}\t{keys}" if keys else shown, self.prompts_menu)
            action.setObjectName(f"prompt_{index}")
            action.triggered.connect(lambda _checked=False, name=name: run(name))
            self.prompts_menu.addAction(action)
        self.prompts_menu.setEnabled(bool(prompts))

    def on(self, key: str, handler: Callable[[], object]) -> None:
        """Run `handler` when the action `key` is triggered."""
        self.actions_by_key[key].triggered.connect(lambda _checked=False: handler())

    def show_status(self, text: str) -> None:
        """Put `text` on the status line. Its accessible name carries it ("Status: Done."),
        which every screen reader speaks when the line gets the focus, or changes while it
        has it."""
        self.status.setText(text)
        self.status.setAccessibleName(
            messages.LABELLED_TEXT.format(label=messages.STATUS_NAME, text=text)
        )

    def show_location(self, text: str) -> None:
        """Say under the status line where the model runs ("Model runs on this computer.")."""
        self.location.setText(text)
        self.location.setAccessibleName(
            messages.LABELLED_TEXT.format(label=messages.LOCATION_NAME, text=text)
        )

    def announce_to_screen_reader(self, text: str) -> None:
        """Ask the screen reader to speak `text` (NVDA, VoiceOver and Orca 45 or newer listen;
        Orca 43 does not)."""
        event = QAccessibleAnnouncementEvent(self.status, text)
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
        QAccessible.updateAccessibility(event)

    def show_progress(self, fraction: float | None) -> None:
        """Show the progress bar at `fraction`, or hide it with None."""
        if fraction is None:
            self.progress.hide()
            return
        self.progress.setValue(int(fraction * 100))
        self.progress.show()

    def quit(self) -> None:
        """Close for good (the Quit action), without asking the close handler."""
        self._quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._quitting and self.close_handler is not None and not self.close_handler():
            event.ignore()
            return
        super().closeEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        data = event.mimeData()
        if data.hasUrls() or data.hasImage():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        data = event.mimeData()
        if data.hasUrls():
            paths = [url.toLocalFile() for url in data.urls() if url.isLocalFile()]
            if paths:
                self.files_dropped.emit(paths)
                event.acceptProposedAction()
                return
        if data.hasImage():
            self.image_data_dropped.emit(data.imageData())
            event.acceptProposedAction()
            return
        event.ignore()
