"""Months, quarters and years as integers SQL groups by, and the periods they stand for.

A bucket is counted from year 0 (`year * 12 + month - 1` for months, `year * 4 +
quarter - 1` for quarters, the year itself for years), so it orders as time does
and is computed alike by SQLite and PostgreSQL. Timestamps are bucketed by their
UTC day whatever the session's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import DateTime, Integer, cast, extract, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from domain.revenue import GRAIN_MONTHS, Grain
from resolvers.revenue.reads import period_end


class utc(FunctionElement[Any]):
    """A timestamp column read as UTC wall-clock time (PostgreSQL's `AT TIME ZONE 'UTC'`; SQLite keeps UTC)."""

    type = DateTime()
    inherit_cache = True


@compiles(utc)
def _utc(element: utc, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)  # type: ignore[no-any-return]


@compiles(utc, "postgresql")
def _utc_postgresql(element: utc, compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC')"


def bucket(column: Any, grain: Grain, timestamp: bool = False) -> Any:
    """The bucket of `grain` that `column` (a date, or a timestamp when `timestamp`) falls in; NULL for NULL."""
    day = utc(column) if timestamp else column
    year = cast(extract("year", day), Integer)
    if grain is Grain.YEAR:
        return year
    month = cast(extract("month", day), Integer)
    span = GRAIN_MONTHS[grain]
    # Constants, not parameters: PostgreSQL matches the ORDER BY to the GROUP BY by the expressions' text.
    def number(n: int) -> Any:
        return literal_column(str(n), Integer)

    return year * number(12 // span) + (month - number(1)) // number(span)


@dataclass(frozen=True)
class Bucket:
    """One month, quarter or year: its first and last day and a label (`2026-03`, `2026-Q1`, `2026`)."""

    grain: Grain
    start: date
    end: date
    label: str


def decode(value: Any, grain: Grain) -> Bucket | None:
    """The period a bucket number stands for; None for NULL."""
    if value is None:
        return None
    number = int(value)
    if grain is Grain.YEAR:
        start, label = date(number, 1, 1), f"{number:04d}"
    elif grain is Grain.QUARTER:
        year, quarter = divmod(number, 4)
        start, label = date(year, quarter * 3 + 1, 1), f"{year:04d}-Q{quarter + 1}"
    else:
        year, month = divmod(number, 12)
        start, label = date(year, month + 1, 1), f"{year:04d}-{month + 1:02d}"
    return Bucket(grain, start, period_end(start, grain), label)
