"""Hostile and careless requests: each gets a clear error with a code, and the server keeps serving."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import resolvers.accounts.reads
from kam.app import KamGraphQL
from kam.settings import Settings
from tests.conftest import SUITE_REQUEST_TIMEOUT, GraphQLClient
from tests.factories import create_account

COUNT = "{ accounts { totalCount } }"
CREATE = """
mutation($input: AccountCreateInput!) {
  accountCreate(input: $input) { account { id } userErrors { field code } }
}"""
PAGE = "query($first: Int) { accounts(first: $first) { totalCount } }"
JSON = {"Content-Type": "application/json"}


def only_error(response: httpx.Response) -> dict[str, Any]:
    (error,) = response.json()["errors"]
    return error


async def still_serving(client: GraphQLClient) -> None:
    assert "accounts" in await client.execute(COUNT)


def nested(levels: int) -> str:
    """An operation whose selections are `levels` deep: accounts > nodes > stakeholders > nodes > manager > ..."""
    inner = "name"
    for _ in range(levels - 4):
        inner = f"manager {{ {inner} }}"
    return f"{{ accounts {{ nodes {{ stakeholders {{ nodes {{ {inner} }} }} }} }} }}"


# Requests that never reach GraphQL: the body is not a GraphQL request at all.
@pytest.mark.parametrize(
    ("body", "headers", "status", "code", "says"),
    [
        pytest.param(b'{"query": ', JSON, 400, "BAD_REQUEST", "JSON", id="malformed-json"),
        pytest.param(b"", JSON, 400, "BAD_REQUEST", "JSON", id="empty-body"),
        pytest.param(b'{"query": "\xff"}', JSON, 400, "BAD_REQUEST", "JSON", id="not-utf-8"),
        pytest.param(b'"{ accounts { totalCount } }"', JSON, 400, "BAD_REQUEST", "JSON object", id="json-string"),
        pytest.param(b"null", JSON, 400, "BAD_REQUEST", "JSON object", id="json-null"),
        pytest.param(b'[{"query": "{ __typename }"}]', JSON, 400, "BAD_REQUEST", "Batching", id="batch-array"),
        pytest.param(b"{}", JSON, 400, "BAD_REQUEST", "No GraphQL query", id="no-query"),
        pytest.param(b'{"query": 42}', JSON, 400, "BAD_REQUEST", "must be a string", id="query-not-a-string"),
        pytest.param(b'{"query": ["{ __typename }"]}', JSON, 400, "BAD_REQUEST", "must be a string", id="query-a-list"),
        pytest.param(
            b'{"query": "{ __typename }", "variables": [1]}', JSON, 400, "BAD_REQUEST", "variables", id="variables-list"
        ),
        pytest.param(
            b'{"query": "{ __typename }"}', {"Content-Type": "text/plain"}, 415, "UNSUPPORTED_MEDIA_TYPE",
            "application/json", id="text-plain",
        ),
        pytest.param(
            b"query={__typename}", {"Content-Type": "application/x-www-form-urlencoded"}, 415,
            "UNSUPPORTED_MEDIA_TYPE", "application/json", id="form-encoded",
        ),
        pytest.param(
            b'{"query": "{ __typename }"}', {"Content-Type": ""}, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type",
            id="no-content-type",
        ),
    ],
)
async def test_a_body_that_is_not_a_graphql_request_is_refused(
    client: GraphQLClient, body: bytes, headers: dict[str, str], status: int, code: str, says: str
) -> None:
    response = await client.http.post("/graphql", content=body, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    error = only_error(response)
    assert error["extensions"]["code"] == code
    assert says in error["message"]
    await still_serving(client)


async def test_an_unknown_operation_name_is_refused_by_name(client: GraphQLClient) -> None:
    response = await client.post("query Mine { accounts { totalCount } }", operationName="Theirs")
    assert response.status_code == 400
    error = only_error(response)
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert '"Theirs"' in error["message"]


@pytest.mark.parametrize(
    ("variables", "says"),
    [
        pytest.param({"first": "ten"}, "Int cannot represent", id="string-for-int"),
        pytest.param({"first": 1.5}, "Int cannot represent", id="float-for-int"),
        pytest.param({"first": 2**40}, "32-bit", id="too-big-for-int"),
        pytest.param({"first": {"n": 1}}, "Int cannot represent", id="object-for-int"),
    ],
)
async def test_variables_of_the_wrong_type_are_bad_user_input(
    client: GraphQLClient, variables: dict[str, Any], says: str
) -> None:
    response = await client.post(PAGE, variables)
    assert response.status_code == 200
    error = only_error(response)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "$first" in error["message"] and says in error["message"]
    assert "data" not in response.json()  # refused before execution


async def test_a_missing_required_variable_is_bad_user_input(client: GraphQLClient) -> None:
    error = only_error(await client.post(CREATE))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "$input" in error["message"]


@pytest.mark.parametrize(
    ("query", "code", "says"),
    [
        pytest.param("{ accounts { totalCount }", "GRAPHQL_PARSE_FAILED", "Syntax Error", id="syntax-error"),
        pytest.param("{ accounts { noSuchField } }", "GRAPHQL_VALIDATION_FAILED", "noSuchField", id="unknown-field"),
        pytest.param(
            'mutation { actionPlanCreate(input: {accountId: "x", title: "t", startsOn: "someday"}) { actionPlan { id } } }',
            "GRAPHQL_VALIDATION_FAILED", "Date", id="literal-of-wrong-type",
        ),
        pytest.param(
            "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
            "GRAPHQL_VALIDATION_FAILED", "Cannot spread fragment", id="circular-fragments",
        ),
        pytest.param("subscription { accounts { totalCount } }", "GRAPHQL_VALIDATION_FAILED", "subscription",
                     id="subscription"),
    ],
)
async def test_documents_that_cannot_run_say_why(client: GraphQLClient, query: str, code: str, says: str) -> None:
    response = await client.post(query)
    assert response.status_code == 200
    codes = {e["extensions"]["code"] for e in response.json()["errors"]}
    assert codes == {code}
    assert any(says in e["message"] for e in response.json()["errors"])
    await still_serving(client)


async def test_an_operation_at_the_depth_limit_runs_and_one_past_it_is_refused(client: GraphQLClient) -> None:
    await client.execute(nested(15))
    error = only_error(await client.post(nested(16)))
    assert error["extensions"] == {"code": "QUERY_TOO_DEEP", "limit": "maxQueryDepth", "maximum": 15, "requested": 16}
    assert "16 levels deep" in error["message"]
    await still_serving(client)


async def test_nesting_beyond_what_the_parser_takes_is_a_parse_error(client: GraphQLClient) -> None:
    error = only_error(await client.post("{" + " a {" * 300 + " b" + " }" * 301))
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert "nested too deeply" in error["message"]


@pytest.mark.parametrize("settings", [{"max_query_depth": 3}], indirect=True)
async def test_the_depth_limit_is_a_setting(client: GraphQLClient) -> None:
    await client.execute("{ accounts { nodes { owner { name } } } }")
    error = only_error(await client.post(nested(4)))
    assert error["extensions"]["maximum"] == 3


async def test_aliases_past_the_limit_are_refused(client: GraphQLClient) -> None:
    thirty = "{" + " ".join(f"a{i}: __typename" for i in range(30)) + "}"
    await client.execute(thirty)
    error = only_error(await client.post(thirty.replace("{", "{ extra: __typename ", 1)))
    assert error["extensions"] == {"code": "TOO_MANY_ALIASES", "limit": "maxAliases", "maximum": 30, "requested": 31}
    await still_serving(client)


async def test_an_alias_bomb_of_nested_fragments_is_refused_at_once(client: GraphQLClient) -> None:
    # Each fragment spreads the next twice: 2^40 aliased fields once expanded.
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    bomb = "query { ...F0 } " + fragments + " fragment F40 on Query { a: accounts { totalCount } }"
    started = time.monotonic()
    response = await client.post(bomb)
    assert time.monotonic() - started < 2
    codes = {e["extensions"]["code"] for e in response.json()["errors"]}
    assert codes == {"TOO_MANY_ALIASES", "TOO_MANY_FIELDS", "QUERY_TOO_COSTLY"}
    await still_serving(client)


async def test_documents_past_the_token_limit_are_refused_before_parsing_further(client: GraphQLClient) -> None:
    bomb = "{" + " ".join(f"a{i}: accounts {{ totalCount }}" for i in range(1000)) + "}"
    error = only_error(await client.post(bomb))
    assert error["extensions"] == {"code": "TOO_MANY_TOKENS", "limit": "maxTokens", "maximum": 2000}
    await still_serving(client)


async def test_every_answer_reports_its_cost(client: GraphQLClient) -> None:
    body = (await client.post("{ accounts(first: 50) { nodes { name owner { name } } } }")).json()
    assert body["extensions"]["cost"] == {"requested": 101, "maximum": MAX_COST}
    body = (await client.post(COUNT)).json()
    assert body["extensions"]["cost"] == {"requested": 1, "maximum": MAX_COST}


MAX_COST = Settings().max_query_cost  # the default: the test app is made with the defaults

COSTLY = """
query($n: Int) {
  accounts(first: $n) { nodes { stakeholders(first: $n) { nodes { needs { stakeholder { name } } } } } }
}"""


@pytest.mark.parametrize(
    ("variables", "requested"),
    [
        # 1 + 100 x (1 + 1 + 100 x (1 + 20 x (1 + 1)))
        pytest.param({"n": 100}, 410_201, id="first-from-variables"),
        # a page size above the maximum counts as the maximum
        pytest.param({"n": 100_000}, 410_201, id="clamped-to-max-page-size"),
    ],
)
async def test_an_operation_past_the_cost_limit_does_not_run(
    client: GraphQLClient, sql: Any, variables: dict[str, Any], requested: int
) -> None:
    sql.reset()
    response = await client.post(COSTLY, variables)
    error = only_error(response)
    assert error["extensions"] == {
        "code": "QUERY_TOO_COSTLY", "limit": "maxQueryCost", "maximum": MAX_COST, "requested": requested,
    }
    assert response.json()["extensions"]["cost"] == {"requested": requested, "maximum": MAX_COST}
    assert not [s for s in sql.statements if "account" in s.lower() and "token" not in s.lower()]
    await still_serving(client)


async def test_without_first_a_connection_costs_a_default_page(client: GraphQLClient) -> None:
    body = (await client.post(COSTLY, {"n": None})).json()
    assert body["extensions"]["cost"]["requested"] == 1 + 20 * (1 + 1 + 20 * (1 + 20 * 2))


async def test_one_document_costs_what_its_variables_ask_each_time(client: GraphQLClient) -> None:
    """Costs are kept per document and page sizes: a repeated document is still costed by its variables."""

    def cost(n: int | None) -> int:
        return 1 + n * (1 + 1 + n * (1 + 20 * 2)) if n is not None else cost(20)

    for n in (3, 100, 3, None, 100_000, 7, 3):
        body = (await client.post(COSTLY, {"n": n})).json()
        assert body["extensions"]["cost"]["requested"] == cost(min(n, 100) if n is not None else None)
        assert ("errors" in body) == (cost(n and min(n, 100)) > MAX_COST)


@pytest.mark.parametrize("first", [101, -1])
async def test_page_sizes_outside_the_limit_are_bad_user_input(client: GraphQLClient, first: int) -> None:
    error = only_error(await client.post(PAGE, {"first": first}))
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}


async def test_a_body_past_the_size_limit_is_refused_unread(client: GraphQLClient) -> None:
    huge_name = "x" * 1_000_000
    response = await client.post(CREATE, {"input": {"name": huge_name, "grade": "A", "valueTier": "HIGH"}})
    assert response.status_code == 413
    error = only_error(response)
    assert error["extensions"] == {"code": "REQUEST_TOO_LARGE", "limit": "maxBodyBytes", "maximum": 262_144}
    assert (await client.execute(COUNT))["accounts"]["totalCount"] == 0


async def test_a_streamed_body_past_the_size_limit_is_refused(client: GraphQLClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ accounts { totalCount } }", "variables": {"pad": "'
        for _ in range(100):
            yield b"y" * 10_000
        yield b'"}}'

    response = await client.http.post("/graphql", content=chunks(), headers=JSON)
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert only_error(response)["extensions"]["code"] == "REQUEST_TOO_LARGE"
    await still_serving(client)


async def test_a_long_string_within_the_body_limit_is_refused_by_validation(client: GraphQLClient) -> None:
    data = await client.execute(CREATE, {"input": {"name": "x" * 100_000, "grade": "A", "valueTier": "HIGH"}})
    assert data["accountCreate"] == {"account": None, "userErrors": [{"field": "name", "code": "OUT_OF_RANGE"}]}
    assert (await client.execute(COUNT))["accounts"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        pytest.param(CREATE, {"input": {"name": "Nul\u0000Corp", "grade": "A", "valueTier": "HIGH"}}, id="variable"),
        pytest.param(
            'mutation { accountCreate(input: {name: "Nul\\u0000Corp", grade: A, valueTier: HIGH}) { account { id } } }',
            None, id="literal",
        ),
        pytest.param('{ accounts(filter: {search: "\\u0000"}) { totalCount } }', None, id="filter"),
    ],
)
async def test_text_with_a_nul_character_is_refused(
    client: GraphQLClient, query: str, variables: dict[str, Any] | None
) -> None:
    error = only_error(await client.post(query, variables))
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "U+0000" in error["message"]
    assert (await client.execute(COUNT))["accounts"]["totalCount"] == 0


def test_the_suite_runs_requests_under_a_generous_time_limit(app: Any) -> None:
    """On a loaded machine no test may fail with TIMEOUT: only the tests of the limit itself set a short one."""
    assert app.state.graphql.request_timeout == SUITE_REQUEST_TIMEOUT >= 300
    assert Settings().request_timeout == SUITE_REQUEST_TIMEOUT  # apps and servers made with the defaults too
    assert Settings(request_timeout=0.3).request_timeout == 0.3  # what a test gives wins


# The general executor's resolvers are slowed down, so compiled reads are off (tests/test_compiled.py slows those).
@pytest.mark.parametrize("settings", [{"request_timeout": 0.3, "compiled_reads": False}], indirect=True)
async def test_a_request_past_the_time_limit_is_stopped_and_its_connection_given_back(
    client: GraphQLClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = resolvers.accounts.reads.list_accounts

    async def slow(ctx: Any, *args: Any) -> Any:
        await ctx.run(lambda session: session.execute(text("SELECT 1")))  # holds a connection
        await asyncio.sleep(30)
        return await original(ctx, *args)

    monkeypatch.setattr(resolvers.accounts.reads, "list_accounts", slow)
    started = time.monotonic()
    response = await client.post(COUNT)
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    error = only_error(response)
    assert error["extensions"] == {"code": "TIMEOUT", "limit": "requestTimeout", "maximum": 0.3}
    assert response.json()["data"] is None
    assert engine.pool.checkedout() == 0

    monkeypatch.setattr(resolvers.accounts.reads, "list_accounts", original)
    await still_serving(client)


async def test_introspection_is_on_by_default(client: GraphQLClient) -> None:
    data = await client.execute("{ __schema { queryType { name } } }")
    assert data["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize("settings", [{"introspection": False}], indirect=True)
async def test_introspection_can_be_switched_off(client: GraphQLClient) -> None:
    for query in ("{ __schema { queryType { name } } }", '{ __type(name: "Account") { name } }'):
        errors = (await client.post(query)).json()["errors"]
        assert {e["extensions"]["code"] for e in errors} == {"GRAPHQL_VALIDATION_FAILED"}
        assert "introspection has been disabled" in errors[0]["message"]
    await still_serving(client)


@pytest.mark.parametrize("settings", [{"graphiql": False}], indirect=True)
async def test_graphiql_can_be_switched_off(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert only_error(response)["extensions"]["code"] == "NOT_FOUND"
    assert "graphiql" not in response.text.lower()


async def test_every_response_carries_a_request_id(client: GraphQLClient) -> None:
    first = await client.post(COUNT)
    second = await client.post(COUNT)
    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    assert (await client.http.get("/healthz")).headers["x-request-id"]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("trace-1234.abc", True), ("x" * 500, False), ("two words", False)],
)
async def test_a_sensible_request_id_from_the_client_is_kept(client: GraphQLClient, sent: str, kept: bool) -> None:
    response = await client.http.post("/graphql", json={"query": COUNT}, headers={"X-Request-ID": sent})
    assert (response.headers["x-request-id"] == sent) is kept


async def test_an_unexpected_failure_outside_graphql_is_masked_with_its_request_id(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret=swordfish")

    monkeypatch.setattr(KamGraphQL, "get_context", broken)
    with caplog.at_level(logging.ERROR, logger="kam.errors"):
        response = await client.http.post("/graphql", json={"query": COUNT}, headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert only_error(response) == {
        "message": "Internal server error.",
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-42"},
    }
    assert "swordfish" not in response.text
    logged = [r for r in caplog.records if r.name == "kam.errors" and r.exc_info]
    assert logged and "req-42" in logged[0].getMessage() and isinstance(logged[0].exc_info[1], RuntimeError)


async def test_a_failing_field_that_cancels_running_reads_leaves_a_clean_answer(
    client: GraphQLClient, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    # `nodes` fails while `node` is still reading: GraphQL cancels that read, which must not break the session.
    account = await create_account(client)
    query = """
    query($id: ID!) {
      node(id: $id) { ... on Account { name stakeholders { nodes { name } } } }
      nodes(ids: ["not an id"]) { id }
    }"""
    with caplog.at_level(logging.WARNING, logger="kam.errors"):
        for _ in range(3):
            error = only_error(await client.post(query, {"id": account["id"]}))
            assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "ids"}
    assert engine.pool.checkedout() == 0
    assert not [r for r in caplog.records if r.name == "kam.errors"], "the session broke"
    await still_serving(client)


async def test_a_document_with_several_operations_needs_an_operation_name(client: GraphQLClient) -> None:
    document = """
    query Count { accounts { totalCount } }
    mutation Create { accountCreate(input: {name: "X", grade: A, valueTier: HIGH}) { account { id } } }"""
    error = only_error(await client.post(document))
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "operationName" in error["message"]
    assert (await client.post(document, operationName="Count")).json()["data"] == {"accounts": {"totalCount": 0}}
    assert (await client.execute(COUNT))["accounts"]["totalCount"] == 0


async def test_a_document_validated_once_is_still_checked_against_each_requests_variables(
    client: GraphQLClient, sql: Any
) -> None:
    """Parse and validation are kept per document; cost and NUL characters depend on the variables and are not."""
    cheap = await client.post(COSTLY, {"n": 2})
    assert "errors" not in cheap.json()
    sql.reset()
    error = only_error(await client.post(COSTLY, {"n": 100}))
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert not [s for s in sql.statements if "account" in s.lower() and "token" not in s.lower()]

    search = "query($s: String) { accounts(filter: {search: $s}) { totalCount } }"
    assert (await client.execute(search, {"s": "ab"}))["accounts"]["totalCount"] == 0
    assert only_error(await client.post(search, {"s": "a\x00b"}))["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_repeated_document_is_validated_once(client: GraphQLClient, monkeypatch: Any) -> None:
    import strawberry.schema.schema as strawberry_schema

    validated: list[str] = []
    real = strawberry_schema.validate

    def counting(schema: Any, document: Any, *args: Any, **kwargs: Any) -> Any:
        validated.append("once")
        return real(schema, document, *args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate", counting)
    document = f"query Once($n: Int) {{ accounts(first: $n) {{ totalCount }} }} # {id(validated)}"
    for n in (1, 2, 3):
        assert (await client.execute(document, {"n": n}))["accounts"]["totalCount"] == 0
    assert validated == ["once"]
