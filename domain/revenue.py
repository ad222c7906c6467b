"""Revenue history (客户价值): what each account bought, when, and what it earned us.

Records come from where companies keep them (an ERP's orders or invoices), each with an external
reference that is unique per account, so loading the same file twice changes nothing. From them the
account keeps, by each write (and `kam recompute` as days pass): the trailing twelve months' revenue,
the number of orders in them, the last order's day and the margin to date (the historical customer
lifetime value). Where an account has revenue records, its current annual value is that trailing twelve
months' revenue; the value a person entered is kept beside it. RFM scores (recency, frequency, monetary;
quintiles 1-5 across the accounts that ordered in the last twelve months) are ranked across the
portfolio by `kam recompute`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import Date, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.account import MONEY
from domain.base import EARLIEST_DAY, Base, TimestampMixin, VersionedMixin

MAX_PRODUCT_LINE = 100
MAX_REFERENCE = 100
EARLIEST = EARLIEST_DAY
CENT = Decimal("0.01")


class AnnualValueSource(enum.Enum):
    """Where an account's current annual value comes from."""

    ENTERED = "ENTERED"  # a person entered it (no revenue records)
    TRAILING_TWELVE_MONTHS = "TRAILING_TWELVE_MONTHS"  # the revenue records of the last twelve months


class Grain(enum.Enum):
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


class RevenueRecord(TimestampMixin, VersionedMixin, Base):
    __tablename__ = "revenue_record"
    __table_args__ = (
        Index("uq_revenue_record_account_id_reference", "account_id", "reference", unique=True),
        Index("ix_revenue_record_account_id_booked_on", "account_id", "booked_on", "id"),
        Index("ix_revenue_record_booked_on_id", "booked_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    booked_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    margin: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    product_line: Mapped[str | None] = mapped_column(String(MAX_PRODUCT_LINE))
    reference: Mapped[str] = mapped_column(String(MAX_REFERENCE))


def trailing_start(today: date) -> date:
    """The first day of the trailing twelve months that end `today` (the same day a year before, plus one)."""
    try:
        return today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February: a year before has none
        return today.replace(year=today.year - 1, day=28) + timedelta(days=1)


def trailing_twelve_months(current_annual_value: Decimal, source: str) -> Decimal:
    """The revenue of an account's trailing twelve months: its current annual value where that is what it
    holds (`source`), none where a person entered it."""
    return current_annual_value if source == AnnualValueSource.TRAILING_TWELVE_MONTHS.name else Decimal("0.00")


# Months a period of each grain spans; periods start in January.
GRAIN_MONTHS = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12}


def period_start(day: date, grain: Grain) -> date:
    """The first day of the month, quarter or year `day` falls in."""
    return month_period(day.year, day.month, GRAIN_MONTHS[grain])


@lru_cache(maxsize=4096)
def month_period(year: int, month: int, span: int) -> date:
    """The first day of the period of `span` months that the month falls in (kept: sums per period ask often)."""
    return date(year, (month - 1) // span * span + 1, 1)


def amount_problem(amount: Decimal, margin: Decimal | None) -> tuple[str, str] | None:
    """(field, message) when an amount or its margin cannot be stored or makes no sense; None when fine."""
    if not amount.is_finite() or amount <= 0 or amount >= Decimal(10) ** 16:
        return "amount", "must be a positive amount below 10,000,000,000,000,000"
    if amount != amount.quantize(CENT):
        return "amount", "has more than two decimals"
    if margin is not None:
        if not margin.is_finite() or abs(margin) > amount:
            return "margin", "must lie between minus the amount and the amount"
        if margin != margin.quantize(CENT):
            return "margin", "has more than two decimals"
    return None


@dataclass(frozen=True)
class RevenueSummary:
    """What an account keeps of its revenue records, as of a day."""

    trailing_twelve_months: Decimal
    orders_twelve_months: int
    last_order_on: date | None
    margin_to_date: Decimal
    counted_on: date
