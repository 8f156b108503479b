"""Speech output: the screen reader's voice or Iris's own (pyttsx3 on its own thread, sentence by
sentence), with a silent fallback.

Importing this package is cheap: pyttsx3 is imported on the speaker's thread when one starts.
`create_speaker` looks for a running screen reader (`detect_screen_reader`) and decides with
`choose_route`; the speaker's `route` says whose voice speaks, `route_notice` what to tell the
user about it.
"""

from desktop_app.speech._api import SilentSpeaker, Speaker
from desktop_app.speech._audio import AudioOutput, FileWriter, SubprocessPlayer
from desktop_app.speech._detect import detect_screen_reader
from desktop_app.speech._factory import create_speaker
from desktop_app.speech._render import Pyttsx3Synthesizer, RenderingBackend, Synthesizer
from desktop_app.speech._route import RouteReason, SpeechRoute, choose_route, route_notice
from desktop_app.speech._screen_reader import (
    HandOffError,
    JawsBackend,
    NvdaBackend,
    SpeechDispatcherBackend,
    VoiceOverBackend,
    hand_off_backend,
)
from desktop_app.speech._splitter import SentenceSplitter
from desktop_app.speech._streaming import StreamingSpeech
from desktop_app.speech._threaded import Backend, ThreadedSpeaker

__all__ = [
    "AudioOutput",
    "Backend",
    "FileWriter",
    "HandOffError",
    "JawsBackend",
    "NvdaBackend",
    "Pyttsx3Synthesizer",
    "RenderingBackend",
    "RouteReason",
    "SentenceSplitter",
    "SilentSpeaker",
    "Speaker",
    "SpeechDispatcherBackend",
    "SpeechRoute",
    "StreamingSpeech",
    "SubprocessPlayer",
    "Synthesizer",
    "ThreadedSpeaker",
    "VoiceOverBackend",
    "choose_route",
    "create_speaker",
    "detect_screen_reader",
    "hand_off_backend",
    "route_notice",
]
