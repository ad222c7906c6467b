"""Boards across accounts through the GraphQL API: needs newest first, plans by start, actions due soonest first;
their filters (the kind's and `accounts:`), keyset pages in both directions, and what a restricted caller sees."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.base import utcnow
from tests.conftest import ClientFor, GraphQLClient
from tests.factories import create_account, create_member
from tests.plan_factories import create_action, create_need, create_plan

NEEDS = """query($filter: NeedFilter, $accounts: AccountFilter, $first: Int, $after: String, $last: Int, $before: String) {
  needs(filter: $filter, accounts: $accounts, first: $first, after: $after, last: $last, before: $before) {
    totalCount nodes { title } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
ACTIONS = """query($filter: ActionFilter, $accounts: AccountFilter, $first: Int, $after: String) {
  actions(filter: $filter, accounts: $accounts, first: $first, after: $after) {
    totalCount nodes { title dueOn owner { id } } pageInfo { hasNextPage endCursor }
  }
}"""
PLANS = """query($filter: ActionPlanFilter, $accounts: AccountFilter) {
  plans(filter: $filter, accounts: $accounts) { totalCount nodes { title startsOn } }
}"""


def titles(found: dict[str, Any]) -> list[str]:
    return [n["title"] for n in found["nodes"]]


async def test_needs_across_accounts_newest_first(client: GraphQLClient, client_for: ClientFor) -> None:
    a, b = await create_account(client, grade="A"), await create_account(client, grade="C")
    await create_need(client, a["id"], title="n1", category="FUNCTIONAL", peakQuarters=["Q1"])
    await create_need(client, b["id"], title="n2", category="SOCIAL", peakQuarters=["Q2"])
    await create_need(client, a["id"], title="n3", category="FUNCTIONAL", peakQuarters=["Q2", "Q3"])
    await create_need(client, b["id"], title="n4", category="FUNCTIONAL", status="MET")

    every = (await client.execute(NEEDS))["needs"]
    assert titles(every) == ["n4", "n3", "n2", "n1"] and every["totalCount"] == 4
    q2 = (await client.execute(NEEDS, {"filter": {"quarters": ["Q2"], "categories": ["FUNCTIONAL"]}}))["needs"]
    assert titles(q2) == ["n3"] and q2["totalCount"] == 1
    of_c = (await client.execute(NEEDS, {"accounts": {"grades": ["C"]}, "filter": {"statuses": ["IDENTIFIED"]}}))["needs"]
    assert titles(of_c) == ["n2"]

    # Keyset pages, forwards then back.
    first = (await client.execute(NEEDS, {"first": 3}))["needs"]
    assert titles(first) == ["n4", "n3", "n2"] and first["pageInfo"]["hasNextPage"] is True
    rest = (await client.execute(NEEDS, {"first": 3, "after": first["pageInfo"]["endCursor"]}))["needs"]
    assert titles(rest) == ["n1"] and rest["pageInfo"]["hasNextPage"] is False
    back = (await client.execute(NEEDS, {"last": 2, "before": rest["pageInfo"]["startCursor"]}))["needs"]
    assert titles(back) == ["n3", "n2"] and back["pageInfo"]["hasPreviousPage"] is True

    viewer = await client_for("VIEWER", on=[b["id"]])
    seen = (await viewer.execute(NEEDS))["needs"]
    assert titles(seen) == ["n4", "n2"] and seen["totalCount"] == 2
    assert titles((await viewer.execute(NEEDS, {"accounts": {"grades": ["A"]}}))["needs"]) == []


async def test_actions_due_soonest_first_and_the_overdue_board(client: GraphQLClient, client_for: ClientFor) -> None:
    today = utcnow().date()
    a, b = await create_account(client), await create_account(client)
    ann, bo = await create_member(client, name="Ann"), await create_member(client, name="Bo")
    start, end = (today - timedelta(days=60)).isoformat(), (today + timedelta(days=60)).isoformat()
    plan_a = await create_plan(client, a["id"], startsOn=start, endsOn=end)
    plan_b = await create_plan(client, b["id"], startsOn=start, endsOn=end)

    def due(days: int) -> str:
        return (today + timedelta(days=days)).isoformat()

    await create_action(client, plan_a["id"], title="late-a", dueOn=due(-10), ownerId=ann["id"])
    await create_action(client, plan_b["id"], title="late-b", dueOn=due(-20), ownerId=bo["id"])
    await create_action(client, plan_b["id"], title="done-late", dueOn=due(-30), ownerId=bo["id"], status="DONE")
    await create_action(client, plan_a["id"], title="soon", dueOn=due(5), ownerId=ann["id"])
    await create_action(client, plan_a["id"], title="undated", ownerId=ann["id"])

    every = (await client.execute(ACTIONS))["actions"]
    assert titles(every) == ["done-late", "late-b", "late-a", "soon", "undated"]
    overdue = (await client.execute(ACTIONS, {"filter": {"overdueOn": today.isoformat()}}))["actions"]
    assert titles(overdue) == ["late-b", "late-a"] and overdue["totalCount"] == 2
    anns = (await client.execute(ACTIONS, {"filter": {"overdueOn": today.isoformat(), "ownerIds": [ann["id"]]}}))["actions"]
    assert titles(anns) == ["late-a"]
    page = (await client.execute(ACTIONS, {"first": 4}))["actions"]
    after = (await client.execute(ACTIONS, {"first": 4, "after": page["pageInfo"]["endCursor"]}))["actions"]
    assert titles(page) + titles(after) == titles(every) and after["pageInfo"]["hasNextPage"] is False

    viewer = await client_for("VIEWER", on=[a["id"]])
    assert titles((await viewer.execute(ACTIONS))["actions"]) == ["late-a", "soon", "undated"]
    errors = await client.errors(ACTIONS, {"filter": {"ownerIds": ["not an id"]}})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_plans_latest_start_first(client: GraphQLClient) -> None:
    a, b = await create_account(client, grade="A"), await create_account(client, grade="B")
    owner = await create_member(client)
    await create_plan(client, a["id"], title="old", startsOn="2025-01-01", endsOn="2025-12-31")
    await create_plan(client, b["id"], title="new", startsOn="2026-02-01", endsOn="2026-12-31", ownerId=owner["id"])
    await create_plan(client, a["id"], title="mid", startsOn="2025-07-01", endsOn="2026-06-30", status="ACTIVE")
    assert titles((await client.execute(PLANS))["plans"]) == ["new", "mid", "old"]
    assert titles((await client.execute(PLANS, {"filter": {"ownerIds": [owner["id"]]}}))["plans"]) == ["new"]
    assert titles((await client.execute(PLANS, {"filter": {"statuses": ["ACTIVE"]}, "accounts": {"grades": ["A"]}}))["plans"]) == ["mid"]
