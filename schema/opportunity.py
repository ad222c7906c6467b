"""Opportunities and the sales funnel: deals with their contacts, needs and stage history; lists; the funnel;
mutations, stage moves among them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from domain import account as account_model
from domain import need as need_model
from domain import opportunity as model
from domain import stakeholder as stakeholder_model
from domain import team as team_model
from domain.base import today
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.filters import any_of, ids_of, range_of
from resolvers.loaders import by_id
from resolvers.mutation import Outcome
from resolvers.opportunities import funnel as funnel_reads
from resolvers.opportunities import mutations, reads
from resolvers.pagination import Order, PageRequest, page_request
from schema.common import (
    After,
    Before,
    Connection,
    DateRange,
    DecimalRange,
    DeletePayload,
    FILTER,
    First,
    IS_NOT_NULL,
    IS_NULL,
    IntRange,
    Last,
    Money,
    ORDER,
    SORT,
    SortDirection,
    UserError,
    context,
    logic_of,
    logical,
    money,
    mutate,
    null_checks_of,
    order_of,
    provided,
    user_errors,
)
from schema.enums import ContactRole, Grade, OpportunityStage
from schema.node import node_type
from schema.team import TeamMember

if TYPE_CHECKING:
    from schema.account import Account
    from schema.need import Need
    from schema.stakeholder import Stakeholder



@node_type(model.OpportunityContact, description="The part one stakeholder plays in one deal.")
class OpportunityContact(relay.Node):
    id: relay.NodeID[int]
    role: ContactRole = strawberry.field(description="The stakeholder's part in this deal.")  # type: ignore[valid-type]
    is_primary: bool = strawberry.field(description="Whether this is the deal's primary contact (at most one is).")

    @strawberry.field(description="The stakeholder.")
    async def stakeholder(self, info: Info) -> Annotated[Stakeholder, strawberry.lazy("schema.stakeholder")]:
        return await by_id(context(info), stakeholder_model.Stakeholder).load(self.stakeholder_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The deal.")
    async def opportunity(self, info: Info) -> Opportunity:
        return await by_id(context(info), model.Opportunity).load(self.opportunity_id)  # type: ignore[attr-defined,return-value]


@node_type(model.StageChange, description="One move of a deal into a stage, on a business day.")
class StageChange(relay.Node):
    id: relay.NodeID[int]
    from_stage: OpportunityStage | None = strawberry.field(description="The stage the deal left; null for its opening.")  # type: ignore[valid-type]
    to_stage: OpportunityStage = strawberry.field(description="The stage the deal entered.")  # type: ignore[valid-type]
    moved_on: date = strawberry.field(description="The business day of the move.")
    moved_at: datetime = strawberry.field(description="When the move was recorded (UTC).")
    reason: str | None = strawberry.field(description="Why, when given (required to reopen a closed deal).")
    days_in_stage: int | None = strawberry.field(description="Days the deal spent in `fromStage`; null for the opening.")
    skipped: int = strawberry.field(description="Open stages the move passed over (0 for a move to the next stage).")

    @strawberry.field(description="Who recorded the move; null if unknown.")
    async def moved_by(self, info: Info) -> TeamMember | None:
        if self.moved_by_id is None:  # type: ignore[attr-defined]
            return None
        return await by_id(context(info), team_model.TeamMember).load(self.moved_by_id)  # type: ignore[attr-defined,return-value]


@node_type(model.Opportunity, description="A deal with an account, on its way through the sales funnel.")
class Opportunity(relay.Node):
    id: relay.NodeID[int]
    name: str = strawberry.field(description="The deal's name.")
    stage: OpportunityStage = strawberry.field(description="Where the deal stands in the funnel.")  # type: ignore[valid-type]
    probability: int = strawberry.field(description="The chance of winning, per cent: the stage's default unless set for this deal.")
    probability_set: bool = strawberry.field(description="Whether a person set the probability (else it follows the stage).")
    expected_close_on: date | None = strawberry.field(description="When the deal is expected to close.")
    lost_reason: str | None = strawberry.field(description="Why the deal was lost; null unless LOST.")
    opened_on: date = strawberry.field(description="The business day the deal was opened.")
    stage_entered_on: date = strawberry.field(description="The business day the deal entered its stage.")
    closed_on: date | None = strawberry.field(description="The business day the deal was won or lost; null while open.")
    created_at: datetime = strawberry.field(description="When the deal was recorded (UTC).")
    updated_at: datetime = strawberry.field(description="When the deal was last changed (UTC).")
    version: int = strawberry.field(description="Changes on every update and stage move; send it back to change safely.")

    @strawberry.field(description="The deal's value.")
    def amount(self) -> Money:
        return money(self.amount, self.currency)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The amount weighted by the probability.")
    def weighted_amount(self) -> Money:
        weighted = (Decimal(self.amount) * self.probability / 100).quantize(Decimal("0.01"))  # type: ignore[attr-defined]
        return money(weighted, self.currency)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="Whether the deal is still open (not WON or LOST).")
    def is_open(self) -> bool:
        return model.is_open(self.stage)  # type: ignore[arg-type]

    @strawberry.field(description="The account the deal is with.")
    async def account(self, info: Info) -> Annotated[Account, strawberry.lazy("schema.account")]:
        return await by_id(context(info), account_model.Account).load(self.account_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="Our team member who owns the deal.")
    async def owner(self, info: Info) -> TeamMember | None:
        if self.owner_id is None:  # type: ignore[attr-defined]
            return None
        return await by_id(context(info), team_model.TeamMember).load(self.owner_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The account's needs the deal answers.")
    async def needs(self, info: Info) -> list[Annotated[Need, strawberry.lazy("schema.need")]]:
        ctx = context(info)
        rows = await by_id(ctx, need_model.Need).load_many(await reads.need_ids(ctx, self.id))
        return [row for row in rows if row is not None]  # type: ignore[misc]

    @strawberry.field(description="Who plays which part in the deal, the primary contact first.")
    async def contacts(self, info: Info) -> list[OpportunityContact]:
        return await reads.contacts(context(info), self.id)  # type: ignore[return-value]

    @strawberry.field(description="The deal's stage moves, oldest first, its opening included.")
    async def stage_history(self, info: Info) -> list[StageChange]:
        return await reads.stage_history(context(info), self.id)  # type: ignore[return-value]


@strawberry.enum(description="What a list of deals can be ordered by.")
class OpportunityOrderField(enum.Enum):
    CREATED_AT = "CREATED_AT"
    AMOUNT = "AMOUNT"
    NAME = "NAME"


@strawberry.input(description="Ordering of a list of deals; ties are broken by when they were recorded.")
class OpportunityOrder:
    field: OpportunityOrderField = strawberry.field(description="What to order by.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="Ascending or descending.")

    def to_order(self) -> Order:
        return Order(reads.OpportunitySort[self.field.name].value, self.direction is SortDirection.DESC)


OpportunityValue = strawberry.enum(reads.OpportunityValue, description="A value a deal may lack, for `isNull` and `isNotNull`.")


@strawberry.input(description="Which deals to list; every given condition must hold, list values mean any of.")
@logical
class OpportunityFilter:
    account_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="With any of these accounts.")
    stages: list[OpportunityStage] | None = strawberry.field(default=None, description="In any of these stages.")  # type: ignore[valid-type]
    owner_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Owned by any of these team members.")
    amount: DecimalRange | None = strawberry.field(default=None, description="`amount.amount` within these bounds (in the deal's currency).")
    probability: IntRange | None = strawberry.field(default=None, description="`probability` (per cent) within these bounds.")
    opened_on: DateRange | None = strawberry.field(default=None, description="`openedOn` within these bounds.")
    expected_close_on: DateRange | None = strawberry.field(default=None, description="`expectedCloseOn` within these bounds (deals without one never are).")
    closed_on: DateRange | None = strawberry.field(default=None, description="`closedOn` within these bounds (open deals never are).")
    is_null: list[OpportunityValue] | None = strawberry.field(default=None, description=IS_NULL)  # type: ignore[valid-type]
    is_not_null: list[OpportunityValue] | None = strawberry.field(default=None, description=IS_NOT_NULL)  # type: ignore[valid-type]

    def to_criteria(self, path: str = "filter", depth: int = 0) -> reads.OpportunityFilter:
        return reads.OpportunityFilter(
            account_ids=ids_of(self.account_ids, "Account", f"{path}.accountIds"),
            stages=any_of(self.stages, f"{path}.stages"),
            owner_ids=ids_of(self.owner_ids, "TeamMember", f"{path}.ownerIds"),
            amount=range_of(self.amount),
            probability=range_of(self.probability),
            opened_on=range_of(self.opened_on),
            expected_close_on=range_of(self.expected_close_on),
            closed_on=range_of(self.closed_on),
            **null_checks_of(self, path),
            **logic_of(self, path, depth),
        )


def opportunity_list_request(
    ctx: RequestContext,
    filter: OpportunityFilter | None = None,
    order_by: OpportunityOrder | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    sort: list[OpportunityOrder] | None = None,
) -> tuple[reads.OpportunityFilter, Order, PageRequest]:
    order = order_of(order_by, sort, reads.NEWEST_FIRST)
    page = page_request(ctx, order, first, after, last, before)
    return (filter or OpportunityFilter()).to_criteria(), order, page


async def account_opportunities(
    root: Any,
    info: Info,
    filter: Annotated[OpportunityFilter | None, FILTER] = None,
    order_by: Annotated[OpportunityOrder | None, ORDER] = None,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    sort: Annotated[list[OpportunityOrder] | None, SORT] = None,
) -> Connection[Opportunity]:
    """`Account.opportunities`: one account's deals, batched with every other account on the page."""
    ctx = context(info)
    criteria, order, page = opportunity_list_request(ctx, filter, order_by, first, after, last, before, sort)
    return Connection(page=await reads.account_opportunities(ctx, root.id, criteria, order, page))


# The funnel ----------------------------------------------------------------------------------------------------


@strawberry.type(description="The open deals in one stage now.")
class FunnelStage:
    stage: OpportunityStage = strawberry.field(description="The stage.")  # type: ignore[valid-type]
    count: int = strawberry.field(description="Deals in the stage.")
    amounts: list[Money] = strawberry.field(description="Their amounts added up, one per currency.")
    weighted_amounts: list[Money] = strawberry.field(description="Their amounts weighted by probability, one per currency.")


@strawberry.type(description="How many deals that entered a stage went further.")
class FunnelConversion:
    stage: OpportunityStage = strawberry.field(description="The stage.")  # type: ignore[valid-type]
    entered: int = strawberry.field(description="Deals that ever entered the stage (skipping it is not entering it).")
    progressed: int = strawberry.field(description="Of those, the deals that ever entered a later open stage or WON.")
    rate: float | None = strawberry.field(description="progressed / entered; null when none entered.")


@strawberry.type(description="How long deals stay in a stage.")
class FunnelDuration:
    stage: OpportunityStage = strawberry.field(description="The stage.")  # type: ignore[valid-type]
    stays: int = strawberry.field(description="Completed stays in the stage (moves out of it).")
    average_days: float | None = strawberry.field(description="Their mean length in days; null when there was none.")


@strawberry.type(description="A stage sequence deals took, and how many took it.")
class FunnelPath:
    stages: list[OpportunityStage] = strawberry.field(description="The stages in the order entered.")  # type: ignore[valid-type]
    count: int = strawberry.field(description="Deals that took this path.")


@strawberry.type(
    description=(
        "The sales funnel over a set of deals: the deals you may read, of the accounts and owners the filter names,"
        " opened within its period. `stages` is one aggregate in the database, every other field comes from one"
        " more (a grouping by path), each run only when a field needing it is selected."
    )
)
class Funnel:
    figures: strawberry.Private[funnel_reads.Funnel]

    @strawberry.field(description="Per open stage, the deals in it now with their amounts (INITIAL_CONTACT first).")
    async def stages(self) -> list[FunnelStage]:
        return [
            FunnelStage(
                stage=p.stage,
                count=p.count,
                amounts=[Money(amount=a, currency=c) for c, a in p.amounts],
                weighted_amounts=[Money(amount=a, currency=c) for c, a in p.weighted],
            )
            for p in await self.figures.pipeline()
        ]

    @strawberry.field(description="Per open stage, how many deals entered it and how many of them went further.")
    async def conversion(self) -> list[FunnelConversion]:
        outcomes = await self.figures.outcomes()
        return [FunnelConversion(stage=c.stage, entered=c.entered, progressed=c.progressed, rate=c.rate) for c in outcomes.conversions]

    @strawberry.field(description="Per open stage, how long completed stays in it lasted.")
    async def days_in_stage(self) -> list[FunnelDuration]:
        return [FunnelDuration(stage=d.stage, stays=d.stays, average_days=d.average_days) for d in await self.figures.durations()]

    @strawberry.field(description="The deals in the set.")
    async def deals(self) -> int:
        return (await self.figures.outcomes()).deals

    @strawberry.field(description="Deals won.")
    async def won(self) -> int:
        return (await self.figures.outcomes()).won

    @strawberry.field(description="Deals lost.")
    async def lost(self) -> int:
        return (await self.figures.outcomes()).lost

    @strawberry.field(description="won / (won + lost); null when none closed.")
    async def win_rate(self) -> float | None:
        return (await self.figures.outcomes()).win_rate

    @strawberry.field(description="The 20 most taken stage sequences, most taken first.")
    async def paths(self) -> list[FunnelPath]:
        return [FunnelPath(stages=stages, count=count) for stages, count in await self.figures.paths()]


@strawberry.input(description="Which deals the funnel counts; every given condition must hold, list values mean any of.")
class FunnelFilter:
    owner_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Deals owned by any of these team members.")
    account_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Deals with any of these accounts.")
    grades: list[Grade] | None = strawberry.field(default=None, description="Deals with accounts of any of these grades.")  # type: ignore[valid-type]
    industries: list[str] | None = strawberry.field(default=None, description="Deals with accounts in any of these industries.")
    opened_from: date | None = strawberry.field(default=None, description="Deals opened on or after this day.")
    opened_to: date | None = strawberry.field(default=None, description="Deals opened on or before this day.")

    def to_criteria(self) -> funnel_reads.FunnelCriteria:
        if self.opened_from is not None and self.opened_to is not None and self.opened_from > self.opened_to:
            raise BadUserInput("`filter.openedFrom` is after `filter.openedTo`.", argument="filter.openedFrom")
        return funnel_reads.FunnelCriteria(
            owner_ids=ids_of(self.owner_ids, "TeamMember", "filter.ownerIds"),
            account_ids=ids_of(self.account_ids, "Account", "filter.accountIds"),
            grades=any_of(self.grades, "filter.grades"),
            industries=any_of(self.industries, "filter.industries"),
            opened_from=self.opened_from,
            opened_to=self.opened_to,
        )


@strawberry.type
class OpportunityQuery:
    @strawberry.field(description="Deals across the accounts you may read, newest first unless told otherwise.")
    async def opportunities(
        self,
        info: Info,
        filter: Annotated[OpportunityFilter | None, FILTER] = None,
        order_by: Annotated[OpportunityOrder | None, ORDER] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        sort: Annotated[list[OpportunityOrder] | None, SORT] = None,
    ) -> Connection[Opportunity]:
        ctx = context(info)
        criteria, order, page = opportunity_list_request(ctx, filter, order_by, first, after, last, before, sort)
        return Connection(page=await reads.list_opportunities(ctx, criteria, order, page))

    @strawberry.field(description="The sales funnel over the deals the filter selects (all you may read if left out).")
    def funnel(self, info: Info, filter: Annotated[FunnelFilter | None, FILTER] = None) -> Funnel:
        criteria = (filter or FunnelFilter()).to_criteria()
        return Funnel(figures=funnel_reads.Funnel(context(info), criteria))


# Mutations -----------------------------------------------------------------------------------------------------


@strawberry.input(description="A stakeholder's part in a deal.")
class OpportunityContactInput:
    stakeholder_id: strawberry.ID = strawberry.field(description="A stakeholder of the deal's account (CROSS_ACCOUNT otherwise).")
    role: ContactRole = strawberry.field(description="Their part in the deal.")  # type: ignore[valid-type]
    is_primary: bool = strawberry.field(default=False, description="The deal's primary contact; at most one.")


@strawberry.input(description="A new deal with an account.")
class OpportunityCreateInput:
    account_id: strawberry.ID = strawberry.field(description="The account; not archived.")
    name: str = strawberry.field(description="The deal's name; not blank.")
    amount: Decimal = strawberry.field(description="The deal's value: not negative, two decimals at most.")
    currency: str | None = strawberry.field(default=None, description="ISO 4217 code; the account's currency (the only one accepted) if null.")
    stage: OpportunityStage = strawberry.field(default=model.OpportunityStage.INITIAL_CONTACT, description="An open stage to start in.")  # type: ignore[valid-type]
    probability: int | None = strawberry.field(default=None, description="The chance of winning, 0 to 100; the stage's default if null.")
    expected_close_on: date | None = strawberry.field(default=None, description="When the deal is expected to close.")
    opened_on: date | None = strawberry.field(default=None, description="The business day it was opened; today if null; never in the future.")
    owner_id: strawberry.ID | None = strawberry.field(default=None, description="Our member who owns it; you if null.")
    need_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="The account's needs it answers.")
    contacts: list[OpportunityContactInput] = strawberry.field(default_factory=list, description="Who plays which part; at most 50.")


@strawberry.input(description="Changes to a deal (not its stage: see `opportunityMoveStage`); fields left out stay as they are.")
class OpportunityUpdateInput:
    id: strawberry.ID = strawberry.field(description="The deal.")
    version: int | None = strawberry.field(default=None, description="The version you read; a stale one is refused with CONFLICT.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="The deal's name; not blank.")
    amount: Decimal | None = strawberry.field(default=strawberry.UNSET, description="The deal's value.")  # type: ignore[name-defined]
    probability: int | None = strawberry.field(default=strawberry.UNSET, description="0 to 100; null returns to the stage's default.")
    expected_close_on: date | None = strawberry.field(default=strawberry.UNSET, description="When the deal is expected to close; null clears it.")
    owner_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="Our member who owns it; null clears it.")
    lost_reason: str | None = strawberry.field(default=strawberry.UNSET, description="Why a LOST deal was lost.")
    need_ids: list[strawberry.ID] | None = strawberry.field(default=strawberry.UNSET, description="Replaces the needs it answers.")
    contacts: list[OpportunityContactInput] | None = strawberry.field(default=strawberry.UNSET, description="Replaces the contacts.")


@strawberry.input(description="Move a deal to another stage on a business day.")
class OpportunityMoveStageInput:
    id: strawberry.ID = strawberry.field(description="The deal.")
    stage: OpportunityStage = strawberry.field(description="The stage it enters; stages may be skipped.")  # type: ignore[valid-type]
    on: date | None = strawberry.field(default=None, description="The business day of the move; today if null; not in the future, not before the deal entered its stage.")
    reason: str | None = strawberry.field(default=None, description="Why; required to reopen or change a closed deal.")
    lost_reason: str | None = strawberry.field(default=None, description="Why the deal was lost; required for LOST.")
    version: int | None = strawberry.field(default=None, description="The version you read; a stale one is refused with CONFLICT.")


@strawberry.input(description="The deal to delete, with its contacts and stage history.")
class OpportunityDeleteInput:
    id: strawberry.ID = strawberry.field(description="The deal.")


@strawberry.type(description="Result of a deal mutation.")
class OpportunityPayload:
    opportunity: Opportunity | None = strawberry.field(description="The deal as it is now; null if nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


def _payload(outcome: Outcome[model.Opportunity]) -> OpportunityPayload:
    return OpportunityPayload(opportunity=outcome.result, user_errors=user_errors(outcome))  # type: ignore[arg-type]


def _contacts(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("contacts") is not None:
        data["contacts"] = [provided(c) for c in data["contacts"]]
    return data


@strawberry.type
class OpportunityMutation:
    @strawberry.mutation(description="Open a deal with an account; its opening is the first entry of its stage history.")
    async def opportunity_create(self, info: Info, input: OpportunityCreateInput) -> OpportunityPayload:
        data, day = _contacts(provided(input)), today()
        return _payload(await mutate(info, lambda s: mutations.create_opportunity(s, data, day)))

    @strawberry.mutation(description="Change a deal's details, needs and contacts.")
    async def opportunity_update(self, info: Info, input: OpportunityUpdateInput) -> OpportunityPayload:
        data = _contacts(provided(input))
        return _payload(await mutate(info, lambda s: mutations.update_opportunity(s, data)))

    @strawberry.mutation(description="Move a deal to a stage, recorded as a dated transition: forward, skipping, back, won, lost, or reopened.")
    async def opportunity_move_stage(self, info: Info, input: OpportunityMoveStageInput) -> OpportunityPayload:
        data, day = provided(input), today()
        return _payload(await mutate(info, lambda s: mutations.move_stage(s, data, day)))

    @strawberry.mutation(description="Delete a deal with its contacts and stage history.")
    async def opportunity_delete(self, info: Info, input: OpportunityDeleteInput) -> DeletePayload:
        return DeletePayload.from_outcome(await mutate(info, lambda s: mutations.delete_opportunity(s, input.id)))
