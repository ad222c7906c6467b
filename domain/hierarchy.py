"""Reporting lines as a forest: the one rule every hierarchy in kam obeys is that it has no loops."""

from __future__ import annotations

from collections.abc import Mapping


def creates_cycle(node_id: int, new_parent_id: int | None, parent_of: Mapping[int, int | None]) -> bool:
    """Would `node_id` reporting to `new_parent_id` close a loop?

    `parent_of` maps each node of the hierarchy to its current parent (or None).
    """
    seen: set[int] = set()
    current = new_parent_id
    while current is not None and current not in seen:
        if current == node_id:
            return True
        seen.add(current)
        current = parent_of.get(current)
    return False
