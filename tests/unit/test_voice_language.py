"""The voice follows the answer's language: chosen from voice lists shaped as each platform's
pyttsx3 driver gives them, the settings' voice still winning, the language carried with each
utterance; the real espeak-ng writes German with its German voice."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from desktop_app.settings import SpeechSettings
from desktop_app.speech import (
    Pyttsx3Synthesizer,
    StreamingSpeech,
    ThreadedSpeaker,
    create_speaker,
)
from desktop_app.speech._audio import write_silence
from desktop_app.speech._voices import voice_for_language, voice_tags


def voice(voice_id: str, name: str, languages: list[Any]) -> SimpleNamespace:
    return SimpleNamespace(id=voice_id, name=name, languages=languages)


ESPEAK_NG = [  # pyttsx3 2.99's espeak driver: the first language, priority byte dropped
    voice("gmw/en-029", "English (Caribbean)", ["en-029"]),
    voice("mb/mb-de1", "German (MBROLA)", ["de"]),
    voice("gmw/de", "German", ["de"]),
    voice("gmw/en", "English (Great Britain)", ["en-gb"]),
    voice("gmw/en-us", "English (America)", ["en-us"]),
    voice("roa/fr", "French", ["fr-fr"]),
    voice("sit/cmn", "Chinese (Mandarin)", ["cmn"]),
]
ESPEAK_OLD = [  # older pyttsx3: raw bytes, priority byte first
    voice("english", "english", [b"\x05en-gb"]),
    voice("german", "german", [b"\x05de"]),
]
TOKENS = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Speech\\Voices\\Tokens\\"
SAPI5 = [
    voice(TOKENS + "TTS_MS_EN-US_ZIRA_11.0", "Microsoft Zira Desktop - English", ["en-US"]),
    voice(TOKENS + "TTS_MS_DE-DE_HEDDA_11.0", "Microsoft Hedda Desktop - German", ["de-DE"]),
    voice(TOKENS + "TTS_MS_FR-FR_HORTENSE_11.0", "Microsoft Hortense - French", ["fr-FR"]),
]
SAPI5_OLD = [  # older pyttsx3 gave SAPI5 voices no languages: the token names the language
    voice(TOKENS + "TTS_MS_EN-US_ZIRA_11.0", "Microsoft Zira Desktop - English", []),
    voice(TOKENS + "TTS_MS_DE-DE_HEDDA_11.0", "Microsoft Hedda Desktop - German", []),
]
NSSS = [  # NSSpeechSynthesizer: VoiceLocaleIdentifier
    voice("com.apple.speech.synthesis.voice.Alex", "Alex", ["en_US"]),
    voice("com.apple.speech.synthesis.voice.anna", "Anna", ["de_DE"]),
    voice("com.apple.speech.synthesis.voice.thomas", "Thomas", ["fr_FR"]),
]
AVSPEECH = [  # AVSpeechSynthesisVoice: identifier and BCP 47 language
    voice("com.apple.voice.compact.en-US.Samantha", "Samantha", ["en-US"]),
    voice("com.apple.voice.compact.de-DE.Anna", "Anna", ["de-DE"]),
]


@pytest.mark.parametrize(
    ("voices", "language", "expected"),
    [
        (ESPEAK_NG, "de", "gmw/de"),  # not the MBROLA voice, which needs mbrola installed
        (ESPEAK_NG, "en", "gmw/en"),  # the plain language before its regional voices
        (ESPEAK_NG, "fr", "roa/fr"),
        (ESPEAK_NG, "zh", "sit/cmn"),
        (ESPEAK_OLD, "de", "german"),
        (SAPI5, "de", TOKENS + "TTS_MS_DE-DE_HEDDA_11.0"),
        (SAPI5, "fr-FR", TOKENS + "TTS_MS_FR-FR_HORTENSE_11.0"),
        (SAPI5_OLD, "de", TOKENS + "TTS_MS_DE-DE_HEDDA_11.0"),
        (NSSS, "de", "com.apple.speech.synthesis.voice.anna"),
        (NSSS, "en", "com.apple.speech.synthesis.voice.Alex"),
        (AVSPEECH, "de", "com.apple.voice.compact.de-DE.Anna"),
    ],
)
def test_the_voice_of_a_language_on_each_platform(
    voices: list[Any], language: str, expected: str
) -> None:
    assert voice_for_language(voices, language) == expected


@pytest.mark.parametrize("voices", [ESPEAK_OLD, SAPI5, SAPI5_OLD, NSSS, AVSPEECH])
def test_no_voice_for_a_language_nobody_speaks(voices: list[Any]) -> None:
    assert voice_for_language(voices, "ja") is None
    assert voice_for_language(voices, "") is None


def test_tags_come_from_languages_and_ids() -> None:
    assert voice_tags(ESPEAK_OLD[1]) == ["de"]
    assert "de-de" in voice_tags(SAPI5_OLD[1])
    assert voice_tags(NSSS[1]) == ["de-de"]


# --- Iris's own voice: pyttsx3 ------------------------------------------------------------------
class FakeEngine:
    """A pyttsx3-like engine with the voices of one platform; records the voice of each file."""

    def __init__(self, voices: list[Any], default: str) -> None:
        self.voices, self.current = voices, default
        self.spoken: list[tuple[str, str]] = []

    def getProperty(self, name: str) -> Any:
        return {"voices": self.voices, "voice": self.current}[name]

    def setProperty(self, name: str, value: Any) -> None:
        if name == "voice":
            self.current = value

    def save_to_file(self, text: str, path: str) -> None:
        self.spoken.append((self.current, text))
        write_silence(Path(path), 0.01)

    def runAndWait(self) -> None:
        pass


@pytest.mark.parametrize(
    ("voices", "default", "german"),
    [
        (ESPEAK_NG, "gmw/en", "gmw/de"),
        (SAPI5, SAPI5[0].id, SAPI5[1].id),
        (NSSS, NSSS[0].id, NSSS[1].id),
    ],
)
def test_each_utterance_is_spoken_in_its_languages_voice(
    tmp_path: Path, voices: list[Any], default: str, german: str
) -> None:
    engine = FakeEngine(voices, default)
    synthesizer = Pyttsx3Synthesizer(SpeechSettings(), engine_factory=lambda: engine)
    said = (("de", "Guten Tag."), (None, "Done."), ("ja", "こんにちは"), ("de", "Ja."))
    for language, text in said:
        synthesizer.use_language(language)
        synthesizer.render(text, tmp_path / "out.wav")
    assert engine.spoken == [
        (german, "Guten Tag."),
        (default, "Done."),  # no language: the engine's own voice
        (default, "こんにちは"),  # no Japanese voice: the engine's own
        (german, "Ja."),
    ]


def test_the_voice_chosen_in_settings_wins(tmp_path: Path) -> None:
    engine = FakeEngine(ESPEAK_NG, "gmw/en")
    settings = SpeechSettings(voice="French")
    synthesizer = Pyttsx3Synthesizer(settings, engine_factory=lambda: engine)
    synthesizer.use_language("de")
    synthesizer.render("Guten Tag.", tmp_path / "out.wav")
    assert engine.spoken == [("roa/fr", "Guten Tag.")]
    assert synthesizer.voice == "roa/fr"


# --- the language travels with each utterance ---------------------------------------------------
class LanguageBackend:
    """Records the language set before each utterance."""

    def __init__(self) -> None:
        self.language: str | None = None
        self.spoken: list[tuple[str | None, str]] = []

    def use_language(self, language: str | None) -> None:
        self.language = language

    def speak(self, text: str, cancelled: threading.Event) -> None:
        self.spoken.append((self.language, text))

    def interrupt(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_messages_in_the_interface_language_answers_in_theirs() -> None:
    backend = LanguageBackend()
    make: Callable[[], LanguageBackend] = lambda: backend  # noqa: E731
    speaker = ThreadedSpeaker(make, language="fr")
    speaker.say("Description de l'écran.")  # Iris's own message: the interface's language
    stream = StreamingSpeech(speaker, language="de")
    stream.feed("Ein Fenster. Ein Kn")
    stream.feed("opf.")
    stream.finish()
    speaker.say("Terminé.")
    assert speaker.wait_idle(10)
    speaker.close()
    assert backend.spoken == [
        ("fr", "Description de l'écran."),
        ("de", "Ein Fenster."),
        ("de", "Ein Knopf."),
        ("fr", "Terminé."),
    ]


# --- the real espeak-ng -------------------------------------------------------------------------
def test_espeak_ng_speaks_german_with_its_german_voice(tmp_path: Path) -> None:
    synthesizer = Pyttsx3Synthesizer(SpeechSettings())
    try:
        synthesizer.use_language("de")
        assert synthesizer.voice == "gmw/de"
        path = tmp_path / "german.wav"
        synthesizer.render("Guten Tag. Das Fenster hat zwei Knöpfe.", path)
        engine: Any = synthesizer._engine  # the voice pyttsx3 itself reports
        assert engine.getProperty("voice") == "gmw/de"
        synthesizer.use_language("en")
        synthesizer.render("Done.", tmp_path / "english.wav")
        assert engine.getProperty("voice") == "gmw/en"
    finally:
        synthesizer.close()
    assert path.stat().st_size > 44
    if shutil.which("soxi"):
        seconds = subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True)
        assert float(seconds.stdout) > 0.5


def test_a_file_speaker_writes_the_answer_in_german_and_messages_in_english(
    tmp_path: Path,
) -> None:
    import pyttsx3

    speaker = create_speaker(SpeechSettings(), speak_to_files=tmp_path, language="en")
    assert isinstance(speaker, ThreadedSpeaker), speaker.problem
    try:
        speaker.say("Guten Tag. Das Fenster hat zwei Knöpfe.", language="de")
        assert speaker.wait_idle(30)
        engine = pyttsx3.init()  # the process's one espeak engine, as the speaker left it
        assert engine.getProperty("voice") == "gmw/de"
        speaker.say("Done.")
        assert speaker.wait_idle(30)
        assert engine.getProperty("voice") == "gmw/en"
    finally:
        speaker.close()
    assert speaker.problem is None
    files = sorted(tmp_path.glob("*.wav"))
    assert [path.name for path in files] == ["0001.wav", "0002.wav"]
    if shutil.which("soxi"):
        seconds = subprocess.run(["soxi", "-D", str(files[0])], capture_output=True, text=True)
        assert float(seconds.stdout) > 0.5
