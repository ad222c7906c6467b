"""Per-request DataLoaders: one batched SELECT per kind of key, whatever the number of rows.

Loaders are memoised on the request context under a key naming what they load
(model or column, plus the filter they apply), so every field asking for the
same thing in one request shares one batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select
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
