"""Exact arithmetic shared by the scoring rules (grade, health, key account, lifetime value).

Points are computed as exact fractions and rounded once, at the end, half away from zero: a score that
lands exactly on a threshold is decided the same way on every machine, and the score shown is the one
that decided.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

Number = int | Decimal | Fraction


def share(value: Number, target: Number) -> Fraction:
    """How much of `target` `value` reaches, from 0 (nothing, or less) to 1 (all of it, or more)."""
    if target <= 0:
        raise ValueError(f"a target must be positive; got {target}")
    return min(max(Fraction(value) / Fraction(target), Fraction(0)), Fraction(1))


def proportional_points(value: Number, target: Number, weight: int) -> Fraction:
    """A factor's points: its weight times the share of the target reached, capped at the weight."""
    return weight * share(value, target)


DAYS_PER_YEAR = Fraction(1461, 4)  # 365.25: a year on average, leap years included


def rounded(value: Fraction, places: int = 2) -> Decimal:
    """`value` rounded half away from zero to `places` decimals, exactly (no binary or 28-digit detour)."""
    scale = 10**places
    units, rest = divmod(abs(value) * scale, 1)
    if rest >= Fraction(1, 2):
        units += 1
    sign = 1 if value < 0 and units else 0
    digits = tuple(int(d) for d in str(int(units)))
    return Decimal((sign, digits, -places))


def points(value: Fraction) -> float:
    """Points or a score as shown: two decimals."""
    return float(rounded(value))


def score_of(earned: Fraction, possible: int) -> Fraction:
    """A score out of 100 from the points earned of the points possible (the exact value, before rounding)."""
    return earned * 100 / possible if possible else Fraction(0)
