"""The account list filtered by grade and quadrant: pages are read one (grade, quadrant) pair at a time and
merged, and that must not show. Every filter and order pages through exactly the accounts it selects, in
order, forwards and backwards, with the right counts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import GraphQLClient, StatementCounter
from tests.factories import create_account
from tests.plan_factories import record_assessment

LIST = """
query($filter: AccountFilter, $orderBy: AccountOrder, $first: Int, $after: String, $last: Int, $before: String) {
  accounts(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    nodes { name grade quadrant }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""

ARCHIVE = """
mutation($input: AccountArchiveInput!) { accountArchive(input: $input) { userErrors { code } } }
"""

# (current value, potential) that put an account in each quadrant with the default thresholds of 1,000,000.
PLACES = {
    "DEVELOP": ("10", "2000000"),
    "STRATEGIC": ("2000000", "2000000"),
    "MAINTAIN": ("2000000", "10"),
    "MONITOR": ("10", "10"),
}
GRADES = "ABCD"
QUADRANTS = [*PLACES, None]

Row = tuple[str, str, str | None, bool]  # name, grade, quadrant, archived


@pytest.fixture
async def accounts(client: GraphQLClient) -> list[Row]:
    """Accounts of every grade in every quadrant (and none), names interleaving across the pairs, some archived."""
    made: list[Row] = []
    for n in range(30):
        grade = GRADES[n % 4]
        quadrant = QUADRANTS[(n * 3) % 5]
        name = f"Firm {29 - n:02d}"
        account = await create_account(client, name=name, grade=grade, region="North" if n % 3 else "South")
        if quadrant is not None:
            current, potential = PLACES[quadrant]
            await record_assessment(client, account["id"], currentValue=current, potential=potential)
        archived = n % 7 == 6
        if archived:
            await client.mutate(ARCHIVE, {"id": account["id"]})
        made.append((name, grade, quadrant, archived))
    return made


def expected(
    made: list[Row], grades: list[str] | None, quadrants: list[str] | None, *, archived: bool = False
) -> list[str]:
    return sorted(
        name
        for name, grade, quadrant, gone in made
        if (not grades or grade in grades) and (not quadrants or quadrant in quadrants) and (archived or not gone)
    )


async def page_through(client: GraphQLClient, flt: dict[str, Any], size: int, *, backwards: bool = False) -> list[str]:
    """Every name of the list, a page of `size` at a time, checking each page's flags and the count."""
    names: list[str] = []
    cursor: str | None = None
    total = None
    while True:
        if backwards:
            variables = {"filter": flt, "last": size, "before": cursor}
        else:
            variables = {"filter": flt, "first": size, "after": cursor}
        data = (await client.execute(LIST, variables))["accounts"]
        total = data["totalCount"] if total is None else total
        assert data["totalCount"] == total
        page = [n["name"] for n in data["nodes"]]
        info = data["pageInfo"]
        names = page + names if backwards else names + page
        more = info["hasPreviousPage"] if backwards else info["hasNextPage"]
        assert len(page) == size or not more
        if not more:
            break
        cursor = info["startCursor"] if backwards else info["endCursor"]
    assert len(names) == total
    return names


FILTERS = [
    (["A", "C"], ["DEVELOP", "MONITOR"]),
    (["B"], ["STRATEGIC"]),
    (["D", "A", "D"], ["MAINTAIN", "MAINTAIN"]),  # repeated values select nothing twice
    (["A", "B", "C", "D"], ["DEVELOP", "STRATEGIC", "MAINTAIN", "MONITOR"]),
    (["B", "D"], None),  # the unassessed accounts of these grades are listed too
    (None, ["MONITOR", "STRATEGIC"]),
    (["C"], ["DEVELOP"]),
]


@pytest.mark.parametrize(("grades", "quadrants"), FILTERS)
async def test_pages_by_grade_and_quadrant_list_exactly_the_selected_accounts_in_order(
    client: GraphQLClient, accounts: list[Row], grades: list[str] | None, quadrants: list[str] | None
) -> None:
    flt = {"grades": grades, "quadrants": quadrants}
    want = expected(accounts, grades, quadrants)
    assert want, "the fixture should give every filter some accounts"
    for size in (1, 2, 5):
        assert await page_through(client, flt, size) == want
    assert await page_through(client, flt, 2, backwards=True) == want
    whole = (await client.execute(LIST, {"filter": flt, "first": 100}))["accounts"]
    assert [n["name"] for n in whole["nodes"]] == want and whole["totalCount"] == len(want)
    assert whole["pageInfo"]["hasNextPage"] is False


async def test_other_conditions_apply_within_every_pair(client: GraphQLClient, accounts: list[Row]) -> None:
    flt = {"grades": ["A", "B", "C"], "quadrants": ["DEVELOP", "MONITOR"], "regions": ["South"], "search": "firm 1"}
    data = (await client.execute(LIST, {"filter": flt, "first": 100}))["accounts"]
    names = [n["name"] for n in data["nodes"]]
    want = [
        name
        for name in expected(accounts, flt["grades"], flt["quadrants"])
        if name.startswith("Firm 1") and (29 - int(name[-2:])) % 3 == 0
    ]
    assert names == want and data["totalCount"] == len(want)
    with_archived = {"grades": ["B", "C"], "quadrants": ["MONITOR", "DEVELOP", "MAINTAIN"], "includeArchived": True}
    want = expected(accounts, with_archived["grades"], with_archived["quadrants"], archived=True)
    assert await page_through(client, with_archived, 3) == want
    assert want != expected(accounts, with_archived["grades"], with_archived["quadrants"])


@pytest.mark.parametrize(
    ("field", "direction"),
    [("NAME", "DESC"), ("GRADE", "ASC"), ("CREATED_AT", "DESC"), ("CURRENT_ANNUAL_VALUE", "ASC")],
)
async def test_every_order_pages_through_the_same_accounts(
    client: GraphQLClient, accounts: list[Row], field: str, direction: str
) -> None:
    flt = {"grades": ["A", "D"], "quadrants": ["DEVELOP", "MONITOR", "STRATEGIC"]}
    order = {"field": field, "direction": direction}
    whole = (await client.execute(LIST, {"filter": flt, "orderBy": order, "first": 100}))["accounts"]
    listed = [n["name"] for n in whole["nodes"]]
    assert sorted(listed) == expected(accounts, flt["grades"], flt["quadrants"])
    if field == "NAME":
        assert listed == sorted(listed, reverse=True)
    if field == "GRADE":
        assert [n["grade"] for n in whole["nodes"]] == sorted(n["grade"] for n in whole["nodes"])
    paged: list[str] = []
    cursor = None
    while True:
        data = (await client.execute(LIST, {"filter": flt, "orderBy": order, "first": 2, "after": cursor}))["accounts"]
        paged += [n["name"] for n in data["nodes"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        cursor = data["pageInfo"]["endCursor"]
    assert paged == listed


async def test_a_page_reads_the_same_statements_however_many_pairs_it_merges(
    client: GraphQLClient, accounts: list[Row], sql: StatementCounter
) -> None:
    counts = []
    for grades, quadrants in ((["A"], ["DEVELOP"]), (["A", "B", "C", "D"], ["DEVELOP", "STRATEGIC", "MONITOR"])):
        sql.reset()
        await client.execute(LIST, {"filter": {"grades": grades, "quadrants": quadrants}, "first": 3})
        counts.append(sql.count)
    assert counts[0] == counts[1] == 3  # the caller's token, the page, the count
