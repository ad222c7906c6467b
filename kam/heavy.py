"""Heavy operations take turns: a worker runs one at a time, and everything lighter goes on beside it.

A worker is one event loop on one thread. An operation that returns tens of
thousands of objects holds that thread for a while between its reads, and
several of them in flight at once leave a small query, or a health probe,
waiting behind each of their stretches in turn. An operation whose cost (the
estimate of `kam.cost`) is at least `KAM_HEAVY_QUERY_COST`, and any
introspection of the whole schema (a few tens of milliseconds on the thread in
one go, whatever its cost), therefore waits for the heavy one before it to finish; the wait counts against its time limit and
holds no database connection (the request's session opens on first use).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from graphql import DocumentNode, FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode
from graphql import OperationDefinitionNode, SelectionSetNode


class HeavyTurns:
    """The turn of one worker's heavy operations."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.turn = asyncio.Lock()  # binds to the worker's loop on first use

    def is_heavy(self, cost: int | None) -> bool:
        return cost is not None and cost >= self.threshold

    @asynccontextmanager
    async def admitted(self, heavy: bool) -> AsyncIterator[None]:
        """Run the body now if the operation is light, else once the heavy one before it is done."""
        if not heavy:
            yield
            return
        async with self.turn:
            yield


def introspects_schema(document: DocumentNode | None, operation: OperationDefinitionNode | None) -> bool:
    """Whether the operation selects `__schema` (a root field: at its top, or in fragments spread there)."""
    if document is None or operation is None:
        return False
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    pending: list[SelectionSetNode] = [operation.selection_set]
    seen: set[str] = set()
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode) and selection.name.value == "__schema":
                return True
            if isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                if selection.name.value in fragments:
                    pending.append(fragments[selection.name.value].selection_set)
    return False
