"""Where each fact on a map came from: recorded, replaced and forgotten through the API, each fact's standing, the
map summary's counts worked out by hand, refusals of bad input, and the standing rule's edges."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from domain.base import utcnow
from domain.stakeholder_facts import STALE_AFTER_DAYS, Confidence, FactStanding, MapFact, count_facts, standing
from tests.conftest import ClientFor, GraphQLClient
from tests.factories import create_account
from tests.stakeholder_factories import create_stakeholder

SET = """mutation($input: StakeholderFactSetInput!) {
  stakeholderFactSet(input: $input) { fact { fact source confidence verifiedOn note standing } userErrors { field code } }
}"""
CLEAR = """mutation($input: StakeholderFactClearInput!) {
  stakeholderFactClear(input: $input) { fact { fact source standing } userErrors { field code } }
}"""
FACTS = "query($id: ID!) { node(id: $id) { ... on Stakeholder { facts { fact source confidence verifiedOn standing } } } }"
SUMMARY = """query($id: ID!) { relationshipMap(accountId: $id) { summary { facts { verified stale unverified total staleAfterDays } } } }"""
ARCHIVE = "mutation($input: AccountArchiveInput!) { accountArchive(input: $input) { userErrors { code } } }"


def ago(days: int) -> str:
    return (utcnow().date() - timedelta(days=days)).isoformat()


async def record(client: GraphQLClient, person: dict[str, Any], fact: str, **fields: Any) -> dict[str, Any]:
    data = {"stakeholderId": person["id"], "fact": fact, "source": "MEETING", "confidence": "CONFIRMED", **fields}
    return await client.mutate(SET, data)


async def test_facts_recorded_replaced_and_counted(client: GraphQLClient) -> None:
    account = await create_account(client)
    ann, bob = await create_stakeholder(client, account["id"]), await create_stakeholder(client, account["id"])

    set_now = await record(client, ann, "ATTITUDE", verifiedOn=ago(3), note="  said so at the kick-off ")
    assert set_now == {
        "fact": {"fact": "ATTITUDE", "source": "MEETING", "confidence": "CONFIRMED", "verifiedOn": ago(3),
                 "note": "said so at the kick-off", "standing": "VERIFIED"},
        "userErrors": [],
    }
    assert (await record(client, ann, "INFLUENCE", verifiedOn=ago(STALE_AFTER_DAYS + 1)))["fact"]["standing"] == "STALE"
    assert (await record(client, bob, "BUYING_ROLES", source="ASSUMPTION", confidence="ASSUMED", verifiedOn=ago(1)))["fact"]["standing"] == "UNVERIFIED"

    facts = (await client.execute(FACTS, {"id": ann["id"]}))["node"]["facts"]
    assert [(f["fact"], f["standing"]) for f in facts] == [
        ("ATTITUDE", "VERIFIED"), ("INFLUENCE", "STALE"), ("BUYING_ROLES", "UNVERIFIED"), ("DECISION_LEVEL", "UNVERIFIED"),
        ("MANAGER", "UNVERIFIED"),
    ]
    assert facts[3] == {"fact": "DECISION_LEVEL", "source": None, "confidence": None, "verifiedOn": None, "standing": "UNVERIFIED"}
    # Two people, five facts each: one verified, one stale, eight unverified.
    summary = (await client.execute(SUMMARY, {"id": account["id"]}))["relationshipMap"]["summary"]["facts"]
    assert summary == {"verified": 1, "stale": 1, "unverified": 8, "total": 10, "staleAfterDays": STALE_AFTER_DAYS}

    # Setting a fact again replaces it; clearing forgets it.
    again = await record(client, ann, "INFLUENCE", source="COLLEAGUE", confidence="LIKELY", verifiedOn=ago(0))
    assert again["fact"]["source"] == "COLLEAGUE" and again["fact"]["standing"] == "VERIFIED"
    cleared = await client.mutate(CLEAR, {"stakeholderId": ann["id"], "fact": "ATTITUDE"})
    assert cleared == {"fact": {"fact": "ATTITUDE", "source": None, "standing": "UNVERIFIED"}, "userErrors": []}
    summary = (await client.execute(SUMMARY, {"id": account["id"]}))["relationshipMap"]["summary"]["facts"]
    assert (summary["verified"], summary["stale"], summary["unverified"]) == (1, 0, 9)


async def test_bad_provenance_is_refused_and_changes_nothing(client: GraphQLClient, client_for: ClientFor) -> None:
    account = await create_account(client)
    ann = await create_stakeholder(client, account["id"])
    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    for fields, field, code in (
        ({"verifiedOn": tomorrow}, "verifiedOn", "OUT_OF_RANGE"),
        ({"verifiedOn": "1899-12-31"}, "verifiedOn", "OUT_OF_RANGE"),
        ({"note": "x" * 2001}, "note", "OUT_OF_RANGE"),
    ):
        found = await record(client, ann, "ATTITUDE", **fields)
        assert found == {"fact": None, "userErrors": [{"field": field, "code": code}]}, fields
    missing = await client.mutate(SET, {"stakeholderId": "U3Rha2Vob2xkZXI6OTk5OTk=", "fact": "ATTITUDE", "source": "PUBLIC", "confidence": "LIKELY"})
    assert missing["userErrors"] == [{"field": "stakeholderId", "code": "NOT_FOUND"}]
    viewer = await client_for("VIEWER", on=[account["id"]])
    response = (await viewer.post(SET, {"input": {"stakeholderId": ann["id"], "fact": "ATTITUDE", "source": "PUBLIC", "confidence": "LIKELY"}})).json()
    assert response.get("errors") or response["data"]["stakeholderFactSet"]["userErrors"]
    assert (await client.mutate(ARCHIVE, {"id": account["id"]}))["userErrors"] == []
    archived = await record(client, ann, "ATTITUDE")
    assert [e["code"] for e in archived["userErrors"]] == ["ARCHIVED"]
    facts = (await client.execute(FACTS, {"id": ann["id"]}))["node"]["facts"]
    assert all(f["source"] is None for f in facts)


def test_standing_at_its_edges() -> None:
    today = date(2026, 12, 7)
    edge = today - timedelta(days=STALE_AFTER_DAYS)
    assert standing(Confidence.CONFIRMED, edge, today) is FactStanding.VERIFIED
    assert standing(Confidence.LIKELY, edge - timedelta(days=1), today) is FactStanding.STALE
    assert standing(Confidence.ASSUMED, today, today) is FactStanding.UNVERIFIED
    assert standing(Confidence.CONFIRMED, None, today) is FactStanding.UNVERIFIED
    assert standing(None, None, today) is FactStanding.UNVERIFIED
    counts = count_facts([1, 2], {(1, MapFact.ATTITUDE): (Confidence.CONFIRMED, today), (3, MapFact.ATTITUDE): (Confidence.CONFIRMED, today)}, today)
    assert (counts.verified, counts.stale, counts.unverified, counts.total) == (1, 0, 9, 10)  # person 3 is not on the map
