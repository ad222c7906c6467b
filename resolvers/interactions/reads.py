"""Reading interactions: an account's and a stakeholder's timelines, the timeline across accounts, and who
took part. Newest first unless told otherwise; every filter has an index behind it."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import aliased
from strawberry.dataloader import DataLoader

from domain.interaction import (
    Interaction,
    InteractionDirection,
    InteractionKind,
    InteractionMember,
    InteractionStakeholder,
)
from resolvers.access import access_of
from resolvers.context import RequestContext
from resolvers.filters import Lacking, Logic, Range, bounded, null_checks
from resolvers.loaders import child_connection, column_values
from resolvers.pagination import (
    Order,
    Page,
    PageRequest,
    child_page,
    child_pages_select,
    datetime_key,
    paginate,
)




class InteractionSort(enum.Enum):
    OCCURRED_AT = datetime_key("occurredAt", Interaction.occurred_at)


NEWEST_FIRST = Order(InteractionSort.OCCURRED_AT.value, descending=True)


class InteractionValue(Lacking):
    """Values an interaction may lack, for `isNull` / `isNotNull`."""

    DURATION = "DURATION"
    SUMMARY = "SUMMARY"
    OUTCOME = "OUTCOME"
    NEXT_STEP = "NEXT_STEP"
    NEED = "NEED"
    OPPORTUNITY = "OPPORTUNITY"

    @classmethod
    def columns(cls) -> dict[Any, Any]:
        return {
            cls.DURATION: Interaction.duration_minutes, cls.SUMMARY: Interaction.summary, cls.OUTCOME: Interaction.outcome,
            cls.NEXT_STEP: Interaction.next_step, cls.NEED: Interaction.need_id, cls.OPPORTUNITY: Interaction.opportunity_id,
        }


@dataclass(frozen=True)
class InteractionFilter(Logic):
    """Conditions on interactions; hashable, so equal filters share one batched load."""

    account_ids: tuple[int, ...] = ()
    stakeholder_ids: tuple[int, ...] = ()
    member_ids: tuple[int, ...] = ()
    kinds: tuple[InteractionKind, ...] = ()
    directions: tuple[InteractionDirection, ...] = ()
    need_ids: tuple[int, ...] = ()
    opportunity_ids: tuple[int, ...] = ()
    occurred_from: date | None = None  # on or after this day (UTC)
    occurred_to: date | None = None  # on or before this day (UTC)
    occurred_on: Range | None = None  # bounds on the day (UTC)
    duration_minutes: Range | None = None
    missing: tuple[InteractionValue, ...] = ()
    present: tuple[InteractionValue, ...] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        for column, values in (
            (Interaction.account_id, self.account_ids),
            (Interaction.kind, self.kinds),
            (Interaction.direction, self.directions),
            (Interaction.need_id, self.need_ids),
            (Interaction.opportunity_id, self.opportunity_ids),
        ):
            if values:
                conditions.append(column.in_(values))
        if self.stakeholder_ids:
            took_part = select(InteractionStakeholder.interaction_id).where(
                InteractionStakeholder.stakeholder_id.in_(self.stakeholder_ids)
            )
            conditions.append(Interaction.id.in_(took_part))
        if self.member_ids:
            took_part = select(InteractionMember.interaction_id).where(InteractionMember.member_id.in_(self.member_ids))
            conditions.append(Interaction.id.in_(took_part))
        conditions += Range(gte=self.occurred_from, lte=self.occurred_to).days(Interaction.occurred_at)
        if self.occurred_on is not None:
            conditions += self.occurred_on.days(Interaction.occurred_at)
        return conditions + bounded((Interaction.duration_minutes, self.duration_minutes)) + null_checks(self.missing, self.present)


async def list_interactions(ctx: RequestContext, flt: InteractionFilter, order: Order, page: PageRequest) -> Page[Interaction]:
    """Interactions across the accounts the caller may read."""
    stmt = select(Interaction).where(*flt.where(), *access_of(ctx).rows_condition(Interaction.account_id))
    return await paginate(ctx, stmt, Interaction.id, order, page)


async def account_interactions(
    ctx: RequestContext, account_id: int, flt: InteractionFilter, order: Order, page: PageRequest
) -> Page[Interaction]:
    return await child_connection(
        ctx, Interaction.account_id, account_id, order, page, where=flt.where(), where_key=("interactions", flt)
    )


def _stakeholder_pages(
    ctx: RequestContext, flt: InteractionFilter, order: Order, page: PageRequest
) -> DataLoader[int, list[Interaction]]:
    """One page of interactions per stakeholder, every stakeholder of the request in one windowed SELECT."""

    async def load(stakeholder_ids: list[int]) -> list[list[Interaction]]:
        if not page.limit:
            return [[] for _ in stakeholder_ids]
        part = InteractionStakeholder
        ranked = child_pages_select(
            part.stakeholder_id,
            stakeholder_ids,
            flt.where(),
            order,
            page,
            [Interaction, part.stakeholder_id.label("for_stakeholder")],
            through=(Interaction, Interaction.id == part.interaction_id),
        ).subquery()
        shown = aliased(Interaction, ranked)
        stmt = (
            select(shown, ranked.c.for_stakeholder)
            .where(ranked.c.rank <= page.limit + 1)
            .order_by(ranked.c.for_stakeholder, ranked.c.rank)
        )
        grouped: dict[int, list[Interaction]] = defaultdict(list)
        for row, stakeholder_id in (await ctx.run(lambda s: s.execute(stmt))).all():
            grouped[stakeholder_id].append(row)
        return [grouped.get(i, []) for i in stakeholder_ids]

    key = ("stakeholder interactions", flt, order, page)
    return ctx.loader(key, lambda: DataLoader(load_fn=load))


def _stakeholder_counts(ctx: RequestContext, flt: InteractionFilter) -> DataLoader[int, int]:
    async def load(stakeholder_ids: list[int]) -> list[int]:
        part = InteractionStakeholder.stakeholder_id
        stmt = (
            select(part, func.count())
            .join(Interaction, Interaction.id == InteractionStakeholder.interaction_id)
            .where(part.in_(stakeholder_ids), *flt.where())
            .group_by(part)
        )
        counts = dict((await ctx.run(lambda s: s.execute(stmt))).all())
        return [int(counts.get(i, 0)) for i in stakeholder_ids]

    return ctx.loader(("stakeholder interaction counts", flt), lambda: DataLoader(load_fn=load))


async def stakeholder_interactions(
    ctx: RequestContext, stakeholder_id: int, flt: InteractionFilter, order: Order, page: PageRequest
) -> Page[Interaction]:
    rows = await _stakeholder_pages(ctx, flt, order, page).load(stakeholder_id)
    counts = _stakeholder_counts(ctx, flt)
    return child_page(rows, page, order, lambda: counts.load(stakeholder_id))


async def participant_ids(ctx: RequestContext, interaction_id: int) -> tuple[list[int], list[int]]:
    """The ids of the stakeholders and of our members who took part, each in id order."""
    stakeholders = column_values(ctx, InteractionStakeholder.interaction_id, InteractionStakeholder.stakeholder_id)
    members = column_values(ctx, InteractionMember.interaction_id, InteractionMember.member_id)
    return sorted(await stakeholders.load(interaction_id)), sorted(await members.load(interaction_id))

