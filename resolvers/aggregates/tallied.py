"""Counts read from the tallies the database keeps instead of from the rows they count.

A whole portfolio's needs (45 per account) are too many to count per request; the needs' tally
(domain/need_tally.py) holds the same counts per category, status, priority, visibility and peak quarters,
and per region and archived state of their account.
An aggregate reads it exactly when it answers the same groups as the rows would: a caller who may read
every account, no filter on the needs, no condition on their accounts but their regions (`Portion`), and a
grouping by what the tally keeps. Otherwise the rows are counted as always.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, func, literal_column, null, or_, select, type_coerce, union_all

from domain.base import enum_column
from domain.need import QUARTER_BITS, Need, NeedCategory, NeedStatus, NeedVisibility, Priority, Quarter
from domain.need_tally import NeedTally
from resolvers.aggregates.grouping import Dimension, Rows, enum_order

# Each peak quarter with its bit, and the group of needs naming none (bit 0, quarter NULL).
_PEAKS = union_all(
    *(select(literal_column(str(bit)).label("bit"), literal_column(f"'{quarter.name}'").label("quarter")) for quarter, bit in QUARTER_BITS.items()),
    select(literal_column("0"), null()),
).subquery("peak")
_QUARTER = type_coerce(_PEAKS.c.quarter, enum_column(Quarter))

# The needs' dimensions the tally keeps: the column it counts by and how its groups order.
_NEED_KEYS: dict[str, tuple[Any, Any]] = {
    "category": (NeedTally.category, enum_order(NeedTally.category, NeedCategory)),
    "status": (NeedTally.status, enum_order(NeedTally.status, NeedStatus)),
    "priority": (NeedTally.priority, enum_order(NeedTally.priority, Priority)),
    "visibility": (NeedTally.visibility, enum_order(NeedTally.visibility, NeedVisibility)),
    "peak_quarter": (_QUARTER, enum_order(_QUARTER, Quarter)),
}


def need_counts(rows: Rows, dimensions: Sequence[Dimension], first: int) -> Select[Any] | None:
    """The statement counting needs from their tally, in the shape of the rows' grouping statement (key
    columns, then the count), or None when the tally does not answer the same groups."""
    portion = rows.portion
    if rows.froms is not Need or portion is None or any(d.key not in _NEED_KEYS for d in dimensions):
        return None
    keys = [_NEED_KEYS[d.key] for d in dimensions]
    count = func.sum(NeedTally.needs)
    stmt = select(*(column for column, _ in keys), func.coalesce(count, 0)).select_from(NeedTally)
    if portion.regions is not None:
        stmt = stmt.where(NeedTally.region.in_(portion.regions), NeedTally.archived.is_(False))
    if any(d.key == "peak_quarter" for d in dimensions):
        # A need counts once in each quarter it peaks in, and once in the group of no quarter if it names none.
        mask = NeedTally.peak_mask
        stmt = stmt.join(_PEAKS, or_(mask.bitwise_and(_PEAKS.c.bit) != 0, and_(mask == 0, _PEAKS.c.bit == 0)))
    if not dimensions:
        return stmt
    columns = [column for column, _ in keys]
    return (
        stmt.group_by(*columns)
        .having(count != 0)
        .order_by(*(order.asc().nulls_last() for _, order in keys))
        .limit(first + 1)
    )
