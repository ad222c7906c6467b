"""Revenue history through the GraphQL API: loading records (idempotent, refused whole when a row is bad,
or keeping the good rows), the summary kept on the account (trailing twelve months as the current annual
value, orders, margin to date), revenue per period, RFM after `kam recompute`, deleting records."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import utcnow
from kam.recompute import recompute
from tests.conftest import ClientFor, GraphQLClient
from tests.factories import create_account

IMPORT = """
mutation($input: RevenueImportInput!) {
  revenueImport(input: $input) { created updated unchanged problems { row column message } userErrors { field code message } }
}"""

ACCOUNT = """
query($id: ID!) {
  account(id: $id) {
    currentAnnualValue { amount currency } currentAnnualValueSource enteredAnnualValue { amount }
    revenue {
      trailingTwelveMonths { amount currency } ordersLast12Months lastOrderOn marginToDate { amount } countedOn
      rfm { recency frequency monetary rankedOn }
      records(first: 10) { totalCount nodes { bookedOn amount { amount } margin { amount } productLine reference } }
    }
  }
}"""

BY_PERIOD = """
query($id: ID!, $grain: Grain!, $from: Date!, $to: Date!) {
  account(id: $id) { revenue { byPeriod(grain: $grain, from: $from, to: $to) { start end amount { amount } margin { amount } orders } } }
}"""


def ago(days: int) -> str:
    return (utcnow().date() - timedelta(days=days)).isoformat()


def record(account_id: str, days_ago: int, amount: str, reference: str, **fields: Any) -> dict[str, Any]:
    return {"account": account_id, "date": ago(days_ago), "amount": amount, "reference": reference, **fields}


async def load(client: GraphQLClient, records: list[dict[str, Any]], keep: bool = False) -> dict[str, Any]:
    """Sent as JSON with escapes, so that a lone surrogate travels as a client would send it (`"\\ud800"`)."""
    body = {"query": IMPORT, "variables": {"input": {"records": records, "keepGoodRows": keep}}}
    response = await client.http.post("/graphql", content=json.dumps(body), headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    return response.json()["data"]["revenueImport"]


async def read(client: GraphQLClient, account_id: str) -> dict[str, Any]:
    return (await client.execute(ACCOUNT, {"id": account_id}))["account"]


async def test_records_make_the_trailing_twelve_months_the_current_annual_value(client: GraphQLClient) -> None:
    account = await create_account(client, currentAnnualValue="90000")
    before = await read(client, account["id"])
    assert before["currentAnnualValueSource"] == "ENTERED" and before["currentAnnualValue"]["amount"] == "90000.00"
    assert before["revenue"]["trailingTwelveMonths"]["amount"] == "0.00" and before["revenue"]["countedOn"] is None

    payload = await load(
        client,
        [
            record(account["id"], 10, "1000.00", "INV-1", margin="250.00", productLine="Sensors"),
            record(account["id"], 200, "2500.50", "INV-2", margin="-100.00"),
            record(account["id"], 400, "7000", "INV-3", margin="3000"),  # outside the trailing twelve months
        ],
    )
    assert payload == {"created": 3, "updated": 0, "unchanged": 0, "problems": [], "userErrors": []}
    after = await read(client, account["id"])
    assert after["currentAnnualValueSource"] == "TRAILING_TWELVE_MONTHS"
    assert after["currentAnnualValue"] == {"amount": "3500.50", "currency": "EUR"}
    assert after["enteredAnnualValue"] == {"amount": "90000.00"}
    revenue = after["revenue"]
    assert revenue["trailingTwelveMonths"] == {"amount": "3500.50", "currency": "EUR"}
    assert (revenue["ordersLast12Months"], revenue["lastOrderOn"], revenue["countedOn"]) == (2, ago(10), utcnow().date().isoformat())
    assert revenue["marginToDate"] == {"amount": "3150.00"}
    assert [n["reference"] for n in revenue["records"]["nodes"]] == ["INV-1", "INV-2", "INV-3"]
    assert revenue["records"]["nodes"][0] == {
        "bookedOn": ago(10), "amount": {"amount": "1000.00"}, "margin": {"amount": "250.00"}, "productLine": "Sensors", "reference": "INV-1",
    }

    # A person's value is kept beside the records' and does not replace them.
    update = "mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) { userErrors { code } } }"
    assert (await client.mutate(update, {"id": account["id"], "currentAnnualValue": "120000"}))["userErrors"] == []
    again = await read(client, account["id"])
    assert (again["currentAnnualValue"]["amount"], again["enteredAnnualValue"]["amount"]) == ("3500.50", "120000.00")


async def test_loading_the_same_records_twice_changes_nothing_and_a_corrected_one_is_updated(client: GraphQLClient) -> None:
    account = await create_account(client)
    records = [record(account["id"], 5, "100", "A-1"), record(account["id"], 6, "200", "A-2")]
    assert (await load(client, records))["created"] == 2
    assert (await load(client, records))[("unchanged")] == 2
    corrected = [record(account["id"], 5, "150", "A-1"), record(account["id"], 6, "200", "A-2")]
    payload = await load(client, corrected)
    assert (payload["created"], payload["updated"], payload["unchanged"]) == (0, 1, 1)
    assert (await read(client, account["id"]))["currentAnnualValue"]["amount"] == "350.00"
    history = await client.execute(
        "query($id: ID!) { account(id: $id) { history(first: 20) { nodes { entityType change after } } } }", {"id": account["id"]}
    )
    changes = [(e["entityType"], e["change"]) for e in history["account"]["history"]["nodes"]]
    assert changes.count(("RevenueRecord", "CREATE")) == 2 and changes.count(("RevenueRecord", "UPDATE")) == 1


async def test_a_load_with_a_bad_row_loads_nothing_unless_the_good_rows_are_kept(client: GraphQLClient) -> None:
    account = await create_account(client)
    other = await create_account(client, currency="USD")
    records = [
        record(account["id"], 1, "100", "OK-1"),
        record(account["id"], -1, "-5", "BAD-1"),  # in the future, and negative
        record(account["id"], 1, "1.001", "BAD-2"),
        record(account["id"], 1, "10", "BAD-3", currency="USD"),
        record(other["id"], 1, "10", "BAD-4", currency="EUR"),
        record("QWNjb3VudDo5OTk5OTk=", 1, "10", "BAD-5"),
        record(account["id"], 1, "10", "BAD-6", margin="11"),
        {**record(account["id"], 1, "10", "OK-1")},  # the first row's reference again
    ]
    refused = await load(client, records)
    assert (refused["created"], refused["userErrors"][0]["code"]) == (0, "INVALID")
    assert [(p["row"], p["column"]) for p in refused["problems"]] == [
        (2, "amount"), (2, "date"), (3, "amount"), (4, "currency"), (5, "currency"), (6, "account"), (7, "margin"),
        (8, "reference"),
    ]
    assert (await read(client, account["id"]))["revenue"]["records"]["totalCount"] == 0

    kept = await load(client, records, keep=True)
    assert (kept["created"], kept["userErrors"], len(kept["problems"])) == (1, [], 8)
    assert (await read(client, account["id"]))["revenue"]["records"]["totalCount"] == 1

    # Text no store keeps refuses the whole request before it runs.
    body = {"query": IMPORT, "variables": {"input": {"records": [record(account["id"], 1, "10", "\ud800")]}}}
    response = await client.http.post("/graphql", content=json.dumps(body), headers={"Content-Type": "application/json"})
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await read(client, account["id"]))["revenue"]["records"]["totalCount"] == 1


async def test_too_many_records_in_one_call_are_refused_by_the_body_limit(client: GraphQLClient) -> None:
    account = await create_account(client)
    records = [record(account["id"], 1, "1", f"R-{n}") for n in range(1001)]
    response = await client.post(IMPORT, {"input": {"records": records}})
    assert (response.status_code, response.json()["errors"][0]["extensions"]["code"]) == (400, "BAD_REQUEST")


@pytest.mark.parametrize("settings", [{"max_json_items": 5000}], indirect=True)
async def test_too_many_records_in_one_call_are_refused_by_the_mutation(client: GraphQLClient) -> None:
    account = await create_account(client)
    payload = await load(client, [record(account["id"], 1, "1", f"R-{n}") for n in range(1001)])
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("records", "OUT_OF_RANGE")]
    assert payload["created"] == 0


async def test_a_viewer_loads_nothing_into_accounts_they_may_not_change(client: GraphQLClient, client_for: ClientFor) -> None:
    account = await create_account(client)
    viewer = await client_for("VIEWER", on=[account["id"]])
    payload = await load(viewer, [record(account["id"], 1, "10", "V-1")])
    assert [(p["row"], p["column"]) for p in payload["problems"]] == [(1, "account")]
    assert payload["problems"][0]["message"] == "is an account you may not change"
    stranger = await client_for("ACCOUNT_MANAGER")
    payload = await load(stranger, [record(account["id"], 1, "10", "V-1")])
    assert payload["problems"][0]["message"] == "names no account"


async def test_revenue_per_period(client: GraphQLClient) -> None:
    account = await create_account(client)
    records = [
        {"account": account["id"], "date": "2025-01-31", "amount": "100", "reference": "P-1", "margin": "10"},
        {"account": account["id"], "date": "2025-02-01", "amount": "200", "reference": "P-2"},
        {"account": account["id"], "date": "2025-03-15", "amount": "300", "reference": "P-3", "margin": "30"},
        {"account": account["id"], "date": "2025-07-01", "amount": "400", "reference": "P-4"},
        {"account": account["id"], "date": "2026-01-01", "amount": "500", "reference": "P-5"},
    ]
    assert (await load(client, records))["created"] == 5

    async def periods(grain: str, start: str, end: str) -> list[tuple[str, str, str, int]]:
        data = await client.execute(BY_PERIOD, {"id": account["id"], "grain": grain, "from": start, "to": end})
        return [(p["start"], p["end"], p["amount"]["amount"], p["orders"]) for p in data["account"]["revenue"]["byPeriod"]]

    assert await periods("QUARTER", "2025-01-01", "2025-12-31") == [
        ("2025-01-01", "2025-03-31", "600.00", 3),
        ("2025-04-01", "2025-06-30", "0.00", 0),
        ("2025-07-01", "2025-09-30", "400.00", 1),
        ("2025-10-01", "2025-12-31", "0.00", 0),
    ]
    assert await periods("MONTH", "2025-01-15", "2025-02-28") == [
        ("2025-01-01", "2025-01-31", "100.00", 1),
        ("2025-02-01", "2025-02-28", "200.00", 1),
    ]
    assert await periods("YEAR", "2024-06-01", "2026-12-31") == [
        ("2024-01-01", "2024-12-31", "0.00", 0),
        ("2025-01-01", "2025-12-31", "1000.00", 4),
        ("2026-01-01", "2026-12-31", "500.00", 1),
    ]
    # Only the days asked for count, also inside a period.
    assert await periods("YEAR", "2025-02-01", "2025-03-31") == [("2025-01-01", "2025-12-31", "500.00", 2)]
    assert await periods("MONTH", "9999-12-01", "9999-12-31") == [("9999-12-01", "9999-12-31", "0.00", 0)]
    for grain, start, end in (("MONTH", "2025-02-01", "2025-01-01"), ("YEAR", "0001-01-01", "9999-12-31")):
        errors = await client.errors(BY_PERIOD, {"id": account["id"], "grain": grain, "from": start, "to": end})
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_rfm_quintiles_after_recompute(client: GraphQLClient, engine: AsyncEngine) -> None:
    accounts = [await create_account(client) for _ in range(5)]
    # Account n: last order n*10 days ago, n orders, n*1000 in twelve months; one more account never ordered.
    for n, account in enumerate(accounts, start=1):
        await load(client, [record(account["id"], n * 10 + k, str(n * 1000 // n), f"R-{k}") for k in range(n)])
    idle = await create_account(client)
    await recompute(engine, utcnow().date())
    scores = [(await read(client, a["id"]))["revenue"]["rfm"] for a in accounts]
    assert [(s["recency"], s["frequency"], s["monetary"]) for s in scores] == [(5, 1, 1), (4, 2, 2), (3, 3, 3), (2, 4, 4), (1, 5, 5)]
    assert all(s["rankedOn"] == utcnow().date().isoformat() for s in scores)
    assert (await read(client, idle["id"]))["revenue"]["rfm"] is None


async def test_deleting_the_last_record_returns_to_the_entered_value(client: GraphQLClient) -> None:
    account = await create_account(client, currentAnnualValue="5000")
    await load(client, [record(account["id"], 3, "10", "D-1")])
    record_id = (await client.execute("{ accounts { nodes { revenue { records { nodes { id } } } } } }"))["accounts"]["nodes"][0]
    (node,) = record_id["revenue"]["records"]["nodes"]
    delete = "mutation($input: RevenueRecordDeleteInput!) { revenueRecordDelete(input: $input) { deletedId userErrors { code } } }"
    assert (await client.mutate(delete, {"id": node["id"]}))["userErrors"] == []
    after = await read(client, account["id"])
    assert (after["currentAnnualValueSource"], after["currentAnnualValue"]["amount"]) == ("ENTERED", "5000.00")
    assert after["revenue"]["ordersLast12Months"] == 0


async def test_an_account_with_records_keeps_its_currency(client: GraphQLClient) -> None:
    account = await create_account(client)
    await load(client, [record(account["id"], 3, "10", "C-1")])
    update = "mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) { userErrors { field code } } }"
    payload = await client.mutate(update, {"id": account["id"], "currency": "USD"})
    assert payload["userErrors"] == [{"field": "currency", "code": "INVALID"}]


@pytest.mark.parametrize("amount", ["1e3", "NaN", "1" * 30, "-0.01", "0"])
async def test_odd_amounts_are_problems_not_errors(client: GraphQLClient, amount: str) -> None:
    account = await create_account(client)
    response = await client.post(IMPORT, {"input": {"records": [record(account["id"], 1, amount, "O-1")]}})
    body = response.json()
    if "errors" in body:  # not a Decimal at all: the scalar refuses it before the mutation runs
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    else:
        assert [p["column"] for p in body["data"]["revenueImport"]["problems"]] == ["amount"]


def test_a_date_in_the_range_is_whole_periods() -> None:
    from domain.revenue import Grain, period_start
    from resolvers.revenue.reads import period_end

    assert period_start(date(2024, 8, 17), Grain.QUARTER) == date(2024, 7, 1)
    assert period_end(date(2024, 2, 1), Grain.MONTH) == date(2024, 2, 29)
    assert period_end(date(9999, 10, 1), Grain.QUARTER) == date(9999, 12, 31)
