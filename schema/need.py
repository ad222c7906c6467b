"""Customer needs and the four-seasons table: types, an account's needs list, and mutations."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from domain import account as account_model
from domain import need as model
from domain import stakeholder as stakeholder_model
from resolvers.filters import any_of, range_of
from resolvers.context import RequestContext
from resolvers.ids import argument_id
from resolvers.loaders import by_id
from resolvers.mutation import Outcome
from resolvers.needs import mutations, reads
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
from schema.enums import NeedCategory, NeedStatus, NeedVisibility, Priority, Quarter
from schema.node import node_type

if TYPE_CHECKING:
    from schema.account import Account
    from schema.stakeholder import Stakeholder


async def _peak_quarters(root: model.Need, info: Info) -> list[Quarter]:  # type: ignore[valid-type]
    """`Need.peakQuarters`: read only when asked, with every other need's of the request."""
    return await reads.peak_quarters(context(info), root.id)


@node_type(model.Need, description="Something an account needs from us: what, how urgent, who holds it, and when it peaks.")
class Need(relay.Node):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="Short name of the need.")
    description: str | None = strawberry.field(description="The need in more detail.")
    pain_points: str | None = strawberry.field(description="What hurts the customer today because the need is not met.")
    category: NeedCategory = strawberry.field(description="Functional, emotional or social need.")  # type: ignore[valid-type]
    visibility: NeedVisibility = strawberry.field(description="Said out loud (EXPLICIT) or inferred by us (IMPLICIT).")  # type: ignore[valid-type]
    priority: Priority = strawberry.field(description="How urgent the need is.")  # type: ignore[valid-type]
    status: NeedStatus = strawberry.field(description="Where the need stands, from identified to met or dropped.")  # type: ignore[valid-type]
    peak_quarters: list[Quarter] = strawberry.field(  # type: ignore[valid-type]
        resolver=_peak_quarters,
        description="Quarters of the year in which the need peaks (budget cycles, seasonal demand), Q1 first; may be empty.",
    )
    created_at: datetime = strawberry.field(description="When the need was recorded (UTC).")
    updated_at: datetime = strawberry.field(description="When the need was last changed (UTC).")
    version: int = strawberry.field(description="Changes on every update; send it back to update safely.")

    @strawberry.field(description="Whether the need is still to be worked on (IDENTIFIED, VALIDATED or BEING_ADDRESSED).")
    def is_open(self) -> bool:
        return model.is_open(self.status)  # type: ignore[arg-type]

    @strawberry.field(description="The account that has the need.")
    async def account(self, info: Info) -> Annotated[Account, strawberry.lazy("schema.account")]:
        return await by_id(context(info), account_model.Account).load(self.account_id)  # type: ignore[attr-defined,return-value]

    @strawberry.field(description="The stakeholder who holds the need; null when it is the organisation's as a whole.")
    async def stakeholder(self, info: Info) -> Annotated[Stakeholder, strawberry.lazy("schema.stakeholder")] | None:
        if self.stakeholder_id is None:  # type: ignore[attr-defined]
            return None
        return await by_id(context(info), stakeholder_model.Stakeholder).load(self.stakeholder_id)  # type: ignore[attr-defined,return-value]


@strawberry.type(description="One quarter of an account's four-seasons table: the open needs that peak in it.")
class SeasonNeeds:
    quarter: Quarter = strawberry.field(description="The quarter.")  # type: ignore[valid-type]
    needs: list[Need] = strawberry.field(
        description="Open needs peaking in this quarter, most urgent first, then by title; a need peaking in several quarters is listed in each."
    )


@strawberry.enum(description="What an account's needs can be ordered by.")
class NeedOrderField(enum.Enum):
    PRIORITY = "PRIORITY"
    CREATED_AT = "CREATED_AT"
    TITLE = "TITLE"


@strawberry.input(description="Ordering of a needs list; ties are broken by creation order.")
class NeedOrder:
    field: NeedOrderField = strawberry.field(description="What to order by; PRIORITY ascending puts CRITICAL first.")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="Ascending or descending.")

    def to_order(self) -> Order:
        return Order(reads.NeedSort[self.field.name].value, self.direction is SortDirection.DESC)


NeedValue = strawberry.enum(reads.NeedValue, description="A value a need may lack, for `isNull` and `isNotNull`.")


@strawberry.input(description="Which needs to list; every given condition must hold, list values mean any of.")
@logical
class NeedFilter:
    categories: list[NeedCategory] | None = strawberry.field(default=None, description="Any of these categories.")  # type: ignore[valid-type]
    statuses: list[NeedStatus] | None = strawberry.field(default=None, description="Any of these statuses.")  # type: ignore[valid-type]
    quarters: list[Quarter] | None = strawberry.field(default=None, description="Peaks in at least one of these quarters.")  # type: ignore[valid-type]
    visibilities: list[NeedVisibility] | None = strawberry.field(default=None, description="Any of these visibilities.")  # type: ignore[valid-type]
    priorities: list[Priority] | None = strawberry.field(default=None, description="Any of these priorities.")  # type: ignore[valid-type]
    stakeholder_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Held by any of these stakeholders.")
    created_on: DateRange | None = strawberry.field(default=None, description="`createdAt` on a day within these bounds (UTC).")
    is_null: list[NeedValue] | None = strawberry.field(default=None, description=IS_NULL)  # type: ignore[valid-type]
    is_not_null: list[NeedValue] | None = strawberry.field(default=None, description=IS_NOT_NULL)  # type: ignore[valid-type]

    def to_criteria(self, path: str = "filter", depth: int = 0) -> reads.NeedFilter:
        return reads.NeedFilter(
            categories=any_of(self.categories, f"{path}.categories"),
            statuses=any_of(self.statuses, f"{path}.statuses"),
            quarters=any_of(self.quarters, f"{path}.quarters"),
            visibilities=any_of(self.visibilities, f"{path}.visibilities"),
            priorities=any_of(self.priorities, f"{path}.priorities"),
            stakeholder_ids=tuple(
                argument_id(i, "Stakeholder", f"{path}.stakeholderIds") for i in any_of(self.stakeholder_ids, f"{path}.stakeholderIds")
            ),
            created_on=range_of(self.created_on),
            **null_checks_of(self, path),
            **logic_of(self, path, depth),
        )


async def account_needs(
    root: Any,
    info: Info,
    filter: Annotated[NeedFilter | None, FILTER] = None,
    order_by: Annotated[NeedOrder | None, ORDER] = None,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
    sort: Annotated[list[NeedOrder] | None, SORT] = None,
) -> Connection[Need]:
    """`Account.needs`: one account's page, batched with every other account on the page."""
    ctx = context(info)
    criteria, order, page = need_list_request(ctx, filter, order_by, first, after, last, before, sort)
    return Connection(page=await reads.account_needs(ctx, root.id, criteria, order, page))


def need_list_request(
    ctx: RequestContext,
    filter: NeedFilter | None = None,
    order_by: NeedOrder | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    sort: list[NeedOrder] | None = None,
) -> tuple[reads.NeedFilter, Order, PageRequest]:
    """`Account.needs`' arguments as the reads take them (BAD_USER_INPUT for a bad page or cursor)."""
    order = order_of(order_by, sort, reads.BY_PRIORITY)
    page = page_request(ctx, order, first, after, last, before)
    return (filter or NeedFilter()).to_criteria(), order, page


async def account_four_seasons(root: Any, info: Info) -> list[SeasonNeeds]:
    """`Account.fourSeasons`: Q1 to Q4, each with the open needs peaking in it."""
    seasons = await reads.account_four_seasons(context(info), root.id)
    return [SeasonNeeds(quarter=quarter, needs=needs) for quarter, needs in seasons]  # type: ignore[misc]


@strawberry.input(description="A new need of an account.")
class NeedCreateInput:
    account_id: strawberry.ID = strawberry.field(description="The account that has the need; not archived.")
    title: str = strawberry.field(description="Short name; not blank.")
    category: NeedCategory = strawberry.field(description="Functional, emotional or social need.")  # type: ignore[valid-type]
    visibility: NeedVisibility = strawberry.field(default=model.NeedVisibility.EXPLICIT, description="Said out loud or inferred.")  # type: ignore[valid-type]
    priority: Priority = strawberry.field(default=model.Priority.MEDIUM, description="How urgent the need is.")  # type: ignore[valid-type]
    status: NeedStatus = strawberry.field(default=model.NeedStatus.IDENTIFIED, description="Where the need stands.")  # type: ignore[valid-type]
    peak_quarters: list[Quarter] = strawberry.field(default_factory=list, description="Quarters in which the need peaks.")  # type: ignore[valid-type]
    stakeholder_id: strawberry.ID | None = strawberry.field(
        default=None, description="The stakeholder who holds the need; must work at the same account (CROSS_ACCOUNT)."
    )
    description: str | None = strawberry.field(default=None, description="The need in more detail.")
    pain_points: str | None = strawberry.field(default=None, description="What hurts the customer today.")


@strawberry.input(description="Changes to a need; fields left out stay as they are, null clears optional ones.")
class NeedUpdateInput:
    id: strawberry.ID = strawberry.field(description="The need to change.")
    version: int | None = strawberry.field(default=None, description="The version you read; a stale one is refused with CONFLICT.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="Short name; not blank.")
    category: NeedCategory | None = strawberry.field(default=strawberry.UNSET, description="Functional, emotional or social need.")  # type: ignore[valid-type]
    visibility: NeedVisibility | None = strawberry.field(default=strawberry.UNSET, description="Said out loud or inferred.")  # type: ignore[valid-type]
    priority: Priority | None = strawberry.field(default=strawberry.UNSET, description="How urgent the need is.")  # type: ignore[valid-type]
    status: NeedStatus | None = strawberry.field(default=strawberry.UNSET, description="Where the need stands.")  # type: ignore[valid-type]
    peak_quarters: list[Quarter] | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="Replaces the peak quarters; pass an empty list to clear them."
    )
    stakeholder_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The stakeholder who holds the need (same account); null clears it."
    )
    description: str | None = strawberry.field(default=strawberry.UNSET, description="The need in detail; null clears it.")
    pain_points: str | None = strawberry.field(default=strawberry.UNSET, description="What hurts the customer; null clears it.")


@strawberry.input(description="The need to delete; actions that served it stay, linked to no need.")
class NeedDeleteInput:
    id: strawberry.ID = strawberry.field(description="The need.")


@strawberry.type(description="Result of a need mutation.")
class NeedPayload:
    need: Need | None = strawberry.field(description="The need as it is now; null if nothing changed.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed; empty on success.")


def _payload(outcome: Outcome[model.Need]) -> NeedPayload:
    return NeedPayload(need=outcome.result, user_errors=user_errors(outcome))  # type: ignore[arg-type]


@strawberry.type
class NeedMutation:
    @strawberry.mutation(description="Record a need of an account.")
    async def need_create(self, info: Info, input: NeedCreateInput) -> NeedPayload:
        data = provided(input)
        return _payload(await mutate(info, lambda s: mutations.create_need(s, data)))

    @strawberry.mutation(description="Change a need, including its peak quarters and stakeholder.")
    async def need_update(self, info: Info, input: NeedUpdateInput) -> NeedPayload:
        data = provided(input)
        return _payload(await mutate(info, lambda s: mutations.update_need(s, data)))

    @strawberry.mutation(description="Delete a need.")
    async def need_delete(self, info: Info, input: NeedDeleteInput) -> DeletePayload:
        return DeletePayload.from_outcome(await mutate(info, lambda s: mutations.delete_need(s, input.id)))
