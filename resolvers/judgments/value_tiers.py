"""The portfolio's ABC ranking by trailing-twelve-month revenue (domain/value_tier.py): read in one grouped
statement, written batch by batch beside the accounts' other judgments by `kam recompute`. A ranking judges
the whole portfolio at once, so a single account's write keeps the last ranking until the next run."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.account import Account
from domain.policy import ScoringPolicy
from domain.revenue import RevenueRecord, trailing_start
from domain.value_tier import Ranked, value_ranking
from resolvers.kept import write_kept


async def rank_portfolio(session: AsyncSession, today: date, policy: ScoringPolicy) -> dict[int, Ranked]:
    """Every account that is not archived, ranked by its revenue of the twelve months that end `today`."""
    recent = and_(RevenueRecord.booked_on >= trailing_start(today), RevenueRecord.booked_on <= today)
    revenue = (
        select(RevenueRecord.account_id, func.sum(RevenueRecord.amount).label("amount"))
        .where(recent)
        .group_by(RevenueRecord.account_id)
        .subquery()
    )
    rows = await session.execute(
        select(Account.id, func.coalesce(revenue.c.amount, 0))
        .outerjoin(revenue, revenue.c.account_id == Account.id)
        .where(Account.archived_at.is_(None))
    )
    return value_ranking(((account_id, Decimal(amount)) for account_id, amount in rows.all()), policy)


async def write_ranks(session: AsyncSession, ranking: dict[int, Ranked], ids: list[int], today: date) -> None:
    """The ranks of the accounts among `ids` the ranking holds (archived ones keep their last)."""
    await write_kept(session, Account, {
        account_id: {
            "ranked_value_tier": place.tier, "value_tier_rank": place.rank, "value_tier_share_before": place.share_before,
            "value_tier_ranked_on": today,
        }
        for account_id in ids
        if (place := ranking.get(account_id)) is not None
    })
