"""The audit trail: the event type, the administrators' `auditEvents` list and `Account.history`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from domain import account as account_model
from domain import audit as model
from domain import team as team_model
from resolvers.audit import reads
from resolvers.errors import BadUserInput
from resolvers.filters import any_of
from resolvers.ids import argument_id, parse_global_id, to_global_id
from resolvers.loaders import by_id
from resolvers.pagination import page_request
from schema.common import FILTER, After, Before, Connection, First, Last, context
from schema.node import node_type
from schema.team import TeamMember

if TYPE_CHECKING:
    from schema.account import Account

AuditChange = strawberry.enum(model.AuditChange, description="What a mutation did to an object: created, changed or deleted it.")

VALUES = (
    "Fields under their API names (camelCase) with JSON values: enums by name, money as a decimal string, "
    "dates and times in ISO 8601, references as global IDs. A stakeholder's `buyingRoles` and a need's "
    "`peakQuarters` are lists; an account's `team` maps member IDs to team roles (null: not on the team)."
)


@node_type(
    model.AuditEvent,
    description=(
        "One object created, changed or deleted by a successful mutation: who, when, by which mutation, "
        "and the values before and after. Recorded in the transaction of the change; never changed afterwards."
    ),
)
class AuditEvent(relay.Node):
    id: relay.NodeID[int]
    occurred_at: datetime = strawberry.field(description="When the change was made (UTC): the end of the mutation's transaction, shared by all its events.")
    operation: str = strawberry.field(description="The mutation that made the change, e.g. `accountUpdate`.")
    entity_type: str = strawberry.field(description="The type of the changed object, e.g. `Stakeholder`.")
    change: AuditChange = strawberry.field(description="Whether the object was created, changed or deleted.")  # type: ignore[valid-type]

    @strawberry.field(description="The global ID of the changed object; it may no longer exist.")
    def entity_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id(self.entity_type, self.entity_id))  # type: ignore[arg-type,attr-defined]

    @strawberry.field(description=f"Values before the change: every field for DELETE, the changed ones for UPDATE, null for CREATE. {VALUES}")
    def before(self) -> JSON | None:
        return self.before  # type: ignore[attr-defined,no-any-return]

    @strawberry.field(description=f"Values after the change: every field for CREATE, the changed ones for UPDATE, null for DELETE. {VALUES}")
    def after(self) -> JSON | None:
        return self.after  # type: ignore[attr-defined,no-any-return]

    @strawberry.field(description="The team member who made the change; null when unknown or since deleted.")
    async def actor(self, info: Info) -> TeamMember | None:
        if self.actor_id is None:  # type: ignore[attr-defined]
            return None
        return await by_id(context(info), team_model.TeamMember).load(self.actor_id)  # type: ignore[attr-defined]

    @strawberry.field(description="The account the changed object belongs to; null for objects outside accounts and for accounts deleted since.")
    async def account(self, info: Info) -> Annotated[Account, strawberry.lazy("schema.account")] | None:
        if self.account_id is None:  # type: ignore[attr-defined]
            return None
        return await by_id(context(info), account_model.Account).load(self.account_id)  # type: ignore[attr-defined,return-value]


def _utc(value: datetime | None, argument: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise BadUserInput(f"`{argument}` needs a UTC offset, e.g. 2026-01-31T00:00:00Z.", argument=argument)
    return value


def _entity(value: strawberry.ID) -> tuple[str, int]:
    try:
        return parse_global_id(value)
    except ValueError:
        raise BadUserInput("`filter.entityIds` holds a value that is not a valid ID.", argument="filter.entityIds") from None


@strawberry.input(description="Which audit events to list; every given condition must hold, list values mean any of.")
class AuditEventFilter:
    account_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Events of any of these accounts and their objects, also of accounts deleted since."
    )
    actor_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Changes made by any of these team members.")
    entity_types: list[str] | None = strawberry.field(default=None, description="Changes of objects of any of these types, e.g. `Stakeholder`.")
    entity_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Changes of any of these objects (global IDs), also of objects deleted since."
    )
    operations: list[str] | None = strawberry.field(default=None, description="Changes made by any of these mutations, e.g. `accountUpdate`.")
    occurred_after: datetime | None = strawberry.field(default=None, description="Events at or after this time (with a UTC offset).")
    occurred_before: datetime | None = strawberry.field(default=None, description="Events before this time (with a UTC offset).")

    def to_criteria(self) -> reads.AuditEventFilter:
        return reads.AuditEventFilter(
            account_ids=tuple(argument_id(i, "Account", "filter.accountIds") for i in any_of(self.account_ids, "filter.accountIds")),
            actor_ids=tuple(argument_id(i, "TeamMember", "filter.actorIds") for i in any_of(self.actor_ids, "filter.actorIds")),
            entity_types=any_of(self.entity_types, "filter.entityTypes"),
            entities=tuple(_entity(i) for i in any_of(self.entity_ids, "filter.entityIds")),
            operations=any_of(self.operations, "filter.operations"),
            occurred_after=_utc(self.occurred_after, "filter.occurredAfter"),
            occurred_before=_utc(self.occurred_before, "filter.occurredBefore"),
        )


@strawberry.type
class AuditQuery:
    @strawberry.field(
        description=(
            "The audit trail of every successful mutation, newest first. ADMINs only (FORBIDDEN for other roles); "
            "everyone who can see an account can read its `history`."
        )
    )
    async def audit_events(
        self,
        info: Info,
        filter: Annotated[AuditEventFilter | None, FILTER] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[AuditEvent]:
        ctx = context(info)
        reads.require_admin(ctx)
        page = page_request(ctx, reads.NEWEST_FIRST, first, after, last, before)
        criteria = (filter or AuditEventFilter()).to_criteria()
        return Connection(page=await reads.list_events(ctx, criteria, page))


async def account_history(
    root: Any,
    info: Info,
    first: First = None,
    after: After = None,
    last: Last = None,
    before: Before = None,
) -> Connection[AuditEvent]:
    """`Account.history`: one account's page, batched with every other account on the page."""
    ctx = context(info)
    page = page_request(ctx, reads.NEWEST_FIRST, first, after, last, before)
    return Connection(page=await reads.account_history(ctx, root.id, page))
