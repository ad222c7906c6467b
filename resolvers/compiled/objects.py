"""Objects of a plan: the fields asked of one type, each turning a selected row into its value.

Rows are tuples laid out by a `Layout` (the columns one statement selects).
A field first `prepare`s: it loads what it needs for all rows at once (one
statement, whatever their number) and returns a getter, which then gives the
field's value for each row without touching the database.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from binascii import b2a_base64
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import (
    ARRAY,
    Enum,
    Integer,
    String,
    any_,
    bindparam,
    select,
    type_coerce,
)

from resolvers.context import RequestContext
from resolvers.driver import Kept, session_rows

Row = Sequence[Any]
Getter = Callable[[Row], Any]
Binder = Callable[["Run"], Any]


def global_id(type_name: str, row_id: int) -> str:
    """A row's Relay ID, encoded as strawberry's relay encodes it (standard base64 of `Type:id`)."""
    return b2a_base64(f"{type_name}:{row_id}".encode(), newline=False).decode("ascii")


@lru_cache(maxsize=4096)
def _maker(signature: tuple[tuple[str, int | None], ...]) -> Callable[..., Callable[[Row], dict[str, Any]]]:
    """Source for one object shape: `row[i]` inline for plain columns, a getter call for the rest.

    A dict display built by generated code (as dataclasses and namedtuple
    generate theirs) instead of a loop over getters per row: an answer of a
    few thousand objects is built several times faster.
    """
    getters = [f"g{j}" for j, (_, at) in enumerate(signature) if at is None]
    items = [f"{key!r}: row[{at}]" if at is not None else f"{key!r}: g{j}(row)" for j, (key, at) in enumerate(signature)]
    source = f"def make({', '.join(getters)}):\n    return lambda row: {{{', '.join(items)}}}\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<kam object shape>", "exec"), namespace)  # noqa: S102 - keys are GraphQL names
    return namespace["make"]  # type: ignore[no-any-return]


def object_builder(fields: list[tuple[str, Getter | int]]) -> Callable[[Row], dict[str, Any]]:
    """The function turning one row into its object: `fields` are getters, or positions of plain columns."""
    signature = tuple((key, got if isinstance(got, int) else None) for key, got in fields)
    return _maker(signature)(*(got for _, got in fields if not isinstance(got, int)))


def column_key(column: Any) -> tuple[Any, str]:
    return column.class_, column.key


def _selected(column: Any) -> Any:
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
        found = _LABELLED[key] = [_selected(c).label(f"c{i}") for i, c in enumerate(columns)]
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
            return await reader.rows(stmt, params)  # a prepared read: one at a time, no session
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


class FieldPlan(ABC):
    """One field of an object type in a plan."""

    def needs(self) -> Sequence[Any]:
        """Columns of the object's row this field reads."""
        return ()

    def nested(self) -> Iterator[FieldPlan | Arguments]:
        """Every part of the plan below this field (to bind their arguments)."""
        return iter(())

    @abstractmethod
    async def prepare(self, run: Run, rows: list[Row], layout: Layout) -> Getter | int:
        """Load what the field needs for all `rows` and return the getter of its value for one row
        (or, for a column taken as it is, its position in the row)."""


class Arguments:
    """A part of a plan that takes arguments: its `binder` turns them into what it runs with, per request."""

    binder: Binder

    def bind(self, run: Run) -> None:
        run.bound[self] = self.binder(run)

    def arguments(self, run: Run) -> Any:
        return run.bound[self]


class WithArguments(Arguments, FieldPlan):
    """A field that takes arguments."""


@dataclass(eq=False)
class ObjectPlan:
    """The fields asked of one object type, in answer order."""

    model: Any
    fields: list[tuple[str, FieldPlan]]

    def needs(self) -> list[Any]:
        columns = [self.model.id]
        for _, field in self.fields:
            columns.extend(field.needs())
        return columns

    @cached_property
    def layout(self) -> Layout:
        """The row of this object read by id: every column the plan needs."""
        return Layout(self.needs())

    def walk(self) -> Iterator[FieldPlan | Arguments]:
        for _, field in self.fields:
            yield field
            yield from field.nested()

    def flat_shape(self) -> tuple[Any, ...] | None:
        """Equal for plans that answer alike from the row alone (columns, ids, constants); None for the others.
        Where a query asks for such an object in several places, one plan can answer all of them."""
        shape: list[tuple[Any, ...]] = []
        for key, field in self.fields:
            if isinstance(field, Scalar):
                shape.append((key, column_key(field.column), field.convert))
            elif isinstance(field, GlobalId):
                shape.append((key, field.type_name, column_key(field.column)))
            elif isinstance(field, Constant):
                shape.append((key, field.value))
            else:
                return None
        return (self.model, *shape)

    async def resolve(self, run: Run, rows: list[Row], layout: Layout) -> list[dict[str, Any]]:
        run.remember(self.model, layout, rows)
        build = object_builder([(key, await field.prepare(run, rows, layout)) for key, field in self.fields])
        return list(map(build, rows))

    async def read(self, run: Run, ids: Sequence[int]) -> list[Row]:
        """The rows with these ids, with every column the plan needs; kept for later lookups of the run."""
        layout = self.layout
        rows = await self._select(run, layout, ids)
        run.remember(self.model, layout, rows)
        return rows

    async def _select(self, run: Run, layout: Layout, ids: Sequence[int]) -> list[Row]:
        return await run.rows_among(self, "by_id", layout.labelled, self.model.id, ids)

    async def by_id(self, run: Run, ids: Sequence[int], *, existing: bool = True) -> dict[int, dict[str, Any]]:
        """The objects of the rows with these ids, missing ones left out: rows the run read already, the
        others in one statement (none when only the id is asked of rows known to exist, as a foreign key's
        target is: `existing`)."""
        layout = self.layout
        wanted = set(ids)
        groups = run.recall(self.model, layout, wanted)
        missing = [i for i in ids if i in wanted]
        if existing and layout.only_id():
            groups.append((layout, [(i,) for i in missing]))
        elif missing:
            groups.append((layout, await self._select(run, layout, missing)))
        found: dict[int, dict[str, Any]] = {}
        for group_layout, rows in groups:
            found.update(zip((row[0] for row in rows), await self.resolve(run, rows, group_layout), strict=True))
        return found


@dataclass(eq=False)
class Constant(FieldPlan):
    value: Any

    async def prepare(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        value = self.value
        return lambda _row: value


@dataclass(eq=False)
class Scalar(FieldPlan):
    """A column, converted to its GraphQL form by `convert` (never called with null)."""

    column: Any
    convert: Callable[[Any], Any] | None = None

    def needs(self) -> Sequence[Any]:
        return (self.column,)

    async def prepare(self, run: Run, rows: list[Row], layout: Layout) -> Getter | int:
        i, convert = layout.at(self.column), self.convert
        if convert is None:
            return i
        return lambda row: None if row[i] is None else convert(row[i])


@dataclass(eq=False)
class Computed(FieldPlan):
    """A value computed from columns of the row (by a domain rule)."""

    columns: tuple[Any, ...]
    compute: Callable[..., Any]

    def needs(self) -> Sequence[Any]:
        return self.columns

    async def prepare(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        positions, compute = [layout.at(c) for c in self.columns], self.compute
        return lambda row: compute(*(row[i] for i in positions))


@dataclass(eq=False)
class GlobalId(FieldPlan):
    type_name: str
    column: Any

    def needs(self) -> Sequence[Any]:
        return (self.column,)

    async def prepare(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        i, name = layout.at(self.column), self.type_name
        return lambda row: global_id(name, row[i])


@dataclass(eq=False)
class MoneyField(FieldPlan):
    """A small object made of columns of the same row, such as an amount and its currency."""

    fields: list[tuple[str, FieldPlan]]

    def needs(self) -> Sequence[Any]:
        return [c for _, field in self.fields for c in field.needs()]

    async def prepare(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        return object_builder([(key, await field.prepare(run, rows, layout)) for key, field in self.fields])


@dataclass(eq=False)
class ToOne(FieldPlan):
    """The object a foreign key of the row points at; null when the key is."""

    key: Any
    target: ObjectPlan

    def needs(self) -> Sequence[Any]:
        return (self.key,)

    def nested(self) -> Iterator[FieldPlan]:
        return self.target.walk()

    async def prepare(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        i = layout.at(self.key)
        found = await self.target.by_id(run, unique(row[i] for row in rows))
        return lambda row: found.get(row[i])


@dataclass(eq=False)
class Children(FieldPlan):
    """Rows whose `parent` column is the row's id, each made the `target`'s object; `child` is their layout."""

    parent: Any
    target: ObjectPlan

    def nested(self) -> Iterator[FieldPlan | Arguments]:
        return self.target.walk()

    @cached_property
    def child(self) -> Layout:
        return Layout([*self.target.needs(), self.parent])


@dataclass(eq=False)
class ChildRows(Children):
    """All rows whose `parent` column is the row's id, in `order_by` order (small bounded lists)."""

    order_by: tuple[Any, ...]

    async def prepare(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        ids = unique(row[0] for row in rows)
        child = self.child
        found = await run.rows_among(self, "children", child.labelled, self.parent, ids, self.order_by) if ids else []
        objects = await self.target.resolve(run, found, child)
        grouped: dict[int, list[Any]] = defaultdict(list)
        p = child.at(self.parent)
        for row, obj in zip(found, objects, strict=True):
            grouped[row[p]].append(obj)
        return lambda row: grouped.get(row[0], [])


@dataclass(eq=False)
class ValueList(FieldPlan):
    """Enum values held in a table of their own (one row per value), in the enum's order."""

    parent: Any
    value: Any
    enum: Any

    async def prepare(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        grouped = await self.load(run, unique(row[0] for row in rows))
        return lambda row: grouped.get(row[0], [])

    async def load(self, run: Run, ids: list[int]) -> dict[int, list[str]]:
        """The values of these parents (by name, in the enum's order), read once per run."""
        known = run.values.setdefault(self.key, {})
        missing = [i for i in ids if i not in known]
        if missing:
            known.update((i, []) for i in missing)
            for parent, value in await run.rows_among(self, "values", self.selected, self.parent, missing):
                known[parent].append(value)
            rank = self.rank
            for i in missing:
                known[i].sort(key=rank.__getitem__)
        return known

    @cached_property
    def key(self) -> tuple[Any, str]:
        return column_key(self.value)

    @cached_property
    def selected(self) -> tuple[Any, Any]:
        return (self.parent, _selected(self.value))

    @cached_property
    def rank(self) -> dict[str, int]:
        return {member.name: i for i, member in enumerate(self.enum)}
