"""Reading the audit trail: the whole trail for administrators, one account's history for its readers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select, tuple_

from domain.audit import AuditEvent
from domain.team import MemberRole
from resolvers.context import RequestContext
from resolvers.errors import Forbidden
from resolvers.loaders import child_connection
from resolvers.pagination import Order, Page, PageRequest, datetime_key, paginate

# Newest first; events of one mutation share their time and come last-recorded first.
NEWEST_FIRST = Order(datetime_key("occurredAt", AuditEvent.occurred_at), descending=True)


def require_admin(ctx: RequestContext) -> None:
    """The trail as a whole shows every account and every member's doings: ADMINs only."""
    member = ctx.member
    if member is None or member.role is not MemberRole.ADMIN:
        raise Forbidden("Only ADMINs may read the audit trail; use `Account.history` for one account.")


@dataclass(frozen=True)
class AuditEventFilter:
    """Conditions on events, each backed by an index that starts with its column."""

    account_ids: tuple[int, ...] = ()
    actor_ids: tuple[int, ...] = ()
    entity_types: tuple[str, ...] = ()
    entities: tuple[tuple[str, int], ...] = ()
    operations: tuple[str, ...] = ()
    occurred_after: datetime | None = None
    occurred_before: datetime | None = None

    def where(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        for column, values in (
            (AuditEvent.account_id, self.account_ids),
            (AuditEvent.actor_id, self.actor_ids),
            (AuditEvent.entity_type, self.entity_types),
            (AuditEvent.operation, self.operations),
        ):
            if values:
                conditions.append(column.in_(values))
        if self.entities:
            conditions.append(tuple_(AuditEvent.entity_type, AuditEvent.entity_id).in_(self.entities))
        if self.occurred_after is not None:
            conditions.append(AuditEvent.occurred_at >= self.occurred_after)
        if self.occurred_before is not None:
            conditions.append(AuditEvent.occurred_at < self.occurred_before)
        return conditions


async def list_events(ctx: RequestContext, flt: AuditEventFilter, page: PageRequest) -> Page[AuditEvent]:
    require_admin(ctx)
    stmt = select(AuditEvent).where(*flt.where())
    return await paginate(ctx, stmt, AuditEvent.id, NEWEST_FIRST, page)


async def account_history(ctx: RequestContext, account_id: int, page: PageRequest) -> Page[AuditEvent]:
    """One account's events, newest first, batched with every other account of the page."""
    return await child_connection(ctx, AuditEvent.account_id, account_id, NEWEST_FIRST, page, where_key="history")
