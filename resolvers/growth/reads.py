"""Reading growth assessments and the growth-potential matrix over a filtered set of accounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from domain.account import Account
from domain.growth import GrowthAssessment, GrowthQuadrant, MatrixThresholds
from resolvers.accounts.reads import AccountFilter, accounts_query
from resolvers.context import RequestContext
from resolvers.loaders import child_connection, child_pages
from resolvers.pagination import Order, Page, PageRequest, date_key, paginate

# Newest first: the date it was assessed on, then the row recorded last.
NEWEST_FIRST = Order(date_key("assessedOn", GrowthAssessment.assessed_on), descending=True)
FIRST_ONLY = PageRequest(limit=1, backwards=False, after=None, before=None)


async def growth_history(ctx: RequestContext, account_id: int, page: PageRequest) -> Page[GrowthAssessment]:
    return await child_connection(ctx, GrowthAssessment.account_id, account_id, NEWEST_FIRST, page)


async def latest_assessment(ctx: RequestContext, account_id: int) -> GrowthAssessment | None:
    """The account's current position: the first of its history, batched across accounts."""
    rows = await child_pages(ctx, GrowthAssessment.account_id, NEWEST_FIRST, FIRST_ONLY).load(account_id)
    return rows[0] if rows else None


@dataclass
class QuadrantTotals:
    """One cell of the matrix: how many accounts sit there and the money they stand for, per currency."""

    quadrant: GrowthQuadrant
    criteria: AccountFilter
    account_count: int = 0
    current_value: dict[str, Decimal] = field(default_factory=dict)
    potential: dict[str, Decimal] = field(default_factory=dict)


@dataclass
class GrowthMatrix:
    thresholds: MatrixThresholds
    quadrants: list[QuadrantTotals]
    unassessed_count: int


async def growth_matrix(ctx: RequestContext, criteria: AccountFilter) -> GrowthMatrix:
    """The matrix in one aggregate statement: accounts grouped by quadrant and by the currency of the
    latest assessment, summing that assessment's current value and potential."""
    accounts = aliased(Account, accounts_query(ctx, criteria).subquery())
    newest = aliased(GrowthAssessment)
    latest_id = (
        select(newest.id)
        .where(newest.account_id == accounts.id)
        .order_by(newest.assessed_on.desc(), newest.id.desc())
        .limit(1)
        .correlate(accounts)
        .scalar_subquery()
    )
    stmt = (
        select(
            accounts.quadrant,
            GrowthAssessment.currency,
            func.count(accounts.id),
            func.sum(GrowthAssessment.current_value),
            func.sum(GrowthAssessment.potential),
        )
        .select_from(accounts)
        .outerjoin(GrowthAssessment, GrowthAssessment.id == latest_id)
        .group_by(accounts.quadrant, GrowthAssessment.currency)
    )
    rows = (await ctx.run(lambda s: s.execute(stmt))).all()
    cells = {q: QuadrantTotals(q, criteria) for q in GrowthQuadrant}
    unassessed = 0
    for quadrant, currency, count, current, potential in rows:
        if quadrant is None:
            unassessed += count
            continue
        cell = cells[quadrant]
        cell.account_count += count
        if currency is not None:
            cell.current_value[currency] = current or Decimal(0)
            cell.potential[currency] = potential or Decimal(0)
    return GrowthMatrix(ctx.config.matrix_thresholds, list(cells.values()), unassessed)


async def quadrant_accounts(
    ctx: RequestContext, criteria: AccountFilter, quadrant: GrowthQuadrant, order: Order, page: PageRequest
) -> Page[Account]:
    """The accounts of one cell: the matrix's filter, narrowed to the quadrant."""
    stmt = accounts_query(ctx, criteria).where(Account.quadrant == quadrant)
    return await paginate(ctx, stmt, Account.id, order, page)
