"""Direct reads (kam/compiled/direct.py): a query once answered from its plan skips the pipeline, answering alike."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.growth import MatrixThresholds
from kam.portfolio.load import load_portfolio
from tests.conftest import GraphQLClient

MAP = """
query Map($id: ID!) {
  relationshipMap(accountId: $id) {
    nodes { stakeholder { id name } buyingRoles attitude coveredByCount }
    edges { kind source { id } target { id } }
    summary { supportIndex singleThreaded }
  }
}"""
LIST = """
query List($filter: AccountFilter, $first: Int, $after: String) {
  accounts(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id name grade stakeholders(first: 2) { nodes { name } } }
  }
}"""
TWO = "query A { accounts(first: 1) { nodes { name } } } query B { accounts(first: 2) { nodes { grade } } }"


class Pipeline:
    """Counts the requests that ran strawberry's pipeline (`Schema.execute`)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.runs = 0
        execute = strawberry.Schema.execute

        async def counted(schema: Any, *args: Any, **kwargs: Any) -> Any:
            self.runs += 1
            return await execute(schema, *args, **kwargs)

        monkeypatch.setattr(strawberry.Schema, "execute", counted)


@pytest.fixture
def pipeline(monkeypatch: pytest.MonkeyPatch) -> Pipeline:
    return Pipeline(monkeypatch)


@pytest.fixture
async def accounts(engine: AsyncEngine, client: GraphQLClient) -> list[str]:
    await load_portfolio(engine, 4, thresholds=MatrixThresholds(current_value=100_000, potential=250_000), seed=3)
    data = await client.execute("{ accounts(first: 10) { nodes { id } } }")
    return [n["id"] for n in data["accounts"]["nodes"]]


async def _raw(client: GraphQLClient, body: Any, **headers: str) -> tuple[int, str, bytes]:
    response = await client.http.post("/graphql", json=body, headers=headers)
    return response.status_code, response.headers["content-type"], response.content


@pytest.mark.parametrize("accept", [None, "application/graphql-response+json"])
async def test_a_direct_read_answers_byte_for_byte_as_the_pipeline(
    client: GraphQLClient, accounts: list[str], pipeline: Pipeline, accept: str | None
) -> None:
    headers = {} if accept is None else {"accept": accept}
    cases = [
        {"query": MAP, "variables": {"id": accounts[0]}, "operationName": "Map"},
        {"query": LIST, "variables": {"filter": {"grades": ["A", "B", "C"]}, "first": 2}},
    ]
    for body in cases:
        first = await _raw(client, body, **headers)
        assert pipeline.runs == 1
        again = await _raw(client, body, **headers)
        assert pipeline.runs == 1, "the second request skipped the pipeline"
        assert again == first and first[0] == 200
        assert first[1] == (accept or "application/json")
        pipeline.runs = 0
    # Other variables of a direct document are answered directly too.
    other = await _raw(client, {**cases[0], "variables": {"id": accounts[1]}})
    assert other[0] == 200 and pipeline.runs == 0


async def test_what_the_pipeline_refuses_still_goes_there(
    client: GraphQLClient, accounts: list[str], pipeline: Pipeline
) -> None:
    await client.execute(LIST, {"first": 2})
    await client.execute(LIST, {"first": 2})
    assert pipeline.runs == 1
    refused = [
        ({"first": "two"}, "BAD_USER_INPUT"),  # a variable of the wrong type
        ({"first": 2, "after": "not a cursor"}, "BAD_USER_INPUT"),  # an argument the resolvers refuse
        ({"first": 500}, "BAD_USER_INPUT"),  # above the maximum page size
        ({"filter": {"search": "a\x00b"}}, "BAD_USER_INPUT"),  # NUL characters
    ]
    for variables, code in refused:
        pipeline.runs = 0
        errors = await client.errors(LIST, variables)
        assert errors[0]["extensions"]["code"] == code, errors
        assert pipeline.runs == 1
    response = await client.http.post(
        "/graphql", content=b'{"query": "' + LIST.replace("\n", " ").encode() + b'"}', headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


@pytest.mark.parametrize("settings", [{"max_query_cost": 30}], indirect=True)
async def test_a_direct_document_is_costed_per_request(
    client: GraphQLClient, accounts: list[str], pipeline: Pipeline
) -> None:
    cheap = await _raw(client, {"query": LIST, "variables": {"first": 1}})
    assert b'"cost":{"requested":' in cheap[2]
    assert (await _raw(client, {"query": LIST, "variables": {"first": 1}})) == cheap and pipeline.runs == 1
    errors = await client.errors(LIST, {"first": 20})
    assert errors[0]["extensions"]["code"] == "QUERY_TOO_COSTLY" and pipeline.runs == 2


async def test_each_operation_of_a_document_is_answered_directly_by_its_name(
    client: GraphQLClient, accounts: list[str], pipeline: Pipeline
) -> None:
    errors = await client.errors(TWO)  # no operationName: refused, never answered directly
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert (await client.post(TWO, operationName="B")).status_code == 200
    runs = pipeline.runs
    assert (await client.errors(TWO))[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    b = (await client.post(TWO, operationName="B")).json()
    assert set(b["data"]["accounts"]["nodes"][0]) == {"grade"} and pipeline.runs == runs + 1
    a = (await client.post(TWO, operationName="A")).json()
    assert set(a["data"]["accounts"]["nodes"][0]) == {"name"}


async def test_a_direct_read_past_the_time_limit_is_stopped_and_gives_its_connection_back(
    app: Any, engine: AsyncEngine, client: GraphQLClient, accounts: list[str], pipeline: Pipeline
) -> None:
    body = {"query": MAP, "variables": {"id": accounts[0]}}
    await _raw(client, body)
    view = app.state.graphql
    view.request_timeout = 1e-9
    status, _, content = await _raw(client, body)
    assert status == 200 and pipeline.runs == 1
    answer = client.http  # the same client goes on working
    view.request_timeout = 10.0
    assert b'"TIMEOUT"' in content and b'"data":null' in content
    assert engine.sync_engine.pool.checkedout() == 0
    assert (await answer.post("/graphql", json=body)).json()["data"]["relationshipMap"]["nodes"]


class Sessions:
    """Counts the sessions the view opens, and how many connections the pool has out after each request."""

    def __init__(self, view: Any) -> None:
        self.opened = 0
        factory = view.sessions

        def counted() -> Any:
            self.opened += 1
            return factory()

        view.sessions = counted
        view.authenticator.sessions = counted


async def test_a_direct_read_opens_no_session_and_gives_its_connection_back(
    app: Any, engine: AsyncEngine, client: GraphQLClient, anonymous: GraphQLClient, accounts: list[str],
    pipeline: Pipeline,
) -> None:
    body = {"query": MAP, "variables": {"id": accounts[0]}}
    first = await _raw(client, body)
    sessions = Sessions(app.state.graphql)
    for account in accounts:
        status, _, content = await _raw(client, {**body, "variables": {"id": account}})
        assert status == 200 and b'"relationshipMap":{"nodes":[' in content
        assert engine.sync_engine.pool.checkedout() == 0
    assert await _raw(client, body) == first
    assert sessions.opened == 0 and pipeline.runs == 1
    # A direct document with a missing or unknown token is refused as any request is, and changes nothing.
    refused = await anonymous.http.post("/graphql", json=body)
    assert client.member is not None
    forged = f"kam_{client.member['token'].split('_')[1]}_{'A' * 43}"
    unknown = await anonymous.http.post("/graphql", json=body, headers={"Authorization": f"Bearer {forged}"})
    for response in (refused, unknown):
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert "not known" in unknown.json()["errors"][0]["message"]
    assert engine.sync_engine.pool.checkedout() == 0 and sessions.opened == 0 and pipeline.runs == 1
