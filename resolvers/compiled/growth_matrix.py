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
from resolvers.compiled.connections import ConnectionShape, ListRequest
from resolvers.compiled.objects import (
    Arguments,
    Binder,
    FieldPlan,
    Getter,
    Layout,
    Row,
    Run,
    WithArguments,
)
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
    and caller's access share one (kam/compiled.py's binder), and the statements kept with it."""

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


@dataclass(eq=False)
class MatrixPlan:
    """What is asked of the matrix, in answer order: parts tagged thresholds, unassessedCount, quadrants or
    typename; thresholds hold (key, field name), quadrants (key, (tag, ...)) with tags quadrant, accountCount,
    totalCurrentValue and totalPotential (with Money's (key, field name)), accounts or typename."""

    parts: list[tuple[str, tuple[Any, ...]]]

    def accounts(self) -> Iterator[QuadrantAccounts]:
        for _, (tag, *args) in self.parts:
            if tag == "quadrants":
                yield from (inner[1] for _, inner in args[0] if inner[0] == "accounts")

    def walk(self) -> Iterator[FieldPlan | Arguments]:
        for accounts in self.accounts():
            yield accounts
            yield from accounts.nested()

    async def answer(self, run: Run, request: MatrixRequest, matrix: GrowthMatrix) -> dict[str, Any]:
        counts = [cell.account_count for cell in matrix.quadrants]
        lists = {id(accounts): await accounts.answers(run, request, counts) for accounts in self.accounts()}
        thresholds = matrix.thresholds
        limits = {
            "currentValue": str(thresholds.current_value),
            "potential": str(thresholds.potential),
            "__typename": "GrowthMatrixThresholds",
        }
        answer: dict[str, Any] = {}
        for key, (tag, *args) in self.parts:
            if tag == "thresholds":
                answer[key] = {k: limits[name] for k, name in args[0]}
            elif tag == "unassessedCount":
                answer[key] = matrix.unassessed_count
            elif tag == "quadrants":
                answer[key] = [_quadrant(args[0], cell, j, lists) for j, cell in enumerate(matrix.quadrants)]
            else:
                answer[key] = args[0]
        return answer


def _quadrant(
    parts: list[tuple[str, tuple[Any, ...]]], cell: QuadrantTotals, j: int, lists: dict[int, list[dict[str, Any]]]
) -> dict[str, Any]:
    answer: dict[str, Any] = {}
    for key, (tag, *args) in parts:
        if tag == "quadrant":
            answer[key] = cell.quadrant.name
        elif tag == "accountCount":
            answer[key] = cell.account_count
        elif tag in ("totalCurrentValue", "totalPotential"):
            sums = cell.current_value if tag == "totalCurrentValue" else cell.potential
            answer[key] = [_money(args[0], amount, currency) for currency, amount in sorted(sums.items())]
        elif tag == "accounts":
            answer[key] = lists[id(args[0])][j]
        else:
            answer[key] = args[0]
    return answer


def _money(parts: list[tuple[str, str]], amount: Any, currency: str) -> dict[str, Any]:
    values = {"amount": str(amount), "currency": currency, "__typename": "Money"}
    return {key: values[name] for key, name in parts}


@dataclass(eq=False)
class MatrixOf(WithArguments):
    """`growthMatrix(filter:)`."""

    binder: Binder
    plan: MatrixPlan

    def nested(self) -> Iterator[FieldPlan | Arguments]:
        return self.plan.walk()

    async def prepare(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        request: MatrixRequest = self.arguments(run)
        totals = await run.kept_rows(request, "totals", lambda _among: request.totals)
        answer = await self.plan.answer(run, request, matrix_of(totals, request.criteria, run.ctx.config.matrix_thresholds))
        return lambda _row: answer
