"""Choosing Iris's own voice by language, from the voice list pyttsx3 gives on each platform.

Each driver describes a voice differently; only `id` and `languages` are used, so one rule
serves them all:

- espeak-ng: `id` "gmw/de" (its voice file), `languages` ["de"] (older pyttsx3: [b"\\x05de"],
  the priority byte first).
- SAPI5 (Windows): `id` the registry token, "...\\Tokens\\TTS_MS_DE-DE_HEDDA_11.0",
  `languages` ["de-DE"] (older pyttsx3: none, so the tag in the id is used).
- NSSpeechSynthesizer and AVSpeechSynthesizer (macOS): `id`
  "com.apple.voice.compact.de-DE.Anna" or "com.apple.speech.synthesis.voice.anna",
  `languages` ["de_DE"] or ["de-DE"].
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_EQUIVALENT = {"zh": {"zh", "cmn", "yue"}, "nb": {"nb", "no", "nn"}, "he": {"he", "iw"}}
"""Codes voices use for a language the language table names otherwise."""

_TAG_IN_ID = re.compile(r"(?<![a-z])([a-z]{2,3})[-_]([a-z]{2})(?![a-z])")
"""A language tag inside a voice id: "de-DE" in "TTS_MS_DE-DE_HEDDA_11.0"."""

_MBROLA = re.compile(r"(^|/)mb[-/]")
"""espeak-ng's MBROLA voices, which speak only where the separate mbrola program is installed."""


def normalised_tag(value: object) -> str:
    """A voice's language as a lower-case tag with hyphens ("de-de"); bytes decoded, a leading
    priority byte (espeak) dropped; "" when nothing is left."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="ignore")
    text = str(value).strip().lstrip("".join(map(chr, range(32)))).casefold()
    return text.replace("_", "-")


def voice_tags(voice: Any) -> list[str]:
    """The language tags a voice speaks: its `languages`, and what its id says."""
    tags = [normalised_tag(each) for each in (getattr(voice, "languages", None) or [])]
    voice_id = str(getattr(voice, "id", "") or "").casefold()
    last = re.split(r"[/\\]", voice_id)[-1]
    if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]+)*", last):
        tags.append(last)
    tags += [f"{match[0]}-{match[1]}" for match in _TAG_IN_ID.findall(voice_id)]
    return [tag for tag in tags if tag]


def _primary(tag: str) -> str:
    return tag.split("-")[0]


def _same_language(tag: str, wanted: str) -> bool:
    primary, want = _primary(tag), _primary(wanted)
    return primary == want or primary in _EQUIVALENT.get(want, ())


def _closeness(tag: str, wanted: str) -> int | None:
    """0: the very tag; 1: the language with no region; 2: the language in some region;
    None: another language."""
    if tag == wanted:
        return 0
    if not _same_language(tag, wanted):
        return None
    return 1 if "-" not in tag else 2


def voice_for_language(voices: Iterable[Any], language: str) -> str | None:
    """The id of the voice in `voices` (pyttsx3 Voice objects, or alike) that best speaks
    `language` (a code or tag: "de", "pt-BR"), or None when none does. The closest tag
    wins, then a voice that needs nothing more installed, then the first listed."""
    wanted = normalised_tag(language)
    if not wanted:
        return None
    best: tuple[int, int, int] | None = None
    chosen: str | None = None
    for index, voice in enumerate(voices):
        ranks = [r for r in (_closeness(tag, wanted) for tag in voice_tags(voice)) if r is not None]
        if not ranks:
            continue
        voice_id = str(voice.id)
        score = (min(ranks), 1 if _MBROLA.search(voice_id.casefold()) else 0, index)
        if best is None or score < best:
            best, chosen = score, voice_id
    return chosen
