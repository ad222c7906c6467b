"""Relationship maps in a plan: the maps of many accounts from one statement per kind of row.

The analysis is domain.relationship_map's; this module only feeds it tuples
and loads nothing the query does not ask for (no influence lines without
`edges`, no coverage without the fields that read it).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from domain.influence_paths import (
    STEP_STRENGTH,
    InfluencePaths,
    PathLink,
    PathPerson,
    coverage_by_person,
    influence_paths,
)
from domain.relationship_map import (
    MapCoverage,
    MapPerson,
    MapSummary,
    covered_by_count,
    map_lines,
    strongest_coverage,
    summarize,
)
from domain.stakeholder import (
    Attitude,
    BuyingRole,
    Coverage,
    CoverageStrength,
    Influence,
    InfluenceLink,
    LinkStrength,
    Stakeholder,
    StakeholderBuyingRole,
)
from kam.compiled.objects import (
    Arguments,
    FieldPlan,
    ObjectPlan,
    Selection,
    ValueField,
    ValueList,
    WithArguments,
    answer_of,
    object_builder,
)
from kam.compiled.run import Binder, Getter, Layout, Row, Run, unique
from kam.compiled.roots import visible_account

# Enum members by the names rows hold (a plain lookup: `Enum[name]` costs several times more).
ROLE, ATTITUDE, INFLUENCE, STRENGTH, LINK_STRENGTH = (
    e.__members__ for e in (BuyingRole, Attitude, Influence, CoverageStrength, LinkStrength)
)
BUYING_ROLES = ValueList(StakeholderBuyingRole.stakeholder_id, StakeholderBuyingRole.role, BuyingRole)
# The stakeholder columns every map reads, where `MapPlan.reads` puts them.
PERSON_ID, PERSON_ACCOUNT, PERSON_ATTITUDE, PERSON_INFLUENCE, PERSON_DECISION_LEVEL, PERSON_MANAGER = range(6)
PEOPLE_COLUMNS = (Stakeholder.id, Stakeholder.account_id, Stakeholder.attitude, Stakeholder.influence,
                  Stakeholder.decision_level, Stakeholder.reports_to_id)
COVERAGE_COLUMNS = (Coverage.id, Coverage.account_id, Coverage.stakeholder_id, Coverage.member_id, Coverage.strength)
LINK_COLUMNS = (InfluenceLink.id, InfluenceLink.account_id, InfluenceLink.source_id, InfluenceLink.target_id,
                InfluenceLink.strength)
# A line of a map as `_Builder.lines` makes it.
LINE_KIND, LINE_SOURCE, LINE_TARGET, LINE_STRENGTH, LINE_LINK = range(5)


@dataclass
class Reads:
    """What a map's fields read: people are always read (every part is about them); the others only when
    some field says so."""

    roles: bool = False
    coverage: bool = False
    links: bool = False


class MapPart(ABC):
    """A field of a map, of a node, of a line or of the summary: what it reads and the object plans inside it."""

    def reads(self, reads: Reads) -> None:
        """Mark what the field needs read."""

    def plans(self) -> Iterator[tuple[str, ObjectPlan]]:
        """(kind of row, plan) of each object plan inside the field; kinds: people, coverage, links, account."""
        return iter(())


class Parts(MapPart):
    """A part made of parts (`fields`): it reads what they read and holds the plans they hold."""

    fields: list[tuple[str, Any]]

    def reads(self, reads: Reads) -> None:
        for _, part in self.fields:
            if isinstance(part, MapPart):
                part.reads(reads)

    def plans(self) -> Iterator[tuple[str, ObjectPlan]]:
        for _, part in self.fields:
            if isinstance(part, MapPart):
                yield from part.plans()


class RowField(MapPart):
    """A field of a node (from a stakeholder row) or of a line: its getter, made once per run."""

    @abstractmethod
    def getter(self, built: _Builder) -> Getter | int: ...


@dataclass(eq=False)
class PersonColumn(RowField):
    """attitude, influence or decisionLevel: a column every map reads."""

    at: int

    def getter(self, built: _Builder) -> int:
        return self.at


@dataclass(eq=False)
class NodeStakeholder(RowField):
    plan: ObjectPlan

    def plans(self) -> Iterator[tuple[str, ObjectPlan]]:
        yield "people", self.plan

    def getter(self, built: _Builder) -> Getter:
        found = built.objects[id(self.plan)]
        return lambda row: found[row[PERSON_ID]]


class NodeBuyingRoles(RowField):
    def reads(self, reads: Reads) -> None:
        reads.roles = True

    def getter(self, built: _Builder) -> Getter:
        roles = built.roles
        return lambda row: roles.get(row[PERSON_ID], [])


class NodeCoveredByCount(RowField):
    def reads(self, reads: Reads) -> None:
        reads.coverage = True

    def getter(self, built: _Builder) -> Getter:
        return lambda row: covered_by_count(built.coverage_of(row))


class NodeStrongestCoverage(RowField):
    def reads(self, reads: Reads) -> None:
        reads.coverage = True

    def getter(self, built: _Builder) -> Getter:
        def strongest(row: Row) -> str | None:
            found = strongest_coverage(strength for _, strength in built.coverage_of(row))
            return None if found is None else found.name

        return strongest


@dataclass(eq=False)
class NodeCoverage(RowField):
    plan: ObjectPlan

    def reads(self, reads: Reads) -> None:
        reads.coverage = True

    def plans(self) -> Iterator[tuple[str, ObjectPlan]]:
        yield "coverage", self.plan

    def getter(self, built: _Builder) -> Getter:
        found, covering = built.objects[id(self.plan)], built.covering
        return lambda row: [found[j] for j in covering.get((row[PERSON_ACCOUNT], row[PERSON_ID]), ())]


@dataclass(eq=False)
class RowTypename(RowField):
    name: str

    def getter(self, built: _Builder) -> Getter:
        name = self.name
        return lambda _row: name


@dataclass(eq=False)
class LineColumn(RowField):
    """kind or strength of a line."""

    at: int

    def getter(self, built: _Builder) -> int:
        return self.at


@dataclass(eq=False)
class LineEnd(RowField):
    """source or target of a line."""

    at: int
    plan: ObjectPlan

    def plans(self) -> Iterator[tuple[str, ObjectPlan]]:
        yield "people", self.plan

    def getter(self, built: _Builder) -> Getter:
        found, at = built.objects[id(self.plan)], self.at
        return lambda line: found[line[at]]


@dataclass(eq=False)
class LineInfluenceLink(RowField):
    plan: ObjectPlan

    def plans(self) -> Iterator[tuple[str, ObjectPlan]]:
        yield "links", self.plan

    def getter(self, built: _Builder) -> Getter:
        found = built.objects[id(self.plan)]
        return lambda line: None if line[LINE_LINK] is None else found[line[LINE_LINK]]


@dataclass
class MapView:
    """One account's map as its fields read it."""

    built: _Builder
    account: _Account
    account_object: Any

    @cached_property
    def summary(self) -> MapSummary:
        return self.built.summary(self.account)

    @cached_property
    def paths(self) -> InfluencePaths:
        return self.built.influence_paths(self.account)


class MapField(MapPart, ValueField):
    """A field of the map itself (a value over a MapView)."""


@dataclass(eq=False)
class MapAccount(MapField):
    plan: ObjectPlan

    def plans(self) -> Iterator[tuple[str, ObjectPlan]]:
        yield "account", self.plan

    def value(self, view: MapView) -> Any:
        return view.account_object


@dataclass(eq=False)
class MapRows(Parts, MapField):
    """`nodes` (people) or `edges` (lines): one object per row, made by one function made once per run."""

    lines: bool
    fields: list[tuple[str, RowField]]

    def reads(self, reads: Reads) -> None:
        reads.links = reads.links or self.lines
        super().reads(reads)

    def value(self, view: MapView) -> list[dict[str, Any]]:
        rows = view.built.lines(view.account) if self.lines else view.account.people
        return list(map(view.built.maker(self), rows))


@dataclass(eq=False)
class MapCoverageList(MapField):
    plan: ObjectPlan

    def reads(self, reads: Reads) -> None:
        reads.coverage = True

    def plans(self) -> Iterator[tuple[str, ObjectPlan]]:
        yield "coverage", self.plan

    def value(self, view: MapView) -> list[Any]:
        found = view.built.objects[id(self.plan)]
        return [found[j] for j in view.account.coverage]


class SummaryField(MapPart, ValueField):
    """A field of the summary (a value over the MapView)."""


@dataclass(eq=False)
class MapSummaryOf(Parts, MapField):
    fields: list[tuple[str, SummaryField]]

    def value(self, view: MapView) -> dict[str, Any]:
        return answer_of(self.fields, view)  # type: ignore[arg-type]


@dataclass(eq=False)
class RoleCounts(SummaryField):
    """`stakeholdersByRole`: every buying role with how many people hold it."""

    fields: Selection  # over a RoleCount

    def reads(self, reads: Reads) -> None:
        reads.roles = True

    def value(self, view: MapView) -> list[dict[str, Any]]:
        return [answer_of(self.fields, RoleCount(role.name, n)) for role, n in view.summary.role_counts.items()]


@dataclass(frozen=True, slots=True)
class RoleCount:
    role: str
    count: int


@dataclass(eq=False)
class SummaryPeople(SummaryField):
    """`uncoveredDecisionMakers` or `influentialOpponents`: people the summary names, by its list of their ids."""

    ids: str  # the attribute of MapSummary
    plan: ObjectPlan

    def reads(self, reads: Reads) -> None:
        if self.ids == "uncovered_decision_maker_ids":
            reads.roles = reads.coverage = True

    def plans(self) -> Iterator[tuple[str, ObjectPlan]]:
        yield "people", self.plan

    def value(self, view: MapView) -> list[Any]:
        found = view.built.objects[id(self.plan)]
        return [found[i] for i in getattr(view.summary, self.ids)]


@dataclass(eq=False)
class SummaryUnreachable(SummaryField):
    """`unreachableDecisionMakers`: the decision makers no path of influence reaches."""

    plan: ObjectPlan

    def reads(self, reads: Reads) -> None:
        reads.roles = reads.coverage = reads.links = True

    def plans(self) -> Iterator[tuple[str, ObjectPlan]]:
        yield "people", self.plan

    def value(self, view: MapView) -> list[Any]:
        found = view.built.objects[id(self.plan)]
        return [found[i] for i in view.paths.unreachable_ids]


@dataclass(frozen=True, slots=True)
class Item:
    """A path of influence or one of its steps (`item`), as their fields read it."""

    built: _Builder
    account: _Account
    item: Any


class PathField(MapPart, ValueField):
    """A field of a path of influence or of a step (a value over an Item)."""


@dataclass(eq=False)
class PathPeople(PathField):
    """decisionMaker, start, source or target: the person whose id the item's `attribute` holds."""

    attribute: str
    plan: ObjectPlan

    def plans(self) -> Iterator[tuple[str, ObjectPlan]]:
        yield "people", self.plan

    def value(self, source: Item) -> Any:
        return source.built.objects[id(self.plan)][getattr(source.item, self.attribute)]


@dataclass(eq=False)
class PathValue(PathField):
    """A value made of the item by `make` (enum names, figures)."""

    make: Callable[[Any], Any]

    def value(self, source: Item) -> Any:
        return self.make(source.item)


@dataclass(eq=False)
class StepLink(PathField):
    """The influence link a step follows; null for a reporting line."""

    plan: ObjectPlan

    def plans(self) -> Iterator[tuple[str, ObjectPlan]]:
        yield "links", self.plan

    def value(self, source: Item) -> Any:
        j = source.item.link
        return None if j is None else source.built.objects[id(self.plan)][source.account.links[j]]


@dataclass(eq=False)
class PathSteps(Parts, PathField):
    fields: list[tuple[str, ValueField]]

    def value(self, source: Item) -> list[dict[str, Any]]:
        return [answer_of(self.fields, Item(source.built, source.account, step)) for step in source.item.steps]


@dataclass(eq=False)
class MapInfluencePaths(Parts, MapField):
    """`influencePaths`: the strongest path of influence to each decision maker a path reaches."""

    fields: list[tuple[str, ValueField]]

    def reads(self, reads: Reads) -> None:
        reads.roles = reads.coverage = reads.links = True
        super().reads(reads)

    def value(self, view: MapView) -> list[dict[str, Any]]:
        return [answer_of(self.fields, Item(view.built, view.account, path)) for path in view.paths.paths]


def step_factor(step: Any) -> float:
    return float(STEP_STRENGTH[step.strength])


@dataclass(eq=False)
class SummaryValue(SummaryField):
    """coveredStakeholderCount, singleThreaded or supportIndex: an attribute of the summary."""

    name: str
    coverage: bool  # whether it counts coverage

    def reads(self, reads: Reads) -> None:
        reads.coverage = reads.coverage or self.coverage

    def value(self, view: MapView) -> Any:
        return getattr(view.summary, self.name)


@dataclass(eq=False)
class SummaryTypename(SummaryField):
    name: str

    def value(self, view: MapView) -> str:
        return self.name


@dataclass(eq=False)
class MapTypename(MapField):
    name: str

    def value(self, view: MapView) -> str:
        return self.name


@dataclass(eq=False)
class MapPlan:
    """What is asked of a relationship map, in answer order."""

    fields: list[tuple[str, MapField]]

    def plans(self) -> Iterator[tuple[str, ObjectPlan]]:
        for _, part in self.fields:
            yield from part.plans()

    def account_plan(self) -> ObjectPlan | None:
        return next((plan for kind, plan in self.plans() if kind == "account"), None)

    def walk(self) -> Iterator[FieldPlan | Arguments]:
        for _, plan in self.plans():
            yield from plan.walk()

    @cached_property
    def reads(self) -> _Reads:
        """What the plan reads, and the plans and columns of each kind of row (made once)."""
        reads = Reads()
        for _, part in self.fields:
            part.reads(reads)
        plans: dict[str, list[ObjectPlan]] = defaultdict(list)
        flat: dict[tuple[Any, ...], ObjectPlan] = {}
        for kind, plan in self.plans():
            if kind == "people":
                # Places asking alike for people share a plan, built once per run.
                shape = plan.flat_shape()
                plan = flat.setdefault(shape, plan) if shape is not None else plan
            if plan not in plans[kind]:
                plans[kind].append(plan)
        return _Reads(
            reads,
            plans["people"],
            Layout([*PEOPLE_COLUMNS, *(c for plan in plans["people"] for c in plan.needs())]),
            plans["coverage"],
            Layout([*COVERAGE_COLUMNS, *(c for plan in plans["coverage"] for c in plan.needs())]),
            plans["links"],
            Layout([*LINK_COLUMNS, *(c for plan in plans["links"] for c in plan.needs())]),
            {id(plan): id(flat.get(plan.flat_shape(), plan)) for kind, plan in self.plans() if kind == "people"},
        )

    async def build(self, run: Run, account_ids: list[int]) -> dict[int, dict[str, Any]]:
        """The maps of these accounts (which the caller may read), by account id."""
        reads = self.reads
        people = await run.rows_among(
            self, "people", reads.people_layout.labelled, Stakeholder.account_id, account_ids,
            (Stakeholder.name, Stakeholder.id),
        ) if account_ids else []
        ids = [row[PERSON_ID] for row in people]
        roles = await BUYING_ROLES.values_of(run, ids) if reads.what.roles else {}
        coverage: list[Row] = []
        if reads.what.coverage:
            coverage = await run.rows_among(
                self, "coverage", reads.coverage_layout.labelled, Coverage.account_id, account_ids, (Coverage.id,)
            )
        links: list[Row] = []
        if reads.what.links:
            links = await run.rows_among(
                self, "links", reads.link_layout.labelled, InfluenceLink.account_id, account_ids, (InfluenceLink.id,)
            )
        objects: dict[int, dict[Any, Any]] = {}
        for plan in reads.people:
            objects[id(plan)] = dict(zip(ids, await plan.resolve(run, people, reads.people_layout), strict=True))
        for plan in reads.coverage:
            objects[id(plan)] = dict(enumerate(await plan.resolve(run, coverage, reads.coverage_layout)))
        for plan in reads.links:
            objects[id(plan)] = dict(enumerate(await plan.resolve(run, links, reads.link_layout)))
        for asked, shared in reads.shared.items():
            objects[asked] = objects[shared]
        account_plan = self.account_plan()
        accounts = await account_plan.by_id(run, account_ids) if account_plan is not None else {}

        by_account: dict[int, _Account] = {a: _Account() for a in account_ids}
        for row in people:
            by_account[row[PERSON_ACCOUNT]].people.append(row)
        for j, row in enumerate(coverage):
            by_account[row[1]].coverage.append(j)
        for j, row in enumerate(links):
            by_account[row[1]].links.append(j)
        built = _Builder(objects, roles, coverage, links)
        return {a: answer_of(self.fields, MapView(built, by_account[a], accounts.get(a))) for a in account_ids}  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Reads:
    what: Reads
    people: list[ObjectPlan]
    people_layout: Layout
    coverage: list[ObjectPlan]
    coverage_layout: Layout
    links: list[ObjectPlan]
    link_layout: Layout
    shared: dict[int, int]  # id of a people plan asked -> id of the plan that answers for it


@dataclass
class _Account:
    people: list[Row] = field(default_factory=list)
    coverage: list[int] = field(default_factory=list)  # positions in the coverage rows
    links: list[int] = field(default_factory=list)  # positions in the link rows


class _Builder:
    """Makes each account's map from the rows read for all of them. What a node and a line answer is made
    into one function each (a dict display, as objects are: `object_builder`) before the first account."""

    def __init__(
        self, objects: dict[int, dict[Any, Any]], roles: dict[int, list[str]], coverage: list[Row], links: list[Row]
    ) -> None:
        self.objects, self.roles, self.coverage_rows, self.link_rows = objects, roles, coverage, links
        # Coverage rows by (account, stakeholder): a node shows the coverage its own account records.
        self.covering: dict[tuple[int, int], list[int]] = defaultdict(list)
        for j, row in enumerate(coverage):
            self.covering[row[1], row[2]].append(j)
        self.strengths = [STRENGTH[row[4]] for row in coverage]
        self.makers: dict[int, Callable[[Row], dict[str, Any]]] = {}

    def maker(self, rows: MapRows) -> Callable[[Row], dict[str, Any]]:
        found = self.makers.get(id(rows))
        if found is None:
            found = self.makers[id(rows)] = object_builder([(key, part.getter(self)) for key, part in rows.fields])
        return found

    def coverage_of(self, row: Row) -> list[tuple[int, CoverageStrength]]:
        """(member id, strength) of the coverage a stakeholder row's own account records of them."""
        rows, strengths = self.coverage_rows, self.strengths
        return [(rows[j][3], strengths[j]) for j in self.covering.get((row[PERSON_ACCOUNT], row[PERSON_ID]), ())]

    def lines(self, account: _Account) -> list[tuple[Any, ...]]:
        """The account's lines in map order (domain.relationship_map.map_lines), as (kind, source id, target id,
        strength, position of its influence link or None)."""
        links = [self.link_rows[j] for j in account.links]
        return [
            (kind.name, source, target, None, None) if j is None else (kind.name, source, target, links[j][4], account.links[j])
            for kind, source, target, j in map_lines(
                ((row[PERSON_ID], row[PERSON_MANAGER]) for row in account.people), ((row[2], row[3]) for row in links)
            )
        ]

    def summary(self, account: _Account) -> MapSummary:
        roles = self.roles
        people = [
            MapPerson(row[PERSON_ID], tuple(ROLE[r] for r in roles.get(row[PERSON_ID], ())),
                      ATTITUDE[row[PERSON_ATTITUDE]], INFLUENCE[row[PERSON_INFLUENCE]])
            for row in account.people
        ]
        coverage, strengths = self.coverage_rows, self.strengths
        known = [MapCoverage(coverage[j][2], coverage[j][3], strengths[j]) for j in account.coverage]
        return summarize(people, known)

    def influence_paths(self, account: _Account) -> InfluencePaths:
        """The account's paths of influence (domain.influence_paths); a step's `link` is its position among the
        account's own links."""
        roles, coverage, strengths = self.roles, self.coverage_rows, self.strengths
        held = coverage_by_person((coverage[j][2], strengths[j]) for j in account.coverage)
        people = [
            PathPerson(
                row[PERSON_ID],
                row[PERSON_MANAGER],
                ATTITUDE[row[PERSON_ATTITUDE]],
                held.get(row[PERSON_ID], ()),
                BuyingRole.DECISION_MAKER.name in roles.get(row[PERSON_ID], ()),
            )
            for row in account.people
        ]
        links = [self.link_rows[j] for j in account.links]
        return influence_paths(people, [PathLink(row[2], row[3], LINK_STRENGTH[row[4]]) for row in links])


@dataclass(eq=False)
class AccountMaps(FieldPlan):
    """`Account.relationshipMap`: the maps of every account row."""

    plan: MapPlan

    def nested(self) -> Iterator[FieldPlan]:
        return self.plan.walk()

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        maps = await self.plan.build(run, unique(row[0] for row in rows))
        return lambda row: maps[row[0]]


@dataclass(eq=False)
class MapOf(WithArguments):
    """`relationshipMap(accountId)`: the map of one account; null when it does not exist or the caller may not read it."""

    binder: Binder
    plan: MapPlan

    def nested(self) -> Iterator[FieldPlan]:
        return self.plan.walk()

    async def load(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        account_id = self.arguments(run)
        found = None
        if await visible_account(run, account_id, self.plan.account_plan()):
            found = (await self.plan.build(run, [account_id]))[account_id]
        return lambda _row: found
