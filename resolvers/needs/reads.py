"""Reading needs: one account's needs filtered and ordered, and its four-seasons table."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select

from domain.need import (
    OPEN_STATUSES,
    Need,
    NeedCategory,
    NeedPeakQuarter,
    NeedStatus,
    NeedVisibility,
    Priority,
    Quarter,
    four_seasons,
    in_quarter_order,
)
from resolvers.accounts.reads import AccountFilter, of_accounts
from resolvers.context import RequestContext
from resolvers.filters import Lacking, Logic, Range, null_checks
from resolvers.loaders import child_connection, children, column_values
from resolvers.pagination import (
    Order,
    Page,
    PageRequest,
    datetime_key,
    int_key,
    paginate,
    text_key,
)


class NeedSort(enum.Enum):
    PRIORITY = int_key("priority", Need.priority_rank)
    CREATED_AT = datetime_key("createdAt", Need.created_at)
    TITLE = text_key("title", Need.title)


BY_PRIORITY = Order(NeedSort.PRIORITY.value)
NEWEST_FIRST = Order(NeedSort.CREATED_AT.value, descending=True)


class NeedValue(Lacking):
    """Values a need may lack, for `isNull` / `isNotNull`."""

    STAKEHOLDER = "STAKEHOLDER"
    DESCRIPTION = "DESCRIPTION"
    PAIN_POINTS = "PAIN_POINTS"

    @classmethod
    def columns(cls) -> dict[Any, Any]:
        return {cls.STAKEHOLDER: Need.stakeholder_id, cls.DESCRIPTION: Need.description, cls.PAIN_POINTS: Need.pain_points}


@dataclass(frozen=True)
class NeedFilter(Logic):
    """Conditions on an account's needs; hashable, so equal filters share one batched load."""

    categories: tuple[NeedCategory, ...] = ()
    statuses: tuple[NeedStatus, ...] = ()
    quarters: tuple[Quarter, ...] = ()
    visibilities: tuple[NeedVisibility, ...] = ()
    priorities: tuple[Priority, ...] = ()
    stakeholder_ids: tuple[int, ...] = ()
    created_on: Range | None = None
    missing: tuple[NeedValue, ...] = ()
    present: tuple[NeedValue, ...] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        for column, values in (
            (Need.category, self.categories),
            (Need.status, self.statuses),
            (Need.visibility, self.visibilities),
            (Need.priority, self.priorities),
            (Need.stakeholder_id, self.stakeholder_ids),
        ):
            if values:
                conditions.append(column.in_(values))
        if self.quarters:
            peaking = select(NeedPeakQuarter.need_id).where(NeedPeakQuarter.quarter.in_(self.quarters))
            conditions.append(Need.id.in_(peaking))
        if self.created_on is not None:
            conditions += self.created_on.days(Need.created_at)
        return conditions + null_checks(self.missing, self.present)


async def account_needs(
    ctx: RequestContext, account_id: int, flt: NeedFilter, order: Order, page: PageRequest
) -> Page[Need]:
    return await child_connection(
        ctx, Need.account_id, account_id, order, page, where=flt.where(), where_key=("needs", flt)
    )


async def open_needs(ctx: RequestContext, account_id: int) -> list[Need]:
    """An account's open needs, most urgent first: every account of a page in one SELECT."""
    loader = children(
        ctx,
        Need.account_id,
        order_by=[Need.priority_rank, Need.title, Need.id],
        where=[Need.status.in_(sorted(OPEN_STATUSES, key=lambda s: s.value))],
        where_key="open needs by priority",
    )
    return await loader.load(account_id)


async def peak_quarters(ctx: RequestContext, need_id: int) -> list[Quarter]:
    """One need's peak quarters, Q1 first, read with every other need's of the request."""
    return (await peak_quarters_of(ctx, [need_id]))[need_id]


async def peak_quarters_of(ctx: RequestContext, need_ids: list[int]) -> dict[int, list[Quarter]]:
    """Needs' peak quarters by need id, each Q1 first."""
    loader = column_values(ctx, NeedPeakQuarter.need_id, NeedPeakQuarter.quarter)
    peaks = await loader.load_many(need_ids)
    return {nid: in_quarter_order(quarters) for nid, quarters in zip(need_ids, peaks, strict=True)}


async def account_four_seasons(ctx: RequestContext, account_id: int) -> list[tuple[Quarter, list[Need]]]:
    needs = await open_needs(ctx, account_id)
    peaks = await peak_quarters_of(ctx, [n.id for n in needs])
    table = four_seasons(needs, lambda need: peaks[need.id])
    return list(table.items())


async def list_needs(ctx: RequestContext, flt: NeedFilter, accounts: AccountFilter | None, page: PageRequest) -> Page[Need]:
    """Needs across the accounts `accounts` selects that the caller may read, newest first."""
    stmt = select(Need).where(*flt.where(), *of_accounts(ctx, Need.account_id, accounts))
    return await paginate(ctx, stmt, Need.id, NEWEST_FIRST, page)
