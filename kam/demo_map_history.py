"""How the demo's relationship maps came to be, and how sure we are of them: changes dated in the past, written
to the audit trail as the API's mutations would have recorded them, so `relationshipMap(asOf:)` and
`changesSince` tell a story; and where some of the facts on a map came from.

Meridian Capital Bank, six months ago: no champion on the map, the risk officer an opponent, the analyst
reporting to him, and no path of influence to either decision maker. Since then Siobhan Murphy joined as head
of data governance (the analyst now reports to her), Amira came to know her well, she sways the risk officer,
and he warmed to a skeptic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any, NamedTuple

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from domain.audit import AuditChange, AuditEvent
from domain.stakeholder import Coverage, InfluenceLink, Stakeholder
from domain.stakeholder_facts import Confidence, FactSource, MapFact, StakeholderFact
from domain.team import TeamMember
from resolvers.audit import shape
from resolvers.ids import to_global_id


class MapEvent(NamedTuple):
    days_ago: int
    by: str  # the team member who made the change
    what: str  # JOINED (a person), MANAGER (a person's manager changed), ATTITUDE, LINE (an influence line), COVERAGE
    subject: str  # the person's key; "source target" for a LINE; "person member" for COVERAGE
    before: str | None = None  # the manager's key or the attitude before (MANAGER, ATTITUDE)


MAP_HISTORY: dict[str, tuple[MapEvent, ...]] = {
    "Meridian Capital Bank plc": (
        MapEvent(150, "amira", "JOINED", "governance"),
        MapEvent(150, "amira", "MANAGER", "analyst", "cro"),
        MapEvent(150, "amira", "LINE", "analyst governance"),
        MapEvent(120, "amira", "COVERAGE", "governance amira"),
        MapEvent(90, "amira", "LINE", "governance cro"),
        MapEvent(60, "amira", "ATTITUDE", "cro", "OPPONENT"),
    ),
}
# (person, fact, source, confidence, verified days ago) per account.
MAP_FACTS: dict[str, tuple[tuple[str, str, str, str, int], ...]] = {
    "Meridian Capital Bank plc": (
        ("governance", "ATTITUDE", "THE_PERSON", "CONFIRMED", 20),
        ("governance", "BUYING_ROLES", "MEETING", "CONFIRMED", 20),
        ("cro", "ATTITUDE", "COLLEAGUE", "LIKELY", 60),
        ("cro", "INFLUENCE", "PUBLIC", "CONFIRMED", 240),
        ("coo", "BUYING_ROLES", "PUBLIC", "CONFIRMED", 300),
        ("architecture", "ATTITUDE", "OUR_TEAM", "ASSUMED", 90),
    ),
}
OPERATIONS = {"JOINED": "stakeholderCreate", "MANAGER": "stakeholderUpdate", "ATTITUDE": "stakeholderUpdate",
              "LINE": "influenceLinkAdd", "COVERAGE": "coverageSet"}


def _created(row: Any) -> dict[str, Any]:
    mapper = inspect(type(row))
    values = {f.key: getattr(row, f.key) for f in shape.fields(mapper)}
    return shape.snapshot(mapper, values)


def write_map_history(
    session: AsyncSession,
    account_name: str,
    account_id: int,
    people: Mapping[str, Stakeholder],
    links: list[InfluenceLink],
    coverage: list[Coverage],
    members: Mapping[str, TeamMember],
    day: Callable[[int], date],
) -> None:
    """Adds the account's dated map changes; a person who joined is dated by their `createdAt` too."""
    for event in MAP_HISTORY.get(account_name, ()):
        when = datetime.combine(day(-event.days_ago), time(10, 0), UTC)
        keys = event.subject.split()
        before: dict[str, Any] | None = None
        change = AuditChange.CREATE
        if event.what == "LINE":
            row: Any = next(k for k in links if (k.source_id, k.target_id) == (people[keys[0]].id, people[keys[1]].id))
            after = _created(row)
        elif event.what == "COVERAGE":
            row = next(c for c in coverage if (c.stakeholder_id, c.member_id) == (people[keys[0]].id, members[keys[1]].id))
            after = _created(row)
        else:
            row = people[keys[0]]
            if event.what == "JOINED":
                row.created_at = when
                after = {**_created(row), "buyingRoles": [r.name for r in row.buying_roles]}
            elif event.what == "MANAGER":
                change = AuditChange.UPDATE
                before = {"reportsToId": to_global_id("Stakeholder", people[event.before].id)}  # type: ignore[index]
                after = {"reportsToId": to_global_id("Stakeholder", row.reports_to_id)}
            else:
                change = AuditChange.UPDATE
                before, after = {"attitude": event.before}, {"attitude": row.attitude.name}
        session.add(
            AuditEvent(
                occurred_at=when, actor_id=members[event.by].id, operation=OPERATIONS[event.what],
                entity_type=type(row).__name__, entity_id=row.id, account_id=account_id, change=change,
                before=before, after=after,
            )
        )
    for key, fact, source, confidence, days_ago in MAP_FACTS.get(account_name, ()):
        session.add(
            StakeholderFact(
                account_id=account_id, stakeholder_id=people[key].id, fact=MapFact[fact], source=FactSource[source],
                confidence=Confidence[confidence], verified_on=day(-days_ago),
            )
        )
