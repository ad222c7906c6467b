"""The scoring policy: every weight, threshold and period the judgment rules use (DOMAIN.md section 9).

A policy is configuration an ADMIN changes, never a constant in code: the rules take it as an argument,
and each stored version is a JSON document (`to_document`/`from_document`). Points, scores, days and
percentages are whole numbers; money, credits, ratios and rates are Decimals (strings in the document).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from decimal import Decimal
from typing import Any, get_type_hints

from domain.base import decimal_from_text


@dataclass(frozen=True, slots=True)
class ScoringPolicy:
    # Grade A/B/C/D: four factors' points (they add up to 100) and the scores from which a grade is earned.
    grade_need_clarity_weight: int = 25
    grade_value_weight: int = 25
    grade_interaction_frequency_weight: int = 25
    grade_sales_stage_weight: int = 25
    grade_full_value: Decimal = Decimal("1000000")  # yearly revenue (account currency) that earns all value points
    grade_a_from: int = 75
    grade_b_from: int = 50
    grade_c_from: int = 25
    # Sales-stage credit (share of the stage points) of the furthest open opportunity.
    stage_credit_initial_contact: Decimal = Decimal("0.2")
    stage_credit_needs_analysis: Decimal = Decimal("0.4")
    stage_credit_solution_design: Decimal = Decimal("0.6")
    stage_credit_quotation: Decimal = Decimal("0.8")
    stage_credit_signing: Decimal = Decimal("1.0")
    # A repeat customer (or a closer relationship) earns this much even without an open opportunity.
    stage_credit_established: Decimal = Decimal("0.6")
    # Contact cadence per grade, in days: an account not contacted for longer is overdue.
    cadence_a_days: int = 7
    cadence_b_days: int = 14
    cadence_c_days: int = 30
    cadence_d_days: int = 90
    # ABC analysis: cumulative share of total revenue (per cent) up to which accounts are HIGH, then MEDIUM.
    value_tier_high_up_to: int = 80
    value_tier_medium_up_to: int = 95
    # Health 0-100: six factors' points (they add up to 100).
    health_recency_weight: int = 30
    health_satisfaction_weight: int = 20
    health_complaints_weight: int = 15
    health_organisational_support_weight: int = 15
    health_plan_progress_weight: int = 10
    health_revenue_trend_weight: int = 10
    # Recency fades from full points at the cadence to none at this many cadences since the last interaction.
    health_recency_zero_at_cadences: int = 3
    # Revenue trend, the last 12 months over the 12 before: full points from the first ratio, none up to the second.
    health_trend_full_ratio: Decimal = Decimal("1.0")
    health_trend_zero_ratio: Decimal = Decimal("0.5")
    health_healthy_from: int = 70
    churn_warning_below: int = 40
    # Key-account recommendation: purchasing power weighs most (key accounts are the few that bring the most
    # revenue), then the potential to grow and a planner's view of strategic fit; a long relationship helps
    # least, since a new customer with a large wallet can be a key account from its first deal.
    key_account_purchasing_power_weight: int = 35
    key_account_cooperation_potential_weight: int = 25
    key_account_relationship_length_weight: int = 15
    key_account_strategic_fit_weight: int = 25
    key_account_full_wallet: Decimal = Decimal("5000000")  # estimated wallet that earns all purchasing-power points
    key_account_full_potential: Decimal = Decimal("2000000")  # growth potential that earns all cooperation points
    key_account_full_years: int = 3  # years since the first won deal that earn all relationship points
    key_account_from: int = 60  # score from which an account is recommended as a key account
    # Predicted customer lifetime value: one retention rate for every segment until segments measure theirs.
    lifetime_retention_rate: Decimal = Decimal("0.8")
    lifetime_discount_rate: Decimal = Decimal("0.08")
    lifetime_max_years: int = 10
    # Lifecycle: a customer whose last purchase is longer ago than this has lapsed (CHURNED, or WIN_BACK while
    # a deal is open).
    lifecycle_lapsed_after_days: int = 730


DEFAULT_POLICY = ScoringPolicy()

# Each setting's type: int (points, scores, days, per cents) or Decimal (money, credits, ratios, rates).
SETTING_TYPES: dict[str, type] = {name: hint for name, hint in get_type_hints(ScoringPolicy).items()}
FIELDS: tuple[str, ...] = tuple(f.name for f in fields(ScoringPolicy))

WEIGHT_GROUPS: dict[str, tuple[str, ...]] = {
    "grade": (
        "grade_need_clarity_weight", "grade_value_weight", "grade_interaction_frequency_weight",
        "grade_sales_stage_weight",
    ),
    "health": (
        "health_recency_weight", "health_satisfaction_weight", "health_complaints_weight",
        "health_organisational_support_weight", "health_plan_progress_weight", "health_revenue_trend_weight",
    ),
    "key-account": (
        "key_account_purchasing_power_weight", "key_account_cooperation_potential_weight",
        "key_account_relationship_length_weight", "key_account_strategic_fit_weight",
    ),
}
STAGE_CREDITS = (
    "stage_credit_initial_contact", "stage_credit_needs_analysis", "stage_credit_solution_design",
    "stage_credit_quotation", "stage_credit_signing", "stage_credit_established",
)
RATES = ("lifetime_retention_rate", "lifetime_discount_rate")
MAX_LIFETIME_YEARS = 100
# Bounds of every decimal setting: amounts up to a thousand billion, rates and credits to a millionth.
MAX_DECIMAL = Decimal(10) ** 15
MAX_PLACES = 6


def camel(name: str) -> str:
    """The name a GraphQL input (and the stored document) gives a policy field: `grade_a_from` -> `gradeAFrom`."""
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


_BY_CAMEL = {camel(name): name for name in FIELDS}


def with_changes(policy: ScoringPolicy, changes: dict[str, Any]) -> ScoringPolicy:
    """`policy` with some settings changed (by their snake_case names)."""
    return replace(policy, **changes)


def policy_problems(policy: ScoringPolicy) -> list[tuple[str, str]]:
    """Why a policy cannot be used, as (field, message) pairs in field order; empty when it can.

    A weight group that does not add up to 100 is reported on the group's first weight, naming every
    weight of the group in the message. Orders are checked only between values that are themselves fine.
    """
    problems: list[tuple[str, str]] = []
    bad: set[str] = set()

    def problem(name: str, message: str) -> None:
        problems.append((camel(name), message))
        bad.add(name)

    for name in FIELDS:
        value = getattr(policy, name)
        if isinstance(value, Decimal) and not value.is_finite():
            problem(name, f"must be a finite number; got {value}")
        elif isinstance(value, Decimal) and (abs(value) >= MAX_DECIMAL or value.as_tuple().exponent < -MAX_PLACES):  # type: ignore[operator]
            problem(name, f"must be below {MAX_DECIMAL:,} with at most {MAX_PLACES} decimals; got {value:.40}")
        elif value < 0:
            problem(name, f"must not be negative; got {value}")
    for group, names in WEIGHT_GROUPS.items():
        total = sum(getattr(policy, n) for n in names)
        if total != 100:
            listed = ", ".join(f"{camel(n)} {getattr(policy, n)}" for n in names)
            problem(names[0], f"The {group} weights must add up to 100; {listed} add up to {total}.")
    for name in (*STAGE_CREDITS, *RATES):
        if name not in bad and getattr(policy, name) > 1:
            problem(name, f"must lie between 0 and 1; got {getattr(policy, name)}")
    for name in ("grade_full_value", "key_account_full_wallet", "key_account_full_potential", "key_account_full_years"):
        if name not in bad and getattr(policy, name) == 0:
            problem(name, "must be more than 0: it is what earns full points")

    def ordered(names: tuple[str, ...], strict: bool, what: str) -> None:
        for low, high in zip(names, names[1:]):
            if low in bad or high in bad:
                continue
            a, b = getattr(policy, low), getattr(policy, high)
            if a > b or (strict and a == b):
                relation = "below" if strict else "at most"
                problem(low, f"{what}: {camel(low)} ({a}) must be {relation} {camel(high)} ({b}).")

    grade_order = ("grade_c_from", "grade_b_from", "grade_a_from")
    ordered(grade_order, True, "Grades need rising scores")
    if "grade_c_from" not in bad and policy.grade_c_from == 0:
        problem("grade_c_from", "must be more than 0, or no account could be graded D")
    if "grade_a_from" not in bad and policy.grade_a_from > 100:
        problem("grade_a_from", f"must be at most 100, the highest score; got {policy.grade_a_from}")
    cadences = ("cadence_a_days", "cadence_b_days", "cadence_c_days", "cadence_d_days")
    for name in cadences:
        if name not in bad and getattr(policy, name) < 1:
            problem(name, "must be at least 1 day")
    ordered(cadences, False, "Better grades are contacted at least as often")
    ordered(("value_tier_high_up_to", "value_tier_medium_up_to"), True, "The value tiers need rising shares")
    if "value_tier_medium_up_to" not in bad and policy.value_tier_medium_up_to > 100:
        problem("value_tier_medium_up_to", f"must be at most 100 per cent; got {policy.value_tier_medium_up_to}")
    if "value_tier_high_up_to" not in bad and policy.value_tier_high_up_to == 0:
        problem("value_tier_high_up_to", "must be more than 0, or no account could be HIGH")
    ordered(("churn_warning_below", "health_healthy_from"), True, "Health bands need rising scores")
    if "health_healthy_from" not in bad and policy.health_healthy_from > 100:
        problem("health_healthy_from", f"must be at most 100, the highest score; got {policy.health_healthy_from}")
    ordered(("health_trend_zero_ratio", "health_trend_full_ratio"), True, "The revenue trend needs a rising range")
    if "health_recency_zero_at_cadences" not in bad and policy.health_recency_zero_at_cadences < 2:
        problem("health_recency_zero_at_cadences", "must be at least 2: recency fades after one cadence")
    if "key_account_from" not in bad and not 0 < policy.key_account_from <= 100:
        problem("key_account_from", f"must lie between 1 and 100; got {policy.key_account_from}")
    if "lifetime_max_years" not in bad and not 1 <= policy.lifetime_max_years <= MAX_LIFETIME_YEARS:
        problem("lifetime_max_years", f"must lie between 1 and {MAX_LIFETIME_YEARS}; got {policy.lifetime_max_years}")
    if "lifecycle_lapsed_after_days" not in bad and policy.lifecycle_lapsed_after_days < 1:
        problem("lifecycle_lapsed_after_days", "must be at least 1 day")
    order = {camel(name): i for i, name in enumerate(FIELDS)}
    return sorted(problems, key=lambda p: order[p[0]])


def to_document(policy: ScoringPolicy) -> dict[str, Any]:
    """The policy as stored: camelCase keys, whole numbers as JSON numbers, Decimals as plain decimal strings."""
    return {
        camel(name): format(value, "f") if isinstance(value := getattr(policy, name), Decimal) else value
        for name in FIELDS
    }


def from_document(document: dict[str, Any]) -> ScoringPolicy:
    """The policy a stored document holds. Raises ValueError on unknown or missing keys and wrong types.

    Values are not judged here (`policy_problems` does that when a policy is written): a version stored
    under older rules still loads, so what it computed stays explainable. A new setting therefore comes
    with a migration that writes its value into the stored documents.
    """
    if not isinstance(document, dict):
        raise ValueError(f"A scoring policy document must be an object; got {type(document).__name__}.")
    unknown = sorted(set(document) - set(_BY_CAMEL), key=str)
    if unknown:
        raise ValueError(f"Unknown scoring policy settings: {', '.join(map(str, unknown))}.")
    missing = [key for key in _BY_CAMEL if key not in document]
    if missing:
        raise ValueError(f"Missing scoring policy settings: {', '.join(missing)}.")
    values: dict[str, Any] = {}
    for key, name in _BY_CAMEL.items():
        raw = document[key]
        if SETTING_TYPES[name] is int:
            if type(raw) is not int:
                raise ValueError(f"{key} must be a whole number; got {type(raw).__name__} {raw!r:.40}.")
            values[name] = raw
        else:
            if not isinstance(raw, str):
                raise ValueError(f"{key} must be a decimal written as a string; got {type(raw).__name__} {raw!r:.40}.")
            try:
                values[name] = decimal_from_text(raw)
            except ValueError as error:
                raise ValueError(f"{key}: {error}.") from None
    return ScoringPolicy(**values)
