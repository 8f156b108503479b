"""The Settings group "Where the model runs": this computer, or a server the user controls."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core import messages as text
from desktop_app.core.errors import BadInputError, IrisError, first_line
from desktop_app.gui.flow_layout import FlowLayout
from desktop_app.gui.reflowing_controls import (
    ShrinkingComboBox,
    WrappingLabel,
    keep_characters_in_view,
)
from desktop_app.gui.screen_room import screen_room
from desktop_app.gui.setting_controls import (
    add_control,
    control_value,
    form_row,
    make_control,
    name_control,
    reflowing_form,
)
from desktop_app.settings import SCHEMA, ApiKeys, Place, ServerAddress, ServerSettings

log = logging.getLogger(__name__)

Speak = Callable[[str], None]
_Widget = TypeVar("_Widget", bound=QWidget)
MODEL_NAME_CHARACTERS = 36
"""The model field is this wide, enough for "HuggingFaceTB/SmolVLM2-2.2B-Instruct"."""


@dataclass(frozen=True)
class CheckOutcome:
    """What "Test connection" found: the sentence to show and speak, and the models listed."""

    text: str
    models: tuple[str, ...] = ()


class ConnectionCheck(QObject):
    """Runs `check_server` on a Python thread, never the GUI's; `finished` brings the outcome
    back to the GUI thread. It has no Qt parent, so a dialog closed meanwhile harms nothing."""

    finished = Signal(object)

    def start(self, settings: ServerSettings, api_key: str) -> None:
        """Ask the server for its models in the background."""
        thread = threading.Thread(
            target=self._run, args=(settings, api_key), name="iris-server-check", daemon=True
        )
        thread.start()

    def _run(self, settings: ServerSettings, api_key: str) -> None:
        from desktop_app.engine.remote import Endpoint, check_server

        try:
            endpoint = Endpoint.of(settings, api_key)
            found = check_server(endpoint)
        except IrisError as error:
            self.finished.emit(CheckOutcome(error.message))
            return
        except Exception as error:
            log.warning("testing the server connection failed", exc_info=True)
            self.finished.emit(CheckOutcome(first_line(error)))
            return
        label = endpoint.address.label
        template = text.SERVER_CHECK_OK if found.models else text.SERVER_CHECK_NO_MODELS
        sentence = template.format(
            server=label, latency_ms=found.latency_ms, models=", ".join(found.models)
        )
        self.finished.emit(CheckOutcome(sentence, found.models))


class ServerPanel(QGroupBox):
    """Choose where the model runs; for a server, its address, model, key, TLS and timeouts.

    The server's fields are disabled while "On this computer" is chosen; their labels, ranges
    and names come from the settings schema (`Place.SERVER`). `speak` tells the user (shown on
    the status line and spoken) what Test connection found.
    `check_finished` carries that sentence once it is shown.
    """

    check_finished = Signal(str)

    def __init__(
        self,
        settings: ServerSettings,
        api_keys: ApiKeys | None = None,
        speak: Speak | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(Place.SERVER.title, parent)
        self.setObjectName("server_group")
        self.setAccessibleName(Place.SERVER.title)
        self._original = settings
        self._api_keys = api_keys
        self._speak = speak
        self._check = ConnectionCheck()
        self._check.finished.connect(self._on_checked)
        self.key_changed = False
        """True once `save_api_key` kept a new key (the server's backend must be made anew)."""

        self.controls: dict[str, QWidget] = {}
        """The server's fields, by schema key (the API key is no setting: it is not here)."""
        self.here = QRadioButton(text.SERVER_RUNS_HERE)
        self.here.setObjectName("runs_here")
        enabled = SCHEMA["server.enabled"]
        self.on_server = QRadioButton(enabled.label)
        name_control(enabled, self.on_server)
        self._where = QButtonGroup(self)
        for button in (self.here, self.on_server):
            button.setAccessibleName(button.text())
            self._where.addButton(button)
        (self.on_server if settings.enabled else self.here).setChecked(True)

        self.server_fields = QWidget()
        self.server_fields.setObjectName("server_fields")
        fields = QVBoxLayout(self.server_fields)
        fields.setContentsMargins(0, 0, 0, 0)
        form = reflowing_form()
        fields.addLayout(form)
        self._build_fields(form, settings)
        fields.addWidget(self.test_result)

        choice = FlowLayout()  # the second under the first in large text
        choice.addWidget(self.here)
        choice.addWidget(self.on_server)
        layout = QVBoxLayout(self)
        layout.addLayout(choice)
        layout.addWidget(self.server_fields)
        self.on_server.toggled.connect(self._update_enabled)
        self._update_enabled()

    # -- building ------------------------------------------------------------------------------
    def _build_fields(self, form: QFormLayout, settings: ServerSettings) -> None:
        def add(name: str, kind: type[_Widget]) -> _Widget:
            entry = SCHEMA[f"server.{name}"]
            widget = add_control(form, entry, getattr(settings, name))
            assert isinstance(widget, kind), entry.key
            self.controls[entry.key] = widget
            return widget

        self.url = add("url", QLineEdit)
        self.url.editingFinished.connect(self._url_edited)
        model = SCHEMA["server.model"]
        self.model = ShrinkingComboBox()
        self.model.setEditable(True)
        self.model.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model.setEditText(settings.model)
        self.model.setMinimumContentsLength(MODEL_NAME_CHARACTERS)
        self.model.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        name_control(model, self.model)
        form_row(form, model.label or "", self.model)
        self.controls[model.key] = self.model
        self._prefilled_key = self._stored_key(settings.url)
        self.api_key = QLineEdit(self._prefilled_key)
        self.api_key.setObjectName("server_api_key")
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        keep_characters_in_view(self.api_key)
        self.api_key.setPlaceholderText(text.FIELD_SERVER_API_KEY_HINT)
        self.api_key.setAccessibleDescription(text.FIELD_SERVER_API_KEY_DESCRIPTION)
        form_row(form, text.FIELD_SERVER_API_KEY, self.api_key)
        self.verify_tls = add("verify_tls", QCheckBox)
        ca_file = SCHEMA["server.ca_file"]
        made = make_control(ca_file, settings.ca_file)
        assert isinstance(made, QLineEdit)
        self.ca_file = made
        self.controls[ca_file.key] = self.ca_file
        self.choose_ca_file = QPushButton(text.CHOOSE_CA_FILE)
        self.choose_ca_file.setObjectName("choose_ca_file")
        self.choose_ca_file.setAccessibleName(text.CHOOSE_CA_FILE_NAME)
        self.choose_ca_file.clicked.connect(self._choose_ca_file)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.choose_ca_file)
        ca_label = WrappingLabel(ca_file.label or "")
        ca_label.setBuddy(self.ca_file)
        form.addRow(ca_label, ca_row)
        self.connect_timeout = add("connect_timeout_s", QSpinBox)
        self.stall_timeout = add("stall_timeout_s", QSpinBox)
        self.test_button = QPushButton(text.ACTION_TEST_CONNECTION)
        self.test_button.setObjectName("test_connection")
        self.test_button.setAccessibleName(text.ACTION_TEST_CONNECTION)
        self.test_button.clicked.connect(self.test_connection)
        form.addRow("", self.test_button)
        self.test_result = QLabel()
        self.test_result.setObjectName("test_result")
        self.test_result.setAccessibleName(text.SERVER_CHECK_RESULT_NAME)
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.test_result.hide()

    # -- the API key -----------------------------------------------------------------------------
    @property
    def api_keys(self) -> ApiKeys:
        """The keys by server origin (the system keyring unless one was given)."""
        if self._api_keys is None:
            self._api_keys = ApiKeys()
        return self._api_keys

    def _stored_key(self, url: str) -> str:
        address = ServerAddress.parse_or_none(url)
        return self.api_keys.get(address.origin()) if address is not None else ""

    def _url_edited(self) -> None:
        """Another server: show its kept key, unless the user already typed one."""
        if self.api_key.text() == self._prefilled_key:
            self._prefilled_key = self._stored_key(self.url.text())
            self.api_key.setText(self._prefilled_key)

    def save_api_key(self) -> bool:
        """Keep the key in the keyring under the server's origin; False when no keyring
        could take it (it is then kept only until Iris closes)."""
        address = ServerAddress.parse_or_none(self.url.text())
        key = self.api_key.text().strip()
        if address is None:
            return True
        origin = address.origin()
        if key == self.api_keys.get(origin):
            return True
        self.key_changed = True
        return self.api_keys.remember(origin, key)

    # -- behaviour -------------------------------------------------------------------------------
    def _update_enabled(self) -> None:
        self.server_fields.setEnabled(self.on_server.isChecked())

    def _choose_ca_file(self) -> None:
        start = self.ca_file.text() if Path(self.ca_file.text()).is_file() else ""
        path, _ = QFileDialog.getOpenFileName(
            self, text.CHOOSE_CA_FILE_TITLE, start, text.CA_FILE_FILTER
        )
        if path:
            self.ca_file.setText(path)
        self.ca_file.setFocus()

    def test_connection(self) -> None:
        """Ask the server for its models off the GUI thread; say what was found.
        No consent is needed: nothing but the request for the model list is sent."""
        try:
            address = ServerAddress.parse(self.url.text())
        except BadInputError as error:
            self._tell(error.message)
            self.check_finished.emit(error.message)
            return
        self.test_button.setEnabled(False)
        self._tell(text.SERVER_CHECK_RUNNING.format(server=address.label))
        settings = self.result(self._original).with_changes(enabled=True)
        self._check.start(settings, self.api_key.text().strip())

    @Slot(object)
    def _on_checked(self, outcome: CheckOutcome) -> None:
        self.test_button.setEnabled(True)
        if outcome.models:
            chosen = self.model.currentText().strip() or outcome.models[0]
            self.model.clear()
            self.model.addItems(list(outcome.models))
            self.model.setEditText(chosen)
        self._tell(outcome.text)
        self.check_finished.emit(outcome.text)

    def _tell(self, sentence: str) -> None:
        """Show `sentence` under the button and speak it."""
        self.test_result.setText(sentence)
        self.test_result.setAccessibleDescription(sentence)
        self.test_result.show()
        self._make_room()
        if self._speak is not None:
            self._speak(sentence)

    def _make_room(self) -> None:
        """Grow the window when the result's lines no longer fit, as far as the screen has room
        (it never shrinks here)."""
        window = self.window()
        layout = window.layout()
        if layout is None or not window.isVisible():
            return
        layout.activate()
        wanted = min(layout.totalHeightForWidth(window.width()), screen_room(window).height())
        if wanted > window.height():
            window.resize(window.width(), wanted)

    def problems(self) -> list[tuple[QWidget, str]]:
        """Each server field that cannot be used, with the reason (none while unused)."""
        if not self.on_server.isChecked():
            return []
        found: list[tuple[QWidget, str]] = []
        try:
            ServerAddress.parse(self.url.text())
        except BadInputError as error:
            found.append((self.url, text.PROBLEM_SERVER_URL.format(reason=error.message)))
        ca_file = self.ca_file.text().strip()
        if ca_file and not Path(ca_file).expanduser().is_file():
            found.append((self.ca_file, text.PROBLEM_SERVER_CA_FILE.format(path=ca_file)))
        return found

    def result(self, original: ServerSettings) -> ServerSettings:
        """`original` with the fields as shown (approved hosts are kept)."""
        changes = {
            SCHEMA[key].name: control_value(
                SCHEMA[key], widget, getattr(original, SCHEMA[key].name)
            )
            for key, widget in self.controls.items()
        }
        return original.with_changes(enabled=self.on_server.isChecked(), **changes)
