"""Settings samples shared by the settings tests (the file's and the dialog's)."""

from __future__ import annotations

from desktop_app.core.actions import DEFAULT_HOTKEYS
from desktop_app.settings import (
    AppSettings,
    DescriptionStyle,
    DeviceChoice,
    EngineSettings,
    Quantization,
    ServerSettings,
    SpeechOutput,
    SpeechSettings,
)

CHANGED = AppSettings(
    engine=EngineSettings(
        model="/models/smol", quantization=Quantization.INT8, device=DeviceChoice.CPU,
        longest_edge=1024, split_image=True, max_new_tokens=400, threads=4,
    ),
    server=ServerSettings(
        url="https://gpu-box:8443", model="qwen", connect_timeout_s=7.0, stall_timeout_s=300.0,
        approved_hosts=("gpu-box:8443",),
    ),
    speech=SpeechSettings(
        enabled=False, voice="en-gb", rate_wpm=260, volume=0.8, output=SpeechOutput.OWN_VOICE
    ),
    hotkeys={**DEFAULT_HOTKEYS, "repeat": "ctrl+alt+f9"},
    style=DescriptionStyle.CUSTOM,
    custom_prompt="Say only the colours.",
    answer_language="French",
    keep_in_tray=False,
    all_monitors=True,
)  # fmt: skip
"""Settings with a value other than the default in every field the tests spoil."""
