"""The account filter's grammar through the GraphQL API: `and`, `or`, `not`, ranges, null checks; the same filter
giving the same accounts on the list, its aggregate and a board's `accounts:`; hostile shapes refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.base import utcnow
from tests.conftest import GraphQLClient
from tests.factories import create_account, create_member
from tests.plan_factories import create_need

LIST = """query($filter: AccountFilter) {
  accounts(filter: $filter, first: 50) { totalCount nodes { name } }
  accountsAggregate(filter: $filter) { count }
  needs(accounts: $filter, first: 50) { nodes { account { name } } }
}"""
ARCHIVE = "mutation($input: AccountArchiveInput!) { accountArchive(input: $input) { userErrors { code } } }"


async def portfolio(client: GraphQLClient) -> None:
    owner = await create_member(client)
    for name, grade, industry, value, owned in (
        ("a-energy", "A", "Energy", "500.00", True),
        ("a-retail", "A", "Retail", "50.00", False),
        ("b-energy", "B", "Energy", "1500.00", False),
        ("b-none", "B", None, "900.00", True),
        ("c-retail", "C", "Retail", "0.00", False),
    ):
        account = await create_account(
            client, name=name, grade=grade, industry=industry, currentAnnualValue=value, ownerId=owner["id"] if owned else None
        )
        await create_need(client, account["id"], title=f"need of {name}")
    archived = await create_account(client, name="z-archived-a", grade="A", industry="Energy")
    await create_need(client, archived["id"])
    assert (await client.mutate(ARCHIVE, {"id": archived["id"]}))["userErrors"] == []


async def names(client: GraphQLClient, flt: dict[str, Any]) -> list[str]:
    data = await client.execute(LIST, {"filter": flt})
    found = [n["name"] for n in data["accounts"]["nodes"]]
    assert data["accounts"]["totalCount"] == data["accountsAggregate"]["count"] == len(found)
    assert sorted({n["account"]["name"] for n in data["needs"]["nodes"]}) == found  # a board's `accounts:` alike
    return found


async def test_and_or_not_ranges_and_null_checks(client: GraphQLClient) -> None:
    await portfolio(client)
    assert await names(client, {"or": [{"grades": ["A"]}, {"industries": ["Retail"]}]}) == ["a-energy", "a-retail", "c-retail"]
    # `not` keeps archived accounts out: the archived A account is not "not B".
    assert await names(client, {"not": {"grades": ["B"]}}) == ["a-energy", "a-retail", "c-retail"]
    assert await names(client, {"not": {"grades": ["B"]}, "includeArchived": True}) == ["a-energy", "a-retail", "c-retail", "z-archived-a"]
    assert await names(client, {"currentAnnualValue": {"gte": "50", "lt": "1000"}}) == ["a-energy", "a-retail", "b-none"]
    assert await names(client, {"currentAnnualValue": {"gt": "50", "lte": "1500"}}) == ["a-energy", "b-energy", "b-none"]
    # Bounds past a column's digits compare as numbers (PostgreSQL would cast them to NUMERIC(5, 2) and overflow).
    huge = "9" * 40 + "." + "9" * 40
    assert await names(client, {"currentAnnualValue": {"lte": huge, "gt": "-" + huge}}) == await names(client, {})
    assert await names(client, {"currentAnnualValue": {"gt": huge}}) == []
    assert await names(client, {"healthScore": {"lte": "1000.00"}}) == await names(client, {"isNotNull": ["HEALTH_SCORE"]})
    assert await names(client, {"isNull": ["INDUSTRY"]}) == ["b-none"]
    assert await names(client, {"isNotNull": ["OWNER"], "isNull": ["LAST_INTERACTION"]}) == ["a-energy", "b-none"]
    assert await names(client, {"and": [{"industries": ["Energy"]}, {"not": {"grades": ["A"]}}]}) == ["b-energy"]
    nested = {"or": [{"and": [{"grades": ["A"]}, {"isNotNull": ["OWNER"]}]}, {"not": {"or": [{"grades": ["A", "B"]}]}}]}
    assert await names(client, nested) == ["a-energy", "c-retail"]
    today = utcnow().date()
    assert len(await names(client, {"createdOn": {"gte": today.isoformat(), "lte": today.isoformat()}})) == 5
    assert await names(client, {"createdOn": {"lt": today.isoformat()}}) == []
    assert await names(client, {"createdOn": {"gt": "9999-12-31"}}) == []
    assert len(await names(client, {"createdOn": {"lte": "9999-12-31", "gt": (today - timedelta(days=1)).isoformat()}})) == 5
    assert await names(client, {"or": []}) == await names(client, {})  # no alternative given: no condition


async def test_hostile_filters_are_client_errors(client: GraphQLClient) -> None:
    await portfolio(client)
    deep: dict[str, Any] = {"grades": ["A"]}
    for _ in range(5):
        deep = {"not": deep}
    wide = {"or": [{"grades": ["A"]}] * 21}
    for flt, argument in (
        ({"or": [{"includeArchived": True}]}, "filter.or[0].includeArchived"),
        (deep, "filter.not.not.not.not"),
        (wide, "filter.or"),
        ({"currentAnnualValue": {"gte": "NaN"}}, "currentAnnualValue.gte"),  # refused by the Decimal scalar itself
        ({"and": [{"ownerIds": ["nope"]}]}, "filter.and[0].ownerIds"),
    ):
        errors = await client.errors(LIST, {"filter": flt})
        assert {e["extensions"]["code"] for e in errors} == {"BAD_USER_INPUT"}, (flt, errors)
        assert any(argument in e["message"] or e["extensions"].get("argument") == argument for e in errors), (argument, errors)


async def test_every_kind_of_filter_takes_the_same_grammar(client: GraphQLClient) -> None:
    account = await create_account(client)
    for title, category, quarters, status in (
        ("f-q1", "FUNCTIONAL", ["Q1"], "IDENTIFIED"), ("s-q2", "SOCIAL", ["Q2"], "IDENTIFIED"),
        ("e-q1", "EMOTIONAL", ["Q1"], "MET"), ("f-q4", "FUNCTIONAL", ["Q4"], "VALIDATED"),
    ):
        await create_need(client, account["id"], title=title, category=category, peakQuarters=quarters, status=status)
    query = """query($filter: NeedFilter) {
      needs(filter: $filter) { nodes { title } }
      needsAggregate(filter: $filter) { count }
      account(id: "%s") { needs(filter: $filter) { nodes { title } } }
    }""" % account["id"]

    async def titles(flt: dict[str, Any]) -> list[str]:
        data = await client.execute(query, {"filter": flt})
        board = sorted(n["title"] for n in data["needs"]["nodes"])
        assert sorted(n["title"] for n in data["account"]["needs"]["nodes"]) == board
        assert data["needsAggregate"]["count"] == len(board)
        return board

    assert await titles({"or": [{"categories": ["SOCIAL"]}, {"quarters": ["Q1"]}]}) == ["e-q1", "f-q1", "s-q2"]
    assert await titles({"not": {"statuses": ["MET"]}, "categories": ["FUNCTIONAL", "EMOTIONAL"]}) == ["f-q1", "f-q4"]
    assert await titles({"and": [{"not": {"quarters": ["Q1"]}}, {"not": {"categories": ["SOCIAL"]}}]}) == ["f-q4"]
    errors = await client.errors(query, {"filter": {"or": [{"stakeholderIds": ["bad"]}]}})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT" and "filter.or[0].stakeholderIds" in str(errors[0])
