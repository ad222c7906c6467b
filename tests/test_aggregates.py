"""Aggregates through the GraphQL API: totals and groups worked out by hand for accounts, needs, actions, deals,
interactions and revenue; money per currency; month/quarter/year buckets; what a restricted caller counts; bad
groupings refused; one statement per aggregate field; the cost counts the groups asked for."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from domain.base import utcnow
from tests.conftest import ClientFor, GraphQLClient, StatementCounter
from tests.factories import create_account, create_member
from tests.interaction_factories import create_interaction
from tests.plan_factories import create_action, create_need, create_plan
from tests.test_revenue import load

MONEY = "{ amount currency }"
ACCOUNTS = f"""query($filter: AccountFilter, $by: [AccountDimension!]!, $first: Int) {{
  accountsAggregate(filter: $filter) {{
    count sum {{ currentAnnualValue {MONEY} }}
    groups(by: $by, first: $first) {{
      hasMore
      nodes {{
        key {{ grade industry }} count
        sum {{ currentAnnualValue {MONEY} }} avg {{ currentAnnualValue {MONEY} }}
        min {{ currentAnnualValue {MONEY} }} max {{ currentAnnualValue {MONEY} }}
      }}
    }}
  }}
}}"""
ARCHIVE = "mutation($input: AccountArchiveInput!) { accountArchive(input: $input) { userErrors { code } } }"
COMPLETE = "mutation($input: ActionCompleteInput!) { actionComplete(input: $input) { userErrors { code } } }"


def eur(amount: str, currency: str = "EUR") -> dict[str, str]:
    return {"amount": amount, "currency": currency}


async def portfolio(client: GraphQLClient) -> list[dict[str, Any]]:
    """Five accounts: three A in Energy (two in EUR, one in USD), a B in Retail, a B without an industry."""
    made = []
    for grade, industry, value, currency in (
        ("A", "Energy", "100.00", "EUR"),
        ("A", "Energy", "50.50", "EUR"),
        ("A", "Energy", "20.00", "USD"),
        ("B", "Retail", "10.00", "EUR"),
        ("B", None, "5.00", "EUR"),
    ):
        made.append(
            await create_account(client, grade=grade, industry=industry, currentAnnualValue=value, currency=currency)
        )
    return made


async def test_accounts_and_their_value_per_grade_and_industry(client: GraphQLClient) -> None:
    accounts = await portfolio(client)
    archived = await create_account(client, grade="A", industry="Energy", currentAnnualValue="999.00")
    assert (await client.mutate(ARCHIVE, {"id": archived["id"]}))["userErrors"] == []

    found = (await client.execute(ACCOUNTS, {"by": ["GRADE", "INDUSTRY"]}))["accountsAggregate"]

    assert found["count"] == len(accounts)
    assert found["sum"] == {"currentAnnualValue": [eur("165.50"), eur("20.00", "USD")]}
    assert found["groups"] == {
        "hasMore": False,
        "nodes": [
            {
                "key": {"grade": "A", "industry": "Energy"}, "count": 3,
                "sum": {"currentAnnualValue": [eur("150.50"), eur("20.00", "USD")]},
                "avg": {"currentAnnualValue": [eur("75.25"), eur("20.00", "USD")]},
                "min": {"currentAnnualValue": [eur("50.50"), eur("20.00", "USD")]},
                "max": {"currentAnnualValue": [eur("100.00"), eur("20.00", "USD")]},
            },
            {
                "key": {"grade": "B", "industry": "Retail"}, "count": 1,
                "sum": {"currentAnnualValue": [eur("10.00")]}, "avg": {"currentAnnualValue": [eur("10.00")]},
                "min": {"currentAnnualValue": [eur("10.00")]}, "max": {"currentAnnualValue": [eur("10.00")]},
            },
            {  # no industry: a group of its own, last
                "key": {"grade": "B", "industry": None}, "count": 1,
                "sum": {"currentAnnualValue": [eur("5.00")]}, "avg": {"currentAnnualValue": [eur("5.00")]},
                "min": {"currentAnnualValue": [eur("5.00")]}, "max": {"currentAnnualValue": [eur("5.00")]},
            },
        ],
    }
    # The filter applies as on the list: archived accounts when asked for, one grade only.
    with_archived = await client.execute(ACCOUNTS, {"by": ["GRADE"], "filter": {"includeArchived": True}})
    groups = with_archived["accountsAggregate"]["groups"]["nodes"]
    assert [(g["key"]["grade"], g["count"]) for g in groups] == [("A", 4), ("B", 2)]
    only_b = await client.execute(ACCOUNTS, {"by": ["INDUSTRY"], "filter": {"grades": ["B"]}})
    assert only_b["accountsAggregate"]["count"] == 2
    assert [g["key"]["industry"] for g in only_b["accountsAggregate"]["groups"]["nodes"]] == ["Retail", None]


async def test_groups_past_first_are_reported(client: GraphQLClient) -> None:
    await portfolio(client)
    # The first group holds two currencies: it is whole, and one group is left over.
    first = (await client.execute(ACCOUNTS, {"by": ["GRADE"], "first": 1}))["accountsAggregate"]["groups"]
    assert first["hasMore"] is True
    assert [(g["key"]["grade"], g["count"]) for g in first["nodes"]] == [("A", 3)]
    assert first["nodes"][0]["sum"]["currentAnnualValue"] == [eur("150.50"), eur("20.00", "USD")]
    both = (await client.execute(ACCOUNTS, {"by": ["GRADE"], "first": 2}))["accountsAggregate"]["groups"]
    assert both["hasMore"] is False and len(both["nodes"]) == 2
    none = (await client.execute(ACCOUNTS, {"by": ["GRADE"], "first": 0}))["accountsAggregate"]["groups"]
    assert none == {"hasMore": True, "nodes": []}


async def test_an_empty_selection_counts_zero(client: GraphQLClient) -> None:
    await portfolio(client)
    found = await client.execute(ACCOUNTS, {"by": ["GRADE"], "filter": {"grades": ["D"]}})
    assert found["accountsAggregate"] == {"count": 0, "sum": {"currentAnnualValue": []}, "groups": {"hasMore": False, "nodes": []}}


NEEDS = """query($by: [NeedDimension!]!, $filter: NeedFilter, $accounts: AccountFilter) {
  needsAggregate(filter: $filter, accounts: $accounts) {
    count groups(by: $by) { nodes { key { category peakQuarter accountGrade } count } }
  }
}"""


async def test_needs_per_category_and_quarter(client: GraphQLClient) -> None:
    a, b = await create_account(client, grade="A"), await create_account(client, grade="C")
    await create_need(client, a["id"], category="FUNCTIONAL", peakQuarters=["Q1", "Q2"])
    await create_need(client, a["id"], category="FUNCTIONAL", peakQuarters=["Q1"])
    await create_need(client, b["id"], category="SOCIAL", peakQuarters=["Q4"])
    await create_need(client, b["id"], category="SOCIAL")  # peaks in no quarter

    found = (await client.execute(NEEDS, {"by": ["CATEGORY", "PEAK_QUARTER"]}))["needsAggregate"]
    assert found["count"] == 4
    assert [(g["key"]["category"], g["key"]["peakQuarter"], g["count"]) for g in found["groups"]["nodes"]] == [
        ("FUNCTIONAL", "Q1", 2),
        ("FUNCTIONAL", "Q2", 1),  # a need peaking in two quarters counts in each
        ("SOCIAL", "Q4", 1),
        ("SOCIAL", None, 1),
    ]
    by_grade = await client.execute(NEEDS, {"by": ["ACCOUNT_GRADE"], "accounts": {"grades": ["C"]}})
    assert by_grade["needsAggregate"]["count"] == 2
    assert [(g["key"]["accountGrade"], g["count"]) for g in by_grade["needsAggregate"]["groups"]["nodes"]] == [("C", 2)]


ACTIONS = """query($filter: ActionFilter) {
  actionsAggregate(filter: $filter) {
    count groups(by: [OWNER, COMPLETED_QUARTER]) {
      nodes { key { owner { id name } completedQuarter { grain start end label } } count }
    }
  }
}"""


async def test_actions_completed_per_owner_per_quarter(client: GraphQLClient) -> None:
    account = await create_account(client)
    plan = await create_plan(client, account["id"], startsOn="2020-01-01", endsOn="2099-12-31")
    ann, bo = await create_member(client, name="Ann"), await create_member(client, name="Bo")
    for owner, status in ((ann, "DONE"), (ann, "DONE"), (bo, "DONE"), (bo, "TODO"), (None, "DONE")):
        await create_action(client, plan["id"], ownerId=owner and owner["id"], status=status)
    todo = await create_action(client, plan["id"], ownerId=ann["id"], dueOn="2020-01-02")
    assert (await client.mutate(COMPLETE, {"id": todo["id"]}))["userErrors"] == []

    today = utcnow().date()
    start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    end = date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1) - timedelta(days=1)
    quarter = {"grain": "QUARTER", "start": start.isoformat(), "end": end.isoformat(), "label": f"{today.year}-Q{(today.month - 1) // 3 + 1}"}
    found = (await client.execute(ACTIONS, {"filter": {"statuses": ["DONE"]}}))["actionsAggregate"]
    assert found["count"] == 5
    assert found["groups"]["nodes"] == [
        {"key": {"owner": {"id": ann["id"], "name": "Ann"}, "completedQuarter": quarter}, "count": 3},
        {"key": {"owner": {"id": bo["id"], "name": "Bo"}, "completedQuarter": quarter}, "count": 1},
        {"key": {"owner": None, "completedQuarter": quarter}, "count": 1},
    ]
    # Not done: no completion day, one group of its own.
    open_ones = (await client.execute(ACTIONS, {"filter": {"statuses": ["TODO"], "ownerIds": [bo["id"]]}}))["actionsAggregate"]
    assert open_ones["groups"]["nodes"] == [{"key": {"owner": {"id": bo["id"], "name": "Bo"}, "completedQuarter": None}, "count": 1}]
    overdue = await client.execute(ACTIONS, {"filter": {"overdueOn": today.isoformat()}})
    assert overdue["actionsAggregate"]["count"] == 0  # the one due in 2020 was completed


ACTIONS_BY = """query($by: [ActionDimension!]!, $accounts: AccountFilter) {
  actionsAggregate(filter: {statuses: [DONE]}, accounts: $accounts) { count groups(by: $by) { nodes { count } } }
}"""


async def test_actions_read_their_plan_only_when_asked_to(client: GraphQLClient, client_for: ClientFor, sql: StatementCounter) -> None:
    """A whole portfolio's actions are counted without their plans (PostgreSQL would join every action to its
    plan for nothing); a grouping by the plan or the account, a condition on the accounts or a restricted
    caller reads the plans, and every one counts the same actions."""
    kept, other = await create_account(client, region="North"), await create_account(client)
    for account, done in ((kept, 3), (other, 2)):
        plan = await create_plan(client, account["id"], startsOn="2020-01-01", endsOn="2099-12-31")
        for n in range(done + 1):
            await create_action(client, plan["id"], status="DONE" if n < done else "TODO")

    async def counted(caller: GraphQLClient, by: list[str], accounts: dict[str, Any] | None = None) -> tuple[int, bool]:
        sql.reset()
        found = (await caller.execute(ACTIONS_BY, {"by": by, "accounts": accounts}))["actionsAggregate"]
        assert found["count"] == sum(g["count"] for g in found["groups"]["nodes"])
        return found["count"], any("action_plan" in s for s in sql.statements)

    assert await counted(client, ["OWNER", "COMPLETED_QUARTER"]) == (5, False)
    assert await counted(client, ["STATUS"]) == (5, False)
    assert await counted(client, ["PLAN_STATUS"]) == (5, True)
    assert await counted(client, ["ACCOUNT_GRADE"]) == (5, True)
    assert await counted(client, ["STATUS"], {"regions": ["North"]}) == (3, True)
    viewer = await client_for("VIEWER", on=[other["id"]])
    assert await counted(viewer, ["STATUS"]) == (2, True)


DEALS = """{
  opportunitiesAggregate {
    count sum { amount { amount currency } weightedAmount { amount currency } probability }
    avg { probability }
    groups(by: [STAGE]) { nodes { key { stage } count sum { amount { amount currency } } max { probability } } }
  }
}"""
CREATE_DEAL = """mutation($input: OpportunityCreateInput!) {
  opportunityCreate(input: $input) { opportunity { id } userErrors { field message code } }
}"""


async def test_deals_summed_per_stage_and_currency(client: GraphQLClient) -> None:
    eur_account, usd_account = await create_account(client), await create_account(client, currency="USD")
    for account, amount, probability in ((eur_account, "1000.00", 10), (eur_account, "3000.00", 50), (usd_account, "500.00", 20)):
        data = {"accountId": account["id"], "name": "Deal", "amount": amount, "probability": probability}
        assert (await client.mutate(CREATE_DEAL, data))["userErrors"] == []
    found = (await client.execute(DEALS))["opportunitiesAggregate"]
    assert found["count"] == 3
    assert found["sum"] == {
        "amount": [eur("4000.00"), eur("500.00", "USD")],
        "weightedAmount": [eur("1600.00"), eur("100.00", "USD")],  # 100 + 1500; 100
        "probability": 80.0,
    }
    assert found["avg"] == {"probability": 80 / 3}
    assert found["groups"]["nodes"] == [
        {"key": {"stage": "INITIAL_CONTACT"}, "count": 3, "sum": {"amount": [eur("4000.00"), eur("500.00", "USD")]}, "max": {"probability": 50.0}}
    ]


async def test_interactions_and_revenue_by_period(client: GraphQLClient) -> None:
    account = await create_account(client)
    for when, minutes in (("2026-01-15T10:00:00Z", 30), ("2026-01-31T23:30:00Z", 60), ("2026-02-01T00:10:00Z", None)):
        await create_interaction(client, account["id"], occurredAt=when, durationMinutes=minutes)
    found = await client.execute(
        """{ interactionsAggregate { groups(by: [OCCURRED_MONTH]) {
              nodes { key { occurredMonth { label start end } } count sum { durationMinutes } avg { durationMinutes } } } } }"""
    )
    assert found["interactionsAggregate"]["groups"]["nodes"] == [
        {"key": {"occurredMonth": {"label": "2026-01", "start": "2026-01-01", "end": "2026-01-31"}}, "count": 2,
         "sum": {"durationMinutes": 90.0}, "avg": {"durationMinutes": 45.0}},
        {"key": {"occurredMonth": {"label": "2026-02", "start": "2026-02-01", "end": "2026-02-28"}}, "count": 1,
         "sum": {"durationMinutes": None}, "avg": {"durationMinutes": None}},  # no duration given
    ]
    loaded = await load(client, [
        {"account": account["id"], "date": day, "amount": amount, "reference": ref, "margin": margin}
        for day, amount, ref, margin in (
            ("2025-12-31", "100.00", "r1", "10.00"), ("2026-01-01", "200.00", "r2", None), ("2026-03-31", "50.25", "r3", "5.25")
        )
    ])
    assert loaded["problems"] == [] and loaded["created"] == 3
    revenue = await client.execute(
        """{ revenueAggregate(filter: {bookedFrom: "2026-01-01"}) {
              count groups(by: [BOOKED_QUARTER]) { nodes { key { bookedQuarter { label } } count
                sum { amount { amount currency } margin { amount currency } } } } } }"""
    )
    assert revenue["revenueAggregate"] == {
        "count": 2,
        "groups": {"nodes": [{"key": {"bookedQuarter": {"label": "2026-Q1"}}, "count": 2,
                              "sum": {"amount": [eur("250.25")], "margin": [eur("5.25")]}}]},
    }


async def test_a_restricted_caller_counts_only_what_it_may_read(client: GraphQLClient, client_for: ClientFor) -> None:
    accounts = await portfolio(client)
    for account in accounts:
        await create_need(client, account["id"])
    viewer = await client_for("VIEWER", on=[accounts[0]["id"], accounts[3]["id"]])
    found = (await viewer.execute(ACCOUNTS, {"by": ["GRADE"]}))["accountsAggregate"]
    assert found["count"] == 2 and found["sum"] == {"currentAnnualValue": [eur("110.00")]}
    assert [(g["key"]["grade"], g["count"]) for g in found["groups"]["nodes"]] == [("A", 1), ("B", 1)]
    needs = (await viewer.execute(NEEDS, {"by": ["CATEGORY"]}))["needsAggregate"]
    assert needs["count"] == 2 and [g["count"] for g in needs["groups"]["nodes"]] == [2]
    outsider = await client_for("VIEWER")
    assert (await outsider.execute(ACCOUNTS, {"by": ["GRADE"]}))["accountsAggregate"]["count"] == 0


async def test_bad_groupings_are_client_errors(client: GraphQLClient) -> None:
    await portfolio(client)
    light = "query($by: [AccountDimension!]!, $first: Int) { accountsAggregate { groups(by: $by, first: $first) { nodes { count } } } }"
    for variables, argument in (
        ({"by": []}, "by"),
        ({"by": ["GRADE", "INDUSTRY", "REGION", "OWNER", "CURRENCY"]}, "by"),
        ({"by": ["GRADE"], "first": -1}, "first"),
        ({"by": ["GRADE"], "first": 1001}, "first"),
        ({"by": ["GRADE"], "first": 2**31 - 1}, "first"),
    ):
        errors = await client.errors(light, variables)
        assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"], (variables, errors)
        assert argument in errors[0]["message"] or errors[0]["extensions"].get("argument") == argument
    unknown = await client.errors(ACCOUNTS, {"by": ["SHOE_SIZE"]})
    assert "SHOE_SIZE" in unknown[0]["message"] and "INTERNAL" not in str(unknown)
    # The same dimension twice groups once.
    twice = await client.execute(ACCOUNTS, {"by": ["GRADE", "GRADE"]})
    assert [g["count"] for g in twice["accountsAggregate"]["groups"]["nodes"]] == [3, 2]
    bad_range = await client.errors(
        "{ actionsAggregate(filter: {completedFrom: \"2026-02-01\", completedTo: \"2026-01-01\"}) { count } }"
    )
    assert bad_range[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_one_statement_per_aggregate_field(client: GraphQLClient, sql: StatementCounter) -> None:
    await portfolio(client)
    for _ in range(2):
        await create_account(client, ownerId=(await create_member(client))["id"])
    totals_only = "{ accountsAggregate { count sum { currentAnnualValue { amount } } avg { healthScore } } }"
    with_groups = """{ accountsAggregate { count sum { currentAnnualValue { amount } } avg { healthScore }
        byGrade: groups(by: [GRADE]) { nodes { count sum { currentAnnualValue { amount } } avg { healthScore } } }
        byOwner: groups(by: [OWNER, INDUSTRY]) { nodes { key { owner { name } } count } } } }"""
    await client.execute(totals_only)  # the caller's role is loaded once per token and kept
    sql.reset()
    totals = await client.execute(totals_only)
    base = sql.count
    sql.reset()
    grouped = await client.execute(with_groups)
    # Two groupings: two statements instead of the totals' one (which `byGrade` gives: it reads every account
    # once, with every measure the totals ask for), and one more for the owners, batched.
    assert sql.count - base == 2, sql.statements
    assert sum("GROUP BY" in s.upper() for s in sql.statements) == 2
    assert {k: grouped["accountsAggregate"][k] for k in ("count", "sum", "avg")} == totals["accountsAggregate"]


async def test_totals_added_up_from_a_grouping_only_when_it_reads_every_row_once(client: GraphQLClient, sql: StatementCounter) -> None:
    await portfolio(client)
    query = """query($first: Int) { accountsAggregate { count sum { currentAnnualValue { amount currency } } min { currentAnnualValue { amount } }
        groups(by: [GRADE], first: $first) { hasMore nodes { count sum { currentAnnualValue { amount currency } } min { currentAnnualValue { amount } } } } } }"""
    expected = {"count": 5, "sum": {"currentAnnualValue": [eur("165.50"), eur("20.00", "USD")]},
                "min": {"currentAnnualValue": [{"amount": "5.00"}, {"amount": "20.00"}]}}
    await client.execute(query, {"first": 1})
    for first, statements in ((None, 1), (2, 1), (1, 2)):  # cut short: the totals read for themselves
        sql.reset()
        found = (await client.execute(query, {"first": first}))["accountsAggregate"]
        assert {k: found[k] for k in expected} == expected
        assert sum("GROUP BY" in s.upper() for s in sql.statements) == statements, (first, sql.statements)
    # A need peaking in two quarters is in two groups: the totals count it once, by a statement of their own.
    account = await create_account(client)
    await create_need(client, account["id"], peakQuarters=["Q1", "Q2"])
    needs = (await client.execute("{ needsAggregate { count groups(by: [PEAK_QUARTER]) { nodes { count } } } }"))["needsAggregate"]
    assert needs == {"count": 1, "groups": {"nodes": [{"count": 1}, {"count": 1}]}}
    # A grouping refused still lets the totals answer, or fail, without waiting for it, and leaves nothing
    # running behind the request: many in a row, then an ordinary one, each in its own time.
    for _ in range(30):
        async with asyncio.timeout(10):
            errors = await client.errors(query, {"first": -1})
        assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"]
    async with asyncio.timeout(10):
        assert (await client.execute(query, {"first": None}))["accountsAggregate"]["count"] == 6


async def test_the_cost_counts_the_groups_asked_for(client: GraphQLClient) -> None:
    query = "query($first: Int) { accountsAggregate { groups(by: [OWNER], first: $first) { nodes { key { owner { name } } } } } }"
    for first, cost in ((None, 1 + 1 + 100 * 3), (1000, 1 + 1 + 1000 * 3), (5, 1 + 1 + 5 * 3)):
        response = await client.post(query, {"first": first})
        assert response.json()["extensions"]["cost"]["requested"] == cost


async def test_only_the_measures_asked_for_are_computed(client: GraphQLClient, sql: StatementCounter) -> None:
    await portfolio(client)
    query = """fragment Value on AccountMeasures { currentAnnualValue { amount currency } }
    { accountsAggregate { count groups(by: [GRADE]) { nodes { count ... on AccountGroup { sum { ...Value } } } } } }"""
    await client.execute("{ accountsAggregate { count } }")
    sql.reset()
    found = (await client.execute(query))["accountsAggregate"]
    grouped = [s for s in sql.statements if "GROUP BY" in s.upper()]
    assert len(grouped) == 1 and "current_annual_value" in grouped[0] and "health_score" not in grouped[0]
    # `count` alone, not grouped: no currency split.
    sql.reset()
    assert (await client.execute("{ accountsAggregate { count } }"))["accountsAggregate"]["count"] == 5
    totals = [s for s in sql.statements if "count(*)" in s]
    assert len(totals) == 1 and "current_annual_value" not in totals[0] and "GROUP BY" not in totals[0].upper()
    assert found["count"] == 5
    assert found["groups"]["nodes"][0]["sum"] == {"currentAnnualValue": [eur("150.50"), eur("20.00", "USD")]}
    # A measure left out of one aggregate but asked of another is computed for both, and answered as asked.
    both = await client.execute("{ accountsAggregate { min { healthScore } max { currentAnnualValue { amount } } } }")
    assert both["accountsAggregate"]["max"] == {"currentAnnualValue": [{"amount": "100.00"}, {"amount": "20.00"}]}
