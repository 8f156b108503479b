"""The "auto" model: the catalogue's measured model with the best answers that keeps up with
speech and fits in the memory free (engine/models/choice.py)."""

from __future__ import annotations

import argparse
from dataclasses import replace

import pytest

from desktop_app.core import messages
from desktop_app.engine.models import choice
from desktop_app.engine.models.catalogue import CATALOGUE, find
from desktop_app.engine.models.choice import (
    Computer,
    concrete,
    first_words_s,
    recommend,
    words_per_s,
)
from desktop_app.engine.models.memory import GB, MARGIN_BYTES
from desktop_app.settings import AUTO_MODEL, DEFAULT_MODEL, EngineSettings

MEASURED = [entry for entry in CATALOGUE if entry.cpu_tokens_per_s is not None]
BEST = max(MEASURED, key=lambda entry: entry.quality)


def roomy(cores: int = 2) -> Computer:
    return Computer(cores=cores, free_bytes=64 * GB, wide_vectors=False)


def test_the_catalogue_measures_more_than_the_smallest_model() -> None:
    assert len(MEASURED) >= 2 and BEST.hub_id != DEFAULT_MODEL
    for entry in MEASURED:
        assert entry.cpu_memory_gb is not None and entry.cpu_peak_gb is not None
        assert entry.cpu_first_words_s is not None and entry.cpu_first_words_s > 0
        assert entry.strength


def test_with_room_and_speed_the_best_measured_model_is_picked() -> None:
    picked = recommend(roomy())
    assert picked.entry == BEST
    assert picked.words_per_s == pytest.approx(words_per_s(BEST, roomy()))
    assert picked.first_words_s == pytest.approx(first_words_s(BEST, roomy()))
    assert picked.reason == messages.MODEL_CHOICE_REASON.format(
        model=BEST.name,
        strength=BEST.strength,
        words=round(picked.words_per_s or 0),
        seconds=picked.first_words_s,
        memory=BEST.cpu_memory_gb,
    )
    assert f"{BEST.cpu_first_words_s:.1f} seconds" in picked.reason  # 2 cores: as measured


def test_the_wait_for_the_first_words_grows_with_the_model_and_shrinks_with_cores() -> None:
    smallest = find(DEFAULT_MODEL)
    assert smallest is not None
    assert (first_words_s(smallest, roomy()) or 0) < (first_words_s(BEST, roomy()) or 0)
    one, two, four, many = (first_words_s(BEST, roomy(n)) for n in (1, 2, 4, 64))
    assert one is not None and two is not None and four is not None and many is not None
    assert one > two > four and many == pytest.approx(two / choice.MOST_CORES_COUNTED)


def test_a_model_whose_first_load_does_not_fit_is_not_picked() -> None:
    assert BEST.cpu_peak_gb is not None
    just_short = int(BEST.cpu_peak_gb * GB) + MARGIN_BYTES - 1
    picked = recommend(replace(roomy(), free_bytes=just_short))
    assert picked.entry != BEST
    assert recommend(replace(roomy(), free_bytes=just_short + 1)).entry == BEST


def test_a_model_slower_than_the_voice_is_not_picked() -> None:
    speed = words_per_s(BEST, roomy())
    assert speed is not None
    assert recommend(roomy(), needed_words_per_s=speed + 0.1).entry != BEST
    assert recommend(roomy(), needed_words_per_s=speed - 0.1).entry == BEST


def test_nothing_fits_picks_the_smallest_and_says_why() -> None:
    picked = recommend(Computer(cores=1, free_bytes=0, wide_vectors=False))
    assert picked.entry.hub_id == DEFAULT_MODEL
    assert picked.reason.endswith(messages.MODEL_CHOICE_ONLY_SMALLEST.split(". ")[-1])


def test_unknown_free_memory_picks_only_the_smallest() -> None:
    assert recommend(replace(roomy(), free_bytes=None)).entry.hub_id == DEFAULT_MODEL


def test_more_cores_are_faster_up_to_a_bound_and_one_core_slower() -> None:
    two, four, many = (words_per_s(BEST, roomy(n)) for n in (2, 4, 64))
    one = words_per_s(BEST, roomy(1))
    assert one is not None and two is not None and four is not None and many is not None
    assert one < two < four and many == pytest.approx(four * choice.MOST_CORES_COUNTED / 2)


def test_a_graphics_card_with_room_takes_the_gpu_default() -> None:
    picked = recommend(replace(roomy(), gpu_free_gb=24.0))
    assert picked.entry.hub_id != DEFAULT_MODEL and picked.words_per_s is None


def test_auto_becomes_the_recommended_model_and_other_models_stay() -> None:
    computer = roomy()
    assert concrete(EngineSettings(model=AUTO_MODEL), computer).model == BEST.hub_id
    assert concrete(EngineSettings(model=" Auto "), computer).model == BEST.hub_id
    assert concrete(EngineSettings(model="/some/folder"), computer).model == "/some/folder"


def test_the_command_line_resolves_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.cli.common import settings_from
    from desktop_app.cli.parser import build_parser

    monkeypatch.setattr(choice, "this_computer", roomy)
    args = build_parser().parse_args(["describe", "x.png", "--model", "auto"])
    assert isinstance(args, argparse.Namespace)
    assert settings_from(args).model == BEST.hub_id
    assert find(settings_from(args).model) == BEST


def test_models_list_says_the_recommendation_beside_the_table(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.cli.main import main

    monkeypatch.setattr(choice, "this_computer", roomy)
    assert main(["models", "list"]) == 0
    out, err = capsys.readouterr()
    reason = recommend(roomy()).reason
    assert err.strip() == messages.MODELS_RECOMMENDED_CLI.format(reason=reason)
    assert all(line.split()[0] for line in out.splitlines())  # one model a line
