"""Reading revenue: an account's records, newest first, and its revenue per month, quarter or year over a
range of days, all accounts of a request in one GROUP BY."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, extract, func, select
from strawberry.dataloader import DataLoader

from domain.revenue import CENT, GRAIN_MONTHS, Grain, RevenueRecord, month_period, period_start
from resolvers.context import RequestContext
from resolvers.filters import Lacking, Logic, Range, bounded, null_checks
from resolvers.errors import BadUserInput
from resolvers.loaders import child_connection
from resolvers.pagination import Order, Page, PageRequest, date_key

MAX_PERIODS = 600  # fifty years of months


class RevenueSort(enum.Enum):
    BOOKED_ON = date_key("bookedOn", RevenueRecord.booked_on)


NEWEST_FIRST = Order(RevenueSort.BOOKED_ON.value, descending=True)


class RevenueValue(Lacking):
    """Values a revenue record may lack, for `isNull` / `isNotNull`."""

    MARGIN = "MARGIN"
    PRODUCT_LINE = "PRODUCT_LINE"

    @classmethod
    def columns(cls) -> dict[Any, Any]:
        return {cls.MARGIN: RevenueRecord.margin, cls.PRODUCT_LINE: RevenueRecord.product_line}


@dataclass(frozen=True)
class RevenueFilter(Logic):
    """Conditions on revenue records across accounts."""

    account_ids: tuple[int, ...] = ()
    product_lines: tuple[str, ...] = ()
    currencies: tuple[str, ...] = ()
    booked_from: date | None = None
    booked_to: date | None = None
    booked_on: Range | None = None
    amount: Range | None = None
    margin: Range | None = None
    missing: tuple[RevenueValue, ...] = ()
    present: tuple[RevenueValue, ...] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        for column, values in (
            (RevenueRecord.account_id, self.account_ids),
            (RevenueRecord.product_line, self.product_lines),
            (RevenueRecord.currency, self.currencies),
        ):
            if values:
                conditions.append(column.in_(values))
        if self.booked_from is not None:
            conditions.append(RevenueRecord.booked_on >= self.booked_from)
        if self.booked_to is not None:
            conditions.append(RevenueRecord.booked_on <= self.booked_to)
        return conditions + bounded(
            (RevenueRecord.booked_on, self.booked_on), (RevenueRecord.amount, self.amount), (RevenueRecord.margin, self.margin)
        ) + null_checks(self.missing, self.present)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    amount: Decimal
    margin: Decimal
    orders: int


def periods_between(start: date, end: date, grain: Grain) -> list[date]:
    """The first days of the periods from the one holding `start` to the one holding `end`."""
    first, last = period_start(start, grain), period_start(end, grain)
    step = GRAIN_MONTHS[grain]
    found = []
    months = first.year * 12 + first.month - 1
    while months // 12 <= date.max.year:
        day = date(months // 12, months % 12 + 1, 1)
        if day > last:
            return found
        found.append(day)
        if len(found) > MAX_PERIODS:
            raise BadUserInput(f"The range holds more than {MAX_PERIODS} periods; ask for a coarser grain.", argument="from")
        months += step
    return found


def period_end(start: date, grain: Grain) -> date:
    """The last day of the period starting on `start`."""
    return _period_end(start, GRAIN_MONTHS[grain])


@lru_cache(maxsize=4096)
def _period_end(start: date, span: int) -> date:
    months = start.year * 12 + start.month - 1 + span
    if months // 12 > date.max.year:
        return date.max
    return date.fromordinal(date(months // 12, months % 12 + 1, 1).toordinal() - 1)


def check_range(start: date, end: date, grain: Grain) -> list[date]:
    if start > end:
        raise BadUserInput("`from` is after `to`.", argument="from")
    return periods_between(start, end, grain)


def by_month(accounts: Any, start: Any, end: Any) -> Any:
    """Per account of `accounts` (a condition on the account column) and month: revenue, margin and orders
    booked from `start` to `end`."""
    year, month = extract("year", RevenueRecord.booked_on), extract("month", RevenueRecord.booked_on)
    return (
        select(
            RevenueRecord.account_id,
            year,
            month,
            func.sum(RevenueRecord.amount),
            func.sum(func.coalesce(RevenueRecord.margin, 0)),
            func.count(),
        )
        .where(accounts, RevenueRecord.booked_on.between(start, end))
        .group_by(RevenueRecord.account_id, year, month)
    )


def periods_by_account(rows: Iterable[Any], grain: Grain, starts: list[date]) -> dict[int, list[Period]]:
    """`by_month`'s rows summed per account and period; every period of `starts` for each account found."""
    span = GRAIN_MONTHS[grain]
    totals: dict[int, dict[date, list[Any]]] = {}
    for account, y, m, amount, margin, orders in rows:
        found = totals.get(account)
        if found is None:
            found = totals[account] = {}
        start = month_period(int(y), int(m), span)
        bucket = found.get(start)
        if bucket is None:
            bucket = found[start] = [ZERO, ZERO, 0]
        bucket[0] += _decimal(amount)
        bucket[1] += _decimal(margin)
        bucket[2] += int(orders)
    return {account: periods(found, grain, starts) for account, found in totals.items()}


ZERO = Decimal(0)


def _decimal(value: Any) -> Decimal:
    return value if type(value) is Decimal else Decimal(value or 0)


def periods(totals: dict[date, list[Any]], grain: Grain, starts: list[date]) -> list[Period]:
    """Every period of `starts` with its totals (zero where it has none)."""
    span = GRAIN_MONTHS[grain]
    zero: list[Any] = [ZERO, ZERO, 0]
    found = []
    for s in starts:
        amount, margin, orders = totals.get(s, zero)
        found.append(Period(s, _period_end(s, span), _decimal(amount).quantize(CENT), _decimal(margin).quantize(CENT), int(orders)))
    return found


async def revenue_by_period(ctx: RequestContext, account_id: int, grain: Grain, start: date, end: date) -> list[Period]:
    """Every period from the one holding `start` to the one holding `end`, with the revenue booked in it
    within the range (zero when none)."""
    starts = check_range(start, end, grain)

    async def load(account_ids: list[int]) -> list[list[Period]]:
        stmt = by_month(RevenueRecord.account_id.in_(account_ids), start, end)
        found = periods_by_account((await ctx.run(lambda s: s.execute(stmt))).all(), grain, starts)
        return [found.get(account) or periods({}, grain, starts) for account in account_ids]

    key = ("revenue by period", grain, start, end)
    return await ctx.loader(key, lambda: DataLoader(load_fn=load)).load(account_id)


async def account_records(ctx: RequestContext, account_id: int, order: Order, page: PageRequest) -> Page[RevenueRecord]:
    return await child_connection(ctx, RevenueRecord.account_id, account_id, order, page, where_key="revenue records")
