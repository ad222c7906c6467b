"""Value tier by ABC analysis (客户价值细分): HIGH, MEDIUM or LOW by share of the portfolio's revenue.

Accounts are ranked by revenue, largest first (equal revenues by id, lowest first, so the ranking is
always the same). An account's tier is read from the cumulative share of the accounts ranked BEFORE it:
HIGH while that share is below the HIGH cut-off, MEDIUM while below the MEDIUM cut-off, LOW after. So
the account that crosses 80% is still HIGH (the accounts that make up the first 80% include the one
that completes it), and the account that starts exactly at 80% is MEDIUM. Equal revenues at a boundary
may fall in different tiers; the lower id goes first. An account with no revenue (zero or less) is LOW,
and so is every account when the total is zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from domain.account import ValueTier
from domain.policy import ScoringPolicy


def value_tiers(revenues: Iterable[tuple[int, Decimal]], policy: ScoringPolicy) -> dict[int, ValueTier]:
    """Each account id's tier from its (account id, trailing revenue) pair. Raises ValueError on a repeated id."""
    ranked = sorted(revenues, key=lambda pair: (-pair[1], pair[0]))
    ids = [account_id for account_id, _ in ranked]
    if len(set(ids)) != len(ids):
        raise ValueError("an account appears more than once in the revenues to rank")
    total = sum((Fraction(revenue) for _, revenue in ranked if revenue > 0), Fraction(0))
    tiers: dict[int, ValueTier] = {}
    before = Fraction(0)
    for account_id, revenue in ranked:
        if revenue <= 0:
            tiers[account_id] = ValueTier.LOW
            continue
        share_before = before * 100 / total
        if share_before < policy.value_tier_high_up_to:
            tiers[account_id] = ValueTier.HIGH
        elif share_before < policy.value_tier_medium_up_to:
            tiers[account_id] = ValueTier.MEDIUM
        else:
            tiers[account_id] = ValueTier.LOW
        before += Fraction(revenue)
    return tiers
