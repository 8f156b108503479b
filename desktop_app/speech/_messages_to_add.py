"""Speech strings to move into `desktop_app.core.messages` (then import them from there).

Each is a `{details}` for `messages.STATUS_SPEECH_PROBLEM` ("Speech is off: {details}"), so it
starts in lower case and ends with a full stop.
"""

from __future__ import annotations

# --- speech (the `problem` of a silent speaker) ----------------------------------------------
# pyttsx3 (or another Python package speech needs) is not installed.
SPEECH_NEEDS_PACKAGE = "the Python package {package} is not installed."
# pyttsx3 is there but the espeak-ng library it drives on Linux is not.
SPEECH_NO_ESPEAK = (
    "the espeak-ng speech engine is not installed. Install the system package libespeak-ng1."
)
# The speech engine raised while starting; {reason} is the first line of the error.
SPEECH_ENGINE_FAILED = "the speech engine could not start ({reason})."
# The engine started but then failed while speaking.
SPEECH_FAILED = "the speech engine stopped working ({reason})."
# No aplay, paplay, pw-play or play (Linux), afplay (macOS) to play the voice with.
SPEECH_NO_PLAYER = "no program to play sound was found. Install the system package alsa-utils."
# The sound player failed (no sound card, audio server down); {reason} is its own message.
SPEECH_NO_SOUND = "sound could not be played ({reason})."
# --speak-to-files DIR cannot be written.
SPEECH_FILES_UNWRITABLE = "speech files cannot be written to {path} ({reason})."
