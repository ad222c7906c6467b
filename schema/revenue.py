"""Revenue history: records, an account's revenue summary and its revenue per period, and loading records."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from domain import account as account_model
from domain import revenue as model
from domain.base import today
from resolvers.errors import BadUserInput
from resolvers.filters import any_of, ids_of, range_of
from resolvers.loaders import by_id
from resolvers.mutation import Outcome
from resolvers.pagination import page_request
from resolvers.revenue import load, mutations, reads
from schema.common import (
    After,
    Before,
    Connection,
    DateRange,
    DecimalRange,
    DeletePayload,
    First,
    IS_NOT_NULL,
    IS_NULL,
    Last,
    Money,
    UserError,
    context,
    logic_of,
    logical,
    money,
    mutate,
    null_checks_of,
)
from schema.enums import AnnualValueSource, Grain
from schema.node import node_type

if TYPE_CHECKING:
    from schema.account import Account


@node_type(model.RevenueRecord, description="An order or invoice of an account: what it bought, when, and the margin it left.")
class RevenueRecord(relay.Node):
    id: relay.NodeID[int]
    booked_on: date = strawberry.field(description="The day of the order or invoice.")
    product_line: str | None = strawberry.field(description="The product line, as the source system names it.")
    reference: str = strawberry.field(description="The source system's reference, unique per account: loading it again changes nothing.")
    created_at: datetime = strawberry.field(description="When the record was loaded (UTC).")
    updated_at: datetime = strawberry.field(description="When the record was last changed (UTC).")
    version: int = strawberry.field(description="Changes on every update.")

    @strawberry.field(description="The amount, in the account's currency.")
    def amount(self) -> Money:
        return money(self.amount, self.currency)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The margin it left; null if not known.")
    def margin(self) -> Money | None:
        return money(self.margin, self.currency)  # type: ignore[attr-defined]

    @strawberry.field(description="The account that bought.")
    async def account(self, info: Info) -> Annotated[Account, strawberry.lazy("schema.account")]:
        return await by_id(context(info), account_model.Account).load(self.account_id)  # type: ignore[attr-defined,return-value]


@strawberry.type(description="Revenue booked in one month, quarter or year.")
class RevenuePeriod:
    start: date = strawberry.field(description="The period's first day.")
    end: date = strawberry.field(description="The period's last day.")
    amount: Money = strawberry.field(description="Revenue booked in the period (within the range asked for).")
    margin: Money = strawberry.field(description="Margin of those records (records without one count none).")
    orders: int = strawberry.field(description="Records booked in the period.")


@strawberry.type(description="RFM quintile scores (1-5) among the accounts that ordered in the last twelve months.")
class RfmScores:
    recency: int = strawberry.field(description="5 for the most recent last orders.")
    frequency: int = strawberry.field(description="5 for the most orders in twelve months.")
    monetary: int = strawberry.field(description="5 for the most revenue in twelve months.")
    ranked_on: date = strawberry.field(description="The day `kam recompute` ranked the portfolio.")


@strawberry.type(
    description=(
        "What an account bought, as its revenue records say; the summary is kept by every load and by"
        " `kam recompute`, as of `countedOn`."
    )
)
class AccountRevenue:
    account: strawberry.Private[Any]

    @strawberry.field(description="Revenue of the twelve months ending on `countedOn`.")
    def trailing_twelve_months(self) -> Money:
        a = self.account
        return money(model.trailing_twelve_months(a.current_annual_value, a.annual_value_source), a.currency)  # type: ignore[return-value]

    @strawberry.field(description="Orders (records) in those twelve months.")
    def orders_last_12_months(self) -> int:
        return self.account.revenue_orders_12m  # type: ignore[no-any-return]

    @strawberry.field(description="The day of the last order; null if none.")
    def last_order_on(self) -> date | None:
        return self.account.revenue_last_order_on  # type: ignore[no-any-return]

    @strawberry.field(description="The margin of every record to date: the historical customer lifetime value.")
    def margin_to_date(self) -> Money:
        return money(self.account.revenue_margin_to_date, self.account.currency)  # type: ignore[return-value]

    @strawberry.field(description="The day the summary was counted on; null before any record was loaded.")
    def counted_on(self) -> date | None:
        return self.account.revenue_counted_on  # type: ignore[no-any-return]

    @strawberry.field(description="RFM scores; null when the account has no order in the last twelve months or was not ranked yet.")
    def rfm(self) -> RfmScores | None:
        a = self.account
        if a.rfm_recency is None:
            return None
        return RfmScores(recency=a.rfm_recency, frequency=a.rfm_frequency, monetary=a.rfm_monetary, ranked_on=a.rfm_ranked_on)

    @strawberry.field(description="Revenue per month, quarter or year, every period from `from` to `to` (at most 600), empty ones too.")
    async def by_period(
        self,
        info: Info,
        grain: Annotated[Grain, strawberry.argument(description="Months, quarters or years.")],  # type: ignore[valid-type]
        from_: Annotated[date, strawberry.argument(name="from", description="The first day counted.")],
        to: Annotated[date, strawberry.argument(description="The last day counted.")],
    ) -> list[RevenuePeriod]:
        currency = self.account.currency
        return [
            RevenuePeriod(
                start=p.start,
                end=p.end,
                amount=Money(amount=p.amount, currency=currency),
                margin=Money(amount=p.margin, currency=currency),
                orders=p.orders,
            )
            for p in await reads.revenue_by_period(context(info), self.account.id, grain, from_, to)
        ]

    @strawberry.field(description="The records, newest first.")
    async def records(
        self, info: Info, first: First = None, after: After = None, last: Last = None, before: Before = None
    ) -> Connection[RevenueRecord]:
        ctx = context(info)
        page = page_request(ctx, reads.NEWEST_FIRST, first, after, last, before)
        return Connection(page=await reads.account_records(ctx, self.account.id, reads.NEWEST_FIRST, page))


def account_revenue(root: Any) -> AccountRevenue:
    """`Account.revenue`."""
    return AccountRevenue(account=root)


def annual_value_source(root: Any) -> AnnualValueSource:  # type: ignore[valid-type]
    """`Account.currentAnnualValueSource`."""
    return model.AnnualValueSource[root.annual_value_source]


# Loading ---------------------------------------------------------------------------------------------------------


RevenueValue = strawberry.enum(reads.RevenueValue, description="A value a revenue record may lack, for `isNull` and `isNotNull`.")


@strawberry.input(description="Which revenue records to count; every given condition must hold, list values mean any of.")
@logical
class RevenueFilter:
    account_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Of any of these accounts.")
    product_lines: list[str] | None = strawberry.field(default=None, description="Of any of these product lines (exact match).")
    currencies: list[str] | None = strawberry.field(default=None, description="In any of these currencies (ISO 4217 codes).")
    booked_from: date | None = strawberry.field(default=None, description="Booked on or after this day.")
    booked_to: date | None = strawberry.field(default=None, description="Booked on or before this day.")
    booked_on: DateRange | None = strawberry.field(default=None, description="`date` within these bounds.")
    amount: DecimalRange | None = strawberry.field(default=None, description="`amount.amount` within these bounds (in the record's currency).")
    margin: DecimalRange | None = strawberry.field(default=None, description="`margin.amount` within these bounds (records without one never are).")
    is_null: list[RevenueValue] | None = strawberry.field(default=None, description=IS_NULL)  # type: ignore[valid-type]
    is_not_null: list[RevenueValue] | None = strawberry.field(default=None, description=IS_NOT_NULL)  # type: ignore[valid-type]

    def to_criteria(self, path: str = "filter", depth: int = 0) -> reads.RevenueFilter:
        if self.booked_from is not None and self.booked_to is not None and self.booked_from > self.booked_to:
            raise BadUserInput(f"`{path}.bookedFrom` is after `{path}.bookedTo`.", argument=f"{path}.bookedFrom")
        return reads.RevenueFilter(
            account_ids=ids_of(self.account_ids, "Account", f"{path}.accountIds"),
            product_lines=any_of(self.product_lines, f"{path}.productLines"),
            currencies=any_of(self.currencies, f"{path}.currencies"),
            booked_from=self.booked_from,
            booked_to=self.booked_to,
            booked_on=range_of(self.booked_on),
            amount=range_of(self.amount),
            margin=range_of(self.margin),
            **null_checks_of(self, path),
            **logic_of(self, path, depth),
        )


@strawberry.input(description="One revenue record to load.")
class RevenueRecordInput:
    account: str = strawberry.field(description="The account's ID (or its exact name, when unique).")
    date: date = strawberry.field(description="The day of the order or invoice; not in the future.")
    amount: Decimal = strawberry.field(description="Positive, two decimals at most.")
    reference: str = strawberry.field(description="The source system's reference; unique per account.")
    currency: str | None = strawberry.field(default=None, description="ISO 4217; must be the account's (kam holds no exchange rates).")
    margin: Decimal | None = strawberry.field(default=None, description="Between minus the amount and the amount.")
    product_line: str | None = strawberry.field(default=None, description="The product line.")


@strawberry.input(description="Revenue records to load in one transaction.")
class RevenueImportInput:
    records: list[RevenueRecordInput] = strawberry.field(description=f"At most {mutations.MAX_RECORDS} records.")
    keep_good_rows: bool = strawberry.field(
        default=False, description="Load the good records even when others have problems (else a problem loads nothing)."
    )


@strawberry.type(description="A record that could not be loaded, and why.")
class RevenueImportProblem:
    row: int = strawberry.field(description="The record's position in `records`, 1 for the first.")
    column: str | None = strawberry.field(description="The field at fault (as a CSV column: account, date, amount, currency, margin, product_line, reference).")
    message: str = strawberry.field(description="What is wrong.")


@strawberry.type(description="Result of loading revenue records.")
class RevenueImportPayload:
    created: int = strawberry.field(description="Records added.")
    updated: int = strawberry.field(description="Records that existed with other values (same account and reference), changed.")
    unchanged: int = strawberry.field(description="Records that existed with the same values.")
    problems: list[RevenueImportProblem] = strawberry.field(description="The records not loaded, and why.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was loaded; empty when the load went through.")


@strawberry.input(description="The revenue record to delete.")
class RevenueRecordDeleteInput:
    id: strawberry.ID = strawberry.field(description="The record.")


def _payload(outcome: Outcome[load.Loaded], refused: load.Loaded | None) -> RevenueImportPayload:
    loaded = outcome.result or refused or load.Loaded()
    return RevenueImportPayload(
        created=loaded.created if outcome.result else 0,
        updated=loaded.updated if outcome.result else 0,
        unchanged=loaded.unchanged if outcome.result else 0,
        problems=[RevenueImportProblem(row=p.row, column=p.column, message=p.message) for p in loaded.problems],
        user_errors=[UserError.from_domain(e) for e in outcome.errors],
    )


@strawberry.type
class RevenueMutation:
    @strawberry.mutation(
        description=(
            "Load revenue records (an integration's bulk load): every record checked first; a problem loads nothing"
            " unless `keepGoodRows`; a record already loaded (same account and reference) is left as it is or updated."
        )
    )
    async def revenue_import(self, info: Info, input: RevenueImportInput) -> RevenueImportPayload:
        day = today()
        records = [vars(record) for record in input.records]
        refused: list[load.Loaded] = []

        async def work(session: Any) -> load.Loaded:
            try:
                return await mutations.import_records(session, records, input.keep_good_rows, day)
            except mutations.ImportRefused as exc:
                refused.append(exc.loaded)
                raise

        outcome = await mutate(info, work)
        return _payload(outcome, refused[0] if refused else None)

    @strawberry.mutation(description="Delete a revenue record; the account's summary follows.")
    async def revenue_record_delete(self, info: Info, input: RevenueRecordDeleteInput) -> DeletePayload:
        day = today()
        return DeletePayload.from_outcome(await mutate(info, lambda s: mutations.delete_record(s, input.id, day)))
