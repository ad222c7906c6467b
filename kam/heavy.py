"""Heavy operations take turns: a worker runs one at a time, and everything lighter goes on beside it.

A worker is one event loop on one thread. An operation that returns tens of
thousands of objects holds that thread for a while between its reads, and
several of them in flight at once leave a small query, or a health probe,
waiting behind each of their stretches in turn. An operation whose cost (the
estimate of `kam.cost`) is at least `KAM_HEAVY_QUERY_COST` therefore waits for
the heavy one before it to finish; the wait counts against its time limit and
holds no database connection (the request's session opens on first use).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class HeavyTurns:
    """The turn of one worker's heavy operations."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.turn = asyncio.Lock()  # binds to the worker's loop on first use

    def is_heavy(self, cost: int | None) -> bool:
        return cost is not None and cost >= self.threshold

    @asynccontextmanager
    async def admitted(self, cost: int | None) -> AsyncIterator[None]:
        """Run the body now if the operation is light, else once the heavy one before it is done."""
        if not self.is_heavy(cost):
            yield
            return
        async with self.turn:
            yield
