"""Accounts through the GraphQL API: create, read, list, filter, order, page, update, archive."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQLClient
from tests.factories import CREATE_ACCOUNT, create_account, create_member

ACCOUNT = """
query($id: ID!) {
  account(id: $id) {
    id name industry grade valueTier isKeyAccount relationshipStage lifecycleStage
    currentAnnualValue { amount currency } estimatedWallet { amount currency }
    owner { id name } team { teamRole member { id } } version archivedAt createdAt
  }
}"""

LIST = """
query($filter: AccountFilter, $orderBy: AccountOrder, $first: Int, $after: String, $last: Int, $before: String) {
  accounts(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { id name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""

UPDATE = """
mutation($input: AccountUpdateInput!) {
  accountUpdate(input: $input) { account { id name grade version industry } userErrors { field message code } }
}"""

ARCHIVE = """
mutation($input: AccountArchiveInput!) {
  accountArchive(input: $input) { account { id archivedAt } userErrors { field code } }
}"""

RESTORE = """
mutation($input: AccountArchiveInput!) {
  accountRestore(input: $input) { account { id archivedAt } userErrors { field code } }
}"""

DELETE = """
mutation($input: AccountDeleteInput!) { accountDelete(input: $input) { deletedId userErrors { field code } } }
"""

TEAM_SET = """
mutation($input: AccountTeamMemberSetInput!) {
  accountTeamMemberSet(input: $input) { account { team { teamRole member { email } } } userErrors { field code } }
}"""


async def names(client: GraphQLClient, **variables: object) -> list[str]:
    data = await client.execute(LIST, variables)
    return [e["node"]["name"] for e in data["accounts"]["edges"]]


async def test_create_and_read_account(client: GraphQLClient) -> None:
    owner = await create_member(client, name="Ada Owner")
    created = await create_account(
        client,
        name="  ACME Corp ",
        industry="Manufacturing",
        ownerId=owner["id"],
        currentAnnualValue="1250000.50",
        estimatedWallet="4000000",
        currency="usd",
        isKeyAccount=True,
    )
    data = await client.execute(ACCOUNT, {"id": created["id"]})
    account = data["account"]
    assert account["name"] == "ACME Corp"
    assert account["currentAnnualValue"] == {"amount": "1250000.50", "currency": "USD"}
    assert account["estimatedWallet"]["amount"] == "4000000.00"
    assert account["owner"] == {"id": owner["id"], "name": "Ada Owner"}
    assert account["team"] == [{"teamRole": "OWNER", "member": {"id": owner["id"]}}]
    assert account["version"] == 1 and account["archivedAt"] is None
    assert account["createdAt"].endswith("+00:00")


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"name": "   "}, "name", "REQUIRED"),
        ({"name": "x" * 201}, "name", "OUT_OF_RANGE"),
        ({"currentAnnualValue": "-1"}, "currentAnnualValue", "OUT_OF_RANGE"),
        ({"estimatedWallet": "1.001"}, "estimatedWallet", "OUT_OF_RANGE"),
        ({"currency": "EURO"}, "currency", "INVALID"),
        ({"ownerId": "not-an-id"}, "ownerId", "INVALID"),
        ({"ownerId": "QWNjb3VudDox"}, "ownerId", "INVALID"),  # an Account ID, not a TeamMember's
        ({"ownerId": "VGVhbU1lbWJlcjo5OTk="}, "ownerId", "NOT_FOUND"),
    ],
)
async def test_bad_account_input_is_a_user_error_and_changes_nothing(
    client: GraphQLClient, fields: dict, field: str, code: str
) -> None:
    payload = await client.mutate(CREATE_ACCOUNT, {"name": "Good", "grade": "A", "valueTier": "HIGH", **fields})
    assert payload["account"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert (await client.execute(LIST))["accounts"]["totalCount"] == 0


async def test_filters_combine(client: GraphQLClient) -> None:
    owner = await create_member(client)
    await create_account(client, name="Alpha Steel", grade="A", industry="Steel", ownerId=owner["id"], isKeyAccount=True)
    await create_account(client, name="Beta Steel", grade="B", industry="Steel")
    await create_account(client, name="Gamma Foods", grade="A", industry="Food", valueTier="HIGH")
    assert await names(client, filter={"grades": ["A"]}) == ["Alpha Steel", "Gamma Foods"]
    assert await names(client, filter={"grades": ["A"], "industries": ["Steel"]}) == ["Alpha Steel"]
    assert await names(client, filter={"search": "steel"}) == ["Alpha Steel", "Beta Steel"]
    assert await names(client, filter={"search": "%"}) == []
    assert await names(client, filter={"isKeyAccount": True}) == ["Alpha Steel"]
    assert await names(client, filter={"ownerIds": [owner["id"]]}) == ["Alpha Steel"]
    assert await names(client, filter={"valueTiers": ["HIGH"]}) == ["Gamma Foods"]


async def test_keyset_pagination_forwards_and_backwards(client: GraphQLClient) -> None:
    for i in range(7):
        await create_account(client, name=f"Acc {i}", currentAnnualValue=str(1000 * (i % 3)))
    order = {"field": "CURRENT_ANNUAL_VALUE", "direction": "DESC"}
    everything = await names(client, orderBy=order, first=100)
    assert len(everything) == 7
    seen, after = [], None
    while True:
        page = (await client.execute(LIST, {"orderBy": order, "first": 3, "after": after}))["accounts"]
        seen += [e["node"]["name"] for e in page["edges"]]
        assert page["totalCount"] == 7
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == everything
    back = (await client.execute(LIST, {"orderBy": order, "last": 2, "before": page["edges"][0]["cursor"]}))["accounts"]
    assert [e["node"]["name"] for e in back["edges"]] == everything[4:6]
    assert back["pageInfo"]["hasPreviousPage"] is True


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"first": -1}, "first"),
        ({"first": 10_000}, "first"),
        ({"after": "garbage!!"}, "after"),
        ({"after": "WyJuYW1lIiwiQSIsImlkIl0"}, "after"),  # valid base64 JSON, wrong shape
        ({"first": 1, "last": 1}, "first"),
    ],
)
async def test_bad_page_arguments_are_bad_user_input(client: GraphQLClient, variables: dict, argument: str) -> None:
    errors = await client.errors(LIST, variables)
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}


async def test_cursor_of_another_ordering_is_refused(client: GraphQLClient) -> None:
    await create_account(client)
    await create_account(client)
    by_name = (await client.execute(LIST, {"first": 1}))["accounts"]["pageInfo"]["endCursor"]
    errors = await client.errors(LIST, {"first": 1, "after": by_name, "orderBy": {"field": "GRADE"}})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_update_checks_version_and_stale_version_changes_nothing(client: GraphQLClient) -> None:
    account = await create_account(client, name="Before")
    ok = await client.mutate(UPDATE, {"id": account["id"], "version": 1, "name": "After", "industry": "Energy"})
    assert ok["userErrors"] == [] and ok["account"]["version"] == 2 and ok["account"]["name"] == "After"
    stale = await client.mutate(UPDATE, {"id": account["id"], "version": 1, "name": "Lost write"})
    assert stale["account"] is None and stale["userErrors"][0]["code"] == "CONFLICT"
    cleared = await client.mutate(UPDATE, {"id": account["id"], "industry": None})
    assert cleared["account"]["industry"] is None and cleared["account"]["name"] == "After"
    null_grade = await client.mutate(UPDATE, {"id": account["id"], "grade": None})
    assert null_grade["userErrors"] == [{"field": "grade", "message": "`grade` cannot be null.", "code": "REQUIRED"}]


async def test_archive_hides_from_list_and_restore_brings_back(client: GraphQLClient) -> None:
    account = await create_account(client, name="Sleeper")
    archived = await client.mutate(ARCHIVE, {"id": account["id"]})
    assert archived["account"]["archivedAt"] is not None
    assert await names(client) == []
    assert await names(client, filter={"includeArchived": True}) == ["Sleeper"]
    again = await client.mutate(ARCHIVE, {"id": account["id"]})
    assert again["userErrors"] == [{"field": "id", "code": "ARCHIVED"}]
    refused = await client.mutate(UPDATE, {"id": account["id"], "name": "Changed"})
    assert refused["userErrors"][0]["code"] == "ARCHIVED"
    restored = await client.mutate(RESTORE, {"id": account["id"]})
    assert restored["account"]["archivedAt"] is None
    assert await names(client) == ["Sleeper"]


async def test_delete_removes_account(client: GraphQLClient) -> None:
    account = await create_account(client)
    deleted = await client.mutate(DELETE, {"id": account["id"]})
    assert deleted == {"deletedId": account["id"], "userErrors": []}
    assert (await client.execute(ACCOUNT, {"id": account["id"]}))["account"] is None
    missing = await client.mutate(DELETE, {"id": account["id"]})
    assert missing["userErrors"] == [{"field": "id", "code": "NOT_FOUND"}]


async def test_team_assignment(client: GraphQLClient) -> None:
    account = await create_account(client)
    member = await create_member(client, email="sponsor@kam.example")
    payload = await client.mutate(TEAM_SET, {"accountId": account["id"], "memberId": member["id"], "teamRole": "EXECUTIVE_SPONSOR"})
    assert payload["account"]["team"] == [{"teamRole": "EXECUTIVE_SPONSOR", "member": {"email": "sponsor@kam.example"}}]
    payload = await client.mutate(TEAM_SET, {"accountId": account["id"], "memberId": member["id"], "teamRole": "SUPPORT"})
    assert payload["account"]["team"] == [{"teamRole": "SUPPORT", "member": {"email": "sponsor@kam.example"}}]
    wrong = await client.mutate(TEAM_SET, {"accountId": member["id"], "memberId": member["id"], "teamRole": "SUPPORT"})
    assert wrong["userErrors"] == [{"field": "accountId", "code": "INVALID"}]
