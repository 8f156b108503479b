"""Languages by code or name: what the model is told to answer in, and which voice speaks it.

The Answer language setting takes a code ("de"), an English name ("German") or the language's
own name ("Deutsch"); all three find the same `Language`. Text the table does not know is
passed to the model as typed (a model may know "Plattdeutsch"), with no code for speech.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core import i18n

ENGLISH_CODE = "en"


@dataclass(frozen=True)
class Language:
    """One language: its ISO 639-1 `code`, its English `name` (the words the model is told)
    and its own name (`native`, as its speakers write it)."""

    code: str
    name: str
    native: str


LANGUAGES: tuple[Language, ...] = (
    Language("ar", "Arabic", "العربية"),
    Language("bg", "Bulgarian", "български"),
    Language("ca", "Catalan", "català"),
    Language("cs", "Czech", "čeština"),
    Language("da", "Danish", "dansk"),
    Language("de", "German", "Deutsch"),
    Language("el", "Greek", "Ελληνικά"),
    Language("en", "English", "English"),
    Language("es", "Spanish", "español"),
    Language("et", "Estonian", "eesti"),
    Language("fa", "Persian", "فارسی"),
    Language("fi", "Finnish", "suomi"),
    Language("fr", "French", "français"),
    Language("he", "Hebrew", "עברית"),
    Language("hi", "Hindi", "हिन्दी"),
    Language("hr", "Croatian", "hrvatski"),
    Language("hu", "Hungarian", "magyar"),
    Language("id", "Indonesian", "Bahasa Indonesia"),
    Language("it", "Italian", "italiano"),
    Language("ja", "Japanese", "日本語"),
    Language("ko", "Korean", "한국어"),
    Language("lt", "Lithuanian", "lietuvių"),
    Language("lv", "Latvian", "latviešu"),
    Language("nb", "Norwegian", "norsk"),
    Language("nl", "Dutch", "Nederlands"),
    Language("pl", "Polish", "polski"),
    Language("pt", "Portuguese", "português"),
    Language("ro", "Romanian", "română"),
    Language("ru", "Russian", "русский"),
    Language("sk", "Slovak", "slovenčina"),
    Language("sl", "Slovenian", "slovenščina"),
    Language("sr", "Serbian", "српски"),
    Language("sv", "Swedish", "svenska"),
    Language("th", "Thai", "ไทย"),
    Language("tr", "Turkish", "Türkçe"),
    Language("uk", "Ukrainian", "українська"),
    Language("vi", "Vietnamese", "Tiếng Việt"),
    Language("zh", "Chinese", "中文"),
)

_ALIASES = {"no": "nb", "nn": "nb", "iw": "he", "in": "id", "farsi": "fa", "flemish": "nl"}
"""Other codes and names people write for a language in the table."""

_BY_KEY: dict[str, Language] = {
    key.casefold(): language
    for language in LANGUAGES
    for key in (language.code, language.name, language.native)
}


def primary_code(tag: str) -> str:
    """The language part of a tag, lower case: "de" for "de-DE", "de_AT.UTF-8" or "DE"."""
    return tag.strip().replace("_", "-").split(".")[0].split("-")[0].casefold()


def find_language(text: str) -> Language | None:
    """The language `text` names (a code or tag such as "pt-BR", its English name or its own
    name, in any case), or None."""
    key = text.strip().casefold()
    if not key:
        return None
    found = _BY_KEY.get(_ALIASES.get(key, key))
    if found is None and len(key) <= 16 and any(mark in key for mark in "-_"):
        code = primary_code(key)
        found = _BY_KEY.get(_ALIASES.get(code, code))
    return found


@dataclass(frozen=True)
class AnswerLanguage:
    """The language answers are asked for: `name` is what the model is told, `code` the
    language's code for choosing a voice (None for a language the table does not know)."""

    name: str
    code: str | None

    @property
    def own_name(self) -> str:
        """The language as its speakers write it ("Deutsch"), for sentences the user reads;
        a language the table does not know, as typed."""
        known = find_language(self.code) if self.code else None
        return known.native if known else self.name

    @property
    def is_english(self) -> bool:
        """English: the models' own language, so no instruction is needed."""
        return self.code == ENGLISH_CODE


ENGLISH = AnswerLanguage("English", ENGLISH_CODE)


def answer_language(setting: str, interface_language: str | None = None) -> AnswerLanguage:
    """The language of answers for the Answer language `setting`: what it names, or the
    text as typed; empty means `interface_language` (a code such as "de"; by default the one
    the interface is shown in), and English where the table does not know that code."""
    typed = setting.strip()
    if not typed:
        known = find_language(interface_language or i18n.interface_language())
        return AnswerLanguage(known.name, known.code) if known else ENGLISH
    known = find_language(typed)
    return AnswerLanguage(known.name, known.code) if known else AnswerLanguage(typed, None)
