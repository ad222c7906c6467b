"""Ranges and null checks on every kind's filter, through the API: each kind's list, its aggregate and an account's
own list (compiled, when the planner knows it) select the same rows; bounds past a column's digits and days past
the calendar compare as values, never as errors."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient
from tests.factories import create_account, create_member
from tests.interaction_factories import create_interaction, day, days_ago
from tests.plan_factories import create_action, create_need, create_plan, create_stakeholder
from tests.test_opportunities import CREATE as CREATE_DEAL
from tests.test_revenue import load, record

HUGE = "9" * 40 + ".5"


def same(*lists: list[str]) -> list[str]:
    assert all(found == lists[0] for found in lists), lists
    return lists[0]


async def test_deals_by_amount_probability_days_and_missing_values(client: GraphQLClient) -> None:
    owner = await create_member(client)
    account = await create_account(client, name="Deals")
    for name, amount, fields in (
        ("small", "100.00", {"probability": 20, "expectedCloseOn": "2027-01-15", "ownerId": owner["id"]}),
        ("mid", "5000.00", {"probability": 60}),
        ("big", "90000.00", {"stage": "QUOTATION", "expectedCloseOn": "2027-03-01"}),
    ):
        payload = await client.mutate(CREATE_DEAL, {"accountId": account["id"], "name": name, "amount": amount, **fields})
        assert payload["userErrors"] == [], payload
    query = """query($filter: OpportunityFilter) {
      opportunities(filter: $filter, orderBy: {field: NAME, direction: ASC}) { nodes { name } }
      opportunitiesAggregate(filter: $filter) { count }
      account(id: "%s") { opportunities(filter: $filter, orderBy: {field: NAME, direction: ASC}) { nodes { name } } }
    }""" % account["id"]

    async def names(flt: dict[str, Any]) -> list[str]:
        data = await client.execute(query, {"filter": flt})
        found = same([n["name"] for n in data["opportunities"]["nodes"]], [n["name"] for n in data["account"]["opportunities"]["nodes"]])
        assert data["opportunitiesAggregate"]["count"] == len(found)
        return found

    assert await names({"amount": {"gte": "100", "lt": "90000"}}) == ["mid", "small"]
    assert await names({"amount": {"gt": "100.00"}, "probability": {"lte": 60}}) == ["mid"]
    assert await names({"probability": {"gte": 70}}) == ["big"]  # QUOTATION's default chance
    assert await names({"expectedCloseOn": {"lt": "2027-02-01"}}) == ["small"]
    assert await names({"isNull": ["EXPECTED_CLOSE"]}) == ["mid"]
    assert await names({"isNotNull": ["EXPECTED_CLOSE"], "isNull": ["CLOSED_ON", "LOST_REASON"]}) == ["big", "small"]
    assert await names({"closedOn": {"lte": "9999-12-31"}}) == []  # open deals have no close day
    assert await names({"amount": {"lt": HUGE, "gt": "-" + HUGE}}) == ["big", "mid", "small"]
    assert await names({"or": [{"amount": {"gt": HUGE}}, {"not": {"isNull": ["EXPECTED_CLOSE"]}}]}) == ["big", "small"]
    assert await names({"openedOn": {"gt": "9999-12-31"}}) == []
    assert await names({"openedOn": {"gte": "0001-01-01"}}) == ["big", "mid", "small"]


async def test_revenue_by_amount_margin_day_and_missing_values(client: GraphQLClient) -> None:
    account = await create_account(client)
    payload = await load(client, [
        record(account["id"], 10, "1000.00", "R-1", margin="250.00", productLine="Sensors"),
        record(account["id"], 40, "2500.50", "R-2", margin="-100.00"),
        record(account["id"], 70, "7000", "R-3"),
    ])
    assert payload["userErrors"] == [] and payload["created"] == 3, payload
    query = "query($filter: RevenueFilter) { revenueAggregate(filter: $filter) { count sum { amount { amount } } } }"

    async def totals(flt: dict[str, Any]) -> tuple[int, list[str]]:
        got = (await client.execute(query, {"filter": flt}))["revenueAggregate"]
        return got["count"], [m["amount"] for m in got["sum"]["amount"]]

    assert await totals({"amount": {"gte": "1000", "lte": "2500.50"}}) == (2, ["3500.50"])
    assert await totals({"margin": {"lt": "0"}}) == (1, ["2500.50"])
    assert await totals({"isNull": ["MARGIN"]}) == (1, ["7000.00"])
    assert await totals({"isNotNull": ["PRODUCT_LINE"]}) == (1, ["1000.00"])
    assert await totals({"bookedOn": {"gt": day(41)}}) == (2, ["3500.50"])
    assert await totals({"amount": {"gt": HUGE}}) == (0, [])


async def test_interactions_by_day_duration_and_missing_values(client: GraphQLClient) -> None:
    account = await create_account(client)
    need = await create_need(client, account["id"])
    for subject, fields in (
        ("short call", {"occurredAt": days_ago(1), "durationMinutes": 10, "needId": need["id"]}),
        ("long visit", {"occurredAt": days_ago(5), "durationMinutes": 120, "kind": "VISIT", "outcome": "Agreed a pilot"}),
        ("undated length", {"occurredAt": days_ago(20)}),
    ):
        await create_interaction(client, account["id"], subject=subject, **fields)
    query = """query($filter: InteractionFilter) {
      interactions(filter: $filter) { nodes { subject } }
      interactionsAggregate(filter: $filter) { count }
      account(id: "%s") { interactions(filter: $filter) { nodes { subject } } }
    }""" % account["id"]

    async def subjects(flt: dict[str, Any]) -> list[str]:
        data = await client.execute(query, {"filter": flt})
        found = same([n["subject"] for n in data["interactions"]["nodes"]], [n["subject"] for n in data["account"]["interactions"]["nodes"]])
        assert data["interactionsAggregate"]["count"] == len(found)
        return found

    assert await subjects({"durationMinutes": {"gte": 10, "lt": 120}}) == ["short call"]
    assert await subjects({"isNull": ["DURATION"]}) == ["undated length"]
    assert await subjects({"isNotNull": ["OUTCOME"]}) == ["long visit"]
    assert await subjects({"isNotNull": ["NEED"]}) == ["short call"]
    assert await subjects({"occurredOn": {"gte": day(6), "lte": day(0)}}) == ["short call", "long visit"]
    # The older bounds still hold, and both together narrow.
    assert await subjects({"occurredFrom": day(6), "occurredOn": {"lt": day(2)}}) == ["long visit"]
    assert await subjects({"occurredOn": {"gt": "9999-12-31"}}) == []


async def test_needs_plans_actions_and_stakeholders_by_days_and_missing_values(client: GraphQLClient) -> None:
    owner = await create_member(client)
    account = await create_account(client)
    person = await create_stakeholder(client, account["id"], name="Ada", email="ada@example.com")
    await create_stakeholder(client, account["id"], name="Bo")
    await create_need(client, account["id"], title="held", stakeholderId=person["id"])
    await create_need(client, account["id"], title="loose", painPoints="Slow invoices")
    bounded_plan = await create_plan(client, account["id"], title="bounded", startsOn="2026-01-01", endsOn="2026-06-30", ownerId=owner["id"])
    await create_plan(client, account["id"], title="open", startsOn="2026-07-01", endsOn=None)
    await create_action(client, bounded_plan["id"], title="dated", dueOn="2026-03-01", ownerId=owner["id"])
    done = await create_action(client, bounded_plan["id"], title="undated")
    completed = await client.mutate(
        "mutation($input: ActionCompleteInput!) { actionComplete(input: $input) { userErrors { code } } }", {"id": done["id"]}
    )
    assert completed["userErrors"] == []
    today = day(0)

    needs = """query($filter: NeedFilter) { needs(filter: $filter) { nodes { title } } needsAggregate(filter: $filter) { count }
      account(id: "%s") { needs(filter: $filter) { nodes { title } } } }""" % account["id"]
    plans = """query($filter: ActionPlanFilter) { plans(filter: $filter) { nodes { title } } plansAggregate(filter: $filter) { count }
      account(id: "%s") { plans(filter: $filter) { nodes { title } } } }""" % account["id"]
    actions = """query($filter: ActionFilter) { actions(filter: $filter) { nodes { title } } actionsAggregate(filter: $filter) { count }
      node(id: "%s") { ... on ActionPlan { actions(filter: $filter) { nodes { title } } } } }""" % bounded_plan["id"]
    people = """query($filter: StakeholderFilter) { stakeholdersAggregate(filter: $filter) { count }
      account(id: "%s") { stakeholders(filter: $filter) { nodes { name } } } }""" % account["id"]

    async def titles(query: str, root: str, flt: dict[str, Any]) -> list[str]:
        data = await client.execute(query, {"filter": flt})
        child = (data.get("account") or data.get("node"))[root]["nodes"]
        found = sorted(n.get("title") or n.get("name") for n in child)
        if root in data:
            assert sorted(n["title"] for n in data[root]["nodes"]) == found
        assert data[f"{root}Aggregate" if root != "stakeholders" else "stakeholdersAggregate"]["count"] == len(found)
        return found

    assert await titles(needs, "needs", {"isNull": ["STAKEHOLDER"]}) == ["loose"]
    assert await titles(needs, "needs", {"isNotNull": ["PAIN_POINTS"]}) == ["loose"]
    assert await titles(needs, "needs", {"createdOn": {"gte": today, "lte": today}}) == ["held", "loose"]
    assert await titles(needs, "needs", {"createdOn": {"lt": today}}) == []
    assert await titles(plans, "plans", {"isNull": ["ENDS_ON"]}) == ["open"]
    assert await titles(plans, "plans", {"startsOn": {"lt": "2026-07-01"}, "isNotNull": ["OWNER"]}) == ["bounded"]
    assert await titles(plans, "plans", {"endsOn": {"gte": "0001-01-01"}}) == ["bounded"]
    assert await titles(actions, "actions", {"dueOn": {"lte": "2026-03-01"}}) == ["dated"]
    assert await titles(actions, "actions", {"isNull": ["DUE_ON", "OWNER"]}) == ["undated"]
    assert await titles(actions, "actions", {"completedOn": {"gte": today}}) == ["undated"]
    assert await titles(actions, "actions", {"isNull": ["COMPLETED_AT"], "createdOn": {"lte": "9999-12-31"}}) == ["dated"]
    assert await titles(people, "stakeholders", {"isNotNull": ["EMAIL"]}) == ["Ada"]
    assert await titles(people, "stakeholders", {"isNull": ["EMAIL", "REPORTS_TO"], "createdOn": {"gte": today}}) == ["Bo"]


async def test_bad_ranges_and_values_are_client_errors(client: GraphQLClient) -> None:
    for query, flt in (
        ("query($f: OpportunityFilter) { opportunities(filter: $f) { totalCount } }", {"amount": {"gte": "1e3"}}),
        ("query($f: OpportunityFilter) { opportunities(filter: $f) { totalCount } }", {"probability": {"lt": 2**31}}),
        ("query($f: InteractionFilter) { interactions(filter: $f) { totalCount } }", {"occurredOn": {"gt": "2026-02-30"}}),
        ("query($f: ActionFilter) { actions(filter: $f) { totalCount } }", {"isNull": ["NOT_A_VALUE"]}),
        ("query($f: NeedFilter) { needs(filter: $f) { totalCount } }", {"or": [{"createdOn": {"lt": "10000-01-01"}}]}),
    ):
        errors = await client.errors(query, {"f": flt})
        assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"], (flt, errors)
