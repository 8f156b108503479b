"""Qt's own words (the buttons of message boxes and file dialogs, context menus of text
fields) in the interface language: Qt's catalogue `qtbase_<language>.qm`, shipped in PySide6's
translations folder."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from desktop_app.core import i18n


def qt_translations_folder() -> str:
    """Where Qt's catalogues are (PySide6's, in the one-folder app its copy)."""
    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


def install_qt_language(app: QCoreApplication, language: str) -> QTranslator | None:
    """Load Qt's catalogue for `language` ("de", "pt_BR") into `app`; None when Qt has none
    (English, the pseudo-locale) or it cannot be read. The translator is a child of `app`."""
    if language.split("_")[0] == i18n.SOURCE_LANGUAGE:
        return None
    QLocale.setDefault(QLocale(language))
    translator = QTranslator(app)
    if not translator.load(f"qtbase_{language}", qt_translations_folder()):
        translator.deleteLater()
        return None
    app.installTranslator(translator)
    return translator
