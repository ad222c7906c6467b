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
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from domain.account import ValueTier
from domain.factors import rounded
from domain.policy import ScoringPolicy


@dataclass(frozen=True, slots=True)
class Ranked:
    """An account's place in the ranking: its tier, its rank (1: the largest revenue) and the share of the
    total (per cent, four decimals) the accounts ranked before it make (None when it has no revenue)."""

    tier: ValueTier
    rank: int
    share_before: Decimal | None


def value_ranking(revenues: Iterable[tuple[int, Decimal]], policy: ScoringPolicy) -> dict[int, Ranked]:
    """Each account id's place from its (account id, trailing revenue) pair. Raises ValueError on a repeated id."""
    ranked = sorted(revenues, key=lambda pair: (-pair[1], pair[0]))
    ids = [account_id for account_id, _ in ranked]
    if len(set(ids)) != len(ids):
        raise ValueError("an account appears more than once in the revenues to rank")
    total = sum((Fraction(revenue) for _, revenue in ranked if revenue > 0), Fraction(0))
    places: dict[int, Ranked] = {}
    before = Fraction(0)
    for rank, (account_id, revenue) in enumerate(ranked, start=1):
        if revenue <= 0:
            places[account_id] = Ranked(ValueTier.LOW, rank, None)
            continue
        share_before = before * 100 / total
        if share_before < policy.value_tier_high_up_to:
            tier = ValueTier.HIGH
        elif share_before < policy.value_tier_medium_up_to:
            tier = ValueTier.MEDIUM
        else:
            tier = ValueTier.LOW
        places[account_id] = Ranked(tier, rank, rounded(share_before, 4))
        before += Fraction(revenue)
    return places


def value_tiers(revenues: Iterable[tuple[int, Decimal]], policy: ScoringPolicy) -> dict[int, ValueTier]:
    """Each account id's tier from its (account id, trailing revenue) pair. Raises ValueError on a repeated id."""
    return {account_id: place.tier for account_id, place in value_ranking(revenues, policy).items()}
