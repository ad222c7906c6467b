"""The evidence a batch of accounts is judged by, read in a fixed number of grouped statements whatever the
batch's size: the accounts' rows, open needs, deals, revenue, the map's support, plan actions and people's
overrides."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.account import Account, account_table
from domain.grading import CLEAR_STATUSES
from domain.judgment_override import JudgmentOverride, OverrideKind
from domain.need import OPEN_STATUSES, Need, NeedVisibility
from domain.opportunity import OPEN_STAGES, Opportunity, OpportunityStage
from domain.plan import Action, ActionPlan, ActionStatus, PlanStatus
from domain.relationship_map import ATTITUDE_SCORE, INFLUENCE_WEIGHT
from domain.revenue import RevenueRecord, trailing_start
from domain.stakeholder import Stakeholder

# Plans whose actions count for plan progress: the ones being carried out or prepared.
LIVE_PLANS = (PlanStatus.DRAFT, PlanStatus.ACTIVE)


@dataclass(slots=True)
class Evidence:
    """What one account's judgments read (counts are 0 and days None where there is nothing)."""

    row: Any  # the account's columns, see `ACCOUNT_COLUMNS`
    open_needs: int = 0
    clear_needs: int = 0
    open_stages: list[OpportunityStage] = field(default_factory=list)
    won_deals: int = 0
    first_won_on: date | None = None
    last_won_on: date | None = None
    orders: int = 0
    first_order_on: date | None = None
    revenue_last_12: Decimal | None = None  # None: no revenue records at all
    revenue_previous_12: Decimal | None = None
    support_index: float | None = None
    open_actions: int = 0
    overdue_actions: int = 0
    overrides: dict[OverrideKind, JudgmentOverride] = field(default_factory=dict)


ACCOUNT_COLUMNS = (
    Account.id, Account.entered_annual_value, Account.current_annual_value, Account.annual_value_source,
    Account.interactions_90d, Account.relationship_stage, Account.last_interaction_day, Account.created_at,
    Account.judged_grade, Account.judged_value_tier, Account.judged_lifecycle_stage,
    Account.judged_relationship_stage, Account.health_band, Account.ranked_value_tier, Account.estimated_wallet,
    Account.strategic_fit, Account.revenue_margin_to_date, Account.revenue_last_order_on,
    account_table.c.assessed_potential,
)


def previous_start(today: date) -> date:
    """The first day of the twelve months before the trailing twelve months."""
    return trailing_start(trailing_start(today) - timedelta(days=1))


async def gather(session: AsyncSession, ids: list[int], today: date) -> dict[int, Evidence]:
    """The evidence of the accounts among `ids` that exist."""
    rows = (await session.execute(select(*ACCOUNT_COLUMNS).where(Account.id.in_(ids)))).all()
    found = {row.id: Evidence(row=row) for row in rows}
    if not found:
        return found
    ids = list(found)
    clear = (Need.visibility == NeedVisibility.EXPLICIT) & Need.status.in_(CLEAR_STATUSES)
    for account_id, count, clear_count in (
        await session.execute(
            select(Need.account_id, func.count(), func.count(case((clear, 1))))
            .where(Need.account_id.in_(ids), Need.status.in_(OPEN_STATUSES))
            .group_by(Need.account_id)
        )
    ).all():
        found[account_id].open_needs, found[account_id].clear_needs = int(count), int(clear_count)

    for account_id, stage, count, first, last in (
        await session.execute(
            select(
                Opportunity.account_id, Opportunity.stage, func.count(),
                func.min(Opportunity.closed_on), func.max(Opportunity.closed_on),
            )
            .where(Opportunity.account_id.in_(ids), Opportunity.stage.in_((*OPEN_STAGES, OpportunityStage.WON)))
            .group_by(Opportunity.account_id, Opportunity.stage)
        )
    ).all():
        evidence = found[account_id]
        if stage is OpportunityStage.WON:
            evidence.won_deals, evidence.first_won_on, evidence.last_won_on = int(count), first, last
        else:
            evidence.open_stages.append(stage)

    last_start, previous = trailing_start(today), previous_start(today)
    recent = and_(RevenueRecord.booked_on >= last_start, RevenueRecord.booked_on <= today)
    before = and_(RevenueRecord.booked_on >= previous, RevenueRecord.booked_on < last_start)
    for account_id, count, first, last_12, previous_12 in (
        await session.execute(
            select(
                RevenueRecord.account_id, func.count(), func.min(RevenueRecord.booked_on),
                func.sum(case((recent, RevenueRecord.amount), else_=0)),
                func.sum(case((before, RevenueRecord.amount), else_=0)),
            )
            .where(RevenueRecord.account_id.in_(ids))
            .group_by(RevenueRecord.account_id)
        )
    ).all():
        evidence = found[account_id]
        evidence.orders, evidence.first_order_on = int(count), first
        evidence.revenue_last_12 = Decimal(last_12 or 0).quantize(Decimal("0.01"))
        evidence.revenue_previous_12 = Decimal(previous_12 or 0).quantize(Decimal("0.01"))

    weight = case(*((Stakeholder.influence == k, v) for k, v in INFLUENCE_WEIGHT.items()))
    score = case(*((Stakeholder.attitude == k, v) for k, v in ATTITUDE_SCORE.items()))
    for account_id, total, weights in (
        await session.execute(
            select(Stakeholder.account_id, func.sum(weight * score), func.sum(weight))
            .where(Stakeholder.account_id.in_(ids))
            .group_by(Stakeholder.account_id)
        )
    ).all():
        if weights:
            found[account_id].support_index = round(int(total) / int(weights), 4)

    open_action = Action.status != ActionStatus.DONE
    for account_id, count, overdue in (
        await session.execute(
            select(ActionPlan.account_id, func.count(), func.count(case((Action.due_on < today, 1))))
            .join(Action, Action.plan_id == ActionPlan.id)
            .where(ActionPlan.account_id.in_(ids), ActionPlan.status.in_(LIVE_PLANS), open_action)
            .group_by(ActionPlan.account_id)
        )
    ).all():
        found[account_id].open_actions, found[account_id].overdue_actions = int(count), int(overdue)

    overrides: dict[int, dict[OverrideKind, JudgmentOverride]] = defaultdict(dict)
    for override in (await session.scalars(select(JudgmentOverride).where(JudgmentOverride.account_id.in_(ids)))).all():
        overrides[override.account_id][override.kind] = override
    for account_id, held in overrides.items():
        found[account_id].overrides = held
    return found
