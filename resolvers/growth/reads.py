"""Reading growth assessments and the growth-potential matrix over a filtered set of accounts."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func
from strawberry.dataloader import DataLoader

from domain.account import Account, account_table
from domain.growth import GrowthAssessment, GrowthQuadrant, MatrixThresholds
from resolvers.accounts.reads import (
    AccountFilter,
    accounts_query,
    by_grade_and_quadrant,
)
from resolvers.context import RequestContext
from resolvers.loaders import child_connection, child_pages
from resolvers.pagination import (
    FIRST_ONLY,
    Order,
    Page,
    PageRequest,
    branched,
    date_key,
    paginate_each,
)

# Newest first: the date it was assessed on, then the row recorded last.
NEWEST_FIRST = Order(date_key("assessedOn", GrowthAssessment.assessed_on), descending=True)


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

    def sums(self, measure: str) -> list[tuple[str, Decimal]]:
        """(currency, amount) of `current_value` or `potential`, by currency: amounts in different currencies
        are never added up."""
        totals: dict[str, Decimal] = getattr(self, measure)
        return sorted(totals.items())


@dataclass
class GrowthMatrix:
    thresholds: MatrixThresholds
    quadrants: list[QuadrantTotals]
    unassessed_count: int


async def growth_matrix(ctx: RequestContext, criteria: AccountFilter) -> GrowthMatrix:
    """The matrix in one aggregate statement (`totals_select`)."""
    stmt = totals_select(ctx, criteria)
    rows = (await ctx.run(lambda s: s.execute(stmt))).all()
    return matrix_of(rows, criteria, ctx.config.matrix_thresholds)


def totals_select(ctx: RequestContext, criteria: AccountFilter) -> Select[Any]:
    """Accounts grouped by quadrant and by the currency of the latest assessment, summing that assessment's
    current value and potential. Every account carries those figures of its latest assessment, so the
    statement reads one index, not the assessments; grouped by grade as well, in the index's order, the rows
    are added up as they come rather than hashed, and the grades are added up by `matrix_of`."""
    assessed = account_table.c
    return (
        accounts_query(ctx, criteria)
        .with_only_columns(
            Account.quadrant,
            assessed.assessed_currency,
            func.count(),
            func.sum(assessed.assessed_value),
            func.sum(assessed.assessed_potential),
        )
        .group_by(Account.grade, Account.quadrant, assessed.assessed_currency)
    )


def matrix_of(rows: Iterable[Sequence[Any]], criteria: AccountFilter, thresholds: MatrixThresholds) -> GrowthMatrix:
    """The matrix from the rows of `totals_select`."""
    cells = {q: QuadrantTotals(q, criteria) for q in GrowthQuadrant}
    unassessed = 0
    for quadrant, currency, count, current, potential in rows:
        if quadrant is None:
            unassessed += count
            continue
        cell = cells[quadrant]
        cell.account_count += count
        if currency is not None:
            cell.current_value[currency] = cell.current_value.get(currency, Decimal(0)) + (current or Decimal(0))
            cell.potential[currency] = cell.potential.get(currency, Decimal(0)) + (potential or Decimal(0))
    return GrowthMatrix(thresholds, list(cells.values()), unassessed)


def cell_query(ctx: RequestContext, criteria: AccountFilter, quadrant: GrowthQuadrant) -> Select[tuple[Account]]:
    """The accounts of one cell: the matrix's filter, narrowed to the quadrant (its pages by name read
    the cell's range of each grade)."""
    stmt = accounts_query(ctx, criteria).where(Account.quadrant == quadrant)
    return branched(stmt, by_grade_and_quadrant(criteria.grades, (quadrant,)))


async def quadrant_accounts(
    ctx: RequestContext, criteria: AccountFilter, quadrant: GrowthQuadrant, order: Order, page: PageRequest
) -> Page[Account]:
    """One page of the accounts of one cell; the pages of every cell asked for with the same filter,
    order and page come in one statement."""

    async def load(quadrants: list[GrowthQuadrant]) -> list[Page[Account]]:
        cells: dict[Hashable, Select[tuple[Account]]] = {q: cell_query(ctx, criteria, q) for q in quadrants}
        pages = await paginate_each(ctx, cells, lambda account: account.quadrant, Account.id, order, page)
        return [pages[q] for q in quadrants]

    key = ("quadrant_pages", criteria, order, page)
    return await ctx.loader(key, lambda: DataLoader(load_fn=load)).load(quadrant)
