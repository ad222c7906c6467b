"""Listing stakeholders of accounts and loading what hangs off one stakeholder, batched per request."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select

from domain.need import Need
from domain.stakeholder import (
    Attitude,
    BuyingRole,
    Coverage,
    DecisionLevel,
    Influence,
    InfluenceLink,
    Stakeholder,
    StakeholderBuyingRole,
    in_role_order,
)
from resolvers.access import load_visible
from resolvers.context import RequestContext
from resolvers.filters import Lacking, Logic, Range, null_checks
from resolvers.loaders import by_id, child_connection, children, column_values
from resolvers.pagination import Order, Page, PageRequest, datetime_key, text_key


class StakeholderSort(enum.Enum):
    NAME = text_key("name", Stakeholder.name)
    CREATED_AT = datetime_key("createdAt", Stakeholder.created_at)


BY_NAME = Order(StakeholderSort.NAME.value)


class StakeholderValue(Lacking):
    """Values a stakeholder may lack, for `isNull` / `isNotNull`."""

    TITLE = "TITLE"
    DEPARTMENT = "DEPARTMENT"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    BUYING_MOTIVE = "BUYING_MOTIVE"
    REPORTS_TO = "REPORTS_TO"

    @classmethod
    def columns(cls) -> dict[Any, Any]:
        return {
            cls.TITLE: Stakeholder.title, cls.DEPARTMENT: Stakeholder.department, cls.EMAIL: Stakeholder.email,
            cls.PHONE: Stakeholder.phone, cls.BUYING_MOTIVE: Stakeholder.buying_motive, cls.REPORTS_TO: Stakeholder.reports_to_id,
        }


@dataclass(frozen=True)
class StakeholderFilter(Logic):
    """Conditions on one account's stakeholders; hashable, so it keys the batched loaders."""

    buying_roles: tuple[BuyingRole, ...] = ()
    attitudes: tuple[Attitude, ...] = ()
    influences: tuple[Influence, ...] = ()
    decision_levels: tuple[DecisionLevel, ...] = ()
    search: str | None = None
    created_on: Range | None = None
    missing: tuple[StakeholderValue, ...] = ()
    present: tuple[StakeholderValue, ...] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.buying_roles:
            holds_role = (
                select(StakeholderBuyingRole.stakeholder_id)
                .where(
                    StakeholderBuyingRole.stakeholder_id == Stakeholder.id,
                    StakeholderBuyingRole.role.in_(self.buying_roles),
                )
                .exists()
            )
            conditions.append(holds_role)
        for column, values in (
            (Stakeholder.attitude, self.attitudes),
            (Stakeholder.influence, self.influences),
            (Stakeholder.decision_level, self.decision_levels),
        ):
            if values:
                conditions.append(column.in_(values))
        term = (self.search or "").strip()
        if term:
            conditions.append(Stakeholder.name.icontains(term, autoescape=True))
        if self.created_on is not None:
            conditions += self.created_on.days(Stakeholder.created_at)
        return conditions + null_checks(self.missing, self.present)


async def account_stakeholders(
    ctx: RequestContext, account_id: int, flt: StakeholderFilter, order: Order, page: PageRequest
) -> Page[Stakeholder]:
    return await child_connection(
        ctx, Stakeholder.account_id, account_id, order, page, where=flt.where(), where_key=("filter", flt)
    )


async def stakeholder_by_id(ctx: RequestContext, stakeholder_id: int | None) -> Stakeholder | None:
    if stakeholder_id is None:
        return None
    return await by_id(ctx, Stakeholder).load(stakeholder_id)


async def visible_stakeholder(ctx: RequestContext, stakeholder_id: int) -> Stakeholder | None:
    """A stakeholder asked for by ID; None when it does not exist or the caller may not read its account."""
    return await load_visible(ctx, Stakeholder, stakeholder_id)


async def direct_reports(ctx: RequestContext, stakeholder_id: int) -> list[Stakeholder]:
    loader = children(ctx, Stakeholder.reports_to_id, order_by=[Stakeholder.name, Stakeholder.id])
    return await loader.load(stakeholder_id)


async def influences(ctx: RequestContext, stakeholder_id: int) -> list[InfluenceLink]:
    return await children(ctx, InfluenceLink.source_id, order_by=[InfluenceLink.id]).load(stakeholder_id)


async def influenced_by(ctx: RequestContext, stakeholder_id: int) -> list[InfluenceLink]:
    return await children(ctx, InfluenceLink.target_id, order_by=[InfluenceLink.id]).load(stakeholder_id)


async def coverage(ctx: RequestContext, stakeholder_id: int) -> list[Coverage]:
    return await children(ctx, Coverage.stakeholder_id, order_by=[Coverage.id]).load(stakeholder_id)


async def needs(ctx: RequestContext, stakeholder_id: int) -> list[Any]:
    return await children(ctx, Need.stakeholder_id, order_by=[Need.id]).load(stakeholder_id)


async def buying_roles(ctx: RequestContext, stakeholder_id: int) -> list[BuyingRole]:
    """One stakeholder's buying roles in the enum's order, read with every other stakeholder's of the request."""
    return (await buying_roles_of(ctx, [stakeholder_id]))[stakeholder_id]


async def buying_roles_of(ctx: RequestContext, stakeholder_ids: list[int]) -> dict[int, list[BuyingRole]]:
    """Stakeholders' buying roles by stakeholder id, each in the enum's order."""
    loader = column_values(ctx, StakeholderBuyingRole.stakeholder_id, StakeholderBuyingRole.role)
    held = await loader.load_many(stakeholder_ids)
    return {sid: in_role_order(roles) for sid, roles in zip(stakeholder_ids, held, strict=True)}
