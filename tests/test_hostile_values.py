"""Values at and past the edges: deep JSON, text no store keeps, dates, numbers and IDs out of range, huge
filters. Each is a client error with a code, changes nothing, and the server keeps serving."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.conftest import GraphQLClient
from tests.factories import create_account

JSON = {"Content-Type": "application/json"}
COUNT = "{ accounts(filter: {includeArchived: true}) { totalCount } }"
CREATE = """
mutation($input: AccountCreateInput!) {
  accountCreate(input: $input) { account { id currentAnnualValue { amount } } userErrors { field code } }
}"""
ACCOUNTS = "query($filter: AccountFilter, $after: String) { accounts(filter: $filter, after: $after) { totalCount nodes { name } } }"
EVENTS = "query($filter: AuditEventFilter) { auditEvents(filter: $filter) { totalCount } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"


def raw(query: str, variables: str = "{}") -> bytes:
    """A body written by hand, so it can hold what a JSON encoder would not write (lone surrogate escapes)."""
    return b'{"query": ' + json.dumps(query).encode() + b', "variables": ' + variables.encode() + b"}"


async def count(client: GraphQLClient) -> int:
    return (await client.execute(COUNT))["accounts"]["totalCount"]


def code_of(response: httpx.Response) -> str:
    (error,) = response.json()["errors"]
    return error["extensions"]["code"]


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


# 5. Deep JSON


@pytest.mark.parametrize("levels", [40, 300, 5000, 100_000], ids=["past-limit", "hundreds", "thousands", "100k"])
async def test_a_deeply_nested_body_is_a_bad_request(client: GraphQLClient, levels: int) -> None:
    body = raw("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", '{"ids": ' + deep(levels) + "}")
    for _ in range(2):  # the second time the document is known to the prepared path too
        response = await client.http.post("/graphql", content=body, headers=JSON)
        assert response.status_code == 400, response.text
        assert code_of(response) == "BAD_REQUEST"
        assert "nested more than 32 levels" in response.json()["errors"][0]["message"]
    assert await count(client) == 0


async def test_a_deeply_nested_body_is_refused_on_the_prepared_path_too(client: GraphQLClient) -> None:
    await create_account(client, name="Known")
    query = "query($filter: AccountFilter) { accounts(filter: $filter) { nodes { name } } }"
    for _ in range(2):
        assert (await client.execute(query, {"filter": {"search": "Kno"}}))["accounts"]["nodes"] == [{"name": "Known"}]
    response = await client.http.post(
        "/graphql", content=raw(query, '{"filter": {"industries": ' + deep(500) + "}}"), headers=JSON
    )
    assert response.status_code == 400 and code_of(response) == "BAD_REQUEST"


async def test_deep_variables_over_get_are_a_bad_request(client: GraphQLClient) -> None:
    params = {"query": "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", "variables": '{"ids": ' + deep(3000) + "}"}
    response = await client.http.get("/graphql", params=params)
    assert response.status_code == 400 and code_of(response) == "BAD_REQUEST"


async def test_nesting_within_the_limit_reaches_graphql(client: GraphQLClient) -> None:
    response = await client.post("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": [[[["x"]]]]})
    assert code_of(response) == "BAD_USER_INPUT"  # the type is wrong, but the body was read


# 6. Lone surrogates


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "a\\ud83d", "\\ude00b"])
async def test_a_lone_surrogate_in_a_variable_is_bad_user_input_and_changes_nothing(
    client: GraphQLClient, escape: str
) -> None:
    variables = '{"input": {"name": "' + escape + '", "grade": "A", "valueTier": "HIGH"}}'
    response = await client.http.post("/graphql", content=raw(CREATE, variables), headers=JSON)
    assert response.status_code == 200
    assert code_of(response) == "BAD_USER_INPUT"
    assert "surrogate" in response.json()["errors"][0]["message"]
    assert await count(client) == 0


async def test_a_surrogate_pair_is_text_like_any_other(client: GraphQLClient) -> None:
    variables = '{"input": {"name": "Smile \\ud83d\\ude00", "grade": "A", "valueTier": "HIGH"}}'
    response = await client.http.post("/graphql", content=raw(CREATE, variables), headers=JSON)
    assert response.json()["data"]["accountCreate"]["userErrors"] == []
    assert (await client.execute(ACCOUNTS, {"filter": {"search": "Smile"}}))["accounts"]["nodes"] == [{"name": "Smile 😀"}]


@pytest.mark.parametrize(
    ("variables", "where"),
    [
        ('{"filter": {"search": "\\ud800"}}', "search"),
        ('{"filter": {"industries": ["\\udc00"]}}', "in-list"),
        ('{"filter": {"search": "x"}, "\\ud800": 1}', "variable-name"),
    ],
)
async def test_a_lone_surrogate_anywhere_in_the_variables_is_bad_user_input(
    client: GraphQLClient, variables: str, where: str
) -> None:
    for _ in range(3):  # through the pipeline, then known to the prepared path
        response = await client.http.post("/graphql", content=raw(ACCOUNTS, variables), headers=JSON)
        assert code_of(response) == "BAD_USER_INPUT", (where, response.text)


@pytest.mark.parametrize(
    "query",
    [
        '{ accounts(filter: {search: "\\ud800"}) { totalCount } }',  # a GraphQL escape
        '{ accounts(filter: {search: "\ud800"}) { totalCount } }',  # the character itself, JSON-escaped in the body
        '{ accounts(filter: {search: """\ud800""") { totalCount } }',
    ],
    ids=["graphql-escape", "raw-character", "block-string"],
)
async def test_a_lone_surrogate_in_the_document_is_a_parse_error(client: GraphQLClient, query: str) -> None:
    body = b'{"query": ' + json.dumps(query).encode() + b"}"  # json.dumps escapes the lone surrogate as \\ud800
    response = await client.http.post("/graphql", content=body, headers=JSON)
    assert response.status_code == 200
    assert code_of(response) == "GRAPHQL_PARSE_FAILED"


async def test_a_lone_surrogate_in_the_operation_name_is_refused(client: GraphQLClient) -> None:
    body = b'{"query": "query A { __typename }", "operationName": "\\ud800"}'
    response = await client.http.post("/graphql", content=body, headers=JSON)
    assert response.status_code == 400
    assert code_of(response) == "BAD_REQUEST"


# 7. Dates, numbers and IDs at the edges


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "not a time", ""])
async def test_a_datetime_outside_the_years_a_store_keeps_is_bad_user_input(client: GraphQLClient, moment: str) -> None:
    response = await client.post(EVENTS, {"filter": {"occurredAfter": moment}})
    assert code_of(response) == "BAD_USER_INPUT", response.text
    literal = await client.post(f'{{ auditEvents(filter: {{occurredBefore: "{moment}"}}) {{ totalCount }} }}')
    assert code_of(literal) == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00-01:00", "9999-12-31T23:59:59+01:00", "0001-01-01T00:00:00Z"])
async def test_a_datetime_at_the_edges_that_converts_is_answered(client: GraphQLClient, moment: str) -> None:
    data = await client.execute(EVENTS, {"filter": {"occurredBefore": moment}})
    assert data["auditEvents"]["totalCount"] == 0


@pytest.mark.parametrize(
    "value", [" 1", "1 ", "1_000", "NaN", "Infinity", "1e3", "+1", "0x10", "١٢", "", "1." + "0" * 100, True]
)
async def test_a_decimal_not_written_plainly_is_bad_user_input(client: GraphQLClient, value: Any) -> None:
    response = await client.post(CREATE, {"input": {"name": "Odd", "grade": "A", "valueTier": "HIGH", "currentAnnualValue": value}})
    assert code_of(response) == "BAD_USER_INPUT", response.text
    assert await count(client) == 0


@pytest.mark.parametrize(("value", "stored"), [("1250.50", "1250.50"), (1250, "1250.00"), (1250.5, "1250.50"), ("-0", None)])
async def test_a_decimal_written_plainly_is_taken(client: GraphQLClient, value: Any, stored: str | None) -> None:
    payload = (
        await client.post(CREATE, {"input": {"name": "Plain", "grade": "A", "valueTier": "HIGH", "currentAnnualValue": value}})
    ).json()["data"]["accountCreate"]
    if stored is None:
        return
    assert payload["userErrors"] == [] and Decimal(payload["account"]["currentAnnualValue"]["amount"]) == Decimal(stored)


def global_id(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "raw_id", ["Stakeholder:2147483648", "Account:9223372036854775808", "Account:0", "Account:01", "Account:-1", "Account:１"]
)
async def test_an_id_kam_never_gives_out_is_bad_user_input(client: GraphQLClient, raw_id: str) -> None:
    response = await client.post(NODE, {"id": global_id(raw_id)})
    assert code_of(response) == "BAD_USER_INPUT", response.text
    update = await client.post(
        "mutation($input: StakeholderUpdateInput!) { stakeholderUpdate(input: $input) { userErrors { field code } } }",
        {"input": {"id": global_id(raw_id), "name": "X"}},
    )
    assert update.json()["data"]["stakeholderUpdate"]["userErrors"] == [{"field": "id", "code": "INVALID"}]


async def test_the_largest_id_a_store_keeps_is_simply_not_found(client: GraphQLClient) -> None:
    assert (await client.execute(NODE, {"id": global_id("Stakeholder:2147483647")}))["node"] is None


def cursor(*parts: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("order", "forged"),
    [
        (None, cursor("name", "A", 2**31)),
        (None, cursor("name", "A", 2**63)),
        ({"field": "CREATED_AT"}, cursor("createdAt", "0001-01-01T00:00:00+01:00", 1)),
        ({"field": "CREATED_AT"}, cursor("createdAt", "2026-01-01T00:00:00", 1)),
        ({"field": "CURRENT_ANNUAL_VALUE"}, cursor("currentAnnualValue", "NaN", 1)),
        ({"field": "CURRENT_ANNUAL_VALUE"}, cursor("currentAnnualValue", "1e999999", 1)),
    ],
    ids=["id-past-int32", "id-past-int64", "time-underflows", "time-naive", "value-nan", "value-huge"],
)
async def test_a_forged_cursor_out_of_range_is_bad_user_input(
    client: GraphQLClient, order: dict[str, str] | None, forged: str
) -> None:
    await create_account(client)
    query = "query($order: AccountOrder, $after: String) { accounts(orderBy: $order, after: $after) { totalCount } }"
    for _ in range(3):  # through the pipeline, then the prepared path
        response = await client.post(query, {"order": order, "after": forged})
        assert code_of(response) == "BAD_USER_INPUT", response.text


# 8. Huge filters


async def test_a_search_text_past_the_limit_is_bad_user_input(client: GraphQLClient) -> None:
    await create_account(client, name="x" * 200)
    assert (await client.execute(ACCOUNTS, {"filter": {"search": "x" * 200}}))["accounts"]["totalCount"] == 1
    for query, variables in (
        (ACCOUNTS, {"filter": {"search": "x" * 50_000}}),
        ("query($s: String) { teamMembers(filter: {search: $s}) { totalCount } }", {"s": "%" * 201}),
    ):
        for _ in range(2):
            response = await client.post(query, variables)
            (error,) = response.json()["errors"]
            assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "filter.search"}, error


async def test_an_in_list_past_the_limit_is_bad_user_input(client: GraphQLClient) -> None:
    many = [f"Industry {n}" for n in range(150)]
    for _ in range(2):
        response = await client.post(ACCOUNTS, {"filter": {"industries": many}})
        (error,) = response.json()["errors"]
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "filter.industries"}
    # Repeats of a few values are a few values.
    data = await client.execute(ACCOUNTS, {"filter": {"grades": ["A", "B"] * 400}})
    assert data["accounts"]["totalCount"] == 0


async def test_a_list_of_thousands_of_items_is_refused_before_graphql_coerces_it(client: GraphQLClient) -> None:
    for _ in range(2):
        response = await client.post(ACCOUNTS, {"filter": {"grades": ["X"] * 40_000}})
        assert response.status_code == 400 and code_of(response) == "BAD_REQUEST"
        assert "holds a list of 40000 items; the limit is 1000" in response.json()["errors"][0]["message"]


# 10. Media types


@pytest.mark.parametrize("content_type", ["APPLICATION/JSON", "Application/Json; charset=UTF-8", "application/JSON;charset=utf-8"])
async def test_media_types_are_case_insensitive(client: GraphQLClient, content_type: str) -> None:
    body = json.dumps({"query": COUNT}).encode()
    for _ in range(2):
        response = await client.http.post("/graphql", content=body, headers={"Content-Type": content_type})
        assert response.status_code == 200, response.text
        assert response.json()["data"]["accounts"]["totalCount"] == 0


async def test_a_forged_cursor_with_text_no_store_keeps_or_deep_json_is_bad_user_input(client: GraphQLClient) -> None:
    await create_account(client)
    deep = base64.urlsafe_b64encode(("[" * 5000 + "]" * 5000).encode()).decode()
    query = "query($after: String) { accounts(after: $after) { totalCount } teamMembers(after: $after) { totalCount } }"
    for forged in (cursor("name", "\ud800", 1), cursor("name", "a\x00", 1), deep, "A" * 10_000):
        for _ in range(3):
            response = await client.post(query, {"after": forged})
            codes = {e["extensions"]["code"] for e in response.json()["errors"]}
            assert codes == {"BAD_USER_INPUT"}, response.text
    amount = cursor("currentAnnualValue", "99999999999999999", 1)
    response = await client.post(
        "query($a: String) { accounts(after: $a, orderBy: {field: CURRENT_ANNUAL_VALUE}) { totalCount } }", {"a": amount}
    )
    assert code_of(response) == "BAD_USER_INPUT", response.text
