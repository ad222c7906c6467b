"""Per-request DataLoaders: one batched SELECT per kind of key, whatever the number of rows.

Loaders are memoised on the request context under a key naming what they load
(model or column, plus the filter they apply), so every field asking for the
same thing in one request shares one batch.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ARRAY, ColumnElement, Integer, any_, bindparam, func, select
from sqlalchemy.orm import InstrumentedAttribute
from strawberry.dataloader import DataLoader

from resolvers.context import RequestContext
from resolvers.pagination import Order, Page, PageRequest, child_page, paginate_children

M = TypeVar("M")


def by_id(ctx: RequestContext, model: type[M]) -> DataLoader[int, M | None]:
    """Rows by primary key; a missing id loads as None."""

    async def load(ids: list[int]) -> list[M | None]:
        stmt = select(model).where(model.id.in_(ids))  # type: ignore[attr-defined]
        rows = {r.id: r for r in (await ctx.run(lambda s: s.scalars(stmt))).all()}  # type: ignore[attr-defined]
        return [rows.get(i) for i in ids]

    return ctx.loader(("by_id", model), lambda: DataLoader(load_fn=load))


def children(
    ctx: RequestContext,
    parent_column: InstrumentedAttribute[Any],
    *,
    order_by: Sequence[Any] = (),
    where: Sequence[ColumnElement[bool]] = (),
    where_key: Hashable = (),
) -> DataLoader[int, list[Any]]:
    """All rows whose `parent_column` is the key, for small bounded lists (team, objectives)."""
    model = parent_column.class_

    async def load(parent_ids: list[int]) -> list[list[Any]]:
        stmt = select(model).where(parent_column.in_(parent_ids), *where).order_by(*order_by)
        grouped: dict[int, list[Any]] = defaultdict(list)
        for row in (await ctx.run(lambda s: s.scalars(stmt))).all():
            grouped[getattr(row, parent_column.key)].append(row)
        return [grouped.get(pid, []) for pid in parent_ids]

    return ctx.loader(("children", parent_column, where_key), lambda: DataLoader(load_fn=load))


def child_pages(
    ctx: RequestContext,
    parent_column: InstrumentedAttribute[Any],
    order: Order,
    page: PageRequest,
    *,
    where: Sequence[ColumnElement[bool]] = (),
    where_key: Hashable = (),
) -> DataLoader[int, list[Any]]:
    """One keyset page of children per parent, all parents in one windowed SELECT."""
    model = parent_column.class_

    async def load(parent_ids: list[int]) -> list[list[Any]]:
        pages = await paginate_children(ctx, model, parent_column, parent_ids, where, order, page)
        return [pages[pid] for pid in parent_ids]

    key = ("child_pages", parent_column, where_key, order, page)
    return ctx.loader(key, lambda: DataLoader(load_fn=load))


def child_counts(
    ctx: RequestContext,
    parent_column: InstrumentedAttribute[Any],
    *,
    where: Sequence[ColumnElement[bool]] = (),
    where_key: Hashable = (),
) -> DataLoader[int, int]:
    """How many children each parent has under a filter: one GROUP BY for all parents."""

    async def load(parent_ids: list[int]) -> list[int]:
        stmt = (
            select(parent_column, func.count())
            .where(parent_column.in_(parent_ids), *where)
            .group_by(parent_column)
        )
        counts = dict((await ctx.run(lambda s: s.execute(stmt))).all())
        return [int(counts.get(pid, 0)) for pid in parent_ids]

    return ctx.loader(("child_counts", parent_column, where_key), lambda: DataLoader(load_fn=load))


async def child_connection(
    ctx: RequestContext,
    parent_column: InstrumentedAttribute[Any],
    parent_id: int,
    order: Order,
    page: PageRequest,
    *,
    where: Sequence[ColumnElement[bool]] = (),
    where_key: Hashable = (),
) -> Page[Any]:
    """A parent's page of children, batched with every sibling parent's; count only if asked."""
    rows = await child_pages(ctx, parent_column, order, page, where=where, where_key=where_key).load(parent_id)
    counts = child_counts(ctx, parent_column, where=where, where_key=where_key)
    return child_page(rows, page, order, lambda: counts.load(parent_id))


def column_values(
    ctx: RequestContext, parent_column: InstrumentedAttribute[Any], value_column: InstrumentedAttribute[Any]
) -> DataLoader[int, list[Any]]:
    """Each parent's values of one column of a list table (a stakeholder's buying roles), in no set order.

    One SELECT of the two columns for every parent of the request, reading plain values, not ORM
    objects; the keys travel as one parameter, so no number of them splits the batch.
    """

    async def load(parent_ids: list[int]) -> list[list[Any]]:
        dialect = ctx.dialect
        stmt = select(parent_column, value_column).where(among(parent_column, parent_ids, dialect))
        grouped: dict[int, list[Any]] = defaultdict(list)
        for parent_id, value in (await ctx.run(lambda s: s.execute(stmt))).all():
            grouped[parent_id].append(value)
        return [grouped.get(pid, []) for pid in parent_ids]

    return ctx.loader(("column_values", parent_column, value_column), lambda: DataLoader(load_fn=load))


def among(column: InstrumentedAttribute[Any], ids: Sequence[int], dialect: str) -> ColumnElement[bool]:
    """`column IN ids` with the ids as one bound array (PostgreSQL) or JSON list (SQLite).

    An IN list takes a parameter per id: drivers refuse more than 32,767 of them, and PostgreSQL
    prepares a new statement for every length, where this one statement serves any number.
    """
    if dialect == "postgresql":
        return column == any_(bindparam("ids", list(ids), type_=ARRAY(Integer), unique=True))
    if dialect == "sqlite":
        listed = func.json_each(bindparam("ids", json.dumps(list(ids)), unique=True)).table_valued("value")
        return column.in_(select(listed.c.value))
    return column.in_(ids)
