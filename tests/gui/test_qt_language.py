"""Qt's own words (a message box's buttons) follow the interface language: Qt's catalogue."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import QApplication

from desktop_app.gui.qt_language import install_qt_language


def test_qt_speaks_german_and_english_needs_no_catalogue(qapp: QApplication) -> None:
    assert install_qt_language(qapp, "en") is None
    assert install_qt_language(qapp, "en_XA") is None
    cancel = QCoreApplication.translate("QPlatformTheme", "Cancel")
    translator = install_qt_language(qapp, "de")
    try:
        assert translator is not None
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Abbrechen" != cancel
    finally:
        qapp.removeTranslator(translator)
        QLocale.setDefault(QLocale(QLocale.Language.English))
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == cancel
