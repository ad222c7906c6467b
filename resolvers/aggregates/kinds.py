"""The kinds of object aggregates count: their dimensions, measures and rows.

Every kind's rows start from the caller's access: rows of an account count only
where the caller may read the account, exactly as its lists do. Rows of an
account group by that account's grade, owner, industry and region too
(`ACCOUNT_*`); the account is joined only when a condition or dimension reads it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import join
from sqlalchemy.sql.util import find_tables

from domain.account import Account, Grade, LifecycleStage, RelationshipStage, ValueTier
from domain.growth import GrowthQuadrant
from domain.health import HealthBand
from domain.interaction import Interaction, InteractionDirection, InteractionKind
from domain.need import Need, NeedCategory, NeedPeakQuarter, NeedStatus, NeedVisibility, Priority, Quarter
from domain.opportunity import Opportunity, OpportunityStage
from domain.plan import Action, ActionPlan, ActionStatus, PlanStatus
from domain.revenue import Grain, RevenueRecord
from domain.stakeholder import Attitude, BuyingRole, DecisionLevel, Influence, Stakeholder, StakeholderBuyingRole
from resolvers.access import access_of
from resolvers.accounts.reads import AccountFilter
from resolvers.aggregates import buckets, tallied
from resolvers.aggregates.grouping import Dimension, Kind, Measure, Portion, Rows, enum_dimension, enum_order
from resolvers.context import RequestContext

MEMBER_KEYS = frozenset({"owner", "account_owner"})  # key fields holding a team member's id


def dated(name: str, key: str, column: Any, timestamp: bool = False) -> dict[str, Dimension]:
    """`NAME_MONTH`, `NAME_QUARTER` and `NAME_YEAR`: the month, quarter or year `column` falls in."""
    found = {}
    for grain in Grain:
        def decode(value: Any, grain: Grain = grain) -> buckets.Bucket | None:
            return buckets.decode(value, grain)

        found[f"{name}_{grain.name}"] = Dimension(f"{key}_{grain.name.lower()}", buckets.bucket(column, grain, timestamp), decode, type=buckets.Bucket)
    return found


def _account_dimensions(prefix: str = "", key: str = "", account: bool = False) -> dict[str, Dimension]:
    return {
        f"{prefix}GRADE": enum_dimension(f"{key}grade", Account.grade, Grade, account),
        f"{prefix}JUDGED_GRADE": enum_dimension(f"{key}judged_grade", Account.judged_grade, Grade, account),
        f"{prefix}OWNER": Dimension(f"{key}owner", Account.owner_id, account=account),
        f"{prefix}INDUSTRY": Dimension(f"{key}industry", Account.industry, account=account),
        f"{prefix}REGION": Dimension(f"{key}region", Account.region, account=account),
    }


OF_AN_ACCOUNT = _account_dimensions("ACCOUNT_", "account_", account=True)

ACCOUNTS = Kind(
    "Accounts",
    {
        **_account_dimensions(),
        "VALUE_TIER": enum_dimension("value_tier", Account.value_tier, ValueTier),
        "JUDGED_VALUE_TIER": enum_dimension("judged_value_tier", Account.judged_value_tier, ValueTier),
        "QUADRANT": enum_dimension("quadrant", Account.quadrant, GrowthQuadrant),
        "LIFECYCLE_STAGE": enum_dimension("lifecycle_stage", Account.lifecycle_stage, LifecycleStage),
        "RELATIONSHIP_STAGE": enum_dimension("relationship_stage", Account.relationship_stage, RelationshipStage),
        "HEALTH_BAND": enum_dimension("health_band", Account.health_band, HealthBand),
        "IS_KEY_ACCOUNT": Dimension("is_key_account", Account.is_key_account),
        "CURRENCY": Dimension("currency", Account.currency),
        **dated("CREATED", "created", Account.created_at, timestamp=True),
    },
    (
        Measure("current_annual_value", Account.current_annual_value, money=True),
        Measure("estimated_wallet", Account.estimated_wallet, money=True),
        Measure("predicted_lifetime_value", Account.predicted_lifetime_value, money=True),
        Measure("grade_score", Account.grade_score),
        Measure("health_score", Account.health_score),
        Measure("interactions_last_90_days", Account.interactions_90d),
    ),
    currency=Account.currency,
)


def _with_buying_role(stmt: Any) -> Any:
    return stmt.outerjoin(StakeholderBuyingRole, StakeholderBuyingRole.stakeholder_id == Stakeholder.id)


def _with_peak_quarter(stmt: Any) -> Any:
    return stmt.outerjoin(NeedPeakQuarter, NeedPeakQuarter.need_id == Need.id)


STAKEHOLDERS = Kind(
    "Stakeholders",
    {
        "BUYING_ROLE": Dimension("buying_role", StakeholderBuyingRole.role, join=_with_buying_role,
                                 order=enum_order(StakeholderBuyingRole.role, BuyingRole)),
        "ATTITUDE": enum_dimension("attitude", Stakeholder.attitude, Attitude),
        "INFLUENCE": enum_dimension("influence", Stakeholder.influence, Influence),
        "DECISION_LEVEL": enum_dimension("decision_level", Stakeholder.decision_level, DecisionLevel),
        **OF_AN_ACCOUNT,
        **dated("CREATED", "created", Stakeholder.created_at, timestamp=True),
    },
)

NEEDS = Kind(
    "Needs",
    {
        "CATEGORY": enum_dimension("category", Need.category, NeedCategory),
        "STATUS": enum_dimension("status", Need.status, NeedStatus),
        "PRIORITY": enum_dimension("priority", Need.priority, Priority),
        "VISIBILITY": enum_dimension("visibility", Need.visibility, NeedVisibility),
        "PEAK_QUARTER": Dimension("peak_quarter", NeedPeakQuarter.quarter, join=_with_peak_quarter,
                                  order=enum_order(NeedPeakQuarter.quarter, Quarter)),
        **OF_AN_ACCOUNT,
        **dated("CREATED", "created", Need.created_at, timestamp=True),
    },
    tally=tallied.need_counts,
)

PLANS = Kind(
    "Plans",
    {
        "STATUS": enum_dimension("status", ActionPlan.status, PlanStatus),
        "OWNER": Dimension("owner", ActionPlan.owner_id),
        **OF_AN_ACCOUNT,
        **dated("STARTS", "starts", ActionPlan.starts_on),
        **dated("ENDS", "ends", ActionPlan.ends_on),
    },
)

ACTIONS = Kind(
    "Actions",
    {
        "STATUS": enum_dimension("status", Action.status, ActionStatus),
        "OWNER": Dimension("owner", Action.owner_id),
        "PLAN_STATUS": Dimension("plan_status", ActionPlan.status, order=enum_order(ActionPlan.status, PlanStatus), through=True),
        **OF_AN_ACCOUNT,
        **dated("DUE", "due", Action.due_on),
        **dated("COMPLETED", "completed", Action.completed_at, timestamp=True),
    },
)

INTERACTIONS = Kind(
    "Interactions",
    {
        "KIND": enum_dimension("kind", Interaction.kind, InteractionKind),
        "DIRECTION": enum_dimension("direction", Interaction.direction, InteractionDirection),
        **OF_AN_ACCOUNT,
        **dated("OCCURRED", "occurred", Interaction.occurred_at, timestamp=True),
    },
    (Measure("duration_minutes", Interaction.duration_minutes),),
)

OPPORTUNITIES = Kind(
    "Opportunities",
    {
        "STAGE": enum_dimension("stage", Opportunity.stage, OpportunityStage),
        "OWNER": Dimension("owner", Opportunity.owner_id),
        "CURRENCY": Dimension("currency", Opportunity.currency),
        **OF_AN_ACCOUNT,
        **dated("OPENED", "opened", Opportunity.opened_on),
        **dated("EXPECTED_CLOSE", "expected_close", Opportunity.expected_close_on),
        **dated("CLOSED", "closed", Opportunity.closed_on),
    },
    (
        Measure("amount", Opportunity.amount, money=True),
        Measure("weighted_amount", Opportunity.amount * Opportunity.probability / 100, money=True),
        Measure("probability", Opportunity.probability),
    ),
    currency=Opportunity.currency,
)

REVENUE = Kind(
    "Revenue",
    {
        "PRODUCT_LINE": Dimension("product_line", RevenueRecord.product_line),
        "CURRENCY": Dimension("currency", RevenueRecord.currency),
        **OF_AN_ACCOUNT,
        **dated("BOOKED", "booked", RevenueRecord.booked_on),
    },
    (Measure("amount", RevenueRecord.amount, money=True), Measure("margin", RevenueRecord.margin, money=True)),
    currency=RevenueRecord.currency,
)


def _accounts_condition(flt: AccountFilter) -> ColumnElement[bool] | None:
    return flt.apply(select(Account.id)).whereclause


def account_rows(ctx: RequestContext, flt: AccountFilter) -> Rows:
    """The accounts `flt` selects among those the caller may read."""
    where = [c for c in (_accounts_condition(flt), access_of(ctx).account_condition()) if c is not None]
    return Rows(Account, tuple(where))


def rows_of_accounts(
    ctx: RequestContext,
    froms: Any,
    account_column: Any,
    conditions: list[ColumnElement[bool]],
    accounts: AccountFilter | None,
) -> Rows:
    """Rows of an account (`account_column`) meeting `conditions`, of the accounts `accounts` selects (all
    when None, archived ones too) among those the caller may read; a portion a tally can count when nothing
    but the regions of live accounts narrows them."""
    where = list(conditions)
    access = access_of(ctx).account_condition()
    for condition in (None if accounts is None else _accounts_condition(accounts), access):
        if condition is not None:
            where.append(condition)
    portion = None
    if not conditions and access is None:
        if accounts is None:
            portion = Portion()
        elif accounts.regions and accounts == AccountFilter(regions=accounts.regions):
            portion = Portion(accounts.regions)
    return Rows(froms, tuple(where), account_on=Account.id == account_column, account=len(where) > len(conditions), portion=portion)


def action_rows(ctx: RequestContext, conditions: list[ColumnElement[bool]], accounts: AccountFilter | None) -> Rows:
    """Actions, read with their plan (which names their account), or alone when nothing reads the plan."""
    rows = rows_of_accounts(ctx, join(Action, ActionPlan, ActionPlan.id == Action.plan_id), ActionPlan.account_id, conditions, accounts)
    if rows.account or any(ActionPlan.__table__ in find_tables(c) for c in conditions):
        return rows
    return replace(rows, bare=Action)
