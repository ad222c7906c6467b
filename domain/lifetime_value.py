"""Predicted customer lifetime value (客户生命周期价值): the margin an account is still expected to bring.

The predicted value is the average annual margin of each coming year t = 1..max_years, weighted by the
chance the customer is still with us (retention rate r to the power t) and discounted to today at rate d:

    sum over t of margin * r**t / (1 + d)**t

computed exactly (as fractions) and rounded once, half away from zero, to cents. The historical value (the
margin to date) is kept by the revenue records (domain/revenue.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from domain.factors import DAYS_PER_YEAR, rounded
from domain.policy import ScoringPolicy


def _check_rate(name: str, rate: Decimal) -> None:
    if not rate.is_finite() or not 0 <= rate <= 1:
        raise ValueError(f"{name} must lie between 0 and 1; got {rate}")


def predicted_lifetime_value(
    average_annual_margin: Decimal, retention_rate: Decimal, discount_rate: Decimal, max_years: int
) -> Decimal:
    """Raises ValueError on a rate outside 0..1 or a negative number of years."""
    _check_rate("retention_rate", retention_rate)
    _check_rate("discount_rate", discount_rate)
    if max_years < 0:
        raise ValueError(f"max_years must not be negative; got {max_years}")
    kept = Fraction(retention_rate) / (1 + Fraction(discount_rate))  # what one year later is worth today
    margin = Fraction(average_annual_margin)
    total, factor = Fraction(0), Fraction(1)
    for _ in range(max_years):
        factor *= kept
        total += margin * factor
    return rounded(total)


def expected_remaining_years(retention_rate: Decimal, max_years: int) -> Decimal:
    """The years a customer is expected to stay, r / (1 - r), at most `max_years` (a customer always kept,
    r = 1, stays `max_years`); two decimals."""
    _check_rate("retention_rate", retention_rate)
    r = Fraction(retention_rate)
    years = Fraction(max_years) if r == 1 else min(r / (1 - r), Fraction(max_years))
    return rounded(years)



@dataclass(frozen=True, slots=True)
class LifetimeValue:
    """An account's lifetime value, historical and predicted, with the figures behind the prediction.

    The average annual margin is the margin to date over the years since the first order, counted as one
    year at least (a customer of three months has not shown a year's margin yet, and dividing by a
    quarter would quadruple it).
    """

    historical: Decimal  # the margin to date
    average_annual_margin: Decimal
    years_as_customer: Decimal  # since the first order, two decimals
    retention_rate: Decimal
    discount_rate: Decimal
    expected_remaining_years: Decimal
    max_years: int
    predicted: Decimal


def lifetime_value_of(margin_to_date: Decimal, first_order_on: date | None, today: date, policy: ScoringPolicy) -> LifetimeValue | None:
    """None for an account that never ordered: there is no margin to extrapolate."""
    if first_order_on is None:
        return None
    years = max((today - first_order_on).days, 0) / DAYS_PER_YEAR
    average = rounded(Fraction(margin_to_date) / max(years, Fraction(1)))
    retention, discount = policy.lifetime_retention_rate, policy.lifetime_discount_rate
    return LifetimeValue(
        historical=margin_to_date,
        average_annual_margin=average,
        years_as_customer=rounded(years),
        retention_rate=retention,
        discount_rate=discount,
        expected_remaining_years=expected_remaining_years(retention, policy.lifetime_max_years),
        max_years=policy.lifetime_max_years,
        predicted=predicted_lifetime_value(average, retention, discount, policy.lifetime_max_years),
    )
