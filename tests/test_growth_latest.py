"""The growth matrix sums the latest assessment of every account, which each account carries with its quadrant:
whatever writes assessments (the mutations, the demo, the generator), the matrix says what the accounts' latest
assessments say, read through the API."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.growth import MatrixThresholds
from kam.demo import load_demo
from kam.portfolio.load import load_portfolio
from kam.settings import Settings
from tests.conftest import GraphQLClient, StatementCounter
from tests.factories import create_account
from tests.plan_factories import record_assessment

MATRIX = """
query($filter: AccountFilter) {
  growthMatrix(filter: $filter) {
    unassessedCount
    quadrants {
      quadrant accountCount
      totalCurrentValue { amount currency }
      totalPotential { amount currency }
    }
  }
}"""

LATEST = """
query($filter: AccountFilter, $after: String) {
  accounts(filter: $filter, first: 100, after: $after) {
    nodes {
      quadrant
      latestAssessment { quadrant currentValue { amount currency } potential { amount currency } }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""

MATRIX_PAGES = """
query($first: Int, $last: Int) {
  growthMatrix {
    quadrants {
      quadrant
      accounts(first: $first, last: $last) {
        nodes { name latestAssessment { assessedOn currentValue { amount } } }
        pageInfo { hasNextPage hasPreviousPage }
      }
    }
  }
}"""

DELETE = """
mutation($input: GrowthAssessmentDeleteInput!) { growthAssessmentDelete(input: $input) { userErrors { code } } }
"""
UPDATE = """
mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) { userErrors { code } } }
"""
ARCHIVE = """
mutation($input: AccountArchiveInput!) { accountArchive(input: $input) { userErrors { code } } }
"""
RESTORE = """
mutation($input: AccountArchiveInput!) { accountRestore(input: $input) { userErrors { code } } }
"""

Cells = dict[str, tuple[int, dict[str, Decimal], dict[str, Decimal]]]


def matrix_cells(matrix: dict[str, Any]) -> tuple[Cells, int]:
    cells = {
        q["quadrant"]: (
            q["accountCount"],
            {m["currency"]: Decimal(m["amount"]) for m in q["totalCurrentValue"]},
            {m["currency"]: Decimal(m["amount"]) for m in q["totalPotential"]},
        )
        for q in matrix["quadrants"]
    }
    return cells, matrix["unassessedCount"]


async def from_latest_assessments(client: GraphQLClient, flt: dict[str, Any]) -> tuple[Cells, int]:
    """The matrix as the accounts' latest assessments describe it, read account by account."""
    counts: dict[str, int] = defaultdict(int)
    current: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    potential: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    unassessed = 0
    after = None
    while True:
        data = (await client.execute(LATEST, {"filter": flt, "after": after}))["accounts"]
        for node in data["nodes"]:
            latest = node["latestAssessment"]
            if latest is None:
                assert node["quadrant"] is None
                unassessed += 1
                continue
            quadrant = latest["quadrant"]
            assert node["quadrant"] == quadrant
            counts[quadrant] += 1
            current[quadrant][latest["currentValue"]["currency"]] += Decimal(latest["currentValue"]["amount"])
            potential[quadrant][latest["potential"]["currency"]] += Decimal(latest["potential"]["amount"])
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    quadrants = ("DEVELOP", "STRATEGIC", "MAINTAIN", "MONITOR")
    return {q: (counts[q], dict(current[q]), dict(potential[q])) for q in quadrants}, unassessed


async def assert_matrix_is_the_latest_assessments(client: GraphQLClient, **flt: Any) -> Cells:
    matrix = (await client.execute(MATRIX, {"filter": flt}))["growthMatrix"]
    cells = matrix_cells(matrix)
    assert cells == await from_latest_assessments(client, flt)
    return cells[0]


async def test_every_assessment_change_moves_the_matrix_with_the_latest_assessment(client: GraphQLClient) -> None:
    first = await create_account(client, name="First", grade="A", currency="EUR")
    second = await create_account(client, name="Second", grade="B", currency="USD")
    await create_account(client, name="Never assessed", grade="A")
    await assert_matrix_is_the_latest_assessments(client)

    old = await record_assessment(client, first["id"], assessedOn="2025-01-10", currentValue="100", potential="2000000")
    cells = await assert_matrix_is_the_latest_assessments(client)
    assert cells["DEVELOP"] == (1, {"EUR": Decimal("100.00")}, {"EUR": Decimal("2000000.00")})

    # A back-dated assessment is history, not the latest: nothing moves.
    await record_assessment(client, first["id"], assessedOn="2024-06-01", currentValue="5000000", potential="0")
    assert (await assert_matrix_is_the_latest_assessments(client)) == cells

    # A newer one moves the account, and one of the same day recorded later wins, even in the same quadrant.
    await record_assessment(client, first["id"], assessedOn="2025-03-01", currentValue="1500000", potential="1200000")
    same_day = await record_assessment(
        client, first["id"], assessedOn="2025-03-01", currentValue="1700000.25", potential="1100000"
    )
    cells = await assert_matrix_is_the_latest_assessments(client)
    assert cells["STRATEGIC"] == (1, {"EUR": Decimal("1700000.25")}, {"EUR": Decimal("1100000.00")})

    await record_assessment(client, second["id"], currentValue="3000000", potential="10")
    await record_assessment(client, second["id"], currentValue="2500000", potential="20")
    cells = await assert_matrix_is_the_latest_assessments(client)
    assert cells["MAINTAIN"] == (1, {"USD": Decimal("2500000.00")}, {"USD": Decimal("20.00")})

    # The account changes currency: the matrix keeps the currency its latest assessment was made in.
    assert (await client.mutate(UPDATE, {"id": second["id"], "currency": "GBP"}))["userErrors"] == []
    assert (await assert_matrix_is_the_latest_assessments(client))["MAINTAIN"][1] == {"USD": Decimal("2500000.00")}

    # Deleting the latest falls back to the one before, deleting the last leaves the account unassessed.
    assert (await client.mutate(DELETE, {"id": same_day["id"]}))["userErrors"] == []
    cells = await assert_matrix_is_the_latest_assessments(client)
    assert cells["STRATEGIC"] == (1, {"EUR": Decimal("1500000.00")}, {"EUR": Decimal("1200000.00")})
    await client.mutate(DELETE, {"id": old["id"]})
    await assert_matrix_is_the_latest_assessments(client)

    # Archived accounts leave the matrix and come back with their figures.
    await client.mutate(ARCHIVE, {"id": second["id"]})
    assert (await assert_matrix_is_the_latest_assessments(client))["MAINTAIN"][0] == 0
    await assert_matrix_is_the_latest_assessments(client, includeArchived=True)
    await client.mutate(RESTORE, {"id": second["id"]})
    assert (await assert_matrix_is_the_latest_assessments(client))["MAINTAIN"][0] == 1
    await assert_matrix_is_the_latest_assessments(client, grades=["B"])


async def test_a_generated_portfolio_carries_its_latest_assessments(client: GraphQLClient, engine: AsyncEngine) -> None:
    settings = Settings()
    thresholds = MatrixThresholds(settings.growth_value_threshold, settings.growth_potential_threshold)
    await load_portfolio(engine, 12, thresholds=thresholds, seed=3, batch=5)
    cells = await assert_matrix_is_the_latest_assessments(client)
    assert sum(count for count, _, _ in cells.values()) > 0
    await assert_matrix_is_the_latest_assessments(client, includeArchived=True)
    await assert_matrix_is_the_latest_assessments(client, grades=["A", "B"])


async def test_the_demo_portfolio_carries_its_latest_assessments(client: GraphQLClient, database_url: str) -> None:
    assert await load_demo(database_url, only_if_empty=False)
    cells = await assert_matrix_is_the_latest_assessments(client, includeArchived=True)
    assert sum(count for count, _, _ in cells.values()) > 0


async def test_the_cells_pages_and_latest_assessments_come_in_one_statement_each(
    client: GraphQLClient, sql: StatementCounter
) -> None:
    for n, (current, potential) in enumerate(
        [("10", "2000000"), ("2000000", "2000000"), ("2000000", "10"), ("10", "10")] * 2
    ):
        account = await create_account(client, name=f"Cell {n}")
        await record_assessment(client, account["id"], assessedOn="2025-01-01", currentValue="1", potential="1")
        await record_assessment(client, account["id"], currentValue=current, potential=potential)
    sql.reset()
    first = (await client.execute(MATRIX_PAGES, {"first": 1}))["growthMatrix"]["quadrants"]
    # The caller's token, the totals, the four cells' pages, then their latest assessments.
    assert sql.count == 4
    assert [[a["name"] for a in q["accounts"]["nodes"]] for q in first] == [[f"Cell {n}"] for n in range(4)]
    assert all(q["accounts"]["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False} for q in first)
    assert all(q["accounts"]["nodes"][0]["latestAssessment"]["assessedOn"] != "2025-01-01" for q in first)
    last = (await client.execute(MATRIX_PAGES, {"last": 1}))["growthMatrix"]["quadrants"]
    assert [[a["name"] for a in q["accounts"]["nodes"]] for q in last] == [[f"Cell {n}"] for n in range(4, 8)]
    assert all(q["accounts"]["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True} for q in last)
