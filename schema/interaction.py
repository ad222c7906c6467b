"""Interactions with customers: the type, the timelines (per account, per stakeholder, across accounts),
recency kept on accounts and stakeholders, and mutations."""

from __future__ import annotations

import enum
from datetime import date, datetime
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from domain import account as account_model
from domain import interaction as model
from domain import need as need_model
from domain import opportunity as opportunity_model
from domain import stakeholder as stakeholder_model
from domain import team as team_model
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.filters import any_of, ids_of, range_of
from resolvers.interactions import mutations, reads
from resolvers.loaders import by_id
from resolvers.mutation import Outcome
from resolvers.pagination import Order, PageRequest, page_request
from schema.common import (
    After,
    Before,
    Connection,
    DateRange,
    DeletePayload,
    FILTER,
    First,
    IS_NOT_NULL,
    IS_NULL,
    IntRange,
    Last,
    ORDER,
    SORT,
    SortDirection,
    UserError,
    context,
    logic_of,
    logical,
    mutate,
    null_checks_of,
    order_of,
    provided,
    user_errors,
)
from schema.enums import InteractionDirection, InteractionKind
from schema.node import node_type
from schema.team import TeamMember

if TYPE_CHECKING:
    from schema.account import Account
    from schema.need import Need
    from schema.opportunity import Opportunity
    from schema.stakeholder import Stakeholder


@strawberry.type(
    description=(
        "How recently and how often we interacted, kept by every write of an interaction: the windows end on"
        " `countedOn` (the day of the last write or of the last `kam recompute`), so the counts are as of that day."
    )
)
class InteractionRecency:
    last_interaction_at: datetime | None = strawberry.field(description="When the last interaction happened (UTC); null if there was none.")
    last_30_days: int = strawberry.field(name="last30Days", description="Interactions in the 30 days ending on `countedOn`.")
    last_90_days: int = strawberry.field(name="last90Days", description="Interactions in the 90 days ending on `countedOn`.")
    last_365_days: int = strawberry.field(name="last365Days", description="Interactions in the 365 days ending on `countedOn`.")
    counted_on: date | None = strawberry.field(
        description="The day the windows end: the day of the last recount (a write of an interaction, or `kam recompute`); null before the first."
    )


def recency_of(row: model.RecencyMixin) -> InteractionRecency:
    recency = row.recency
    return InteractionRecency(
        last_interaction_at=recency.last_at,
        last_30_days=recency.last_30_days,
        last_90_days=recency.last_90_days,
        last_365_days=recency.last_365_days,
        counted_on=recency.as_of,
    )


@node_type(model.Interaction, description="A call, email, meeting, visit, event or message with a customer, and who took part.")
class Interaction(relay.Node):
    id: relay.NodeID[int]
    kind: InteractionKind = strawberry.field(description="How we were in touch.")  # type: ignore[valid-type]
    direction: InteractionDirection = strawberry.field(description="Who reached out.")  # type: ignore[valid-type]
    occurred_at: datetime = strawberry.field(description="When it happened (UTC); never in the future.")
    duration_minutes: int | None = strawberry.field(description="How long it took, in minutes; null if not recorded.")
    subject: str = strawberry.field(description="What it was about, in a line.")
    summary: str | None = strawberry.field(description="What was said.")
    outcome: str | None = strawberry.field(description="What came of it.")
    next_step: str | None = strawberry.field(description="What happens next.")
    created_at: datetime = strawberry.field(description="When the interaction was recorded (UTC).")
    updated_at: datetime = strawberry.field(description="When the record was last changed (UTC).")
    version: int = strawberry.field(description="Changes on every update; send it back to update safely.")

    @strawberry.field(description="The account the interaction was with.")
    async def account(self, info: Info) -> Annotated[Account, strawberry.lazy("schema.account")]:
        return await by_id(context(info), account_model.Account).load(self.account_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The need it was about; null if none.")
    async def need(self, info: Info) -> Annotated[Need, strawberry.lazy("schema.need")] | None:
        if self.need_id is None:  # type: ignore[attr-defined]
            return None
        return await by_id(context(info), need_model.Need).load(self.need_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The deal it was about; null if none.")
    async def opportunity(self, info: Info) -> Annotated[Opportunity, strawberry.lazy("schema.opportunity")] | None:
        if self.opportunity_id is None:  # type: ignore[attr-defined]
            return None
        return await by_id(context(info), opportunity_model.Opportunity).load(self.opportunity_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The customer's people who took part, in the order they were added to kam.")
    async def stakeholders(self, info: Info) -> list[Annotated[Stakeholder, strawberry.lazy("schema.stakeholder")]]:
        ctx = context(info)
        ids, _ = await reads.participant_ids(ctx, self.id)
        rows = await by_id(ctx, stakeholder_model.Stakeholder).load_many(ids)
        return [row for row in rows if row is not None]  # type: ignore[misc]

    @strawberry.field(description="Our team members who took part, in the order they were added to kam.")
    async def members(self, info: Info) -> list[TeamMember]:
        ctx = context(info)
        _, ids = await reads.participant_ids(ctx, self.id)
        rows = await by_id(ctx, team_model.TeamMember).load_many(ids)
        return [row for row in rows if row is not None]  # type: ignore[misc]


@strawberry.enum(description="What an interaction list can be ordered by.")
class InteractionOrderField(enum.Enum):
    OCCURRED_AT = "OCCURRED_AT"


@strawberry.input(description="Ordering of an interaction list; ties are broken by when they were recorded.")
class InteractionOrder:
    field: InteractionOrderField = strawberry.field(description="What to order by.")
    direction: SortDirection = strawberry.field(default=SortDirection.DESC, description="Newest first (DESC) unless told otherwise.")

    def to_order(self) -> Order:
        return Order(reads.InteractionSort[self.field.name].value, self.direction is SortDirection.DESC)


InteractionValue = strawberry.enum(reads.InteractionValue, description="A value an interaction may lack, for `isNull` and `isNotNull`.")


@strawberry.input(description="Which interactions to list; every given condition must hold, list values mean any of.")
@logical
class InteractionFilter:
    account_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="With any of these accounts.")
    stakeholder_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Any of these stakeholders took part.")
    member_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Any of these team members took part.")
    kinds: list[InteractionKind] | None = strawberry.field(default=None, description="Any of these kinds.")  # type: ignore[valid-type]
    directions: list[InteractionDirection] | None = strawberry.field(default=None, description="Any of these directions.")  # type: ignore[valid-type]
    need_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="About any of these needs.")
    opportunity_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="About any of these deals.")
    occurred_from: date | None = strawberry.field(default=None, description="On or after this day (UTC).")
    occurred_to: date | None = strawberry.field(default=None, description="On or before this day (UTC).")
    occurred_on: DateRange | None = strawberry.field(default=None, description="`occurredAt` on a day within these bounds (UTC).")
    duration_minutes: IntRange | None = strawberry.field(default=None, description="`durationMinutes` within these bounds (interactions without one never are).")
    is_null: list[InteractionValue] | None = strawberry.field(default=None, description=IS_NULL)  # type: ignore[valid-type]
    is_not_null: list[InteractionValue] | None = strawberry.field(default=None, description=IS_NOT_NULL)  # type: ignore[valid-type]

    def to_criteria(self, path: str = "filter", depth: int = 0) -> reads.InteractionFilter:
        if self.occurred_from is not None and self.occurred_to is not None and self.occurred_from > self.occurred_to:
            raise BadUserInput(f"`{path}.occurredFrom` is after `{path}.occurredTo`.", argument=f"{path}.occurredFrom")

        return reads.InteractionFilter(
            account_ids=ids_of(self.account_ids, "Account", f"{path}.accountIds"),
            stakeholder_ids=ids_of(self.stakeholder_ids, "Stakeholder", f"{path}.stakeholderIds"),
            member_ids=ids_of(self.member_ids, "TeamMember", f"{path}.memberIds"),
            kinds=any_of(self.kinds, f"{path}.kinds"),
            directions=any_of(self.directions, f"{path}.directions"),
            need_ids=ids_of(self.need_ids, "Need", f"{path}.needIds"),
            opportunity_ids=ids_of(self.opportunity_ids, "Opportunity", f"{path}.opportunityIds"),
            occurred_from=self.occurred_from,
            occurred_to=self.occurred_to,
            occurred_on=range_of(self.occurred_on),
            duration_minutes=range_of(self.duration_minutes),
            **null_checks_of(self, path),
            **logic_of(self, path, depth),
        )


def interaction_list_request(
    ctx: RequestContext,
    filter: InteractionFilter | None = None,
    order_by: InteractionOrder | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    sort: list[InteractionOrder] | None = None,
) -> tuple[reads.InteractionFilter, Order, PageRequest]:
    """An interaction list's arguments as the reads take them (BAD_USER_INPUT for a bad page or cursor)."""
    order = order_of(order_by, sort, reads.NEWEST_FIRST)
    page = page_request(ctx, order, first, after, last, before)
    return (filter or InteractionFilter()).to_criteria(), order, page


def timeline(read: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Connection[Interaction]]]:
    """The resolver of a parent's interaction list (`Account.interactions`, `Stakeholder.interactions`): one
    parent's page, batched with every other parent's of the request by `read`."""

    async def resolve(
        root: Any,
        info: Info,
        filter: Annotated[InteractionFilter | None, FILTER] = None,
        order_by: Annotated[InteractionOrder | None, ORDER] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        sort: Annotated[list[InteractionOrder] | None, SORT] = None,
    ) -> Connection[Interaction]:
        ctx = context(info)
        criteria, order, page = interaction_list_request(ctx, filter, order_by, first, after, last, before, sort)
        return Connection(page=await read(ctx, root.id, criteria, order, page))

    return resolve


account_interactions = timeline(reads.account_interactions)
stakeholder_interactions = timeline(reads.stakeholder_interactions)


@strawberry.type
class InteractionQuery:
    @strawberry.field(description="Interactions across the accounts you may read, newest first unless told otherwise.")
    async def interactions(
        self,
        info: Info,
        filter: Annotated[InteractionFilter | None, FILTER] = None,
        order_by: Annotated[InteractionOrder | None, ORDER] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        sort: Annotated[list[InteractionOrder] | None, SORT] = None,
    ) -> Connection[Interaction]:
        ctx = context(info)
        criteria, order, page = interaction_list_request(ctx, filter, order_by, first, after, last, before, sort)
        return Connection(page=await reads.list_interactions(ctx, criteria, order, page))


@strawberry.input(description="A new interaction with an account.")
class InteractionCreateInput:
    account_id: strawberry.ID = strawberry.field(description="The account; not archived.")
    kind: InteractionKind = strawberry.field(description="How we were in touch.")  # type: ignore[valid-type]
    subject: str = strawberry.field(description="What it was about, in a line; not blank.")
    direction: InteractionDirection = strawberry.field(default=model.InteractionDirection.OUTBOUND, description="Who reached out.")  # type: ignore[valid-type]
    occurred_at: datetime | None = strawberry.field(default=None, description="When it happened; now if null; never in the future (OUT_OF_RANGE).")
    duration_minutes: int | None = strawberry.field(default=None, description="How long it took, 0 to 10080 minutes (a week).")
    stakeholder_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="The account's people who took part (CROSS_ACCOUNT for another account's); at most 50."
    )
    member_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Our team members who took part; you alone if null; at most 50."
    )
    need_id: strawberry.ID | None = strawberry.field(default=None, description="The need it was about; of the same account.")
    opportunity_id: strawberry.ID | None = strawberry.field(default=None, description="The deal it was about; of the same account.")
    summary: str | None = strawberry.field(default=None, description="What was said.")
    outcome: str | None = strawberry.field(default=None, description="What came of it.")
    next_step: str | None = strawberry.field(default=None, description="What happens next.")


@strawberry.input(description="Changes to an interaction; fields left out stay as they are, null clears optional ones.")
class InteractionUpdateInput:
    id: strawberry.ID = strawberry.field(description="The interaction to change.")
    version: int | None = strawberry.field(default=None, description="The version you read; a stale one is refused with CONFLICT.")
    kind: InteractionKind | None = strawberry.field(default=strawberry.UNSET, description="How we were in touch.")  # type: ignore[valid-type]
    direction: InteractionDirection | None = strawberry.field(default=strawberry.UNSET, description="Who reached out.")  # type: ignore[valid-type]
    occurred_at: datetime | None = strawberry.field(default=strawberry.UNSET, description="When it happened; never in the future.")
    duration_minutes: int | None = strawberry.field(default=strawberry.UNSET, description="How long it took; null clears it.")
    subject: str | None = strawberry.field(default=strawberry.UNSET, description="What it was about; not blank.")
    stakeholder_ids: list[strawberry.ID] | None = strawberry.field(default=strawberry.UNSET, description="Replaces the stakeholders who took part.")
    member_ids: list[strawberry.ID] | None = strawberry.field(default=strawberry.UNSET, description="Replaces our members who took part.")
    need_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="The need it was about; null clears it.")
    opportunity_id: strawberry.ID | None = strawberry.field(default=strawberry.UNSET, description="The deal it was about; null clears it.")
    summary: str | None = strawberry.field(default=strawberry.UNSET, description="What was said; null clears it.")
    outcome: str | None = strawberry.field(default=strawberry.UNSET, description="What came of it; null clears it.")
    next_step: str | None = strawberry.field(default=strawberry.UNSET, description="What happens next; null clears it.")


@strawberry.input(description="The interaction to delete.")
class InteractionDeleteInput:
    id: strawberry.ID = strawberry.field(description="The interaction.")


@strawberry.type(description="Result of an interaction mutation.")
class InteractionPayload:
    interaction: Interaction | None = strawberry.field(description="The interaction as it is now; null if nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


def _payload(outcome: Outcome[model.Interaction]) -> InteractionPayload:
    return InteractionPayload(interaction=outcome.result, user_errors=user_errors(outcome))  # type: ignore[arg-type]


@strawberry.type
class InteractionMutation:
    @strawberry.mutation(description="Record an interaction with an account: the account's and its people's recency follow.")
    async def interaction_create(self, info: Info, input: InteractionCreateInput) -> InteractionPayload:
        data = provided(input)
        if data.get("occurred_at") is None:
            data.pop("occurred_at", None)
        return _payload(await mutate(info, lambda s: mutations.create_interaction(s, data)))

    @strawberry.mutation(description="Change an interaction, including who took part.")
    async def interaction_update(self, info: Info, input: InteractionUpdateInput) -> InteractionPayload:
        data = provided(input)
        return _payload(await mutate(info, lambda s: mutations.update_interaction(s, data)))

    @strawberry.mutation(description="Delete an interaction.")
    async def interaction_delete(self, info: Info, input: InteractionDeleteInput) -> DeletePayload:
        return DeletePayload.from_outcome(await mutate(info, lambda s: mutations.delete_interaction(s, input.id)))
