"""Saved prompts in the settings file and in their export file: read entry by entry, a bad
entry told in one sentence and nothing else lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.core import messages
from desktop_app.core.errors import BadInputError
from desktop_app.settings import (
    AppSettings,
    PromptDetail,
    PromptTarget,
    SavedPrompt,
    export_prompts,
    find_prompt,
    import_prompts,
    load_settings_checked,
    merged,
    save_settings,
)
from desktop_app.settings.app_settings import to_json

MINE = SavedPrompt(
    "Menu check",
    "List the menu's items.",
    question="Which menu?",
    detail=PromptDetail.DETAILED,
    ground=False,
    target=PromptTarget.REGION,
    hotkey="ctrl+alt+shift+1",
)


def test_shipped_prompts_include_the_four_and_what_changed_compares() -> None:
    prompts = AppSettings().prompts
    names = [prompt.name for prompt in prompts]
    assert names == [
        messages.PROMPT_ALT_TEXT,
        messages.PROMPT_ERROR_DIALOG,
        messages.PROMPT_CHART,
        messages.PROMPT_WHAT_CHANGED,
    ]
    changed = find_prompt(prompts, messages.PROMPT_WHAT_CHANGED.upper())
    assert changed is not None and changed.target is PromptTarget.CHANGES


def test_settings_file_round_trip_keeps_every_field(tmp_path: Path) -> None:
    settings = AppSettings().with_changes(prompts=(MINE, *AppSettings().prompts))
    file = save_settings(settings, tmp_path / "settings.json")
    loaded = load_settings_checked(file)
    assert loaded.settings.prompts == settings.prompts
    assert loaded.reset == ()


def test_settings_file_with_bad_entries_keeps_the_good_ones(tmp_path: Path) -> None:
    data = to_json(AppSettings().with_changes(prompts=(MINE,)))
    good = data["prompts"][0]
    data["prompts"] = [
        {"name": "No instruction"},
        good,
        "not an object",
        {**good, "target": "the moon"},
        {**good, "name": "MENU CHECK"},  # same name as an earlier one
    ]
    file = tmp_path / "settings.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    loaded = load_settings_checked(file)
    assert loaded.settings.prompts == (MINE,)
    assert [reset.key for reset in loaded.reset] == [
        "prompts.1",
        "prompts.3",
        "prompts.4",
        "prompts.5",
    ]
    notice = loaded.notice()
    assert notice is not None and messages.PROMPT_FIELD_INSTRUCTION in notice
    assert loaded.settings.hotkeys == AppSettings().hotkeys  # the rest of the file is kept


def test_prompts_that_are_not_a_list_take_the_shipped_ones(tmp_path: Path) -> None:
    file = tmp_path / "settings.json"
    file.write_text(json.dumps({"prompts": {"name": "x"}, "keep_history": False}))
    loaded = load_settings_checked(file)
    assert loaded.settings.prompts == AppSettings().prompts
    assert loaded.settings.keep_history is False
    assert [reset.key for reset in loaded.reset] == ["prompts"]


def test_export_import_round_trip(tmp_path: Path) -> None:
    file = tmp_path / "prompts.json"
    prompts = (MINE, *AppSettings().prompts)
    export_prompts(file, prompts)
    document = json.loads(file.read_text(encoding="utf-8"))
    assert document["version"] == 1 and len(document["prompts"]) == len(prompts)
    assert import_prompts(file) == prompts


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"version": 1, "prompts": [', "line 1, column"),
        ('{"version": 2, "prompts": []}', "version 2"),
        ('["a list"]', '"version": 1'),
        ('{"version": 1, "prompts": "none"}', '"version": 1'),
        ('{"version": 1, "prompts": [{"name": "a", "instruction": "b"}, {"name": "c"}]}',
         "Prompt 2"),
        ('{"version": 1, "prompts": [{"name": "a", "instruction": "b", "ground": "yes"}]}',
         "Prompt 1"),
    ],
)  # fmt: skip
def test_bad_files_say_what_and_where_in_one_sentence(
    tmp_path: Path, content: str, says: str
) -> None:
    file = tmp_path / "prompts.json"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(BadInputError) as caught:
        import_prompts(file)
    message = caught.value.message
    assert says in message and str(file) in message
    assert message.count(". ") == 0 and message.endswith(".")


def test_a_missing_file_is_told(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="Cannot read"):
        import_prompts(tmp_path / "nope.json")


def test_merged_replaces_same_names_and_adds_the_rest() -> None:
    shipped = AppSettings().prompts
    renamed = SavedPrompt(shipped[0].name.lower(), "Other words.")
    result = merged(shipped, (renamed, MINE))
    assert result[0] == renamed and result[-1] == MINE
    assert len(result) == len(shipped) + 1
