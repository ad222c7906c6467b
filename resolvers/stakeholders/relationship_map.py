"""One account's relationship map: its stakeholders, the lines between them and our coverage.

Everything is loaded per account id through batched loaders, so the maps of a
whole page of accounts cost the same handful of statements as the map of one.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from domain.account import Account
from domain.influence_paths import InfluencePaths, PathLink, PathPerson, coverage_by_person, influence_paths
from domain.relationship_map import (
    EdgeKind,
    MapCoverage,
    covered_by_count,
    map_lines,
    MapPerson,
    MapSummary,
    strongest_coverage,
    summarize,
)
from domain.stakeholder import (
    BuyingRole,
    Coverage,
    CoverageStrength,
    InfluenceLink,
    LinkStrength,
    Stakeholder,
)
from resolvers.access import load_visible
from resolvers.context import RequestContext
from resolvers.loaders import by_id, children
from resolvers.stakeholders.reads import buying_roles_of


@dataclass(frozen=True)
class MapNode:
    """A stakeholder on the map with the coverage our people have of them."""

    stakeholder: Stakeholder
    coverage: list[Coverage]
    roles: list[BuyingRole] | None = None  # held on a past day (None: read as they are)

    @property
    def covered_by_count(self) -> int:
        return covered_by_count((c.member_id, c.strength) for c in self.coverage)

    @property
    def strongest_coverage(self) -> CoverageStrength | None:
        return strongest_coverage(c.strength for c in self.coverage)


@dataclass(frozen=True)
class MapEdge:
    """"Source reports to target" or "source influences target"."""

    kind: EdgeKind
    source: Stakeholder
    target: Stakeholder
    strength: LinkStrength | None = None
    link: InfluenceLink | None = None


@dataclass
class AccountMap:
    account: Account
    stakeholders: list[Stakeholder]
    links: list[InfluenceLink]
    coverage: list[Coverage]
    held: dict[int, list[BuyingRole]] | None = None  # buying roles on `as_of` (None: read as they are)
    as_of: date | None = None  # the day a past map stood on (None: the map as it stands)
    _summaries: dict[bool, MapSummary] = field(default_factory=dict, init=False, repr=False)
    _paths: InfluencePaths | None = field(default=None, init=False, repr=False)

    def _by_id(self) -> dict[int, Stakeholder]:
        return {s.id: s for s in self.stakeholders}

    def nodes(self) -> list[MapNode]:
        covering: dict[int, list[Coverage]] = defaultdict(list)
        for row in self.coverage:
            covering[row.stakeholder_id].append(row)
        held = self.held
        return [MapNode(s, covering.get(s.id, []), None if held is None else held.get(s.id, [])) for s in self.stakeholders]

    async def roles(self, ctx: RequestContext) -> dict[int, list[BuyingRole]]:
        """The buying roles of the map's people, by stakeholder id."""
        if self.held is not None:
            return self.held
        return await buying_roles_of(ctx, [s.id for s in self.stakeholders])

    def edges(self) -> list[MapEdge]:
        """The org chart first (in stakeholder order), then the influence lines."""
        people, links = self._by_id(), self.links
        lines = map_lines(((s.id, s.reports_to_id) for s in self.stakeholders), ((link.source_id, link.target_id) for link in links))
        return [
            MapEdge(kind, people[source], people[target])
            if j is None
            else MapEdge(kind, people[source], people[target], links[j].strength, links[j])
            for kind, source, target, j in lines
        ]

    async def summary(self, ctx: RequestContext, *, roles: bool = True) -> MapSummary:
        """The map's gaps and balance of support.

        Only the counts per role and the uncovered decision makers need the stakeholders' buying
        roles; with `roles=False` they are not read, and those two parts are left empty.
        """
        found = self._summaries.get(roles)
        if found is None:
            held = await self.roles(ctx) if roles else {}
            people = [MapPerson(s.id, tuple(held.get(s.id, ())), s.attitude, s.influence) for s in self.stakeholders]
            coverage = [MapCoverage(c.stakeholder_id, c.member_id, c.strength) for c in self.coverage]
            found = self._summaries[roles] = summarize(people, coverage)
        return found

    async def influence_paths(self, ctx: RequestContext) -> InfluencePaths:
        """The strongest path of influence to each decision maker (domain/influence_paths.py), worked out once."""
        if self._paths is None:
            held = await self.roles(ctx)
            coverage = coverage_by_person((c.stakeholder_id, c.strength) for c in self.coverage)
            people = [
                PathPerson(
                    s.id, s.reports_to_id, s.attitude, coverage.get(s.id, ()), BuyingRole.DECISION_MAKER in held.get(s.id, ())
                )
                for s in self.stakeholders
            ]
            links = [PathLink(link.source_id, link.target_id, link.strength) for link in self.links]
            self._paths = influence_paths(people, links)
        return self._paths

    def people(self, ids: list[int]) -> list[Stakeholder]:
        found = self._by_id()
        return [found[i] for i in ids if i in found]


async def load_map(ctx: RequestContext, account: Account) -> AccountMap:
    """The map of one account; sibling accounts asking at the same time share each SELECT."""
    stakeholders, links, coverage = await asyncio.gather(
        children(ctx, Stakeholder.account_id, order_by=[Stakeholder.name, Stakeholder.id]).load(account.id),
        children(ctx, InfluenceLink.account_id, order_by=[InfluenceLink.id]).load(account.id),
        children(ctx, Coverage.account_id, order_by=[Coverage.id]).load(account.id),
    )
    # Fields like `coverage { stakeholder }` then find the people already loaded.
    by_id(ctx, Stakeholder).prime_many({s.id: s for s in stakeholders})
    return AccountMap(account, stakeholders, links, coverage)


async def load_map_of(ctx: RequestContext, account_id: int) -> AccountMap | None:
    """The map of an account asked for by ID; None when it does not exist or the caller may not read it."""
    account = await load_visible(ctx, Account, account_id)
    return None if account is None else await load_map(ctx, account)
