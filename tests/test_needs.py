"""Needs through the GraphQL API: record, list with filters and orderings, four-seasons table, change, delete."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQLClient
from tests.factories import create_account
from tests.plan_factories import (
    CREATE_NEED,
    NEED_FIELDS,
    create_need,
    create_stakeholder,
)

NEEDS = """
query($id: ID!, $filter: NeedFilter, $orderBy: NeedOrder, $first: Int, $after: String, $last: Int, $before: String) {
  account(id: $id) {
    needs(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { id title } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}"""

SEASONS = """
query($id: ID!) { account(id: $id) { fourSeasons { quarter needs { title } } } }
"""

NODE = f"""
query($id: ID!) {{ node(id: $id) {{ ... on Need {{ {NEED_FIELDS} }} }} }}
"""

UPDATE = f"""
mutation($input: NeedUpdateInput!) {{
  needUpdate(input: $input) {{ need {{ {NEED_FIELDS} }} userErrors {{ field message code }} }}
}}"""

DELETE = """
mutation($input: NeedDeleteInput!) { needDelete(input: $input) { deletedId userErrors { field code } } }
"""

ARCHIVE = """
mutation($input: AccountArchiveInput!) { accountArchive(input: $input) { userErrors { code } } }
"""


async def titles(client: GraphQLClient, account_id: str, **variables: object) -> list[str]:
    data = await client.execute(NEEDS, {"id": account_id, **variables})
    return [e["node"]["title"] for e in data["account"]["needs"]["edges"]]


async def count(client: GraphQLClient, account_id: str) -> int:
    return (await client.execute(NEEDS, {"id": account_id}))["account"]["needs"]["totalCount"]


async def test_create_and_read_need(client: GraphQLClient) -> None:
    account = await create_account(client)
    person = await create_stakeholder(client, account["id"], name="Chen CFO")
    need = await create_need(
        client,
        account["id"],
        title="  Cut logistics cost ",
        description="Freight is 12% of COGS.",
        painPoints="Late trucks",
        category="FUNCTIONAL",
        visibility="IMPLICIT",
        priority="HIGH",
        peakQuarters=["Q4", "Q1", "Q4"],
        stakeholderId=person["id"],
    )
    read = (await client.execute(NODE, {"id": need["id"]}))["node"]
    assert read == need
    assert read["title"] == "Cut logistics cost"
    assert read["peakQuarters"] == ["Q1", "Q4"]
    assert read["status"] == "IDENTIFIED" and read["isOpen"] is True
    assert read["stakeholder"] == {"id": person["id"], "name": "Chen CFO"}
    assert read["account"] == {"id": account["id"]}
    assert read["version"] == 1 and read["createdAt"].endswith("+00:00")
    assert await titles(client, account["id"]) == ["Cut logistics cost"]


async def test_defaults(client: GraphQLClient) -> None:
    account = await create_account(client)
    need = await create_need(client, account["id"])
    assert (need["visibility"], need["priority"], need["status"]) == ("EXPLICIT", "MEDIUM", "IDENTIFIED")
    assert need["peakQuarters"] == [] and need["stakeholder"] is None and need["description"] is None


async def test_filters(client: GraphQLClient) -> None:
    account = await create_account(client)
    other = await create_account(client)
    alice = await create_stakeholder(client, account["id"], name="Alice")
    bob = await create_stakeholder(client, account["id"], name="Bob")
    await create_need(client, account["id"], title="A", category="FUNCTIONAL", priority="LOW", peakQuarters=["Q1", "Q2"], stakeholderId=alice["id"])
    await create_need(client, account["id"], title="B", category="EMOTIONAL", status="MET", visibility="IMPLICIT", peakQuarters=["Q3"], stakeholderId=bob["id"])
    await create_need(client, account["id"], title="C", category="SOCIAL", priority="CRITICAL")
    await create_need(client, other["id"], title="Elsewhere", category="FUNCTIONAL", peakQuarters=["Q1"])
    order = {"field": "TITLE"}
    assert await titles(client, account["id"], orderBy=order) == ["A", "B", "C"]
    assert await titles(client, account["id"], orderBy=order, filter={"categories": ["FUNCTIONAL", "SOCIAL"]}) == ["A", "C"]
    assert await titles(client, account["id"], orderBy=order, filter={"statuses": ["MET"]}) == ["B"]
    assert await titles(client, account["id"], orderBy=order, filter={"quarters": ["Q2", "Q3"]}) == ["A", "B"]
    assert await titles(client, account["id"], orderBy=order, filter={"quarters": ["Q4"]}) == []
    assert await titles(client, account["id"], orderBy=order, filter={"visibilities": ["IMPLICIT"]}) == ["B"]
    assert await titles(client, account["id"], orderBy=order, filter={"priorities": ["CRITICAL", "LOW"]}) == ["A", "C"]
    assert await titles(client, account["id"], orderBy=order, filter={"stakeholderIds": [bob["id"]]}) == ["B"]
    both = {"quarters": ["Q1"], "categories": ["FUNCTIONAL"], "stakeholderIds": [alice["id"], bob["id"]]}
    assert await titles(client, account["id"], orderBy=order, filter=both) == ["A"]
    data = await client.execute(NEEDS, {"id": account["id"], "filter": {"quarters": ["Q1"]}})
    assert data["account"]["needs"]["totalCount"] == 1


async def test_orderings_and_keyset_pages(client: GraphQLClient) -> None:
    account = await create_account(client)
    for title, priority in [("m", "MEDIUM"), ("l", "LOW"), ("c", "CRITICAL"), ("h", "HIGH"), ("c2", "CRITICAL")]:
        await create_need(client, account["id"], title=title, priority=priority)
    by_priority = await titles(client, account["id"])
    assert by_priority == ["c", "c2", "h", "m", "l"]
    assert await titles(client, account["id"], orderBy={"field": "PRIORITY", "direction": "DESC"}) == ["l", "m", "h", "c2", "c"]
    assert await titles(client, account["id"], orderBy={"field": "CREATED_AT"}) == ["m", "l", "c", "h", "c2"]
    assert await titles(client, account["id"], orderBy={"field": "TITLE", "direction": "DESC"}) == ["m", "l", "h", "c2", "c"]
    seen, after = [], None
    while True:
        page = (await client.execute(NEEDS, {"id": account["id"], "first": 2, "after": after}))["account"]["needs"]
        seen += [e["node"]["title"] for e in page["edges"]]
        assert page["totalCount"] == 5
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == by_priority
    back = (await client.execute(NEEDS, {"id": account["id"], "last": 2, "before": after}))["account"]["needs"]
    assert [e["node"]["title"] for e in back["edges"]] == ["c2", "h"]
    assert back["pageInfo"]["hasPreviousPage"] is True


async def test_cursor_of_another_ordering_and_bad_filter_ids_are_bad_user_input(client: GraphQLClient) -> None:
    account = await create_account(client)
    await create_need(client, account["id"])
    await create_need(client, account["id"])
    cursor = (await client.execute(NEEDS, {"id": account["id"], "first": 1}))["account"]["needs"]["pageInfo"]["endCursor"]
    errors = await client.errors(NEEDS, {"id": account["id"], "first": 1, "after": cursor, "orderBy": {"field": "TITLE"}})
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}
    errors = await client.errors(NEEDS, {"id": account["id"], "filter": {"stakeholderIds": [account["id"]]}})
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "filter.stakeholderIds"}


async def test_four_seasons_lists_open_needs_per_quarter(client: GraphQLClient) -> None:
    account = await create_account(client)
    other = await create_account(client)
    await create_need(client, account["id"], title="Budget round", priority="LOW", peakQuarters=["Q1", "Q4"])
    await create_need(client, account["id"], title="Year-end audit", priority="CRITICAL", peakQuarters=["Q4"])
    await create_need(client, account["id"], title="Summer peak", status="BEING_ADDRESSED", peakQuarters=["Q3"])
    await create_need(client, account["id"], title="Done already", status="MET", peakQuarters=["Q1"])
    await create_need(client, account["id"], title="Given up", status="DROPPED", peakQuarters=["Q2"])
    await create_need(client, account["id"], title="No season")
    await create_need(client, other["id"], title="Not ours", peakQuarters=["Q1"])
    seasons = (await client.execute(SEASONS, {"id": account["id"]}))["account"]["fourSeasons"]
    assert [(s["quarter"], [n["title"] for n in s["needs"]]) for s in seasons] == [
        ("Q1", ["Budget round"]),
        ("Q2", []),
        ("Q3", ["Summer peak"]),
        ("Q4", ["Year-end audit", "Budget round"]),
    ]


async def assert_no_need(client: GraphQLClient, account_id: str) -> None:
    assert await count(client, account_id) == 0


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"title": "  "}, "title", "REQUIRED"),
        ({"title": "x" * 301}, "title", "OUT_OF_RANGE"),
        ({"description": "x" * 5001}, "description", "OUT_OF_RANGE"),
        ({"stakeholderId": "junk"}, "stakeholderId", "INVALID"),
        ({"stakeholderId": "U3Rha2Vob2xkZXI6OTk5"}, "stakeholderId", "NOT_FOUND"),  # Stakeholder:999
    ],
)
async def test_bad_need_input_changes_nothing(client: GraphQLClient, fields: dict, field: str, code: str) -> None:
    account = await create_account(client)
    payload = await client.mutate(CREATE_NEED, {"accountId": account["id"], "title": "T", "category": "SOCIAL", **fields})
    assert payload["need"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    await assert_no_need(client, account["id"])


async def test_account_must_exist_and_be_open(client: GraphQLClient) -> None:
    account = await create_account(client)
    wrong_type = await client.mutate(CREATE_NEED, {"accountId": "VGVhbU1lbWJlcjox", "title": "T", "category": "SOCIAL"})
    assert [(e["field"], e["code"]) for e in wrong_type["userErrors"]] == [("accountId", "INVALID")]
    missing = await client.mutate(CREATE_NEED, {"accountId": "QWNjb3VudDo5OTk=", "title": "T", "category": "SOCIAL"})
    assert [(e["field"], e["code"]) for e in missing["userErrors"]] == [("accountId", "NOT_FOUND")]
    need = await create_need(client, account["id"], title="Kept")
    await client.mutate(ARCHIVE, {"id": account["id"]})
    archived = await client.mutate(CREATE_NEED, {"accountId": account["id"], "title": "T", "category": "SOCIAL"})
    assert [(e["field"], e["code"]) for e in archived["userErrors"]] == [("accountId", "ARCHIVED")]
    refused = await client.mutate(UPDATE, {"id": need["id"], "title": "Changed"})
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [("id", "ARCHIVED")]
    assert (await client.execute(NODE, {"id": need["id"]}))["node"]["title"] == "Kept"


async def test_stakeholder_of_another_account_is_cross_account(client: GraphQLClient) -> None:
    account = await create_account(client)
    other = await create_account(client)
    stranger = await create_stakeholder(client, other["id"])
    payload = await client.mutate(
        CREATE_NEED, {"accountId": account["id"], "title": "T", "category": "SOCIAL", "stakeholderId": stranger["id"]}
    )
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("stakeholderId", "CROSS_ACCOUNT")]
    await assert_no_need(client, account["id"])
    need = await create_need(client, account["id"])
    moved = await client.mutate(UPDATE, {"id": need["id"], "stakeholderId": stranger["id"]})
    assert [(e["field"], e["code"]) for e in moved["userErrors"]] == [("stakeholderId", "CROSS_ACCOUNT")]
    assert (await client.execute(NODE, {"id": need["id"]}))["node"]["stakeholder"] is None


async def test_update_changes_given_fields_and_checks_version(client: GraphQLClient) -> None:
    account = await create_account(client)
    person = await create_stakeholder(client, account["id"])
    need = await create_need(client, account["id"], title="Before", description="Keep me", stakeholderId=person["id"], peakQuarters=["Q1"])
    ok = await client.mutate(UPDATE, {"id": need["id"], "version": 1, "title": "After", "status": "VALIDATED", "priority": "CRITICAL"})
    assert ok["userErrors"] == []
    changed = ok["need"]
    assert (changed["title"], changed["status"], changed["priority"], changed["version"]) == ("After", "VALIDATED", "CRITICAL", 2)
    assert changed["description"] == "Keep me" and changed["stakeholder"]["id"] == person["id"]
    stale = await client.mutate(UPDATE, {"id": need["id"], "version": 1, "title": "Lost"})
    assert stale["need"] is None and [e["code"] for e in stale["userErrors"]] == ["CONFLICT"]
    quarters = await client.mutate(UPDATE, {"id": need["id"], "version": 2, "peakQuarters": ["Q3", "Q2"]})
    assert quarters["need"]["peakQuarters"] == ["Q2", "Q3"] and quarters["need"]["version"] == 3
    cleared = await client.mutate(UPDATE, {"id": need["id"], "stakeholderId": None, "description": None, "peakQuarters": []})
    assert cleared["need"]["stakeholder"] is None and cleared["need"]["description"] is None
    assert cleared["need"]["peakQuarters"] == []
    closed = await client.mutate(UPDATE, {"id": need["id"], "status": "MET"})
    assert closed["need"]["isOpen"] is False
    null_title = await client.mutate(UPDATE, {"id": need["id"], "title": None})
    assert [(e["field"], e["code"]) for e in null_title["userErrors"]] == [("title", "REQUIRED")]
    null_quarters = await client.mutate(UPDATE, {"id": need["id"], "peakQuarters": None})
    assert [(e["field"], e["code"]) for e in null_quarters["userErrors"]] == [("peakQuarters", "REQUIRED")]
    assert (await client.execute(NODE, {"id": need["id"]}))["node"]["title"] == "After"


async def test_delete_need(client: GraphQLClient) -> None:
    account = await create_account(client)
    need = await create_need(client, account["id"], peakQuarters=["Q2"])
    assert await client.mutate(DELETE, {"id": need["id"]}) == {"deletedId": need["id"], "userErrors": []}
    assert (await client.execute(NODE, {"id": need["id"]}))["node"] is None
    await assert_no_need(client, account["id"])
    again = await client.mutate(DELETE, {"id": need["id"]})
    assert again == {"deletedId": None, "userErrors": [{"field": "id", "code": "NOT_FOUND"}]}
