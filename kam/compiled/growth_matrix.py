"""The growth-potential matrix in a plan: its totals from one aggregate statement, the accounts of all four
quadrants from one more (per `accounts` field asked), as the general executor reads them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Select

from domain.account import Account
from domain.growth import GrowthQuadrant
from resolvers.accounts.reads import AccountFilter
from kam.compiled.connections import ConnectionShape, ListRequest
from kam.compiled.objects import Amount, Arguments, FieldPlan, Selection, ValueField, WithArguments, answer_of
from kam.compiled.run import Binder, Getter, Layout, Row, Run
from resolvers.context import RequestContext
from resolvers.driver import Kept
from resolvers.growth.reads import (
    GrowthMatrix,
    QuadrantTotals,
    cell_query,
    matrix_of,
    totals_select,
)
from resolvers.pagination import child_page, each_page_select


@dataclass(frozen=True, eq=False)
class MatrixRequest:
    """`growthMatrix(filter:)` in one request as the reads turn it into SQL; requests with the same filter
    and caller's access share one (the planner's binder), and the statements kept with it."""

    criteria: AccountFilter
    totals: Select[Any]
    cells: dict[GrowthQuadrant, Select[Any]]
    pages: WeakKeyDictionary[ListRequest, Kept] = field(default_factory=WeakKeyDictionary)


def matrix_request(ctx: RequestContext, criteria: AccountFilter) -> MatrixRequest:
    return MatrixRequest(criteria, totals_select(ctx, criteria), {q: cell_query(ctx, criteria, q) for q in GrowthQuadrant})


@dataclass(eq=False)
class QuadrantAccounts(Arguments):
    """`GrowthMatrixQuadrant.accounts`: a page of every quadrant's accounts in one statement."""

    binder: Binder
    shape: ConnectionShape

    def nested(self) -> Iterator[FieldPlan]:
        return self.shape.walk()

    async def answers(self, run: Run, matrix: MatrixRequest, counts: list[int]) -> list[dict[str, Any]]:
        """The connection of each quadrant, in the order of GrowthQuadrant."""
        request: ListRequest = self.arguments(run)
        order, page = request.order, request.page
        layout = self.shape.layout(Account.id, order, Account.quadrant)
        rows: list[Row] = []
        if page.limit:
            kept = matrix.pages.get(request)
            if kept is None:
                cells = matrix.cells.values()
                kept = matrix.pages[request] = Kept(each_page_select(cells, Account.id, order, page, layout.labelled))
            rows = await run.rows(kept)
        at = layout.at(Account.quadrant)
        by_quadrant: dict[str, list[Row]] = {q.name: [] for q in GrowthQuadrant}
        for row in rows:
            by_quadrant[row[at]].append(row)
        pages = [child_page(by_quadrant[q.name], page, order, lambda: None) for q in GrowthQuadrant]
        return await self.shape.build(run, pages, layout, order, counts)


@dataclass(frozen=True, slots=True)
class MatrixView:
    """The matrix as its fields read it: the totals, and the page of each quadrant of each `accounts` field."""

    matrix: GrowthMatrix
    lists: dict[int, list[dict[str, Any]]]  # id(QuadrantAccounts) -> one answer per quadrant


@dataclass(frozen=True, slots=True)
class CellView:
    """One quadrant as its fields read it: its totals and its place in the matrix."""

    cell: QuadrantTotals
    at: int
    lists: dict[int, list[dict[str, Any]]]


@dataclass(eq=False, frozen=True)
class Thresholds(ValueField):
    fields: Selection  # over the matrix's thresholds

    def value(self, view: MatrixView) -> dict[str, Any]:
        return answer_of(self.fields, view.matrix.thresholds)


class UnassessedCount(ValueField):
    def value(self, view: MatrixView) -> int:
        return view.matrix.unassessed_count


@dataclass(eq=False, frozen=True)
class Quadrants(ValueField):
    fields: Selection  # over a CellView

    def value(self, view: MatrixView) -> list[dict[str, Any]]:
        fields = self.fields
        return [answer_of(fields, CellView(cell, j, view.lists)) for j, cell in enumerate(view.matrix.quadrants)]


class QuadrantName(ValueField):
    def value(self, view: CellView) -> str:
        return view.cell.quadrant.name


class AccountCount(ValueField):
    def value(self, view: CellView) -> int:
        return view.cell.account_count


@dataclass(eq=False, frozen=True)
class Totals(ValueField):
    """`totalCurrentValue` or `totalPotential`: one Money per currency, by currency."""

    measure: str  # current_value or potential (QuadrantTotals.sums)
    fields: Selection  # over an Amount

    def value(self, view: CellView) -> list[dict[str, Any]]:
        return [answer_of(self.fields, Amount(amount, currency)) for currency, amount in view.cell.sums(self.measure)]


@dataclass(eq=False, frozen=True)
class CellAccounts(ValueField):
    accounts: QuadrantAccounts

    def value(self, view: CellView) -> dict[str, Any]:
        return view.lists[id(self.accounts)][view.at]


@dataclass(eq=False)
class MatrixPlan:
    """What is asked of the matrix, in answer order (Thresholds, UnassessedCount, Quadrants, Typename)."""

    fields: Selection

    def accounts(self) -> Iterator[QuadrantAccounts]:
        for _, part in self.fields:
            if isinstance(part, Quadrants):
                yield from (inner.accounts for _, inner in part.fields if isinstance(inner, CellAccounts))

    def walk(self) -> Iterator[FieldPlan | Arguments]:
        for accounts in self.accounts():
            yield accounts
            yield from accounts.nested()

    async def answer(self, run: Run, request: MatrixRequest, matrix: GrowthMatrix) -> dict[str, Any]:
        counts = [cell.account_count for cell in matrix.quadrants]
        lists = {id(accounts): await accounts.answers(run, request, counts) for accounts in self.accounts()}
        return answer_of(self.fields, MatrixView(matrix, lists))


@dataclass(eq=False)
class MatrixOf(WithArguments):
    """`growthMatrix(filter:)`."""

    binder: Binder
    plan: MatrixPlan

    def nested(self) -> Iterator[FieldPlan | Arguments]:
        return self.plan.walk()

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        request: MatrixRequest = self.arguments(run)
        totals = await run.kept_rows(request, "totals", lambda _among: request.totals)
        answer = await self.plan.answer(run, request, matrix_of(totals, request.criteria, run.ctx.config.matrix_thresholds))
        return lambda _row: answer
