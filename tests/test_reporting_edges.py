"""The reporting arguments at their worst: dates in years 1 and 9999, integers past 2^31, lone surrogates and
100,000-character strings sent as JSON, another account's objects; a client error or the right answer, never an
internal error. And what a VIEWER counts in every aggregate: only their own account's rows."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import ClientFor, GraphQLClient
from tests.factories import create_account
from tests.interaction_factories import create_interaction
from tests.plan_factories import create_action, create_need, create_plan
from tests.stakeholder_factories import create_stakeholder

LONG = "x" * 100_000
LONE = "\ud800"


async def send(client: GraphQLClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Sent as JSON with escapes, as a client sends a lone surrogate (`"\\ud800"`)."""
    body = json.dumps({"query": query, "variables": variables}, ensure_ascii=True)
    response = await client.http.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code < 500, response.text
    answer = response.json()
    codes = [e.get("extensions", {}).get("code") for e in answer.get("errors", ())]
    assert "INTERNAL_SERVER_ERROR" not in codes and None not in codes, (query, variables, answer)
    return answer


def refused(answer: dict[str, Any]) -> bool:
    return bool(answer.get("errors")) or any(
        isinstance(v, dict) and v.get("userErrors") for v in (answer.get("data") or {}).values()
    )


async def test_worst_inputs_of_the_reporting_arguments(client: GraphQLClient, client_for: ClientFor) -> None:
    account, other = await create_account(client), await create_account(client)
    person = await create_stakeholder(client, account["id"])
    stranger = await create_stakeholder(client, other["id"])
    cases: list[tuple[str, dict[str, Any]]] = [
        ("query($f: Int) { accountsAggregate { groups(by: [GRADE], first: $f) { hasMore } } }", {"f": 2**31}),
        ("query($f: Int) { accountsAggregate { groups(by: [GRADE], first: $f) { hasMore } } }", {"f": -(2**31)}),
        ("query($b: [AccountDimension!]!) { accountsAggregate { groups(by: $b) { hasMore } } }", {"b": ["GRADE"] * 10_000}),
        ("query($d: Date) { relationshipMap(accountId: \"%s\", asOf: $d) { asOf } }" % account["id"], {"d": "0001-01-01"}),
        ("query($d: Date) { relationshipMap(accountId: \"%s\", asOf: $d) { asOf } }" % account["id"], {"d": "9999-12-31"}),
        ("query($d: Date!) { relationshipMap(accountId: \"%s\") { changesSince(date: $d) { since } } }" % account["id"], {"d": "0001-01-01"}),
        ("query($d: Date!) { relationshipMap(accountId: \"%s\") { changesSince(date: $d) { since } } }" % account["id"], {"d": "9999-12-31"}),
        ("query($f: RevenueFilter) { revenueAggregate(filter: $f) { count } }",
         {"f": {"productLines": [LONE, LONG], "currencies": [LONG], "bookedFrom": "0001-01-01", "bookedTo": "9999-12-31"}}),
        ("query($f: ActionFilter) { actions(filter: $f) { totalCount } actionsAggregate(filter: $f) { count } }",
         {"f": {"overdueOn": "9999-12-31", "completedFrom": "0001-01-01", "completedTo": "9999-12-31"}}),
        ("query($f: ActionFilter) { actions(filter: $f) { totalCount } }", {"f": {"overdueOn": "0001-01-01"}}),
        ("query($f: AccountFilter) { accounts(filter: $f) { totalCount } needs(accounts: $f) { totalCount } }",
         {"f": {"createdOn": {"gt": "9999-12-31", "lt": "0001-01-01"}, "currentAnnualValue": {"gte": "1e20"}}}),
        ("query($f: AccountFilter) { accountsAggregate(filter: $f) { count } }", {"f": {"interactionsLast90Days": {"gt": 2**31}}}),
        ("query($f: AccountFilter) { accountsAggregate(filter: $f) { count } }", {"f": {"or": [{"search": LONE}, {"industries": [LONG]}]}}),
        ("query($f: NeedFilter) { needsAggregate(filter: $f) { count } }", {"f": {"not": {"stakeholderIds": [stranger["id"]]}}}),
    ]
    fact = "mutation($i: StakeholderFactSetInput!) { stakeholderFactSet(input: $i) { userErrors { field code } } }"
    base = {"stakeholderId": person["id"], "fact": "ATTITUDE", "source": "MEETING", "confidence": "LIKELY"}
    for extra in ({"note": LONE}, {"note": LONG}, {"verifiedOn": "0001-01-01"}, {"verifiedOn": "9999-12-31"}):
        cases.append((fact, {"i": {**base, **extra}}))
    for query, variables in cases:
        await send(client, query, variables)
    for extra in ({"note": LONG}, {"verifiedOn": "0001-01-01"}, {"verifiedOn": "9999-12-31"}):
        assert refused(await send(client, fact, {"i": {**base, **extra}})), extra
    # Another account's stakeholder, for a member of this account's team only.
    manager = await client_for("ACCOUNT_MANAGER", on=[account["id"]])
    assert refused(await send(manager, fact, {"i": {**base, "stakeholderId": stranger["id"]}}))
    assert not refused(await send(manager, fact, {"i": base}))
    viewer = await client_for("VIEWER", on=[account["id"]])
    assert refused(await send(viewer, fact, {"i": base}))


async def test_a_viewer_counts_only_their_accounts_rows_in_every_aggregate(client: GraphQLClient, client_for: ClientFor) -> None:
    mine, theirs = await create_account(client), await create_account(client)
    for account in (mine, theirs, theirs):
        await create_stakeholder(client, account["id"])
        await create_need(client, account["id"])
        plan = await create_plan(client, account["id"])
        await create_action(client, plan["id"])
        await create_interaction(client, account["id"])
    query = """{ accountsAggregate { count } stakeholdersAggregate { count } needsAggregate { count } plansAggregate { count }
      actionsAggregate { count } interactionsAggregate { count } opportunitiesAggregate { count } revenueAggregate { count }
      needs { totalCount } plans { totalCount } actions { totalCount } }"""
    everyone = (await client.execute(query))
    viewer = await client_for("VIEWER", on=[mine["id"]])
    seen = await viewer.execute(query)
    outsider = await (await client_for("VIEWER")).execute(query)
    for field in ("stakeholdersAggregate", "needsAggregate", "plansAggregate", "actionsAggregate", "interactionsAggregate"):
        assert (everyone[field]["count"], seen[field]["count"], outsider[field]["count"]) == (3, 1, 0), field
    assert (seen["accountsAggregate"]["count"], outsider["accountsAggregate"]["count"]) == (1, 0)
    for field in ("needs", "plans", "actions"):
        assert (everyone[field]["totalCount"], seen[field]["totalCount"], outsider[field]["totalCount"]) == (3, 1, 0), field
