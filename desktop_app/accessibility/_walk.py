"""A window's tree read depth first, in document order, within a time and node budget."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from desktop_app.core.accessible import AccessibleNode

Element = TypeVar("Element")


@dataclass(frozen=True)
class Walked:
    """What a bounded walk read."""

    nodes: tuple[AccessibleNode, ...]
    truncated: bool
    elapsed_s: float


def walk(
    root: Element,
    children: Callable[[Element], Iterable[Element]],
    node_of: Callable[[Element, int], AccessibleNode | None],
    time_limit_s: float,
    node_limit: int,
    clock: Callable[[], float] = time.monotonic,
) -> Walked:
    """The nodes under `root` (not `root` itself), depth first.

    `children` may be lazy: each step it takes counts against the time limit. `node_of` gives
    an element's node at a depth (the root's children are at 1), or None to leave the element
    and everything in it out (not showing). The walk stops, truncated, when the time or the node
    limit is reached.
    """
    start = clock()
    nodes: list[AccessibleNode] = []
    stack: list[tuple[Iterator[Element], int]] = [(iter(children(root)), 1)]
    while stack:
        if clock() - start >= time_limit_s:
            return Walked(tuple(nodes), True, clock() - start)
        found, depth = stack[-1]
        element = next(found, None)
        if element is None:
            stack.pop()
            continue
        node = node_of(element, depth)
        if node is None:
            continue
        if len(nodes) >= node_limit:
            return Walked(tuple(nodes), True, clock() - start)
        nodes.append(node)
        stack.append((iter(children(element)), depth + 1))
    return Walked(tuple(nodes), False, clock() - start)
