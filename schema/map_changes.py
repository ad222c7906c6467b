"""What changed on a relationship map between two days (`RelationshipMap.changesSince`)."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from domain import map_changes as model
from resolvers.stakeholders.map_history import state_of
from resolvers.stakeholders.relationship_map import AccountMap
from schema.common import context, member_of
from schema.enums import Attitude, BuyingRole, CoverageStrength, Influence, LinkStrength
from schema.relationship_map import RelationshipMapEdgeKind
from schema.stakeholder import Stakeholder
from schema.team import TeamMember


@strawberry.type(description="A stakeholder whose attitude toward us changed.")
class AttitudeChange:
    stakeholder: Stakeholder = strawberry.field(description="The stakeholder.")
    before: Attitude = strawberry.field(description="The attitude on the earlier day.")  # type: ignore[valid-type]
    after: Attitude = strawberry.field(description="The attitude on the later day.")  # type: ignore[valid-type]


@strawberry.type(description="A stakeholder whose weight in the decision changed.")
class InfluenceChange:
    stakeholder: Stakeholder = strawberry.field(description="The stakeholder.")
    before: Influence = strawberry.field(description="The influence on the earlier day.")  # type: ignore[valid-type]
    after: Influence = strawberry.field(description="The influence on the later day.")  # type: ignore[valid-type]


@strawberry.type(description="A stakeholder whose buying roles changed.")
class BuyingRolesChange:
    stakeholder: Stakeholder = strawberry.field(description="The stakeholder.")
    before: list[BuyingRole] = strawberry.field(description="The roles on the earlier day.")  # type: ignore[valid-type]
    after: list[BuyingRole] = strawberry.field(description="The roles on the later day.")  # type: ignore[valid-type]


@strawberry.type(description="How well one of our people knows a stakeholder, then and now: gained (before null), lost (after null) or changed.")
class CoverageChange:
    stakeholder: Stakeholder = strawberry.field(description="The stakeholder.")
    member_id: strawberry.Private[int]
    before: CoverageStrength | None = strawberry.field(description="On the earlier day; null: no coverage.")  # type: ignore[valid-type]
    after: CoverageStrength | None = strawberry.field(description="On the later day; null: no coverage.")  # type: ignore[valid-type]

    @strawberry.field(description="Our team member; null if deleted since.")
    async def member(self, info: Info) -> TeamMember | None:
        return await member_of(info, self.member_id)  # type: ignore[no-any-return]


@strawberry.type(description="A line drawn or removed between two stakeholders.")
class RelationshipMapLine:
    kind: RelationshipMapEdgeKind = strawberry.field(description="Org-chart line (REPORTS_TO) or influence line (INFLUENCES).")  # type: ignore[valid-type]
    source: Stakeholder = strawberry.field(description="Who reports to, or sways, the target.")
    target: Stakeholder = strawberry.field(description="The manager, or the one swayed.")
    strength: LinkStrength | None = strawberry.field(description="How strong an influence line is; null for the org chart.")  # type: ignore[valid-type]


@strawberry.type(
    description=(
        "How a map changed from one day to a later one. Changes are listed by stakeholder; a line whose strength"
        " changed is removed (old strength) and added (new strength)."
    )
)
class RelationshipMapChanges:
    since: date = strawberry.field(description="The earlier day (its end).")
    until: date = strawberry.field(description="The later day: the map's `asOf`, or today.")
    joined: list[Stakeholder] = strawberry.field(description="On the later map only.")
    left: list[Stakeholder] = strawberry.field(description="On the earlier map only (as they were then).")
    attitudes: list[AttitudeChange] = strawberry.field(description="Attitudes that changed.")
    influences: list[InfluenceChange] = strawberry.field(description="Influence that changed.")
    buying_roles: list[BuyingRolesChange] = strawberry.field(description="Buying roles that changed.")
    coverage: list[CoverageChange] = strawberry.field(description="Coverage gained, lost or changed, by stakeholder then member.")
    lines_added: list[RelationshipMapLine] = strawberry.field(description="Lines on the later map only.")
    lines_removed: list[RelationshipMapLine] = strawberry.field(description="Lines on the earlier map only.")
    support_index_before: float | None = strawberry.field(description="The support index on the earlier day.")
    support_index_after: float | None = strawberry.field(description="The support index on the later day.")


async def map_changes(info: Info, earlier: AccountMap, later: AccountMap, since: date, until: date) -> RelationshipMapChanges:
    ctx = context(info)
    before, after = await state_of(ctx, earlier), await state_of(ctx, later)
    found = model.changes(before, after)
    people: dict[int, Any] = {s.id: s for s in earlier.stakeholders}
    people.update({s.id: s for s in later.stakeholders})
    then = {s.id: s for s in earlier.stakeholders}

    def line(found_line: model.Line) -> RelationshipMapLine:
        return RelationshipMapLine(
            kind=found_line.kind, source=people[found_line.source_id], target=people[found_line.target_id], strength=found_line.strength
        )

    return RelationshipMapChanges(
        since=since,
        until=until,
        joined=[people[i] for i in found.joined],
        left=[then[i] for i in found.left],
        attitudes=[AttitudeChange(stakeholder=people[c.key], before=c.before, after=c.after) for c in found.attitudes],
        influences=[InfluenceChange(stakeholder=people[c.key], before=c.before, after=c.after) for c in found.influences],
        buying_roles=[BuyingRolesChange(stakeholder=people[c.key], before=list(c.before or ()), after=list(c.after or ())) for c in found.roles],
        coverage=[
            CoverageChange(stakeholder=people[c.key[0]], member_id=c.key[1], before=c.before, after=c.after) for c in found.coverage
        ],
        lines_added=[line(x) for x in found.lines_added],
        lines_removed=[line(x) for x in found.lines_removed],
        support_index_before=(await earlier.summary(ctx, roles=False)).support_index,
        support_index_after=(await later.summary(ctx, roles=False)).support_index,
    )
