"""Speech: sentence splitting, pyttsx3 to WAV files, stop, silent fallback, screen reader."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop_app.core import messages
from desktop_app.core import messages as new_messages
from desktop_app.core.errors import SpeechError
from desktop_app.settings import SpeechOutput, SpeechSettings
from desktop_app.speech import (
    SentenceSplitter,
    SilentSpeaker,
    SpeechDispatcherBackend,
    StreamingSpeech,
    SubprocessPlayer,
    ThreadedSpeaker,
    create_speaker,
)
from desktop_app.speech._audio import write_silence

LONG = (
    "This is a long sentence about the screen, which has a window with a toolbar, a list of "
    "messages from several people, a preview pane on the right and a status bar at the bottom. "
)


def _seconds(path: Path) -> float:
    with wave.open(str(path)) as audio:
        return audio.getnframes() / float(audio.getframerate())


def _split(pieces: list[str]) -> tuple[list[str], str | None]:
    splitter = SentenceSplitter()
    sentences = [sentence for piece in pieces for sentence in splitter.feed(piece)]
    return sentences, splitter.flush()


# --- SentenceSplitter ---------------------------------------------------------------------------
CASES = [
    ("Hello there. How are you?", ["Hello there."], "How are you?"),
    (
        "Dr. Smith came at 10:30. He paid 3.5 dollars, e.g. in coins! Was it enough? Yes",
        ["Dr. Smith came at 10:30.", "He paid 3.5 dollars, e.g. in coins!", "Was it enough?"],
        "Yes",
    ),
    (
        "Wait… Then it stopped... Finally it ended.",
        ["Wait…", "Then it stopped..."],
        "Finally it ended.",  # the end of the text may still be "ended.5"
    ),
    (
        "Steps:\n1. Open the file.\n2. Save it.\n\n- A bullet\n",
        ["Steps:", "1. Open the file.", "2. Save it.", "- A bullet"],
        None,
    ),
    ('He said "Stop." Then he left.', ['He said "Stop."'], "Then he left."),
    (
        "It costs approx. five dollars. J. R. R. Tolkien wrote it. End",
        ["It costs approx. five dollars.", "J. R. R. Tolkien wrote it."],
        "End",
    ),
    ("The U.S. flag is red. Next", ["The U.S. flag is red."], "Next"),
]


@pytest.mark.parametrize(("text", "expected", "rest"), CASES)
def test_splitter_gives_the_same_sentences_whatever_the_pieces(
    text: str, expected: list[str], rest: str | None
) -> None:
    whole = _split([text])
    by_char = _split(list(text))
    by_three = _split([text[i : i + 3] for i in range(0, len(text), 3)])
    assert whole == by_char == by_three == (expected, rest)


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
def test_splitter_pieces(pieces: list[str], sentences: list[str], rest: str | None) -> None:
    assert _split(pieces) == (sentences, rest)


def test_splitter_pieces_split_mid_word_and_mid_sentence() -> None:
    splitter = SentenceSplitter()
    assert splitter.feed("Hel") == []
    assert splitter.feed("lo the") == []
    assert splitter.feed("re. Ho") == ["Hello there."]
    assert splitter.feed("w are") == []
    assert splitter.feed(" you? I") == ["How are you?"]
    assert splitter.feed("'m fine. The value is 3.") == ["I'm fine."]
    assert splitter.feed("5 today") == []  # "3." then "5": a decimal, not an end
    assert splitter.flush() == "The value is 3.5 today"
    assert splitter.flush() is None
    assert splitter.feed("  \n\n ") == []
    assert splitter.flush() is None


def test_splitter_cuts_a_very_long_sentence_after_a_clause() -> None:
    splitter = SentenceSplitter(max_chars=60)
    text = "word " * 8 + "and then, " + "more words " * 10
    sentences = splitter.feed(text)
    assert sentences and all(len(sentence) <= 60 for sentence in sentences)
    assert sentences[0].endswith("then,")
    assert " ".join([*sentences, splitter.flush() or ""]).split() == text.split()


# --- fakes ----------------------------------------------------------------------------------------
class SilenceSynthesizer:
    """Writes silence lasting 10 ms per character; optionally fails or blocks."""

    def __init__(self, fail_on: int = 0, gate: threading.Event | None = None) -> None:
        self.fail_on = fail_on
        self.gate = gate
        self.rendered: list[str] = []
        self.entered = threading.Event()

    def render(self, text: str, path: Path) -> None:
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(10)
        self.rendered.append(text)
        if len(self.rendered) == self.fail_on:
            raise RuntimeError("synthesizer crashed")
        write_silence(path, 0.01 * len(text))

    def close(self) -> None:
        pass


class RecordingSpeaker(SilentSpeaker):
    def __init__(self) -> None:
        super().__init__()
        self.stops = 0

    def stop(self) -> None:
        self.stops += 1


# --- pyttsx3 writing WAV files ------------------------------------------------------------------
@pytest.fixture
def file_speaker(tmp_path: Path) -> Iterator[tuple[ThreadedSpeaker, Path]]:
    folder = tmp_path / "speech"
    speaker = create_speaker(SpeechSettings(), speak_to_files=folder)
    assert isinstance(speaker, ThreadedSpeaker), speaker.problem
    yield speaker, folder
    speaker.close()


def test_file_mode_writes_one_wav_per_utterance_in_order(
    file_speaker: tuple[ThreadedSpeaker, Path],
) -> None:
    speaker, folder = file_speaker
    for sentence in ["Short one.", LONG, "Short two."]:
        speaker.say(sentence)
    assert speaker.wait_idle(20)
    files = sorted(folder.glob("*.wav"))
    assert [path.name for path in files] == ["0001.wav", "0002.wav", "0003.wav"]
    durations = [_seconds(path) for path in files]
    assert all(seconds > 0.3 for seconds in durations), durations
    assert durations[1] > 3 * max(durations[0], durations[2]), durations  # in the order said
    if shutil.which("soxi"):
        soxi = subprocess.run(["soxi", "-D", str(files[1])], capture_output=True, text=True)
        assert float(soxi.stdout) == pytest.approx(durations[1], rel=0.01)
    assert not list(folder.glob(".*"))  # no partial files left behind


def test_first_sentence_is_spoken_before_the_answer_ends(
    file_speaker: tuple[ThreadedSpeaker, Path],
) -> None:
    speaker, folder = file_speaker
    stream = StreamingSpeech(speaker)
    for piece in ["The first", " sentence is", " here. The sec"]:
        stream.feed(piece)
    assert speaker.wait_idle(20)
    assert [path.name for path in sorted(folder.glob("*.wav"))] == ["0001.wav"]
    stream.feed("ond one")
    stream.finish()
    stream.feed("Ignored after the end.")
    assert speaker.wait_idle(20)
    assert [path.name for path in sorted(folder.glob("*.wav"))] == ["0001.wav", "0002.wav"]


def test_stop_drops_the_queue(file_speaker: tuple[ThreadedSpeaker, Path]) -> None:
    speaker, folder = file_speaker
    for _ in range(10):
        speaker.say(LONG * 3)
    start = time.monotonic()
    speaker.stop()
    assert speaker.wait_idle(5)
    assert time.monotonic() - start < 2
    assert len(list(folder.glob("*.wav"))) < 10
    speaker.say("Still speaking after stop.", interrupt=True)
    assert speaker.wait_idle(20)
    assert speaker.problem is None


def test_stop_while_rendering_writes_nothing(tmp_path: Path) -> None:
    gate = threading.Event()
    synthesizer = SilenceSynthesizer(gate=gate)
    speaker = create_speaker(
        SpeechSettings(), speak_to_files=tmp_path, synthesizer_factory=lambda _: synthesizer
    )
    for number in range(10):
        speaker.say(f"Sentence {number}.")
    assert synthesizer.entered.wait(10)
    speaker.stop()
    gate.set()
    assert speaker.wait_idle(10)
    speaker.close()
    assert synthesizer.rendered == ["Sentence 0."]
    assert list(tmp_path.glob("*.wav")) == []


# --- live playback --------------------------------------------------------------------------------
def test_stop_kills_the_player_at_once(tmp_path: Path) -> None:
    player = SubprocessPlayer([sys.executable, "-c", "import time; time.sleep(60)"])
    cancelled = threading.Event()
    worker = threading.Thread(target=player.deliver, args=(tmp_path / "x.wav", cancelled))
    worker.start()
    cancelled.set()
    player.interrupt()
    worker.join(10)
    assert not worker.is_alive()


def test_a_player_that_exits_marks_the_end_and_a_failing_one_goes_silent(tmp_path: Path) -> None:
    def speaker_with(command: list[str]) -> ThreadedSpeaker | SilentSpeaker:
        return create_speaker(  # type: ignore[return-value]
            SpeechSettings(),
            synthesizer_factory=lambda _: SilenceSynthesizer(),
            output_factory=lambda: SubprocessPlayer(command),
            detect=lambda: None,
        )

    working = speaker_with([sys.executable, "-c", "pass"])
    assert working.problem is None
    working.say("Hello.")
    assert working.wait_idle(10)
    working.close()
    failing = speaker_with([sys.executable, "-c", "import sys; sys.exit('no sound card')"])
    assert isinstance(failing, SilentSpeaker)
    assert failing.problem == new_messages.SPEECH_NO_SOUND.format(reason="no sound card")


def test_pyttsx3_plays_through_aplay(tmp_path: Path) -> None:
    """A null ALSA device stands in for a sound card."""
    assert shutil.which("aplay"), "needs aplay (alsa-utils); ./test.sh installs it"
    (tmp_path / ".asoundrc").write_text("pcm.!default { type null }\n")
    env = {**os.environ, "HOME": str(tmp_path)}
    speaker = create_speaker(
        SpeechSettings(rate_wpm=300, volume=0.5),
        output_factory=lambda: SubprocessPlayer(["aplay", "-q"], env=env),
        detect=lambda: None,
    )
    assert isinstance(speaker, ThreadedSpeaker), speaker.problem
    speaker.say("Describing the screen.", interrupt=True)
    speaker.say("Model loading, 40 percent.")
    assert speaker.wait_idle(20)
    assert speaker.problem is None
    speaker.close()


# --- the silent fallback ------------------------------------------------------------------------
def test_an_engine_that_cannot_start_gives_a_silent_speaker_with_a_problem(tmp_path: Path) -> None:
    def broken(_: SpeechSettings) -> SilenceSynthesizer:
        raise RuntimeError("no audio engine here")

    speaker = create_speaker(SpeechSettings(), speak_to_files=tmp_path, synthesizer_factory=broken)
    assert isinstance(speaker, SilentSpeaker)
    assert speaker.problem == new_messages.SPEECH_ENGINE_NOT_STARTED.format(
        reason="no audio engine here"
    )
    speaker.say("Nothing happens.", interrupt=True)
    speaker.stop()
    assert speaker.wait_idle(0)
    speaker.close()


def test_an_engine_that_crashes_mid_answer_goes_silent(tmp_path: Path) -> None:
    synthesizer = SilenceSynthesizer(fail_on=2)
    speaker = create_speaker(
        SpeechSettings(), speak_to_files=tmp_path, synthesizer_factory=lambda _: synthesizer
    )
    assert speaker.problem is None
    for number in range(5):
        speaker.say(f"Sentence {number}.")
    assert speaker.wait_idle(10)
    assert speaker.problem == messages.SPEECH_ENGINE_FAILED.format(reason="synthesizer crashed")
    speaker.say("After the crash.")
    speaker.stop()
    assert speaker.wait_idle(1)
    speaker.close()
    assert [path.name for path in tmp_path.glob("*.wav")] == ["0001.wav"]


def test_no_player_and_unwritable_folder_are_problems(tmp_path: Path) -> None:
    def no_player() -> SubprocessPlayer:
        raise SpeechError(messages.SPEECH_NO_AUDIO_PLAYER)

    speaker = create_speaker(SpeechSettings(), output_factory=no_player, detect=lambda: None)
    assert speaker.problem == messages.SPEECH_NO_AUDIO_PLAYER
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    speaker = create_speaker(SpeechSettings(), speak_to_files=blocker / "speech")
    assert speaker.problem is not None and str(blocker) in speaker.problem


def test_disabled_speech_is_silent_without_a_problem() -> None:
    speaker = create_speaker(SpeechSettings(enabled=False))
    assert isinstance(speaker, SilentSpeaker) and speaker.problem is None
    speaker.say("Hello.")
    assert speaker.said == ["Hello."]


def test_cancel_silences_the_stream_and_ignores_later_pieces() -> None:
    speaker = RecordingSpeaker()
    stream = StreamingSpeech(speaker)
    stream.feed("One. Two")
    stream.cancel()
    stream.feed(" three. Four. ")
    stream.finish()
    assert speaker.said == ["One."] and speaker.stops == 1


def test_importing_speech_does_not_import_pyttsx3() -> None:
    code = "import sys, desktop_app.speech; assert 'pyttsx3' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# --- screen reader hand-off ---------------------------------------------------------------------
def test_screen_reader_missing_falls_back_to_iris_voice(tmp_path: Path) -> None:
    def no_screen_reader(name: str) -> SpeechDispatcherBackend:
        raise SpeechError("no screen reader")

    played = SubprocessPlayer([sys.executable, "-c", "pass"])
    speaker = create_speaker(
        SpeechSettings(output=SpeechOutput.SCREEN_READER),
        synthesizer_factory=lambda _: SilenceSynthesizer(),
        output_factory=lambda: played,
        screen_reader_factory=no_screen_reader,
        detect=lambda: None,
        platform="linux",
    )
    assert isinstance(speaker, ThreadedSpeaker) and speaker.problem is None
    assert speaker.route.own_voice and speaker.route.detail == "no screen reader"
    speaker.close()


@pytest.fixture
def speech_dispatcher_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private speech-dispatcher: espeak-ng module, ALSA output to a null device."""
    if not shutil.which("speech-dispatcher"):
        pytest.fail(
            "needs speech-dispatcher and speech-dispatcher-espeak-ng; ./test.sh installs them"
        )
    home, runtime = tmp_path / "home", tmp_path / "run"
    config = home / ".config" / "speech-dispatcher"
    config.mkdir(parents=True)
    runtime.mkdir(mode=0o700)
    (home / ".asoundrc").write_text("pcm.!default { type null }\n")
    (config / "speechd.conf").write_text(
        'AudioOutputMethod "alsa"\nAddModule "espeak-ng" "sd_espeak-ng" "espeak-ng.conf"\n'
        "DefaultModule espeak-ng\nTimeout 2\n"
    )
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_CONFIG_HOME": str(home / ".config"),
    }
    yield env
    pid_file = runtime / "speech-dispatcher" / "pid" / "speech-dispatcher.pid"
    if pid_file.exists():  # the daemon started for this test
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGTERM)


def test_speech_dispatcher_hand_off(speech_dispatcher_env: dict[str, str]) -> None:
    speaker = ThreadedSpeaker(lambda: SpeechDispatcherBackend(env=speech_dispatcher_env))
    assert speaker.problem is None
    speaker.say("Describing the screen.")
    speaker.say("-Text that starts with a dash.")
    assert speaker.wait_idle(30)
    speaker.say(LONG)
    speaker.stop()
    assert speaker.wait_idle(10)
    assert speaker.problem is None
    speaker.close()


def test_speech_dispatcher_absent_is_a_speech_error(tmp_path: Path) -> None:
    """No daemon listening, none to start: the hand-off cannot start."""
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)}
    env.pop("SPEECHD_ADDRESS", None)
    with pytest.raises(SpeechError, match="no-such-speech-dispatcher is not installed"):
        SpeechDispatcherBackend(command="no-such-speech-dispatcher", env=env)


# --- a pyttsx3-like engine passed in ------------------------------------------------------------
def test_missing_engine_library_falls_back_to_silence(tmp_path: Path) -> None:
    def no_engine() -> object:
        raise OSError("libespeak-ng.so.1: cannot open shared object file")

    speaker = create_speaker(SpeechSettings(), speak_to_files=tmp_path, engine_factory=no_engine)
    speaker.say("Nobody hears this.")
    assert speaker.wait_idle(10)
    assert speaker.problem is not None and "libespeak" in speaker.problem
    assert list(tmp_path.glob("*.wav")) == []
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
    speaker.say("One.")
    speaker.say("Two.")
    assert speaker.wait_idle(10)
    assert speaker.problem is not None and "driver crashed" in speaker.problem
    speaker.close()


def test_an_engine_that_writes_after_run_and_wait_returns_is_waited_for(tmp_path: Path) -> None:
    """pyttsx3's espeak driver: a new engine's first runAndWait returns before the file exists."""

    class LateWriter:
        def __init__(self) -> None:
            self.callbacks: dict[str, list[Callable[..., None]]] = {}
            self.path = ""

        def connect(self, topic: str, callback: Callable[..., None]) -> dict[str, object]:
            self.callbacks.setdefault(topic, []).append(callback)
            return {"topic": topic, "cb": callback}

        def disconnect(self, token: dict[str, object]) -> None:
            self.callbacks[str(token["topic"])].remove(token["cb"])

        def setProperty(self, name: str, value: object) -> None:
            pass

        def save_to_file(self, text: str, path: str) -> None:
            self.path = path

        def runAndWait(self) -> None:
            returned = threading.Event()

            def synthesise(path: Path) -> None:
                assert returned.wait(10)
                write_silence(path, 0.2)
                for callback in self.callbacks.get("finished-utterance", []):
                    callback(name=None, completed=True)

            for callback in self.callbacks.get("started-utterance", []):
                callback(name=None)
            threading.Thread(target=synthesise, args=(Path(self.path),)).start()
            returned.set()

    speaker = create_speaker(SpeechSettings(), speak_to_files=tmp_path, engine_factory=LateWriter)
    speaker.say("One.")
    speaker.say("Two.")
    assert speaker.wait_idle(10)
    assert speaker.problem is None
    assert [_seconds(path) for path in sorted(tmp_path.glob("*.wav"))] == [0.2, 0.2]
    speaker.close()
