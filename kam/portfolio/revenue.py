"""Three years of a customer's orders, as an ERP export holds them, and what the account keeps of them.

Customers (every account but the prospects) order about monthly: A accounts
a few times a month, D accounts most months. Each account is on a trend of
its own: the ones we retain grow a little (or slip a little), the ones at
risk fall, first deals began ordering within the last two years and grow,
churned accounts stopped some months ago (archived ones before they were
archived). Amounts are scaled so that a year of orders comes near the
account's annual value (for churned ones, the year before they stopped);
margins vary around a rate of the account's, a few records have none. Each
record names a product line of the few the account buys and a reference
unique within the account.

The account then carries what the writes of revenue records keep
(resolvers/revenue/summary.py), as `kam recompute` leaves it on the day of
the run: where it has records, its current annual value is the trailing
twelve months' revenue (the entered value kept beside it), with the orders
in them, the last order's day and the margin to date; prospects keep the
value entered.
"""

from __future__ import annotations

import calendar
import random
from datetime import date
from decimal import Decimal

from domain.revenue import AnnualValueSource, trailing_start
from kam.portfolio.accounts import Draft
from kam.portfolio.chance import Clock
from kam.portfolio.rows import COLUMNS, VERSION, Batch, Ids

MONTHS = 36
ORDERS_PER_MONTH = {"A": 3.0, "B": 1.8, "C": 1.2, "D": 0.8}
ORDERS_SPREAD = 0.3  # of the logarithm, per account
MONTH_SPREAD = 0.2  # of the logarithm, per month: seasons, projects
# Yearly growth per lifecycle stage: mean and spread; clamped to GROWTH_RANGE.
GROWTH = {
    "RETENTION": (0.05, 0.12), "CONVERSION": (0.2, 0.15), "AT_RISK": (-0.25, 0.1), "WIN_BACK": (-0.1, 0.15),
    "CHURNED": (-0.3, 0.15), "ACQUISITION": (0.0, 0.1),
}
GROWTH_RANGE = (-0.6, 0.8)
FIRST_ORDER_MONTHS_AGO = (3, 24)  # first deals
LAST_ORDER_MONTHS_AGO = (2, 20)  # churned accounts
MARGIN_RATE = (0.1, 0.4)
MARGIN_SPREAD = 0.04
NO_MARGIN = 0.04
RECORDED_WITHIN = 6  # days after booking an export brings the record in
PRODUCT_LINES = (
    "Licences", "Subscriptions", "Professional services", "Support contracts", "Hardware", "Spare parts",
    "Consumables", "Training", "Managed services", "Sensors", "Analytics", "Installation", "Maintenance",
    "Cloud hosting", "Integration",
)
LINES_PER_ACCOUNT = (1, 4)
ENTERED = AnnualValueSource.ENTERED.name
TRAILING = AnnualValueSource.TRAILING_TWELVE_MONTHS.name
ZERO = Decimal("0.00")
CURRENT_VALUE = COLUMNS["account"].index("current_annual_value")


def _cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


def _months(today: date) -> list[tuple[int, int, int, int]]:
    """(year, month, first day, last day) as ordinals of the MONTHS months ending with today's, days before today."""
    out = []
    index = today.year * 12 + today.month - 1 - (MONTHS - 1)
    last_allowed = today.toordinal() - 1
    for m in range(MONTHS):
        year, month0 = divmod(index + m, 12)
        first = date(year, month0 + 1, 1).toordinal()
        last = min(first + calendar.monthrange(year, month0 + 1)[1] - 1, last_allowed)
        out.append((year, month0 + 1, first, last))
    return out


def generate_revenue(rng: random.Random, ids: Ids, batch: Batch, draft: Draft, clock: Clock) -> None:
    """Write a customer's revenue records, then the account's revenue summary (the last columns of its row)."""
    rows = batch.rows
    accounts = rows["account"]
    assert accounts[-1][0] == draft.id, "the account's row is not the last one written"
    entered = Decimal(draft.current)
    today = clock.today
    if draft.stage == "PROSPECT":
        accounts[-1] = accounts[-1] + (entered, ENTERED, 0, None, ZERO, today)
        return

    months = _months(today)
    first_month, last_month = 0, MONTHS - 1
    if draft.lifecycle == "CHURNED":
        last_month = MONTHS - 1 - rng.randint(*LAST_ORDER_MONTHS_AGO)
        if draft.archived_ord is not None:
            while last_month > 0 and months[last_month][2] >= draft.archived_ord:
                last_month -= 1
    elif draft.stage == "FIRST_DEAL":
        first_month = MONTHS - 1 - rng.randint(*FIRST_ORDER_MONTHS_AGO)
    mean, spread = GROWTH[draft.lifecycle]
    growth = min(GROWTH_RANGE[1], max(GROWTH_RANGE[0], rng.gauss(mean, spread)))
    # A year of orders ending with the last month comes to about the annual value (the month before is the middle).
    middle = last_month - 5.5
    per_month = draft.drawn / 12.0
    rate = ORDERS_PER_MONTH[draft.grade] * rng.lognormvariate(0.0, ORDERS_SPREAD)
    margin_rate = rng.uniform(*MARGIN_RATE)
    line_count = rng.randint(*LINES_PER_ACCOUNT)
    lines = rng.sample(PRODUCT_LINES, line_count)
    currency = draft.region.currency
    account_id = draft.id
    random_, gauss, lognorm, moment = rng.random, rng.gauss, rng.lognormvariate, clock.moment
    records = rows["revenue_record"]
    first_row = len(records)
    start_ord = trailing_start(today).toordinal()
    ttm = orders = margin_total = 0
    last_on = 0
    number = 0
    for m in range(first_month, last_month + 1):
        year, month, first, last = months[m]
        if last < first:
            continue
        count = int(rate + random_())
        if not count:
            continue
        value = per_month * (1.0 + growth) ** ((m - middle) / 12.0) * lognorm(0.0, MONTH_SPREAD)
        for _ in range(count):
            cents = max(100, round(value / rate * (0.5 + random_()) * 100))
            day = first + int(random_() * (last - first + 1))
            if random_() < NO_MARGIN:
                margin = None
            else:
                share = min(0.8, max(-0.2, gauss(margin_rate, MARGIN_SPREAD)))
                margin_cents = round(cents * share)
                margin_total += margin_cents
                margin = _cents(margin_cents)
            number += 1
            created = moment(rng, day + int(random_() * RECORDED_WITHIN))
            records.append((
                ids.take("revenue_record"), account_id, date.fromordinal(day), _cents(cents), currency, margin,
                lines[int(random_() * line_count)], f"SO-{year}-{number:05d}", created, created, VERSION,
            ))
            if day >= start_ord:
                ttm += cents
                orders += 1
            last_on = max(last_on, day)
    if len(records) == first_row:
        accounts[-1] = accounts[-1] + (entered, ENTERED, 0, None, ZERO, today)
        return
    row = accounts[-1]
    value_at = CURRENT_VALUE
    accounts[-1] = (
        *row[:value_at], _cents(ttm), *row[value_at + 1:],
        entered, TRAILING, orders, date.fromordinal(last_on), _cents(margin_total), today,
    )

