"""`kam recompute`: what the writes keep, brought up to date as days pass without writes.

Counts over the last 30, 90 and 365 days, and the trailing twelve months of revenue, change when a day
ends, not only when an interaction or a revenue record is written, and the grades judged from them with
them (under the policy in force when the run starts); RFM quintiles and the ABC value tiers rank the whole
portfolio (the value tiers from one read of the revenue when the run starts, written batch by batch). The portfolio is recounted in batches of accounts in id order, each its own short
transaction that locks only its accounts (as a write of an interaction does), so the API serves
meanwhile and no write is lost: a writer of one of those accounts waits for the batch, then counts
again itself. Last, the needs' tally is folded (domain/need_tally.py), which locks nothing writers wait on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from time import perf_counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from domain import need_tally
from domain.account import Account
from domain.policy import ScoringPolicy
from domain.value_tier import Ranked
from domain.stakeholder import Stakeholder
from kam.db import session_factory
from resolvers.context import begin_writing
from resolvers.interactions.recency import refresh_accounts, refresh_stakeholders
from resolvers.judgments.judging import judge_accounts
from resolvers.judgments.value_tiers import rank_portfolio, write_ranks
from resolvers.policy.reads import policy_in_force
from resolvers.revenue.summary import refresh_revenue, rfm_updates

DEFAULT_BATCH = 1000
# Stakeholders recounted per statement. Past about a thousand ids PostgreSQL's planner expects enough rows to
# hash the whole interaction table rather than look each one up (at 100k accounts: 0.8 s instead of 0.07 s).
STAKEHOLDERS_PER_STATEMENT = 1000


@dataclass(frozen=True)
class Recounted:
    accounts: int
    stakeholders: int
    seconds: float


@dataclass(frozen=True)
class Start:
    """What a run reads once when it starts: how many accounts, the policy in force, the value-tier ranking."""

    total: int
    policy: tuple[int, ScoringPolicy]
    ranking: dict[int, Ranked]


async def _start(sessions: Callable[[], AsyncSession], today: date, rank: bool) -> Start:
    async with sessions() as session:
        total = int(await session.scalar(select(func.count()).select_from(Account)) or 0)
        stored = await policy_in_force(session)
        ranking = await rank_portfolio(session, today, stored.policy) if rank else {}
        return Start(total, (stored.id, stored.policy), ranking)


async def _in_batches(
    sessions: Callable[[], AsyncSession],
    batch: int,
    work: Callable[[AsyncSession, list[int]], Awaitable[None]],
    progress: Callable[[int, int], None] | None,
    total: int,
) -> int:
    """`work` on the accounts in id order, `batch` at a time, each batch its own short transaction that locks only
    its accounts (as a write of an interaction does); returns how many accounts were worked on."""
    done = after = 0
    while True:
        async with sessions() as session, session.begin():
            await begin_writing(session)
            ids = list(
                (
                    await session.scalars(
                        select(Account.id).where(Account.id > after).order_by(Account.id).limit(batch).with_for_update(key_share=True)
                    )
                ).all()
            )
            if not ids:
                return done
            await work(session, ids)
        after = ids[-1]
        done += len(ids)
        if progress is not None:
            progress(done, max(total, done))


async def recompute(
    engine: AsyncEngine, today: date, *, batch: int = DEFAULT_BATCH, progress: Callable[[int, int], None] | None = None
) -> Recounted:
    """Recount every account's and stakeholder's interactions as of `today`, its revenue and its judgments;
    `progress(done, total)` after each batch."""
    sessions = session_factory(engine)
    started = perf_counter()
    start = await _start(sessions, today, rank=True)
    people = 0

    async def recount(session: AsyncSession, ids: list[int]) -> None:
        nonlocal people
        await refresh_accounts(session, ids, today)
        await refresh_revenue(session, ids, today)
        await write_ranks(session, start.ranking, ids, today)
        await judge_accounts(session, ids, today, start.policy)
        stakeholder_ids = list(
            (await session.scalars(select(Stakeholder.id).where(Stakeholder.account_id.in_(ids)).order_by(Stakeholder.id))).all()
        )
        for first in range(0, len(stakeholder_ids), STAKEHOLDERS_PER_STATEMENT):
            await refresh_stakeholders(session, stakeholder_ids[first : first + STAKEHOLDERS_PER_STATEMENT], today)
        people += len(stakeholder_ids)

    done = await _in_batches(sessions, batch, recount, progress, start.total)
    # The RFM quintiles rank the whole portfolio at once: one short transaction after the recounts.
    async with sessions() as session, session.begin():
        for stmt in rfm_updates(today):
            await session.execute(stmt)
    # The needs' tally folded to a row per key: the ledger the writes appended to since the last run.
    async with engine.begin() as conn:
        await need_tally.fold(conn)
    return Recounted(done, people, perf_counter() - started)


async def rejudge_portfolio(
    engine: AsyncEngine,
    today: date,
    *,
    batch: int = DEFAULT_BATCH,
    rank: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Judge every account again under the policy in force, in the same short batches as `recompute` (without
    recounting): how a new policy version reaches the portfolio, and (`rank`: with the value tiers ranked
    first) how a bulk load is judged. Returns the number of accounts judged."""
    sessions = session_factory(engine)
    start = await _start(sessions, today, rank)

    async def judge(session: AsyncSession, ids: list[int]) -> None:
        await write_ranks(session, start.ranking, ids, today)
        await judge_accounts(session, ids, today, start.policy)

    return await _in_batches(sessions, batch, judge, progress, start.total)
