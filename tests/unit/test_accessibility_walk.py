"""The bounded depth-first walk of a window's tree (accessibility/_walk.py)."""

from __future__ import annotations

from collections.abc import Iterator

from desktop_app.accessibility._walk import walk
from desktop_app.core.accessible import AccessibleNode, Role

TREE = {
    "window": ["toolbar", "hidden", "list"],
    "toolbar": ["open", "save"],
    "hidden": ["ghost"],
    "list": ["row 1", "row 2"],
}


def _children(name: str) -> Iterator[str]:
    yield from TREE.get(name, [])


def _node(name: str, depth: int) -> AccessibleNode | None:
    return None if name == "hidden" else AccessibleNode(Role.OTHER, name, depth=depth)


class Clock:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_depth_first_in_document_order_without_hidden_subtrees() -> None:
    walked = walk("window", _children, _node, 10.0, 100)
    assert [(node.name, node.depth) for node in walked.nodes] == [
        ("toolbar", 1), ("open", 2), ("save", 2), ("list", 1), ("row 1", 2), ("row 2", 2),
    ]  # fmt: skip
    assert not walked.truncated
    assert walked.elapsed_s >= 0


def test_the_node_limit_cuts_the_walk() -> None:
    walked = walk("window", _children, _node, 10.0, 2)
    assert [node.name for node in walked.nodes] == ["toolbar", "open"]
    assert walked.truncated
    exactly = walk("window", _children, _node, 10.0, 6)
    assert len(exactly.nodes) == 6 and not exactly.truncated  # Nothing was left out.


def test_the_time_limit_cuts_the_walk() -> None:
    clock = Clock()
    walked = walk("window", _children, _node, 4.5, 100, clock=clock)
    assert walked.truncated
    assert [node.name for node in walked.nodes] == ["toolbar", "open", "save"]
    assert walked.elapsed_s >= 4.5


def test_an_empty_window() -> None:
    walked = walk("row 1", _children, _node, 10.0, 100)
    assert (walked.nodes, walked.truncated) == ((), False)
