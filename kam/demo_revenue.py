"""The demo portfolio's revenue: an order a month over the last three years, on the trend each account is on.

Nordwerk and Boreal grow, Lumen's revenue falls by almost a third a year and St. Aurelia's by more than a
third, Transalpina buys a little, and Meridian, a prospect, has bought nothing yet. The monthly amounts are
scaled so that the latest twelve months come near the annual value the demo states for the account.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

MONTHS = 36
MARGIN = Decimal("0.25")

# Yearly growth of each account's orders, and what it buys.
TRENDS: dict[str, tuple[float, tuple[str, ...]]] = {
    "Nordwerk Maschinenbau AG": (0.25, ("Sensors", "Analytics licences", "Services")),
    "Lumen Retail Group": (-0.30, ("Store screens", "Analytics licences")),
    "St. Aurelia Health Network": (-0.35, ("Scheduling licences", "Services")),
    "Boreal Energy ASA": (0.15, ("Analytics licences", "Sensors", "Services")),
    "Transalpina Logistics S.p.A.": (0.05, ("Route planning licences",)),
}


def monthly_orders(name: str, annual_value: int, today: date) -> Iterator[tuple[date, Decimal, Decimal, str, str]]:
    """(day, amount, margin, product line, reference) of each month's order, oldest first; none for accounts
    without a trend."""
    if name not in TRENDS:
        return
    growth, lines = TRENDS[name]
    # The latest twelve months' factors add up to 12, so their orders come to about `annual_value`.
    factors = [(1 + growth) ** ((m - (MONTHS - 6.5)) / 12) for m in range(MONTHS)]
    scale = 12 / sum(factors[-12:])
    # The latest order is this month's if its day (the 15th) has come, else last month's.
    latest = today.year * 12 + today.month - 1 - (0 if today.day >= 15 else 1)
    start = latest - (MONTHS - 1)
    for m in range(MONTHS):
        year, month = divmod(start + m, 12)
        day = date(year, month + 1, 15)
        amount = (Decimal(annual_value) / 12 * Decimal(factors[m] * scale)).quantize(Decimal("0.01"))
        slug = "".join(ch for ch in name.upper() if ch.isalnum())[:12]
        yield day, amount, (amount * MARGIN).quantize(Decimal("0.01")), lines[m % len(lines)], f"DEMO-{slug}-{year}{month + 1:02d}"
