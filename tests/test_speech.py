"""Speech: sentences as they stream, real WAV files from pyttsx3, stop, silent fallback."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from desktop_app.settings import SpeechSettings
from desktop_app.speech import SentenceSplitter, SilentSpeaker, StreamingSpeech, create_speaker


def _seconds(path: Path) -> float:
    with wave.open(str(path)) as audio:
        return audio.getnframes() / float(audio.getframerate())


@pytest.mark.parametrize(
    ("pieces", "sentences", "rest"),
    [
        (["Hello wor", "ld. How are", " you? Fine"], ["Hello world.", "How are you?"], "Fine"),
        (["It costs 3", ".50 euros. Ok"], ["It costs 3.50 euros."], "Ok"),
        (["See e.g. the Dr. Who page! Then"], ["See e.g. the Dr. Who page!"], "Then"),
        (["A title\nA line.", " "], ["A title", "A line."], None),
        (["Wait… ", "what?\n"], ["Wait…", "what?"], None),
    ],
)
def test_splitter(pieces: list[str], sentences: list[str], rest: str | None) -> None:
    splitter = SentenceSplitter()
    found = [sentence for piece in pieces for sentence in splitter.feed(piece)]
    assert found == sentences
    assert splitter.flush() == rest


def test_files_one_real_wav_per_sentence_in_order(tmp_path: Path) -> None:
    speaker = create_speaker(SpeechSettings(), speak_to_files=tmp_path)
    try:
        for text in ("First sentence.", "Second, a little longer sentence.", "Third."):
            speaker.say(text)
        assert speaker.wait_idle(60)
        files = sorted(tmp_path.glob("*.wav"))
        assert [f.name for f in files] == ["0001.wav", "0002.wav", "0003.wav"]
        durations = [_seconds(f) for f in files]
        assert all(d > 0.2 for d in durations)
        assert durations[1] > durations[2]
        assert speaker.problem is None
    finally:
        speaker.close()


def test_first_sentence_is_spoken_before_the_answer_ends(tmp_path: Path) -> None:
    speaker = create_speaker(SpeechSettings(), speak_to_files=tmp_path)
    try:
        stream = StreamingSpeech(speaker)
        stream.feed("The window shows a login form. It asks for a pass")
        assert speaker.wait_idle(60)
        assert [f.name for f in tmp_path.glob("*.wav")] == ["0001.wav"]
        stream.feed("word.")
        stream.finish()
        assert speaker.wait_idle(60)
        assert len(list(tmp_path.glob("*.wav"))) == 2
    finally:
        speaker.close()


def test_stop_drops_the_queue(tmp_path: Path) -> None:
    speaker = create_speaker(SpeechSettings(), speak_to_files=tmp_path)
    try:
        for index in range(10):
            speaker.say(f"This is long sentence number {index}, written to be spoken slowly.")
        speaker.stop()
        assert speaker.wait_idle(30)
        assert len(list(tmp_path.glob("*.wav"))) < 10
        speaker.say("After the stop.")
        assert speaker.wait_idle(30)
        assert sorted(tmp_path.glob("*.wav"))[-1].stat().st_size > 0
    finally:
        speaker.close()


def test_missing_engine_falls_back_to_silence(tmp_path: Path) -> None:
    def no_engine() -> object:
        raise OSError("libespeak-ng.so.1: cannot open shared object file")

    speaker = create_speaker(SpeechSettings(), speak_to_files=tmp_path, engine_factory=no_engine)
    try:
        speaker.say("Nobody hears this.")
        assert speaker.wait_idle(10)
        assert speaker.problem is not None and "libespeak" in speaker.problem
        assert list(tmp_path.glob("*.wav")) == []
    finally:
        speaker.close()


def test_engine_crash_mid_utterance_goes_silent(tmp_path: Path) -> None:
    class Crashing:
        def setProperty(self, name: str, value: object) -> None:
            pass

        def save_to_file(self, text: str, path: str) -> None:
            raise RuntimeError("driver crashed")

        def runAndWait(self) -> None:
            pass

    speaker = create_speaker(SpeechSettings(), speak_to_files=tmp_path, engine_factory=Crashing)
    try:
        speaker.say("One.")
        speaker.say("Two.")
        assert speaker.wait_idle(10)
        assert speaker.problem is not None and "driver crashed" in speaker.problem
    finally:
        speaker.close()


def test_disabled_speech_is_silent_without_a_problem() -> None:
    speaker = create_speaker(SpeechSettings(enabled=False))
    assert isinstance(speaker, SilentSpeaker) and speaker.problem is None
