"""Predicted customer lifetime value (客户生命周期价值): the margin an account is still expected to bring.

The predicted value is the average annual margin of each coming year t = 1..max_years, weighted by the
chance the customer is still with us (retention rate r to the power t) and discounted to today at rate d:

    sum over t of margin * r**t / (1 + d)**t

computed exactly (as fractions) and rounded once, half away from zero, to cents. The historical value (the
margin to date) is kept by the revenue records (domain/revenue.py).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from domain.factors import rounded


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
