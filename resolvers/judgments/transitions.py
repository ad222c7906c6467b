"""Judgment transitions across accounts: which accounts moved from what to what between two days.

Newest first, of the accounts the caller may read. A page is read in order from an index: by kind
(ix_..._kind_changed_on_id), by kind and what it moved to (ix_..._kind_to_value_changed_on_id), or by
kind, from and to (ix_..._kind_from_value_to_value_changed_on_id). A filter naming several kinds or
values is read range by range and merged (`branched`), one range per combination.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, select

from domain.account import Grade, LifecycleStage, RelationshipStage, ValueTier
from domain.growth import GrowthQuadrant
from domain.health import HealthBand
from domain.judgment import JudgmentKind, JudgmentTransition
from resolvers.access import access_of
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput
from resolvers.judgments.reads import NEWEST_FIRST
from resolvers.pagination import Branches, Page, PageRequest, branched, count_select, paginate

# The values a transition of each kind moves between, by name.
VALUES: dict[JudgmentKind, type[enum.Enum]] = {
    JudgmentKind.GRADE: Grade,
    JudgmentKind.VALUE_TIER: ValueTier,
    JudgmentKind.HEALTH_BAND: HealthBand,
    JudgmentKind.LIFECYCLE_STAGE: LifecycleStage,
    JudgmentKind.RELATIONSHIP_STAGE: RelationshipStage,
    JudgmentKind.QUADRANT: GrowthQuadrant,
}

# Ranges a page merges, at most: past it (many kinds with many values each) the list is read as one.
MAX_BRANCHES = 64

T = JudgmentTransition


def values_of(kinds: tuple[JudgmentKind, ...], values: tuple[str, ...], argument: str) -> tuple[str, ...]:
    """`values`, each checked to be a value of one of `kinds` (of any kind when none is chosen)."""
    chosen = kinds or tuple(JudgmentKind)
    allowed = {m.name for kind in chosen for m in VALUES[kind]}
    for value in values:
        if value not in allowed:
            shown = value if len(value) <= 40 else value[:37] + "..."
            named = " or ".join(f"{kind.name} ({', '.join(m.name for m in VALUES[kind])})" for kind in chosen)
            raise BadUserInput(f"`{argument}` holds {shown!r}, which is not a value of {named}.", argument=argument)
    return values


@dataclass(frozen=True)
class TransitionFilter:
    """Conditions on transitions, with values checked against the kinds (`values_of`); hashable."""

    kinds: tuple[JudgmentKind, ...] = ()
    from_values: tuple[str, ...] = ()
    to_values: tuple[str, ...] = ()
    changed_since: date | None = None  # on or after this day
    changed_until: date | None = None  # on or before this day
    account_ids: tuple[int, ...] = ()

    def where(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.kinds or self.from_values or self.to_values or self.changed_since or self.changed_until:
            # Without kinds given, those the values belong to (every kind when none is named): so a filter by
            # values or days alone reads the kinds' indexes. Counting every row needs no index.
            conditions.append(T.kind.in_([kind for kind, _, _ in self._per_kind()]))
        for column, values in ((T.from_value, self.from_values), (T.to_value, self.to_values), (T.account_id, self.account_ids)):
            if values:
                conditions.append(column.in_(values))
        return conditions + self.days()

    def days(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.changed_since is not None:
            conditions.append(T.changed_on >= self.changed_since)
        if self.changed_until is not None:
            conditions.append(T.changed_on <= self.changed_until)
        return conditions

    def _per_kind(self) -> Iterator[tuple[JudgmentKind, list[str], list[str]]]:
        """(kind, its values among `from`, among `to`) of each kind chosen (every kind when none is) that has a
        value of each list given: only transitions of these kinds can match."""
        for kind in self.kinds or tuple(JudgmentKind):
            names = [m.name for m in VALUES[kind]]
            froms = [v for v in self.from_values if v in names]
            tos = [v for v in self.to_values if v in names]
            if (froms or not self.from_values) and (tos or not self.to_values):
                yield kind, froms, tos

    def ranges(self) -> Branches | None:
        """The ranges of the indexes that hold the transitions of the kinds and values chosen, each in the order of
        the list; None when the accounts are named (their own index serves them), when no transition can match,
        or when there would be too many ranges."""
        if self.account_ids:
            return None
        ranges: list[ColumnElement[bool]] = []
        for kind, froms, tos in self._per_kind():
            if froms:
                # One range of the from-to index per pair (every value of the kind when no `to` is given).
                every = [m.name for m in VALUES[kind]]
                ranges += [and_(T.kind == kind, T.from_value == f, T.to_value == t) for f in froms for t in tos or every]
            elif tos:
                ranges += [and_(T.kind == kind, T.to_value == t) for t in tos]
            else:
                ranges.append(T.kind == kind)
        if not ranges or len(ranges) > MAX_BRANCHES:
            return None
        return Branches((tuple(ranges),), orders=(T.changed_on,))


def transitions_query(ctx: RequestContext, flt: TransitionFilter) -> tuple[Select[tuple[JudgmentTransition]], Select[tuple[JudgmentTransition]]]:
    """The statements of the transitions of the accounts the caller may read: the one a page is read from,
    and the one `totalCount` counts (both read paths use them).

    Read range by range, a page's statement holds each range's conditions and the days alone: the filter's
    in-lists beside them would say the same again, and the planner, taking them for further conditions, would
    expect a range to hold too few rows to be worth reading in order. `totalCount` counts with the filter."""
    readable = access_of(ctx).rows_condition(T.account_id)
    stmt = select(T).where(*flt.where(), *readable)
    ranges = flt.ranges()
    if ranges is None:
        return stmt, stmt
    return branched(select(T).where(*flt.days(), *readable), ranges), stmt


async def list_transitions(ctx: RequestContext, flt: TransitionFilter, page: PageRequest) -> Page[JudgmentTransition]:
    """Transitions of the accounts the caller may read, newest first (`transitions_query`)."""
    paged, stmt = transitions_query(ctx, flt)
    found = await paginate(ctx, paged, T.id, NEWEST_FIRST, page)
    if paged is stmt:
        return found
    counted = count_select(stmt)

    async def count() -> int:
        return int(await ctx.run(lambda s: s.scalar(counted)) or 0)

    return replace(found, count=count)
