"""The notice that an English-only model may answer in English, said once a session."""

from __future__ import annotations

from collections.abc import Callable

from desktop_app.core import messages
from desktop_app.core.languages import AnswerLanguage
from desktop_app.engine.models.catalogue import english_only, find


class EnglishOnlyNotice:
    """Tells the user, once a session for each model, that a model whose catalogue entry says
    English-only may answer in English when answers are asked for in another language."""

    def __init__(self, announce: Callable[[str], None]) -> None:
        self._announce = announce
        self._told: set[str] = set()

    def check(self, language: AnswerLanguage, model: str | None) -> bool:
        """Say the notice if `model` (a Hub id; None: a server's, unknown) is English-only,
        `language` is not English and it was not said yet; True when it was said now."""
        if language.is_english or model is None or not english_only(model):
            return False
        key = model.casefold()
        if key in self._told:
            return False
        self._told.add(key)
        entry = find(model)
        name = entry.name if entry is not None else model
        self._announce(messages.ENGLISH_ONLY_MODEL.format(model=name, language=language.own_name))
        return True
