"""The relationship map through time: the map of a past day rewound from the audit trail, and what changed
since, checked against a history written through the API and then dated back; unit tests of the diff rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import utcnow
from domain.account import Account
from domain.audit import AuditEvent
from domain.map_changes import Change, Line, MapState, changes
from domain.relationship_map import EdgeKind
from domain.stakeholder import Attitude, BuyingRole, CoverageStrength, Influence, LinkStrength, Stakeholder
from resolvers.ids import parse_global_id
from tests.conftest import ClientFor, GraphQLClient
from tests.factories import create_account
from tests.stakeholder_factories import add_link, create_stakeholder, set_coverage

UPDATE = "mutation($input: StakeholderUpdateInput!) { stakeholderUpdate(input: $input) { userErrors { code } } }"
DELETE = "mutation($input: StakeholderDeleteInput!) { stakeholderDelete(input: $input) { userErrors { code } } }"
MAP = """query($id: ID!, $asOf: Date, $since: Date!) {
  relationshipMap(accountId: $id, asOf: $asOf) {
    asOf
    nodes { stakeholder { name } attitude buyingRoles strongestCoverage }
    edges { kind source { name } target { name } }
    summary { supportIndex uncoveredDecisionMakers { name } unreachableDecisionMakers { name } }
    influencePaths { decisionMaker { name } start { name } }
    changesSince(date: $since) {
      since until joined { name } left { name }
      attitudes { stakeholder { name } before after }
      buyingRoles { stakeholder { name } before after }
      coverage { stakeholder { name } member { id } before after }
      linesAdded { kind source { name } target { name } strength }
      linesRemoved { kind source { name } target { name } strength }
      supportIndexBefore supportIndexAfter
    }
  }
}"""
THEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # when the first half of the history is dated


async def date_back(engine: AsyncEngine, account_id: str, when: datetime) -> None:
    """What happened so far to the account happened on `when`: its events and its rows' creation."""
    account = parse_global_id(account_id)[1]
    async with engine.begin() as conn:
        await conn.execute(update(AuditEvent).where(AuditEvent.account_id == account).values(occurred_at=when))
        await conn.execute(update(Account).where(Account.id == account).values(created_at=when))
        await conn.execute(update(Stakeholder).where(Stakeholder.account_id == account).values(created_at=when))


async def history(client: GraphQLClient, engine: AsyncEngine) -> dict[str, Any]:
    """On 2 March: Alice (decision maker, neutral), Bob (user, champion) known GOOD by me, Bob sways Alice.
    Since: Alice became a supporter, Bob left, Carol (influencer) joined and sways Alice STRONG, I know Carol."""
    me = client.member
    account = await create_account(client)
    alice = await create_stakeholder(client, account["id"], name="Alice", buyingRoles=["DECISION_MAKER"], attitude="NEUTRAL", influence="HIGH")
    bob = await create_stakeholder(client, account["id"], name="Bob", buyingRoles=["USER"], attitude="CHAMPION", influence="MEDIUM")
    await set_coverage(client, me, bob, "GOOD")
    await add_link(client, bob, alice, "WEAK")
    await date_back(engine, account["id"], THEN)

    assert (await client.mutate(UPDATE, {"id": alice["id"], "attitude": "SUPPORTER", "buyingRoles": ["DECISION_MAKER", "INFLUENCER"]}))["userErrors"] == []
    assert (await client.mutate(DELETE, {"id": bob["id"]}))["userErrors"] == []
    carol = await create_stakeholder(client, account["id"], name="Carol", buyingRoles=["INFLUENCER"], attitude="SUPPORTER")
    await set_coverage(client, me, carol, "TRUSTED_ADVISOR")
    await add_link(client, carol, alice, "STRONG")
    return account


async def test_the_map_of_a_past_day_and_what_changed_since(client: GraphQLClient, engine: AsyncEngine) -> None:
    account = await history(client, engine)
    today = utcnow().date().isoformat()

    then = (await client.execute(MAP, {"id": account["id"], "asOf": "2026-03-02", "since": "2026-03-02"}))["relationshipMap"]
    assert then["asOf"] == "2026-03-02"
    assert then["nodes"] == [
        {"stakeholder": {"name": "Alice"}, "attitude": "NEUTRAL", "buyingRoles": ["DECISION_MAKER"], "strongestCoverage": None},
        {"stakeholder": {"name": "Bob"}, "attitude": "CHAMPION", "buyingRoles": ["USER"], "strongestCoverage": "GOOD"},
    ]
    assert then["edges"] == [{"kind": "INFLUENCES", "source": {"name": "Bob"}, "target": {"name": "Alice"}}]
    # Support then: (2 x 0 + 2 x 2... ) weights HIGH 3 NEUTRAL 0, MEDIUM 2 CHAMPION +2: 4 / 5.
    assert then["summary"] == {"supportIndex": 0.8, "uncoveredDecisionMakers": [{"name": "Alice"}], "unreachableDecisionMakers": []}
    assert then["influencePaths"] == [{"decisionMaker": {"name": "Alice"}, "start": {"name": "Bob"}}]
    assert then["changesSince"]["joined"] == [] and then["changesSince"]["until"] == "2026-03-02"

    now = (await client.execute(MAP, {"id": account["id"], "asOf": None, "since": "2026-03-02"}))["relationshipMap"]
    assert now["asOf"] is None
    assert [n["stakeholder"]["name"] for n in now["nodes"]] == ["Alice", "Carol"]
    changed = now["changesSince"]
    assert changed == {
        "since": "2026-03-02",
        "until": today,
        "joined": [{"name": "Carol"}],
        "left": [{"name": "Bob"}],
        "attitudes": [{"stakeholder": {"name": "Alice"}, "before": "NEUTRAL", "after": "SUPPORTER"}],
        "buyingRoles": [{"stakeholder": {"name": "Alice"}, "before": ["DECISION_MAKER"], "after": ["DECISION_MAKER", "INFLUENCER"]}],
        "coverage": [
            {"stakeholder": {"name": "Bob"}, "member": {"id": client.member["id"]}, "before": "GOOD", "after": None},
            {"stakeholder": {"name": "Carol"}, "member": {"id": client.member["id"]}, "before": None, "after": "TRUSTED_ADVISOR"},
        ],
        "linesAdded": [{"kind": "INFLUENCES", "source": {"name": "Carol"}, "target": {"name": "Alice"}, "strength": "STRONG"}],
        "linesRemoved": [{"kind": "INFLUENCES", "source": {"name": "Bob"}, "target": {"name": "Alice"}, "strength": "WEAK"}],
        "supportIndexBefore": 0.8,
        "supportIndexAfter": 1.0,  # Alice +1 x 3, Carol +1 x 2
    }
    # The day before the history began the account did not exist; tomorrow has not come.
    for as_of, since in (("2026-03-01", "2026-03-02"), (None, "2026-03-01")):
        errors = await client.errors(MAP, {"id": account["id"], "asOf": as_of, "since": since})
        assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"] and "before the account existed" in errors[0]["message"]
    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    errors = await client.errors(MAP, {"id": account["id"], "asOf": tomorrow, "since": "2026-03-02"})
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"] and "future" in errors[0]["message"]
    # `changesSince` a day after the map's own day is refused too.
    errors = await client.errors(MAP, {"id": account["id"], "asOf": "2026-03-02", "since": "2026-03-03"})
    assert "future" in errors[0]["message"] or "after" in errors[0]["message"]


async def test_a_past_map_is_read_with_the_access_of_today(client: GraphQLClient, engine: AsyncEngine, client_for: ClientFor) -> None:
    account = await history(client, engine)
    outsider = await client_for("VIEWER")
    found = await outsider.execute(MAP, {"id": account["id"], "asOf": "2026-03-02", "since": "2026-03-02"})
    assert found == {"relationshipMap": None}
    insider = await client_for("VIEWER", on=[account["id"]])
    found = await insider.execute(MAP, {"id": account["id"], "asOf": "2026-03-02", "since": "2026-03-02"})
    assert [n["stakeholder"]["name"] for n in found["relationshipMap"]["nodes"]] == ["Alice", "Bob"]


def state(**parts: Any) -> MapState:
    empty: dict[str, Any] = {"attitudes": {}, "influences": {}, "roles": {}, "reports_to": {}, "lines": {}, "coverage": {}}
    return MapState(**{**empty, **parts})


def test_changes_compare_people_on_both_maps_only() -> None:
    before = state(
        attitudes={1: Attitude.NEUTRAL, 2: Attitude.OPPONENT}, influences={1: Influence.LOW, 2: Influence.HIGH},
        roles={1: (BuyingRole.USER,), 2: ()}, reports_to={2: 1}, lines={(1, 2): LinkStrength.WEAK},
        coverage={(1, 7): CoverageStrength.GOOD, (2, 7): CoverageStrength.NONE},
    )
    after = state(
        attitudes={1: Attitude.CHAMPION, 3: Attitude.NEUTRAL}, influences={1: Influence.LOW, 3: Influence.LOW},
        roles={1: (BuyingRole.USER,), 3: ()}, reports_to={3: 1}, lines={(1, 3): LinkStrength.WEAK},
        coverage={(1, 7): CoverageStrength.ACQUAINTED},
    )
    found = changes(before, after)
    assert (found.joined, found.left) == ((3,), (2,))
    assert found.attitudes == (Change(1, Attitude.NEUTRAL, Attitude.CHAMPION),)
    assert found.influences == () and found.roles == ()
    assert found.coverage == (
        Change((1, 7), CoverageStrength.GOOD, CoverageStrength.ACQUAINTED),
        Change((2, 7), CoverageStrength.NONE, None),
    )
    assert found.lines_added == (Line(EdgeKind.REPORTS_TO, 3, 1), Line(EdgeKind.INFLUENCES, 1, 3, LinkStrength.WEAK))
    assert found.lines_removed == (Line(EdgeKind.REPORTS_TO, 2, 1), Line(EdgeKind.INFLUENCES, 1, 2, LinkStrength.WEAK))


def test_a_line_whose_strength_changed_is_removed_and_added() -> None:
    found = changes(state(attitudes={1: Attitude.NEUTRAL, 2: Attitude.NEUTRAL}, lines={(1, 2): LinkStrength.WEAK}),
                    state(attitudes={1: Attitude.NEUTRAL, 2: Attitude.NEUTRAL}, lines={(1, 2): LinkStrength.STRONG}))
    assert found.lines_removed == (Line(EdgeKind.INFLUENCES, 1, 2, LinkStrength.WEAK),)
    assert found.lines_added == (Line(EdgeKind.INFLUENCES, 1, 2, LinkStrength.STRONG),)
    assert changes(state(attitudes={1: Attitude.NEUTRAL}), state(attitudes={1: Attitude.NEUTRAL})) == changes(state(), state())
