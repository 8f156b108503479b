"""Answering "Where is …?" without the model: the thing is looked up by name in the
accessibility facts kept with the latest image, or else in the text the reader found on it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from desktop_app.core import messages
from desktop_app.core.accessible import AccessibleNode, Role, ScreenFacts
from desktop_app.core.reading import TextLine
from desktop_app.core.types import Rect
from desktop_app.engine.reading.grounding import thirds
from desktop_app.engine.reading.tree_grounding import on_picture

_QUESTION = re.compile(
    r"^\s*where(?:['\u2019]s|\s+is|\s+are)\s+(?P<thing>.+?)[\s?.!]*$", re.IGNORECASE
)
_ARTICLES = ("the ", "a ", "an ", "my ", "this ", "that ")
_ROLE_WORDS: dict[str, frozenset[Role]] = {
    **{role.value: frozenset({role}) for role in Role if role is not Role.OTHER},
    "button": frozenset({Role.BUTTON, Role.TOGGLE_BUTTON}),
    "checkbox": frozenset({Role.CHECK_BOX}),
    "field": frozenset({Role.TEXT_FIELD, Role.COMBO_BOX}),
    "box": frozenset({Role.TEXT_FIELD, Role.COMBO_BOX, Role.CHECK_BOX}),
    "icon": frozenset({Role.IMAGE, Role.BUTTON}),
    "picture": frozenset({Role.IMAGE}),
    "menu": frozenset({Role.MENU, Role.MENU_ITEM}),
    "tab": frozenset({Role.TAB}),
    "option": frozenset({Role.RADIO_BUTTON, Role.MENU_ITEM, Role.LIST_ITEM}),
}
"""Words at the end of the question that say which kind of object is meant."""
_BY_LENGTH = sorted(_ROLE_WORDS, key=len, reverse=True)
_QUOTED = re.compile(r"[\"\u201c\u2018']([^\"\u201d\u2019']+)[\"\u201d\u2019']")
WINDOW_SHARE = 0.9
"""A capture whose window fills this share of its width and height is of the window."""


@dataclass(frozen=True)
class Target:
    """What a where-question asks for: its words (lower case) and the roles it names."""

    words: str
    roles: frozenset[Role] = frozenset()


@dataclass(frozen=True)
class Located:
    """A thing found: its place on the image and on the desktop, and how to name it."""

    on_image: Rect
    what: str
    """WHERE_ITEM or WHERE_TEXT, filled in."""
    on_desktop: Rect | None = None


def where_target(question: str) -> Target | None:
    """The thing a "Where is …?", "Where's …" or "Where are …" question asks for; None for any
    other question, or one that names only a kind of object."""
    match = _QUESTION.match(question.strip().splitlines()[0] if question.strip() else "")
    if match is None:
        return None
    thing = match.group("thing").strip()
    quoted = _QUOTED.search(thing)
    if quoted is not None:  # 'the "Save" button': the quoted words, roles from the rest
        rest = (thing[: quoted.start()] + " " + thing[quoted.end() :]).casefold()
        words = " ".join(quoted.group(1).casefold().split())
        roles = next(
            (_ROLE_WORDS[w] for w in _BY_LENGTH if re.search(rf"(?<!\w){w}(?!\w)", rest)),
            frozenset(),
        )
        return Target(words, roles) if words else None
    lowered = " ".join(thing.casefold().split())
    for article in _ARTICLES:
        if lowered.startswith(article):
            lowered = lowered[len(article) :]
            break
    roles = frozenset()
    for word in _BY_LENGTH:
        if lowered == word or lowered.endswith(" " + word):
            roles = _ROLE_WORDS[word]
            lowered = lowered[: -len(word)].strip()
            break
    if not lowered:
        return None  # "Where is the button?" names no thing: the model answers
    return Target(lowered, roles)


def find_node(facts: ScreenFacts, size: tuple[int, int], target: Target) -> Located | None:
    """The object of the facts (the tree's, or the item and its containers) that best
    matches `target` and is on the picture, or None."""
    nodes: list[AccessibleNode] = list(facts.tree.nodes) if facts.tree is not None else []
    if facts.item is not None:
        nodes += [facts.item.node, *reversed(facts.item.ancestors)]
    best: tuple[int, AccessibleNode, Rect] | None = None
    for node in nodes:
        part = on_picture(facts, node.rect, size)
        if part is None:
            continue
        score = _score(node.name, target.words)
        if score and node.role in target.roles:
            score += 1
        if score and (best is None or score > best[0]):
            best = (score, node, part)
    if best is None:
        return None
    _, node, part = best
    role = messages.ROLE_WORDS.get(node.role_words, node.role_words)
    what = messages.WHERE_ITEM.format(name=node.name.strip(), role=role)
    return Located(part, what, node.rect)


def find_text(lines: Sequence[TextLine], target: Target) -> Located | None:
    """The line the reader found that best matches `target`, or None."""
    if not target.words:
        return None
    best: tuple[int, TextLine] | None = None
    for line in lines:
        score = _score(line.text, target.words)
        if score and (best is None or score > best[0]):
            best = (score, line)
    if best is None:
        return None
    line = best[1]
    return Located(line.box, messages.WHERE_TEXT.format(text=line.text))


def _score(text: str, words: str) -> int:
    """3: the same words; 2: the words inside it; 0: neither (case ignored)."""
    found = " ".join(text.casefold().split())
    if not words or not found:
        return 0
    if found == words or found.rstrip(".:…") == words:
        return 3
    return 2 if re.search(rf"(?<!\w){re.escape(words)}(?!\w)", found) else 0


def where_answer(
    located: Located, facts: ScreenFacts | None, image: Any
) -> tuple[str, Rect | None]:
    """The sentence that says where `located` is, and its place on the desktop (None for a
    picture without facts)."""
    size = (int(image.width), int(image.height))
    if facts is None:
        row, column = thirds(located.on_image, *size)
        return _sentence(located, row, column, messages.WHERE_AREA_PICTURE), None
    x, y = facts.origin
    image_rect = located.on_image
    place = located.on_desktop or Rect(
        image_rect.x + x, image_rect.y + y, image_rect.width, image_rect.height
    )
    frame, area = _frame(facts, size)
    row, column = thirds(place, frame.width, frame.height, frame.x, frame.y)
    return _sentence(located, row, column, area), place


def _frame(facts: ScreenFacts, size: tuple[int, int]) -> tuple[Rect, str]:
    """The area positions are told in (desktop pixels) and its word: the window for a window
    capture or an item in a known window, the screen for a screen capture, else the picture."""
    x, y = facts.origin
    picture = Rect(x, y, size[0], size[1])
    window = None
    if facts.tree is not None:
        window = facts.tree.window.rect
        shown = on_picture(facts, window, size)
        if facts.of_window or (shown is not None and _fills(shown, size)):
            return picture, messages.WHERE_AREA_WINDOW
        return picture, messages.WHERE_AREA_SCREEN
    if facts.item is not None and facts.item.window is not None:
        window = facts.item.window.rect
    if window is not None:
        return window, messages.WHERE_AREA_WINDOW
    return picture, messages.WHERE_AREA_PICTURE


def _fills(shown: Rect, size: tuple[int, int]) -> bool:
    return shown.width >= WINDOW_SHARE * size[0] and shown.height >= WINDOW_SHARE * size[1]


def _sentence(located: Located, row: int, column: int, area: str) -> str:
    position = messages.POSITION.format(
        row=messages.POSITION_ROWS[row], column=messages.POSITION_COLUMNS[column]
    )
    return messages.WHERE_FOUND.format(what=located.what, position=position, area=area)


def latest_image(turns: Iterable[Any]) -> Any | None:
    """The last image of the conversation's turns, if any."""
    found = None
    for turn in turns:
        if turn.images:
            found = turn.images[-1]
    return found
