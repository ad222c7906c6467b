"""Keyset (cursor) pagination for top-level lists and for batched child lists.

A cursor is the sort value and the id of a row, so page 1,000 costs what page 1
costs. Child lists of many parents are paged in one statement with
ROW_NUMBER() OVER (PARTITION BY parent), which keeps nested queries free of N+1.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, aliased

from resolvers.context import RequestContext
from resolvers.errors import BadUserInput

T = TypeVar("T")


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
    return SortKey(name, column, lambda v: _typed(v, str))


def int_key(name: str, column: InstrumentedAttribute[Any]) -> SortKey:
    return SortKey(name, column, lambda v: _typed(v, int))


def decimal_key(name: str, column: InstrumentedAttribute[Any]) -> SortKey:
    return SortKey(name, column, lambda v: Decimal(_typed(v, str)))


def datetime_key(name: str, column: InstrumentedAttribute[Any]) -> SortKey:
    return SortKey(name, column, lambda v: datetime.fromisoformat(_typed(v, str)))


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
    key: SortKey
    descending: bool = False


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Validated `first/after/last/before`; hashable so it can key a DataLoader."""

    limit: int
    backwards: bool
    after: tuple[Any, int] | None
    before: tuple[Any, int] | None


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
        after=decode_cursor(after, order.key, "after"),
        before=decode_cursor(before, order.key, "before"),
    )


def encode_cursor(key: SortKey, value: Any, row_id: int) -> str:
    raw = json.dumps([key.name, key.encode(value), row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, key: SortKey, argument: str) -> tuple[Any, int] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, value, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if name != key.name:
            raise ValueError("cursor belongs to another ordering")
        return key.decode(value), _typed(row_id, int)
    except (ValueError, TypeError, KeyError, InvalidOperation, binascii.Error, UnicodeError):
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
        return encode_cursor(self.order.key, getattr(row, self.order.key.column.key), row.id)


def _keyset_conditions(
    order: Order, id_column: Any, page: PageRequest, columns: tuple[Any, Any] | None = None
) -> list[ColumnElement[bool]]:
    sort_col, id_col = columns or (order.key.column, id_column)
    conditions = []
    for bound, later in ((page.after, True), (page.before, False)):
        if bound is None:
            continue
        row = tuple_(sort_col, id_col)
        ahead = later != order.descending
        conditions.append(row > tuple_(*bound) if ahead else row < tuple_(*bound))
    return conditions


def _ordering(order: Order, id_column: Any, reverse: bool) -> list[Any]:
    descending = order.descending != reverse
    cols = (order.key.column, id_column)
    return [c.desc() if descending else c.asc() for c in cols]


def _finish(rows: list[Any], page: PageRequest, order: Order, count: Callable[[], Any]) -> Page[Any]:
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    if page.backwards:
        rows.reverse()
        return Page(rows, order, page.before is not None, more, count)
    return Page(rows, order, more, page.after is not None, count)


async def paginate(
    ctx: RequestContext, stmt: Select[Any], id_column: Any, order: Order, page: PageRequest
) -> Page[Any]:
    """Run one page of a top-level list; `totalCount` is a separate, lazy COUNT."""
    paged = (
        stmt.where(*_keyset_conditions(order, id_column, page))
        .order_by(*_ordering(order, id_column, page.backwards))
        .limit(page.limit + 1)
    )
    rows = list((await ctx.run(lambda s: s.scalars(paged))).all()) if page.limit else []

    async def count() -> int:
        counted = select(func.count()).select_from(stmt.order_by(None).subquery())
        return int(await ctx.run(lambda s: s.scalar(counted)) or 0)

    return _finish(rows, page, order, count)


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
    rank = (
        func.row_number()
        .over(partition_by=parent_column, order_by=_ordering(order, model.id, page.backwards))
        .label("rank")
    )
    inner = (
        select(model, rank)
        .where(parent_column.in_(parent_ids), *where, *_keyset_conditions(order, model.id, page))
        .subquery()
    )
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


def child_page(rows: list[Any], page: PageRequest, order: Order, count: Callable[[], Any]) -> Page[Any]:
    """Turn one parent's rows from `paginate_children` into a page."""
    return _finish(list(rows), page, order, count)
