"""Reading opportunities: an account's deals and the deals across accounts (filtered, ordered, paged), their
contacts, needs and stage history."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select

from domain.opportunity import Opportunity, OpportunityContact, OpportunityNeed, OpportunityStage, StageChange
from resolvers.access import access_of
from resolvers.context import RequestContext
from resolvers.filters import Lacking, Logic, Range, bounded, null_checks
from resolvers.loaders import child_connection, children, column_values
from resolvers.pagination import Order, Page, PageRequest, datetime_key, decimal_key, paginate, text_key


class OpportunitySort(enum.Enum):
    CREATED_AT = datetime_key("createdAt", Opportunity.created_at)
    AMOUNT = decimal_key("amount", Opportunity.amount)
    NAME = text_key("name", Opportunity.name)


NEWEST_FIRST = Order(OpportunitySort.CREATED_AT.value, descending=True)


class OpportunityValue(Lacking):
    """Values a deal may lack, for `isNull` / `isNotNull`."""

    OWNER = "OWNER"
    EXPECTED_CLOSE = "EXPECTED_CLOSE"
    CLOSED_ON = "CLOSED_ON"
    LOST_REASON = "LOST_REASON"

    @classmethod
    def columns(cls) -> dict[Any, Any]:
        return {
            cls.OWNER: Opportunity.owner_id, cls.EXPECTED_CLOSE: Opportunity.expected_close_on,
            cls.CLOSED_ON: Opportunity.closed_on, cls.LOST_REASON: Opportunity.lost_reason,
        }


@dataclass(frozen=True)
class OpportunityFilter(Logic):
    """Conditions on deals; hashable, so equal filters share one batched load."""

    account_ids: tuple[int, ...] = ()
    stages: tuple[OpportunityStage, ...] = ()
    owner_ids: tuple[int, ...] = ()
    amount: Range | None = None
    probability: Range | None = None
    opened_on: Range | None = None
    expected_close_on: Range | None = None
    closed_on: Range | None = None
    missing: tuple[OpportunityValue, ...] = ()
    present: tuple[OpportunityValue, ...] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        for column, values in (
            (Opportunity.account_id, self.account_ids),
            (Opportunity.stage, self.stages),
            (Opportunity.owner_id, self.owner_ids),
        ):
            if values:
                conditions.append(column.in_(values))
        return conditions + bounded(
            (Opportunity.amount, self.amount),
            (Opportunity.probability, self.probability),
            (Opportunity.opened_on, self.opened_on),
            (Opportunity.expected_close_on, self.expected_close_on),
            (Opportunity.closed_on, self.closed_on),
        ) + null_checks(self.missing, self.present)


async def list_opportunities(ctx: RequestContext, flt: OpportunityFilter, order: Order, page: PageRequest) -> Page[Opportunity]:
    stmt = select(Opportunity).where(*flt.where(), *access_of(ctx).rows_condition(Opportunity.account_id))
    return await paginate(ctx, stmt, Opportunity.id, order, page)


async def account_opportunities(
    ctx: RequestContext, account_id: int, flt: OpportunityFilter, order: Order, page: PageRequest
) -> Page[Opportunity]:
    return await child_connection(
        ctx, Opportunity.account_id, account_id, order, page, where=flt.where(), where_key=("opportunities", flt)
    )


async def contacts(ctx: RequestContext, opportunity_id: int) -> list[OpportunityContact]:
    """A deal's contacts, the primary first, then in the order they were added."""
    loader = children(
        ctx,
        OpportunityContact.opportunity_id,
        order_by=[OpportunityContact.is_primary.desc(), OpportunityContact.id],
        where_key="contacts",
    )
    return await loader.load(opportunity_id)


async def need_ids(ctx: RequestContext, opportunity_id: int) -> list[int]:
    return sorted(await column_values(ctx, OpportunityNeed.opportunity_id, OpportunityNeed.need_id).load(opportunity_id))


async def stage_history(ctx: RequestContext, opportunity_id: int) -> list[StageChange]:
    """A deal's moves, oldest first: by business day, then as recorded."""
    loader = children(ctx, StageChange.opportunity_id, order_by=[StageChange.moved_on, StageChange.id], where_key="history")
    return await loader.load(opportunity_id)
