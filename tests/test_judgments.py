"""Judged grades through the API: computed by the writes that change the evidence, explained factor by factor,
under the policy in force, brought up to date by `kam recompute`; and when a contact is due."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from kam.recompute import recompute
from tests.conftest import ClientFor, GraphQLClient
from tests.factories import create_account
from tests.interaction_factories import create_interaction, days_ago, today
from tests.plan_factories import create_need
from tests.test_opportunities import move, open_deal

JUDGMENT = """
query($id: ID!) {
  account(id: $id) {
    grade
    judgment {
      grade score policyVersion judgedOn cadenceDays nextContactDue daysOverdue
      factors {
        factor points maxPoints count of expected amount { amount currency } target { amount } valueSource
        stage established credit
      }
    }
  }
}"""

CHANGE_POLICY = """
mutation($input: ScoringPolicyChangeInput!) { scoringPolicyChange(input: $input) { userErrors { field message } } }
"""

UPDATE_NEED = """
mutation($input: NeedUpdateInput!) { needUpdate(input: $input) { userErrors { field message } } }
"""


async def judgment(client: GraphQLClient, account_id: str) -> Any:
    return (await client.execute(JUDGMENT, {"id": account_id}))["account"]["judgment"]


def by_factor(found: Any) -> dict[str, Any]:
    return {f["factor"]: f for f in found["factors"]}


async def test_a_new_account_is_judged_from_what_it_has(client: GraphQLClient) -> None:
    account = await create_account(client, grade="A", currentAnnualValue="400000", currency="EUR")
    found = await judgment(client, account["id"])
    # No needs, no interactions, no deal, a prospect: only the entered value counts, 400,000 of 1,000,000 x 25 = 10.
    assert found["grade"] == "D" and found["score"] == 10.0 and found["policyVersion"] == 1
    factors = by_factor(found)
    assert factors["NEED_CLARITY"] | {} == {**factors["NEED_CLARITY"], "points": 0.0, "count": 0, "of": 0, "maxPoints": 25}
    value = factors["VALUE"]
    assert value["points"] == 10.0 and value["valueSource"] == "ENTERED"
    assert value["amount"] == {"amount": "400000.00", "currency": "EUR"} and value["target"]["amount"] == "1000000"
    assert factors["INTERACTION_FREQUENCY"]["count"] == 0 and factors["INTERACTION_FREQUENCY"]["expected"] == "12.86"
    assert factors["SALES_STAGE"]["stage"] is None and factors["SALES_STAGE"]["points"] == 0.0
    # Never contacted: a D account is due one cadence (90 days) after it was created, today.
    assert found["cadenceDays"] == 90 and found["nextContactDue"] == (today() + timedelta(days=90)).isoformat()
    assert found["daysOverdue"] == 0
    # The grade a person typed stays as it was, beside the judged one.
    assert (await client.execute(JUDGMENT, {"id": account["id"]}))["account"]["grade"] == "A"


async def test_each_write_of_the_evidence_judges_the_account_again(client: GraphQLClient) -> None:
    account = await create_account(client, currentAnnualValue="400000")
    clear = await create_need(client, account["id"], visibility="EXPLICIT", status="VALIDATED")
    vague = await create_need(client, account["id"], visibility="EXPLICIT", status="IDENTIFIED")
    await create_need(client, account["id"], visibility="EXPLICIT", status="MET")  # met: not open, not counted
    found = by_factor(await judgment(client, account["id"]))["NEED_CLARITY"]
    assert (found["count"], found["of"], found["points"]) == (1, 2, 12.5)  # 1 of 2 open needs clear: 12.5 of 25
    for n in range(13):  # 13 interactions in 90 days against 90/7 = 12.86 expected: all 25 points
        await create_interaction(client, account["id"], occurredAt=days_ago(n + 1))
    deal = await open_deal(client, account["id"], "1000")
    await move(client, deal, "QUOTATION", 0)
    found = await judgment(client, account["id"])
    # 12.5 (needs) + 10 (value) + 25 (interactions) + 0.8 x 25 = 20 (quotation) = 67.5: a B.
    assert found["score"] == 67.5 and found["grade"] == "B"
    assert by_factor(found)["SALES_STAGE"] | {} == {
        **by_factor(found)["SALES_STAGE"], "stage": "QUOTATION", "credit": "0.8", "points": 20.0, "established": False
    }
    payload = await client.mutate(UPDATE_NEED, {"id": vague["id"], "status": "BEING_ADDRESSED"})
    assert payload["userErrors"] == []
    found = await judgment(client, account["id"])
    assert found["score"] == 80.0 and found["grade"] == "A"  # both needs clear now: 25 + 10 + 25 + 20
    # A contact yesterday: an A account is due seven days after it.
    assert found["nextContactDue"] == (today() - timedelta(days=1) + timedelta(days=7)).isoformat()
    assert clear["id"]


async def test_overdue_counts_the_days_past_the_grades_cadence(client: GraphQLClient, engine: AsyncEngine) -> None:
    account = await create_account(client, currentAnnualValue="0")
    await create_interaction(client, account["id"], occurredAt=days_ago(40))
    found = await judgment(client, account["id"])
    # One interaction in 90 days is 25 x 7/90 = 1.94 points: a D, due 90 days after the contact 40 days ago.
    assert found["grade"] == "D" and found["score"] == 1.94 and found["daysOverdue"] == 0
    await create_interaction(client, account["id"], occurredAt=days_ago(100), subject="an old visit")
    assert (await judgment(client, account["id"]))["daysOverdue"] == 0  # the last interaction is still 40 days ago
    payload = await client.mutate(CHANGE_POLICY, {"reason": "D accounts monthly", "cadenceDDays": 30})
    assert payload["userErrors"] == []
    await recompute(engine, today())
    found = await judgment(client, account["id"])
    assert (found["cadenceDays"], found["daysOverdue"]) == (30, 10)  # due 30 days after, 40 days ago: 10 days late
    assert found["nextContactDue"] == (today() - timedelta(days=10)).isoformat()


async def test_a_policy_change_is_applied_by_recompute_and_named_by_version(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    account = await create_account(client, currentAnnualValue="1000000")
    await create_need(client, account["id"], visibility="EXPLICIT", status="VALIDATED")
    for n in range(13):
        await create_interaction(client, account["id"], occurredAt=days_ago(n + 1))
    assert (await judgment(client, account["id"]))["score"] == 75.0  # 25 + 25 + 25 + 0: exactly at the A threshold
    assert (await judgment(client, account["id"]))["grade"] == "A"
    payload = await client.mutate(CHANGE_POLICY, {"reason": "A is for the best", "gradeAFrom": 80})
    assert payload["userErrors"] == []
    # Until it is judged again, the account keeps the judgment of version 1.
    assert (await judgment(client, account["id"]))["policyVersion"] == 1
    await recompute(engine, today())
    found = await judgment(client, account["id"])
    assert (found["grade"], found["score"], found["policyVersion"]) == ("B", 75.0, 2)
    assert found["cadenceDays"] == 14  # a B's cadence


async def test_a_viewer_sees_judgments_of_their_accounts_only(client: GraphQLClient, client_for: ClientFor) -> None:
    mine, other = await create_account(client), await create_account(client)
    viewer = await client_for("VIEWER", on=[mine["id"]])
    assert (await judgment(viewer, mine["id"]))["grade"] in {"A", "B", "C", "D"}
    assert (await viewer.execute(JUDGMENT, {"id": other["id"]}))["account"] is None


async def test_the_factors_of_many_accounts_are_one_statement(client: GraphQLClient, sql: Any) -> None:
    for _ in range(6):
        await create_account(client)
    query = "{ accounts(first: 50) { nodes { judgment { grade factors { factor points } } } } }"
    sql.statements.clear()
    nodes = (await client.execute(query))["accounts"]["nodes"]
    assert len(nodes) >= 6 and all(len(n["judgment"]["factors"]) == 4 for n in nodes)
    assert len([s for s in sql.statements if "account_judgment" in s]) == 1


OVERDUE = """
query($on: Date!, $after: String) {
  accounts(filter: { judgedGrades: [A], contactOverdueOn: $on }, orderBy: { field: NEXT_CONTACT_DUE }, first: 1, after: $after) {
    nodes { name }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def a_account(client: GraphQLClient, name: str, last_contact_days_ago: int) -> dict[str, Any]:
    """An account judged A (25 + 25 + 25 of 75: a clear need, the full value, 13 interactions in 90 days)."""
    account = await create_account(client, name=name, currentAnnualValue="1000000")
    await create_need(client, account["id"], visibility="EXPLICIT", status="VALIDATED")
    for n in range(13):
        await create_interaction(client, account["id"], occurredAt=days_ago(last_contact_days_ago + n))
    assert (await judgment(client, account["id"]))["grade"] == "A"
    return account


async def test_the_a_accounts_overdue_for_contact_in_one_query(client: GraphQLClient) -> None:
    await a_account(client, "Late by three", 10)  # an A's cadence is 7 days: due 3 days ago
    await a_account(client, "Late by thirteen", 20)
    await a_account(client, "On time", 1)
    await create_account(client, name="Never judged A", currentAnnualValue="1000000")
    on = today().isoformat()
    first = (await client.execute(OVERDUE, {"on": on}))["accounts"]
    assert [n["name"] for n in first["nodes"]] == ["Late by thirteen"] and first["pageInfo"]["hasNextPage"]
    rest = (await client.execute(OVERDUE, {"on": on, "after": first["pageInfo"]["endCursor"]}))["accounts"]
    assert [n["name"] for n in rest["nodes"]] == ["Late by three"] and not rest["pageInfo"]["hasNextPage"]
    query = """query($on: Date!) { accounts(filter: { judgedGrades: [A], contactOverdueOn: $on }, orderBy: { field: NEXT_CONTACT_DUE }) {
      nodes { name judgment { daysOverdue nextContactDue } } } }"""
    nodes = (await client.execute(query, {"on": on}))["accounts"]["nodes"]
    assert [(n["name"], n["judgment"]["daysOverdue"]) for n in nodes] == [("Late by thirteen", 13), ("Late by three", 3)]
    # Overdue on a day three days back: only the one due before it.
    earlier = (today() - timedelta(days=3)).isoformat()
    assert [n["name"] for n in (await client.execute(query, {"on": earlier}))["accounts"]["nodes"]] == ["Late by thirteen"]


HISTORY = """
query($id: ID!, $day: Date!, $first: Int, $after: String) {
  account(id: $id) {
    judgedGradeOn(day: $day)
    judgmentHistory(kinds: [GRADE], first: $first, after: $after) {
      totalCount
      nodes { kind fromValue toValue changedOn cause policyVersion score reason by { id } }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""


async def test_every_move_of_the_judged_grade_is_a_dated_transition(client: GraphQLClient, engine: AsyncEngine) -> None:
    account = await create_account(client, currentAnnualValue="1000000")
    on = today().isoformat()
    first = (await client.execute(HISTORY, {"id": account["id"], "day": on}))["account"]
    # Created with only its value (25 points): a C from nothing, on the day it was created.
    assert first["judgedGradeOn"] == "C" and first["judgmentHistory"]["totalCount"] == 1
    (opening,) = first["judgmentHistory"]["nodes"]
    assert opening == {
        "kind": "GRADE", "fromValue": None, "toValue": "C", "changedOn": on, "cause": "RULE", "policyVersion": 1,
        "score": 25.0, "reason": None, "by": None,
    }
    await create_need(client, account["id"], visibility="EXPLICIT", status="VALIDATED")  # 50: a B
    await create_need(client, account["id"], visibility="IMPLICIT", status="IDENTIFIED")  # 37.5: a C again
    await create_interaction(client, account["id"], occurredAt=days_ago(1))  # 39.44: still a C, no transition
    payload = await client.mutate(CHANGE_POLICY, {"reason": "C from 40", "gradeCFrom": 40})
    assert payload["userErrors"] == []
    await recompute(engine, today())  # 39.44 under version 2: a D
    found = (await client.execute(HISTORY, {"id": account["id"], "day": on, "first": 2}))["account"]
    moves = found["judgmentHistory"]
    assert moves["totalCount"] == 4 and found["judgedGradeOn"] == "D"
    assert [(n["fromValue"], n["toValue"], n["score"], n["policyVersion"]) for n in moves["nodes"]] == [
        ("C", "D", 39.44, 2), ("B", "C", 37.5, 1)
    ]
    rest = (await client.execute(HISTORY, {"id": account["id"], "day": on, "first": 5, "after": moves["pageInfo"]["endCursor"]}))
    assert [(n["fromValue"], n["toValue"]) for n in rest["account"]["judgmentHistory"]["nodes"]] == [("C", "B"), (None, "C")]
    # Before the account existed it had no judged grade; a day to come is refused.
    yesterday = (today() - timedelta(days=1)).isoformat()
    assert (await client.execute(HISTORY, {"id": account["id"], "day": yesterday}))["account"]["judgedGradeOn"] is None
    tomorrow = (today() + timedelta(days=1)).isoformat()
    errors = await client.errors(HISTORY, {"id": account["id"], "day": tomorrow})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_grade_on_a_day_of_many_accounts_is_one_statement(client: GraphQLClient, sql: Any) -> None:
    for _ in range(5):
        await create_account(client)
    query = "query($day: Date!) { accounts(first: 50) { nodes { judgedGradeOn(day: $day) } } }"
    sql.statements.clear()
    nodes = (await client.execute(query, {"day": today().isoformat()}))["accounts"]["nodes"]
    assert len(nodes) >= 5 and all(n["judgedGradeOn"] in {"A", "B", "C", "D"} for n in nodes)
    assert len([s for s in sql.statements if "judgment_transition" in s]) == 1


async def test_the_worst_days_and_versions_are_client_errors_or_answers(client: GraphQLClient) -> None:
    account = await create_account(client)
    # Year 1 is before any judgment (null); 9999 is a day to come (refused).
    found = await client.execute(HISTORY, {"id": account["id"], "day": "0001-01-01"})
    assert found["account"]["judgedGradeOn"] is None
    errors = await client.errors(HISTORY, {"id": account["id"], "day": "9999-12-31"})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    for on in ("0001-01-01", "9999-12-31"):
        nodes = (await client.execute(OVERDUE, {"on": on}))["accounts"]["nodes"]
        assert nodes == []  # not judged A, so neither day lists it
    bad_cursor = await client.errors(HISTORY, {"id": account["id"], "day": "2026-01-01", "after": "x" * 100_000})
    assert bad_cursor[0]["extensions"]["code"] == "BAD_USER_INPUT"
    versions = "query($v: Int) { scoringPolicy(version: $v) { version } }"
    for v in (0, -1, 2**31 - 1):
        assert (await client.execute(versions, {"v": v}))["scoringPolicy"] is None
    too_big = await client.errors(versions, {"v": 2**31})
    assert too_big[0]["extensions"]["code"] == "BAD_USER_INPUT"
