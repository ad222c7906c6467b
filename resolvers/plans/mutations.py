"""Writing account plans, objectives and actions.

Dates hold together: a plan ends on or after its start, and everything due in a
plan is due inside it, also after the plan's dates change. An action serves a
need and a stakeholder of the plan's own account. Nothing of an archived
account changes until it is restored.
"""

from __future__ import annotations

from datetime import datetime
from domain.base import utcnow
from decimal import Decimal
from typing import Any

from sqlalchemy import select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, ErrorCode
from domain.need import Need
from domain.plan import (
    Action,
    ActionPlan,
    ActionStatus,
    Objective,
    PlanStatus,
    apply_action_status,
    check_due_within_plan,
    check_plan_covers,
    check_plan_dates,
)
from domain.stakeholder import Stakeholder
from domain.team import TeamMember
from resolvers import validation as v
from resolvers.accounts.ownership import open_account, row_of_account
from resolvers.ids import input_id
from resolvers.judgments.judging import rejudge

LONG_TEXT = 5000


async def _owner_id(session: AsyncSession, value: str | None, field: str = "ownerId") -> int | None:
    if value is None:
        return None
    owner_id = input_id(value, "TeamMember", field)
    await v.get_row(session, TeamMember, owner_id, field)
    return owner_id


async def _writable_plan(session: AsyncSession, value: str, field: str) -> ActionPlan:
    plan = await v.get_row(session, ActionPlan, input_id(value, "ActionPlan", field), field)
    await open_account(session, plan.account_id, field)
    return plan


async def _plan_of(session: AsyncSession, plan_id: int, field: str) -> ActionPlan:
    plan = await v.get_row(session, ActionPlan, plan_id, field)
    await open_account(session, plan.account_id, field)
    return plan


def _target(value: Decimal) -> Decimal:
    if not value.is_finite() or value < 0 or value >= v.MAX_MONEY or value != value.quantize(Decimal("0.01")):
        raise DomainError.single(
            "target", "`target` must be a non-negative number with at most two decimals.", ErrorCode.OUT_OF_RANGE
        )
    return value.quantize(Decimal("0.01"))


# Plans


def _clean_plan(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "title" in data:
        out["title"] = v.required_text(data["title"], "title", 300)
    if "description" in data:
        out["description"] = v.optional_text(data["description"], "description", LONG_TEXT)
    for key in ("status", "starts_on"):
        if key in data:
            out[key] = v.not_null(data, key)
    if "ends_on" in data:
        out["ends_on"] = data["ends_on"]
    return out


async def create_plan(session: AsyncSession, data: dict[str, Any]) -> ActionPlan:
    account = await open_account(session, input_id(data["account_id"], "Account", "accountId"), "accountId")
    values = {"status": PlanStatus.DRAFT, **_clean_plan(data)}
    check_plan_dates(values["starts_on"], values.get("ends_on"))
    values["owner_id"] = await _owner_id(session, data.get("owner_id"))
    plan = ActionPlan(account_id=account.id, **values)
    session.add(plan)
    return plan


async def _due_dates(session: AsyncSession, plan_id: int) -> list[Any]:
    stmt = union_all(
        select(Objective.due_on).where(Objective.plan_id == plan_id, Objective.due_on.is_not(None)),
        select(Action.due_on).where(Action.plan_id == plan_id, Action.due_on.is_not(None)),
    )
    return list((await session.execute(stmt)).scalars().all())


async def update_plan(session: AsyncSession, data: dict[str, Any]) -> ActionPlan:
    plan = await _writable_plan(session, data.pop("id"), "id")
    v.check_version(plan, data.pop("version", None))
    values = _clean_plan(data)
    if "starts_on" in values or "ends_on" in values:
        starts_on = values.get("starts_on", plan.starts_on)
        ends_on = values.get("ends_on", plan.ends_on)
        check_plan_dates(starts_on, ends_on, "endsOn" if "ends_on" in values else "startsOn")
        check_plan_covers(starts_on, ends_on, await _due_dates(session, plan.id))
    if "owner_id" in data:
        values["owner_id"] = await _owner_id(session, data["owner_id"])
    if "status" in values:
        rejudge(session, plan.account_id)  # only live plans' actions count toward health
    v.apply(plan, values)
    return plan


async def delete_plan(session: AsyncSession, value: str) -> str:
    """Objectives and actions go with the plan."""
    plan = await _writable_plan(session, value, "id")
    await session.delete(plan)
    rejudge(session, plan.account_id)
    return value


# Objectives


def _clean_objective(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "description" in data:
        out["description"] = v.required_text(data["description"], "description", LONG_TEXT)
    if "metric" in data:
        out["metric"] = v.required_text(data["metric"], "metric", 200)
    if "target" in data:
        out["target"] = _target(v.not_null(data, "target"))
    if "due_on" in data:
        out["due_on"] = data["due_on"]
    return out


async def create_objective(session: AsyncSession, data: dict[str, Any]) -> Objective:
    plan = await _writable_plan(session, data["plan_id"], "planId")
    values = _clean_objective(data)
    check_due_within_plan(plan, values.get("due_on"))
    objective = Objective(plan_id=plan.id, **values)
    session.add(objective)
    return objective


async def _objective(session: AsyncSession, value: str) -> tuple[Objective, ActionPlan]:
    objective = await v.get_row(session, Objective, input_id(value, "Objective", "id"), "id")
    return objective, await _plan_of(session, objective.plan_id, "id")


async def update_objective(session: AsyncSession, data: dict[str, Any]) -> Objective:
    objective, plan = await _objective(session, data.pop("id"))
    v.check_version(objective, data.pop("version", None))
    values = _clean_objective(data)
    if "due_on" in values:
        check_due_within_plan(plan, values["due_on"])
    v.apply(objective, values)
    return objective


async def delete_objective(session: AsyncSession, value: str) -> str:
    objective, _ = await _objective(session, value)
    await session.delete(objective)
    return value


# Actions


async def _links(session: AsyncSession, data: dict[str, Any], account_id: int) -> dict[str, Any]:
    """The need and stakeholder an action serves: optional, and of the plan's account."""
    out: dict[str, Any] = {}
    if "need_id" in data:
        need = await row_of_account(session, Need, data["need_id"], account_id, "needId")
        out["need_id"] = None if need is None else need.id
    if "stakeholder_id" in data:
        person = await row_of_account(session, Stakeholder, data["stakeholder_id"], account_id, "stakeholderId")
        out["stakeholder_id"] = None if person is None else person.id
    return out


async def _clean_action(session: AsyncSession, data: dict[str, Any], plan: ActionPlan) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "title" in data:
        out["title"] = v.required_text(data["title"], "title", 300)
    if "status" in data:
        out["status"] = v.not_null(data, "status")
    if "due_on" in data:
        check_due_within_plan(plan, data["due_on"])
        out["due_on"] = data["due_on"]
    if "owner_id" in data:
        out["owner_id"] = await _owner_id(session, data["owner_id"])
    out.update(await _links(session, data, plan.account_id))
    return out


async def create_action(session: AsyncSession, data: dict[str, Any], now: datetime | None = None) -> Action:
    plan = await _writable_plan(session, data["plan_id"], "planId")
    values = await _clean_action(session, data, plan)
    status = values.pop("status", ActionStatus.TODO)
    action = Action(plan_id=plan.id, **values)
    apply_action_status(action, status, now or utcnow())
    session.add(action)
    rejudge(session, plan.account_id)  # open and overdue actions count toward health
    return action


async def _action(session: AsyncSession, value: str) -> tuple[Action, ActionPlan]:
    action = await v.get_row(session, Action, input_id(value, "Action", "id"), "id")
    return action, await _plan_of(session, action.plan_id, "id")


async def update_action(session: AsyncSession, data: dict[str, Any], now: datetime | None = None) -> Action:
    """A status change goes through the completion rule: DONE stamps `completedAt`, reopening clears it."""
    action, plan = await _action(session, data.pop("id"))
    v.check_version(action, data.pop("version", None))
    values = await _clean_action(session, data, plan)
    status = values.pop("status", None)
    if status is not None or "due_on" in values:
        rejudge(session, plan.account_id)
    v.apply(action, values)
    if status is not None and status is not action.status:
        apply_action_status(action, status, now or utcnow())
    return action


async def complete_action(session: AsyncSession, value: str, version: int | None, now: datetime | None = None) -> Action:
    """Marking an action done twice keeps the first completion time."""
    action, plan = await _action(session, value)
    v.check_version(action, version)
    if action.status is not ActionStatus.DONE:
        apply_action_status(action, ActionStatus.DONE, now or utcnow())
        rejudge(session, plan.account_id)
    return action


async def delete_action(session: AsyncSession, value: str) -> str:
    action, plan = await _action(session, value)
    await session.delete(action)
    rejudge(session, plan.account_id)
    return value
