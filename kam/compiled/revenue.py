"""`Account.revenue` in a plan: the summary the writes keep on the account's row, its revenue per period
(one statement for every account of the answer) and its records (a child connection)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from graphql import GraphQLField
from sqlalchemy import bindparam

from domain.account import Account
from domain.revenue import Grain, RevenueRecord, trailing_twelve_months
from kam.compiled.connections import ChildConnection, ListRequest
from kam.compiled.growth_matrix import Amount
from kam.compiled.objects import (
    Attribute,
    Computed,
    Embedded,
    FieldPlan,
    Nested,
    Nullable,
    Selection,
    WithArguments,
    answer_of,
    arguments_of,
)
from kam.compiled.run import Among, Binder, Getter, Layout, Row, Run, unique
from resolvers.context import RequestContext
from resolvers.pagination import page_request
from resolvers.revenue.reads import NEWEST_FIRST, Period, by_month, check_range, periods, periods_by_account

if TYPE_CHECKING:
    from kam.compiled.planner import FieldNodes, Planner


@dataclass(frozen=True)
class PeriodsRequest:
    grain: Grain
    start: date
    end: date
    starts: list[date]


def periods_request(_ctx: RequestContext, grain: Grain, from_: date, to: date) -> PeriodsRequest:
    """`byPeriod`'s arguments, checked as its resolver checks them."""
    return PeriodsRequest(grain, from_, to, check_range(from_, to, grain))


def records_request(
    ctx: RequestContext, first: Any = None, after: Any = None, last: Any = None, before: Any = None
) -> ListRequest:
    """`records`' arguments: a page, newest first."""
    return ListRequest(NEWEST_FIRST, page_request(ctx, NEWEST_FIRST, first, after, last, before))


@dataclass(frozen=True, slots=True)
class PeriodView:
    """One period as `RevenuePeriod`'s fields read it, its amounts in the account's currency."""

    start: date
    end: date
    amount: Amount
    margin: Amount
    orders: int

    @classmethod
    def of(cls, period: Period, currency: str) -> PeriodView:
        return cls(period.start, period.end, Amount(period.amount, currency), Amount(period.margin, currency), period.orders)


@dataclass(eq=False)
class RevenuePeriods(WithArguments):
    """`byPeriod`: the records of the range of every account of the answer summed per month in one statement
    (resolvers/revenue/reads.by_month), then per period as the resolver sums them."""

    binder: Binder
    fields: Selection  # over a PeriodView

    def needs(self) -> tuple[Any, ...]:
        return (Account.currency,)

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        request: PeriodsRequest = self.arguments(run)
        ids = unique(row[0] for row in rows)

        def statement(among: Among) -> Any:
            return by_month(among(RevenueRecord.account_id), bindparam("start"), bindparam("end"))

        found = await run.kept_rows(self, "by month", statement, ids=ids, start=request.start, end=request.end) if ids else []
        by_account = periods_by_account(found, request.grain, request.starts)
        c, fields = layout.at(Account.currency), self.fields

        def answer(row: Row) -> list[dict[str, Any]]:
            kept = by_account.get(row[0])
            if kept is None:  # no record in the range
                kept = by_account[row[0]] = periods({}, request.grain, request.starts)
            return [answer_of(fields, PeriodView.of(p, row[c])) for p in kept]

        return answer


def account_revenue(planner: Planner, field: GraphQLField, nodes: FieldNodes) -> FieldPlan:
    """`Account.revenue`: its fields from the account's row, `byPeriod` and `records` from their own statements."""

    def column(c: Any) -> Any:
        return lambda f, _n: planner.column_value(f, c, f"AccountRevenue from {c.key}")

    def trailing(f: GraphQLField, found: FieldNodes) -> FieldPlan:
        def amount(f: GraphQLField, _n: FieldNodes) -> FieldPlan:
            convert = planner.leaf(f, Decimal, "Money.amount")
            return Computed(
                (Account.current_annual_value, Account.annual_value_source),
                lambda value, source: _converted(trailing_twelve_months(value, source), convert),
            )

        return Embedded(planner.row_object(f, found, "Money", {"amount": amount, "currency": column(Account.currency)}))

    def rfm(f: GraphQLField, found: FieldNodes) -> FieldPlan:
        scores = planner.columns_object(f, found, "RfmScores", {
            "recency": Account.rfm_recency,
            "frequency": Account.rfm_frequency,
            "monetary": Account.rfm_monetary,
            "rankedOn": Account.rfm_ranked_on,
        })
        return Nullable(Account.rfm_recency, Embedded(scores))

    def by_period(f: GraphQLField, found: FieldNodes) -> FieldPlan:
        period = planner.value_type(f, many=True)
        fields = planner.values(period, found, {
            "start": lambda f, _n: Attribute("start", planner.leaf(f, date, "RevenuePeriod.start")),
            "end": lambda f, _n: Attribute("end", planner.leaf(f, date, "RevenuePeriod.end")),
            "amount": lambda f, found: Nested("amount", planner.money(f, found, many=False)),
            "margin": lambda f, found: Nested("margin", planner.money(f, found, many=False)),
            "orders": lambda f, _n: planner.plain(f, int, Attribute("orders")),
        })
        return RevenuePeriods(planner.binder(f, found, periods_request), fields)

    def records(f: GraphQLField, found: FieldNodes) -> FieldPlan:
        return ChildConnection(RevenueRecord.account_id, planner.binder(f, found, records_request), planner.connection(f, found))

    return Embedded(planner.row_object(field, nodes, "AccountRevenue", {
        "trailingTwelveMonths": trailing,
        "ordersLast12Months": column(Account.revenue_orders_12m),
        "lastOrderOn": column(Account.revenue_last_order_on),
        "marginToDate": lambda f, found: Embedded(planner.money_columns(f, found, Account.revenue_margin_to_date, Account.currency)),
        "countedOn": column(Account.revenue_counted_on),
        "rfm": rfm,
        "byPeriod": by_period,
        "records": records,
    }, arguments={"byPeriod": arguments_of(periods_request), "records": arguments_of(records_request)}))


def _converted(value: Any, convert: Callable[[Any], Any] | None) -> Any:
    return value if convert is None or value is None else convert(value)
