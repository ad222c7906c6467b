"""Running a plan: the request it runs for, the rows it reads and where each column sits in them.

Rows are tuples laid out by a `Layout` (the columns one statement selects, the
row's id first). Statements whose shape depends only on a plan part are built
once and kept with it (`Run.kept_rows`); they run on the driver itself
(resolvers/driver.py), on the request's session or, for a direct read, on a
pooled connection alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from sqlalchemy import ARRAY, Enum, Integer, String, any_, bindparam, select, type_coerce

from resolvers.context import RequestContext
from resolvers.driver import Kept, session_rows

if TYPE_CHECKING:
    from kam.compiled.objects import Arguments, FieldPlan

Row = Sequence[Any]
Getter = Callable[[Row], Any]
Binder = Callable[["Run"], Any]


def column_key(column: Any) -> tuple[Any, str]:
    return column.class_, column.key


def selected(column: Any) -> Any:
    """Enums are selected as the names they are stored by, which is also what GraphQL answers with."""
    return type_coerce(column, String()) if isinstance(column.type, Enum) else column


def unique(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(v for v in values if v is not None))


_LABELLED: dict[tuple[tuple[Any, str], ...], list[Any]] = {}


def _labelled(columns: list[Any]) -> list[Any]:
    """Built once per layout (SQL expressions are immutable), keyed by the columns' models and names."""
    key = tuple(column_key(c) for c in columns)
    found = _LABELLED.get(key)
    if found is None:
        if len(_LABELLED) >= 4096:  # documents asking for ever new column sets cannot grow it without end
            _LABELLED.clear()
        found = _LABELLED[key] = [selected(c).label(f"c{i}") for i, c in enumerate(columns)]
    return found


class Layout:
    """The columns one statement selects, the row's id first, each once; where each one sits in a row."""

    def __init__(self, columns: Iterable[Any]) -> None:
        self.columns: list[Any] = []
        self.position: dict[tuple[Any, str], int] = {}
        for column in columns:
            if column_key(column) not in self.position:
                self.position[column_key(column)] = len(self.columns)
                self.columns.append(column)

    def at(self, column: Any) -> int:
        return self.position[column_key(column)]

    @cached_property
    def labelled(self) -> list[Any]:
        """The columns to select, labelled by position so a subquery keeps them apart."""
        return _labelled(self.columns)

    def only_id(self) -> bool:
        return len(self.columns) == 1


# Statements of plan parts, built once (`Run.kept_rows`); they go when their plan does.
_KEPT: WeakKeyDictionary[Any, dict[tuple[str, str, bool], Kept]] = WeakKeyDictionary()
IDS = "ids"
Among = Callable[[Any], Any]  # a column -> "it is one of the ids given as the parameter `ids`"


def among_ids(dialect: str, one: bool = False) -> Among:
    """The condition "`column` is among the ids given as the parameter `ids`": one array on PostgreSQL, so
    one prepared statement serves any number of them; an IN list on SQLite, which it takes as fast (up to
    32,766 ids; a larger answer falls back to the executor, whose loaders bind them as JSON).

    For `one` id, an equality: PostgreSQL's generic plan for `= ANY($1)` expects ten values and sorts
    what an index on (column, order) gives in order for `= $1` (a map's people took twice as long)."""

    def among(column: Any) -> Any:
        if one:
            return column == bindparam(IDS)
        if dialect == "sqlite":
            return column.in_(bindparam(IDS, expanding=True))
        return column == any_(bindparam(IDS, type_=ARRAY(Integer)))

    return among


class Run:
    """One execution of a plan: the request's context, its variables, and the arguments bound for it."""

    def __init__(self, ctx: RequestContext, variables: Any) -> None:
        self.ctx = ctx
        self.variables = variables
        self.dialect = ctx.dialect
        self.bound: dict[FieldPlan, Any] = {}
        self.seen: dict[Any, list[tuple[Layout, list[Row]]]] = defaultdict(list)
        self.values: dict[tuple[Any, str], dict[int, list[str]]] = {}

    def bind(self, plans: Iterable[Arguments]) -> None:
        """Evaluate every argument of the plan before any SQL runs, so a bad one changes nothing."""
        for plan in plans:
            plan.bind(self)

    def remember(self, model: Any, layout: Layout, rows: list[Row]) -> None:
        """Rows of `model` read in this run, which later lookups by id may reuse."""
        if model is not None and rows:
            self.seen[model].append((layout, rows))

    def recall(self, model: Any, layout: Layout, ids: set[int]) -> list[tuple[Layout, list[Row]]]:
        """Rows with these ids read earlier in the run with at least `layout`'s columns (ids found are removed)."""
        found = []
        for seen, rows in self.seen.get(model, ()):
            if ids and all(key in seen.position for key in layout.position):
                hits = {row[0]: row for row in rows if row[0] in ids}
                if hits:
                    found.append((seen, list(hits.values())))
                    ids.difference_update(hits)
        return found

    async def rows(self, stmt: Any, params: dict[str, Any] | None = None) -> list[Row]:
        reader = self.ctx.reader
        if reader is not None:
            return await reader.rows(stmt, params)  # a direct read: one at a time, no session
        return await self.ctx.run(lambda session: session_rows(session, stmt, params))

    async def kept_rows(self, owner: Any, name: str, build: Callable[[Among], Any], **params: Any) -> list[Row]:
        """Rows of a statement whose shape only depends on `owner` (a plan part) and `name`: built by
        `build(among)` once per dialect with bound parameters (`among(column)` for a list of `ids`; a
        statement of its own for one id), run with `params`. Building and keying a statement costs more
        than PostgreSQL takes to answer a small one."""
        ids = params.get(IDS)
        one = ids is not None and len(ids) == 1
        kept = _KEPT.get(owner)
        if kept is None:  # (a WeakKeyDictionary's setdefault makes a weak reference per call)
            kept = _KEPT[owner] = {}
        stmt = kept.get((name, self.dialect, one))
        if stmt is None:
            stmt = kept[name, self.dialect, one] = Kept(build(among_ids(self.dialect, one)))
        if one:
            params[IDS] = ids[0]
        return await self.rows(stmt, params)

    async def rows_among(
        self, owner: Any, name: str, columns: Sequence[Any], column: Any, ids: Sequence[int], order_by: Sequence[Any] = ()
    ) -> list[Row]:
        """`columns` of the rows whose `column` is one of `ids`, in `order_by` order (a statement kept as
        `kept_rows` keeps it)."""

        def build(among: Among) -> Any:
            return select(*columns).where(among(column)).order_by(*order_by)

        return await self.kept_rows(owner, name, build, ids=list(ids))
