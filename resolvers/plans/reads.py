"""Reading account plans, their objectives, their actions and their progress, batched per request."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from datetime import date

from sqlalchemy import ColumnElement, func, select
from strawberry.dataloader import DataLoader

from domain.plan import (
    Action,
    ActionPlan,
    ActionStatus,
    Objective,
    PlanProgress,
    PlanStatus,
    progress,
)
from resolvers.accounts.reads import AccountFilter, of_accounts
from resolvers.context import RequestContext
from resolvers.filters import Lacking, Logic, Range, bounded, null_checks
from resolvers.loaders import child_connection, children
from resolvers.pagination import Order, Page, PageRequest, date_key, paginate

# The plan that starts latest first: the current plan leads the account's list.
LATEST_START_FIRST = Order(date_key("startsOn", ActionPlan.starts_on), descending=True)
# Due soonest first, undated actions last.
BY_DUE_DATE = Order(date_key("dueOn", Action.due_order))


class PlanValue(Lacking):
    """Values a plan may lack, for `isNull` / `isNotNull`."""

    OWNER = "OWNER"
    ENDS_ON = "ENDS_ON"
    DESCRIPTION = "DESCRIPTION"

    @classmethod
    def columns(cls) -> dict[Any, Any]:
        return {cls.OWNER: ActionPlan.owner_id, cls.ENDS_ON: ActionPlan.ends_on, cls.DESCRIPTION: ActionPlan.description}


class ActionValue(Lacking):
    """Values an action may lack, for `isNull` / `isNotNull`."""

    OWNER = "OWNER"
    DUE_ON = "DUE_ON"
    NEED = "NEED"
    STAKEHOLDER = "STAKEHOLDER"
    COMPLETED_AT = "COMPLETED_AT"

    @classmethod
    def columns(cls) -> dict[Any, Any]:
        return {
            cls.OWNER: Action.owner_id, cls.DUE_ON: Action.due_on, cls.NEED: Action.need_id,
            cls.STAKEHOLDER: Action.stakeholder_id, cls.COMPLETED_AT: Action.completed_at,
        }


@dataclass(frozen=True)
class PlanFilter(Logic):
    statuses: tuple[PlanStatus, ...] = ()
    owner_ids: tuple[int, ...] = ()
    starts_on: Range | None = None
    ends_on: Range | None = None
    created_on: Range | None = None
    missing: tuple[PlanValue, ...] = ()
    present: tuple[PlanValue, ...] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        for column, values in ((ActionPlan.status, self.statuses), (ActionPlan.owner_id, self.owner_ids)):
            if values:
                conditions.append(column.in_(values))
        if self.created_on is not None:
            conditions += self.created_on.days(ActionPlan.created_at)
        return conditions + bounded(
            (ActionPlan.starts_on, self.starts_on), (ActionPlan.ends_on, self.ends_on)
        ) + null_checks(self.missing, self.present)


@dataclass(frozen=True)
class ActionFilter(Logic):
    statuses: tuple[ActionStatus, ...] = ()
    owner_ids: tuple[int, ...] = ()
    overdue_on: date | None = None  # not done, and due before this day
    completed_from: date | None = None  # completed on or after this day (UTC)
    completed_to: date | None = None  # completed on or before this day (UTC)
    due_on: Range | None = None
    completed_on: Range | None = None  # bounds on the day completed (UTC)
    created_on: Range | None = None
    missing: tuple[ActionValue, ...] = ()
    present: tuple[ActionValue, ...] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        for column, values in ((Action.status, self.statuses), (Action.owner_id, self.owner_ids)):
            if values:
                conditions.append(column.in_(values))
        if self.overdue_on is not None:
            conditions += [Action.status != ActionStatus.DONE, Action.due_on < self.overdue_on]
        conditions += Range(gte=self.completed_from, lte=self.completed_to).days(Action.completed_at)
        for column, days in ((Action.completed_at, self.completed_on), (Action.created_at, self.created_on)):
            if days is not None:
                conditions += days.days(column)
        return conditions + bounded((Action.due_on, self.due_on)) + null_checks(self.missing, self.present)


async def account_plans(ctx: RequestContext, account_id: int, flt: PlanFilter, page: PageRequest) -> Page[ActionPlan]:
    return await child_connection(
        ctx, ActionPlan.account_id, account_id, LATEST_START_FIRST, page, where=flt.where(), where_key=("plans", flt)
    )


async def plan_objectives(ctx: RequestContext, plan_id: int) -> list[Objective]:
    """A plan's objectives, due soonest first and undated ones last."""
    loader = children(
        ctx, Objective.plan_id, order_by=[Objective.due_on.is_(None), Objective.due_on, Objective.id]
    )
    return await loader.load(plan_id)


async def plan_actions(ctx: RequestContext, plan_id: int, flt: ActionFilter, page: PageRequest) -> Page[Action]:
    return await child_connection(
        ctx, Action.plan_id, plan_id, BY_DUE_DATE, page, where=flt.where(), where_key=("actions", flt)
    )


def _status_counts(ctx: RequestContext) -> DataLoader[int, dict[ActionStatus, int]]:
    """How many actions of each status every plan has: one GROUP BY for all plans of a page."""

    async def load(plan_ids: list[int]) -> list[dict[ActionStatus, int]]:
        stmt = (
            select(Action.plan_id, Action.status, func.count())
            .where(Action.plan_id.in_(plan_ids))
            .group_by(Action.plan_id, Action.status)
        )
        counts: dict[int, dict[ActionStatus, int]] = defaultdict(dict)
        for plan_id, status, count in (await ctx.run(lambda s: s.execute(stmt))).all():
            counts[plan_id][status] = int(count)
        return [counts.get(pid, {}) for pid in plan_ids]

    return ctx.loader(("action_status_counts",), lambda: DataLoader(load_fn=load))


async def plan_progress(ctx: RequestContext, plan_id: int) -> PlanProgress:
    return progress(await _status_counts(ctx).load(plan_id))


async def list_plans(ctx: RequestContext, flt: PlanFilter, accounts: AccountFilter | None, page: PageRequest) -> Page[ActionPlan]:
    """Plans across the accounts `accounts` selects that the caller may read, the latest start first."""
    stmt = select(ActionPlan).where(*flt.where(), *of_accounts(ctx, ActionPlan.account_id, accounts))
    return await paginate(ctx, stmt, ActionPlan.id, LATEST_START_FIRST, page)


async def list_actions(ctx: RequestContext, flt: ActionFilter, accounts: AccountFilter | None, page: PageRequest) -> Page[Action]:
    """Actions across the accounts `accounts` selects that the caller may read, due soonest first (undated last)."""
    stmt = select(Action).where(*flt.where())
    of_plans = of_accounts(ctx, ActionPlan.account_id, accounts)
    if of_plans:
        stmt = stmt.where(Action.plan_id.in_(select(ActionPlan.id).where(*of_plans)))
    return await paginate(ctx, stmt, Action.id, BY_DUE_DATE, page)
