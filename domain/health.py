"""Account health 0-100 and the churn early-warning (流失预警) (DOMAIN.md sections 6 and 9).

Health is scored over the KNOWN factors only: a factor without evidence (no satisfaction survey yet, no
stakeholders on the map, no revenue at all) is left out and the known factors' points are rescaled to 100.
An unknown factor is listed with `known=False` and no points: it is not zero, because a missing survey
is no evidence of an unhappy customer and must not raise a false alarm. The score is rounded once, half
up, to two decimals, and the band and the warning are read off that rounded score.

Bands: HEALTHY from the policy's healthy score (70), WATCH from the churn-warning score (40), AT_RISK
below it; AT_RISK is exactly when `churn_warning` is set.

Factors:
- RECENCY: full points up to the grade's cadence since the last interaction, then linearly down to none at
  `health_recency_zero_at_cadences` cadences (3: none at 21 days for a 7-day cadence). An account never
  contacted counts its days from its creation (`days_since_created`), as the contact cadence does: a new
  account is given a cadence to be contacted, not a churn warning on its first day; with neither, none.
- SATISFACTION, COMPLAINTS: unknown until the voice of the customer (surveys, feedback) is recorded.
- ORGANISATIONAL_SUPPORT: (support index + 2) / 4 of the weight; unknown without stakeholders.
- PLAN_PROGRESS: 1 - overdue / open actions of the weight; no open actions: full points.
- REVENUE_TREND: the last twelve months against the twelve before: full points at a ratio of 1.0 or more,
  none at 0.5 or less, linear between (the policy's ratios). With no revenue before: full points when revenue
  started, unknown when there is no revenue at all.

Warning factors: the known factors that lost more than half their weight, most points lost first (ties in
factor order). They are named whatever the score; under a churn warning there is always at least one,
since a score where every factor kept half its points is at least 50.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from domain.factors import points, rounded, score_of, share
from domain.policy import ScoringPolicy


class HealthFactor(enum.Enum):
    RECENCY = "RECENCY"
    SATISFACTION = "SATISFACTION"
    COMPLAINTS = "COMPLAINTS"
    ORGANISATIONAL_SUPPORT = "ORGANISATIONAL_SUPPORT"
    PLAN_PROGRESS = "PLAN_PROGRESS"
    REVENUE_TREND = "REVENUE_TREND"


class HealthBand(enum.Enum):
    HEALTHY = "HEALTHY"
    WATCH = "WATCH"
    AT_RISK = "AT_RISK"


@dataclass(frozen=True, slots=True)
class HealthInputs:
    days_since_last_interaction: int | None  # None: never contacted
    cadence_days: int  # the account's grade's cadence
    support_index: float | None  # -2..+2 (domain.relationship_map); None: no stakeholders
    overdue_actions: int
    open_actions: int
    revenue_last_12: Decimal | None  # None: no revenue history
    revenue_previous_12: Decimal | None
    # Days since the account was created: recency's count when it was never contacted (None: not known).
    days_since_created: int | None = None
    # Unknown until the voice of the customer is recorded; the types widen then.
    satisfaction: None = None
    open_complaints: None = None


@dataclass(frozen=True, slots=True)
class HealthPoints:
    """One factor's points and evidence; the fields a factor does not use are None.

    - RECENCY: `days` since the last interaction (None: never; then `days_since_created` counts) against
      `cadence_days`.
    - ORGANISATIONAL_SUPPORT: the `support_index`.
    - PLAN_PROGRESS: `count` overdue actions of `of` open ones.
    - REVENUE_TREND: `amount` of the last twelve months against `previous`, and their `ratio` (four decimals;
      None when there was no revenue before).
    """

    factor: HealthFactor
    known: bool
    points: float | None  # None when unknown: not zero
    max_points: int
    days: int | None = None
    cadence_days: int | None = None
    support_index: float | None = None
    count: int | None = None
    of: int | None = None
    amount: Decimal | None = None
    previous: Decimal | None = None
    ratio: Decimal | None = None
    days_since_created: int | None = None


@dataclass(frozen=True, slots=True)
class HealthResult:
    score: float
    band: HealthBand
    churn_warning: bool
    factors: list[HealthPoints]
    warning_factors: list[HealthFactor]


def recency_share(days: int | None, cadence: int, zero_at_cadences: int) -> Fraction:
    if days is None:
        return Fraction(0)
    if days <= cadence:
        return Fraction(1)
    zero_at = zero_at_cadences * cadence
    return max(Fraction(zero_at - days, zero_at - cadence), Fraction(0))


def trend_share(last: Decimal | None, previous: Decimal | None, policy: ScoringPolicy) -> Fraction | None:
    """The revenue trend's share of its points; None when there is no revenue to judge."""
    last_f, previous_f = Fraction(last or 0), Fraction(previous or 0)
    if previous_f <= 0:
        return Fraction(1) if last_f > 0 else None
    low, high = Fraction(policy.health_trend_zero_ratio), Fraction(policy.health_trend_full_ratio)
    return share(last_f / previous_f - low, high - low)


def health_of(inputs: HealthInputs, policy: ScoringPolicy) -> HealthResult:
    exact: dict[HealthFactor, Fraction] = {}

    def factor(kind: HealthFactor, weight: int, part: Fraction | None, **evidence: object) -> HealthPoints:
        if part is None:
            return HealthPoints(kind, False, None, weight, **evidence)
        exact[kind] = weight * part
        return HealthPoints(kind, True, points(exact[kind]), weight, **evidence)

    days = inputs.days_since_last_interaction
    support = inputs.support_index
    support_part = None if support is None else share(Fraction(str(support)) + 2, 4)
    plan_part = Fraction(1) if inputs.open_actions <= 0 else 1 - share(inputs.overdue_actions, inputs.open_actions)
    last, previous = inputs.revenue_last_12, inputs.revenue_previous_12
    ratio = rounded(Fraction(last or 0) / Fraction(previous), 4) if previous and previous > 0 else None

    factors = [
        factor(
            HealthFactor.RECENCY, policy.health_recency_weight,
            recency_share(
                days if days is not None else inputs.days_since_created, inputs.cadence_days,
                policy.health_recency_zero_at_cadences,
            ),
            days=days, cadence_days=inputs.cadence_days,
            days_since_created=inputs.days_since_created if days is None else None,
        ),
        factor(HealthFactor.SATISFACTION, policy.health_satisfaction_weight, None),
        factor(HealthFactor.COMPLAINTS, policy.health_complaints_weight, None),
        factor(
            HealthFactor.ORGANISATIONAL_SUPPORT, policy.health_organisational_support_weight, support_part,
            support_index=support,
        ),
        factor(
            HealthFactor.PLAN_PROGRESS, policy.health_plan_progress_weight, plan_part,
            count=inputs.overdue_actions, of=inputs.open_actions,
        ),
        factor(
            HealthFactor.REVENUE_TREND, policy.health_revenue_trend_weight, trend_share(last, previous, policy),
            amount=last, previous=previous, ratio=ratio,
        ),
    ]
    known = [f for f in factors if f.known]
    score = rounded(score_of(sum(exact.values(), Fraction(0)), sum(f.max_points for f in known)))
    churn_warning = score < policy.churn_warning_below
    if churn_warning:
        band = HealthBand.AT_RISK
    else:
        band = HealthBand.HEALTHY if score >= policy.health_healthy_from else HealthBand.WATCH
    order = list(HealthFactor)
    lost = {f.factor: f.max_points - exact[f.factor] for f in known}
    warning = sorted(
        (f.factor for f in known if lost[f.factor] * 2 > f.max_points),
        key=lambda kind: (-lost[kind], order.index(kind)),
    )
    return HealthResult(
        score=float(score), band=band, churn_warning=churn_warning, factors=factors,
        warning_factors=warning,
    )
