"""What the user feels on the desktop: launch, idle memory, capture, first spoken sentence.

    .venv/bin/python benchmarks/desktop.py [--runs N] [--tokens N]

Launch: `python -m desktop_app` as a user starts it, with no model anywhere (private settings,
empty offline Hugging Face cache) and `IRIS_REPORT_READY` set (desktop_app/gui/startup_probe.py):
seconds from spawning it to its event loop running with the window shown, and its resident
memory then and IDLE_AFTER_S later. Capture: Iris's `capture_screen` on Xvfb displays.
First spoken sentence: capture, random weights with SmolVLM-256M-Instruct's shapes (built
offline), sentence streaming and espeak-ng (through pyttsx3) writing WAV files. Each figure
is the median of N runs. Prints a Markdown section.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop_app.core.types import Request  # noqa: E402
from desktop_app.testing.text_screens import dialog  # noqa: E402
from tests.helpers.xvfb import xvfb_display as display  # noqa: E402

IDLE_AFTER_S = 3.0
"""How long the launched app idles before its memory is read again."""
LAUNCH_TARGET_S = 1.5
IDLE_TARGET_MB = 150.0
FIRST_WORD_TARGET_S = 2.5
CAPTURE_SIZES = ((1280, 800), (1920, 1080))
PROMPT = "Describe this image."
TYPICAL_SENTENCE = "The screen shows a settings dialog with two buttons, OK and Cancel."
TYPICAL_TOKENS = 15
"""Tokens of a typical first sentence of about 12 words, such as TYPICAL_SENTENCE."""
PROBLEM_MARKS = ("WARNING", "ERROR", "CRITICAL", "Traceback", "Exception")

MEMORY_STEPS = r"""
import json, os, sys, tempfile
from pathlib import Path

seen = set(sys.modules)

def rss():
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6

def step(name):
    new = {m.split(".")[0] for m in set(sys.modules) - seen} - set(sys.stdlib_module_names)
    seen.update(sys.modules)
    packages = sorted(p for p in new if not p.startswith("_") and p != "desktop_app")
    steps.append((name, rss(), packages))

steps = []
step("Python interpreter")
from PySide6.QtWidgets import QApplication, QMessageBox
app = QApplication([])
step("PySide6 QtWidgets and the QApplication")
import desktop_app.gui.app
from desktop_app.settings import AppSettings
step("Iris's window code imported (gui.app: controller, engine catalogue, image helpers)")
from desktop_app.gui.main_window import MainWindow
window = MainWindow()
window.show()
app.processEvents()
step("main window shown")
from desktop_app.speech import create_speaker
speaker = create_speaker(AppSettings().speech, speak_to_files=Path(tempfile.mkdtemp()))
speaker.say("Iris is ready.")
speaker.wait_idle(30)
step("speech: pyttsx3 and espeak-ng, one sentence written")
from desktop_app.gui.worker import EngineWorker
workers = [EngineWorker(lambda: None) for _ in range(2)]
step("engine and text reader threads (nothing loaded)")
from desktop_app.engine.models.hub import is_downloaded
is_downloaded(AppSettings().engine.model)
step("looking for the model in the Hugging Face cache (huggingface_hub)")
from desktop_app.core import messages
box = QMessageBox(QMessageBox.Icon.Question, messages.FIRST_RUN_TITLE, messages.FIRST_RUN_TITLE,
                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, window)
box.show()
app.processEvents()
step("first-run question dialog shown")
for worker in workers:
    worker.shutdown()
speaker.close()
print(json.dumps(steps))
"""


# -- launch and idle memory ------------------------------------------------------------------
def launch_once(x_display: str | None) -> dict[str, Any]:
    """Start the app once (offscreen, or on `x_display`); its ready/idle report, exit code,
    logged problems and the WAV files it spoke."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "hf").mkdir()
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(
            QT_QPA_PLATFORM="xcb" if x_display else "offscreen",
            IRIS_CONFIG_DIR=str(folder / "config"),
            HF_HOME=str(folder / "hf"),
            HF_HUB_OFFLINE="1",
            IRIS_REPORT_READY=str(folder / "ready.json"),
            IRIS_REPORT_IDLE_AFTER=str(IDLE_AFTER_S),
        )
        if x_display:
            env["DISPLAY"] = x_display
        command = [sys.executable, "-m", "desktop_app", "--speak-to-files", str(folder / "wav")]
        spawned = time.time()
        done = subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        lines = (done.stdout + done.stderr).splitlines()
        if not (folder / "ready.json").exists():
            raise RuntimeError("the app wrote no report:\n" + "\n".join(lines[-20:]))
        report = json.loads((folder / "ready.json").read_text())
        return {
            "launch_s": report["ready"]["time"] - spawned,
            "ready": report["ready"],
            "idle": report["idle"],
            "returncode": done.returncode,
            "problems": sorted({line for line in lines if line.startswith(PROBLEM_MARKS)}),
            "spoken": len(list((folder / "wav").glob("*.wav"))),
        }


def launch_figures(runs: int, x_display: str | None) -> dict[str, Any]:
    samples = [launch_once(x_display) for _ in range(runs)]
    last = samples[-1]
    return {
        "launch_s": statistics.median(s["launch_s"] for s in samples),
        "ready_mb": statistics.median(s["ready"]["rss_mb"] for s in samples),
        "idle_mb": statistics.median(s["idle"]["rss_mb"] for s in samples),
        "torch_at_ready": any(s["ready"]["torch_imported"] for s in samples),
        "torch_at_idle": any(s["idle"]["torch_imported"] for s in samples),
        "clean_exits": sum(s["returncode"] == 0 for s in samples),
        "problems": sorted({p for s in samples for p in s["problems"]}),
        "modal": last["idle"]["modal"],
        "status": last["idle"]["status"],
        "spoken": last["spoken"],
    }


def memory_steps() -> list[tuple[str, float, list[str]]]:
    """(piece, resident MB once it is added, third-party packages it brought), in one fresh
    process."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1"}
    env.pop("DISPLAY", None)
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_STEPS],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return [
        (name, rss, packages) for name, rss, packages in json.loads(done.stdout.splitlines()[-1])
    ]


# -- displays and capture -------------------------------------------------------------------
def show(picture: Any, folder: Path) -> None:
    """Put `picture` on the root window (ImageMagick's `display`, which then exits)."""
    path = folder / "screen.png"
    picture.save(path)
    subprocess.run(["display", "-window", "root", str(path)], capture_output=True, timeout=30)


def screen_picture(seed: int) -> Any:
    return dialog("light" if seed % 2 else "dark", "DejaVu Sans", 14, seed=seed).image


def capture_figures(runs: int) -> list[tuple[str, float, bool]]:
    """(size, median ms of `capture_screen`, whether the capture shows the picture put there)."""
    from PIL import ImageChops

    from desktop_app.capture import capture_screen

    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        for width, height in CAPTURE_SIZES:
            with display(width, height):
                picture = screen_picture(1)
                show(picture, Path(scratch))
                shot = capture_screen()  # warm-up
                seen = shot.crop((0, 0, *picture.size)).convert("RGB")
                matches = ImageChops.difference(seen, picture.convert("RGB")).getbbox() is None
                timings = []
                for _ in range(runs):
                    started = time.perf_counter()
                    capture_screen()
                    timings.append(1000 * (time.perf_counter() - started))
                rows.append((f"{width}x{height}", statistics.median(timings), matches))
    return rows


# -- first spoken sentence ---------------------------------------------------------------------
class FirstSentence:
    """A speaker for StreamingSpeech that passes on only the first sentence and notes when it
    was complete and when the speaker had written its WAV file."""

    def __init__(self, speaker: Any) -> None:
        self.speaker = speaker
        self.problem: str | None = None
        self.text: str | None = None
        self.said_at = 0.0
        self.written_at = 0.0
        self.written = threading.Event()

    def say(self, text: str, *, interrupt: bool = False, language: str | None = None) -> None:
        if self.text is not None:
            return
        self.text, self.said_at = text, time.perf_counter()
        self.speaker.say(text, language=language)
        threading.Thread(target=self._wait_written, daemon=True).start()

    def _wait_written(self) -> None:
        self.speaker.wait_idle(60)  # the speaker's own end: its queue is empty, the file moved
        self.written_at = time.perf_counter()
        self.written.set()

    def stop(self) -> None:
        self.speaker.stop()

    def wait_idle(self, timeout: float) -> bool:
        return self.written.wait(timeout)

    def close(self) -> None:
        """The wrapped speaker is closed by its owner."""


def first_sentence_once(
    backend: Any, speaker: Any, tokens: int, wav_folder: Path, picture: Any
) -> dict[str, Any]:
    """Hotkey handled -> capture (of `picture`, on the screen) -> model -> first sentence ->
    its WAV file complete."""
    from PIL import ImageChops

    from desktop_app.capture import capture_screen
    from desktop_app.speech import StreamingSpeech
    from desktop_app.speech._audio import wav_seconds

    first = FirstSentence(speaker)
    stream = StreamingSpeech(first)
    pieces: list[float] = []

    def on_text(piece: str) -> None:
        pieces.append(time.perf_counter())
        stream.feed(piece)

    before = set(wav_folder.glob("*.wav"))
    started = time.perf_counter()
    image = capture_screen()
    captured = time.perf_counter()
    answer = backend.start(Request.single(PROMPT, [image], max_new_tokens=tokens), on_text)
    answered = time.perf_counter()
    stream.finish()
    if not first.written.wait(60):
        raise RuntimeError(f"no speech was written: {speaker.problem}")
    new = sorted(set(wav_folder.glob("*.wav")) - before)
    assert first.text is not None
    spoken_pieces = sum(at <= first.said_at for at in pieces)
    seen = image.crop((0, 0, *picture.size)).convert("RGB")
    return {
        "capture_s": captured - started,
        "first_token_s": pieces[0] - captured if pieces else answer.timings.total_s,
        "sentence_s": first.said_at - started,
        "synthesis_s": first.written_at - first.said_at,
        "total_s": first.written_at - started,
        "chars": len(first.text),
        "tokens": answer.generated_tokens if first.said_at >= answered else spoken_pieces,
        "whole_answer": first.said_at >= answered,
        "cached_tokens": getattr(answer, "cached_tokens", 0),
        "picture_seen": ImageChops.difference(seen, picture.convert("RGB")).getbbox() is None,
        "decode_ms": answer.timings.decode_ms_per_token or 0.0,
        "wav_s": wav_seconds(new[0]) if new else 0.0,
    }


def typical_synthesis(speaker: Any, wav_folder: Path) -> tuple[float, float]:
    """Say TYPICAL_SENTENCE: (seconds until the speaker has written it, seconds of audio)."""
    from desktop_app.speech._audio import wav_seconds

    before = set(wav_folder.glob("*.wav"))
    started = time.perf_counter()
    speaker.say(TYPICAL_SENTENCE)
    if not speaker.wait_idle(60):
        raise RuntimeError("speech did not finish")
    elapsed = time.perf_counter() - started
    new = sorted(set(wav_folder.glob("*.wav")) - before)
    return elapsed, wav_seconds(new[0]) if new else 0.0


def first_sentence_figures(runs: int, tokens: int) -> dict[str, Any]:
    from desktop_app.engine.local.backend import LocalBackend
    from desktop_app.settings import EngineSettings, SpeechSettings
    from desktop_app.speech import create_speaker
    from desktop_app.testing.random_models import build_real_shape_model

    with tempfile.TemporaryDirectory() as scratch, display(1280, 800):
        folder = Path(scratch)
        model = build_real_shape_model("SmolVLM-256M-Instruct", folder / "smolvlm-256m")
        settings = EngineSettings(model=str(model), max_new_tokens=tokens, ground_in_text=False)
        backend = LocalBackend(settings)
        backend.load()
        speaker = create_speaker(SpeechSettings(), speak_to_files=folder / "wav")
        if speaker.problem is not None:
            raise RuntimeError(speaker.problem)
        try:
            typical = [typical_synthesis(speaker, folder / "wav") for _ in range(runs + 1)][1:]
            samples = []
            for seed in range(runs + 1):  # a new picture each run: no cache can answer for it
                picture = screen_picture(seed + 10)
                show(picture, folder)
                samples.append(
                    first_sentence_once(backend, speaker, tokens, folder / "wav", picture)
                )
            description = backend.description
        finally:
            speaker.close()
            backend.close()
    measured = samples[1:]  # the first is the warm-up
    figures = {
        key: statistics.median(s[key] for s in measured)
        for key in ("capture_s", "first_token_s", "sentence_s", "synthesis_s", "total_s",
                    "chars", "tokens", "decode_ms", "cached_tokens")
    }  # fmt: skip
    figures.update(
        typical_synthesis_s=statistics.median(t for t, _ in typical),
        typical_audio_s=min(audio for _, audio in typical),
        whole_answers=sum(s["whole_answer"] for s in measured),
        pictures_seen=sum(s["picture_seen"] for s in measured),
        shortest_wav_s=min(s["wav_s"] for s in measured),
        description=description,
        runs=len(measured),
        tokens_limit=tokens,
    )
    figures["typical_s"] = (
        figures["capture_s"]
        + figures["first_token_s"]
        + (TYPICAL_TOKENS - 1) * figures["decode_ms"] / 1000
        + figures["typical_synthesis_s"]
    )
    return figures


# -- the section -------------------------------------------------------------------------------
def section(
    runs: int, tokens: int = TYPICAL_TOKENS, results: dict[str, float] | None = None
) -> list[str]:
    """The Markdown section on launch, idle memory, capture and the first spoken sentence.

    The figures that have targets also go into `results`.
    """
    offscreen = launch_figures(runs, None)
    with display(1280, 800) as name:
        on_x = launch_figures(runs, name)
    captures = capture_figures(runs)
    first = first_sentence_figures(runs, tokens)
    if results is not None:
        results.update(
            launch_s=offscreen["launch_s"],
            idle_mb=offscreen["idle_mb"],
            first_sentence_s=first["typical_s"],
            capture_ms=captures[0][1],
        )
    return _lines(runs, offscreen, on_x, memory_steps(), captures, first)


def _verdict(ok: bool) -> str:
    return "within target" if ok else "**over target**"


def _lines(
    runs: int,
    offscreen: dict[str, Any],
    on_x: dict[str, Any],
    memory: list[tuple[str, float, list[str]]],
    captures: list[tuple[str, float, bool]],
    first: dict[str, Any],
) -> list[str]:
    from desktop_app.gui.focus import HIDE_BEFORE_CAPTURE_MS

    lines = [
        "## On the desktop: launch, idle memory, capture, first spoken sentence",
        "",
        f"Medians of {runs} runs. Launch: `python -m desktop_app --speak-to-files DIR` (speech "
        "written to WAV files: the same pyttsx3/espeak-ng engine as with a sound card), private "
        "settings, empty offline Hugging Face cache, so no model is found; `IRIS_REPORT_READY` "
        "(desktop_app/gui/startup_probe.py) writes when the event loop first runs with the "
        f"window shown, and again {IDLE_AFTER_S:.0f} s later, then the app quits.",
        "",
        "| display | launch to usable window s | RSS at window MB | RSS idle MB | torch "
        "imported before the window | clean exits |",
        "|---|---|---|---|---|---|",
    ]
    for name, figures in (("offscreen (main figure)", offscreen), ("Xvfb, xcb", on_x)):
        lines.append(
            f"| {name} | {figures['launch_s']:.2f} | {figures['ready_mb']:.0f} | "
            f"{figures['idle_mb']:.0f} | {'yes' if figures['torch_at_ready'] else 'no'} | "
            f"{figures['clean_exits']}/{runs} |"
        )
    idle = offscreen["idle_mb"]
    lines += [
        "",
        f"- **Launch to usable window: {offscreen['launch_s']:.2f} s** (target "
        f"{LAUNCH_TARGET_S} s: {_verdict(offscreen['launch_s'] <= LAUNCH_TARGET_S)}).",
        f"- **Idle memory without a model: {idle:.0f} MB** RSS {IDLE_AFTER_S:.0f} s after the "
        f"window appeared (target {IDLE_TARGET_MB:.0f} MB: {_verdict(idle <= IDLE_TARGET_MB)}); "
        f"torch imported while idle: {'yes' if offscreen['torch_at_idle'] else 'no'}.",
        f'- Without a model Iris shows the first-run question "{on_x["modal"]}" (modal, '
        f'spoken: {on_x["spoken"]} WAV file) and waits; status line: "{on_x["status"][:90]}".',
        "- Logged problems: "
        + (
            "; ".join(f"`{p[:120]}`" for p in sorted({*offscreen["problems"], *on_x["problems"]}))
            or "none"
        )
        + ".",
        "",
        "Where the memory goes (one fresh process, each piece added to the last, offscreen):",
        "",
        "| added | RSS MB | + MB | third-party packages it brought |",
        "|---|---|---|---|",
    ]
    previous = 0.0
    for name, rss, packages in memory:
        lines.append(f"| {name} | {rss:.0f} | {rss - previous:+.0f} | {', '.join(packages)} |")
        previous = rss
    lines += [
        f"| the rest of the idle app (controller, tray, hotkeys, more speech; measured in "
        f"the app above) | {idle:.0f} | {idle - previous:+.0f} | |",
        "",
        "Screen capture (`desktop_app.capture.capture_screen`, the monitor under the pointer) "
        "on an Xvfb display showing a dialog picture:",
        "",
        "| screen | capture ms | picture captured intact |",
        "|---|---|---|",
        *(f"| {size} | {ms:.1f} | {'yes' if ok else 'no'} |" for size, ms, ok in captures),
        "",
        *_first_sentence_lines(first, HIDE_BEFORE_CAPTURE_MS),
    ]
    return lines


def _first_sentence_lines(first: dict[str, Any], hide_ms: int) -> list[str]:
    typical = first["typical_s"]
    runs = first["runs"]
    return [
        "Time to the first spoken sentence: the clock starts as the hotkey is handled; Iris "
        "captures the 1280x800 Xvfb screen (a dialog picture, a new one each run: captured "
        f"intact in {first['pictures_seen']}/{runs} runs), the model ({first['description']}, "
        "random weights with SmolVLM-256M-Instruct's shapes, no text grounding, warmed up by "
        f"one request; answers of at most {first['tokens_limit']} tokens) streams its answer "
        "into `StreamingSpeech`, and pyttsx3/espeak-ng writes the first sentence to a WAV file "
        "(timed to the speaker's own end of utterance). Later sentences are not spoken.",
        "",
        "| part | seconds |",
        "|---|---|",
        f"| capture | {first['capture_s']:.3f} |",
        f"| capture done to first token | {first['first_token_s']:.2f} |",
        f"| hotkey to first sentence complete | {first['sentence_s']:.2f} |",
        f"| synthesis until its WAV file was complete | {first['synthesis_s']:.3f} |",
        f"| **hotkey to first sentence written** | **{first['total_s']:.2f}** |",
        "",
        "- Random weights write gibberish, so where its first sentence ends is chance: the "
        f"first spoken chunk had {first['chars']:.0f} characters and {first['tokens']:.0f} "
        f"tokens (median); in {first['whole_answers']}/{runs} runs no sentence ended, and the "
        "whole answer was spoken when it ended. Its shortest WAV held "
        f"{first['shortest_wav_s']:.1f} s of audio. Decode: {first['decode_ms']:.1f} ms/token; "
        f"prompt tokens reused from the kept conversation: {first['cached_tokens']:.0f}.",
        f'- Synthesis of a typical first sentence ("{TYPICAL_SENTENCE}") with the same '
        f"speaker, nothing else running: {first['typical_synthesis_s']:.3f} s for "
        f"{first['typical_audio_s']:.1f} s of audio.",
        f"- **First spoken sentence for a typical {TYPICAL_TOKENS}-token first sentence: "
        f"{typical:.2f} s** = capture + first token + {TYPICAL_TOKENS - 1} x decode ms/token + "
        "that synthesis, computed from the parts measured above (target "
        f"{FIRST_WORD_TARGET_S} s to the first spoken word: "
        f"{_verdict(typical <= FIRST_WORD_TARGET_S)}). With a sound card the player's start "
        "follows; when Iris's window is on screen it is first hidden for "
        f"{hide_ms} ms before the capture (HIDE_BEFORE_CAPTURE_MS), not counted here.",
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--tokens", type=int, default=TYPICAL_TOKENS, help="token limit of each answer"
    )
    args = parser.parse_args()
    print("\n".join(section(args.runs, args.tokens)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
