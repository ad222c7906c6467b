"""Accounts in chunks: each account draws from a random stream of its own, seeded by the run's seed and its number.

So the data of the 5,000th account is the same whatever the chunk size, and
the same seed gives the same portfolio on the same day (dates count back
from today) into an equally filled database (names follow the ids).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
from collections import deque
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor

from domain.growth import MatrixThresholds
from kam.portfolio.accounts import generate_account
from kam.portfolio.chance import Clock
from kam.portfolio.deals import generate_deals
from kam.portfolio.interactions import generate_interactions
from kam.portfolio.people import generate_people
from kam.portfolio.plans import generate_plans, schedule
from kam.portfolio.revenue import generate_revenue
from kam.portfolio.rows import Batch, Ids
from kam.portfolio.team import Team


class PortfolioGenerator:
    """Draws the rows of a run's accounts; `ids` counts on across chunks, so chunks must be drawn in order."""

    def __init__(self, team: Team, seed: int, clock: Clock, thresholds: MatrixThresholds, ids: Ids) -> None:
        self.team = team
        self.seed = seed
        self.clock = clock
        self.thresholds = thresholds
        self.ids = ids

    def chunk(self, start: int, stop: int) -> Batch:
        """The rows of accounts number `start` up to (not including) `stop` of this run."""
        batch = Batch()
        clock, ids = self.clock, self.ids
        for number in range(start, stop):
            rng = random.Random(self.seed << 32 | number)
            plans = schedule(rng, clock)
            draft = generate_account(rng, ids, batch, self.team, clock, self.thresholds, min(p.starts for p in plans))
            people = generate_people(rng, ids, batch, draft, clock)
            generate_plans(rng, ids, batch, draft, clock, people, plans)
            first_interaction = generate_interactions(rng, ids, batch, draft, clock, people)
            # Drawn last, so that the tables above come out as they did before there were deals and revenue.
            generate_deals(rng, ids, batch, draft, clock, people, first_interaction)
            generate_revenue(rng, ids, batch, draft, clock)
        return batch


# The generator of the worker process that `chunks_ahead` starts.
_worker: PortfolioGenerator | None = None


def _start_worker(generator: PortfolioGenerator) -> None:
    global _worker
    _worker = generator


def _worker_chunk(start: int, stop: int) -> Batch:
    assert _worker is not None, "the worker process was started without a generator"
    return _worker.chunk(start, stop)


async def chunks_ahead(
    generator: PortfolioGenerator, accounts: int, batch: int, ahead: int = 2
) -> AsyncIterator[tuple[int, Batch]]:
    """(accounts done after the chunk, the chunk), in order, generated in a worker process meanwhile.

    Writing a chunk mostly waits for the database, so the worker generates the
    next ones at the same time, at most `ahead` chunks ahead of the writer so
    that memory stays bounded. The worker keeps the generator, and so the id
    counters, from one chunk to the next.
    """
    ranges = [(start, min(start + batch, accounts)) for start in range(0, accounts, batch)]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        # Workers are forked from a server that has imported the generator once, instead of importing it each.
        context.set_forkserver_preload([__name__])
    pool = ProcessPoolExecutor(1, mp_context=context, initializer=_start_worker, initargs=(generator,))
    loop = asyncio.get_running_loop()
    pending: deque[asyncio.Future[Batch]] = deque()
    try:
        for n, (_, stop) in enumerate(ranges):
            while len(pending) < ahead and n + len(pending) < len(ranges):
                pending.append(loop.run_in_executor(pool, _worker_chunk, *ranges[n + len(pending)]))
            yield stop, await pending.popleft()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
