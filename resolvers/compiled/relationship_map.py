"""Relationship maps in a plan: the maps of many accounts from one statement per kind of row.

The analysis is domain.relationship_map's; this module only feeds it tuples
and loads nothing the query does not ask for (no influence lines without
`edges`, no coverage without the fields that read it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from domain.relationship_map import (
    MapCoverage,
    MapPerson,
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
    Stakeholder,
    StakeholderBuyingRole,
)
from resolvers.compiled.objects import (
    Binder,
    FieldPlan,
    Getter,
    Layout,
    ObjectPlan,
    Row,
    Run,
    ValueList,
    WithArguments,
    object_builder,
    unique,
)
from resolvers.compiled.roots import visible_account

# Fields of a map node, an edge and the summary that need the coverage rows or the buying roles.
NEEDS_COVERAGE = {"coveredByCount", "strongestCoverage", "coverage", "uncoveredDecisionMakers",
                  "coveredStakeholderCount", "singleThreaded"}
NEEDS_ROLES = {"buyingRoles", "stakeholdersByRole", "uncoveredDecisionMakers"}
# Enum members by the names rows hold (a plain lookup: `Enum[name]` costs several times more).
ROLE, ATTITUDE, INFLUENCE, STRENGTH = (e.__members__ for e in (BuyingRole, Attitude, Influence, CoverageStrength))
# Where `build` puts the stakeholder columns a map node answers with.
PEOPLE_COLUMN = {"attitude": 2, "influence": 3, "decisionLevel": 4}
BUYING_ROLES = ValueList(StakeholderBuyingRole.stakeholder_id, StakeholderBuyingRole.role, BuyingRole)


@dataclass(eq=False)
class MapPlan:
    """What is asked of a relationship map, in answer order: parts tagged account, nodes, edges, coverage,
    summary or typename; nodes, edges and summary hold their own (key, (tag, ...)) lists."""

    parts: list[tuple[str, tuple[Any, ...]]]
    stakeholder_plans: list[ObjectPlan] = field(default_factory=list)

    def plans(self) -> Iterator[ObjectPlan]:
        """Every object plan inside the map."""
        for _, (tag, *args) in self.parts:
            if tag in ("account", "coverage"):
                yield args[0]
            elif tag in ("nodes", "edges", "summary"):
                for _, (_, *inner) in args[0]:
                    if inner and isinstance(inner[0], ObjectPlan):
                        yield inner[0]

    def account_plan(self) -> ObjectPlan | None:
        return next((args[0] for _, (tag, *args) in self.parts if tag == "account"), None)

    def walk(self) -> Iterator[FieldPlan]:
        for plan in self.plans():
            yield from plan.walk()

    def _tags(self) -> set[str]:
        tags = set()
        for _, (tag, *args) in self.parts:
            tags.add(tag)
            if tag in ("nodes", "edges", "summary"):
                tags.update(inner_tag for _, (inner_tag, *_) in args[0])
        return tags

    @cached_property
    def reads(self) -> _Reads:
        """What the plan reads: its parts' tags, and the plans and columns of each kind of row (made once)."""
        coverage_plans = [args[0] for _, (tag, *args) in self.parts if tag == "coverage"]
        coverage_plans += [args[0] for _, (tag, *args) in self._inner("nodes") if tag == "coverage"]
        link_plans = [args[0] for _, (tag, *args) in self._inner("edges") if tag == "influenceLink"]
        return _Reads(
            self._tags(),
            Layout(
                [Stakeholder.id, Stakeholder.account_id, Stakeholder.attitude, Stakeholder.influence,
                 Stakeholder.decision_level, Stakeholder.reports_to_id,
                 *(c for plan in self.stakeholder_plans for c in plan.needs())]
            ),
            coverage_plans,
            Layout(
                [Coverage.id, Coverage.account_id, Coverage.stakeholder_id, Coverage.member_id, Coverage.strength,
                 *(c for plan in coverage_plans for c in plan.needs())]
            ),
            link_plans,
            Layout(
                [InfluenceLink.id, InfluenceLink.account_id, InfluenceLink.source_id, InfluenceLink.target_id,
                 InfluenceLink.strength, *(c for plan in link_plans for c in plan.needs())]
            ),
        )

    async def build(self, run: Run, account_ids: list[int]) -> dict[int, dict[str, Any]]:
        """The maps of these accounts (which the caller may read), by account id."""
        reads = self.reads
        tags, people_layout = reads.tags, reads.people_layout
        coverage_plans, coverage_layout = reads.coverage_plans, reads.coverage_layout
        link_plans, link_layout = reads.link_plans, reads.link_layout
        people = await run.rows_among(
            self, "people", people_layout.labelled, Stakeholder.account_id, account_ids,
            (Stakeholder.name, Stakeholder.id),
        ) if account_ids else []
        ids = [row[0] for row in people]
        roles = await BUYING_ROLES.load(run, ids) if tags & NEEDS_ROLES else {}
        coverage: list[Row] = []
        if tags & NEEDS_COVERAGE:
            coverage = await run.rows_among(
                self, "coverage", coverage_layout.labelled, Coverage.account_id, account_ids, (Coverage.id,)
            )
        links: list[Row] = []
        if "edges" in tags:
            links = await run.rows_among(
                self, "links", link_layout.labelled, InfluenceLink.account_id, account_ids, (InfluenceLink.id,)
            )
        objects: dict[int, dict[Any, Any]] = {}
        for plan in self.stakeholder_plans:
            objects[id(plan)] = dict(zip(ids, await plan.resolve(run, people, people_layout), strict=True))
        for plan in coverage_plans:
            objects[id(plan)] = dict(zip(range(len(coverage)), await plan.resolve(run, coverage, coverage_layout), strict=True))
        for plan in link_plans:
            objects[id(plan)] = dict(zip(range(len(links)), await plan.resolve(run, links, link_layout), strict=True))
        accounts: dict[int, dict[str, Any]] = {}
        for _, (tag, *args) in self.parts:
            if tag == "account":
                accounts = await args[0].by_id(run, account_ids)

        by_account: dict[int, _Account] = {a: _Account() for a in account_ids}
        for row in people:
            by_account[row[1]].people.append(row)
        for j, row in enumerate(coverage):
            by_account[row[1]].coverage.append(j)
        for j, row in enumerate(links):
            by_account[row[1]].links.append(j)
        builder = _Builder(self, objects, roles, coverage, links)
        return {a: builder.map(by_account[a], accounts.get(a)) for a in account_ids}

    def _inner(self, tag: str) -> list[tuple[str, tuple[Any, ...]]]:
        return [item for _, (t, *args) in self.parts if t == tag for item in args[0]]


@dataclass(frozen=True)
class _Reads:
    tags: set[str]
    people_layout: Layout
    coverage_plans: list[ObjectPlan]
    coverage_layout: Layout
    link_plans: list[ObjectPlan]
    link_layout: Layout


@dataclass
class _Account:
    people: list[Row] = field(default_factory=list)
    coverage: list[int] = field(default_factory=list)  # positions in the coverage rows
    links: list[int] = field(default_factory=list)  # positions in the link rows


class _Builder:
    """Makes each account's map from the rows read for all of them. What a node and an edge answer is made
    into one function each (a dict display, as objects are: `object_builder`) before the first account."""

    def __init__(
        self, plan: MapPlan, objects: dict[int, dict[Any, Any]], roles: dict[int, list[str]], coverage: list[Row],
        links: list[Row],
    ) -> None:
        self.plan, self.objects, self.roles, self.coverage, self.links = plan, objects, roles, coverage, links
        # Coverage rows by (account, stakeholder): a node shows the coverage its own account records.
        self.covering: dict[tuple[int, int], list[int]] = defaultdict(list)
        for j, row in enumerate(coverage):
            self.covering[row[1], row[2]].append(j)
        self.strengths = [STRENGTH[row[4]] for row in coverage]
        self.node = {key: self._node_maker(args[0]) for key, (tag, *args) in plan.parts if tag == "nodes"}
        self.edge = {key: self._edge_maker(args[0]) for key, (tag, *args) in plan.parts if tag == "edges"}

    def map(self, account: _Account, account_object: Any) -> dict[str, Any]:
        answer: dict[str, Any] = {}
        summary = None
        for key, (tag, *args) in self.plan.parts:
            if tag == "account":
                answer[key] = account_object
            elif tag == "nodes":
                answer[key] = list(map(self.node[key], account.people))
            elif tag == "edges":
                answer[key] = list(map(self.edge[key], self._lines(account)))
            elif tag == "coverage":
                found = self.objects[id(args[0])]
                answer[key] = [found[j] for j in account.coverage]
            elif tag == "summary":
                summary = summary or self._summary(account)
                answer[key] = self._summary_answer(args[0], summary)
            else:
                answer[key] = args[0]
        return answer

    def _node_maker(self, parts: list[Any]) -> Callable[[Row], dict[str, Any]]:
        """A node from a stakeholder row (laid out as `MapPlan.build` reads them)."""
        covering, coverage, roles, strengths = self.covering, self.coverage, self.roles, self.strengths
        fields: list[tuple[str, Getter | int]] = []
        for key, (tag, *args) in parts:
            if tag in PEOPLE_COLUMN:
                fields.append((key, PEOPLE_COLUMN[tag]))
            elif tag == "stakeholder":
                fields.append((key, _from(self.objects[id(args[0])])))
            elif tag == "buyingRoles":
                fields.append((key, lambda row: roles.get(row[0], [])))
            elif tag == "coveredByCount":
                fields.append((key, lambda row: len(
                    {coverage[j][3] for j in covering.get((row[1], row[0]), ()) if coverage[j][4] != "NONE"}
                )))
            elif tag == "strongestCoverage":
                fields.append((key, lambda row: _name(strongest_coverage(strengths[j] for j in covering.get((row[1], row[0]), ())))))
            elif tag == "coverage":
                found = self.objects[id(args[0])]
                fields.append((key, lambda row, found=found: [found[j] for j in covering.get((row[1], row[0]), ())]))
            else:
                fields.append((key, _constant(args[0])))
        return object_builder(fields)

    def _edge_maker(self, parts: list[Any]) -> Callable[[Row], dict[str, Any]]:
        """An edge from a line (kind, source id, target id, strength, position of its influence link or None)."""
        fields: list[tuple[str, Getter | int]] = []
        for key, (tag, *args) in parts:
            if tag == "kind":
                fields.append((key, 0))
            elif tag == "source":
                found = self.objects[id(args[0])]
                fields.append((key, lambda line, found=found: found[line[1]]))
            elif tag == "target":
                found = self.objects[id(args[0])]
                fields.append((key, lambda line, found=found: found[line[2]]))
            elif tag == "strength":
                fields.append((key, 3))
            elif tag == "influenceLink":
                found = self.objects[id(args[0])]
                fields.append((key, lambda line, found=found: None if line[4] is None else found[line[4]]))
            else:
                fields.append((key, _constant(args[0])))
        return object_builder(fields)

    def _lines(self, account: _Account) -> list[tuple[Any, ...]]:
        """The account's reporting lines, then its influence lines, between people on its map."""
        on_map = {row[0] for row in account.people}
        lines: list[tuple[Any, ...]] = [
            ("REPORTS_TO", row[0], row[5], None, None) for row in account.people if row[5] in on_map
        ]
        for j in account.links:
            _, _, source, target, strength = self.links[j][:5]
            if source in on_map and target in on_map:
                lines.append(("INFLUENCES", source, target, strength, j))
        return lines

    def _summary(self, account: _Account) -> Any:
        roles = self.roles
        people = [
            MapPerson(row[0], tuple(ROLE[r] for r in roles.get(row[0], ())), ATTITUDE[row[2]], INFLUENCE[row[3]])
            for row in account.people
        ]
        coverage, strengths = self.coverage, self.strengths
        known = [MapCoverage(coverage[j][2], coverage[j][3], strengths[j]) for j in account.coverage]
        return summarize(people, known)

    def _summary_answer(self, parts: list[Any], summary: Any) -> dict[str, Any]:
        answer: dict[str, Any] = {}
        for key, (tag, *args) in parts:
            if tag == "stakeholdersByRole":
                answer[key] = [
                    {k: (role.name if part == "role" else count if part == "count" else part) for k, part in args[0]}
                    for role, count in summary.role_counts.items()
                ]
            elif tag in ("uncoveredDecisionMakers", "influentialOpponents"):
                ids = summary.uncovered_decision_maker_ids if tag == "uncoveredDecisionMakers" else summary.influential_opponent_ids
                found = self.objects[id(args[0])]
                answer[key] = [found[i] for i in ids]
            elif tag == "coveredStakeholderCount":
                answer[key] = summary.covered_stakeholder_count
            elif tag == "singleThreaded":
                answer[key] = summary.single_threaded
            elif tag == "supportIndex":
                answer[key] = summary.support_index
            else:
                answer[key] = args[0]
        return answer


def _from(found: dict[Any, Any]) -> Getter:
    return lambda row: found[row[0]]


def _constant(value: Any) -> Getter:
    return lambda _row: value


def _name(value: Any) -> str | None:
    return None if value is None else value.name  # type: ignore[no-any-return]


@dataclass(eq=False)
class AccountMaps(FieldPlan):
    """`Account.relationshipMap`: the maps of every account row."""

    plan: MapPlan

    def nested(self) -> Iterator[FieldPlan]:
        return self.plan.walk()

    async def prepare(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        maps = await self.plan.build(run, unique(row[0] for row in rows))
        return lambda row: maps[row[0]]


@dataclass(eq=False)
class MapOf(WithArguments):
    """`relationshipMap(accountId)`: the map of one account; null when it does not exist or the caller may not read it."""

    binder: Binder
    plan: MapPlan

    def nested(self) -> Iterator[FieldPlan]:
        return self.plan.walk()

    async def prepare(self, run: Run, rows: list[Row], layout: Layout) -> Getter:
        account_id = self.arguments(run)
        found = None
        if await visible_account(run, account_id, self.plan.account_plan()):
            found = (await self.plan.build(run, [account_id]))[account_id]
        return lambda _row: found
