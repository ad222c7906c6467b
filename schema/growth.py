"""The growth-potential matrix: dated assessments of accounts, the matrix itself, and mutations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from domain import account as account_model
from domain import growth as model
from domain import team as team_model
from domain.base import today
from resolvers.accounts.reads import AccountFilter as AccountCriteria
from resolvers.accounts.reads import AccountSort
from resolvers.context import RequestContext
from resolvers.growth import mutations, reads
from resolvers.loaders import by_id
from resolvers.mutation import Outcome
from resolvers.pagination import Order, PageRequest, page_request
from schema.common import (
    After,
    Before,
    Connection,
    FILTER,
    First,
    Last,
    Money,
    ORDER,
    SORT,
    UserError,
    context,
    money,
    mutate,
    order_of,
    provided,
    user_errors,
)
from schema.enums import GrowthQuadrant
from schema.node import node_type
from schema.team import TeamMember

if TYPE_CHECKING:
    from schema.account import Account, AccountFilter, AccountOrder


@node_type(
    model.GrowthAssessment,
    description="One dated placement of an account on the growth-potential matrix; assessments are kept as history.",
)
class GrowthAssessment(relay.Node):
    id: relay.NodeID[int]
    assessed_on: date = strawberry.field(description="The day the account was assessed.")
    quadrant: GrowthQuadrant = strawberry.field(  # type: ignore[valid-type]
        description="Quadrant from current value and potential against the matrix thresholds in force when recorded."
    )
    note: str | None = strawberry.field(description="Why the account was placed here, for the next reader.")
    created_at: datetime = strawberry.field(description="When the assessment was recorded (UTC).")

    @strawberry.field(description="What the account bought from us per year when assessed.")
    def current_value(self) -> Money:
        return money(self.current_value, self.currency)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="What more the account could buy per year: its wallet minus our share, unless set by hand.")
    def potential(self) -> Money:
        return money(self.potential, self.currency)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The account assessed.")
    async def account(self, info: Info) -> Annotated[Account, strawberry.lazy("schema.account")]:
        return await by_id(context(info), account_model.Account).load(self.account_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The team member who made the assessment; null if not recorded or since deleted.")
    async def assessed_by(self, info: Info) -> TeamMember | None:
        if self.assessed_by_id is None:  # type: ignore[attr-defined]
            return None
        return await by_id(context(info), team_model.TeamMember).load(self.assessed_by_id)  # type: ignore[attr-defined,return-value]


async def account_growth_history(
    root: Any,
    info: Info,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
) -> Connection[GrowthAssessment]:
    """`Account.growthHistory`: newest assessment first, batched with every account on the page."""
    ctx = context(info)
    page = page_request(ctx, reads.NEWEST_FIRST, first, after, last, before)
    return Connection(page=await reads.growth_history(ctx, root.id, page))


async def account_latest_assessment(root: Any, info: Info) -> GrowthAssessment | None:
    """`Account.latestAssessment`."""
    return await reads.latest_assessment(context(info), root.id)  # type: ignore[return-value]


def matrix_criteria(filter: AccountFilter | None = None) -> AccountCriteria:
    """`growthMatrix(filter:)` as the reads take it."""
    return filter.to_criteria() if filter else AccountCriteria()


def quadrant_list_request(
    ctx: RequestContext,
    order_by: AccountOrder | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    sort: list[AccountOrder] | None = None,
) -> tuple[Order, PageRequest]:
    """The arguments of a quadrant's `accounts` as the reads take them (BAD_USER_INPUT for a bad page or cursor)."""
    order = order_of(order_by, sort, Order(AccountSort.NAME.value))
    return order, page_request(ctx, order, first, after, last, before)


@strawberry.type(description="The values at or above which an account counts as high value or high potential.")
class GrowthMatrixThresholds:
    current_value: Decimal = strawberry.field(description="Current annual value from which an account is high value.")
    potential: Decimal = strawberry.field(description="Growth potential from which an account is high potential.")


@strawberry.type(description="One quadrant of the growth matrix: its accounts and the money they stand for.")
class GrowthMatrixQuadrant:
    totals: strawberry.Private[reads.QuadrantTotals]

    @strawberry.field(description="The quadrant.")
    def quadrant(self) -> GrowthQuadrant:  # type: ignore[valid-type]
        return self.totals.quadrant

    @strawberry.field(description="How many of the filtered accounts sit in this quadrant by their latest assessment.")
    def account_count(self) -> int:
        return self.totals.account_count

    @strawberry.field(
        description=(
            "Sum of the latest assessments' current values, one entry per currency (amounts in different "
            "currencies are never added up); empty when the quadrant is empty."
        )
    )
    def total_current_value(self) -> list[Money]:
        return [Money(amount=a, currency=c) for c, a in self.totals.sums("current_value")]

    @strawberry.field(description="Sum of the latest assessments' growth potentials, one entry per currency.")
    def total_potential(self) -> list[Money]:
        return [Money(amount=a, currency=c) for c, a in self.totals.sums("potential")]

    @strawberry.field(description="The accounts in this quadrant (by name unless told otherwise).")
    async def accounts(
        self,
        info: Info,
        order_by: Annotated[Annotated[AccountOrder, strawberry.lazy("schema.account")] | None, ORDER] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        sort: Annotated[list[Annotated[AccountOrder, strawberry.lazy("schema.account")]] | None, SORT] = None,
    ) -> Connection[Annotated[Account, strawberry.lazy("schema.account")]]:
        ctx = context(info)
        order, page = quadrant_list_request(ctx, order_by, first, after, last, before, sort)
        totals = self.totals
        return Connection(page=await reads.quadrant_accounts(ctx, totals.criteria, totals.quadrant, order, page))


@strawberry.type(
    description=(
        "The growth-potential matrix over a set of accounts: each account sits in the quadrant of its latest "
        "assessment, with that assessment's current value and potential."
    )
)
class GrowthMatrix:
    matrix: strawberry.Private[reads.GrowthMatrix]

    @strawberry.field(description="The thresholds that split high from low; configured on the server.")
    def thresholds(self) -> GrowthMatrixThresholds:
        t = self.matrix.thresholds
        return GrowthMatrixThresholds(current_value=t.current_value, potential=t.potential)

    @strawberry.field(description="All four quadrants, in the order DEVELOP, STRATEGIC, MAINTAIN, MONITOR, empty ones included.")
    def quadrants(self) -> list[GrowthMatrixQuadrant]:
        return [GrowthMatrixQuadrant(totals=t) for t in self.matrix.quadrants]

    @strawberry.field(description="How many of the filtered accounts have no assessment yet and so sit in no quadrant.")
    def unassessed_count(self) -> int:
        return self.matrix.unassessed_count


@strawberry.type
class GrowthQuery:
    @strawberry.field(
        description="The growth-potential matrix over the accounts the filter selects (archived ones left out unless asked for)."
    )
    async def growth_matrix(
        self, info: Info, filter: Annotated[Annotated[AccountFilter, strawberry.lazy("schema.account")] | None, FILTER] = None
    ) -> GrowthMatrix:
        return GrowthMatrix(matrix=await reads.growth_matrix(context(info), matrix_criteria(filter)))


@strawberry.input(description="A new assessment of an account on the growth matrix; its quadrant is derived, not given.")
class GrowthAssessmentRecordInput:
    account_id: strawberry.ID = strawberry.field(description="The account assessed; not archived.")
    assessed_on: date | None = strawberry.field(
        default=None, description="The day of the assessment; today (UTC) if null; never in the future (OUT_OF_RANGE)."
    )
    current_value: Decimal | None = strawberry.field(
        default=None, description="What the account buys from us per year, in the account's currency; its current annual value if null."
    )
    potential: Decimal | None = strawberry.field(
        default=None, description="What more it could buy per year; the estimated wallet minus the current value (never below 0) if null."
    )
    assessed_by_id: strawberry.ID | None = strawberry.field(default=None, description="The team member who made the assessment.")
    note: str | None = strawberry.field(default=None, description="Why the account is placed here.")


@strawberry.input(description="The assessment to delete; the account falls back to its latest remaining one.")
class GrowthAssessmentDeleteInput:
    id: strawberry.ID = strawberry.field(description="The assessment.")


@strawberry.type(description="Result of recording a growth assessment.")
class GrowthAssessmentPayload:
    growth_assessment: GrowthAssessment | None = strawberry.field(description="The new assessment; null if nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


@strawberry.type(description="Result of deleting a growth assessment.")
class GrowthAssessmentDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="The global ID of the deleted assessment.")
    account: Annotated[Account, strawberry.lazy("schema.account")] | None = strawberry.field(
        description="The account as it is now, its quadrant taken from the latest remaining assessment."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")



@strawberry.type
class GrowthMutation:
    @strawberry.mutation(
        description="Record where an account stands on the growth matrix; the latest assessment sets the account's quadrant."
    )
    async def growth_assessment_record(self, info: Info, input: GrowthAssessmentRecordInput) -> GrowthAssessmentPayload:
        ctx, data = context(info), provided(input)
        outcome: Outcome[model.GrowthAssessment] = await mutate(info, lambda s: mutations.record_assessment(s, data, ctx.config.matrix_thresholds, today()))
        return GrowthAssessmentPayload(growth_assessment=outcome.result, user_errors=user_errors(outcome))  # type: ignore[arg-type]

    @strawberry.mutation(description="Delete an assessment recorded by mistake.")
    async def growth_assessment_delete(self, info: Info, input: GrowthAssessmentDeleteInput) -> GrowthAssessmentDeletePayload:
        outcome = await mutate(info, lambda s: mutations.delete_assessment(s, input.id))
        deleted, account = outcome.result if outcome.result else (None, None)
        return GrowthAssessmentDeletePayload(deleted_id=deleted, account=account, user_errors=user_errors(outcome))  # type: ignore[arg-type]
