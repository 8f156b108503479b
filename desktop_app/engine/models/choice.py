"""Which catalogue model this computer runs best at the pace of speech: the "auto" model.

The catalogue records, for the models measured on Iris's benchmark machine (int8 weights,
catalogue.MEASURED_CORES cores), how many tokens a second they write, how long a description
waits for its first words and how much memory they need. From those, this computer's cores
and vector units, and the memory free now, Iris estimates each model's words a second here
and picks the one with the best answers that still keeps up with the voice reading them out
and fits in the memory free; the sentence that explains the choice also says the wait. With
a graphics card with room, the GPU defaults apply. Nothing here imports torch: the window asks
too.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from desktop_app.core import messages
from desktop_app.core.i18n import translate
from desktop_app.engine.models.catalogue import (
    CATALOGUE,
    MEASURED_CORES,
    MEASURED_WIDE_VECTORS,
    CatalogueEntry,
    default_model,
    find,
)
from desktop_app.engine.models.memory import GB, MARGIN_BYTES, available_memory_bytes
from desktop_app.settings import AUTO_MODEL, DEFAULT_MODEL, EngineSettings

TOKENS_PER_WORD = 1.3
"""Tokens an English word takes in SmolLM2's tokenizer, on average."""
MOST_CORES_COUNTED = 2.0
"""Decoding reads every weight for every token, so it is bound by memory bandwidth: more cores
than the benchmark's help little. At most this many times the measured speed is assumed."""
NARROW_VECTORS_FACTOR = 0.6
"""Without AVX-512 (most laptops) int8 matrix products run on AVX2: assumed this much slower
than where measured with it (never assumed faster where measured without it)."""
SPEECH_WORDS_PER_S = 3.0
"""The pace a description must keep up with when the user's own rate is unknown (180 words
a minute: a screen reader's default voice)."""


@dataclass(frozen=True)
class Computer:
    """What decides which model runs well here."""

    cores: int
    free_bytes: int | None
    """Memory a new process can use now; None when unknown."""
    wide_vectors: bool
    """AVX-512 (as on the benchmark machine)."""
    gpu_free_gb: float | None = None
    """Free memory of an NVIDIA graphics card, None without one."""


@dataclass(frozen=True)
class Recommendation:
    """The model picked for this computer, and the sentence that says why."""

    entry: CatalogueEntry
    words_per_s: float | None
    reason: str
    first_words_s: float | None = None
    """The estimated wait for a description's first words here; None on a graphics card."""


def this_computer() -> Computer:
    """This computer's cores, free memory and vector units (the GPU is asked only where
    nvidia-smi answers within a second)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return Computer(
        cores=cores or 1,
        free_bytes=available_memory_bytes(),
        wide_vectors=_has_wide_vectors(),
        gpu_free_gb=_nvidia_free_gb(),
    )


def speed_here(computer: Computer) -> float:
    """How many times the benchmark machine's speed `computer` is assumed to run a model."""
    scale = min(computer.cores / MEASURED_CORES, MOST_CORES_COUNTED)
    if MEASURED_WIDE_VECTORS and not computer.wide_vectors:
        scale *= NARROW_VECTORS_FACTOR
    return scale


def words_per_s(entry: CatalogueEntry, computer: Computer) -> float | None:
    """The words a second `entry` writes on `computer`, estimated from the benchmark's figure;
    None for a model not measured on a CPU."""
    if entry.cpu_tokens_per_s is None:
        return None
    return entry.cpu_tokens_per_s * speed_here(computer) / TOKENS_PER_WORD


def first_words_s(entry: CatalogueEntry, computer: Computer) -> float | None:
    """The seconds a description by `entry` waits for its first words on `computer` (a
    1920x1080 screen, grounding on), estimated from the benchmark's figure; None for a model
    not measured on a CPU."""
    if entry.cpu_first_words_s is None:
        return None
    return entry.cpu_first_words_s / speed_here(computer)


def fits(entry: CatalogueEntry, computer: Computer) -> bool:
    """Whether `entry` loads within the memory free (its first load's peak included)."""
    if computer.free_bytes is None:
        return entry.hub_id == DEFAULT_MODEL  # unknown: only the smallest is safe to pick
    need = entry.cpu_peak_gb if entry.cpu_peak_gb is not None else entry.memory_gb
    return int(need * GB) + MARGIN_BYTES <= computer.free_bytes


def recommend(computer: Computer, needed_words_per_s: float = SPEECH_WORDS_PER_S) -> Recommendation:
    """The measured model with the best answers that keeps up with `needed_words_per_s` and
    fits in `computer`'s free memory; the default model when none does."""
    gpu_pick = default_model(computer.gpu_free_gb)
    if gpu_pick != DEFAULT_MODEL:
        entry = find(gpu_pick)
        assert entry is not None
        reason = messages.MODEL_CHOICE_GPU.format(
            model=entry.name, strength=translate(entry.strength), memory=entry.memory_gb
        )
        return Recommendation(entry, None, reason)
    measured = [
        (entry, speed)
        for entry in CATALOGUE
        if (speed := words_per_s(entry, computer)) is not None and not entry.needs_gpu
    ]
    good = [(e, s) for e, s in measured if s >= needed_words_per_s and fits(e, computer)]
    if good:
        entry, speed = max(good, key=lambda pair: pair[0].quality)
        template = messages.MODEL_CHOICE_REASON
    else:
        smallest = find(DEFAULT_MODEL)
        assert smallest is not None
        entry = smallest
        speed = words_per_s(entry, computer) or 0.0
        template = messages.MODEL_CHOICE_ONLY_SMALLEST
    wait = first_words_s(entry, computer) or 0.0
    reason = template.format(
        model=entry.name,
        strength=translate(entry.strength),
        words=max(1, round(speed)),
        seconds=max(0.1, round(wait, 1)),
        memory=entry.cpu_memory_gb or entry.memory_gb,
    )
    return Recommendation(entry, speed, reason, wait)


def concrete(settings: EngineSettings, computer: Computer | None = None) -> EngineSettings:
    """`settings` with the "auto" model replaced by the model recommended for this computer
    (`computer`, measured now when None); any other model as it is."""
    if settings.model.strip().casefold() != AUTO_MODEL:
        return settings
    chosen = recommend(computer or this_computer()).entry
    return replace(settings, model=chosen.hub_id)


def _has_wide_vectors() -> bool:
    """AVX-512 on this CPU (Linux: /proc/cpuinfo); False where it cannot be told."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        with Path("/proc/cpuinfo").open(encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    return "avx512f" in line.split()
    except OSError:
        pass
    return False


def _nvidia_free_gb() -> float | None:
    """Free memory of the first NVIDIA GPU in GB (10**9 bytes), None without one."""
    import shutil
    import subprocess

    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        done = subprocess.run(
            [smi, "--query-gpu=memory.free", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=1.0,
            check=True,
        )
        mib = float(done.stdout.split()[0])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None
    return mib * 2**20 / GB
