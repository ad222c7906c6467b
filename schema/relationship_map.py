"""The relationship map (组织支持度分析): one account's stakeholders as a graph, with its gaps summarised."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from domain.base import today
from domain import account as account_model
from domain import influence_paths as paths
from domain import relationship_map as analysis
from resolvers.ids import argument_id
from resolvers.stakeholders import reads as stakeholder_reads
from resolvers.stakeholders import map_history as history
from resolvers.stakeholders import relationship_map as reads
from schema.common import LIST_SIZE, ObjectId, context
from schema.enums import (
    Attitude,
    BuyingRole,
    CoverageStrength,
    DecisionLevel,
    Influence,
    LinkStrength,
)
from schema.stakeholder import Coverage, InfluenceLink, Stakeholder

if TYPE_CHECKING:
    from schema.account import Account
    from schema.map_changes import RelationshipMapChanges
    from schema.stakeholder_facts import MapFactCounts

RelationshipMapEdgeKind = strawberry.enum(
    analysis.EdgeKind,
    name="RelationshipMapEdgeKind",
    description="REPORTS_TO: the source reports to the target (org chart). INFLUENCES: the source sways the target.",
)


@strawberry.type(description="A stakeholder on the map, with what a planner reads at a glance.")
class RelationshipMapNode:
    node: strawberry.Private[reads.MapNode]

    @strawberry.field(description="The stakeholder.")
    def stakeholder(self) -> Stakeholder:
        return self.node.stakeholder  # type: ignore[return-value]

    @strawberry.field(description="Roles in the buying decision.")
    async def buying_roles(self, info: Info) -> list[BuyingRole]:  # type: ignore[valid-type]
        if self.node.roles is not None:
            return self.node.roles
        return await stakeholder_reads.buying_roles(context(info), self.node.stakeholder.id)

    @strawberry.field(description="Attitude toward us.")
    def attitude(self) -> Attitude:  # type: ignore[valid-type]
        return self.node.stakeholder.attitude

    @strawberry.field(description="Weight in the decision.")
    def influence(self) -> Influence:  # type: ignore[valid-type]
        return self.node.stakeholder.influence

    @strawberry.field(description="Level in the customer's organisation.")
    def decision_level(self) -> DecisionLevel:  # type: ignore[valid-type]
        return self.node.stakeholder.decision_level

    @strawberry.field(description="How many of our people know this stakeholder (coverage of NONE does not count).")
    def covered_by_count(self) -> int:
        return self.node.covered_by_count

    @strawberry.field(description="The best relationship any of our people has with this stakeholder; null if nobody is linked.")
    def strongest_coverage(self) -> CoverageStrength | None:  # type: ignore[valid-type]
        return self.node.strongest_coverage

    @strawberry.field(description="Our people linked to this stakeholder and how well they know them.")
    def coverage(self) -> list[Coverage]:
        return self.node.coverage  # type: ignore[return-value]


@strawberry.type(description="A line on the map between two stakeholders of the account.")
class RelationshipMapEdge:
    edge: strawberry.Private[reads.MapEdge]

    @strawberry.field(description="Org-chart line (REPORTS_TO) or influence line (INFLUENCES).")
    def kind(self) -> RelationshipMapEdgeKind:  # type: ignore[valid-type]
        return self.edge.kind

    @strawberry.field(description="For REPORTS_TO the report, for INFLUENCES the influencer.")
    def source(self) -> Stakeholder:
        return self.edge.source  # type: ignore[return-value]

    @strawberry.field(description="For REPORTS_TO the manager, for INFLUENCES the influenced person.")
    def target(self) -> Stakeholder:
        return self.edge.target  # type: ignore[return-value]

    @strawberry.field(description="How strong the influence is; null for REPORTS_TO.")
    def strength(self) -> LinkStrength | None:  # type: ignore[valid-type]
        return self.edge.strength

    @strawberry.field(description="The influence link behind an INFLUENCES line, to change or remove it; null for REPORTS_TO.")
    def influence_link(self) -> InfluenceLink | None:
        return self.edge.link  # type: ignore[return-value]


InfluencePathStepKind = strawberry.enum(
    paths.StepKind,
    name="InfluencePathStepKind",
    description=(
        "INFLUENCES: along an influence line, from the influencer to the influenced. REPORTS_TO: from a report to "
        "their manager. MANAGES: from a manager to their report."
    ),
)
InfluencePathStart = strawberry.enum(
    paths.StartReason,
    name="InfluencePathStart",
    description="Why a path may start at a stakeholder: one of our people knows them GOOD or better, or they are a champion.",
)


@strawberry.type(description="One step of a path of influence: a line of the map, followed one way.")
class InfluencePathStep:
    step: strawberry.Private[paths.Step]
    account_map: strawberry.Private[reads.AccountMap]

    @strawberry.field(description="Which line the step follows, and which way.")
    def kind(self) -> InfluencePathStepKind:  # type: ignore[valid-type]
        return self.step.kind

    @strawberry.field(description="Who sways.")
    def source(self) -> Stakeholder:
        return self.account_map.people([self.step.source_id])[0]  # type: ignore[return-value]

    @strawberry.field(description="Who is swayed.")
    def target(self) -> Stakeholder:
        return self.account_map.people([self.step.target_id])[0]  # type: ignore[return-value]

    @strawberry.field(description="The influence line's strength; MODERATE for a reporting line.")
    def strength(self) -> LinkStrength:  # type: ignore[valid-type]
        return self.step.strength

    @strawberry.field(description="What the step counts in the path's strength: WEAK 0.3, MODERATE 0.6, STRONG 0.9.")
    def factor(self) -> float:
        return float(paths.STEP_STRENGTH[self.step.strength])

    @strawberry.field(description="The influence link the step follows; null for a reporting line.")
    def influence_link(self) -> InfluenceLink | None:
        return None if self.step.link is None else self.account_map.links[self.step.link]  # type: ignore[return-value]


@strawberry.type(description="The strongest path of influence from someone on our side to one decision maker.")
class InfluencePath:
    path: strawberry.Private[paths.InfluencePath]
    account_map: strawberry.Private[reads.AccountMap]

    @strawberry.field(description="The decision maker the path reaches.")
    def decision_maker(self) -> Stakeholder:
        return self.account_map.people([self.path.decision_maker_id])[0]  # type: ignore[return-value]

    @strawberry.field(description="Where the path starts: a stakeholder we know well, or a champion (the decision maker themselves when the path has no steps).")
    def start(self) -> Stakeholder:
        return self.account_map.people([self.path.start_id])[0]  # type: ignore[return-value]

    @strawberry.field(description="Why the path may start there.")
    def start_reasons(self) -> list[InfluencePathStart]:  # type: ignore[valid-type]
        return list(self.path.start_reasons)

    @strawberry.field(
        description="The steps, from the start to the decision maker (at most six); none when we reach the decision maker directly.",
        metadata={LIST_SIZE: paths.MAX_STEPS},
    )
    def steps(self) -> list[InfluencePathStep]:
        return [InfluencePathStep(step=step, account_map=self.account_map) for step in self.path.steps]

    @strawberry.field(description="The product of the steps' factors, from 0 to 1 (1 for a path of no steps), to 6 decimals.")
    def strength(self) -> float:
        return round(float(self.path.strength), 6)

    @strawberry.field(description="The number of steps.")
    def length(self) -> int:
        return len(self.path.steps)


@strawberry.type(description="How many stakeholders hold one buying role.")
class BuyingRoleCount:
    role: BuyingRole = strawberry.field(description="The buying role.")  # type: ignore[valid-type]
    count: int = strawberry.field(description="Stakeholders holding it; a person with several roles counts for each.")


@strawberry.type(description="The gaps and the balance of support an account planner looks for on the map.")
class RelationshipMapSummary:
    account_map: strawberry.Private[reads.AccountMap]

    @strawberry.field(description="Stakeholders per buying role, for every role (zero included), in the enum's order.")
    async def stakeholders_by_role(self, info: Info) -> list[BuyingRoleCount]:
        counts = (await self.account_map.summary(context(info))).role_counts
        return [BuyingRoleCount(role=role, count=count) for role, count in counts.items()]

    @strawberry.field(description="Decision makers none of our people know (coverage of NONE does not count).")
    async def uncovered_decision_makers(self, info: Info) -> list[Stakeholder]:
        summary = await self.account_map.summary(context(info))
        return self.account_map.people(summary.uncovered_decision_maker_ids)  # type: ignore[return-value]

    @strawberry.field(
        description="Decision makers no path of influence reaches from a stakeholder we know well or a champion (see `RelationshipMap.influencePaths`)."
    )
    async def unreachable_decision_makers(self, info: Info) -> list[Stakeholder]:
        found = await self.account_map.influence_paths(context(info))
        return self.account_map.people(found.unreachable_ids)  # type: ignore[return-value]

    @strawberry.field(
        description="How much of what the map says about its people is verified, stale or unverified (as recorded today, also on a past map)."
    )
    async def facts(self, info: Info) -> Annotated[MapFactCounts, strawberry.lazy("schema.stakeholder_facts")]:
        from schema.stakeholder_facts import map_fact_counts

        return await map_fact_counts(info, self.account_map)

    @strawberry.field(description="Highly influential stakeholders who are skeptics or opponents.")
    async def influential_opponents(self, info: Info) -> list[Stakeholder]:
        summary = await self.account_map.summary(context(info), roles=False)
        return self.account_map.people(summary.influential_opponent_ids)  # type: ignore[return-value]

    @strawberry.field(description="Stakeholders at least one of our people knows.")
    async def covered_stakeholder_count(self, info: Info) -> int:
        return (await self.account_map.summary(context(info), roles=False)).covered_stakeholder_count

    @strawberry.field(description="True when we know at most one stakeholder: the whole relationship hangs on one person.")
    async def single_threaded(self, info: Info) -> bool:
        return (await self.account_map.summary(context(info), roles=False)).single_threaded

    @strawberry.field(
        description=(
            "Organisational support: the influence-weighted mean attitude (weights HIGH 3, MEDIUM 2, LOW 1; "
            "attitudes CHAMPION +2 to OPPONENT -2), from -2 to +2; null when the account has no stakeholders."
        )
    )
    async def support_index(self, info: Info) -> float | None:
        return (await self.account_map.summary(context(info), roles=False)).support_index


@strawberry.type(description="One account's stakeholders as a graph: org chart, influence lines, our coverage and attitudes.")
class RelationshipMap:
    account_map: strawberry.Private[reads.AccountMap]

    @strawberry.field(description="The account the map is of.")
    def account(self) -> Annotated[Account, strawberry.lazy("schema.account")]:
        return self.account_map.account  # type: ignore[return-value]

    @strawberry.field(description="Every stakeholder of the account, by name.")
    def nodes(self) -> list[RelationshipMapNode]:
        return [RelationshipMapNode(node=n) for n in self.account_map.nodes()]

    @strawberry.field(description="Reporting lines first, then influence lines.")
    def edges(self) -> list[RelationshipMapEdge]:
        return [RelationshipMapEdge(edge=e) for e in self.account_map.edges()]

    @strawberry.field(description="Every coverage of the account's stakeholders by our people.")
    def coverage(self) -> list[Coverage]:
        return self.account_map.coverage  # type: ignore[return-value]

    @strawberry.field(
        description=(
            "For each decision maker a path reaches, by name: the strongest path of influence from a stakeholder one "
            "of our people knows GOOD or better, or a champion, through influence lines and reporting lines (README, "
            "\"Influence paths\"). Decision makers no path reaches are `summary.unreachableDecisionMakers`."
        )
    )
    async def influence_paths(self, info: Info) -> list[InfluencePath]:
        found = await self.account_map.influence_paths(context(info))
        return [InfluencePath(path=path, account_map=self.account_map) for path in found.paths]

    @strawberry.field(description="Gaps and support at a glance.")
    def summary(self) -> RelationshipMapSummary:
        return RelationshipMapSummary(account_map=self.account_map)

    @strawberry.field(description="The day this map stood on (its end, UTC); null for the map as it stands.")
    def as_of(self) -> date | None:
        return self.account_map.as_of

    @strawberry.field(
        description=(
            "What changed from the end of `date` to this map (as of its `asOf`, or as it stands): who joined or left,"
            " attitudes, influence and roles, our coverage, lines. `date` is not after this map's day nor before the"
            " account existed."
        )
    )
    async def changes_since(
        self, info: Info, date: Annotated[date, strawberry.argument(description="The earlier day.")]
    ) -> Annotated[RelationshipMapChanges, strawberry.lazy("schema.map_changes")]:
        from schema.map_changes import map_changes

        ctx, until = context(info), self.account_map.as_of or today()
        history.check_day(self.account_map.account, date, until, "date")
        earlier = await history.map_as_of(ctx, self.account_map.account, date)
        return await map_changes(info, earlier, self.account_map, date, until)


async def account_relationship_map(info: Info, account: account_model.Account) -> RelationshipMap:
    """`Account.relationshipMap`: the maps of all accounts on a page load together."""
    return RelationshipMap(account_map=await reads.load_map(context(info), account))


@strawberry.type
class RelationshipMapQuery:
    @strawberry.field(description="The relationship map of one account, archived or not; null if the account does not exist.")
    async def relationship_map(
        self,
        info: Info,
        account_id: ObjectId,
        as_of: Annotated[
            date | None,
            strawberry.argument(
                description=(
                    "The map as it stood at the end of this day (UTC): who was there, their attitudes, influence and"
                    " roles, the lines and our coverage; null for the map as it stands. Not in the future nor before"
                    " the account existed."
                )
            ),
        ] = None,
    ) -> RelationshipMap | None:
        ctx = context(info)
        found = await reads.load_map_of(ctx, argument_id(account_id, "Account", "accountId"))
        if found is None or as_of is None:
            return None if found is None else RelationshipMap(account_map=found)
        history.check_day(found.account, as_of, today(), "asOf")
        return RelationshipMap(account_map=await history.map_as_of(ctx, found.account, as_of))
