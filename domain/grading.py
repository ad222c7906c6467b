"""Grade A/B/C/D (意向客户分级) from evidence: need clarity, value, interaction frequency and sales stage.

Each factor earns points in proportion to its evidence, capped at the factor's weight (DOMAIN.md section 9).
The points are exact fractions; the score is their sum rounded once, half up, to two decimals, and the grade
is read off that rounded score with inclusive thresholds (75.00 is A). The score shown is the score that
decided, so it can never disagree with the grade. The factors' points are each rounded for display, so
they may add up to a hundredth or two more or less than the score.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from domain.account import Grade
from domain.factors import points, proportional_points, rounded, share
from domain.need import NeedStatus, NeedVisibility
from domain.opportunity import OpportunityStage, is_open
from domain.policy import ScoringPolicy
from domain.revenue import AnnualValueSource

# The window of `Account.interactions_90d`, the count the interaction factor reads.
INTERACTION_WINDOW_DAYS = 90

CLEAR_STATUSES = frozenset({NeedStatus.VALIDATED, NeedStatus.BEING_ADDRESSED})


class GradeFactor(enum.Enum):
    NEED_CLARITY = "NEED_CLARITY"
    VALUE = "VALUE"
    INTERACTION_FREQUENCY = "INTERACTION_FREQUENCY"
    SALES_STAGE = "SALES_STAGE"


def clear_need(visibility: NeedVisibility, status: NeedStatus) -> bool:
    """An open need counts as clear when the customer said it (explicit) and we validated it, or act on it."""
    return visibility is NeedVisibility.EXPLICIT and status in CLEAR_STATUSES


@dataclass(frozen=True, slots=True)
class GradeInputs:
    """The evidence behind a grade, as the account keeps it."""

    open_needs: int
    clear_needs: int  # open needs that are `clear_need`
    trailing_revenue: Decimal | None  # None: no revenue history, the entered value counts instead
    current_annual_value: Decimal  # the value a person entered
    interactions_90d: int
    furthest_open_stage: OpportunityStage | None  # None: no open opportunity
    repeat_or_closer: bool  # relationship stage REPEAT_CUSTOMER or closer


@dataclass(frozen=True, slots=True)
class FactorPoints:
    """The points one factor gave, and the evidence behind them; the fields a factor does not use are None.

    - NEED_CLARITY: `count` clear needs of `of` open needs.
    - VALUE: `amount` against `target`; `value_source` says whether the amount is the trailing twelve
      months' revenue or, with no revenue history, the entered annual value.
    - INTERACTION_FREQUENCY: `count` interactions in 90 days against the `expected` number the A cadence
      asks for in 90 days (shown to two decimals, computed exactly).
    - SALES_STAGE: the furthest open `stage`, whether the account is `established` (repeat customer or
      closer), and the `credit` (0 to 1) that earned the points.
    """

    factor: GradeFactor
    points: float
    max_points: int
    count: int | None = None
    of: int | None = None
    expected: Decimal | None = None
    amount: Decimal | None = None
    target: Decimal | None = None
    value_source: AnnualValueSource | None = None
    stage: OpportunityStage | None = None
    established: bool | None = None
    credit: Decimal | None = None


@dataclass(frozen=True, slots=True)
class GradeResult:
    score: float
    grade: Grade
    factors: list[FactorPoints]


def stage_credit(stage: OpportunityStage, policy: ScoringPolicy) -> Decimal:
    """The share of the sales-stage points an open opportunity in `stage` earns."""
    if not is_open(stage):
        raise ValueError(f"only an open stage earns sales-stage points; got {stage.name}")
    return getattr(policy, f"stage_credit_{stage.name.lower()}")


def sales_stage_credit(stage: OpportunityStage | None, established: bool, policy: ScoringPolicy) -> Decimal:
    """The furthest open opportunity's credit; an established customer earns at least the established credit,
    so opening an early-stage deal never lowers its grade."""
    credits = [Decimal(0)]
    if stage is not None:
        credits.append(stage_credit(stage, policy))
    if established:
        credits.append(policy.stage_credit_established)
    return max(credits)


def grade_for_score(score: Fraction, policy: ScoringPolicy) -> Grade:
    """The grade a (rounded) score earns; thresholds are inclusive."""
    if score >= policy.grade_a_from:
        return Grade.A
    if score >= policy.grade_b_from:
        return Grade.B
    if score >= policy.grade_c_from:
        return Grade.C
    return Grade.D


def grade_of(inputs: GradeInputs, policy: ScoringPolicy) -> GradeResult:
    need_weight = policy.grade_need_clarity_weight
    need = need_weight * share(inputs.clear_needs, inputs.open_needs) if inputs.open_needs > 0 else Fraction(0)

    if inputs.trailing_revenue is None:
        amount, source = inputs.current_annual_value, AnnualValueSource.ENTERED
    else:
        amount, source = inputs.trailing_revenue, AnnualValueSource.TRAILING_TWELVE_MONTHS
    value = proportional_points(amount, policy.grade_full_value, policy.grade_value_weight)

    expected = Fraction(INTERACTION_WINDOW_DAYS, policy.cadence_a_days)
    frequency = proportional_points(inputs.interactions_90d, expected, policy.grade_interaction_frequency_weight)

    credit = sales_stage_credit(inputs.furthest_open_stage, inputs.repeat_or_closer, policy)
    stage = policy.grade_sales_stage_weight * Fraction(credit)

    factors = [
        FactorPoints(
            GradeFactor.NEED_CLARITY, points(need), need_weight, count=inputs.clear_needs, of=inputs.open_needs
        ),
        FactorPoints(
            GradeFactor.VALUE, points(value), policy.grade_value_weight,
            amount=amount, target=policy.grade_full_value, value_source=source,
        ),
        FactorPoints(
            GradeFactor.INTERACTION_FREQUENCY, points(frequency), policy.grade_interaction_frequency_weight,
            count=inputs.interactions_90d, expected=rounded(expected),
        ),
        FactorPoints(
            GradeFactor.SALES_STAGE, points(stage), policy.grade_sales_stage_weight,
            stage=inputs.furthest_open_stage, established=inputs.repeat_or_closer, credit=credit,
        ),
    ]
    score = rounded(need + value + frequency + stage)
    return GradeResult(score=float(score), grade=grade_for_score(Fraction(score), policy), factors=factors)
