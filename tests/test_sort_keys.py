"""`sort`: a list ordered by several keys in turn, each in its own direction, paged by cursors both ways; the
same order on the executor and the compiled lists; bad `sort` arguments are client errors."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient
from tests.factories import create_account
from tests.plan_factories import create_need

ACCOUNTS = """query($sort: [AccountOrder!], $first: Int, $after: String, $last: Int, $before: String) {
  accounts(sort: $sort, first: $first, after: $after, last: $last, before: $before) {
    nodes { name } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""

# name, grade, current annual value
PORTFOLIO = [
    ("alpha", "A", "500.00"), ("bravo", "A", "900.00"), ("charlie", "A", "500.00"),
    ("delta", "B", "100.00"), ("echo", "B", "700.00"), ("foxtrot", "C", "700.00"), ("golf", "C", "50.00"),
]


def key(field: str, direction: str = "ASC") -> dict[str, str]:
    return {"field": field, "direction": direction}


async def walk(client: GraphQLClient, sort: list[dict[str, str]], size: int) -> list[str]:
    """Every account, a page of `size` at a time, forwards; then checked backwards from the end."""
    names: list[str] = []
    after = None
    while True:
        got = (await client.execute(ACCOUNTS, {"sort": sort, "first": size, "after": after}))["accounts"]
        names += [n["name"] for n in got["nodes"]]
        assert got["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not got["pageInfo"]["hasNextPage"]:
            break
        after = got["pageInfo"]["endCursor"]
    backwards: list[str] = []
    before = None
    while True:
        got = (await client.execute(ACCOUNTS, {"sort": sort, "last": size, "before": before}))["accounts"]
        backwards = [n["name"] for n in got["nodes"]] + backwards
        if not got["pageInfo"]["hasPreviousPage"]:
            break
        before = got["pageInfo"]["startCursor"]
    assert backwards == names
    return names


async def test_accounts_by_several_keys_page_the_same_both_ways(client: GraphQLClient) -> None:
    for name, grade, value in PORTFOLIO:
        await create_account(client, name=name, grade=grade, currentAnnualValue=value)
    # Grade first (A, B, C), then the value, highest first, then the name.
    mixed = [key("GRADE"), key("CURRENT_ANNUAL_VALUE", "DESC"), key("NAME")]
    expected = ["bravo", "alpha", "charlie", "echo", "delta", "foxtrot", "golf"]
    for size in (1, 2, 3, 7):
        assert await walk(client, mixed, size) == expected
    # Every key one way: the value descending, ties by name descending.
    both_down = [key("CURRENT_ANNUAL_VALUE", "DESC"), key("NAME", "DESC")]
    assert await walk(client, both_down, 2) == ["bravo", "foxtrot", "echo", "charlie", "alpha", "delta", "golf"]
    # One key in `sort` is `orderBy`; no key is the list's default (by name).
    assert await walk(client, [key("NAME", "DESC")], 3) == sorted((p[0] for p in PORTFOLIO), reverse=True)
    assert await walk(client, [], 4) == sorted(p[0] for p in PORTFOLIO)


async def test_sorted_child_lists_agree_with_their_accounts(client: GraphQLClient) -> None:
    account = await create_account(client)
    for title, priority in (("b", "HIGH"), ("a", "HIGH"), ("c", "LOW"), ("d", "MEDIUM"), ("e", "LOW")):
        await create_need(client, account["id"], title=title, priority=priority)
    query = """query($sort: [NeedOrder!], $after: String) {
      account(id: "%s") { needs(sort: $sort, first: 2, after: $after) { nodes { title } pageInfo { hasNextPage endCursor } } }
    }""" % account["id"]
    sort = [{"field": "PRIORITY", "direction": "DESC"}, {"field": "TITLE", "direction": "DESC"}]
    titles, after = [], None
    while True:
        got = (await client.execute(query, {"sort": sort, "after": after}))["account"]["needs"]
        titles += [n["title"] for n in got["nodes"]]
        if not got["pageInfo"]["hasNextPage"]:
            break
        after = got["pageInfo"]["endCursor"]
    # PRIORITY sorts by urgency (HIGH first ascending), so descending puts LOW first.
    assert titles == ["e", "c", "d", "b", "a"]


async def test_bad_sort_arguments_are_client_errors(client: GraphQLClient) -> None:
    for name, grade, value in PORTFOLIO[:3]:
        await create_account(client, name=name, grade=grade, currentAnnualValue=value)
    one_key = (await client.execute(ACCOUNTS, {"sort": [key("NAME")], "first": 1}))["accounts"]["pageInfo"]["endCursor"]
    two_keys = (await client.execute(ACCOUNTS, {"sort": [key("GRADE"), key("NAME")], "first": 1}))["accounts"]["pageInfo"]["endCursor"]
    bad: list[tuple[str, dict[str, Any], str]] = [
        (ACCOUNTS, {"sort": [key("GRADE"), key("NAME")], "after": one_key}, "after"),  # another ordering's cursor
        (ACCOUNTS, {"sort": [key("NAME")], "after": two_keys}, "after"),
        (ACCOUNTS, {"sort": [key("NAME"), key("NAME", "DESC")]}, "sort"),
        (ACCOUNTS, {"sort": [key(f) for f in ("GRADE", "NAME", "CREATED_AT", "LAST_INTERACTION", "CURRENT_ANNUAL_VALUE")]}, "sort"),
        ("query { accounts(orderBy: {field: NAME}, sort: [{field: GRADE}]) { totalCount } }", {}, "sort"),
    ]
    for query, variables, argument in bad:
        errors = await client.errors(query, variables)
        assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"], (variables, errors)
        assert argument in errors[0]["message"], errors
