"""Relationship stage (客户关系转换轴) and lifecycle stage (客户生命周期) from evidence (DOMAIN.md section 5).

The stages are read off the evidence each time, not stepped through as a state machine: a reopened deal or
a deleted order moves an account back as readily as a new purchase moves it on.

Purchases are the larger of the won deals and the orders (revenue records), not their sum: a won deal and
the invoice booked for it are usually both recorded, and one sale must not count twice; a customer whose
orders come from the ERP without a deal in kam has bought all the same. The larger count may miss a
purchase when deals and orders are unrelated; it never invents one.

Relationship stage, from the number of purchases:
- no purchase: PROSPECT;
- a first won opportunity (or a first order) makes a prospect a FIRST_DEAL customer;
- two purchases or more: REPEAT_CUSTOMER;
- PREFERRED_SUPPLIER and STRATEGIC_PARTNER stay a person's: they say how the customer ranks us and what
  it has agreed with us, which no count of purchases shows. The stage a person entered stands while the
  evidence says at least REPEAT_CUSTOMER; below that the evidence wins (a STRATEGIC_PARTNER with one
  purchase is a FIRST_DEAL). A lower stage a person entered always gives way to the evidence.

Lifecycle stage, from the day of the last purchase (the later of the last won deal's close and the last
order), counted in whole days before today; a purchase dated after today counts as 0 days:
- never bought: CONVERSION when an open deal has passed INITIAL_CONTACT (NEEDS_ANALYSIS or further),
  else ACQUISITION;
- lapsed, the last purchase more than `lapsed_after_days` days ago (exactly that many is not lapsed):
  WIN_BACK with an open deal at any stage, else CHURNED;
- bought within that window: a churn warning puts a retained account AT_RISK; without one, RETENTION.
A churn warning does not move an account that never bought or has lapsed: it has no custom left to lose.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from domain.account import LifecycleStage, RelationshipStage
from domain.opportunity import OpportunityStage, is_open

DEFAULT_LAPSED_AFTER_DAYS = 730  # two years without a purchase

PERSON_STAGES = frozenset({RelationshipStage.PREFERRED_SUPPLIER, RelationshipStage.STRATEGIC_PARTNER})


class RelationshipReason(enum.Enum):
    NO_PURCHASE = "NO_PURCHASE"
    FIRST_PURCHASE = "FIRST_PURCHASE"
    REPEAT_PURCHASES = "REPEAT_PURCHASES"
    KEPT_BY_PERSON = "KEPT_BY_PERSON"


class LifecycleReason(enum.Enum):
    NEVER_BOUGHT = "NEVER_BOUGHT"  # ACQUISITION
    DEAL_IN_PROGRESS = "DEAL_IN_PROGRESS"  # CONVERSION
    LAPSED = "LAPSED"  # CHURNED
    WINNING_BACK = "WINNING_BACK"  # WIN_BACK
    CHURN_WARNING = "CHURN_WARNING"  # AT_RISK
    ACTIVE_CUSTOMER = "ACTIVE_CUSTOMER"  # RETENTION


@dataclass(frozen=True, slots=True)
class StageInputs:
    """The evidence behind an account's stages, as the account keeps it."""

    won_deals: int  # won opportunities to date
    orders: int  # revenue records (orders, invoices) to date
    last_bought_on: date | None  # the later of the last won deal's close and the last order; None: never
    furthest_open_stage: OpportunityStage | None  # None: no open opportunity
    churn_warning: bool  # the health judgment's
    entered_relationship: RelationshipStage  # what a person last set on the account
    today: date


@dataclass(frozen=True, slots=True)
class RelationshipStageResult:
    """The stage, why, and the counts behind it; `entered` is the stage a person set, kept or overruled."""

    stage: RelationshipStage
    reason: RelationshipReason
    purchases: int  # max(won_deals, orders)
    won_deals: int
    orders: int
    entered: RelationshipStage


@dataclass(frozen=True, slots=True)
class LifecycleStageResult:
    stage: LifecycleStage
    reason: LifecycleReason
    days_since_last_purchase: int | None  # None: never bought
    lapsed_after_days: int


def purchases(won_deals: int, orders: int) -> int:
    """A won deal and its invoice are one purchase, so the larger count, not the sum."""
    return max(won_deals, orders)


def days_since(last: date, today: date) -> int:
    """Whole days from `last` to `today`; 0 when `last` is today or later."""
    return max((today - last).days, 0)


def relationship_stage_of(inputs: StageInputs) -> RelationshipStageResult:
    count = purchases(inputs.won_deals, inputs.orders)
    if count == 0:
        stage, reason = RelationshipStage.PROSPECT, RelationshipReason.NO_PURCHASE
    elif count == 1:
        stage, reason = RelationshipStage.FIRST_DEAL, RelationshipReason.FIRST_PURCHASE
    else:
        stage, reason = RelationshipStage.REPEAT_CUSTOMER, RelationshipReason.REPEAT_PURCHASES
    entered = inputs.entered_relationship
    if entered in PERSON_STAGES and stage is RelationshipStage.REPEAT_CUSTOMER:
        stage, reason = entered, RelationshipReason.KEPT_BY_PERSON
    return RelationshipStageResult(stage, reason, count, inputs.won_deals, inputs.orders, entered)


def lifecycle_stage_of(
    inputs: StageInputs, *, lapsed_after_days: int = DEFAULT_LAPSED_AFTER_DAYS
) -> LifecycleStageResult:
    """Raises ValueError on a negative `lapsed_after_days` or a furthest open stage that is not open."""
    if lapsed_after_days < 0:
        raise ValueError(f"lapsed_after_days must not be negative; got {lapsed_after_days}")
    open_stage = inputs.furthest_open_stage
    if open_stage is not None and not is_open(open_stage):
        raise ValueError(f"the furthest open stage must be an open stage; got {open_stage.name}")

    last = inputs.last_bought_on
    days = None if last is None else days_since(last, inputs.today)
    if days is None:
        if open_stage not in (None, OpportunityStage.INITIAL_CONTACT):
            stage, reason = LifecycleStage.CONVERSION, LifecycleReason.DEAL_IN_PROGRESS
        else:
            stage, reason = LifecycleStage.ACQUISITION, LifecycleReason.NEVER_BOUGHT
    elif days > lapsed_after_days:
        if open_stage is not None:
            stage, reason = LifecycleStage.WIN_BACK, LifecycleReason.WINNING_BACK
        else:
            stage, reason = LifecycleStage.CHURNED, LifecycleReason.LAPSED
    elif inputs.churn_warning:
        stage, reason = LifecycleStage.AT_RISK, LifecycleReason.CHURN_WARNING
    else:
        stage, reason = LifecycleStage.RETENTION, LifecycleReason.ACTIVE_CUSTOMER
    return LifecycleStageResult(stage, reason, days, lapsed_after_days)
