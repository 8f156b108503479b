"""A byte-level BPE as large as SmolLM2's, trained offline on the Python standard library.

Real-shape models (`random_models.build_real_shape_model`) time prompts, so their tokenizer
must cut text into about as many tokens as SmolVLM's real one: SmolLM2's 49,152-entry BPE,
trained on English web text and code, about 4 characters a token on English. Nothing may be
downloaded, so the corpus is text that every Python which runs Iris's tests has: the
standard library's source, whose docstrings and comments are English prose and the rest
code (`pydoc_data/topics.py` alone is 0.7 MB of Python's reference manual), plus the small
built-in `CORPUS`. Files are read in sorted path order up to CORPUS_BYTES (about 8.6 MB
from 389 files on Python 3.11), skipping what some distributions leave out or split off
(tests, site-packages, idlelib, tkinter, lib2to3, distutils, ensurepip, turtledemo), the
code-page tables in `encodings` and the machine-specific `_sysconfigdata*`. Pre-tokenizing
is SmolLM2's (each digit alone, then GPT-2's byte-level split). The result: about 4.1 to 4.4
characters a token on English descriptions, 3.3 on the text reader's screen lines.

Training is deterministic for a given corpus and tokenizers version and takes 2 to 3.5 s (on
two busy cores), so the tokenizer.json (1.6 MB) is cached in `$XDG_CACHE_HOME/iris-testing`
(else `~/.cache/iris-testing`), named by a digest of the corpus files' names and sizes and the
settings; loading it takes 0.3 s. Where that folder cannot be written the tokenizer is
trained in memory, once per process.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sysconfig
import tempfile
from functools import lru_cache
from pathlib import Path

from desktop_app.testing._tokenizer import CORPUS

SourceFile = tuple[str, Path, int]
"""A corpus file: its name relative to the standard library's folder, its path, its size."""

CORPUS_BYTES = 12 * 2**20
"""At most this much standard-library source goes into the training text."""
CACHE_FORMAT = 1
"""Bump when the training recipe changes, so that older cached files are not used."""
_SKIPPED_FOLDERS = frozenset(
    {
        "site-packages",
        "dist-packages",
        "__pycache__",
        "test",
        "tests",
        "idlelib",
        "tkinter",
        "lib2to3",
        "distutils",
        "ensurepip",
        "turtledemo",
        "encodings",
        "__phello__",
    }
)


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/iris-testing` when that is an absolute path, else
    `~/.cache/iris-testing`."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "iris-testing"


def corpus_files(budget: int = CORPUS_BYTES) -> list[SourceFile]:
    """The standard library's source files in the corpus, in sorted order, as many as fit in
    `budget` bytes."""
    root = Path(sysconfig.get_paths()["stdlib"])
    found: list[SourceFile] = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in _SKIPPED_FOLDERS]
        for name in names:
            path = Path(folder, name)
            if name.endswith(".py") and not name.startswith("_sysconfigdata") and path.is_file():
                found.append((path.relative_to(root).as_posix(), path, path.stat().st_size))
    found.sort()
    chosen: list[SourceFile] = []
    used = 0
    for name, path, size in found:
        if used + size > budget:
            break
        chosen.append((name, path, size))
        used += size
    return chosen


def cache_key(leading: tuple[str, ...], vocab_size: int, files: list[SourceFile]) -> str:
    """A digest of the settings and of the corpus files' names and sizes."""
    import tokenizers

    settings = {
        "format": CACHE_FORMAT,
        "tokenizers": tokenizers.__version__,
        "python": platform.python_version(),
        "leading": list(leading),
        "vocab_size": vocab_size,
        "corpus": hashlib.sha256(CORPUS.encode()).hexdigest(),
        "files": [[name, size] for name, _, size in files],
    }
    return hashlib.sha256(json.dumps(settings).encode()).hexdigest()[:24]


def train(leading: tuple[str, ...], vocab_size: int, files: list[SourceFile]) -> str:
    """A byte-level BPE of at most `vocab_size` entries (`leading` special tokens first),
    trained on CORPUS and `files`, as tokenizer.json text."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(leading),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    texts = [CORPUS]
    for _, path, _ in files:
        try:
            texts.append(path.read_bytes().decode("utf-8", errors="replace"))
        except OSError:
            continue
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return str(tokenizer.to_str())


def load_or_train(
    leading: tuple[str, ...], vocab_size: int, folder: Path, *, budget: int = CORPUS_BYTES
) -> str:
    """The trained tokenizer.json text (corpus: `budget` bytes of source at most): read from
    `folder` if cached there, else trained and stored there when `folder` can be written."""
    files = corpus_files(budget)
    path = folder / f"stdlib-bpe-{cache_key(leading, vocab_size, files)}.json"
    try:
        text = path.read_text(encoding="utf-8")
        json.loads(text)
        return text
    except (OSError, ValueError):
        pass
    text = train(leading, vocab_size, files)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # not writable: trained in memory, and again next time
    return text


@lru_cache(maxsize=4)
def trained_json(leading: tuple[str, ...], vocab_size: int) -> str:
    """`load_or_train` with the default cache folder, once per process."""
    return load_or_train(leading, vocab_size, cache_dir())
