"""Growth assessments and the growth-potential matrix through the GraphQL API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.base import utcnow
from tests.conftest import GraphQLClient, StatementCounter
from tests.factories import create_account, create_member
from tests.plan_factories import RECORD_ASSESSMENT, record_assessment

HISTORY = """
query($id: ID!, $first: Int, $after: String) {
  account(id: $id) {
    quadrant
    latestAssessment { id assessedOn quadrant }
    growthHistory(first: $first, after: $after) {
      totalCount
      nodes { id assessedOn quadrant }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

DELETE = """
mutation($input: GrowthAssessmentDeleteInput!) {
  growthAssessmentDelete(input: $input) { deletedId account { id quadrant } userErrors { field code } }
}"""

ACCOUNTS_IN = """
query($quadrants: [GrowthQuadrant!]) { accounts(filter: {quadrants: $quadrants}) { nodes { name } } }
"""

MATRIX = """
query($filter: AccountFilter, $first: Int, $after: String) {
  growthMatrix(filter: $filter) {
    thresholds { currentValue potential }
    unassessedCount
    quadrants {
      quadrant accountCount
      totalCurrentValue { amount currency }
      totalPotential { amount currency }
      accounts(first: $first, after: $after) { totalCount nodes { name } pageInfo { hasNextPage endCursor } }
    }
  }
}"""

MATRIX_BY_VALUE = """
{
  growthMatrix {
    quadrants { quadrant accounts(orderBy: {field: NAME, direction: DESC}) { nodes { name } } }
  }
}"""

ARCHIVE = """
mutation($input: AccountArchiveInput!) { accountArchive(input: $input) { userErrors { code } } }
"""


def today() -> str:
    return utcnow().date().isoformat()


async def history(client: GraphQLClient, account_id: str, **variables: object) -> dict:
    return (await client.execute(HISTORY, {"id": account_id, **variables}))["account"]


async def test_defaults_come_from_the_account_and_set_its_quadrant(client: GraphQLClient) -> None:
    account = await create_account(client, currentAnnualValue="1500000", estimatedWallet="4000000", currency="USD")
    assessment = await record_assessment(client, account["id"])
    assert assessment["assessedOn"] == today()
    assert assessment["currentValue"] == {"amount": "1500000.00", "currency": "USD"}
    assert assessment["potential"] == {"amount": "2500000.00", "currency": "USD"}
    assert assessment["quadrant"] == "STRATEGIC"
    assert assessment["account"] == {"id": account["id"], "quadrant": "STRATEGIC"}
    assert assessment["assessedBy"] is None and assessment["note"] is None
    read = await history(client, account["id"])
    assert read["latestAssessment"]["id"] == assessment["id"]


async def test_given_values_and_assessor(client: GraphQLClient) -> None:
    account = await create_account(client, currentAnnualValue="5000000")
    member = await create_member(client)
    assessment = await record_assessment(
        client, account["id"], currentValue="200000", potential="3000000", assessedById=member["id"],
        assessedOn="2025-03-31", note=" Big wallet, small share ",
    )
    assert (assessment["quadrant"], assessment["assessedOn"]) == ("DEVELOP", "2025-03-31")
    assert assessment["currentValue"]["amount"] == "200000.00" and assessment["potential"]["amount"] == "3000000.00"
    assert assessment["assessedBy"] == {"id": member["id"]} and assessment["note"] == "Big wallet, small share"


async def test_default_potential_is_never_negative(client: GraphQLClient) -> None:
    account = await create_account(client, currentAnnualValue="2000000", estimatedWallet="500000")
    assessment = await record_assessment(client, account["id"])
    assert assessment["potential"]["amount"] == "0.00"
    assert assessment["quadrant"] == "MAINTAIN"


async def test_history_is_newest_first_and_the_latest_sets_the_quadrant(client: GraphQLClient) -> None:
    account = await create_account(client)
    develop = await record_assessment(client, account["id"], assessedOn="2025-01-01", currentValue="1", potential="2000000")
    strategic = await record_assessment(client, account["id"], assessedOn="2025-06-01", currentValue="2000000", potential="2000000")
    # Back-dated: recorded later, but not the latest, so the account stays STRATEGIC.
    monitor = await record_assessment(client, account["id"], assessedOn="2024-03-01", currentValue="1", potential="1")
    assert monitor["account"]["quadrant"] == "STRATEGIC"
    # Same day as the latest: the one recorded last wins.
    maintain = await record_assessment(client, account["id"], assessedOn="2025-06-01", currentValue="2000000", potential="0")
    assert maintain["account"]["quadrant"] == "MAINTAIN"
    read = await history(client, account["id"])
    assert [n["id"] for n in read["growthHistory"]["nodes"]] == [maintain["id"], strategic["id"], develop["id"], monitor["id"]]
    assert read["growthHistory"]["totalCount"] == 4
    assert read["latestAssessment"]["id"] == maintain["id"] and read["quadrant"] == "MAINTAIN"
    page1 = (await history(client, account["id"], first=3))["growthHistory"]
    page2 = (await history(client, account["id"], first=3, after=page1["pageInfo"]["endCursor"]))["growthHistory"]
    assert [n["id"] for n in page1["nodes"] + page2["nodes"]] == [n["id"] for n in read["growthHistory"]["nodes"]]
    assert page1["pageInfo"]["hasNextPage"] is True and page2["pageInfo"]["hasNextPage"] is False


async def test_delete_falls_back_to_the_latest_remaining(client: GraphQLClient) -> None:
    account = await create_account(client, name="Mover")
    old = await record_assessment(client, account["id"], assessedOn="2024-01-01", currentValue="1", potential="2000000")
    new = await record_assessment(client, account["id"], assessedOn="2025-01-01", currentValue="2000000", potential="1")
    assert (await client.execute(ACCOUNTS_IN, {"quadrants": ["MAINTAIN"]}))["accounts"]["nodes"] == [{"name": "Mover"}]
    deleted = await client.mutate(DELETE, {"id": new["id"]})
    assert deleted == {"deletedId": new["id"], "account": {"id": account["id"], "quadrant": "DEVELOP"}, "userErrors": []}
    assert (await client.execute(ACCOUNTS_IN, {"quadrants": ["MAINTAIN"]}))["accounts"]["nodes"] == []
    assert (await client.execute(ACCOUNTS_IN, {"quadrants": ["DEVELOP"]}))["accounts"]["nodes"] == [{"name": "Mover"}]
    last = await client.mutate(DELETE, {"id": old["id"]})
    assert last["account"]["quadrant"] is None
    read = await history(client, account["id"])
    assert read["latestAssessment"] is None and read["growthHistory"]["totalCount"] == 0
    missing = await client.mutate(DELETE, {"id": old["id"]})
    assert missing == {"deletedId": None, "account": None, "userErrors": [{"field": "id", "code": "NOT_FOUND"}]}


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"assessedOn": (utcnow().date() + timedelta(days=2)).isoformat()}, "assessedOn", "OUT_OF_RANGE"),
        ({"currentValue": "-1"}, "currentValue", "OUT_OF_RANGE"),
        ({"potential": "-0.01"}, "potential", "OUT_OF_RANGE"),
        ({"potential": "1.001"}, "potential", "OUT_OF_RANGE"),
        ({"assessedById": "VGVhbU1lbWJlcjo5OTk="}, "assessedById", "NOT_FOUND"),
        ({"assessedById": "garbage"}, "assessedById", "INVALID"),
        ({"note": "x" * 5001}, "note", "OUT_OF_RANGE"),
    ],
)
async def test_bad_assessment_changes_nothing(client: GraphQLClient, fields: dict, field: str, code: str) -> None:
    account = await create_account(client)
    payload = await client.mutate(RECORD_ASSESSMENT, {"accountId": account["id"], **fields})
    assert payload["growthAssessment"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    read = await history(client, account["id"])
    assert read["growthHistory"]["totalCount"] == 0 and read["quadrant"] is None


async def test_archived_or_missing_account_is_refused(client: GraphQLClient) -> None:
    account = await create_account(client)
    kept = await record_assessment(client, account["id"])
    await client.mutate(ARCHIVE, {"id": account["id"]})
    refused = await client.mutate(RECORD_ASSESSMENT, {"accountId": account["id"]})
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [("accountId", "ARCHIVED")]
    not_deleted = await client.mutate(DELETE, {"id": kept["id"]})
    assert not_deleted["userErrors"] == [{"field": "id", "code": "ARCHIVED"}]
    assert (await history(client, account["id"]))["growthHistory"]["totalCount"] == 1
    missing = await client.mutate(RECORD_ASSESSMENT, {"accountId": "QWNjb3VudDo5OTk="})
    assert [(e["field"], e["code"]) for e in missing["userErrors"]] == [("accountId", "NOT_FOUND")]


async def seed_matrix(client: GraphQLClient) -> None:
    placements = [
        ("Alpha", "A", "EUR", "2000000", "3000000"),  # STRATEGIC
        ("Beta", "A", "USD", "1500000", "1000000"),  # STRATEGIC
        ("Gamma", "B", "EUR", "100000", "5000000"),  # DEVELOP
        ("Delta", "B", "EUR", "3000000.50", "10"),  # MAINTAIN
        ("Epsilon", "C", "EUR", "2000000.25", "0"),  # MAINTAIN
    ]
    for name, grade, currency, current, potential in placements:
        account = await create_account(client, name=name, grade=grade, currency=currency)
        await record_assessment(client, account["id"], assessedOn="2024-01-01", currentValue="1", potential="1")
        await record_assessment(client, account["id"], currentValue=current, potential=potential)
    await create_account(client, name="Unassessed", grade="A")
    archived = await create_account(client, name="Archived", grade="A")
    await record_assessment(client, archived["id"], currentValue="1", potential="1")
    await client.mutate(ARCHIVE, {"id": archived["id"]})


def cells(matrix: dict) -> dict[str, tuple]:
    return {
        q["quadrant"]: (
            q["accountCount"],
            [(m["amount"], m["currency"]) for m in q["totalCurrentValue"]],
            [(m["amount"], m["currency"]) for m in q["totalPotential"]],
            [a["name"] for a in q["accounts"]["nodes"]],
        )
        for q in matrix["quadrants"]
    }


async def test_growth_matrix_aggregates_latest_assessments_per_quadrant_and_currency(client: GraphQLClient) -> None:
    await seed_matrix(client)
    matrix = (await client.execute(MATRIX))["growthMatrix"]
    assert matrix["thresholds"] == {"currentValue": "1000000", "potential": "1000000"}
    assert [q["quadrant"] for q in matrix["quadrants"]] == ["DEVELOP", "STRATEGIC", "MAINTAIN", "MONITOR"]
    assert cells(matrix) == {
        "DEVELOP": (1, [("100000.00", "EUR")], [("5000000.00", "EUR")], ["Gamma"]),
        "STRATEGIC": (
            2,
            [("2000000.00", "EUR"), ("1500000.00", "USD")],
            [("3000000.00", "EUR"), ("1000000.00", "USD")],
            ["Alpha", "Beta"],
        ),
        "MAINTAIN": (2, [("5000000.75", "EUR")], [("10.00", "EUR")], ["Delta", "Epsilon"]),
        "MONITOR": (0, [], [], []),
    }
    assert matrix["unassessedCount"] == 1


async def test_growth_matrix_applies_the_account_filter(client: GraphQLClient) -> None:
    await seed_matrix(client)
    matrix = (await client.execute(MATRIX, {"filter": {"grades": ["A"]}}))["growthMatrix"]
    assert {q: c[0] for q, c in cells(matrix).items()} == {"DEVELOP": 0, "STRATEGIC": 2, "MAINTAIN": 0, "MONITOR": 0}
    assert matrix["unassessedCount"] == 1
    narrowed = (await client.execute(MATRIX, {"filter": {"quadrants": ["MAINTAIN"]}}))["growthMatrix"]
    assert {q: c[3] for q, c in cells(narrowed).items()} == {
        "DEVELOP": [], "STRATEGIC": [], "MAINTAIN": ["Delta", "Epsilon"], "MONITOR": [],
    }
    assert narrowed["unassessedCount"] == 0
    archived = (await client.execute(MATRIX, {"filter": {"includeArchived": True}}))["growthMatrix"]
    assert cells(archived)["MONITOR"][0] == 1 and cells(archived)["MONITOR"][3] == ["Archived"]


async def test_growth_matrix_accounts_page(client: GraphQLClient) -> None:
    await seed_matrix(client)
    first = cells((await client.execute(MATRIX, {"first": 1}))["growthMatrix"])
    assert first["STRATEGIC"][3] == ["Alpha"]
    matrix = (await client.execute(MATRIX, {"first": 1}))["growthMatrix"]
    strategic = next(q for q in matrix["quadrants"] if q["quadrant"] == "STRATEGIC")
    assert strategic["accounts"]["totalCount"] == 2 and strategic["accounts"]["pageInfo"]["hasNextPage"] is True
    rest = cells((await client.execute(MATRIX, {"first": 1, "after": strategic["accounts"]["pageInfo"]["endCursor"]}))["growthMatrix"])
    assert rest["STRATEGIC"][3] == ["Beta"]
    ordered = await client.execute(MATRIX_BY_VALUE)
    maintain = next(q for q in ordered["growthMatrix"]["quadrants"] if q["quadrant"] == "MAINTAIN")
    assert [a["name"] for a in maintain["accounts"]["nodes"]] == ["Epsilon", "Delta"]


async def test_growth_matrix_statement_count_does_not_grow_with_accounts(
    client: GraphQLClient, sql: StatementCounter
) -> None:
    query = "{ growthMatrix { unassessedCount quadrants { accountCount totalCurrentValue { amount } } } }"
    for _ in range(2):
        account = await create_account(client)
        await record_assessment(client, account["id"], currentValue="5", potential="5")
    sql.reset()
    await client.execute(query)
    small = sql.count
    for _ in range(6):
        account = await create_account(client, currentAnnualValue="5000000", currency="USD")
        await record_assessment(client, account["id"])
    sql.reset()
    await client.execute(query)
    assert sql.count == small == 2  # the caller's token, then the matrix in one statement
