"""The language table: codes and names of the answer language, the prompt's instruction, and
which catalogue models are English-only."""

from __future__ import annotations

import pytest

from desktop_app.core.languages import answer_language, find_language, primary_code
from desktop_app.engine.models.catalogue import CATALOGUE, english_only, find
from desktop_app.engine.tasks import ANSWER_IN, describe_prompt, language_instruction
from desktop_app.settings import DescriptionStyle


@pytest.mark.parametrize(
    "typed", ["de", "DE", "German", "german", "Deutsch", " deutsch ", "de-AT", "de_DE.UTF-8"]
)
def test_codes_english_names_and_own_names_find_the_same_language(typed: str) -> None:
    found = find_language(typed)
    assert found is not None
    assert (found.code, found.name, found.native) == ("de", "German", "Deutsch")


@pytest.mark.parametrize(
    ("typed", "code"),
    [("français", "fr"), ("Spanish", "es"), ("pt-BR", "pt"), ("no", "nb"), ("日本語", "ja")],
)
def test_other_languages_and_aliases(typed: str, code: str) -> None:
    found = find_language(typed)
    assert found is not None and found.code == code


@pytest.mark.parametrize("typed", ["", "  ", "Plattdeutsch", "xx", "Klingon-ish"])
def test_unknown_text_is_not_a_language_of_the_table(typed: str) -> None:
    assert find_language(typed) is None


def test_primary_code_of_tags() -> None:
    assert [primary_code(t) for t in ("de-DE", "de_AT.UTF-8", "EN", " fr ")] == [
        "de",
        "de",
        "en",
        "fr",
    ]


def test_empty_setting_means_the_interface_language() -> None:
    german = answer_language("", "de")
    assert (german.name, german.code, german.own_name) == ("German", "de", "Deutsch")
    assert not german.is_english
    assert answer_language("  ", "en").is_english
    assert answer_language("", "xx").is_english  # an interface language the table lacks


def test_a_typed_language_wins_over_the_interface_language() -> None:
    assert answer_language("Deutsch", "fr").name == "German"
    assert answer_language("fr", "de").code == "fr"
    typed = answer_language(" Plattdeutsch ", "en")
    assert (typed.name, typed.code, typed.own_name) == ("Plattdeutsch", None, "Plattdeutsch")
    assert not typed.is_english


def test_the_instruction_names_the_language_and_keeps_screen_text_as_written() -> None:
    instruction = language_instruction("German")
    assert instruction == ANSWER_IN.format(language="German")
    assert "Answer in German." in instruction
    assert "exactly as written" in instruction and "without translating" in instruction


@pytest.mark.parametrize("language", ["Deutsch", "de", " german "])
def test_the_model_is_told_a_language_in_english_words(language: str) -> None:
    assert language_instruction(language) == language_instruction("German")


@pytest.mark.parametrize("language", ["", "English", "en", "english"])
def test_english_needs_no_instruction(language: str) -> None:
    assert language_instruction(language) == ""
    assert "Answer in" not in describe_prompt(DescriptionStyle.SHORT, "", language)


def test_describe_prompt_ends_with_the_instruction_whatever_the_style() -> None:
    for style, custom in ((DescriptionStyle.SHORT, ""), (DescriptionStyle.CUSTOM, "Be brief.")):
        prompt = describe_prompt(style, custom, "French")
        assert prompt.endswith(language_instruction("French"))
        assert prompt.count("Answer in") == 1


@pytest.mark.parametrize(
    "hub_id",
    [
        "HuggingFaceTB/SmolVLM-256M-Instruct",
        "HuggingFaceTB/SmolVLM-500M-Instruct",
        "HuggingFaceTB/SmolVLM-Instruct",
        "HuggingFaceM4/Idefics3-8B-Llama3",
    ],
)
def test_smolvlm_and_idefics_are_english_only(hub_id: str) -> None:
    entry = find(hub_id)
    assert entry is not None and entry.english_only and entry.languages == ("en",)
    assert english_only(hub_id.lower())


def test_models_of_unknown_languages_are_not_called_english_only() -> None:
    unknown = [entry.hub_id for entry in CATALOGUE if entry.languages is None]
    assert unknown == ["llava-hf/llava-interleave-qwen-0.5b-hf"]
    assert not english_only(unknown[0])
    assert not english_only("/home/me/models/my-own-model")  # a custom model: unknown


def test_models_list_says_each_models_languages() -> None:
    from desktop_app.cli.models import catalogue_table
    from desktop_app.core import messages

    lines = catalogue_table().splitlines()
    start = lines[0].index("LANGUAGES")  # the columns are aligned
    cells = {line.split()[0]: line[start:].split()[0] for line in lines[1:]}
    assert cells["HuggingFaceTB/SmolVLM-256M-Instruct"] == "English"
    assert cells["llava-hf/llava-interleave-qwen-0.5b-hf"] == messages.MODEL_LANGUAGES_UNKNOWN
