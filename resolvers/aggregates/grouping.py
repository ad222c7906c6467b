"""One statement per aggregate: the rows a kind counts, grouped by the dimensions asked for.

Money is summed per currency: the statement also groups by the currency
column, and the rows of one group (adjacent, as the groups are ordered by
their key first) are merged into one group holding an amount per currency.
Groups come in the order of their key: enums in their declared order,
periods in time order, text alphabetically, NULL last.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, null, select

from domain.account import Account
from resolvers.context import RequestContext
from resolvers.driver import session_rows
from resolvers.errors import BadUserInput

MAX_GROUPS = 1000  # groups one `groups` field returns at most
DEFAULT_GROUPS = 100
MAX_DIMENSIONS = 4  # dimensions one grouping takes at most
CURRENCIES_PER_GROUP = 8  # rows read per group asked for, beyond which a group may be cut (then reported as more)
CENT = Decimal("0.01")
STATISTICS = ("sum", "avg", "min", "max")


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Dimension:
    """What rows group by: `column` in SQL, answered as `decode(value)` under the key's field `key`."""

    key: str
    column: Any
    decode: Callable[[Any], Any] = _same
    order: Any = None  # how groups order by it, when not by the column itself
    account: bool = False  # reads the account's columns: the rows' account is joined
    join: Callable[[Select[Any]], Select[Any]] | None = None  # what else the statement reads to group by it
    through: bool = False  # reads the table its rows reach their account through (an action's plan)
    type: Any = None  # what `decode` answers, when not the column's Python type

    @property
    def value_type(self) -> Any:
        return self.type or self.column.type.python_type


def enum_order(column: Any, kind: type[enum.Enum]) -> Any:
    """`column`'s enum values ranked in their declared order (stored by name, they would sort alphabetically)."""
    return case({member.name: rank for rank, member in enumerate(kind)}, value=column)


def enum_dimension(key: str, column: Any, kind: type[enum.Enum], account: bool = False) -> Dimension:
    """A dimension over an enum column, its groups in the enum's declared order."""
    return Dimension(key, column, order=enum_order(column, kind), account=account)


@dataclass(frozen=True)
class Measure:
    """A numeric column summed, averaged and ranged; money (`money`) per currency of the kind."""

    key: str
    column: Any
    money: bool = False


@dataclass(frozen=True)
class Kind:
    """What one kind of object offers to aggregates."""

    name: str
    dimensions: Mapping[str, Dimension]
    measures: tuple[Measure, ...] = ()
    currency: Any = None  # the currency column of its money measures
    statistics: frozenset[str] = frozenset(STATISTICS)  # what groups answer of each measure (the others stay empty)
    # The statement reading the same groups from a tally the writes keep, or None where the rows must be read.
    tally: Callable[[Rows, Sequence[Dimension], int], Select[Any] | None] | None = None


@dataclass(frozen=True)
class Portion:
    """Rows that a tally kept per region can count: all of a kind's rows (`regions` None, archived accounts'
    too), or those of the live accounts of some regions."""

    regions: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Rows:
    """The rows an aggregate counts: FROM, the conditions (filter and access) and, for rows of an account,
    how their account joins (`account_on`) and whether the conditions read it (`account`); `portion` when
    they are one a tally can count; `bare` when FROM joins a table only to reach the account (PostgreSQL
    keeps an inner join it need not read: an action's plan doubled the time of counting a portfolio's)."""

    froms: Any
    where: tuple[ColumnElement[bool], ...] = ()
    account_on: ColumnElement[bool] | None = None
    account: bool = False
    portion: Portion | None = None
    bare: Any = None  # FROM without the table that leads to the account, for a statement that reads neither


@dataclass
class Stats:
    """One measure over one group: numbers, or per currency (`money`) amounts."""

    sum: Any = None
    avg: Any = None
    min: Any = None
    max: Any = None


@dataclass
class Group:
    key: dict[str, Any]
    count: int = 0
    stats: dict[str, Stats] = field(default_factory=dict)


@dataclass(frozen=True)
class Groups:
    groups: list[Group]
    has_more: bool
    # Everything the rows add up to, when every row was read and no dimension repeats a row (a need counted
    # in each of its quarters): the totals of the same rows, without a statement of their own.
    totals: Group | None = None


@dataclass
class _Sum:
    """One measure of one group (in one currency, for money) as the statement's rows add up."""

    total: Decimal = Decimal(0)
    counted: int = 0
    least: Decimal | None = None
    most: Decimal | None = None

    def add(self, total: Any, counted: Any, least: Any, most: Any) -> None:
        """One row's figures; `least` and `most` are null where the statement did not read them."""
        if not counted:
            return
        self.total += _decimal(total)
        self.counted += int(counted)
        if least is not None:
            low = _decimal(least)
            self.least = low if self.least is None else min(self.least, low)
        if most is not None:
            high = _decimal(most)
            self.most = high if self.most is None else max(self.most, high)


@dataclass
class _Adding:
    """A group as the statement's rows add up."""

    values: tuple[Any, ...]
    count: int = 0
    sums: dict[tuple[str, str | None], _Sum] = field(default_factory=dict)


def dimensions_of(kind: Kind, names: Sequence[str], argument: str = "by") -> list[Dimension]:
    """The dimensions named, each once, in the order given (BAD_USER_INPUT for none, too many or unknown)."""
    distinct = list(dict.fromkeys(names))
    if not distinct:
        raise BadUserInput(f"`{argument}` names no dimension; give at least one.", argument=argument)
    if len(distinct) > MAX_DIMENSIONS:
        raise BadUserInput(f"`{argument}` names {len(distinct)} dimensions; group by at most {MAX_DIMENSIONS}.", argument=argument)
    unknown = [name for name in distinct if name not in kind.dimensions]
    if unknown:
        raise BadUserInput(f"{kind.name} cannot be grouped by {', '.join(unknown)}.", argument=argument)
    return [kind.dimensions[name] for name in distinct]


def group_limit(first: int | None, argument: str = "first") -> int:
    if first is None:
        return DEFAULT_GROUPS
    if first < 0 or first > MAX_GROUPS:
        raise BadUserInput(f"`{argument}` must be between 0 and {MAX_GROUPS}.", argument=argument)
    return first


def computed(kind: Kind) -> frozenset[str]:
    """The statistics a statement of `kind` reads: sums and averages always (it counts each measure anyway),
    least and greatest values when asked."""
    return frozenset(("sum", "avg")) | (kind.statistics & {"min", "max"})


def derivable(grouping: Kind, totals: Kind) -> bool:
    """Whether a grouping's rows (read every one, none twice) hold all the totals ask for."""
    measures = {m.key for m in grouping.measures}
    return all(m.key in measures for m in totals.measures) and totals.statistics <= computed(grouping)


def statement(kind: Kind, rows: Rows, dimensions: Sequence[Dimension], first: int = MAX_GROUPS) -> Select[Any]:
    """The grouping statement: key columns, the currency, the count, then sum, count, min, max per measure (NULL
    for a least or greatest value not asked), reading up to `first` groups and one more; or the kind's tally
    read in the same shape, where it answers the same groups."""
    tallied = None if kind.tally is None else kind.tally(rows, dimensions, first)
    if tallied is not None:
        return tallied
    currency = kind.currency if any(m.money for m in kind.measures) else None
    keys = [d.column for d in dimensions]
    split = keys if currency is None else [*keys, currency]
    asked = computed(kind)
    least, most = (func.min if "min" in asked else _nothing), (func.max if "max" in asked else _nothing)
    measured = [agg(m.column) for m in kind.measures for agg in (func.sum, func.count, least, most)]
    joins_account = rows.account_on is not None and (rows.account or any(d.account for d in dimensions))
    bare = rows.bare is not None and not joins_account and not any(d.through for d in dimensions)
    stmt = select(*split, func.count(), *measured).select_from(rows.bare if bare else rows.froms)
    if joins_account:
        stmt = stmt.join(Account, rows.account_on)
    for dimension in dimensions:
        if dimension.join is not None:
            stmt = dimension.join(stmt)
    stmt = stmt.where(*rows.where)
    if split:
        ordering = [d.column if d.order is None else d.order for d in dimensions]
        stmt = stmt.group_by(*split).order_by(*(o.asc().nulls_last() for o in ordering), *([currency] if currency is not None else []))
    if dimensions or currency is not None:
        stmt = stmt.limit(_read_limit(kind, first))
    return stmt


def _nothing(_column: Any) -> Any:
    return null()


def _read_limit(kind: Kind, first: int) -> int:
    """Rows read for `first` groups and one more: money splits a group into a row per currency."""
    money = kind.currency is not None and any(m.money for m in kind.measures)
    return (first + 1) * (CURRENCIES_PER_GROUP if money else 1)


async def aggregate(
    ctx: RequestContext, kind: Kind, rows: Rows, dimensions: Sequence[Dimension], first: int = MAX_GROUPS
) -> Groups:
    """The groups of `rows` by `dimensions` (one group of everything when there are none), at most `first`,
    read on the request's session (compiled reads run `statement` and `groups_of` themselves)."""
    stmt = statement(kind, rows, dimensions, first)
    return groups_of(await ctx.run(lambda session: session_rows(session, stmt)), kind, dimensions, first)


def groups_of(found: Sequence[Any], kind: Kind, dimensions: Sequence[Dimension], first: int = MAX_GROUPS) -> Groups:
    """The groups the rows of `statement(kind, ..., dimensions, first)` make."""
    money = kind.currency is not None and any(m.money for m in kind.measures)
    limit = _read_limit(kind, first)
    width = len(dimensions)
    adding = _fold(found, width, kind, money)
    has_more = len(adding) > first
    if money and len(found) >= limit:  # the last group read may be cut short
        adding.pop()
        has_more = True
    if not dimensions and not adding:
        adding.append(_Adding(()))
    statistics = kind.statistics
    groups = [
        _answer(a, kind, {d.key: d.decode(v) for d, v in zip(dimensions, a.values, strict=True)}, statistics)
        for a in adding[:first]
    ]
    totals = None
    if dimensions and not has_more and all(d.join is None for d in dimensions):
        totals = _answer((_fold(found, width, kind, money, keyed=False) or [_Adding(())])[0], kind, {}, computed(kind))
    return Groups(groups, has_more, totals)


def _fold(found: Sequence[Any], width: int, kind: Kind, money: bool, keyed: bool = True) -> list[_Adding]:
    """The statement's rows added up per group (adjacent rows of one key; all rows in one when not `keyed`)."""
    adding: list[_Adding] = []
    for row in found:
        values = tuple(row[:width]) if keyed else ()
        if not adding or values != adding[-1].values:
            adding.append(_Adding(values))
        group = adding[-1]
        currency = row[width] if money else None
        measured = row[width + (1 if money else 0):]
        group.count += int(measured[0])
        for index, measure in enumerate(kind.measures):
            key = (measure.key, currency if measure.money else None)
            found_sum = group.sums.get(key)
            if found_sum is None:
                found_sum = group.sums[key] = _Sum()
            found_sum.add(*measured[1 + 4 * index: 5 + 4 * index])
    return adding


def _answer(adding: _Adding, kind: Kind, key: dict[str, Any], statistics: frozenset[str]) -> Group:
    """A group's answers: the `statistics` asked of sums, averages, least and greatest values (the others
    left empty); money to the cent per currency."""
    group = Group(key, adding.count)
    for measure in kind.measures:
        sums = {c: s for (k, c), s in adding.sums.items() if k == measure.key and s.counted}
        stats = group.stats[measure.key] = Stats()
        if measure.money:
            ordered = sorted(sums.items())
            for name in statistics:
                setattr(stats, name, {c: _cents(_STATISTIC[name](s)) for c, s in ordered})
        elif None in sums:
            s = sums[None]
            for name in statistics:
                setattr(stats, name, float(_STATISTIC[name](s)))
    return group


_STATISTIC: dict[str, Callable[[_Sum], Any]] = {
    "sum": lambda s: s.total,
    "avg": lambda s: s.total / s.counted,
    "min": lambda s: s.least,
    "max": lambda s: s.most,
}


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _cents(value: Any) -> Decimal:
    return _decimal(value).quantize(CENT)
