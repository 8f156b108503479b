"""Speech output: pyttsx3 on its own thread, sentence by sentence, with a silent fallback.

Importing this package is cheap: pyttsx3 is imported on the speaker's thread when one starts.
"""

from desktop_app.speech._api import SilentSpeaker, Speaker
from desktop_app.speech._audio import AudioOutput, FileWriter, SubprocessPlayer
from desktop_app.speech._factory import create_speaker
from desktop_app.speech._render import Pyttsx3Synthesizer, RenderingBackend, Synthesizer
from desktop_app.speech._screen_reader import NvdaBackend, SpeechDispatcherBackend
from desktop_app.speech._splitter import SentenceSplitter
from desktop_app.speech._streaming import StreamingSpeech
from desktop_app.speech._threaded import Backend, ThreadedSpeaker

__all__ = [
    "AudioOutput",
    "Backend",
    "FileWriter",
    "NvdaBackend",
    "Pyttsx3Synthesizer",
    "RenderingBackend",
    "SentenceSplitter",
    "SilentSpeaker",
    "Speaker",
    "SpeechDispatcherBackend",
    "StreamingSpeech",
    "SubprocessPlayer",
    "Synthesizer",
    "ThreadedSpeaker",
    "create_speaker",
]
