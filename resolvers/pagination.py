"""Keyset (cursor) pagination for top-level lists and for batched child lists.

A cursor is the sort value and the id of a row, so page 1,000 costs what page 1
costs. Child lists of many parents are paged in one statement with
ROW_NUMBER() OVER (PARTITION BY parent), which keeps nested queries free of N+1.

A list filtered by several values of the leading columns of an index (`grade IN
(A, B) AND quadrant IN (X, Y)`, ordered by name) cannot be read in order from
that index: the ranges of the pairs interleave. Marked with `branched`, its page
is the merge of one page per pair, each read in order from its own range, so a
page costs a few index probes however many rows the filter selects.
"""

from __future__ import annotations

import base64
import binascii
import enum
import itertools
import json
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, aliased

from domain.base import MAX_ID, decimal_from_text, text_problem
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput

T = TypeVar("T")

MAX_STORED_AMOUNT = Decimal(10) ** 16  # NUMERIC(18, 2)
MAX_CURSOR_LENGTH = 8192  # above what the longest sort value (200 escaped characters) and an id encode to


@dataclass(frozen=True, slots=True)
class SortKey:
    """A column a list can be ordered by, and how its values travel inside a cursor."""

    name: str
    column: InstrumentedAttribute[Any]
    decode: Callable[[Any], Any]

    def encode(self, value: Any) -> Any:
        if isinstance(value, enum.Enum):
            return value.name
        if isinstance(value, (datetime, date)):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        return value


def text_key(name: str, column: InstrumentedAttribute[Any]) -> SortKey:
    return SortKey(name, column, _stored_text)


def int_key(name: str, column: InstrumentedAttribute[Any]) -> SortKey:
    return SortKey(name, column, _stored_int)


def decimal_key(name: str, column: InstrumentedAttribute[Any]) -> SortKey:
    return SortKey(name, column, _stored_decimal)


def datetime_key(name: str, column: InstrumentedAttribute[Any]) -> SortKey:
    return SortKey(name, column, lambda v: _utc(datetime.fromisoformat(_typed(v, str))))


def _stored_text(value: Any) -> str:
    """Text a cursor may hold: what a store keeps (no NUL, no lone surrogate)."""
    if text_problem(_typed(value, str)) is not None:
        raise ValueError("cursor text a store does not keep")
    return value  # type: ignore[no-any-return]


def _stored_decimal(value: Any) -> Decimal:
    """An amount a cursor may hold: one the stores' NUMERIC(18, 2) columns can compare with."""
    amount = decimal_from_text(_typed(value, str))
    if abs(amount) >= MAX_STORED_AMOUNT:
        raise ValueError("cursor amount out of range")
    return amount


def _stored_int(value: Any) -> int:
    """An integer a cursor may hold: one the stores' INTEGER columns can compare with."""
    if not -MAX_ID - 1 <= _typed(value, int) <= MAX_ID:
        raise ValueError("cursor value out of range")
    return value  # type: ignore[no-any-return]


def _utc(value: datetime) -> datetime:
    """The cursor's time in UTC, as kam writes it; a naive or out-of-range one was not written by kam."""
    if value.tzinfo is None:
        raise ValueError("cursor time without an offset")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("cursor time out of range") from None


def date_key(name: str, column: InstrumentedAttribute[Any]) -> SortKey:
    return SortKey(name, column, lambda v: date.fromisoformat(_typed(v, str)))


def enum_key(name: str, column: InstrumentedAttribute[Any], enum_cls: type[enum.Enum]) -> SortKey:
    return SortKey(name, column, lambda v: enum_cls[_typed(v, str)])


def _typed(value: Any, kind: type) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError("unexpected cursor value")  # noqa: TRY004 - caught with the other decoding errors
    return value


@dataclass(frozen=True, slots=True)
class Order:
    """A list's order: its key and direction, then any further keys (`sort` of several), then the id, which
    breaks ties in the first key's direction."""

    key: SortKey
    descending: bool = False
    then: tuple[tuple[SortKey, bool], ...] = ()

    def keys(self) -> tuple[tuple[SortKey, bool], ...]:
        return ((self.key, self.descending), *self.then)

    def columns(self, id_column: Any) -> list[tuple[Any, bool]]:
        """Each column the order reads, with whether it is read descending: the keys' then the id."""
        return [(key.column, descending) for key, descending in self.keys()] + [(id_column, self.descending)]


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Validated `first/after/last/before`; hashable so it can key a DataLoader."""

    limit: int
    backwards: bool
    after: tuple[Any, ...] | None  # the cursor's value of each key of the order, then its id
    before: tuple[Any, ...] | None


FIRST_ONLY = PageRequest(limit=1, backwards=False, after=None, before=None)  # a list's first row


def page_request(
    ctx: RequestContext,
    order: Order,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> PageRequest:
    config = ctx.config
    if first is not None and last is not None:
        raise BadUserInput("Pass either `first` or `last`, not both.", argument="first")
    for arg, value in (("first", first), ("last", last)):
        if value is not None and value < 0:
            raise BadUserInput(f"`{arg}` must not be negative; got {value}.", argument=arg)
        if value is not None and value > config.max_page_size:
            raise BadUserInput(
                f"`{arg}` is {value}, above the maximum page size of {config.max_page_size}.",
                argument=arg,
            )
    backwards = last is not None or (first is None and before is not None and after is None)
    limit = (last if backwards else first) or 0
    if first is None and last is None:
        limit = config.default_page_size
    return PageRequest(
        limit=limit,
        backwards=backwards,
        after=decode_cursor(after, order.key, "after", *(key for key, _ in order.then)),
        before=decode_cursor(before, order.key, "before", *(key for key, _ in order.then)),
    )


def encode_cursor(key: SortKey, value: Any, row_id: int, *more: tuple[SortKey, Any]) -> str:
    """The cursor of a row: each key's name and the row's value of it (`more`: the further keys'), then its id."""
    named = [part for k, v in ((key, value), *more) for part in (k.name, k.encode(v))]
    raw = json.dumps([*named, row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, key: SortKey, argument: str, *more: SortKey) -> tuple[Any, ...] | None:
    """The values and id a cursor of an order of `key` (and `more` keys) holds; BAD_USER_INPUT for any other."""
    if cursor is None:
        return None
    try:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise ValueError("longer than any cursor kam writes")
        padded = cursor + "=" * (-len(cursor) % 4)
        *named, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        keys = (key, *more)
        if len(named) != 2 * len(keys) or any(k.name != name for k, name in zip(keys, named[::2], strict=True)):
            raise ValueError("cursor belongs to another ordering")
        return (*(k.decode(value) for k, value in zip(keys, named[1::2], strict=True)), _stored_int(row_id))
    except (ValueError, TypeError, KeyError, InvalidOperation, binascii.Error, UnicodeError, RecursionError):
        raise BadUserInput(
            f"`{argument}` is not a valid cursor for this list and ordering.", argument=argument
        ) from None


@dataclass
class Page(Generic[T]):
    """One page of rows plus what a connection needs to describe it."""

    rows: list[T]
    order: Order
    has_next_page: bool
    has_previous_page: bool
    count: Callable[[], Any]

    def cursor(self, row: Any) -> str:
        key, *more = (getattr(row, k.column.key) for k, _ in self.order.keys())
        return encode_cursor(self.order.key, key, row.id, *zip((k for k, _ in self.order.then), more, strict=True))


def _keyset_conditions(
    order: Order, id_column: Any, page: PageRequest, columns: Sequence[Any] | None = None, *, named: bool = False
) -> list[ColumnElement[bool]]:
    """The rows after `page.after` and before `page.before`. `named`: the cursors' values are parameters named
    as `cursor_values` names them, given when the statement runs, so one statement serves every cursor."""
    read = _read(order, id_column, columns)
    conditions: list[ColumnElement[bool]] = []
    for side, bound, later in (("after", page.after, True), ("before", page.before, False)):
        if bound is None:
            continue
        # Typed by their columns, so a cursor's enum or date binds as the column stores it.
        if named:
            names = [*_value_names(side, len(read) - 1), f"{side}_id"]
            values = [bindparam(name, type_=column.type) for name, (column, _) in zip(names, read, strict=True)]
        else:
            values = [literal(value, column.type) for (column, _), value in zip(read, bound, strict=True)]
        conditions.append(_beyond(read, values, later))
    return conditions


def _read(order: Order, id_column: Any, columns: Sequence[Any] | None) -> list[tuple[Any, bool]]:
    """The columns a keyset page compares and orders by: the order's, or `columns` holding its keys then the id."""
    read = order.columns(id_column)
    if columns is None:
        return read
    return [(column, descending) for column, (_, descending) in zip(columns, read, strict=True)]


def _value_names(side: str, keys: int) -> list[str]:
    """The parameters of a cursor's values in `named` keyset conditions: `after_value`, `after_value_1`, ..."""
    return [f"{side}_value" if n == 0 else f"{side}_value_{n}" for n in range(keys)]


def _beyond(read: list[tuple[Any, bool]], values: list[Any], later: bool) -> ColumnElement[bool]:
    """The rows past `values` (after them when `later`) in the order `read`: one row comparison when every column
    is read one way, an index can then range over it; else the first column that differs decides."""
    if all(descending == read[0][1] for _, descending in read):
        row, value = tuple_(*(column for column, _ in read)), tuple_(*values)
        return row > value if later != read[0][1] else row < value
    decided = []
    for n, (column, descending) in enumerate(read):
        equal = [c == v for (c, _), v in zip(read[:n], values[:n], strict=True)]
        decided.append(and_(*equal, column > values[n] if later != descending else column < values[n]))
    return or_(*decided)


def cursor_values(page: PageRequest) -> dict[str, Any]:
    """The values of the parameters a page's `named` keyset conditions take."""
    values = {}
    for side, bound in (("after", page.after), ("before", page.before)):
        if bound is not None:
            *keys, values[f"{side}_id"] = bound
            values.update(zip(_value_names(side, len(keys)), keys, strict=True))
    return values


def keyset_ordering(order: Order, id_column: Any, reverse: bool, columns: Sequence[Any] | None = None) -> list[Any]:
    """The ORDER BY of a keyset page: the order's keys then the id (or `columns` holding them), read backwards
    when `reverse`."""
    return [c.desc() if descending != reverse else c.asc() for c, descending in _read(order, id_column, columns)]


def _finish(rows: list[Any], page: PageRequest, order: Order, count: Callable[[], Any]) -> Page[Any]:
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    if page.backwards:
        rows.reverse()
        return Page(rows, order, page.before is not None, more, count)
    return Page(rows, order, more, page.after is not None, count)


BRANCHES = "kam_keyset_branches"  # the execution option `branched` sets


@dataclass(frozen=True, slots=True, eq=False)
class Branches:
    """How a list splits into ranges that an index reads in order.

    `choices` holds, per leading column of the index, conditions of which every row of the list meets
    exactly one (`grade = 'A'`, `grade = 'B'`); a branch takes one condition per column. `orders` are the
    sort columns the index holds right after those columns: only a list in one of these orders is split.
    """

    choices: tuple[tuple[ColumnElement[bool], ...], ...]
    orders: tuple[Any, ...]

    def serve(self, order: Order) -> list[tuple[ColumnElement[bool], ...]]:
        """The branches of a list in `order`; none when the index does not hold that order (or a further key)."""
        if order.then or not any(order.key.column is column for column in self.orders):
            return []
        return list(itertools.product(*self.choices))


def branched(stmt: Select[Any], branches: Branches) -> Select[Any]:
    """`stmt`, each of whose rows meets one of `branches`, marked so that its pages are read branch by branch.

    The mark only changes how `page_select` reads a page; counts and aggregates over `stmt` are unchanged.
    """
    return stmt.execution_options(**{BRANCHES: branches})


def _branches(stmt: Select[Any], order: Order) -> list[tuple[ColumnElement[bool], ...]]:
    marked: Branches | None = stmt.get_execution_options().get(BRANCHES)
    return [] if marked is None else marked.serve(order)


def _limit(page: PageRequest) -> Any:
    """The page's size plus one, written into the statement: PostgreSQL costs a prepared statement's generic
    plan for a LIMIT parameter as if it returned a tenth of the rows, and so plans a page anew every time."""
    return literal(page.limit + 1, Integer, literal_execute=True)


def _page_keys(
    stmt: Select[Any], id_column: Any, order: Order, page: PageRequest, named: bool = False
) -> Select[Any]:
    """Sort value and id of the rows of one page of `stmt` plus one row, merged from its branches if it has them."""
    sort_column = order.key.column
    keyed = stmt.with_only_columns(*(key.column for key, _ in order.keys()), id_column).where(
        *_keyset_conditions(order, id_column, page, named=named)
    )
    ordering = keyset_ordering(order, id_column, page.backwards)
    limit = _limit(page)
    branches = _branches(stmt, order)
    if len(branches) <= 1:
        return keyed.where(*(branches[0] if branches else ())).order_by(*ordering).limit(limit)
    merged = union_all(
        *(select(keyed.where(*branch).order_by(*ordering).limit(limit).subquery()) for branch in branches)
    ).subquery()
    columns = (merged.c[sort_column.key], merged.c[id_column.key])
    return select(*columns).order_by(*keyset_ordering(order, id_column, page.backwards, columns)).limit(limit)


async def paginate(
    ctx: RequestContext, stmt: Select[Any], id_column: Any, order: Order, page: PageRequest
) -> Page[Any]:
    """Run one page of a top-level list; `totalCount` is a separate, lazy COUNT."""
    paged = page_select(stmt, id_column, order, page)
    rows = list((await ctx.run(lambda s: s.scalars(paged))).all()) if page.limit else []

    async def count() -> int:
        counted = count_select(stmt)
        return int(await ctx.run(lambda s: s.scalar(counted)) or 0)

    return _finish(rows, page, order, count)


def page_select(
    stmt: Select[Any], id_column: Any, order: Order, page: PageRequest, *, named: bool = False
) -> Select[Any]:
    """`stmt` narrowed to one keyset page plus one row (which tells whether there is a next page); `named`:
    the cursors' values are parameters (`cursor_values`).

    A `branched` statement keeps its columns and is narrowed to the ids its branches' pages merge to.
    """
    branches = _branches(stmt, order)
    if len(branches) > 1:
        keys = _page_keys(stmt, id_column, order, page, named).subquery()
        stmt = stmt.where(id_column.in_(select(keys.c[id_column.key])))
    else:
        stmt = stmt.where(
            *(branches[0] if branches else ()), *_keyset_conditions(order, id_column, page, named=named)
        )
    return stmt.order_by(*keyset_ordering(order, id_column, page.backwards)).limit(_limit(page))


async def paginate_each(
    ctx: RequestContext,
    stmts: Mapping[Hashable, Select[Any]],
    key_of: Callable[[Any], Hashable],
    id_column: Any,
    order: Order,
    page: PageRequest,
) -> dict[Hashable, Page[Any]]:
    """One page of each of several lists of the same model, in one statement; `key_of(row)` tells which
    list a row belongs to (the lists share no row). Each list's `totalCount` is its own lazy COUNT."""
    found: dict[Hashable, list[Any]] = {key: [] for key in stmts}
    if page.limit and stmts:
        paged = each_page_select(stmts.values(), id_column, order, page, [id_column.class_])
        for row in (await ctx.run(lambda s: s.scalars(paged))).all():
            found[key_of(row)].append(row)

    def counter(stmt: Select[Any]) -> Callable[[], Any]:
        async def count() -> int:
            counted = count_select(stmt)
            return int(await ctx.run(lambda s: s.scalar(counted)) or 0)

        return count

    return {key: _finish(found[key], page, order, counter(stmt)) for key, stmt in stmts.items()}


def each_page_select(
    stmts: Iterable[Select[Any]], id_column: Any, order: Order, page: PageRequest, columns: Sequence[Any]
) -> Select[Any]:
    """`columns` of the rows of one page (plus one row) of each of several lists of the same model that share
    no row, in one statement, in the page's order."""
    keys = union_all(*(select(_page_keys(stmt, id_column, order, page).subquery()) for stmt in stmts)).subquery()
    return (
        select(*columns)
        .where(id_column.in_(select(keys.c[id_column.key])))
        .order_by(*keyset_ordering(order, id_column, page.backwards))
    )


def count_select(stmt: Select[Any]) -> Select[tuple[int]]:
    """How many rows `stmt` selects, whatever its page."""
    return select(func.count()).select_from(stmt.order_by(None).subquery())


async def paginate_children(
    ctx: RequestContext,
    model: type[Any],
    parent_column: InstrumentedAttribute[Any],
    parent_ids: Sequence[int],
    where: Sequence[ColumnElement[bool]],
    order: Order,
    page: PageRequest,
) -> dict[int, list[Any]]:
    """One page (plus one row to tell if there is more) of children per parent, in one statement."""
    if not page.limit:
        return {pid: [] for pid in parent_ids}
    inner = child_pages_select(parent_column, parent_ids, where, order, page, [model]).subquery()
    alias = aliased(model, inner)
    stmt = (
        select(alias)
        .where(inner.c.rank <= page.limit + 1)
        .order_by(getattr(inner.c, parent_column.key), inner.c.rank)
    )
    rows = (await ctx.run(lambda s: s.scalars(stmt))).all()
    grouped: dict[int, list[Any]] = {pid: [] for pid in parent_ids}
    for row in rows:
        grouped[getattr(row, parent_column.key)].append(row)
    return grouped


def child_pages_select(
    parent_column: InstrumentedAttribute[Any],
    parent_ids: Sequence[int],
    where: Sequence[ColumnElement[bool]],
    order: Order,
    page: PageRequest,
    columns: Sequence[Any],
    among: ColumnElement[bool] | None = None,
    *,
    through: tuple[Any, Any] | None = None,
) -> Select[Any]:
    """`columns` of every parent's children, ranked within each parent by the page's order (column `rank`):
    the rows with `rank <= page.limit + 1` are each parent's page plus one. `among` may say "the parent is
    one of `parent_ids`" better than an IN list does. `through` is (children model, join condition) when the
    parent column is on a link table (a stakeholder's interactions): the children are joined to it."""
    model = parent_column.class_ if through is None else through[0]
    rank = (
        func.row_number()
        .over(partition_by=parent_column, order_by=keyset_ordering(order, model.id, page.backwards))
        .label("rank")
    )
    stmt = select(*columns, rank)
    if through is not None:
        stmt = stmt.select_from(parent_column.class_).join(*through)
    return stmt.where(
        parent_column.in_(parent_ids) if among is None else among, *where, *_keyset_conditions(order, model.id, page)
    )


def child_page(rows: list[Any], page: PageRequest, order: Order, count: Callable[[], Any]) -> Page[Any]:
    """Turn one parent's rows from `paginate_children` into a page."""
    return _finish(list(rows), page, order, count)
