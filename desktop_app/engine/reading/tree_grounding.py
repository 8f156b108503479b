"""What the accessibility tree says about a captured image, written for the model's prompt,
and which parts of the image the tree has no text for (the text reader reads only those)."""

from __future__ import annotations

from desktop_app.core.accessible import (
    TEXTLESS_ROLES,
    AccessibleItem,
    AccessibleNode,
    Role,
    ScreenFacts,
)
from desktop_app.core.types import Rect
from desktop_app.engine import tasks
from desktop_app.engine.reading.grounding import place_words

LAYOUT_ROLES = frozenset({Role.GROUP, Role.SEPARATOR, Role.OTHER, Role.WINDOW})
"""Roles that only arrange other objects: told only when they have a name."""
CONTAINER_ROLES = frozenset(
    {
        Role.DOCUMENT,
        Role.DIALOG,
        Role.LIST,
        Role.TABLE,
        Role.TREE,
        Role.MENU_BAR,
        Role.MENU,
        Role.TAB_LIST,
        Role.TOOL_BAR,
        Role.STATUS_BAR,
    }
)
"""Containers worth naming around an item even without a name ("in a document")."""
TREE_CHARS = 1000
"""At most this much of the tree goes into a prompt (about 250 tokens): every token of it
lengthens the time to the first word."""
MIN_TEXT_SIZE = (24, 12)
"""A textless part smaller than this (width, height) cannot hold a line of text worth reading."""
MAX_READ_PARTS = 6
"""At most this many textless parts are read (the largest)."""
CONTEXT_SHARE = 0.6
"""An item taking less than this share of the picture's area is placed within it."""


def on_picture(facts: ScreenFacts, rect: Rect | None, size: tuple[int, int]) -> Rect | None:
    """The part of `rect` (desktop pixels) inside the picture, in its pixels; None when none."""
    moved = facts.on_image(rect) if rect is not None else None
    if moved is None:
        return None
    return moved.intersection(Rect(0, 0, *size))


def node_words(node: AccessibleNode) -> str:
    """`role "name" (states) value "…"`: one node as the prompt gives it."""
    name = node.name.strip()
    words = tasks.NODE_NAMED.format(role=node.role_words, name=name) if name else node.role_words
    if node.states:
        words += tasks.ITEM_STATES.format(states=_states(node))
    if node.value.strip():
        words += tasks.NODE_VALUE.format(value=node.value.strip())
    return words


def informative(node: AccessibleNode) -> bool:
    """True for nodes worth a line: not layout-only, and with text, states or a textless role."""
    if node.has_text:
        return True
    if node.role in LAYOUT_ROLES:
        return False
    return node.role in TEXTLESS_ROLES or bool(node.states)


def tree_lines(facts: ScreenFacts, size: tuple[int, int], limit: int = TREE_CHARS) -> str:
    """One line per informative node on the picture, `position: role "name" …`, in the tree's
    order, without repeats, at most `limit` characters; a note when the tree or the list was
    cut off. Empty without a tree or informative nodes."""
    tree = facts.tree
    if tree is None:
        return ""
    lines: list[str] = []
    seen: set[tuple[str, str]] = set()
    used = 0
    cut = tree.truncated
    for node in tree.nodes:
        if not informative(node):
            continue
        part = on_picture(facts, node.rect, size)
        if part is None:
            continue
        place = place_words(part, *size)
        words = node_words(node)
        key = (place, node.name.strip().casefold() if node.has_text else words)
        if key in seen:
            continue
        seen.add(key)
        line = tasks.NODE_LINE.format(position=place, node=words)
        if used + len(line) > limit:
            cut = True
            break
        lines.append(line)
        used += len(line) + 1
    if lines and cut:
        lines.append(tasks.TREE_CUT_OFF)
    return "\n".join(lines)


def item_facts(facts: ScreenFacts, size: tuple[int, int]) -> str:
    """The item capture's facts as one sentence for ITEM_GROUNDING ("a button named …");
    empty without an item."""
    item = facts.item
    if item is None:
        return ""
    node = item.node
    role = with_article(node.role_words)
    name = node.name.strip()
    text = (
        tasks.ITEM_NAMED.format(role=role, name=name)
        if name
        else tasks.ITEM_UNNAMED.format(role=role)
    )
    if node.value.strip():
        text += tasks.ITEM_VALUE.format(value=node.value.strip())
    if node.states:
        text += tasks.ITEM_STATES.format(states=_states(node))
    text += _surroundings(item) + "."
    if facts.clipped:
        text += tasks.ITEM_CLIPPED
    part = on_picture(facts, node.rect, size)
    if part is not None and part.width * part.height < CONTEXT_SHARE * size[0] * size[1]:
        text += tasks.ITEM_PLACE.format(position=place_words(part, *size))
    return text


def _surroundings(item: AccessibleItem) -> str:
    text = ""
    container = nearest_container(item)
    if container is not None:
        role = with_article(container.role_words)
        name = container.name.strip()
        text += (
            tasks.ITEM_IN_NAMED.format(role=role, name=name)
            if name
            else tasks.ITEM_IN.format(role=role)
        )
    window = item.window.name.strip() if item.window is not None else ""
    if window:
        text += tasks.ITEM_WINDOW.format(window=window)
    if item.application.strip():
        text += tasks.ITEM_APPLICATION.format(application=item.application.strip())
    return text


def nearest_container(item: AccessibleItem) -> AccessibleNode | None:
    """The closest ancestor that means something: named, or a document, dialog, list, …"""
    for ancestor in reversed(item.ancestors):
        if ancestor.role in (Role.WINDOW,):
            continue
        if ancestor.role in CONTAINER_ROLES or (
            ancestor.name.strip() and ancestor.role not in LAYOUT_ROLES
        ):
            return ancestor
    return None


def with_article(words: str) -> str:
    """'a button', 'an image'."""
    return f"{'an' if words[:1].lower() in 'aeiou' else 'a'} {words}"


def _states(node: AccessibleNode) -> str:
    return ", ".join(sorted(state.value for state in node.states))


def unread_parts(facts: ScreenFacts, size: tuple[int, int]) -> list[Rect]:
    """The parts of the picture the tree has no text for, which the text reader should read:
    textless objects without a name (images, canvases, terminals) big enough to hold text;
    the whole picture when the facts hold no text at all."""
    whole = [Rect(0, 0, size[0], size[1])]
    if facts.item is not None and facts.tree is None:
        node = facts.item.node
        if node.has_text:
            return []
        if node.role in TEXTLESS_ROLES:
            part = on_picture(facts, node.rect, size)
            return [part] if part is not None and _big_enough(part) else whole
        return whole
    if facts.tree is None or not any(node.has_text for node in facts.tree.nodes):
        return whole
    parts = [
        part
        for node in facts.tree.nodes
        if node.role in TEXTLESS_ROLES and not node.has_text
        for part in [on_picture(facts, node.rect, size)]
        if part is not None and _big_enough(part)
    ]
    parts.sort(key=lambda rect: rect.width * rect.height, reverse=True)
    kept: list[Rect] = []
    for part in parts:
        if not any(_inside(part, other) for other in kept):
            kept.append(part)
    return kept[:MAX_READ_PARTS]


def _big_enough(rect: Rect) -> bool:
    return rect.width >= MIN_TEXT_SIZE[0] and rect.height >= MIN_TEXT_SIZE[1]


def _inside(inner: Rect, outer: Rect) -> bool:
    return (
        outer.x <= inner.x
        and outer.y <= inner.y
        and inner.x + inner.width <= outer.x + outer.width
        and inner.y + inner.height <= outer.y + outer.height
    )
