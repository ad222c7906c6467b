"""Aggregates in a plan: `<kind>Aggregate(...) { count sum {...} groups(by:) {...} }` answered from the same
statements as their resolvers (resolvers/aggregates/grouping.aggregate), read on the driver and written out
without the executor, which spends far longer completing a thousand groups than PostgreSQL takes to count them.

Totals come from a grouping's own rows exactly when the resolvers take them from there
(schema/aggregates.deriving), else from a statement of their own, so both paths add up the same numbers.
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kam.compiled.objects import Amount, Arguments, FieldPlan, ObjectPlan, Selection, ValueField, WithArguments, answer_of
from kam.compiled.run import Binder, Getter, Layout, Row, Run
from resolvers.aggregates.buckets import Bucket
from resolvers.aggregates.grouping import (
    Dimension,
    Group,
    Groups,
    Kind,
    Rows,
    derivable,
    dimensions_of,
    group_limit,
    groups_of,
    statement,
)
from resolvers.aggregates.kinds import MEMBER_KEYS
from resolvers.driver import Kept

STATEMENTS_KEPT = 64  # per part of a plan: one per request its binder keeps is plenty


class Statements:
    """Grouping statements kept per (rows, arguments) as the binders hand them out (their own objects, kept
    while a binder keeps them; compared by identity, as SQL expressions do not compare as values), built and
    compiled once: a request repeating its arguments only runs one."""

    def __init__(self) -> None:
        self.kept: OrderedDict[tuple[int, int], tuple[Any, Any, Kept]] = OrderedDict()

    def get(self, rows: Rows, request: Any, build: Callable[[], Any]) -> Kept:
        ids = (id(rows), id(request))
        found = self.kept.get(ids)
        if found is not None and found[0] is rows and found[1] is request:
            self.kept.move_to_end(ids)
            return found[2]
        kept = Kept(build())
        self.kept[ids] = (rows, request, kept)
        if len(self.kept) > STATEMENTS_KEPT:
            self.kept.popitem(last=False)
        return kept


@dataclass(frozen=True, slots=True)
class GroupsRequest:
    """`groups(by:, first:)` as one request gives them: checked as the resolver checks them, before any SQL."""

    dimensions: tuple[Dimension, ...]
    first: int


def groups_request(kind: Kind) -> Callable[..., GroupsRequest]:
    def request(_ctx: Any, by: list[Any], first: int | None = None) -> GroupsRequest:
        return GroupsRequest(tuple(dimensions_of(kind, [d.value for d in by])), group_limit(first))

    return request


def enum_name(kind: type[enum.Enum]) -> Callable[[Any], str]:
    """The GraphQL name of a value read from an enum column: a member, or the name it is stored by."""

    def name(value: Any) -> str:
        return value.name if isinstance(value, enum.Enum) else kind[value].name

    return name


@dataclass(frozen=True, slots=True)
class GroupView:
    """One group as its fields read it, with the team members its key names (by member plan)."""

    group: Group
    members: dict[int, dict[int, Any]]  # id(member plan) -> member id -> its object


@dataclass(eq=False, frozen=True)
class KeyValue(ValueField):
    """A dimension's value in a group's key: as it is, or converted (never called with null)."""

    key: str
    convert: Callable[[Any], Any] | None = None

    def value(self, view: GroupView) -> Any:
        found = view.group.key.get(self.key)
        return found if found is None or self.convert is None else self.convert(found)


@dataclass(eq=False, frozen=True)
class KeyBucket(ValueField):
    """A month, quarter or year of a group's key."""

    key: str
    fields: Selection  # over a Bucket

    def value(self, view: GroupView) -> dict[str, Any] | None:
        found: Bucket | None = view.group.key.get(self.key)
        return None if found is None else answer_of(self.fields, found)


@dataclass(eq=False, frozen=True)
class KeyMember(ValueField):
    """A team member of a group's key (null when the key names none, or one that does not exist)."""

    key: str
    target: ObjectPlan

    def value(self, view: GroupView) -> Any:
        found = view.group.key.get(self.key)
        return None if found is None else view.members[id(self.target)].get(found)


@dataclass(eq=False, frozen=True)
class Key(ValueField):
    fields: Selection  # over a GroupView

    def value(self, view: GroupView) -> dict[str, Any]:
        return answer_of(self.fields, view)


class Count(ValueField):
    def value(self, view: GroupView) -> int:
        return view.group.count


@dataclass(eq=False, frozen=True)
class MoneyMeasure(ValueField):
    """A money measure's statistic: one amount per currency, by currency."""

    key: str
    statistic: str
    fields: Selection  # over an Amount

    def value(self, view: GroupView) -> list[dict[str, Any]]:
        stats = view.group.stats.get(self.key)
        by_currency = getattr(stats, self.statistic) if stats is not None else None
        return [answer_of(self.fields, Amount(amount, currency)) for currency, amount in sorted((by_currency or {}).items())]


@dataclass(eq=False, frozen=True)
class NumberMeasure(ValueField):
    """Another measure's statistic: a float, null over no value."""

    key: str
    statistic: str

    def value(self, view: GroupView) -> float | None:
        stats = view.group.stats.get(self.key)
        return None if stats is None else getattr(stats, self.statistic)  # type: ignore[no-any-return]


@dataclass(eq=False, frozen=True)
class Statistic(ValueField):
    """`sum`, `avg`, `min` or `max`: the measures asked of it."""

    fields: Selection  # over a GroupView

    def value(self, view: GroupView) -> dict[str, Any]:
        return answer_of(self.fields, view)


@dataclass(frozen=True, slots=True)
class GroupsAnswer:
    views: list[GroupView]
    has_more: bool


class HasMore(ValueField):
    def value(self, answer: GroupsAnswer) -> bool:
        return answer.has_more


@dataclass(eq=False, frozen=True)
class GroupNodes(ValueField):
    fields: Selection  # over a GroupView

    def value(self, answer: GroupsAnswer) -> list[dict[str, Any]]:
        fields = self.fields
        return [answer_of(fields, view) for view in answer.views]


@dataclass(eq=False)
class GroupsOf(Arguments, ValueField):
    """`groups(by:, first:)`: one grouping statement; `fields` over its GroupsAnswer."""

    binder: Binder
    fields: Selection
    kind: Kind  # narrowed to the measures and statistics its nodes ask for
    members: tuple[ObjectPlan, ...]  # the team members keys may name, one plan per key field selecting them
    statements: Statements = field(default_factory=Statements)

    def nested(self) -> Iterator[FieldPlan | Arguments]:
        for target in self.members:
            yield from target.walk()

    def derives(self, request: GroupsRequest, totals: Kind) -> bool:
        """Whether the totals are added up from this grouping's rows (schema/aggregates.deriving's rule)."""
        return all(d.join is None for d in request.dimensions) and derivable(self.kind, totals)

    async def answer(self, run: Run, rows: Rows) -> tuple[GroupsAnswer, Groups]:
        request: GroupsRequest = self.arguments(run)
        kept = self.statements.get(rows, request, lambda: statement(self.kind, rows, request.dimensions, request.first))
        found = groups_of(await run.rows(kept), self.kind, request.dimensions, request.first)
        ids = sorted({g.key[k] for g in found.groups for k in MEMBER_KEYS if g.key.get(k) is not None})
        members = {id(target): await target.by_id(run, ids) for target in self.members} if ids else {}
        for target in self.members:
            members.setdefault(id(target), {})
        return GroupsAnswer([GroupView(group, members) for group in found.groups], found.has_more), found

    def value(self, view: AggregateView) -> dict[str, Any]:
        return answer_of(self.fields, view.groupings[id(self)])


@dataclass(frozen=True, slots=True)
class AggregateView:
    totals: GroupView
    groupings: dict[int, GroupsAnswer]


@dataclass(eq=False, frozen=True)
class TotalsOf(ValueField):
    """`count`, `sum`, ... of the whole aggregate: the part of a group's fields asked of the totals."""

    field: ValueField  # over a GroupView

    def value(self, view: AggregateView) -> Any:
        return self.field.value(view.totals)


@dataclass(eq=False)
class AggregateOf(WithArguments):
    """`<kind>Aggregate(...)`: its rows from the binder, its totals and each of its groupings."""

    binder: Binder  # -> Rows
    fields: Selection  # over an AggregateView
    groupings: tuple[GroupsOf, ...]  # in answer order
    totals: Kind | None  # narrowed to the measures and statistics the totals ask for; None when no total is asked
    statements: Statements = field(default_factory=Statements)

    def nested(self) -> Iterator[FieldPlan | Arguments]:
        for grouping in self.groupings:
            yield grouping
            yield from grouping.nested()

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        found_rows: Rows = self.arguments(run)
        answers: dict[int, GroupsAnswer] = {}
        totals: Group | None = None
        source = None
        if self.totals is not None:
            source = next((g for g in self.groupings if g.derives(g.arguments(run), self.totals)), None)
        for grouping in self.groupings:
            answers[id(grouping)], found = await grouping.answer(run, found_rows)
            if grouping is source:
                totals = found.totals
        if self.totals is not None and totals is None:
            kind = self.totals
            kept = self.statements.get(found_rows, None, lambda: statement(kind, found_rows, ()))
            totals = groups_of(await run.rows(kept), kind, ()).groups[0]
        answer = answer_of(self.fields, AggregateView(GroupView(totals or Group({}), {}), answers))
        return lambda _row: answer

