"""The relationship-stage and lifecycle-stage rules as plain functions, without a database. Every expected
value is worked out by hand in the comments."""

from __future__ import annotations

from datetime import date

import pytest

from domain.account import LifecycleStage, RelationshipStage
from domain.opportunity import OPEN_STAGES, OpportunityStage
from domain.stages import (
    LifecycleReason,
    LifecycleStageResult,
    RelationshipReason,
    RelationshipStageResult,
    StageInputs,
    lifecycle_stage_of,
    relationship_stage_of,
)

R = RelationshipStage
L = LifecycleStage
TODAY = date(2024, 6, 30)


def stages(
    won: int = 0, orders: int = 0, last: date | None = None, open_stage: OpportunityStage | None = None,
    warning: bool = False, entered: RelationshipStage = R.PROSPECT, today: date = TODAY,
) -> StageInputs:
    return StageInputs(won, orders, last, open_stage, warning, entered, today)


# --- relationship stage -------------------------------------------------------------------------------------


def test_no_purchase_is_a_prospect() -> None:
    assert relationship_stage_of(stages()) == RelationshipStageResult(
        R.PROSPECT, RelationshipReason.NO_PURCHASE, purchases=0, won_deals=0, orders=0, entered=R.PROSPECT
    )


def test_a_first_won_deal_makes_a_prospect_a_first_deal_customer() -> None:
    result = relationship_stage_of(stages(won=1))
    assert (result.stage, result.reason, result.purchases) == (R.FIRST_DEAL, RelationshipReason.FIRST_PURCHASE, 1)


def test_a_won_deal_and_its_order_are_one_purchase() -> None:
    # max(1 won deal, 1 order) = 1, not 1 + 1 = 2
    result = relationship_stage_of(stages(won=1, orders=1))
    assert (result.stage, result.purchases, result.won_deals, result.orders) == (R.FIRST_DEAL, 1, 1, 1)


@pytest.mark.parametrize(
    ("won", "orders", "purchases", "stage"),
    [
        (0, 1, 1, R.FIRST_DEAL),  # orders from the ERP, no deal in kam: a customer all the same
        (2, 0, 2, R.REPEAT_CUSTOMER),
        (0, 2, 2, R.REPEAT_CUSTOMER),
        (1, 5, 5, R.REPEAT_CUSTOMER),  # max(1, 5) = 5
    ],
)
def test_purchases_are_the_larger_count(won: int, orders: int, purchases: int, stage: RelationshipStage) -> None:
    result = relationship_stage_of(stages(won=won, orders=orders))
    assert (result.purchases, result.stage) == (purchases, stage)


@pytest.mark.parametrize("entered", [R.PREFERRED_SUPPLIER, R.STRATEGIC_PARTNER])
def test_a_person_set_higher_stage_stands_on_repeat_purchases(entered: RelationshipStage) -> None:
    assert relationship_stage_of(stages(won=2, orders=3, entered=entered)) == RelationshipStageResult(
        entered, RelationshipReason.KEPT_BY_PERSON, purchases=3, won_deals=2, orders=3, entered=entered
    )


@pytest.mark.parametrize(
    ("won", "stage", "reason"),
    [(0, R.PROSPECT, RelationshipReason.NO_PURCHASE), (1, R.FIRST_DEAL, RelationshipReason.FIRST_PURCHASE)],
)
def test_a_person_set_strategic_partner_is_overruled_without_repeat_purchases(
    won: int, stage: RelationshipStage, reason: RelationshipReason
) -> None:
    result = relationship_stage_of(stages(won=won, entered=R.STRATEGIC_PARTNER))
    assert (result.stage, result.reason, result.entered) == (stage, reason, R.STRATEGIC_PARTNER)


def test_a_lower_stage_a_person_entered_gives_way_to_the_evidence() -> None:
    assert relationship_stage_of(stages(won=2, entered=R.FIRST_DEAL)).stage is R.REPEAT_CUSTOMER  # moved on
    assert relationship_stage_of(stages(won=0, entered=R.REPEAT_CUSTOMER)).stage is R.PROSPECT  # moved back


# --- lifecycle stage ----------------------------------------------------------------------------------------


def test_never_bought_is_acquisition() -> None:
    assert lifecycle_stage_of(stages()) == LifecycleStageResult(
        L.ACQUISITION, LifecycleReason.NEVER_BOUGHT, days_since_last_purchase=None, lapsed_after_days=730
    )
    # a deal still at initial contact has not passed it; a churn warning cannot lose a customer never won
    result = lifecycle_stage_of(stages(open_stage=OpportunityStage.INITIAL_CONTACT, warning=True))
    assert (result.stage, result.reason) == (L.ACQUISITION, LifecycleReason.NEVER_BOUGHT)


@pytest.mark.parametrize("stage", OPEN_STAGES[1:])  # NEEDS_ANALYSIS to SIGNING
def test_never_bought_with_a_deal_past_initial_contact_is_conversion(stage: OpportunityStage) -> None:
    result = lifecycle_stage_of(stages(open_stage=stage))
    assert (result.stage, result.reason, result.days_since_last_purchase) == (
        L.CONVERSION, LifecycleReason.DEAL_IN_PROGRESS, None
    )


def test_bought_within_the_window_is_retention_or_at_risk() -> None:
    # 30 May to 30 June: 31 days
    result = lifecycle_stage_of(stages(won=1, last=date(2024, 5, 30)))
    assert (result.stage, result.reason, result.days_since_last_purchase) == (
        L.RETENTION, LifecycleReason.ACTIVE_CUSTOMER, 31
    )
    # a churn warning puts a retained account AT_RISK
    result = lifecycle_stage_of(stages(won=1, last=date(2024, 5, 30), warning=True))
    assert (result.stage, result.reason, result.days_since_last_purchase) == (
        L.AT_RISK, LifecycleReason.CHURN_WARNING, 31
    )


def test_lapsed_is_churned_or_win_back() -> None:
    # 30 June 2021 to 30 June 2024: 365 + 365 + 366 (29 February 2024) = 1096 days > 730
    lapsed = stages(orders=4, last=date(2021, 6, 30), warning=True)
    assert lifecycle_stage_of(lapsed) == LifecycleStageResult(
        L.CHURNED, LifecycleReason.LAPSED, days_since_last_purchase=1096, lapsed_after_days=730
    )
    # any open deal, even at initial contact, is a win-back; the churn warning no longer matters
    for stage in OPEN_STAGES:
        result = lifecycle_stage_of(stages(orders=4, last=date(2021, 6, 30), open_stage=stage, warning=True))
        assert (result.stage, result.reason) == (L.WIN_BACK, LifecycleReason.WINNING_BACK)


def test_exactly_at_the_lapse_boundary_is_not_lapsed() -> None:
    # 1 July 2022 to 1 July 2023: 365 days; to 30 June 2024: 366 (29 February 2024) - 1 = 365 more: 730
    at = lifecycle_stage_of(stages(won=1, last=date(2022, 7, 1)))
    assert (at.stage, at.days_since_last_purchase) == (L.RETENTION, 730)
    # 30 June 2022: 731 days, one past
    past = lifecycle_stage_of(stages(won=1, last=date(2022, 6, 30)))
    assert (past.stage, past.days_since_last_purchase) == (L.CHURNED, 731)


def test_the_lapse_window_is_policy() -> None:
    # 31 days against a 30-day window: lapsed; against 31: not
    assert lifecycle_stage_of(stages(won=1, last=date(2024, 5, 30)), lapsed_after_days=30).stage is L.CHURNED
    result = lifecycle_stage_of(stages(won=1, last=date(2024, 5, 30)), lapsed_after_days=31)
    assert (result.stage, result.lapsed_after_days) == (L.RETENTION, 31)
    # a window of 0 days: bought today is 0 days, not lapsed; yesterday is 1 day, lapsed
    assert lifecycle_stage_of(stages(won=1, last=TODAY), lapsed_after_days=0).stage is L.RETENTION
    assert lifecycle_stage_of(stages(won=1, last=date(2024, 6, 29)), lapsed_after_days=0).stage is L.CHURNED


def test_a_purchase_dated_in_the_future_counts_as_0_days() -> None:
    result = lifecycle_stage_of(stages(won=1, last=date(2024, 7, 15)), lapsed_after_days=0)
    assert (result.stage, result.days_since_last_purchase) == (L.RETENTION, 0)


def test_bad_policy_and_closed_stages_are_refused() -> None:
    with pytest.raises(ValueError, match="must not be negative; got -1"):
        lifecycle_stage_of(stages(), lapsed_after_days=-1)
    for closed in (OpportunityStage.WON, OpportunityStage.LOST):
        with pytest.raises(ValueError, match="must be an open stage"):
            lifecycle_stage_of(stages(open_stage=closed))
