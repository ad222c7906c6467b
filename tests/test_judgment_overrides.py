"""People's overrides of judgments through the API: set with a reason and an expiry, in force beside the
rules' value, ended by a person or by itself, each change a dated transition; and the ABC value tiers that
`kam recompute` ranks the portfolio into."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.judgment_override import JudgmentOverride
from kam.recompute import recompute
from tests.conftest import ClientFor, GraphQLClient
from tests.factories import create_account
from tests.interaction_factories import today

SET = """
mutation($input: JudgmentOverrideSetInput!) {
  judgmentOverrideSet(input: $input) {
    account { judgment { grade rules { grade } overrides { kind value reason setOn expiresOn setBy { id } } cadenceDays } }
    userErrors { field message code }
  }
}"""

CLEAR = """
mutation($input: JudgmentOverrideClearInput!) {
  judgmentOverrideClear(input: $input) { account { judgment { grade rules { grade } overrides { kind } } } userErrors { field message code } }
}"""

STATE = """
query($id: ID!) {
  account(id: $id) {
    judgment { grade valueTier lifecycleStage relationshipStage rules { grade valueTier } overrides { kind value } cadenceDays
      valueTierRanking { tier rank shareBefore rankedOn } }
    judgmentHistory(kinds: [GRADE]) { nodes { fromValue toValue cause reason by { id } policyVersion score } }
  }
}"""


async def state(client: GraphQLClient, account_id: str) -> Any:
    return (await client.execute(STATE, {"id": account_id}))["account"]


async def test_an_override_holds_beside_the_rules_and_is_a_persons_transition(client: GraphQLClient) -> None:
    account = await create_account(client, currentAnnualValue="400000")  # the rules: a D (10 points)
    expires = (today() + timedelta(days=30)).isoformat()
    payload = await client.mutate(SET, {"accountId": account["id"], "grade": "A", "reason": "Board-level deal in talks", "expiresOn": expires})
    assert payload["userErrors"] == []
    found = payload["account"]["judgment"]
    assert found["grade"] == "A" and found["rules"]["grade"] == "D" and found["cadenceDays"] == 7  # an A's cadence
    (override,) = found["overrides"]
    assert override["kind"] == "GRADE" and override["value"] == "A" and override["setOn"] == today().isoformat()
    assert override["expiresOn"] == expires and override["setBy"]["id"] == client.member["id"]
    moves = (await state(client, account["id"]))["judgmentHistory"]["nodes"]
    assert moves[0] == {
        "fromValue": "D", "toValue": "A", "cause": "PERSON", "reason": "Board-level deal in talks",
        "by": {"id": client.member["id"]}, "policyVersion": None, "score": None,
    }
    # Listed by the grade in force.
    listed = await client.execute("{ accounts(filter: { judgedGrades: [A] }) { nodes { id } } }")
    assert account["id"] in [n["id"] for n in listed["accounts"]["nodes"]]
    # Cleared: the rules' grade is back, the person's transition says why.
    cleared = await client.mutate(CLEAR, {"accountId": account["id"], "kind": "GRADE", "reason": "Deal fell through"})
    assert cleared["userErrors"] == [] and cleared["account"]["judgment"]["grade"] == "D"
    assert cleared["account"]["judgment"]["overrides"] == []
    moves = (await state(client, account["id"]))["judgmentHistory"]["nodes"]
    assert (moves[0]["fromValue"], moves[0]["toValue"], moves[0]["cause"], moves[0]["reason"]) == ("A", "D", "PERSON", "Deal fell through")
    again = await client.mutate(CLEAR, {"accountId": account["id"], "kind": "GRADE", "reason": "twice"})
    assert again["userErrors"][0]["code"] == "NOT_FOUND" and again["account"] is None


async def test_an_expired_override_ends_by_itself(client: GraphQLClient, engine: AsyncEngine) -> None:
    account = await create_account(client, currentAnnualValue="400000")
    payload = await client.mutate(SET, {"accountId": account["id"], "grade": "B", "reason": "Until the review", "expiresOn": (today() + timedelta(days=2)).isoformat()})
    assert payload["userErrors"] == []
    # Two days pass: the expiry is today, so the override has ended; reads say so before any judgment runs.
    async with engine.begin() as connection:
        await connection.execute(update(JudgmentOverride).values(set_on=today() - timedelta(days=2), expires_on=today()))
    found = await state(client, account["id"])
    assert found["judgment"]["grade"] == "D" and found["judgment"]["overrides"] == []
    # The next judgment writes it down: the rules' grade, an EXPIRY transition, and the override is gone.
    await recompute(engine, today())
    found = await state(client, account["id"])
    assert found["judgment"]["grade"] == "D"
    latest = found["judgmentHistory"]["nodes"][0]
    assert (latest["fromValue"], latest["toValue"], latest["cause"]) == ("B", "D", "EXPIRY")
    listed = await client.execute("{ accounts(filter: { judgedGrades: [B] }) { nodes { id } } }")
    assert account["id"] not in [n["id"] for n in listed["accounts"]["nodes"]]


async def test_bad_overrides_are_user_errors_and_change_nothing(client: GraphQLClient, client_for: ClientFor) -> None:
    account = await create_account(client, currentAnnualValue="400000")
    cases: list[tuple[dict[str, Any], str, str | None]] = [
        ({"reason": "none given"}, "REQUIRED", None),
        ({"grade": "A", "valueTier": "HIGH", "reason": "two"}, "INVALID", None),
        ({"grade": "A", "reason": "   "}, "REQUIRED", "reason"),
        ({"grade": "A", "reason": "x" * 2001}, "OUT_OF_RANGE", "reason"),
        ({"grade": "A", "reason": "today", "expiresOn": today().isoformat()}, "INVALID_DATE_RANGE", "expiresOn"),
        ({"grade": "A", "reason": "past", "expiresOn": "0001-01-01"}, "INVALID_DATE_RANGE", "expiresOn"),
    ]
    for extra, code, field in cases:
        payload = await client.mutate(SET, {"accountId": account["id"], **extra})
        assert payload["account"] is None, extra
        assert payload["userErrors"][0]["code"] == code, (extra, payload["userErrors"])
        if field is not None:
            assert payload["userErrors"][0]["field"] == field
    found = await state(client, account["id"])
    assert found["judgment"]["overrides"] == [] and found["judgment"]["grade"] == "D"
    assert [n["cause"] for n in found["judgmentHistory"]["nodes"]] == ["RULE"]
    # A far expiry is fine; an unknown account or another kind's ID is a user error.
    far = await client.mutate(SET, {"accountId": account["id"], "relationshipStage": "STRATEGIC_PARTNER", "reason": "Framework agreement", "expiresOn": "9999-12-31"})
    assert far["userErrors"] == []
    for bad_id in ("QWNjb3VudDo5OTk5OTk=", "not an id", client.member["id"]):
        payload = await client.mutate(SET, {"accountId": bad_id, "grade": "A", "reason": "r"})
        assert payload["account"] is None and payload["userErrors"][0]["field"] == "accountId"
    # A viewer may not override.
    viewer = await client_for("VIEWER", on=[account["id"]])
    refused = await viewer.post(SET, {"input": {"accountId": account["id"], "grade": "A", "reason": "mine"}})
    body = refused.json()
    assert body.get("errors") or body["data"]["judgmentOverrideSet"]["userErrors"]
    # The strategic partner held by the override counts as established: 10 (value) + 0.6 x 25 (sales stage) = 25, a C.
    assert (await state(client, account["id"]))["judgment"]["grade"] == "C"


async def test_stage_overrides_hold_the_stage_in_force(client: GraphQLClient) -> None:
    account = await create_account(client)
    payload = await client.mutate(SET, {"accountId": account["id"], "lifecycleStage": "WIN_BACK", "reason": "Former customer in talks again"})
    assert payload["userErrors"] == []
    found = await state(client, account["id"])
    assert found["judgment"]["lifecycleStage"] == "WIN_BACK" and found["judgment"]["relationshipStage"] == "PROSPECT"
    history = await client.execute(
        "query($id: ID!) { account(id: $id) { judgmentHistory(kinds: [LIFECYCLE_STAGE]) { nodes { fromValue toValue cause } } } }",
        {"id": account["id"]},
    )
    assert history["account"]["judgmentHistory"]["nodes"][0] == {"fromValue": "ACQUISITION", "toValue": "WIN_BACK", "cause": "PERSON"}


async def record(client: GraphQLClient, account_id: str, amount: str, reference: str) -> None:
    query = """mutation($input: RevenueImportInput!) { revenueImport(input: $input) { userErrors { field message } } }"""
    booked = (today() - timedelta(days=10)).isoformat()
    payload = await client.mutate(query, {"records": [{"account": account_id, "date": booked, "amount": amount, "reference": reference}]})
    assert payload["userErrors"] == [], payload


async def test_recompute_ranks_the_portfolio_into_value_tiers(client: GraphQLClient, engine: AsyncEngine) -> None:
    # Revenues 700, 200, 60, 40 of 1,000: before each 0%, 70%, 90%, 96% -> HIGH, HIGH, MEDIUM, LOW; no revenue: LOW.
    names = {}
    for amount in ("700", "200", "60", "40"):
        account = await create_account(client, name=f"Buys {amount}")
        await record(client, account["id"], amount, f"ref-{amount}")
        names[amount] = account["id"]
    idle = await create_account(client, name="Buys nothing")
    assert (await state(client, idle["id"]))["judgment"]["valueTier"] is None  # not ranked yet
    await recompute(engine, today())
    tiers = {}
    for amount, account_id in names.items():
        found = (await state(client, account_id))["judgment"]
        tiers[amount] = (found["valueTier"], found["valueTierRanking"]["rank"], Decimal(found["valueTierRanking"]["shareBefore"]))
        assert found["valueTierRanking"]["rankedOn"] == today().isoformat()
    assert tiers == {
        "700": ("HIGH", 1, Decimal(0)), "200": ("HIGH", 2, Decimal(70)), "60": ("MEDIUM", 3, Decimal(90)),
        "40": ("LOW", 4, Decimal(96)),
    }
    assert (await state(client, idle["id"]))["judgment"]["valueTier"] == "LOW"
    listed = await client.execute("{ accounts(filter: { judgedValueTiers: [HIGH] }) { nodes { name } } }")
    assert sorted(n["name"] for n in listed["accounts"]["nodes"]) == ["Buys 200", "Buys 700"]
    # An override of the tier holds over the ranking, which stays visible beside it.
    payload = await client.mutate(SET, {"accountId": names["40"], "valueTier": "HIGH", "reason": "Group parent buys through it"})
    assert payload["userErrors"] == []
    found = (await state(client, names["40"]))["judgment"]
    assert found["valueTier"] == "HIGH" and found["rules"]["valueTier"] == "LOW"


ON_DAY = """
query($id: ID!, $day: Date!) {
  account(id: $id) { judgmentOn(day: $day) { grade valueTier healthBand lifecycleStage relationshipStage quadrant } }
}"""


async def test_the_judgments_on_a_past_day(client: GraphQLClient, engine: AsyncEngine, sql: Any) -> None:
    account = await create_account(client, currentAnnualValue="400000")
    await client.mutate(SET, {"accountId": account["id"], "grade": "B", "reason": "Reorganisation ahead"})
    found = (await client.execute(ON_DAY, {"id": account["id"], "day": today().isoformat()}))["account"]["judgmentOn"]
    # Not ranked yet, never assessed: no value tier, no quadrant.
    assert found == {
        "grade": "B", "valueTier": None, "healthBand": "HEALTHY", "lifecycleStage": "ACQUISITION",
        "relationshipStage": "PROSPECT", "quadrant": None,
    }
    # Yesterday the account did not exist: nothing judged yet.
    yesterday = (today() - timedelta(days=1)).isoformat()
    empty = (await client.execute(ON_DAY, {"id": account["id"], "day": yesterday}))["account"]["judgmentOn"]
    assert set(empty.values()) == {None}
    for day in ((today() + timedelta(days=1)).isoformat(), "9999-12-31"):
        errors = await client.errors(ON_DAY, {"id": account["id"], "day": day})
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    # Every kind for every account of a list: one statement.
    await create_account(client)
    sql.statements.clear()
    query = "query($day: Date!) { accounts(first: 50) { nodes { judgmentOn(day: $day) { grade healthBand } } } }"
    nodes = (await client.execute(query, {"day": today().isoformat()}))["accounts"]["nodes"]
    assert len(nodes) >= 2 and all(n["judgmentOn"]["grade"] in {"A", "B", "C", "D"} for n in nodes)
    assert len([s for s in sql.statements if "judgment_transition" in s]) == 1


async def test_the_worst_inputs_of_the_new_fields_are_client_errors(client: GraphQLClient) -> None:
    account = await create_account(client)
    year_one = (await client.execute(ON_DAY, {"id": account["id"], "day": "0001-01-01"}))["account"]["judgmentOn"]
    assert set(year_one.values()) == {None}
    update = "mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) { account { strategicFit } userErrors { field code } } }"
    for rating in (0, 6, -(2**31)):
        payload = await client.mutate(update, {"id": account["id"], "strategicFit": rating})
        assert payload["account"] is None and payload["userErrors"] == [{"field": "strategicFit", "code": "OUT_OF_RANGE"}]
    too_big = await client.errors(update, {"input": {"id": account["id"], "strategicFit": 2**31}})
    assert too_big[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await client.mutate(update, {"id": account["id"], "strategicFit": 5}))["account"]["strategicFit"] == 5
    long_reason = await client.mutate(SET, {"accountId": account["id"], "grade": "A", "reason": "x" * 100_000})
    assert long_reason["userErrors"][0]["field"] == "reason" and long_reason["account"] is None
