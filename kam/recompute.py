"""`kam recompute`: what the writes keep, brought up to date as days pass without writes.

Counts over the last 30, 90 and 365 days, and the trailing twelve months of revenue, change when a day
ends, not only when an interaction or a revenue record is written, and the grades judged from them with
them (under the policy in force when the run starts); RFM quintiles and the ABC value tiers rank the whole
portfolio (the value tiers from one read of the revenue when the run starts, written batch by batch). The portfolio is recounted in batches of accounts in id order, each its own short
transaction that locks only its accounts (as a write of an interaction does), so the API serves
meanwhile and no write is lost: a writer of one of those accounts waits for the batch, then counts
again itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from time import perf_counter

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.account import Account
from domain.stakeholder import Stakeholder
from kam.db import session_factory
from resolvers.context import begin_writing
from resolvers.interactions.recency import refresh_accounts, refresh_stakeholders
from resolvers.judgments.judging import judge_accounts
from resolvers.judgments.value_tiers import rank_portfolio, write_ranks
from resolvers.policy.reads import policy_in_force
from resolvers.revenue.summary import refresh_revenue, rfm_updates

DEFAULT_BATCH = 1000
STAKEHOLDERS_PER_STATEMENT = 5000  # ids bound in one statement: well under what any driver takes


@dataclass(frozen=True)
class Recounted:
    accounts: int
    stakeholders: int
    seconds: float


async def recompute(
    engine: AsyncEngine, today: date, *, batch: int = DEFAULT_BATCH, progress: Callable[[int, int], None] | None = None
) -> Recounted:
    """Recount every account's and stakeholder's interactions as of `today`; `progress(done, total)` after each batch."""
    sessions = session_factory(engine)
    started = perf_counter()
    async with sessions() as session:
        total = int(await session.scalar(select(func.count()).select_from(Account)) or 0)
        stored = await policy_in_force(session)
        policy = (stored.id, stored.policy)
        ranking = await rank_portfolio(session, today, stored.policy)
    done = people = 0
    after = 0
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
                break
            await refresh_accounts(session, ids, today)
            await refresh_revenue(session, ids, today)
            await write_ranks(session, ranking, ids, today)
            await judge_accounts(session, ids, today, policy)
            stakeholder_ids = list(
                (await session.scalars(select(Stakeholder.id).where(Stakeholder.account_id.in_(ids)).order_by(Stakeholder.id))).all()
            )
            for start in range(0, len(stakeholder_ids), STAKEHOLDERS_PER_STATEMENT):
                await refresh_stakeholders(session, stakeholder_ids[start : start + STAKEHOLDERS_PER_STATEMENT], today)
        after = ids[-1]
        done += len(ids)
        people += len(stakeholder_ids)
        if progress is not None:
            progress(done, max(total, done))
    # The RFM quintiles rank the whole portfolio at once: one short transaction after the recounts.
    async with sessions() as session, session.begin():
        for stmt in rfm_updates(today):
            await session.execute(stmt)
    return Recounted(done, people, perf_counter() - started)
