"""Key-account recommendation (重点客户筛选): should this account be one of our few key accounts?

Four factors, weighted by the policy: purchasing power (the estimated wallet against a target amount),
cooperation potential (the growth potential against a target amount), length of the relationship (years
since the first won deal against a target number of years) and strategic fit (a planner's rating, 1 to 5:
1 earns nothing, 5 everything, linearly between). Points are proportional and capped at the weight.

A factor without evidence (no wallet estimate, no growth assessment, no strategic-fit rating) earns no
points and is NOT rescaled away, unlike health: a recommendation is a claim that needs evidence, and
what is unknown cannot speak for an account. It is listed with `known=False`, the planner's cue to fill
it in. An account with no won deal yet has a relationship of no length: known, and no points.

The score is rounded once, half up, to two decimals; the account is recommended from the policy's score
(inclusive). The flag itself stays a person's decision; this recommendation sits beside it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from domain.factors import DAYS_PER_YEAR, points, proportional_points, rounded
from domain.policy import ScoringPolicy

MIN_RATING, MAX_RATING = 1, 5


class KeyAccountFactor(enum.Enum):
    PURCHASING_POWER = "PURCHASING_POWER"
    COOPERATION_POTENTIAL = "COOPERATION_POTENTIAL"
    RELATIONSHIP_LENGTH = "RELATIONSHIP_LENGTH"
    STRATEGIC_FIT = "STRATEGIC_FIT"


@dataclass(frozen=True, slots=True)
class KeyAccountInputs:
    estimated_wallet: Decimal | None  # None: not estimated
    growth_potential: Decimal | None  # None: never assessed on the growth matrix
    first_won_on: date | None  # the day of the first won deal; None: no deal yet
    strategic_fit: int | None  # a planner's rating 1-5; None: not rated
    today: date


@dataclass(frozen=True, slots=True)
class KeyAccountReason:
    """One factor's points and evidence; the fields a factor does not use are None.

    - PURCHASING_POWER, COOPERATION_POTENTIAL: `amount` against `target` (money in the account's currency).
    - RELATIONSHIP_LENGTH: `years` (two decimals) since `first_won_on` against `target` years.
    - STRATEGIC_FIT: the planner's `rating`.
    """

    factor: KeyAccountFactor
    known: bool
    points: float
    max_points: int
    amount: Decimal | None = None
    target: Decimal | None = None
    years: Decimal | None = None
    first_won_on: date | None = None
    rating: int | None = None


@dataclass(frozen=True, slots=True)
class KeyAccountRecommendation:
    recommended: bool
    score: float
    reasons: list[KeyAccountReason]

    @property
    def unknown(self) -> list[KeyAccountFactor]:
        """The factors a planner should fill in."""
        return [r.factor for r in self.reasons if not r.known]


def relationship_years(first_won_on: date | None, today: date) -> Fraction:
    if first_won_on is None or first_won_on >= today:
        return Fraction(0)
    return (today - first_won_on).days / DAYS_PER_YEAR


def key_account_recommendation(inputs: KeyAccountInputs, policy: ScoringPolicy) -> KeyAccountRecommendation:
    """Raises ValueError on a strategic-fit rating outside 1-5."""
    rating = inputs.strategic_fit
    if rating is not None and not MIN_RATING <= rating <= MAX_RATING:
        raise ValueError(f"a strategic-fit rating lies between {MIN_RATING} and {MAX_RATING}; got {rating}")
    earned: list[Fraction] = []

    def reason(kind: KeyAccountFactor, weight: int, exact: Fraction | None, **evidence: object) -> KeyAccountReason:
        earned.append(exact or Fraction(0))
        return KeyAccountReason(kind, exact is not None, points(exact or Fraction(0)), weight, **evidence)

    def money(kind: KeyAccountFactor, weight: int, amount: Decimal | None, target: Decimal) -> KeyAccountReason:
        exact = None if amount is None else proportional_points(amount, target, weight)
        return reason(kind, weight, exact, amount=amount, target=target)

    years = relationship_years(inputs.first_won_on, inputs.today)
    fit_weight = policy.key_account_strategic_fit_weight
    reasons = [
        money(
            KeyAccountFactor.PURCHASING_POWER, policy.key_account_purchasing_power_weight,
            inputs.estimated_wallet, policy.key_account_full_wallet,
        ),
        money(
            KeyAccountFactor.COOPERATION_POTENTIAL, policy.key_account_cooperation_potential_weight,
            inputs.growth_potential, policy.key_account_full_potential,
        ),
        reason(
            KeyAccountFactor.RELATIONSHIP_LENGTH, policy.key_account_relationship_length_weight,
            proportional_points(years, policy.key_account_full_years, policy.key_account_relationship_length_weight),
            years=rounded(years), first_won_on=inputs.first_won_on, target=Decimal(policy.key_account_full_years),
        ),
        reason(
            KeyAccountFactor.STRATEGIC_FIT, fit_weight,
            None if rating is None else fit_weight * Fraction(rating - MIN_RATING, MAX_RATING - MIN_RATING),
            rating=rating,
        ),
    ]
    score = rounded(sum(earned, Fraction(0)))
    return KeyAccountRecommendation(
        recommended=score >= policy.key_account_from, score=float(score), reasons=reasons,
    )
