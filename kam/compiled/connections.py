"""Connections in a plan: keyset pages as the resolvers page them, their rows as tuples.

A child connection pages the children of every parent row in one windowed
statement (`child_pages_select`), a top-level list runs its statement
(`page_select`); `totalCount` costs one more statement, and only when asked.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal_column, select

from kam.compiled.objects import (
    Arguments,
    Children,
    FieldPlan,
    ObjectPlan,
    Selection,
    ToOne,
    ValueField,
    WithArguments,
    answer_of,
)
from kam.compiled.run import Among, Binder, Getter, Layout, Row, Run, column_key, selected, unique
from resolvers.pagination import (
    FIRST_ONLY,
    Order,
    Page,
    PageRequest,
    child_page,
    child_pages_select,
    count_select,
    cursor_values,
    decode_cursor,
    encode_cursor,
    keyset_ordering,
    page_select,
)

JOINED_AT_MOST = 4  # objects a page's statement reads with its rows; further ones take a statement each
PAGE_ROWS = "page_rows"


@dataclass(frozen=True, eq=False)
class Joined:
    """An object a page's statement reads with its rows (`joined_page`): the columns of its row, selected from
    an alias of its table (made once: SQL expressions are immutable), and that alias's id."""

    one: ToOne
    id: Any
    columns: list[Any]

    @classmethod
    def of(cls, one: ToOne, j: int) -> Joined:
        table = one.target.model.__table__.alias()
        columns = [table.c[c.property.columns[0].key] for c in one.target.layout.columns]
        return cls(one, columns[0], [selected(c).label(f"j{j}c{i}") for i, c in enumerate(columns)])


@dataclass(frozen=True, eq=False)
class ListRequest:
    """A connection's arguments in one request, as the resolvers turn them into SQL.

    Requests with the same arguments (and caller's access) share one (see the planner's binder), and
    with it the statements built for it (`Run.kept_rows`). A top-level list's requests that differ only
    in their cursors' values share one too: each is `with_cursors` of it, whose `shares` is the one whose
    statements it runs, with its own cursors' values as their parameters."""

    order: Order
    page: PageRequest
    where: Sequence[ColumnElement[bool]] = ()
    statement: Select[Any] | None = None  # a top-level list: its rows, conditions and access included
    counted: Select[Any] | None = None  # a top-level list whose count reads another statement than its pages
    shares: ListRequest | None = None

    def with_cursors(self, cursors: dict[str, str | None]) -> ListRequest:
        """This request with other values for some of its cursors (argument name -> cursor), each given where
        this request has one and checked as `page_request` checks them."""
        page, key, more = self.page, self.order.key, [k for k, _ in self.order.then]
        after, before = page.after, page.before
        if after is None and before is None:
            return self  # a first page: nothing to take from the request
        if "after" in cursors and after is not None:
            after = decode_cursor(cursors["after"], key, "after", *more)
        if "before" in cursors and before is not None:
            before = decode_cursor(cursors["before"], key, "before", *more)
        return replace(self, page=replace(page, after=after, before=before), shares=self.kept)

    @property
    def kept(self) -> ListRequest:
        """The request whose statements this one runs."""
        return self.shares or self


@dataclass(frozen=True, slots=True)
class PageView:
    """One page of a connection as its fields read it: the rows of all pages built at once, this page's
    slice of them, and the objects each node plan made of those rows."""

    page: Page[Row]
    rows: list[Row]
    start: int
    end: int
    objects: dict[int, list[Any]]  # id(plan) -> objects of `rows`
    cursor: Callable[[Row], str]
    count: int | None


class EdgeField(ABC):
    """One field of an edge: its value for the `j`-th row of the page's rows."""

    @abstractmethod
    def value(self, view: PageView, j: int) -> Any: ...


@dataclass(eq=False, frozen=True)
class EdgeNode(EdgeField):
    plan: ObjectPlan

    def value(self, view: PageView, j: int) -> Any:
        return view.objects[id(self.plan)][j]


class EdgeCursor(EdgeField):
    def value(self, view: PageView, j: int) -> str:
        return view.cursor(view.rows[j])


@dataclass(eq=False, frozen=True)
class EdgeTypename(EdgeField):
    name: str

    def value(self, view: PageView, j: int) -> str:
        return self.name


@dataclass(eq=False, frozen=True)
class Nodes(ValueField):
    plan: ObjectPlan

    def value(self, view: PageView) -> list[Any]:
        return view.objects[id(self.plan)][view.start:view.end]


@dataclass(eq=False, frozen=True)
class Edges(ValueField):
    fields: list[tuple[str, EdgeField]]

    def value(self, view: PageView) -> list[dict[str, Any]]:
        fields = self.fields
        return [{key: field.value(view, j) for key, field in fields} for j in range(view.start, view.end)]


class TotalCount(ValueField):
    def value(self, view: PageView) -> int | None:
        return view.count


@dataclass(eq=False, frozen=True)
class PageInfo(ValueField):
    fields: Selection

    def value(self, view: PageView) -> dict[str, Any]:
        return answer_of(self.fields, view)


class HasNextPage(ValueField):
    def value(self, view: PageView) -> bool:
        return view.page.has_next_page


class HasPreviousPage(ValueField):
    def value(self, view: PageView) -> bool:
        return view.page.has_previous_page


@dataclass(eq=False, frozen=True)
class PageCursor(ValueField):
    """`startCursor` (`last` false) or `endCursor`; made only when asked: a cursor is JSON and base64 to make."""

    last: bool

    def value(self, view: PageView) -> str | None:
        rows = view.page.rows
        return view.cursor(rows[-1 if self.last else 0]) if rows else None


@dataclass(eq=False)
class ConnectionShape:
    """What is asked of a connection, in answer order (its fields: Nodes, Edges, PageInfo, TotalCount, Typename)."""

    fields: Selection
    layouts: dict[tuple[Any, ...], Layout] = field(default_factory=dict, init=False, repr=False)

    def layout(self, first: Any, order: Order, *last: Any) -> Layout:
        """The rows of a page in `order`: `first`, the columns the shape needs, the order's keys' and `last`
        (made once per order's columns)."""
        keys = [k.column for k, _ in order.keys()]
        key = (column_key(first), *map(column_key, keys), None, *map(column_key, last))
        found = self.layouts.get(key)
        if found is None:
            found = self.layouts[key] = Layout([first, *self.needs(), *keys, *last])
        return found

    def plans(self) -> list[ObjectPlan]:
        found = []
        for _, part in self.fields:
            if isinstance(part, Nodes):
                found.append(part.plan)
            elif isinstance(part, Edges):
                found += [edge.plan for _, edge in part.fields if isinstance(edge, EdgeNode)]
        return found

    def needs(self) -> list[Any]:
        return [column for plan in self.plans() for column in plan.needs()]

    def walk(self) -> Iterator[FieldPlan | Arguments]:
        for plan in self.plans():
            yield from plan.walk()

    def wants_count(self) -> bool:
        return any(isinstance(part, TotalCount) for _, part in self.fields)

    @cached_property
    def joined(self) -> list[Joined]:
        """The objects foreign keys of the nodes point at that a page's statement reads with its rows (an
        account's owner): one statement less per object than reading them by id afterwards."""
        found = [
            field for plan in self.plans() for _, field in plan.fields if isinstance(field, ToOne) and field.joinable()
        ]
        return [Joined.of(one, j) for j, one in enumerate(found[:JOINED_AT_MOST])]

    async def build(
        self, run: Run, pages: list[Page[Row]], layout: Layout, order: Order, counts: list[int | None]
    ) -> list[dict[str, Any]]:
        rows = [row for page in pages for row in page.rows]
        objects = {id(plan): await plan.resolve(run, rows, layout) for plan in self.plans()}
        at = layout.at(order.key.column)
        further = [(k, layout.at(k.column)) for k, _ in order.then]

        def cursor(row: Row) -> str:
            return encode_cursor(order.key, row[at], row[0], *((k, row[n]) for k, n in further))

        built, start = [], 0
        for page, count in zip(pages, counts, strict=True):
            end = start + len(page.rows)
            built.append(answer_of(self.fields, PageView(page, rows, start, end, objects, cursor, count)))
            start = end
        return built


@dataclass(eq=False)
class ChildConnection(WithArguments):
    """A page of the children whose `parent` column is the row's id, for every row in one statement."""

    parent: Any
    binder: Binder
    shape: ConnectionShape

    def nested(self) -> Iterator[FieldPlan]:
        return self.shape.walk()

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        request: ListRequest = self.arguments(run)
        order, page = request.order, request.page
        ids = unique(row[0] for row in rows)
        child = self.shape.layout(self.parent.class_.id, order, self.parent)
        p = child.at(self.parent)
        found: list[Row] = []
        if ids and page.limit:

            def pages(among: Among) -> Any:
                inner = child_pages_select(
                    self.parent, ids, request.where, order, page, child.labelled, among=among(self.parent)
                ).subquery()
                return (
                    select(*(inner.c[f"c{i}"] for i in range(len(child.columns))))
                    .where(inner.c.rank <= page.limit + 1)
                    .order_by(inner.c[f"c{p}"], inner.c.rank)
                )

            found = await run.kept_rows(request, "pages", pages, ids=ids)
        grouped: dict[int, list[Row]] = {pid: [] for pid in ids}
        for row in found:
            grouped[row[p]].append(row)
        counts: dict[int, int] = {}
        if ids and self.shape.wants_count():

            def counted(among: Among) -> Any:
                return (
                    select(self.parent, func.count())
                    .where(among(self.parent), *request.where)
                    .group_by(self.parent)
                )

            counts = {parent: int(n) for parent, n in await run.kept_rows(request, "counts", counted, ids=ids)}
        pages = [child_page(grouped[pid], page, order, lambda: None) for pid in ids]
        built = await self.shape.build(run, pages, child, order, [counts.get(pid, 0) for pid in ids])
        answers = dict(zip(ids, built, strict=True))
        return lambda row: answers[row[0]]


@dataclass(eq=False)
class RootConnection(WithArguments):
    """A top-level list: one page of the list's statement, its count when asked."""

    model: Any
    binder: Binder
    shape: ConnectionShape

    def nested(self) -> Iterator[FieldPlan]:
        return self.shape.walk()

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        request: ListRequest = self.arguments(run)
        assert request.statement is not None
        order, page = request.order, request.page
        listed = self.shape.layout(self.model.id, order)
        found: list[Row] = []
        statement = request.statement
        joined = self.shape.joined
        if page.limit:

            def paged(_among: Among) -> Any:
                columns = statement.with_only_columns(*listed.labelled)
                rows = page_select(columns, self.model.id, order, page, named=True)
                return joined_page(rows, listed, order, page, joined) if joined else rows

            found = await run.kept_rows(request.kept, "page", paged, **cursor_values(page))
            if joined:
                remember_joined(run, found, len(listed.columns), joined)
        count = None
        if self.shape.wants_count():
            counted = statement if request.counted is None else request.counted
            count = int((await run.kept_rows(request.kept, "count", lambda _among: count_select(counted)))[0][0])
        answer = (await self.shape.build(run, [child_page(found, page, order, lambda: None)], listed, order, [count]))[0]
        return lambda _row: answer


@dataclass(eq=False)
class FirstChild(Children):
    """The first of the children whose `parent` column is the row's id, in `order` (null when there is none),
    for every row in one statement."""

    order: Order

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        ids = unique(row[0] for row in rows)
        child = self.child
        found: list[Row] = []
        if ids:

            def first(among: Among) -> Any:
                inner = child_pages_select(
                    self.parent, ids, (), self.order, FIRST_ONLY, child.labelled, among=among(self.parent)
                ).subquery()
                return select(*(inner.c[f"c{i}"] for i in range(len(child.columns)))).where(inner.c.rank == 1)

            found = await run.kept_rows(self, "first", first, ids=ids)
        p = child.at(self.parent)
        objects = dict(zip((row[p] for row in found), await self.target.resolve(run, found, child), strict=True))
        return lambda row: objects.get(row[0])


def joined_page(rows: Select[Any], listed: Layout, order: Order, page: PageRequest, joined: list[Joined]) -> Select[Any]:
    """The page `rows` selects (laid out by `listed`), each row followed by the columns of every `joined`
    object's row (nulls where its key is null). The page is read first, as it is alone, then joined on primary
    keys: the plan of the page's own statement stays what it was."""
    columns = [literal_column(f"{PAGE_ROWS}.c{i}", selected(c).type) for i, c in enumerate(listed.columns)]
    outer = select(*columns).select_from(rows.subquery(PAGE_ROWS))  # (named: its columns need no lookup per request)
    for join in joined:
        outer = outer.outerjoin(join.id.table, join.id == columns[listed.at(join.one.key)]).add_columns(*join.columns)
    keys = [columns[listed.at(k.column)] for k, _ in order.keys()]
    return outer.order_by(*keyset_ordering(order, columns[0], page.backwards, (*keys, columns[0])))


def remember_joined(run: Run, rows: list[Row], width: int, joined: list[Joined]) -> None:
    """The joined objects' rows of a page (see `joined_page`), kept for the run: their fields find them there."""
    start = width
    for join in joined:
        target = join.one.target
        end = start + len(join.columns)
        run.remember(target.model, target.layout, [row[start:end] for row in rows if row[start] is not None])
        start = end
