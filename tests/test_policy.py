"""The scoring policy as data: versions read and changed through the API, ADMINs only, refused whole when wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.policy import DEFAULT_POLICY, FIELDS, camel, to_document
from tests.conftest import ClientFor, GraphQLClient
from tests.factories import create_account

SETTINGS = " ".join(camel(name) for name in FIELDS)

POLICY = f"""
query($version: Int) {{
  scoringPolicy(version: $version) {{ version reason createdAt createdBy {{ id }} settings {{ {SETTINGS} }} }}
}}"""

VERSIONS = """
query($first: Int, $after: String) {
  scoringPolicyVersions(first: $first, after: $after) {
    totalCount nodes { version reason createdBy { id } } pageInfo { hasNextPage endCursor }
  }
}"""

CHANGE = """
mutation($input: ScoringPolicyChangeInput!) {
  scoringPolicyChange(input: $input) {
    scoringPolicy { version reason createdBy { id } settings { gradeAFrom gradeFullValue cadenceADays healthRecencyWeight } }
    userErrors { field message code }
  }
}"""

EVENTS = """
query { auditEvents(first: 5, filter: { entityTypes: ["ScoringPolicyVersion"] }) { nodes { operation change after actor { id } } } }
"""


async def policy(client: GraphQLClient, version: int | None = None) -> Any:
    return (await client.execute(POLICY, {"version": version}))["scoringPolicy"]


async def test_the_defaults_are_version_one(client: GraphQLClient) -> None:
    found = await policy(client)
    assert found["version"] == 1 and found["createdBy"] is None
    # The API answers every setting as the stored document holds it (decimals as strings).
    assert found["settings"] == to_document(DEFAULT_POLICY)
    assert await policy(client, 1) == found
    assert await policy(client, 2) is None


async def test_an_admin_change_is_a_new_version_with_its_reason_and_an_audit_event(client: GraphQLClient) -> None:
    payload = await client.mutate(CHANGE, {"reason": "A is for the very best", "gradeAFrom": 80, "version": 1})
    assert payload["userErrors"] == []
    changed = payload["scoringPolicy"]
    assert changed["version"] == 2 and changed["reason"] == "A is for the very best"
    assert changed["createdBy"]["id"] == client.member["id"]
    assert changed["settings"]["gradeAFrom"] == 80 and changed["settings"]["cadenceADays"] == 7  # the rest as it was
    assert (await policy(client))["version"] == 2
    assert (await policy(client, 1))["settings"]["gradeAFrom"] == 75  # the old version stays as it was
    listed = (await client.execute(VERSIONS, {"first": 1}))["scoringPolicyVersions"]
    assert listed["totalCount"] == 2 and [n["version"] for n in listed["nodes"]] == [2]
    rest = (await client.execute(VERSIONS, {"first": 5, "after": listed["pageInfo"]["endCursor"]}))["scoringPolicyVersions"]
    assert [n["version"] for n in rest["nodes"]] == [1] and not rest["pageInfo"]["hasNextPage"]
    (event,) = (await client.execute(EVENTS))["auditEvents"]["nodes"]
    assert event["operation"] == "scoringPolicyChange" and event["change"] == "CREATE"
    assert event["actor"]["id"] == client.member["id"] and event["after"]["document"]["gradeAFrom"] == 80


async def test_changing_nothing_keeps_the_version_in_force(client: GraphQLClient) -> None:
    payload = await client.mutate(CHANGE, {"reason": "same again", "gradeAFrom": 75, "cadenceADays": 7})
    assert payload["userErrors"] == [] and payload["scoringPolicy"]["version"] == 1
    assert (await client.execute(VERSIONS, {"first": 5}))["scoringPolicyVersions"]["totalCount"] == 1


async def test_a_bad_policy_is_refused_whole_naming_each_setting(client: GraphQLClient) -> None:
    cases: list[tuple[dict[str, Any], set[str]]] = [
        ({"gradeValueWeight": 30}, {"gradeNeedClarityWeight"}),  # the grade weights add up to 105
        ({"gradeBFrom": 80}, {"gradeBFrom"}),  # B above A
        ({"cadenceADays": 0}, {"cadenceADays"}),
        ({"cadenceADays": 30, "cadenceBDays": 14}, {"cadenceADays"}),  # an A contacted less often than a B
        ({"stageCreditSigning": "1.5"}, {"stageCreditSigning"}),
        ({"gradeFullValue": "-1"}, {"gradeFullValue"}),
        ({"gradeFullValue": "1" + "0" * 20}, {"gradeFullValue"}),
        ({"lifetimeDiscountRate": "0.0000001"}, {"lifetimeDiscountRate"}),
        ({"valueTierHighUpTo": 96}, {"valueTierHighUpTo"}),
        ({"gradeAFrom": None}, {"gradeAFrom"}),
        ({"gradeAFrom": 80, "healthRecencyWeight": 40}, {"healthRecencyWeight"}),
    ]
    for changes, fields in cases:
        payload = await client.mutate(CHANGE, {"reason": "try", **changes})
        assert payload["scoringPolicy"] is None, changes
        assert {e["field"] for e in payload["userErrors"]} == fields, (changes, payload["userErrors"])
        assert all(e["code"] in {"OUT_OF_RANGE", "REQUIRED"} and e["message"] for e in payload["userErrors"])
    assert (await policy(client))["version"] == 1
    assert (await client.execute(EVENTS))["auditEvents"]["nodes"] == []


async def test_a_reason_is_required_and_a_stale_version_conflicts(client: GraphQLClient) -> None:
    blank = await client.mutate(CHANGE, {"reason": "  ", "gradeAFrom": 80})
    assert [(e["field"], e["code"]) for e in blank["userErrors"]] == [("reason", "REQUIRED")]
    long = await client.mutate(CHANGE, {"reason": "x" * 2001, "gradeAFrom": 80})
    assert [(e["field"], e["code"]) for e in long["userErrors"]] == [("reason", "OUT_OF_RANGE")]
    assert (await client.mutate(CHANGE, {"reason": "first", "gradeAFrom": 80, "version": 1}))["userErrors"] == []
    stale = await client.mutate(CHANGE, {"reason": "second", "gradeAFrom": 85, "version": 1})
    assert [(e["field"], e["code"]) for e in stale["userErrors"]] == [("version", "CONFLICT")]
    assert (await policy(client))["settings"]["gradeAFrom"] == 80


async def test_only_admins_change_the_policy_and_everyone_reads_it(client_for: ClientFor) -> None:
    for role in ("MANAGER", "ACCOUNT_MANAGER", "VIEWER"):
        someone = await client_for(role)
        errors = await someone.errors(CHANGE, {"input": {"reason": "mine", "gradeAFrom": 80}})
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
        assert (await policy(someone))["version"] == 1


async def test_hostile_values_are_client_errors(client: GraphQLClient) -> None:
    too_big = await client.post(CHANGE, {"input": {"reason": "x", "cadenceADays": 2**31}})
    assert too_big.status_code == 200 and too_big.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    for value in ("NaN", "Infinity", "abc", "1" * 400):
        response = await client.post(CHANGE, {"input": {"reason": "x", "gradeFullValue": value}})
        body = response.json()
        codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
        refused = body.get("data") and body["data"]["scoringPolicyChange"]["userErrors"]
        assert codes <= {"BAD_USER_INPUT"} and (codes or refused), (value, body)
    # A lone surrogate, as the JSON escape a client sends.
    raw = json.dumps({"query": CHANGE, "variables": {"input": {"reason": "\ud800", "gradeAFrom": 80}}})
    surrogate = await client.http.post("/graphql", content=raw, headers={"content-type": "application/json"})
    assert surrogate.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await policy(client))["version"] == 1


@pytest.mark.parametrize("settings", [{"rejudge_on_policy_change": True}], indirect=True)
async def test_a_policy_change_judges_the_portfolio_again_in_the_background(client: GraphQLClient, app: Any) -> None:
    accounts = [await create_account(client, currentAnnualValue="600000") for _ in range(3)]  # 15 points: a D
    change = """mutation($input: ScoringPolicyChangeInput!) { scoringPolicyChange(input: $input) { userErrors { field } } }"""
    payload = await client.mutate(change, {"reason": "Value counts more", "gradeFullValue": "600000", "gradeCFrom": 20})
    assert payload["userErrors"] == []
    await app.state.reevaluation.idle()
    query = "query($id: ID!) { account(id: $id) { judgment { grade score policyVersion } } }"
    for account in accounts:
        found = (await client.execute(query, {"id": account["id"]}))["account"]["judgment"]
        # 600,000 of 600,000 earns all 25 value points: a C from 20 under version 2.
        assert found == {"grade": "C", "score": 25.0, "policyVersion": 2}
    # A refused change starts nothing: the accounts stay judged under version 2.
    refused = await client.mutate(change, {"reason": "bad", "gradeAFrom": 101})
    assert refused["userErrors"]
    await app.state.reevaluation.idle()
    assert (await client.execute(query, {"id": accounts[0]["id"]}))["account"]["judgment"]["policyVersion"] == 2
