"""The models Iris knows by name, with what they cost, and the default for this computer.

Sizes are the published safetensors downloads, rounded; memory is what loading needs with
Iris's default precision for the device (int8 on CPU, bf16 on a GPU), rounded up. The `cpu_`
figures are measured by Iris's benchmark (benchmarks/, docs/performance.md) on random weights
of the model's exact shape, on MEASURED_CORES cores with int8 weights; engine/models/choice.py
picks the "auto" model from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.core import messages
from desktop_app.core.i18n import N_
from desktop_app.core.languages import ENGLISH_CODE
from desktop_app.settings import DEFAULT_MODEL

MEASURED_CORES = 2
"""Cores of the machine the `cpu_` figures were measured on."""
ENGLISH_ONLY = (ENGLISH_CODE,)
"""The languages of a model whose card says "Language(s): English" (SmolVLM, SmolVLM2, the
Idefics models): it may answer in English whatever language it is asked for."""
MEASURED_WIDE_VECTORS = False
"""Whether the `cpu_` figures were taken with AVX-512 kernels. They were not: torch's kernels
were held to AVX2 (docs/performance-avx2-kernels.md), as most laptops have."""


@dataclass(frozen=True)
class CatalogueEntry:
    """One checkpoint Iris has been written and tested for."""

    hub_id: str
    family: str
    parameters: str
    download_gb: float
    memory_gb: float
    licence: str
    note: str
    """Shown in `iris models list` (marked for translation; "GPU needed" also decides)."""
    revision: str | None = None
    """A Hub commit to load instead of the newest on `main`: set it to the commit Iris was
    tested with. None (every entry so far: the commits could not be looked up where this
    catalogue was written) pins the commit of `main` at the time of the first download, which
    Iris then records and keeps using (see engine/models/revisions.py)."""
    quality: int = 0
    """Higher gives better answers (by the models' published benchmarks); used to choose."""
    strength: str = ""
    """What the model is good at, in words for the sentence that explains a choice."""
    cpu_tokens_per_s: float | None = None
    """Tokens a second while answering on MEASURED_CORES cores; None: not measured."""
    cpu_memory_gb: float | None = None
    """The model's process with the model loaded from the int8 cache, in GB."""
    cpu_peak_gb: float | None = None
    """The most memory the first load takes (quantizing, int8 cache cold), in GB."""
    cpu_first_words_s: float | None = None
    """Seconds from the capture to the first words of a description of a 1920x1080 screen on
    MEASURED_CORES cores, on the default path (grounding on): benchmarks/grounding.py's
    typical figure; None: not measured."""
    languages: tuple[str, ...] | None = None
    """The languages the model card says it was trained for (codes); None: unknown."""

    @property
    def name(self) -> str:
        """The part of the Hub id after the organisation."""
        return self.hub_id.split("/")[-1]

    @property
    def english_only(self) -> bool:
        """True where the model card names English as the model's only language."""
        return self.languages == (ENGLISH_CODE,)

    @property
    def needs_gpu(self) -> bool:
        """True where the note says "GPU needed": too big or too slow to offer on a CPU."""
        return "gpu needed" in self.note.casefold()


CATALOGUE: tuple[CatalogueEntry, ...] = (
    CatalogueEntry(
        DEFAULT_MODEL,
        "idefics3",
        "256M",
        0.5,
        1.0,
        "Apache-2.0",
        N_("default on CPU; fastest"),
        quality=1,
        strength=messages.STRENGTH_FASTEST,
        # docs/performance-avx2-kernels.md: benchmarks/large_model.py, benchmarks/grounding.py
        cpu_tokens_per_s=44.8,  # 22.3 ms a token
        cpu_memory_gb=0.76,  # 726 MiB with torch's CUDA build (its CPU build: ~0.15 GB less)
        cpu_peak_gb=0.79,  # 748 MiB: the first load, layer by layer
        cpu_first_words_s=1.29,
        languages=ENGLISH_ONLY,
    ),
    CatalogueEntry(
        "HuggingFaceTB/SmolVLM-500M-Instruct",
        "idefics3",
        "507M",
        1.0,
        1.5,
        "Apache-2.0",
        N_("better answers, still quick on CPU"),
        quality=2,
        strength=messages.STRENGTH_BETTER,
        cpu_tokens_per_s=28.4,  # 35.2 ms a token
        cpu_memory_gb=0.95,  # 906 MiB
        cpu_peak_gb=0.98,  # 931 MiB
        cpu_first_words_s=1.63,
        languages=ENGLISH_ONLY,
    ),
    CatalogueEntry(
        "HuggingFaceTB/SmolVLM-Instruct",
        "idefics3",
        "2.2B",
        4.5,
        5.5,
        "Apache-2.0",
        N_("default on a GPU with 6 GB free"),
        quality=3,
        strength=messages.STRENGTH_BEST_SMALL,
        cpu_tokens_per_s=15.7,  # 63.6 ms a token
        cpu_memory_gb=2.71,  # 2584 MiB
        cpu_peak_gb=2.74,  # 2608 MiB: the first load, layer by layer
        cpu_first_words_s=5.21,
        languages=ENGLISH_ONLY,
    ),
    CatalogueEntry(
        "HuggingFaceTB/SmolVLM2-256M-Video-Instruct",
        "smolvlm",
        "256M",
        0.5,
        1.0,
        "Apache-2.0",
        N_("SmolVLM2, small"),
        languages=ENGLISH_ONLY,
    ),
    CatalogueEntry(
        "HuggingFaceTB/SmolVLM2-500M-Video-Instruct",
        "smolvlm",
        "507M",
        1.0,
        1.5,
        "Apache-2.0",
        N_("SmolVLM2, medium"),
        languages=ENGLISH_ONLY,
    ),
    CatalogueEntry(
        "HuggingFaceTB/SmolVLM2-2.2B-Instruct",
        "smolvlm",
        "2.2B",
        4.5,
        5.5,
        "Apache-2.0",
        N_("SmolVLM2, GPU recommended"),
        languages=ENGLISH_ONLY,
    ),
    CatalogueEntry(
        "HuggingFaceM4/Idefics3-8B-Llama3",
        "idefics3",
        "8.5B",
        17.0,
        19.0,
        "Apache-2.0",
        N_("default on a GPU with 20 GB free"),
        languages=ENGLISH_ONLY,
    ),
    CatalogueEntry(
        "HuggingFaceM4/idefics2-8b",
        "idefics2",
        "8B",
        16.0,
        18.0,
        "Apache-2.0",
        N_("GPU needed"),
        languages=ENGLISH_ONLY,
    ),
    CatalogueEntry(
        "HuggingFaceM4/idefics-9b-instruct",
        "idefics",
        "9B",
        18.0,
        20.0,
        "LLaMA licence (research)",
        N_("the first IDEFICS, instruct; GPU needed"),
        languages=ENGLISH_ONLY,
    ),
    CatalogueEntry(
        "HuggingFaceM4/idefics-9b",
        "idefics",
        "9B",
        18.0,
        20.0,
        "LLaMA licence (research)",
        N_("the first IDEFICS, base model (captions, few-shot)"),
        languages=ENGLISH_ONLY,
    ),
    CatalogueEntry(
        "llava-hf/llava-interleave-qwen-0.5b-hf",
        "llava",
        "0.9B",
        1.8,
        2.5,
        "Tongyi Qianwen research licence",
        N_("LLaVA with a Qwen text model"),
    ),
)

_GPU_DEFAULTS = (
    (20.0, "HuggingFaceM4/Idefics3-8B-Llama3"),
    (6.0, "HuggingFaceTB/SmolVLM-Instruct"),
)


def find(hub_id: str) -> CatalogueEntry | None:
    """The catalogue entry for a Hub id (case-insensitive), if Iris knows it."""
    wanted = hub_id.casefold()
    return next((e for e in CATALOGUE if e.hub_id.casefold() == wanted), None)


def english_only(model: str) -> bool:
    """Whether the catalogue knows `model` (a Hub id) as English-only; False for a model it
    does not know (a folder, another Hub id: its languages are unknown)."""
    entry = find(model)
    return entry is not None and entry.english_only


def smallest() -> CatalogueEntry:
    """The model that needs the least memory (the first listed, where several tie)."""
    return min(CATALOGUE, key=lambda entry: entry.memory_gb)


def pinned_revision(hub_id: str) -> str | None:
    """The commit the catalogue pins for `hub_id`, if it knows the model and pins one."""
    entry = find(hub_id)
    return entry.revision if entry is not None else None


def default_model(gpu_free_gb: float | None) -> str:
    """SmolVLM-256M on CPU; bigger SmolVLM/Idefics3 when a GPU has room for them."""
    if gpu_free_gb is not None:
        for needed, hub_id in _GPU_DEFAULTS:
            if gpu_free_gb >= needed:
                return hub_id
    return DEFAULT_MODEL
