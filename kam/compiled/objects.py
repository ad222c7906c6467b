"""Objects of a plan: the fields asked of one type, each turning a selected row into its value.

A field first `load`s: it reads what it needs for all rows at once (one
statement, whatever their number) and returns a getter, which then gives the
field's value for each row without touching the database.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from kam.compiled.run import Binder, Getter, Layout, Row, Run, column_key, selected, unique
from resolvers.ids import to_global_id


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


def arguments_of(spec: Callable[..., Any]) -> frozenset[str]:
    """The arguments a request function takes after the request's context."""
    return frozenset(list(inspect.signature(spec).parameters)[1:])


class FieldPlan(ABC):
    """One field of an object type in a plan."""

    def needs(self) -> Sequence[Any]:
        """Columns of the object's row this field reads."""
        return ()

    def nested(self) -> Iterator[FieldPlan | Arguments]:
        """Every part of the plan below this field (to bind their arguments)."""
        return iter(())

    @abstractmethod
    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter | int:
        """Load what the field needs for all `rows` and return the getter of its value for one row
        (or, for a column taken as it is, its position in the row)."""


class ValueField(ABC):
    """One field of a value made from what a plan part computed (a page, a matrix cell, a map's summary),
    not from a row: `value(source)` gives it, `source` being that part's own view of what it computed."""

    @abstractmethod
    def value(self, source: Any) -> Any: ...


@dataclass(eq=False, frozen=True)
class Typename(ValueField):
    """`__typename` of a value's type."""

    name: str

    def value(self, source: Any) -> str:
        return self.name


@dataclass(eq=False, frozen=True)
class Attribute(ValueField):
    """An attribute of the source, turned into its GraphQL form by `convert` (never called with null)."""

    name: str
    convert: Callable[[Any], Any] | None = None

    def value(self, source: Any) -> Any:
        found = getattr(source, self.name)
        return found if self.convert is None or found is None else self.convert(found)


Selection = list[tuple[str, ValueField]]  # (response key, field), in answer order


@dataclass(eq=False, frozen=True)
class Nested(ValueField):
    """An object held by an attribute of the source, such as a period's amount."""

    name: str
    fields: Selection

    def value(self, source: Any) -> dict[str, Any]:
        return answer_of(self.fields, getattr(source, self.name))


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount of money in one currency, as `Money`'s fields read it (a sum per currency, say)."""

    amount: Any
    currency: str


def answer_of(selection: Selection, source: Any) -> dict[str, Any]:
    """The object a selection of value fields answers for `source`."""
    return {key: field.value(source) for key, field in selection}


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
        build = object_builder([(key, await field.load(run, rows, layout)) for key, field in self.fields])
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

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        value = self.value
        return lambda _row: value


@dataclass(eq=False)
class Scalar(FieldPlan):
    """A column, converted to its GraphQL form by `convert` (never called with null)."""

    column: Any
    convert: Callable[[Any], Any] | None = None

    def needs(self) -> Sequence[Any]:
        return (self.column,)

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter | int:
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

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        positions, compute = [layout.at(c) for c in self.columns], self.compute
        return lambda row: compute(*(row[i] for i in positions))


@dataclass(eq=False)
class GlobalId(FieldPlan):
    type_name: str
    column: Any

    def needs(self) -> Sequence[Any]:
        return (self.column,)

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        i, name = layout.at(self.column), self.type_name
        return lambda row: to_global_id(name, row[i])


@dataclass(eq=False)
class Embedded(FieldPlan):
    """A small object made of columns of the same row, such as an amount and its currency."""

    fields: list[tuple[str, FieldPlan]]

    def needs(self) -> Sequence[Any]:
        return [c for _, field in self.fields for c in field.needs()]

    def nested(self) -> Iterator[FieldPlan | Arguments]:
        for _, field in self.fields:
            yield field
            yield from field.nested()

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        return object_builder([(key, await field.load(run, rows, layout)) for key, field in self.fields])


@dataclass(eq=False)
class Nullable(FieldPlan):
    """An object made from the row (`inner`), or null where `column` is null: a margin not known, say."""

    column: Any
    inner: FieldPlan

    def needs(self) -> Sequence[Any]:
        return (self.column, *self.inner.needs())

    def nested(self) -> Iterator[FieldPlan | Arguments]:
        yield self.inner
        yield from self.inner.nested()

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        i, inner = layout.at(self.column), await self.inner.load(run, rows, layout)
        if isinstance(inner, int):
            return lambda row: None if row[i] is None else row[inner]
        return lambda row: None if row[i] is None else inner(row)


@dataclass(eq=False)
class ToOne(FieldPlan):
    """The object a foreign key of the row points at; null when the key is."""

    key: Any
    target: ObjectPlan

    def needs(self) -> Sequence[Any]:
        return (self.key,)

    def nested(self) -> Iterator[FieldPlan]:
        return self.target.walk()

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        i = layout.at(self.key)
        found = await self.target.by_id(run, unique(row[i] for row in rows))
        return lambda row: found.get(row[i])

    def joinable(self) -> bool:
        """Whether the statement reading the rows may read the target's row too, joined on the key: the target
        answers from its own row alone (columns, ids, constants) and needs more than its id (which the key is)."""
        target = self.target
        return (
            target.flat_shape() is not None
            and not target.layout.only_id()
            and all(column.class_ is target.model for column in target.layout.columns)
        )


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

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
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
class Linked(FieldPlan):
    """The objects a link table pairs with the row (its `parent` column holds the row's id, its `child` column
    the object's), in the order of their ids: an interaction's stakeholders, say."""

    parent: Any
    child: Any
    target: ObjectPlan

    def nested(self) -> Iterator[FieldPlan | Arguments]:
        return self.target.walk()

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        ids = unique(row[0] for row in rows)
        pairs = await run.rows_among(self, "links", (self.parent, self.child), self.parent, ids) if ids else []
        grouped: dict[int, list[int]] = defaultdict(list)
        for parent, child in pairs:
            grouped[parent].append(child)
        found = await self.target.by_id(run, unique(child for _, child in pairs))
        return lambda row: [found[c] for c in sorted(grouped.get(row[0], ())) if c in found]


@dataclass(eq=False)
class ValueList(FieldPlan):
    """Enum values held in a table of their own (one row per value), in the enum's order."""

    parent: Any
    value: Any
    enum: Any

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        grouped = await self.values_of(run, unique(row[0] for row in rows))
        return lambda row: grouped.get(row[0], [])

    async def values_of(self, run: Run, ids: list[int]) -> dict[int, list[str]]:
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
        return (self.parent, selected(self.value))

    @cached_property
    def rank(self) -> dict[str, int]:
        return {member.name: i for i, member in enumerate(self.enum)}
