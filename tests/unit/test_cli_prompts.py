"""`iris describe --prompt NAME` and `iris prompts` on a tiny random model: what reaches the
processor is checked (its text and images), never the model's words."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core import messages
from desktop_app.engine.local import families
from desktop_app.settings import (
    AppSettings,
    SavedPrompt,
    load_settings,
    save_settings,
    settings_path,
)
from desktop_app.settings.saved_prompts import WHAT_CHANGED
from tests.helpers.cli import run_cli

ASKING = SavedPrompt(
    "Form filler",
    "Say which fields of this form are still empty.",
    question="Which section of the form?",
    ground=False,
)
LANGUAGE = "Portuguese"


@dataclass
class ProcessorSpy:
    """What the model family handed the processor: each call's text and its images."""

    texts: list[str] = field(default_factory=list)
    image_counts: list[int] = field(default_factory=list)


class _Spying:
    def __init__(self, processor: Any, spy: ProcessorSpy) -> None:
        self._processor = processor
        self._spy = spy

    def __getattr__(self, name: str) -> Any:
        return getattr(self._processor, name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        text = kwargs.get("text")
        self._spy.texts.append(text if isinstance(text, str) else "\n".join(map(str, text)))
        images = kwargs.get("images") or []
        flat = [image for group in images for image in group] if images and isinstance(
            images[0], list) else list(images)  # fmt: skip
        self._spy.image_counts.append(len(flat))
        return self._processor(*args, **kwargs)


@pytest.fixture
def processor_spy(monkeypatch: pytest.MonkeyPatch) -> ProcessorSpy:
    spy = ProcessorSpy()
    original = families.ChatTemplateFamily.build_inputs

    def spied(self: Any, processor: Any, request: Any, images: list[Any]) -> Any:
        return original(self, _Spying(processor, spy), request, images)

    monkeypatch.setattr(families.ChatTemplateFamily, "build_inputs", spied)
    return spy


@pytest.fixture
def saved_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("IRIS_CONFIG_DIR", str(tmp_path / "config"))
    settings = AppSettings().with_changes(
        prompts=(ASKING, *AppSettings().prompts), answer_language=LANGUAGE
    )
    yield save_settings(settings)


def _describe(capsys: pytest.CaptureFixture[str], model: Path, *args: str) -> tuple[int, str]:
    code, _, err = run_cli(
        capsys, "describe", *args, "--model", str(model), "--max-new-tokens", "3", "--no-ground"
    )
    return code, err


def test_prompt_sends_its_instruction_and_the_users_answer(
    capsys: pytest.CaptureFixture[str],
    tiny_models: dict[str, Path],
    screenshot: Path,
    saved_settings: Path,
    processor_spy: ProcessorSpy,
) -> None:
    code, err = _describe(
        capsys, tiny_models["idefics3"], str(screenshot),
        "--prompt", "FORM FILLER", "--answer", "Delivery address",
    )  # fmt: skip
    assert code == 0, err
    assert len(processor_spy.texts) == 1
    sent = processor_spy.texts[0]
    assert ASKING.instruction in sent
    assert "Delivery address" in sent and ASKING.question in sent
    assert LANGUAGE in sent  # the answer language's instruction, as every description has
    assert processor_spy.image_counts == [1]


def test_what_changed_sends_both_images(
    capsys: pytest.CaptureFixture[str],
    tiny_models: dict[str, Path],
    screenshot: Path,
    photo: Path,
    saved_settings: Path,
    processor_spy: ProcessorSpy,
) -> None:
    code, err = _describe(
        capsys, tiny_models["idefics3"], str(photo), str(screenshot), "--prompt", "what changed"
    )
    assert code == 0, err
    assert processor_spy.image_counts == [2]
    assert WHAT_CHANGED in processor_spy.texts[0]
    assert messages.NO_PREVIOUS_CAPTURE not in err


def test_what_changed_with_one_image_says_so_and_describes_it(
    capsys: pytest.CaptureFixture[str],
    tiny_models: dict[str, Path],
    screenshot: Path,
    saved_settings: Path,
    processor_spy: ProcessorSpy,
) -> None:
    model = tiny_models["idefics3"]
    code, err = _describe(capsys, model, str(screenshot), "--prompt", "What changed")
    assert code == 0, err
    assert messages.NO_PREVIOUS_CAPTURE in err
    assert processor_spy.image_counts == [1]
    assert WHAT_CHANGED not in processor_spy.texts[0]


def test_unknown_prompt_lists_the_names_and_exits_as_bad_input(
    capsys: pytest.CaptureFixture[str], screenshot: Path, saved_settings: Path
) -> None:
    code, _, err = run_cli(capsys, "describe", str(screenshot), "--prompt", "nothing like it")
    assert code == 2
    assert "nothing like it" in err and ASKING.name in err and messages.PROMPT_CHART in err
    assert len(err.strip().splitlines()) == 1


def test_prompts_list_export_and_import(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, saved_settings: Path
) -> None:
    code, out, _ = run_cli(capsys, "prompts", "list")
    assert code == 0 and out.splitlines()[0].startswith(ASKING.name)
    exported = tmp_path / "mine.json"
    assert run_cli(capsys, "prompts", "export", str(exported))[0] == 0
    save_settings(AppSettings().with_changes(prompts=()))
    code, _, err = run_cli(capsys, "prompts", "import", str(exported))
    assert code == 0, err
    assert load_settings().prompts[0] == ASKING
    assert settings_path().parent == saved_settings.parent


def test_import_of_a_bad_file_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, saved_settings: Path
) -> None:
    before = saved_settings.read_text(encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "prompts": [{"name": "x"}]}', encoding="utf-8")
    code, _, err = run_cli(capsys, "prompts", "import", str(bad))
    assert code == 2 and "Prompt 1" in err
    assert saved_settings.read_text(encoding="utf-8") == before
