"""The judgment rules (grade, cadence, value tier, health, key account, lifetime value) and the scoring policy
as plain functions, without a database. Every expected value is worked out by hand in the comments."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from domain.account import Grade, ValueTier
from domain.cadence import cadence_days, days_overdue, next_contact_due
from domain.factors import points, proportional_points, rounded
from domain.grading import FactorPoints, GradeFactor, GradeInputs, clear_need, grade_of
from domain.health import HealthBand, HealthFactor, HealthInputs, health_of
from domain.key_account import KeyAccountFactor, KeyAccountInputs, key_account_recommendation
from domain.lifetime_value import expected_remaining_years, predicted_lifetime_value
from domain.need import NeedStatus, NeedVisibility
from domain.opportunity import OpportunityStage
from domain.policy import DEFAULT_POLICY, FIELDS, camel, from_document, policy_problems, to_document
from domain.revenue import AnnualValueSource
from domain.value_tier import value_tiers

P = DEFAULT_POLICY
D = Decimal


# --- exact arithmetic -------------------------------------------------------------------------------------


def test_rounding_is_half_away_from_zero_and_exact() -> None:
    assert rounded(Fraction(1, 200)) == D("0.01")  # 0.005 -> 0.01
    assert rounded(Fraction(-1, 200)) == D("-0.01")
    assert rounded(Fraction(1, 1000)) == D("0.00") and str(rounded(Fraction(-1, 1000))) == "0.00"  # no "-0.00"
    # 74.99499999... (a repeating fraction just below the half) stays below; a 28-digit Decimal would round it up.
    assert rounded(Fraction(7499499999999999999999999999999, 10**29)) == D("74.99")
    assert proportional_points(D("2"), D("1"), 25) == 25  # capped at the weight
    assert proportional_points(D("-5"), D("1"), 25) == 0  # never below zero
    with pytest.raises(ValueError):
        proportional_points(1, 0, 25)


# --- grade --------------------------------------------------------------------------------------------------


def inputs(
    open_needs: int = 0, clear_needs: int = 0, trailing: Decimal | None = None, entered: Decimal = D(0),
    interactions: int = 0, stage: OpportunityStage | None = None, established: bool = False,
) -> GradeInputs:
    return GradeInputs(open_needs, clear_needs, trailing, entered, interactions, stage, established)


def factor(result_factors: list[FactorPoints], kind: GradeFactor) -> FactorPoints:
    return next(f for f in result_factors if f.factor is kind)


def test_grade_worked_example_explains_every_factor() -> None:
    result = grade_of(inputs(4, 3, D("250000"), D("999"), 6, None, established=True), P)
    # need clarity: 3 of 4 open needs clear                          -> 25 * 3/4          = 18.75
    # value: 250,000 of 1,000,000 (trailing revenue)                   -> 25 * 1/4          =  6.25
    # interaction: 6 in 90 days, the A cadence expects 90/7 = 12.857  -> 25 * 6 * 7 / 90   = 11.666...
    # sales stage: no open deal, repeat customer                       -> 25 * 0.6          = 15
    # score: 18.75 + 6.25 + 11.666... + 15 = 51.666... -> 51.67 -> B (>= 50)
    assert result.score == 51.67 and result.grade is Grade.B
    assert [f.factor for f in result.factors] == list(GradeFactor)
    assert factor(result.factors, GradeFactor.NEED_CLARITY) == FactorPoints(
        GradeFactor.NEED_CLARITY, 18.75, 25, count=3, of=4
    )
    assert factor(result.factors, GradeFactor.VALUE) == FactorPoints(
        GradeFactor.VALUE, 6.25, 25, amount=D("250000"), target=D("1000000"),
        value_source=AnnualValueSource.TRAILING_TWELVE_MONTHS,
    )
    assert factor(result.factors, GradeFactor.INTERACTION_FREQUENCY) == FactorPoints(
        GradeFactor.INTERACTION_FREQUENCY, 11.67, 25, count=6, expected=D("12.86")
    )
    assert factor(result.factors, GradeFactor.SALES_STAGE) == FactorPoints(
        GradeFactor.SALES_STAGE, 15.0, 25, stage=None, established=True, credit=D("0.6")
    )


def test_grade_with_no_evidence_at_all_is_d_with_zero_points() -> None:
    result = grade_of(inputs(), P)
    assert result.score == 0 and result.grade is Grade.D
    assert [f.points for f in result.factors] == [0, 0, 0, 0]
    assert factor(result.factors, GradeFactor.NEED_CLARITY).of == 0  # no needs known: 0, not a division by zero


def test_without_revenue_history_the_entered_value_counts_and_the_factor_says_so() -> None:
    value = factor(grade_of(inputs(entered=D("400000")), P).factors, GradeFactor.VALUE)
    # 25 * 400,000 / 1,000,000 = 10
    assert (value.points, value.amount, value.value_source) == (10.0, D("400000"), AnnualValueSource.ENTERED)
    # With a history, the trailing revenue counts even when it is zero (the entered value is ignored).
    value = factor(grade_of(inputs(trailing=D(0), entered=D("400000")), P).factors, GradeFactor.VALUE)
    assert (value.points, value.amount, value.value_source) == (0.0, D(0), AnnualValueSource.TRAILING_TWELVE_MONTHS)
    # Above the target, the points are capped: 25 for 3,000,000; refunds beyond sales give 0, not less.
    assert factor(grade_of(inputs(trailing=D("3000000")), P).factors, GradeFactor.VALUE).points == 25
    assert factor(grade_of(inputs(trailing=D("-10")), P).factors, GradeFactor.VALUE).points == 0


@pytest.mark.parametrize(
    ("count", "expected_points"),
    [
        (0, 0.0),  # no interactions
        (1, 1.94),  # 25 * 1 * 7 / 90 = 1.944...
        (12, 23.33),  # 25 * 12 * 7 / 90 = 23.333...
        (13, 25.0),  # 13 > 90/7 = 12.857: capped
        (100, 25.0),
    ],
)
def test_interaction_frequency_against_the_a_cadence(count: int, expected_points: float) -> None:
    frequency = factor(grade_of(inputs(interactions=count), P).factors, GradeFactor.INTERACTION_FREQUENCY)
    assert frequency.points == expected_points


@pytest.mark.parametrize(
    ("stage", "credit", "expected_points"),
    [
        (None, "0", 0.0),
        (OpportunityStage.INITIAL_CONTACT, "0.2", 5.0),  # 25 * 0.2
        (OpportunityStage.NEEDS_ANALYSIS, "0.4", 10.0),
        (OpportunityStage.SOLUTION_DESIGN, "0.6", 15.0),
        (OpportunityStage.QUOTATION, "0.8", 20.0),
        (OpportunityStage.SIGNING, "1.0", 25.0),
    ],
)
def test_sales_stage_credit_of_the_furthest_open_stage(
    stage: OpportunityStage | None, credit: str, expected_points: float
) -> None:
    points_ = factor(grade_of(inputs(stage=stage), P).factors, GradeFactor.SALES_STAGE)
    assert (points_.stage, points_.credit, points_.points) == (stage, D(credit), expected_points)


def test_an_established_customer_earns_at_least_the_established_credit() -> None:
    def credit(stage: OpportunityStage | None) -> Decimal | None:
        return factor(grade_of(inputs(stage=stage, established=True), P).factors, GradeFactor.SALES_STAGE).credit

    assert credit(None) == D("0.6")  # no open deal: 25 * 0.6 = 15
    assert credit(OpportunityStage.INITIAL_CONTACT) == D("0.6")  # opening an early deal does not lower it
    assert credit(OpportunityStage.QUOTATION) == D("0.8")  # a later stage raises it
    with pytest.raises(ValueError):
        grade_of(inputs(stage=OpportunityStage.WON), P)  # WON and LOST are not open


def test_score_exactly_at_a_threshold_earns_the_grade() -> None:
    # 1 of 1 needs clear 25 + value 1,000,000 25 + no interactions 0 + signing 25 = 75 exactly -> A
    assert grade_of(inputs(1, 1, D("1000000"), stage=OpportunityStage.SIGNING), P).grade is Grade.A
    # value 999,800: 25 * 0.9998 = 24.995 -> 74.995 exactly, rounded half up once: 75.00 -> A
    result = grade_of(inputs(1, 1, D("999800"), stage=OpportunityStage.SIGNING), P)
    assert (result.score, result.grade) == (75.0, Grade.A)
    # value 999,799.99: 25 * 0.99979999 = 24.99499975 -> 74.99499975 -> 74.99 -> B
    result = grade_of(inputs(1, 1, D("999799.99"), stage=OpportunityStage.SIGNING), P)
    assert (result.score, result.grade) == (74.99, Grade.B)
    # need clarity 25 + value 25 = 50 -> B; signing alone 25 -> C; 1/5 of the value 5 + initial contact 5 = 10 -> D
    assert grade_of(inputs(1, 1, D("1000000")), P).grade is Grade.B
    assert grade_of(inputs(stage=OpportunityStage.SIGNING), P).grade is Grade.C
    assert grade_of(inputs(trailing=D("200000"), stage=OpportunityStage.INITIAL_CONTACT), P).grade is Grade.D


def test_a_policy_change_changes_the_grade() -> None:
    evidence = inputs(1, 1, D("1000000"), stage=OpportunityStage.SIGNING)  # 75, as above
    assert grade_of(evidence, P).grade is Grade.A
    assert grade_of(evidence, replace(P, grade_a_from=80)).grade is Grade.B
    # Weights move points: value 40, need clarity 10 -> 10 + 40 + 0 + 25 = 75 still; stage 10 -> 10 + 40 + 0 + 10 = 60
    weights = replace(P, grade_need_clarity_weight=10, grade_value_weight=40, grade_sales_stage_weight=25)
    assert grade_of(evidence, weights).score == 75.0
    weights = replace(P, grade_need_clarity_weight=10, grade_value_weight=40, grade_interaction_frequency_weight=40,
                      grade_sales_stage_weight=10)
    assert (grade_of(evidence, weights).score, grade_of(evidence, weights).grade) == (60.0, Grade.B)


@pytest.mark.parametrize(
    ("visibility", "status", "clear"),
    [
        (NeedVisibility.EXPLICIT, NeedStatus.IDENTIFIED, False),  # said, not yet validated
        (NeedVisibility.EXPLICIT, NeedStatus.VALIDATED, True),
        (NeedVisibility.EXPLICIT, NeedStatus.BEING_ADDRESSED, True),
        (NeedVisibility.EXPLICIT, NeedStatus.MET, False),  # no longer open
        (NeedVisibility.EXPLICIT, NeedStatus.DROPPED, False),
        (NeedVisibility.IMPLICIT, NeedStatus.VALIDATED, False),  # inferred by us
        (NeedVisibility.IMPLICIT, NeedStatus.BEING_ADDRESSED, False),
    ],
)
def test_clear_need(visibility: NeedVisibility, status: NeedStatus, clear: bool) -> None:
    assert clear_need(visibility, status) is clear


# --- cadence ------------------------------------------------------------------------------------------------


def test_cadence_per_grade_and_the_overdue_days() -> None:
    assert [cadence_days(g, P) for g in Grade] == [7, 14, 30, 90]
    due = next_contact_due(date(2024, 3, 1), Grade.A, P, since=date(2023, 1, 1))
    assert due == date(2024, 3, 8)  # 1 March + 7 days
    assert days_overdue(due, date(2024, 3, 7)) == 0  # before the due day
    assert days_overdue(due, date(2024, 3, 8)) == 0  # 7 days since the last interaction: not more than the cadence
    assert days_overdue(due, date(2024, 3, 9)) == 1  # 8 days: one day overdue
    every_3_days = replace(P, cadence_a_days=3)
    assert next_contact_due(date(2024, 3, 1), Grade.A, every_3_days, since=date(2023, 1, 1)) == date(2024, 3, 4)


def test_a_never_contacted_account_is_due_one_cadence_after_it_was_created() -> None:
    # 10 January 2024 + 90 days (21 left in January, 29 in February, 31 in March, 9 in April) = 9 April
    assert next_contact_due(None, Grade.D, P, since=date(2024, 1, 10)) == date(2024, 4, 9)


def test_a_due_day_past_the_end_of_the_calendar_is_its_last_day_and_never_overdue() -> None:
    assert next_contact_due(date.max - timedelta(days=7), Grade.A, P, since=date.min) == date.max  # just fits
    assert next_contact_due(date.max - timedelta(days=3), Grade.A, P, since=date.min) == date.max  # would overflow
    assert next_contact_due(None, Grade.D, P, since=date.max) == date.max
    assert days_overdue(date.max, date.max) == 0
    assert days_overdue(date.min, date.max) == (date.max - date.min).days  # the largest gap counts without overflow


# --- value tier ---------------------------------------------------------------------------------------------


def test_the_account_crossing_80_per_cent_is_still_high() -> None:
    # total 100: #1 starts at 0% (HIGH), #2 starts at 70% (< 80: HIGH, ends at 90%), #3 starts at 90% (MEDIUM)
    tiers = value_tiers([(1, D(70)), (2, D(20)), (3, D(10))], P)
    assert tiers == {1: ValueTier.HIGH, 2: ValueTier.HIGH, 3: ValueTier.MEDIUM}


def test_the_account_starting_exactly_at_80_per_cent_is_medium() -> None:
    # total 100: #1 0% HIGH, #2 50% HIGH (ends exactly at 80%), #3 starts at 80%: not below 80 -> MEDIUM
    tiers = value_tiers([(3, D(20)), (1, D(50)), (2, D(30))], P)
    assert tiers == {1: ValueTier.HIGH, 2: ValueTier.HIGH, 3: ValueTier.MEDIUM}
    # with MEDIUM up to 95: #4 starts at 95% -> LOW
    tiers = value_tiers([(1, D("40")), (2, D("40")), (3, D("15")), (4, D("5"))], P)
    # starts: 0% HIGH, 40% HIGH, 80% MEDIUM, 95% LOW
    assert tiers == {1: ValueTier.HIGH, 2: ValueTier.HIGH, 3: ValueTier.MEDIUM, 4: ValueTier.LOW}


def test_equal_revenues_rank_by_id() -> None:
    # total 100; ranked 5 (60), 2 (20), 3 (20): #2 starts at 60% HIGH, #3 starts at 80% MEDIUM, same revenue
    tiers = value_tiers([(3, D(20)), (5, D(60)), (2, D(20))], P)
    assert tiers == {5: ValueTier.HIGH, 2: ValueTier.HIGH, 3: ValueTier.MEDIUM}


def test_zero_revenue_empty_input_and_zero_total() -> None:
    assert value_tiers([], P) == {}
    assert value_tiers([(1, D(0)), (2, D("0.00"))], P) == {1: ValueTier.LOW, 2: ValueTier.LOW}  # total 0
    # one account with all the revenue is HIGH; accounts with none are LOW whatever the cut-offs
    tiers = value_tiers([(1, D(0)), (2, D("10.50")), (3, D("-5"))], P)
    assert tiers == {1: ValueTier.LOW, 2: ValueTier.HIGH, 3: ValueTier.LOW}
    with pytest.raises(ValueError):
        value_tiers([(1, D(1)), (1, D(2))], P)


def test_the_cut_offs_are_policy() -> None:
    revenues = [(1, D(70)), (2, D(20)), (3, D(10))]
    # HIGH up to 50%: #2 starts at 70% -> MEDIUM (< 95), #3 at 90% -> MEDIUM
    assert value_tiers(revenues, replace(P, value_tier_high_up_to=50)) == {
        1: ValueTier.HIGH, 2: ValueTier.MEDIUM, 3: ValueTier.MEDIUM
    }


# --- health -------------------------------------------------------------------------------------------------


def health(
    days: int | None = 0, cadence: int = 7, support: float | None = None, overdue: int = 0, open_: int = 0,
    last: Decimal | None = None, previous: Decimal | None = None,
) -> HealthInputs:
    return HealthInputs(days, cadence, support, overdue, open_, last, previous)


def test_health_worked_example_rescales_over_the_known_factors() -> None:
    result = health_of(health(10, 7, 0.0, 1, 4, D(90), D(100)), P)
    # recency: 10 days, cadence 7, none at 21: 30 * (21 - 10) / (21 - 7) = 165/7 = 23.571...
    # support index 0: 15 * (0 + 2) / 4 = 7.5
    # plan: 1 of 4 open actions overdue: 10 * (1 - 1/4) = 7.5
    # trend: 90 / 100 = 0.9: 10 * (0.9 - 0.5) / (1.0 - 0.5) = 8
    # satisfaction (20) and complaints (15) unknown: known weights 30 + 15 + 10 + 10 = 65
    # score: (165/7 + 23) / 65 * 100 = 326/7 * 100/65 = 71.648... -> 71.65 -> HEALTHY (>= 70)
    assert (result.score, result.band, result.churn_warning) == (71.65, HealthBand.HEALTHY, False)
    assert [(f.factor, f.known, f.points, f.max_points) for f in result.factors] == [
        (HealthFactor.RECENCY, True, 23.57, 30),
        (HealthFactor.SATISFACTION, False, None, 20),  # unknown, not zero
        (HealthFactor.COMPLAINTS, False, None, 15),
        (HealthFactor.ORGANISATIONAL_SUPPORT, True, 7.5, 15),
        (HealthFactor.PLAN_PROGRESS, True, 7.5, 10),
        (HealthFactor.REVENUE_TREND, True, 8.0, 10),
    ]
    recency, _, _, support, plan, trend = result.factors
    assert (recency.days, recency.cadence_days, support.support_index, plan.count, plan.of) == (10, 7, 0.0, 1, 4)
    assert (trend.amount, trend.previous, trend.ratio) == (D(90), D(100), D("0.9000"))
    assert result.warning_factors == []  # nothing lost more than half its weight


def test_churn_warning_names_the_factors_that_lost_the_most() -> None:
    result = health_of(health(None, 7, -2.0, 3, 4, D(60), D(100)), P)
    # recency: never contacted 0 (lost 30); support -2: 15 * 0/4 = 0 (lost 15)
    # plan: 3 of 4 overdue: 10 * 1/4 = 2.5 (lost 7.5); trend 0.6: 10 * 0.1/0.5 = 2 (lost 8)
    # score: 4.5 / 65 * 100 = 6.923... -> 6.92 -> AT_RISK, below 40
    assert (result.score, result.band, result.churn_warning) == (6.92, HealthBand.AT_RISK, True)
    assert result.factors[0].points == 0 and result.factors[0].days is None
    # most points lost first; each lost more than half its weight
    assert result.warning_factors == [
        HealthFactor.RECENCY, HealthFactor.ORGANISATIONAL_SUPPORT, HealthFactor.REVENUE_TREND, HealthFactor.PLAN_PROGRESS
    ]


def test_warning_factors_with_equal_losses_follow_factor_order() -> None:
    # never contacted (lost 30), no stakeholders (unknown), 2 of 2 overdue (lost 10), revenue stopped (lost 10)
    result = health_of(health(None, 7, None, 2, 2, None, D(500)), P)
    assert result.score == 0 and result.churn_warning
    assert result.warning_factors == [HealthFactor.RECENCY, HealthFactor.PLAN_PROGRESS, HealthFactor.REVENUE_TREND]
    assert result.factors[5].ratio == D("0.0000")  # revenue stopped: 0 / 500


def test_health_bands_at_their_boundaries() -> None:
    # known: recency 30, plan 10, trend 10 = 50 (no stakeholders, no voice of the customer)
    # never contacted 0 + no open actions 10 + revenue started 10 = 20 / 50 = 40.00 -> WATCH, no warning
    watch = health_of(health(None, 7, None, 0, 0, D(500), None), P)
    assert (watch.score, watch.band, watch.churn_warning) == (40.0, HealthBand.WATCH, False)
    assert watch.warning_factors == [HealthFactor.RECENCY]  # named in WATCH too
    # 14 days at cadence 7: 30 * (21 - 14) / 14 = 15 (lost exactly half: not a warning factor); 15 + 10 + 10 = 35/50 = 70
    healthy = health_of(health(14, 7, None, 0, 0, D(500), None), P)
    assert (healthy.score, healthy.band, healthy.warning_factors) == (70.0, HealthBand.HEALTHY, [])
    # the same account under a policy warning below 75: 70 -> AT_RISK
    stricter_policy = replace(P, churn_warning_below=75, health_healthy_from=90)
    stricter = health_of(health(14, 7, None, 0, 0, D(500), None), stricter_policy)
    assert (stricter.band, stricter.churn_warning) == (HealthBand.AT_RISK, True)


@pytest.mark.parametrize(
    ("days", "expected_points"),
    [(None, 0.0), (0, 30.0), (7, 30.0), (8, 27.86), (14, 15.0), (20, 2.14), (21, 0.0), (400, 0.0)],
    # 8 days: 30 * 13/14 = 27.857; 20 days: 30 * 1/14 = 2.142
)
def test_recency_fades_from_one_cadence_to_three(days: int | None, expected_points: float) -> None:
    assert health_of(health(days, 7), P).factors[0].points == expected_points


@pytest.mark.parametrize(
    ("last", "previous", "known", "expected_points", "ratio"),
    [
        (None, None, False, None, None),  # no revenue at all: unknown
        (D(0), D(0), False, None, None),
        (D(500), None, True, 10.0, None),  # revenue started: full points
        (D(500), D(0), True, 10.0, None),
        (None, D(500), True, 0.0, D("0")),  # revenue stopped
        (D(50), D(100), True, 0.0, D("0.5")),  # at the zero ratio
        (D(75), D(100), True, 5.0, D("0.75")),  # halfway: 10 * 0.25 / 0.5
        (D(100), D(100), True, 10.0, D("1")),
        (D(300), D(100), True, 10.0, D("3")),  # capped
    ],
)
def test_revenue_trend(last: Decimal | None, previous: Decimal | None, known: bool, expected_points: float | None,
                       ratio: Decimal | None) -> None:
    trend = health_of(health(last=last, previous=previous), P).factors[5]
    assert (trend.known, trend.points, trend.ratio) == (known, expected_points, ratio)


def test_support_and_plan_progress() -> None:
    factors = health_of(health(support=1.0, overdue=0, open_=0), P).factors
    assert factors[3].points == 11.25  # 15 * (1 + 2) / 4
    assert factors[4].points == 10.0  # no open actions: full points
    assert health_of(health(support=2.0), P).factors[3].points == 15.0
    # all known factors perfect: contacted today, champion map, no actions, revenue flat -> 65 / 65 = 100
    assert health_of(health(0, 7, 2.0, 0, 3, D(100), D(100)), P).score == 100.0


# --- key account --------------------------------------------------------------------------------------------


def key(wallet: Decimal | None = None, potential: Decimal | None = None, first_won_on: date | None = None,
        fit: int | None = None, today: date = date(2024, 1, 1)) -> KeyAccountInputs:
    return KeyAccountInputs(wallet, potential, first_won_on, fit, today)


def test_key_account_worked_example_lists_an_unrated_fit_as_unknown() -> None:
    result = key_account_recommendation(key(D("2500000"), D("2000000"), date(2022, 1, 1)), P)
    # purchasing power: 2.5M of 5M -> 35 * 0.5 = 17.5
    # cooperation potential: 2M of 2M -> 25
    # relationship: 730 days / 365.25 = 1.9986 years of 3 -> 15 * 730 * 4 / (1461 * 3) = 9.993...
    # strategic fit: not rated -> unknown, 0 points, not rescaled
    # score: 17.5 + 25 + 9.993... = 52.493... -> 52.49 < 60: not recommended
    assert (result.score, result.recommended) == (52.49, False)
    assert [(r.factor, r.known, r.points, r.max_points) for r in result.reasons] == [
        (KeyAccountFactor.PURCHASING_POWER, True, 17.5, 35),
        (KeyAccountFactor.COOPERATION_POTENTIAL, True, 25.0, 25),
        (KeyAccountFactor.RELATIONSHIP_LENGTH, True, 9.99, 15),
        (KeyAccountFactor.STRATEGIC_FIT, False, 0.0, 25),
    ]
    assert result.unknown == [KeyAccountFactor.STRATEGIC_FIT]
    wallet, _, length, _ = result.reasons
    assert (wallet.amount, wallet.target) == (D("2500000"), D("5000000"))
    assert (length.years, length.target, length.first_won_on) == (D("2.00"), D(3), date(2022, 1, 1))
    # rated 4 of 5: 25 * (4 - 1) / 4 = 18.75 -> 71.243... -> 71.24: recommended
    rated = key_account_recommendation(key(D("2500000"), D("2000000"), date(2022, 1, 1), fit=4), P)
    assert (rated.score, rated.recommended, rated.unknown) == (71.24, True, [])


def test_unknown_factors_are_not_rescaled_and_no_deal_is_a_known_zero() -> None:
    # no wallet, no assessment; 4 years (1461 days) -> 15 capped; fit 5 -> 25: 40 of 100 (rescaled it would be 100)
    result = key_account_recommendation(key(first_won_on=date(2020, 1, 1), fit=5), P)
    assert (result.score, result.recommended) == (40.0, False)
    assert result.unknown == [KeyAccountFactor.PURCHASING_POWER, KeyAccountFactor.COOPERATION_POTENTIAL]
    no_deal = key_account_recommendation(key(D(0), D(0), None, 1), P).reasons[2]
    assert (no_deal.known, no_deal.points, no_deal.years) == (True, 0.0, D("0.00"))


def test_key_account_threshold_is_inclusive_and_ratings_are_checked() -> None:
    # full wallet 35 + fit 5 25 = 60 exactly -> recommended
    assert key_account_recommendation(key(D("5000000"), fit=5), P).recommended is True
    assert key_account_recommendation(key(D("5000000"), fit=5), replace(P, key_account_from=61)).recommended is False
    # a first deal "after today" (a typo) is no relationship yet, not a negative one
    assert key_account_recommendation(key(first_won_on=date(2025, 1, 1)), P).reasons[2].points == 0
    for rating in (0, 6):
        with pytest.raises(ValueError, match="between 1 and 5"):
            key_account_recommendation(key(fit=rating), P)


# --- lifetime value -----------------------------------------------------------------------------------------


def test_predicted_lifetime_value() -> None:
    # each year keeps 0.8 / 1.08 = 20/27 of the one before:
    # 1000 * (20/27 + 400/729 + 8000/19683) = 1000 * (14580 + 10800 + 8000) / 19683 = 1695.879... -> 1695.88
    assert predicted_lifetime_value(D("1000"), D("0.8"), D("0.08"), 3) == D("1695.88")
    assert predicted_lifetime_value(D("-1000"), D("0.8"), D("0.08"), 3) == D("-1695.88")  # a loss-making account
    assert predicted_lifetime_value(D("1000"), D("1"), D("0"), 10) == D("10000.00")  # kept, undiscounted: 10 x 1000
    assert predicted_lifetime_value(D("1000"), D("0"), D("0.08"), 10) == D("0.00")  # never kept
    assert predicted_lifetime_value(D("1000"), D("0.8"), D("0.08"), 0) == D("0.00")
    # 0.5 / 1 = 1/2: 100 * (1/2 + 1/4) = 75
    assert predicted_lifetime_value(D("100"), D("0.5"), D("0"), 2) == D("75.00")
    for bad in ((D("1.1"), D("0.08"), 3), (D("0.8"), D("-0.01"), 3), (D("0.8"), D("NaN"), 3), (D("0.8"), D("0.08"), -1)):
        with pytest.raises(ValueError):
            predicted_lifetime_value(D("1000"), *bad)


@pytest.mark.parametrize(
    ("rate", "years"),
    [("0", "0.00"), ("0.5", "1.00"), ("0.6", "1.50"), ("0.8", "4.00"), ("0.95", "10.00"), ("1", "10.00")],
    # r / (1 - r): 0.6 / 0.4 = 1.5; 0.8 / 0.2 = 4; 0.95 / 0.05 = 19, capped at 10; r = 1 stays the cap
)
def test_expected_remaining_years(rate: str, years: str) -> None:
    assert expected_remaining_years(D(rate), 10) == D(years)


# --- the policy ---------------------------------------------------------------------------------------------


def test_the_default_policy_is_sound_and_matches_the_domain() -> None:
    assert policy_problems(P) == []
    assert (P.grade_a_from, P.grade_b_from, P.grade_c_from, P.grade_full_value) == (75, 50, 25, D(1_000_000))
    assert (P.health_recency_weight, P.churn_warning_below, P.lifetime_discount_rate) == (30, 40, D("0.08"))
    assert [P.stage_credit_initial_contact, P.stage_credit_signing, P.stage_credit_established] == [D("0.2"), D(1), D("0.6")]


def problems_of(**changes: object) -> list[tuple[str, str]]:
    return policy_problems(replace(P, **changes))


def test_weights_must_add_up_to_100_per_group() -> None:
    assert problems_of(grade_value_weight=30) == [
        ("gradeNeedClarityWeight", "The grade weights must add up to 100; gradeNeedClarityWeight 25, gradeValueWeight 30, "
         "gradeInteractionFrequencyWeight 25, gradeSalesStageWeight 25 add up to 105.")
    ]
    assert [f for f, _ in problems_of(health_recency_weight=29)] == ["healthRecencyWeight"]
    assert [f for f, _ in problems_of(key_account_strategic_fit_weight=0)] == ["keyAccountPurchasingPowerWeight"]
    # moving points within a group is fine
    assert problems_of(health_satisfaction_weight=10, health_complaints_weight=25) == []


def test_negative_and_non_finite_values() -> None:
    assert problems_of(grade_full_value=D("-1")) == [("gradeFullValue", "must not be negative; got -1")]
    assert problems_of(lifetime_discount_rate=D("NaN")) == [("lifetimeDiscountRate", "must be a finite number; got NaN")]
    # a negative weight is named even where its group still adds up to 100 (25 - 5 + 25 + 55)
    assert problems_of(grade_value_weight=-5, grade_sales_stage_weight=55) == [
        ("gradeValueWeight", "must not be negative; got -5")
    ]


def test_thresholds_out_of_order() -> None:
    assert problems_of(grade_b_from=75) == [
        ("gradeBFrom", "Grades need rising scores: gradeBFrom (75) must be below gradeAFrom (75).")
    ]
    assert problems_of(grade_c_from=0) == [("gradeCFrom", "must be more than 0, or no account could be graded D")]
    assert problems_of(grade_a_from=101) == [("gradeAFrom", "must be at most 100, the highest score; got 101")]
    assert problems_of(cadence_b_days=5) == [
        ("cadenceADays", "Better grades are contacted at least as often: cadenceADays (7) must be at most cadenceBDays (5).")
    ]
    assert problems_of(cadence_a_days=14) == []  # equal cadences are allowed
    assert problems_of(cadence_a_days=0) == [("cadenceADays", "must be at least 1 day")]
    assert problems_of(value_tier_high_up_to=95) == [
        ("valueTierHighUpTo",
         "The value tiers need rising shares: valueTierHighUpTo (95) must be below valueTierMediumUpTo (95).")
    ]
    assert problems_of(value_tier_medium_up_to=100) == []
    assert problems_of(value_tier_medium_up_to=101) == [("valueTierMediumUpTo", "must be at most 100 per cent; got 101")]
    assert [f for f, _ in problems_of(churn_warning_below=70)] == ["churnWarningBelow"]
    assert [f for f, _ in problems_of(health_trend_zero_ratio=D("1.2"))] == ["healthTrendZeroRatio"]
    assert [f for f, _ in problems_of(health_recency_zero_at_cadences=1)] == ["healthRecencyZeroAtCadences"]
    assert [f for f, _ in problems_of(key_account_from=0)] == ["keyAccountFrom"]
    assert [f for f, _ in problems_of(lifetime_max_years=101)] == ["lifetimeMaxYears"]
    assert [f for f, _ in problems_of(key_account_full_wallet=D(0))] == ["keyAccountFullWallet"]


def test_credits_and_rates_lie_between_0_and_1() -> None:
    assert problems_of(stage_credit_signing=D("1.5")) == [("stageCreditSigning", "must lie between 0 and 1; got 1.5")]
    assert problems_of(lifetime_retention_rate=D("1.01")) == [("lifetimeRetentionRate", "must lie between 0 and 1; got 1.01")]
    assert problems_of(stage_credit_initial_contact=D(0), lifetime_retention_rate=D(1)) == []


def test_several_problems_come_in_field_order() -> None:
    fields_ = [f for f, _ in problems_of(lifetime_discount_rate=D(2), grade_b_from=80, cadence_d_days=0)]
    assert fields_ == ["gradeBFrom", "cadenceDDays", "lifetimeDiscountRate"]


def test_the_document_round_trips_exactly_through_json() -> None:
    policy = replace(P, grade_full_value=D("1234567.89"), stage_credit_quotation=D("0.75"), grade_a_from=80)
    document = json.loads(json.dumps(to_document(policy)))
    assert from_document(document) == policy
    assert document["gradeFullValue"] == "1234567.89" and document["gradeAFrom"] == 80
    assert set(document) == {camel(name) for name in FIELDS}  # the same names as the problems use
    assert from_document(to_document(P)) == P
    assert to_document(replace(P, grade_full_value=D("1E+6")))["gradeFullValue"] == "1000000"  # never an exponent


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"gradeAFromm": 75}, "Unknown scoring policy settings: gradeAFromm."),
        ({"gradeAFrom": "75"}, "gradeAFrom must be a whole number; got str '75'."),
        ({"gradeAFrom": True}, "gradeAFrom must be a whole number; got bool True."),
        ({"gradeAFrom": 75.0}, "gradeAFrom must be a whole number; got float 75.0."),
        ({"gradeFullValue": 1000000}, "gradeFullValue must be a decimal written as a string; got int 1000000."),
        ({"gradeFullValue": "1e6"}, "gradeFullValue: not a decimal number: '1e6'."),
        ({"lifetimeDiscountRate": "NaN"}, "lifetimeDiscountRate: not a decimal number: 'NaN'."),
    ],
)
def test_from_document_refuses_unknown_keys_and_wrong_types(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        from_document({**to_document(P), **change})
    assert str(raised.value) == message


def test_from_document_refuses_missing_keys_and_non_objects() -> None:
    document = to_document(P)
    del document["churnWarningBelow"]
    with pytest.raises(ValueError, match="Missing scoring policy settings: churnWarningBelow."):
        from_document(document)
    with pytest.raises(ValueError, match="must be an object"):
        from_document([])  # type: ignore[arg-type]


def test_points_are_shown_to_two_decimals() -> None:
    assert points(Fraction(2, 3)) == 0.67 and points(Fraction(25)) == 25.0
