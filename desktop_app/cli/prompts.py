"""`iris prompts list|export FILE|import FILE`: the saved prompts on the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_app.core import messages
from desktop_app.core.actions import readable_keys
from desktop_app.settings import (
    SavedPrompt,
    export_prompts,
    import_prompts,
    load_settings,
    merged,
    save_settings,
)
from desktop_app.settings.schema import Schema

_FIELDS = Schema(SavedPrompt)


def run_prompts(args: argparse.Namespace) -> int:
    """List, export or import the saved prompts."""
    settings = load_settings()
    if args.prompts_command == "list":
        print(prompts_table(settings.prompts))
        return 0
    path = Path(args.file).expanduser()
    if args.prompts_command == "export":
        export_prompts(path, settings.prompts)
        print(messages.PROMPTS_EXPORTED.format(count=len(settings.prompts), path=path))
        return 0
    added = import_prompts(path)
    save_settings(settings.with_changes(prompts=merged(settings.prompts, added)))
    print(messages.PROMPTS_IMPORTED_SAVED.format(count=len(added), path=path))
    return 0


def prompts_table(prompts: tuple[SavedPrompt, ...]) -> str:
    """One prompt a line: name, hotkey and what it looks at, separated by tabs."""
    if not prompts:
        return messages.PROMPTS_NONE
    targets = _FIELDS["target"].choice_labels
    return "\n".join(
        f"{prompt.name}\t{readable_keys(prompt.hotkey)}\t{targets[prompt.target]}"
        for prompt in prompts
    )
