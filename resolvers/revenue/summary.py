"""What an account keeps of its revenue records, recounted by every write of them and by `kam recompute`.

Written with plain UPDATEs, as recency is (resolvers/interactions/recency.py): derived figures are neither
a new version of the account nor an event of the audit trail. The account's current annual value becomes
its trailing twelve months' revenue while it has records, and returns to the value a person entered when
it has none.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.account import Account, account_table
from domain.revenue import AnnualValueSource, RevenueRecord, trailing_start
from resolvers.kept import write_kept
from resolvers.judgments.judging import rejudge


def summary_select(account_ids: list[int], today: date) -> Any:
    """Per account: the entered value, and of its records the trailing twelve months' revenue and orders, the
    last order's day, the margin to date and how many there are."""
    start = trailing_start(today)
    recent = and_(RevenueRecord.booked_on >= start, RevenueRecord.booked_on <= today)
    records = (
        select(
            RevenueRecord.account_id.label("account_id"),
            func.sum(case((recent, RevenueRecord.amount), else_=0)).label("ttm"),
            func.count(case((recent, 1))).label("orders"),
            func.max(RevenueRecord.booked_on).label("last_on"),
            func.sum(func.coalesce(RevenueRecord.margin, 0)).label("margin"),
            func.count().label("records"),
        )
        .where(RevenueRecord.account_id.in_(account_ids))
        .group_by(RevenueRecord.account_id)
        .subquery()
    )
    return (
        select(Account.id, Account.entered_annual_value, records.c.ttm, records.c.orders, records.c.last_on, records.c.margin, records.c.records)
        .outerjoin(records, records.c.account_id == Account.id)
        .where(Account.id.in_(account_ids))
    )


def summary_values(row: Any, today: date) -> dict[str, Any]:
    _, entered, ttm, orders, last_on, margin, records = row
    has_records = bool(records)
    return {
        "current_annual_value": Decimal(ttm or 0).quantize(Decimal("0.01")) if has_records else entered,
        "annual_value_source": (AnnualValueSource.TRAILING_TWELVE_MONTHS if has_records else AnnualValueSource.ENTERED).name,
        "revenue_orders_12m": int(orders or 0),
        "revenue_last_order_on": last_on,
        "revenue_margin_to_date": Decimal(margin or 0).quantize(Decimal("0.01")),
        "revenue_counted_on": today,
    }


async def refresh_revenue(session: AsyncSession, account_ids: Iterable[int], today: date) -> None:
    ids = sorted(set(account_ids))
    if not ids:
        return
    rows = (await session.execute(summary_select(ids, today))).all()
    await write_kept(session, Account, {row[0]: summary_values(row, today) for row in rows})
    for account_id in ids:
        rejudge(session, account_id)  # the value factor reads the trailing twelve months


def rfm_updates(today: date) -> list[Any]:
    """One statement: the RFM quintiles of the active accounts that ordered in the last twelve months set (5: the
    most recent, most frequent, largest), from one ranking of them, and the scores of every other account that had
    some cleared (UPDATE ... FROM on both stores): each row is written once. Ties are split by account id."""
    ranked = (
        select(
            Account.id.label("id"),
            func.ntile(5).over(order_by=(Account.revenue_last_order_on, Account.id)).label("r"),
            func.ntile(5).over(order_by=(Account.revenue_orders_12m, Account.id)).label("f"),
            func.ntile(5).over(order_by=(Account.current_annual_value, Account.id)).label("m"),
        )
        .where(Account.revenue_orders_12m > 0, Account.archived_at.is_(None))
        .subquery()
    )
    scores = (
        select(Account.id.label("id"), ranked.c.r, ranked.c.f, ranked.c.m)
        .outerjoin(ranked, ranked.c.id == Account.id)
        .where(or_(ranked.c.id.is_not(None), Account.rfm_recency.is_not(None)))
        .subquery()
    )
    scored = (
        update(account_table)
        .where(account_table.c.id == scores.c.id)
        .values(rfm_recency=scores.c.r, rfm_frequency=scores.c.f, rfm_monetary=scores.c.m, rfm_ranked_on=today)
    )
    return [scored]
