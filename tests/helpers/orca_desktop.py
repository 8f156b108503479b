"""The real Orca screen reader on a private headless desktop, for tests.

`orca_desktop(tmp_path)` starts, each in its own process group, with private XDG folders:
Xvfb (a free display), a session D-Bus, openbox, PulseAudio with two null sinks (`orca_sink`,
the default, and `iris_sink`), speech-dispatcher (espeak-ng, its sound on `orca_sink`, every
SSIP exchange logged with the client's name) and Orca, and waits until Orca has said "Screen
reader on.". Everything is stopped at the end, even on failure: each process group, then any
process still carrying this desktop's tag in its environment (what D-Bus or a client spawned).

Use the module-scoped fixture `orca_desktop` (tests/desktop/conftest.py imports it), or the context
manager here for a desktop of one's own. What a test does and reads back:
- `env` / `iris_env()` for its programs, `start(name, argv)` to run one that is stopped at
  teardown, `start_other_program(title)` for a focused GTK window ("Notes", other_program.py);
- keys: `press("ctrl+Home Down")`, `type_text(...)` (xdotool); `active_window_name()`/`_id()`,
  `wait_for_active_window(title)`, `activate(window)`;
- Orca's speech, from its debug file (`SPEECH OUTPUT: '...'` lines): `mark()`,
  `spoken_since(mark)`, `utterances_since(mark)` (with times), `wait_for_speech(...)`;
- what speech-dispatcher was asked to say, and by which client (`*:Orca:*`, `*:iris:*`):
  `speechd_messages_since(mark)`, `wait_for_speechd(...)`;
- the sound on each sink (both are recorded all along): `record_voices()`, then `.overlap()`
  (seconds when both voices sound at once), `wait_for_silence()`.
Nothing sleeps blindly: every wait polls a file or the display against a deadline.

Orca is /usr/bin/orca run through a small launcher (`ORCA_LAUNCHER`) that changes two things:
its debug file is line buffered (Orca's own `open(..., 'w')` holds up to 8 KiB back), and it
neither kills nor gives way to other Orcas of the same user (`orca --replace` SIGKILLs every
process named `orca` of the uid machine-wide, and without it Orca refuses to start while one
runs; tests on a shared machine would kill each other's). Its process name stays `orca`, as
screen-reader detection (Iris's among them) looks for it; an `orca --replace` run elsewhere on
the machine kills it, so a test fails rather than disturbing someone's own Orca.

Iris's own voice (aplay, else paplay) goes to `iris_sink` with `iris_env()` (PULSE_SINK): the
`pulseaudio` package's ALSA hook (/usr/share/alsa/alsa.conf.d/pulse.conf, with the pulse plugin
from libasound2-plugins) makes ALSA's default device PulseAudio whenever a server answers.

Pitfalls met: Orca's SIGTERM handler waits for its main loop to wake (often for ever), so it is
SIGKILLed; Unix socket paths are limited to 107 bytes, so XDG_RUNTIME_DIR is a short folder
under /tmp, not under tmp_path; a fresh null sink renders its first 2 s block before its
monitor yields anything, so the first `record_voices` may wait up to 2 s after the start.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import wave
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest

SYSTEM_PYTHON = "/usr/bin/python3"
OTHER_PROGRAM = Path(__file__).with_name("other_program.py")
ORCA_SINK, IRIS_SINK = "orca_sink", "iris_sink"
TAG_VARIABLE = "ORCA_DESKTOP_TAG"
START_TIMEOUT_S = 60.0
RECORD_RATE = 16000
"""Sample rate of `record_voices` (mono s16le)."""
FRAME_S, THRESHOLD = 0.01, 300.0
"""Sound is measured in 10 ms frames; a frame sounds when its RMS is above 300 (of 32768,
about -41 dBFS); the recordings are otherwise exact zeros."""

ORCA_LAUNCHER = r"""
import ctypes, functools, runpy, sys
script = runpy.run_path("/usr/bin/orca", run_name="orca_harness")
namespace = script["main"].__globals__
namespace["open"] = functools.partial(open, buffering=1)
namespace["otherOrcas"] = lambda: []
def set_process_name(name):
    sys.argv[0] = name
    ctypes.CDLL(None).prctl(15, b"orca", 0, 0, 0)
    return True
namespace["setProcessName"] = set_process_name
sys.argv = ["orca", *sys.argv[1:]]
sys.exit(namespace["main"]())
"""
"""Runs /usr/bin/orca's main() with a line-buffered debug file, alone among other Orcas."""

_ORCA_RECORD = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{6}) - ")
_ORCA_SPEECH = re.compile(
    r"^SPEECH OUTPUT: '(?P<text>.*?)'(?: voice=\S+)?\s*(?:\{.*\})?\s*$", re.DOTALL
)
_SPEECHD_RECORD = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4}) : (\d+)\] speechd: *")
_SPEECHD_START = re.compile(rb"^\[\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4} : \d+\] speechd:", re.M)
_SPEECHD_DATA = re.compile(r"^(\d+):DATA:\|(.*)\| \(\d+\)$", re.DOTALL)


def skip_unless_orca() -> None:
    """Skip the calling test when Orca is not installed (./test.sh installs it as root)."""
    if shutil.which("orca") is None:
        pytest.skip("Orca is not installed (./test.sh installs orca and its desktop as root)")


@dataclass(frozen=True)
class Mark:
    """A point in the logs; `since=mark` reads what came after it."""

    orca_offset: int
    speechd_offset: int
    time: float


@dataclass(frozen=True)
class Utterance:
    """One `SPEECH OUTPUT` of Orca: when (epoch seconds) and what."""

    time: float
    text: str


@dataclass(frozen=True)
class SpeechdMessage:
    """One message a client gave speech-dispatcher (SPEAK, CHAR, KEY or SOUND_ICON)."""

    time: float
    client: str
    """The client's full name, `user:application:component` (`root:iris:main`)."""
    text: str
    """What was said, as plain text (SSML markup, as Orca sends, removed)."""
    kind: str = "speak"
    offset: int = 0
    raw: str = ""
    """The text as the client sent it."""

    @property
    def application(self) -> str:
        """The middle part of the client's name: `Orca`, `iris`..."""
        parts = self.client.split(":")
        return parts[1] if len(parts) == 3 else self.client


@dataclass(frozen=True)
class Overlap:
    """Seconds of sound on each sink, and when both sounded at once, over `duration_s`."""

    both_s: float
    orca_s: float
    iris_s: float
    duration_s: float


@dataclass
class VoiceRecording:
    """A stretch of both sinks' recordings (mono s16le at `rate`), from `record_voices`.

    Both sinks are recorded from the desktop's start to its end; a recording is a pair of
    byte offsets in those files, taken at the same moment, so the two stay aligned."""

    orca_raw: Path
    iris_raw: Path
    orca_start: int
    iris_start: int
    orca_end: int | None = None
    """None while the block runs: up to what is recorded so far."""
    iris_end: int | None = None
    rate: int = RECORD_RATE

    def samples(self) -> tuple[bytes, bytes]:
        """The two recordings on one timeline, the same length."""
        orca = _read(self.orca_raw, self.orca_start, self.orca_end)
        iris = _read(self.iris_raw, self.iris_start, self.iris_end)
        length = min(len(orca), len(iris)) // 2 * 2
        return orca[:length], iris[:length]

    def overlap(self, threshold: float = THRESHOLD, frame_s: float = FRAME_S) -> Overlap:
        """`voice_overlap` of the two recordings."""
        orca, iris = self.samples()
        return voice_overlap(orca, iris, self.rate, threshold, frame_s)

    def sound_s(self, sink: str, threshold: float = THRESHOLD) -> float:
        """Seconds of sound recorded so far on `sink` (ORCA_SINK or IRIS_SINK)."""
        raw = self.samples()[0 if sink == ORCA_SINK else 1]
        return sum(sounding_frames(raw, self.rate, threshold, FRAME_S)) * FRAME_S

    def wait_for_sound(self, sink: str, seconds: float = 0.2, timeout: float = 15.0) -> None:
        """Wait until `sink` has sounded for `seconds` in all since the recording began."""
        _poll(lambda: self.sound_s(sink) >= seconds, timeout, f"{seconds} s of sound on {sink}")

    def wait_for_silence(self, quiet_s: float = 0.5, timeout: float = 30.0) -> None:
        """Wait until both sinks have been silent for the last `quiet_s` seconds."""

        def quiet() -> bool:
            frames = round(quiet_s / FRAME_S)
            for raw in self.samples():
                sounding = sounding_frames(raw, self.rate, THRESHOLD, FRAME_S)
                if len(sounding) < frames or any(sounding[-frames:]):
                    return False
            return True

        _poll(quiet, timeout, f"{quiet_s} s of silence on both sinks")


def sounding_frames(raw: bytes, rate: int, threshold: float, frame_s: float) -> list[bool]:
    """For each `frame_s` frame of mono s16le `raw`: is its RMS above `threshold`?"""
    import numpy as np

    size = max(1, round(rate * frame_s))
    samples = np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2").astype(np.float64)
    count = len(samples) // size
    frames = samples[: count * size].reshape(count, size)
    rms = np.sqrt((frames**2).mean(axis=1)) if count else np.zeros(0)
    return [bool(value) for value in rms > threshold]


def voice_overlap(
    orca: bytes, iris: bytes, rate: int = RECORD_RATE, threshold: float = THRESHOLD,
    frame_s: float = FRAME_S,
) -> Overlap:  # fmt: skip
    """Seconds when both mono s16le recordings (aligned, at `rate`) sound at once, in
    `frame_s` frames whose RMS is above `threshold` (of 32768), and seconds of sound in each."""
    a = sounding_frames(orca, rate, threshold, frame_s)
    b = sounding_frames(iris, rate, threshold, frame_s)
    common = min(len(a), len(b))
    both = sum(1 for i in range(common) if a[i] and b[i])
    return Overlap(
        both_s=both * frame_s, orca_s=sum(a) * frame_s, iris_s=sum(b) * frame_s,
        duration_s=common * frame_s,
    )  # fmt: skip


def write_tone(path: Path, seconds: float, frequency: float = 440.0, rate: int = 22050) -> Path:
    """A sine tone WAV (16-bit mono, half full scale), to play on a sink."""
    import numpy as np

    t = np.arange(round(seconds * rate)) / rate
    samples = (16000 * np.sin(2 * np.pi * frequency * t)).astype("<i2")
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        audio.writeframes(samples.tobytes())
    return path


def parse_orca_speech(text: str, day: datetime) -> list[tuple[int, Utterance]]:
    """(character offset, Utterance) for each `SPEECH OUTPUT` record in Orca's debug `text`;
    its `HH:MM:SS.ffffff` stamps are local times on `day` (or the next day, past midnight)."""
    found: list[tuple[int, Utterance]] = []
    record: list[str] = []
    start = 0
    position = 0

    def finish() -> None:
        if not record:
            return
        stamp = _ORCA_RECORD.match(record[0])
        assert stamp is not None
        body = "\n".join([record[0][stamp.end() :], *record[1:]])
        speech = _ORCA_SPEECH.match(body) or _ORCA_SPEECH.match(record[0][stamp.end() :])
        if speech is not None:
            hours, minutes, seconds, micro = (int(part) for part in stamp.groups())
            when = day.replace(hour=hours, minute=minutes, second=seconds, microsecond=micro)
            if when < day - timedelta(minutes=1):
                when += timedelta(days=1)
            found.append((start, Utterance(when.timestamp(), speech.group("text").strip())))
        record.clear()

    for line in text.splitlines(keepends=True):
        content = line.rstrip("\n")
        if _ORCA_RECORD.match(content):
            finish()
            record.append(content)
            start = position
        elif record and content.startswith(" " * 18):
            record.append(content[18:])
        else:
            finish()
        position += len(line)
    finish()
    return found


class SpeechdProtocol:
    """Reads speech-dispatcher's protocol log (`CustomLogFile "protocol"`) as it grows: the
    messages, each with its client's name (from `SET SELF CLIENT_NAME` on the same connection)
    and byte offset. Each call reads only what was added; the newest record waits for the next
    one (speech-dispatcher logs its reply right after), as it may not be complete yet."""

    def __init__(self) -> None:
        self.offset = 0
        self.messages: list[SpeechdMessage] = []
        self._clients: dict[str, str] = {}
        self._speaking: dict[str, list[str]] = {}

    def read(self, path: Path) -> list[SpeechdMessage]:
        """All the messages so far in the log at `path`."""
        with open(path, "rb") as stream:
            stream.seek(self.offset)
            data = stream.read()
        starts = [found.start() for found in _SPEECHD_START.finditer(data)]
        if len(starts) > 1:
            self.feed(data[: starts[-1]])
        return self.messages

    def feed(self, data: bytes) -> None:
        """Parse `data`, whole records that follow what was fed before."""
        records: list[tuple[int, float, str]] = []
        position = self.offset
        for line in data.splitlines(keepends=True):
            decoded = line.decode("utf-8", "replace").rstrip("\n")
            stamp = _SPEECHD_RECORD.match(decoded)
            if stamp is not None:
                local = time.strptime(" ".join(stamp.group(1).split()), "%a %b %d %H:%M:%S %Y")
                when = time.mktime(local) + int(stamp.group(2)) / 1e6
                records.append((position, when, decoded[stamp.end() :]))
            elif records:
                offset, when, body = records[-1]
                records[-1] = (offset, when, body + "\n" + decoded)
            position += len(line)
        self.offset = position
        for offset, when, body in records:
            exchange = _SPEECHD_DATA.match(body)
            if exchange is not None:
                fd, payload = exchange.groups()
                self._data(fd, payload, when, offset)

    def _data(self, fd: str, payload: str, when: float, offset: int) -> None:
        lines = payload.replace("\r", "").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for ssip in lines:
            client = self._clients.get(fd, f"fd{fd}")
            if fd in self._speaking:
                if ssip == ".":
                    said = "\n".join(self._speaking.pop(fd))
                    plain = _plain(said)
                    self.messages.append(SpeechdMessage(when, client, plain, "speak", offset, said))
                else:
                    self._speaking[fd].append(ssip[1:] if ssip.startswith("..") else ssip)
                continue
            command, _, argument = ssip.partition(" ")
            verb = command.upper()
            if verb == "SET" and argument.upper().startswith("SELF CLIENT_NAME "):
                self._clients[fd] = argument.split(" ", 2)[2].strip().strip('"')
            elif verb == "SPEAK":
                self._speaking[fd] = []
            elif verb in ("CHAR", "KEY", "SOUND_ICON"):
                kind = verb.lower()
                self.messages.append(SpeechdMessage(when, client, argument, kind, offset, argument))
            elif verb == "QUIT":
                self._clients.pop(fd, None)


def parse_speechd_protocol(data: bytes) -> list[SpeechdMessage]:
    """The messages in a whole protocol log (see `SpeechdProtocol`)."""
    reader = SpeechdProtocol()
    reader.feed(data)
    return reader.messages


def _plain(text: str) -> str:
    """SSML (`<speak>...</speak>`, as Orca sends) as plain text; other text as it is."""
    if not text.lstrip().startswith("<speak"):
        return text
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def _matcher(match: str | Callable[[str], bool]) -> Callable[[str], bool]:
    if callable(match):
        return match
    return lambda text: match in text


def _poll(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` every 50 ms until true; TimeoutError naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.05)


class _TitleNotSpoken(TimeoutError):
    """Orca said nothing of a window that became active."""


@dataclass(frozen=True)
class OtherProgram:
    """A window of `start_other_program`: its title, X window id and process."""

    title: str
    window: int
    popen: subprocess.Popen[bytes]


@dataclass
class _Process:
    name: str
    popen: subprocess.Popen[bytes]
    grace: float = 5.0


@dataclass
class OrcaDesktop:
    """A running private desktop with Orca; see the module's docstring."""

    root: Path
    runtime: Path
    tag: str = field(default_factory=lambda: uuid.uuid4().hex)
    env: dict[str, str] = field(default_factory=dict)
    """The environment for programs on this desktop (DISPLAY, D-Bus, XDG folders, PulseAudio,
    speech-dispatcher, Qt on xcb with its accessibility bridge always on)."""
    display: str = ""
    started_at: datetime = field(default_factory=datetime.now)
    startup_s: dict[str, float] = field(default_factory=dict)
    """Seconds each part took to start (`orca` is from its launch to "Screen reader on.")."""
    processes: list[_Process] = field(default_factory=list)
    recorders: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    """parec of each sink's monitor, from the start to the end (logs/SINK.raw)."""
    _speechd: SpeechdProtocol = field(default_factory=SpeechdProtocol)

    # -- paths -------------------------------------------------------------------------------
    @property
    def logs(self) -> Path:
        """Every process's output and log files."""
        return self.root / "logs"

    @property
    def orca_debug(self) -> Path:
        """Orca's debug file (`--debug-file`, all levels)."""
        return self.logs / "orca-debug.txt"

    @property
    def speechd_protocol(self) -> Path:
        """speech-dispatcher's protocol log: every SSIP line, each client's file descriptor."""
        return self.logs / "speechd-protocol.log"

    @property
    def speechd_socket(self) -> Path:
        """speech-dispatcher's socket (also in env as SPEECHD_ADDRESS)."""
        return self.runtime / "speech-dispatcher" / "speechd.sock"

    def iris_env(self, **extra: str) -> dict[str, str]:
        """`env` for Iris: its own voice (aplay/paplay) goes to `iris_sink`; plus `extra`."""
        return {**self.env, "PULSE_SINK": IRIS_SINK, **extra}

    # -- reading speech back -----------------------------------------------------------------
    def mark(self) -> Mark:
        """Now, in both logs."""
        return Mark(_size(self.orca_debug), _size(self.speechd_protocol), time.time())

    def utterances_since(self, mark: Mark | None = None) -> list[Utterance]:
        """Orca's SPEECH OUTPUT since `mark` (since Orca started if None), in order."""
        offset = mark.orca_offset if mark is not None else 0
        with open(self.orca_debug, "rb") as stream:
            stream.seek(offset)
            data = stream.read()
        complete = data[: data.rfind(b"\n") + 1].decode("utf-8", "replace")
        return [said for _, said in parse_orca_speech(complete, self.started_at)]

    def spoken_since(self, mark: Mark | None = None) -> list[str]:
        """The texts of `utterances_since(mark)`."""
        return [said.text for said in self.utterances_since(mark)]

    def wait_for_speech(
        self, match: str | Callable[[str], bool], since: Mark | None = None,
        timeout: float = 15.0,
    ) -> str:  # fmt: skip
        """The first text Orca spoke since `since` that contains `match` (or satisfies it);
        TimeoutError listing what Orca did say."""
        wanted = _matcher(match)
        found: list[str] = []

        def spoken() -> bool:
            found[:] = [text for text in self.spoken_since(since) if wanted(text)]
            return bool(found)

        try:
            _poll(spoken, timeout, f"Orca did not say {match!r}")
        except TimeoutError as error:
            raise TimeoutError(f"{error}; it said {self.spoken_since(since)!r}") from None
        return found[0]

    def speechd_messages_since(self, mark: Mark | None = None) -> list[SpeechdMessage]:
        """What clients gave speech-dispatcher since `mark` (all if None), in order."""
        offset = mark.speechd_offset if mark is not None else 0
        messages = self._speechd.read(self.speechd_protocol)
        return [message for message in messages if message.offset >= offset]

    def wait_for_speechd(
        self, match: str | Callable[[str], bool], since: Mark | None = None,
        application: str | None = None, timeout: float = 15.0,
    ) -> SpeechdMessage:  # fmt: skip
        """The first message since `since` (from `application`, e.g. "iris", if given) whose
        text contains `match` (or satisfies it); TimeoutError listing what came."""
        wanted = _matcher(match)
        found: list[SpeechdMessage] = []

        def arrived() -> bool:
            found[:] = [
                m for m in self.speechd_messages_since(since)
                if wanted(m.text) and application in (None, m.application)
            ]  # fmt: skip
            return bool(found)

        try:
            _poll(arrived, timeout, f"speech-dispatcher got no {match!r} from {application}")
        except TimeoutError as error:
            came = [(m.application, m.text) for m in self.speechd_messages_since(since)]
            log = self.log_tail(application) if application else ""
            raise TimeoutError(f"{error}; it got {came!r}{log}") from None
        return found[0]

    def log_tail(self, name: str, lines: int = 30) -> str:
        """The last `lines` of the program `name`'s log (see `start`), for a failure's message."""
        path = self.logs / f"{name}.log"
        if not path.exists():
            return ""
        tail = path.read_text(errors="replace").splitlines()[-lines:]
        return "\n--- {} (last {} lines) ---\n{}".format(path.name, len(tail), "\n".join(tail))

    def wait_until(
        self, condition: Callable[[], bool], timeout: float = 15.0, what: str = "condition"
    ) -> None:
        """Poll `condition` every 50 ms until it is true; TimeoutError naming `what`."""
        _poll(condition, timeout, what)

    # -- keyboard and windows ----------------------------------------------------------------
    def xdotool(self, *arguments: str) -> str:
        """Run xdotool on this display; its output, stripped."""
        done = subprocess.run(
            ["xdotool", *arguments], env=self.env, capture_output=True, text=True, timeout=30,
            check=True,
        )  # fmt: skip
        return done.stdout.strip()

    def press(self, keys: str | Sequence[str]) -> None:
        """Press keys as a user would (`"ctrl+Home Down"` or a list), modifiers cleared."""
        names = keys.split() if isinstance(keys, str) else list(keys)
        self.xdotool("key", "--clearmodifiers", *names)

    def type_text(self, text: str, delay_ms: int = 60) -> None:
        """Type `text` key by key."""
        self.xdotool("type", "--clearmodifiers", "--delay", str(delay_ms), text)

    def active_window_id(self) -> int | None:
        """The focused top-level window's X id, None if none."""
        try:
            return int(self.xdotool("getactivewindow"))
        except (subprocess.CalledProcessError, ValueError):
            return None

    def active_window_name(self) -> str | None:
        """The focused top-level window's title, None if none."""
        window = self.active_window_id()
        if window is None:
            return None
        try:
            return self.xdotool("getwindowname", str(window))
        except subprocess.CalledProcessError:
            return None

    def wait_for_active_window(self, title: str, timeout: float = 20.0) -> int:
        """Wait until the window titled `title` has the focus; its X id."""
        _poll(
            lambda: self.active_window_name() == title, timeout,
            f"window {title!r} did not take the focus (active: {self.active_window_name()!r})",
        )  # fmt: skip
        window = self.active_window_id()
        assert window is not None
        return window

    def start(
        self, name: str, argv: Sequence[str], env: dict[str, str] | None = None,
        stdout: Path | None = None, grace: float = 5.0,
    ) -> subprocess.Popen[bytes]:  # fmt: skip
        """Start a program on this desktop (`env` by default) in its own process group, its
        output to logs/NAME.log (standard output to `stdout` if given); stopped at teardown
        (SIGTERM, then SIGKILL after `grace` seconds)."""
        environment = dict(env if env is not None else self.env)
        environment[TAG_VARIABLE] = self.tag
        log_path = self.logs / f"{name}.log"
        with open(log_path, "ab") as log, open(stdout or log_path, "ab") as out:
            popen = subprocess.Popen(
                list(argv), env=environment, stdin=subprocess.DEVNULL, stdout=out,
                stderr=log, start_new_session=True,
            )  # fmt: skip
        self.processes.append(_Process(name, popen, grace))
        return popen

    def start_other_program(
        self, title: str = "Notes", text: str = "", entry: bool = False, timeout: float = 20.0,
        font: str = "",
    ) -> OtherProgram:  # fmt: skip
        """A plain GTK 3 window titled `title` with a text area (holding `text`, in `font` if
        given, e.g. "Sans 22") focused; returns once it is the active window and Orca has said
        its title. Runs to teardown.

        Where Orca says nothing of the new window (seen once in a CI run: it said nothing at
        all for 20 s, and was well in the next test), the window is closed and opened once
        more: this is the test's setting, not what it tests."""
        argv = [SYSTEM_PYTHON, str(OTHER_PROGRAM), title, "--text", text, "--font", font]
        if entry:
            argv.append("--entry")
        try:
            return self._open_and_hear(title, argv, timeout)
        except _TitleNotSpoken:
            return self._open_and_hear(title, argv, timeout)

    def _open_and_hear(self, title: str, argv: list[str], timeout: float) -> OtherProgram:
        """`argv`'s window, once active and its title spoken; _TitleNotSpoken (the program
        closed) where Orca did not say the title."""
        mark = self.mark()
        popen = self.start(f"other-{title}", argv)
        window = self.wait_for_active_window(title, timeout)
        try:
            self.wait_for_speech(title, since=mark, timeout=timeout)
        except TimeoutError as error:
            _stop_group(popen)
            _poll(lambda: self.active_window_id() != window, timeout, f"{title} still open")
            raise _TitleNotSpoken(str(error)) from None
        return OtherProgram(title, window, popen)

    def activate(self, window: int | OtherProgram, timeout: float = 20.0) -> None:
        """Give `window` the focus, as a click on it would; return once it is active."""
        wid = window.window if isinstance(window, OtherProgram) else window
        self.xdotool("windowactivate", "--sync", str(wid))
        _poll(lambda: self.active_window_id() == wid, timeout, f"window {wid} did not activate")

    # -- sound -------------------------------------------------------------------------------
    def recorded(self) -> VoiceRecording:
        """Both sinks from now on (see `VoiceRecording`); its end stays open."""
        for sink, popen in self.recorders.items():
            if popen.poll() is not None:
                raise RuntimeError(f"the recorder of {sink} stopped: {popen.returncode}")
        orca_raw, iris_raw = self.logs / f"{ORCA_SINK}.raw", self.logs / f"{IRIS_SINK}.raw"
        # A fresh null sink renders its first 2 s block before its monitor gives any sound.
        _poll(
            lambda: _size(orca_raw) >= 3200 and _size(iris_raw) >= 3200, 20,
            "parec did not record the sinks",
        )  # fmt: skip
        return VoiceRecording(orca_raw, iris_raw, _size(orca_raw), _size(iris_raw))

    @contextlib.contextmanager
    def record_voices(self) -> Iterator[VoiceRecording]:
        """What `orca_sink` and `iris_sink` play while the block runs; then the yielded
        recording's `overlap()` measures both voices at once. (0.1 s more is kept after the
        block, for the sound still on its way.)"""
        recording = self.recorded()
        try:
            yield recording
        finally:
            targets = [_size(path) + 2 * RECORD_RATE // 10 for path in recording_paths(recording)]
            with contextlib.suppress(TimeoutError):
                _poll(
                    lambda: all(
                        _size(path) >= target
                        for path, target in zip(recording_paths(recording), targets, strict=True)
                    ),
                    5, "the recorders",
                )  # fmt: skip
            recording.orca_end, recording.iris_end = (_size(p) for p in recording_paths(recording))

    def wait_for_silence(self, quiet_s: float = 0.5, timeout: float = 30.0) -> None:
        """Wait until neither sink has sounded for `quiet_s` seconds (from now on)."""
        self.recorded().wait_for_silence(quiet_s, timeout)

    # -- teardown ----------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop every process of this desktop (newest first), then any left with its tag."""
        for process in reversed(self.processes):
            _stop_group(process.popen, process.grace)
        self.processes.clear()
        _stop_tagged(self.tag)


def recording_paths(recording: VoiceRecording) -> tuple[Path, Path]:
    """The files of the Orca and the Iris sinks' recordings."""
    return recording.orca_raw, recording.iris_raw


def _read(path: Path, start: int, end: int | None) -> bytes:
    with open(path, "rb") as stream:
        stream.seek(start)
        data = stream.read(-1 if end is None else max(0, end - start))
    return data[: len(data) // 2 * 2]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _stop_group(popen: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM the process's group, SIGKILL the group after `grace` seconds (or as soon as
    the leader has exited: what it left), then reap the leader. It is reaped last, so that its
    group id cannot be reused meanwhile."""

    def exited() -> bool:
        try:
            return os.waitid(os.P_PID, popen.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:
            return True

    if popen.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(popen.pid, signal.SIGTERM if grace > 0 else signal.SIGKILL)
        with contextlib.suppress(TimeoutError):
            _poll(exited, grace, "exit")
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(popen.pid, signal.SIGKILL)
    popen.wait(timeout=30)


def tagged_pids(tag: str) -> list[int]:
    """Processes whose environment has this desktop's tag (started by it or by its daemons)."""
    needle = f"{TAG_VARIABLE}={tag}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _stop_tagged(tag: str) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = tagged_pids(tag)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        if not pids:
            return
        with contextlib.suppress(TimeoutError):
            _poll(lambda: not tagged_pids(tag), 3, "tagged processes")


def _speechd_config(desktop: OrcaDesktop) -> Path:
    """A speech-dispatcher configuration folder: the system's, plus the protocol log and
    PulseAudio's `orca_sink`."""
    folder = Path(desktop.env["XDG_CONFIG_HOME"]) / "speech-dispatcher"
    folder.mkdir(parents=True, exist_ok=True)
    system = Path("/etc/speech-dispatcher")
    base = (system / "speechd.conf").read_text() if (system / "speechd.conf").exists() else ""
    for sub in ("modules", "clients"):
        if (system / sub).is_dir():
            (folder / sub).symlink_to(system / sub)
    (folder / "speechd.conf").write_text(
        base + "\n# orca_desktop\n"
        f'CustomLogFile "protocol" "{desktop.speechd_protocol}"\n'
        'AudioOutputMethod "pulse"\n'
        f'AudioPulseDevice "{ORCA_SINK}"\n'
        'DefaultModule espeak-ng\n'
    )  # fmt: skip
    return folder


def _start_xvfb(desktop: OrcaDesktop) -> None:
    read_end, write_end = os.pipe()
    environment = {**desktop.env, TAG_VARIABLE: desktop.tag}
    with open(desktop.logs / "Xvfb.log", "ab") as log:
        popen = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24",
             "-nolisten", "tcp", "-noreset"],
            pass_fds=(write_end,), env=environment, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    os.close(write_end)
    desktop.processes.append(_Process("Xvfb", popen))
    with os.fdopen(read_end) as announced:
        number = announced.readline().strip()
    if not number:
        raise RuntimeError(f"Xvfb did not start: {(desktop.logs / 'Xvfb.log').read_text()}")
    desktop.display = f":{number}"
    desktop.env["DISPLAY"] = desktop.display


def _start_dbus(desktop: OrcaDesktop) -> None:
    environment = {**desktop.env, TAG_VARIABLE: desktop.tag}
    with open(desktop.logs / "dbus.log", "ab") as log:
        popen = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
            start_new_session=True,
        )  # fmt: skip
    desktop.processes.append(_Process("dbus", popen))
    assert popen.stdout is not None
    address = popen.stdout.readline().decode().strip()
    popen.stdout.close()
    if not address:
        raise RuntimeError(f"dbus-daemon did not start: {(desktop.logs / 'dbus.log').read_text()}")
    desktop.env["DBUS_SESSION_BUS_ADDRESS"] = address


def _succeeds(argv: Sequence[str], env: dict[str, str]) -> bool:
    try:
        return subprocess.run(list(argv), env=env, capture_output=True, timeout=10).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def _window_manager_runs(env: dict[str, str]) -> bool:
    """Has a window manager announced itself (EWMH) on the display?"""
    try:
        done = subprocess.run(
            ["xprop", "-root", "-notype", "_NET_SUPPORTING_WM_CHECK"], env=env,
            capture_output=True, text=True, timeout=10,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return False
    return "window id" in done.stdout


def _connects(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def _base_env(root: Path, runtime: Path) -> dict[str, str]:
    dropped = (
        "WAYLAND_DISPLAY", "AT_SPI_BUS_ADDRESS", "NO_AT_BRIDGE", "SESSION_MANAGER",
        "SPEECHD_SOCKET", "PULSE_SINK", "LANGUAGE", "LC_ALL", "GSETTINGS_BACKEND",
    )  # fmt: skip
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(
        XDG_RUNTIME_DIR=str(runtime),
        XDG_CONFIG_HOME=str(root / "config"),
        XDG_DATA_HOME=str(root / "data"),
        XDG_CACHE_HOME=str(root / "cache"),
        PULSE_SERVER=f"unix:{runtime / 'pulse' / 'native'}",
        SPEECHD_ADDRESS=f"unix_socket:{runtime / 'speech-dispatcher' / 'speechd.sock'}",
        QT_QPA_PLATFORM="xcb",
        QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1",
        LANG="C.UTF-8",
    )
    return env


@contextlib.contextmanager
def orca_desktop(tmp_path: Path) -> Iterator[OrcaDesktop]:
    """Start the private desktop with Orca (see the module's docstring); stop it all after."""
    skip_unless_orca()
    root = tmp_path / "orca-desktop"
    # Unix socket paths are limited to 107 bytes: the runtime folder is short, under /tmp.
    runtime = Path(tempfile.mkdtemp(prefix="orca-run-", dir="/tmp"))
    desktop = OrcaDesktop(root=root, runtime=runtime, env=_base_env(root, runtime))
    for folder in (desktop.logs, root / "config", root / "data", root / "cache"):
        folder.mkdir(parents=True, exist_ok=True)
    try:
        _start(desktop)
        yield desktop
    finally:
        desktop.stop()
        shutil.rmtree(runtime, ignore_errors=True)


def _start(desktop: OrcaDesktop) -> None:
    began = time.monotonic()

    def lap(name: str, since: float) -> float:
        now = time.monotonic()
        desktop.startup_s[name] = round(now - since, 3)
        return now

    _start_xvfb(desktop)
    _start_dbus(desktop)
    now = lap("xvfb+dbus", began)
    desktop.start("openbox", ["openbox", "--sm-disable"])
    pulse_socket = desktop.runtime / "pulse" / "native"
    desktop.start(
        "pulseaudio",
        ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n", "--realtime=no",
         "--high-priority=no", "--use-pid-file=no", "--system=no", "--log-target=stderr",
         f"--load=module-null-sink sink_name={ORCA_SINK}",
         f"--load=module-null-sink sink_name={IRIS_SINK}",
         f"--load=module-native-protocol-unix auth-anonymous=1 socket={pulse_socket}"],
    )  # fmt: skip
    _poll(lambda: _succeeds(["pactl", "info"], desktop.env), 20, "PulseAudio did not start")
    subprocess.run(["pactl", "set-default-sink", ORCA_SINK], env=desktop.env, check=True)
    for sink in (ORCA_SINK, IRIS_SINK):
        argv = ["parec", "-d", f"{sink}.monitor", "--raw", "--format=s16le"]
        argv += [f"--rate={RECORD_RATE}", "--channels=1", "--latency-msec=10"]
        raw = desktop.logs / f"{sink}.raw"
        desktop.recorders[sink] = desktop.start(f"parec-{sink}", argv, stdout=raw)
    _poll(lambda: _window_manager_runs(desktop.env), 20, "openbox did not start")
    gsettings = ["gsettings", "set", "org.gnome.desktop.interface", "toolkit-accessibility"]
    subprocess.run([*gsettings, "true"], env=desktop.env, check=True, timeout=30)
    now = lap("openbox+pulseaudio+gsettings", now)
    config = _speechd_config(desktop)
    desktop.start(
        "speech-dispatcher",
        ["speech-dispatcher", "--run-single", "--timeout", "0", "--log-level", "3",
         "--log-dir", str(desktop.logs), "--config-dir", str(config),
         "--communication-method", "unix_socket", "--socket-path", str(desktop.speechd_socket)],
    )  # fmt: skip
    _poll(lambda: _connects(desktop.speechd_socket), 20, "speech-dispatcher did not start")
    now = lap("speech-dispatcher", now)
    # Orca's SIGTERM handler waits for its main loop to wake, often for ever: no grace.
    orca = [SYSTEM_PYTHON, "-c", ORCA_LAUNCHER, "--debug-file", str(desktop.orca_debug)]
    desktop.start("orca", orca, grace=0)
    try:
        _poll(
            lambda: desktop.orca_debug.exists()
            and "Screen reader on." in desktop.spoken_since(),
            START_TIMEOUT_S, "Orca did not start",
        )  # fmt: skip
    except TimeoutError as error:
        tail = (desktop.logs / "orca.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{error}; orca.log: {tail}") from None
    lap("orca", now)
    desktop.startup_s["total"] = round(time.monotonic() - began, 3)


@pytest.fixture(scope="module", name="orca_desktop")
def orca_desktop_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OrcaDesktop]:
    """One private desktop with Orca for the whole test module (skipped without Orca)."""
    skip_unless_orca()
    with orca_desktop(tmp_path_factory.mktemp("orca")) as desktop:
        print(f"orca desktop {desktop.display} started in {desktop.startup_s}", file=sys.stderr)
        yield desktop
