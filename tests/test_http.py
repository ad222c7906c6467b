"""HTTP behaviour: health, GraphiQL, GraphQL over HTTP, global IDs and error masking."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import time
from collections.abc import AsyncIterator
import gc
import logging
from pathlib import Path

import httpx
import pytest

import resolvers.accounts.reads
from kam.app import create_app
from kam.health import Readiness
from kam.settings import Settings
from tests.conftest import GraphQLClient
from tests.factories import create_account

COUNT = "{ accounts { totalCount } }"
NODE = "query($id: ID!) { node(id: $id) { id ... on Account { name } } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Account { name } } }"
CREATE = 'mutation { accountCreate(input: {name: "Via GET", grade: A, valueTier: HIGH}) { account { id } } }'


def global_id(type_name: str, row_id: object) -> str:
    return base64.b64encode(f"{type_name}:{row_id}".encode()).decode()


@pytest.mark.parametrize("path", ["/readyz", "/healthz"])
async def test_readiness_reports_a_reachable_database(client: GraphQLClient, path: str) -> None:
    response = await client.http.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "reachable"}


@pytest.mark.parametrize("path", ["/readyz", "/healthz"])
async def test_readiness_reports_an_unreachable_database_without_the_servers_insides(tmp_path: Path, path: str) -> None:
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'kam.db'}"))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kam.test") as http:
            response = await http.get(path)
            live = await http.get("/livez")
    finally:
        await app.state.engine.dispose()
    assert response.status_code == 503 and response.headers["retry-after"]
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    # The process itself is alive: an orchestrator must not restart it for its database.
    assert live.status_code == 200 and live.json() == {"status": "ok"}


class SlowDatabase:
    """An engine stand-in whose connection takes long to come: `stall` blocks the event loop meanwhile."""

    def __init__(self, stall: float) -> None:
        self.stall = stall

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[None]:
        await asyncio.sleep(0.2)  # the loop is watched by now
        time.sleep(self.stall)  # a request hogging the worker's only thread
        await asyncio.sleep(10)
        yield


@pytest.mark.parametrize(
    ("stall", "answer"),
    [(2.5, {"status": "busy", "database": "unknown"}), (0, {"status": "unavailable", "database": "no answer"})],
    ids=["stalled-worker", "silent-database"],
)
async def test_readiness_tells_a_stalled_worker_from_a_silent_database(stall: float, answer: dict[str, str]) -> None:
    response = await Readiness(SlowDatabase(stall)).check(None)  # type: ignore[arg-type]
    assert response.status_code == 503
    assert json.loads(response.body) == answer


async def test_get_with_html_accept_serves_graphiql(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_root_redirects_to_graphql(client: GraphQLClient) -> None:
    response = await client.http.get("/")
    assert response.status_code in (302, 307) and response.headers["location"].endswith("/graphql")


async def test_get_runs_a_query(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", params={"query": COUNT})
    assert response.status_code == 200
    assert response.json()["data"] == {"accounts": {"totalCount": 0}}


async def test_get_never_runs_a_mutation(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", params={"query": CREATE})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert (await client.execute(COUNT))["accounts"]["totalCount"] == 0


async def test_malformed_json_is_a_bad_request(client: GraphQLClient) -> None:
    response = await client.http.post("/graphql", content=b'{"query": ', headers={"Content-Type": "application/json"})
    assert response.status_code == 400


async def test_graphql_response_media_type_when_accepted(client: GraphQLClient) -> None:
    accept = {"Accept": "application/graphql-response+json"}
    response = await client.http.post("/graphql", json={"query": COUNT}, headers=accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert response.json()["data"] == {"accounts": {"totalCount": 0}}

    # A document that cannot run is a request error: 400 and no `data` with this media type.
    invalid = await client.http.post("/graphql", json={"query": "{ accounts { noSuchField } }"}, headers=accept)
    assert invalid.status_code == 400
    assert invalid.headers["content-type"].startswith("application/graphql-response+json")
    assert "data" not in invalid.json() and invalid.json()["errors"]


async def test_plain_json_stays_the_default(client: GraphQLClient) -> None:
    response = await client.post(COUNT)
    assert response.headers["content-type"].startswith("application/json")
    invalid = await client.post("{ accounts { noSuchField } }")
    assert invalid.status_code == 200 and invalid.json()["errors"]


# Small limits, so that each refusal below needs only a small document.
SMALL_LIMITS = {
    "max_query_depth": 4,
    "max_aliases": 2,
    "max_fields": 12,
    "max_tokens": 60,
    "max_introspections": 0,
    "max_query_cost": 50,
}
PAGE = "query($first: Int) { accounts(first: $first) { totalCount } }"
REFUSED_BEFORE_EXECUTION = {
    "syntax": ({"query": "{ accounts { totalCount }"}, "GRAPHQL_PARSE_FAILED"),
    "validation": ({"query": "{ accounts { noSuchField } }"}, "GRAPHQL_VALIDATION_FAILED"),
    "variable-of-the-wrong-type": ({"query": PAGE, "variables": {"first": "ten"}}, "BAD_USER_INPUT"),
    "missing-variable": ({"query": "query($id: ID!) { node(id: $id) { id } }"}, "BAD_USER_INPUT"),
    "depth": ({"query": "{ accounts { nodes { stakeholders { nodes { account { name } } } } } }"}, "QUERY_TOO_DEEP"),
    "aliases": ({"query": "{ a: __typename b: __typename c: __typename }"}, "TOO_MANY_ALIASES"),
    "fields": ({"query": "{ accounts { nodes { " + "id name " * 6 + "} } }"}, "TOO_MANY_FIELDS"),
    "tokens": ({"query": "{ " + "__typename " * 60 + "}"}, "TOO_MANY_TOKENS"),
    "introspection": ({"query": "{ __schema { queryType { name } } }"}, "TOO_MANY_INTROSPECTIONS"),
    "cost": ({"query": "{ accounts(first: 100) { nodes { name } } }"}, "QUERY_TOO_COSTLY"),
}


@pytest.mark.parametrize("settings", [SMALL_LIMITS], indirect=True)
@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
@pytest.mark.parametrize(
    ("body", "code"), REFUSED_BEFORE_EXECUTION.values(), ids=REFUSED_BEFORE_EXECUTION.keys()
)
async def test_a_request_refused_before_execution_answers_no_data(
    client: GraphQLClient, body: dict[str, object], code: str, accept: str
) -> None:
    """GraphQL, "Response": an error raised before execution begins leaves out the `data` entry, whatever the
    media type; with graphql-response+json the status is 400, with plain JSON 200."""
    response = await client.http.post("/graphql", json=body, headers={"Accept": accept})
    answer = response.json()
    assert "data" not in answer, answer
    assert code in {e["extensions"]["code"] for e in answer["errors"]}, answer
    assert response.status_code == (200 if accept == "application/json" else 400)


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
async def test_an_executed_request_answers_data_even_when_it_failed(client: GraphQLClient, accept: str) -> None:
    """A field error (here an ID of the wrong type) happens during execution: `data` is there, as far as it got."""
    headers = {"Accept": accept}
    wrong = global_id("Stakeholder", 1)
    body = {"query": "query($id: ID!) { account(id: $id) { name } }", "variables": {"id": wrong}}
    response = await client.http.post("/graphql", json=body, headers=headers)
    answer = response.json()
    assert response.status_code == 200
    assert answer["data"] == {"account": None}
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT" and answer["errors"][0]["path"] == ["account"]

    # A non-null root field that fails nulls all of `data`: executed all the same, so `data` is there, null.
    response = await client.http.post("/graphql", json={"query": PAGE, "variables": {"first": -1}}, headers=headers)
    answer = response.json()
    assert response.status_code == 200
    assert "data" in answer and answer["data"] is None, answer
    assert answer["errors"][0]["path"] == ["accounts"]


@pytest.mark.parametrize(
    "bad_id",
    [pytest.param("not base64 at all!", id="not-base64"), pytest.param(global_id("Spaceship", 1), id="unknown-type")],
)
async def test_node_with_a_bad_id_is_bad_user_input(client: GraphQLClient, bad_id: str) -> None:
    (error,) = await client.errors(NODE, {"id": bad_id})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["path"] == ["node"]


async def test_an_id_of_another_type_is_refused_with_the_right_article(client: GraphQLClient) -> None:
    """ "must be the ID of an Account", not "of a Account": as an argument, and as a mutation's input."""
    stakeholder = global_id("Stakeholder", 1)
    (error,) = await client.errors("query($id: ID!) { account(id: $id) { name } }", {"id": stakeholder})
    assert error["message"] == "`id` must be the ID of an Account."

    payload = await client.mutate(
        "mutation($input: StakeholderCreateInput!) { stakeholderCreate(input: $input) { userErrors { field message } } }",
        {"accountId": stakeholder, "name": "Ada"},
    )
    assert payload["userErrors"] == [{"field": "accountId", "message": "`accountId` must be the ID of an Account."}]

    payload = await client.mutate(
        "mutation($input: ObjectiveCreateInput!) { objectiveCreate(input: $input) { userErrors { field message } } }",
        {"planId": global_id("Account", 1), "description": "Grow", "metric": "Revenue", "target": "1"},
    )
    assert payload["userErrors"] == [{"field": "planId", "message": "`planId` must be the ID of an ActionPlan."}]

    (error,) = await client.errors(
        "query($id: ID!) { relationshipMap(accountId: $id) { __typename } }", {"id": stakeholder}
    )
    assert error["message"] == "`accountId` must be the ID of an Account."


async def test_node_resolves_an_object_by_its_id(client: GraphQLClient) -> None:
    account = await create_account(client, name="Nordwerk Maschinenbau AG")
    data = await client.execute(NODE, {"id": account["id"]})
    assert data["node"] == {"id": account["id"], "name": "Nordwerk Maschinenbau AG"}


async def test_nodes_keep_the_order_asked_and_null_the_missing(client: GraphQLClient) -> None:
    first = await create_account(client, name="First")
    second = await create_account(client, name="Second")
    missing = global_id("Account", 999_999)
    data = await client.execute(NODES, {"ids": [second["id"], missing, first["id"]]})
    assert data["nodes"] == [{"id": second["id"], "name": "Second"}, None, {"id": first["id"], "name": "First"}]


@pytest.mark.parametrize("settings", [{"compiled_reads": False}], indirect=True)  # the executor's resolver breaks
async def test_unexpected_errors_are_masked_and_logged(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("connection string with password=hunter2")

    monkeypatch.setattr(resolvers.accounts.reads, "list_accounts", broken)
    with caplog.at_level(logging.ERROR, logger="kam.errors"):
        response = await client.post(COUNT)
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["message"] == "Internal server error."
    request_id = response.headers["x-request-id"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert "hunter2" not in response.text
    logged = [r for r in caplog.records if r.name == "kam.errors" and r.exc_info and isinstance(r.exc_info[1], RuntimeError)]
    assert logged and all(request_id in r.getMessage() for r in logged)


async def test_a_served_worker_keeps_what_it_made_at_startup_out_of_the_collectors_sight(settings: Settings) -> None:
    """A full garbage collection over the startup heap (modules, schema) stalled every request for ~0.1 s."""
    gc.unfreeze()
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):  # as uvicorn starts and stops a worker
            assert gc.get_freeze_count() > 10_000
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kam.test") as http:
                assert (await http.get("/healthz")).status_code == 200
    finally:
        gc.unfreeze()
