"""The Orca harness measures what it claims: the real Orca, no Iris.

One private desktop with Orca (the `orca_desktop` fixture, tests/helpers/orca_desktop.py) and one
GTK window ("Notes") serve the whole module; skipped only when Orca is not installed.
"""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import pytest

from tests.helpers.orca_desktop import (
    IRIS_SINK,
    ORCA_SINK,
    OrcaDesktop,
    OtherProgram,
    orca_desktop,
    parse_orca_speech,
    parse_speechd_protocol,
    tagged_pids,
    voice_overlap,
    write_tone,
)

pytestmark = pytest.mark.slow

TITLE = "Notes"
FIRST_LINE = "Shopping list."
LONG_LINE = "Buy apples, bread and milk on the way home."
NOTES = f"{FIRST_LINE}\n{LONG_LINE}\nLast line:"


@pytest.fixture(scope="module")
def notes_window(orca_desktop: OrcaDesktop) -> OtherProgram:
    """The Notes window (started once for the module)."""
    mark = orca_desktop.mark()
    window = orca_desktop.start_other_program(TITLE, text=NOTES)
    print("spoken at focus:", orca_desktop.spoken_since(mark))
    return window


@pytest.fixture
def notes(orca_desktop: OrcaDesktop, notes_window: OtherProgram) -> OrcaDesktop:
    """The desktop with the Notes window focused."""
    if orca_desktop.active_window_id() != notes_window.window:
        orca_desktop.activate(notes_window)
    return orca_desktop


@pytest.fixture(scope="module")
def tone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-second 440 Hz tone."""
    return write_tone(tmp_path_factory.mktemp("tone") / "tone.wav", 1.0)


def read_long_line(desktop: OrcaDesktop) -> None:
    """Move to the Notes' second line; return once Orca has begun to say it."""
    mark = desktop.mark()
    desktop.press("ctrl+Home Down")
    desktop.wait_for_speech(LONG_LINE, since=mark)


def test_orca_says_the_title_of_the_window_that_takes_the_focus(
    notes: OrcaDesktop, notes_window: OtherProgram
) -> None:
    assert notes.active_window_name() == TITLE
    assert notes.active_window_id() is not None
    mark = notes.mark()
    second = notes.start_other_program("Second window")
    assert notes.active_window_name() == "Second window"
    assert notes.wait_for_speech("Second window", since=mark) == "Second window frame."
    mark = notes.mark()
    # Closed before Notes comes back: a window that dies after the focus has left it can have
    # its late window:deactivate reach Orca from a dead program, and Orca then forgets the
    # active window (seen in CI: nothing typed afterwards was echoed).
    second.popen.terminate()
    second.popen.wait(timeout=30)
    notes.activate(notes_window)  # where the window manager has not given it the focus yet
    assert notes.wait_for_speech(f"{TITLE} frame", since=mark) == f"{TITLE} frame."
    assert notes.active_window_name() == TITLE
    orca = notes.wait_for_speechd(f"{TITLE} frame", since=mark, application="Orca")
    assert orca.client.endswith(":Orca:default") and orca.kind == "speak"


def test_typing_is_echoed_by_orca(notes: OrcaDesktop) -> None:
    notes.press("ctrl+End")
    mark = notes.mark()
    notes.type_text("kiwi")
    notes.wait_until(
        lambda: [text for text in notes.spoken_since(mark) if len(text) == 1] == list("kiwi"),
        what=f"Orca echoed k, i, w, i (it said {notes.spoken_since(mark)})",
    )  # fmt: skip
    utterances = notes.utterances_since(mark)
    assert all(a.time <= b.time for a, b in itertools.pairwise(utterances))
    assert mark.time - 1 < utterances[0].time < mark.time + 10


def test_a_client_named_iris_is_told_from_orca_and_heard_on_orca_sink(
    notes: OrcaDesktop,
) -> None:
    with notes.record_voices() as recording:
        recording.wait_for_silence()
        mark = notes.mark()
        subprocess.run(
            ["spd-say", "-N", "iris", "-w", "hello from Iris"], env=notes.env, timeout=30,
            check=True,
        )  # fmt: skip
        message = notes.wait_for_speechd("hello from Iris", since=mark)
    assert message.application == "iris" and message.text == "hello from Iris"
    assert [m.application for m in notes.speechd_messages_since(mark)] == ["iris"]
    assert not any("hello" in text for text in notes.spoken_since(mark))  # not Orca's speech
    overlap = recording.overlap()
    print("spd-say:", overlap)
    assert overlap.orca_s > 0.4 and overlap.iris_s == 0 and overlap.both_s == 0


def test_the_two_sinks_are_recorded_on_one_timeline(notes: OrcaDesktop, tone: Path) -> None:
    """The same tone on both sinks at once sounds, measured, on both at the same moments."""
    with notes.record_voices() as recording:
        recording.wait_for_silence()
        players = [
            subprocess.Popen(["paplay", "-d", sink, str(tone)], env=notes.env)
            for sink in (ORCA_SINK, IRIS_SINK)
        ]
        assert [player.wait(timeout=30) for player in players] == [0, 0]
    overlap = recording.overlap()
    print("same tone on both:", overlap)
    assert 0.9 <= overlap.orca_s <= 1.1 and 0.9 <= overlap.iris_s <= 1.1
    assert overlap.both_s >= 0.9


def test_a_sound_on_iris_sink_while_orca_speaks_overlaps(notes: OrcaDesktop, tone: Path) -> None:
    with notes.record_voices() as recording:
        recording.wait_for_silence()
        read_long_line(notes)
        recording.wait_for_sound(ORCA_SINK, 0.1)
        subprocess.run(["aplay", "-q", str(tone)], env=notes.iris_env(), timeout=30, check=True)
        recording.wait_for_silence()
    overlap = recording.overlap()
    print("aplay while Orca speaks:", overlap)
    assert 0.9 <= overlap.iris_s <= 1.1  # aplay reached iris_sink through PulseAudio
    assert overlap.both_s > 0.5 and overlap.orca_s > 1.0


def test_one_voice_after_the_other_does_not_overlap(notes: OrcaDesktop, tone: Path) -> None:
    with notes.record_voices() as recording:
        recording.wait_for_silence()
        subprocess.run(["paplay", str(tone)], env=notes.iris_env(), timeout=30, check=True)
        read_long_line(notes)
        recording.wait_for_silence()
    overlap = recording.overlap()
    print("one after the other:", overlap)
    assert overlap.orca_s > 1.0 and 0.9 <= overlap.iris_s <= 1.1
    assert overlap.both_s <= 0.03


def test_overlap_arithmetic() -> None:
    rate, loud, quiet = 1000, (20000).to_bytes(2, "little", signed=True), b"\0\0"
    orca = loud * 500 + quiet * 500  # sounds 0.0-0.5 s
    iris = quiet * 300 + loud * 500 + quiet * 200  # sounds 0.3-0.8 s
    overlap = voice_overlap(orca, iris, rate)
    assert (overlap.orca_s, overlap.iris_s, overlap.duration_s) == (0.5, 0.5, 1.0)
    assert overlap.both_s == pytest.approx(0.2)


def test_log_parsers() -> None:
    from datetime import datetime

    day = datetime(2026, 1, 2, 10, 0, 0)
    debug = (
        "10:00:01.000001 - SPEECH OUTPUT: 'Screen reader on.'{'established': False}\n"
        "10:00:02.500000 - SPEECH OUTPUT: 'Don't save' voice=uppercase{'average-pitch': 5.6}\n"
        "10:00:03.000000 - SPEECH OUTPUT: 'a '  {'established': False}\n"
        "10:00:04.000000 - SPEECH OUTPUT: 'two\n"
        "                  lines'{}\n"
        "10:00:05.000000 - INFO: other\n"
    )
    spoken = [said for _, said in parse_orca_speech(debug, day)]
    assert [said.text for said in spoken] == ["Screen reader on.", "Don't save", "a", "two\nlines"]
    assert spoken[1].time - spoken[0].time == pytest.approx(1.499999)
    protocol = (
        "[Fri Jan  2 10:00:01 2026 : 100] speechd:     7:DATA:|SET SELF CLIENT_NAME "
        '"me:iris:main"\r\n| (33)\n'
        "[Fri Jan  2 10:00:01 2026 : 200] speechd:     7:DATA:|SPEAK\r\n| (7)\n"
        "[Fri Jan  2 10:00:01 2026 : 300] speechd:     7:DATA:|one\r\n..two\r\n.\r\n| (14)\n"
        "[Fri Jan  2 10:00:02 2026 : 0] speechd:     8:DATA:|SET self CLIENT_NAME x:Orca:default"
        "\r\n| (40)\n"
        "[Fri Jan  2 10:00:02 2026 : 5] speechd:     8:DATA:|speak\r\n| (7)\n"
        '[Fri Jan  2 10:00:02 2026 : 6] speechd:     8:DATA:|<speak><mark name="0:1"/>a &amp; b'
        "</speak>\r\n| (40)\n"
        "[Fri Jan  2 10:00:02 2026 : 7] speechd:     8:DATA:|.\r\n| (3)\n"
        "[Fri Jan  2 10:00:02 2026 : 8] speechd:     8:DATA:|CHAR x\r\n| (8)\n"
    )
    messages = parse_speechd_protocol(protocol.encode())
    assert [(m.application, m.kind, m.text) for m in messages] == [
        ("iris", "speak", "one\n.two"), ("Orca", "speak", "a & b"), ("Orca", "char", "x"),
    ]  # fmt: skip
    assert messages[1].time - messages[0].time == pytest.approx(1 - 0.0003 + 0.000007)


def test_the_desktop_stops_every_process_it_started(tmp_path: Path) -> None:
    """A second desktop beside the module's: it starts, and leaves nothing running."""
    with orca_desktop(tmp_path) as desktop:
        print("second desktop started in", desktop.startup_s)
        running = tagged_pids(desktop.tag)
        assert len(running) >= 8  # Xvfb, D-Bus, AT-SPI, openbox, PulseAudio, speechd, Orca...
    alive = []
    for pid in running:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":  # a zombie is dead; its new parent reaps it
            alive.append(pid)
    assert alive == []
    assert not Path(desktop.runtime).exists()
