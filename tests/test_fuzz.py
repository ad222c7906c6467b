"""Operations generated from the schema itself, sent over HTTP: kam answers each one cleanly.

For every generated query and mutation: no 5xx, every error carries an
`extensions.code` and none is a masked INTERNAL_SERVER_ERROR, no request runs
into the time limit, and a mutation that was refused changed no data. The
database holds the demo portfolio, and generated IDs are often real global IDs
of it, so mutations reach the rules behind the input checks.

"Refused" means: any error in the answer (a mutation whose payload then fails
to resolve is rolled back whole), no payload, or `userErrors` (always
selected, so the test can tell).

A failure prints the operation; rerun it with the seed Hypothesis reports
(`pytest tests/test_fuzz.py --hypothesis-seed=N`).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from graphql import (
    DocumentNode,
    FieldNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    print_ast,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain import ApiToken, Base
from kam.demo import load_demo
from schema.api import build_schema, sdl
from schema.node import NODE_TYPES
from tests.conftest import GraphQLClient, write_to_test_log

SDL = sdl()
GRAPHQL_SCHEMA = build_schema()._schema
QUERY_FIELDS = sorted(GRAPHQL_SCHEMA.query_type.fields)
MUTATION_FIELDS = sorted(GRAPHQL_SCHEMA.mutation_type.fields)
# Longer than any request should take on the small demo data, shorter than a hung test run.
HANG = 20

# Global IDs of rows the demo portfolio certainly has (every type has at least three rows) mixed with junk.
REAL_IDS = [base64.b64encode(f"{name}:{row}".encode()).decode() for name in sorted(NODE_TYPES) for row in (1, 2, 3)]
REAL = st.sampled_from(REAL_IDS).map(nodes.String)
IDS = st.one_of(REAL, REAL, st.text(max_size=12).map(nodes.String), st.integers(min_value=-5, max_value=5).map(nodes.Int))
SCALARS = {
    "ID": IDS,
    "Date": st.one_of(st.dates().map(lambda d: nodes.String(d.isoformat())), st.text(max_size=10).map(nodes.String)),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat())),
    "Decimal": st.one_of(
        st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10, max_value=10**17).map(nodes.String),
        st.text(max_size=8).map(nodes.String),
    ),
}

USER_ERRORS = parse("{ userErrors { field code } }").definitions[0].selection_set.selections  # type: ignore[attr-defined]


def with_user_errors(document: DocumentNode) -> str:
    """The mutation, asking for its `userErrors` too: the test must see whether it was refused."""
    (operation,) = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    (root,) = operation.selection_set.selections
    assert isinstance(root, FieldNode) and root.selection_set is not None
    selected = {s.name.value for s in root.selection_set.selections if isinstance(s, FieldNode)}
    if "userErrors" not in selected:
        root = FieldNode(
            alias=root.alias,
            name=root.name,
            arguments=root.arguments,
            directives=root.directives,
            selection_set=SelectionSetNode(selections=(*root.selection_set.selections, *USER_ERRORS)),
        )
        operation = OperationDefinitionNode(
            operation=operation.operation,
            name=operation.name,
            variable_definitions=operation.variable_definitions,
            directives=operation.directives,
            selection_set=SelectionSetNode(selections=(root,)),
        )
    return print_ast(DocumentNode(definitions=(operation,)))


QUERIES = from_schema(SDL, fields=QUERY_FIELDS, custom_scalars=SCALARS)
# One root field per mutation, so "this mutation was refused" is a clear statement about the whole request.
MUTATIONS = st.sampled_from(MUTATION_FIELDS).flatmap(
    lambda name: from_schema(SDL, fields=[name], custom_scalars=SCALARS, print_ast=with_user_errors).map(
        lambda op: (name, op)
    )
)
INVALID = from_schema(SDL, custom_scalars=SCALARS, mode=Mode.NEGATIVE)

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
sent: dict[str, int] = {}


@pytest.fixture(scope="module", autouse=True)
def report_requests_sent(request: pytest.FixtureRequest) -> Any:
    """After the module: how many generated requests were sent, in the test log."""
    yield
    if sent:
        write_to_test_log(request, [f"\ngenerated requests sent: {sent}"])


@pytest.fixture
async def demo_client(client: GraphQLClient, database_url: str) -> AsyncIterator[GraphQLClient]:
    await load_demo(database_url, only_if_empty=False)
    yield client


async def fingerprint(engine: AsyncEngine) -> str:
    """A digest of every row of every table (API tokens aside: using one may note when it was last used)."""
    digest = hashlib.sha256()
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table is ApiToken.__table__:
                continue
            rows = await conn.execute(select(table).order_by(*table.primary_key.columns))
            digest.update(table.name.encode())
            for row in rows:
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


async def send(client: GraphQLClient, kind: str, operation: str) -> dict[str, Any]:
    sent[kind] = sent.get(kind, 0) + 1
    async with asyncio.timeout(HANG):
        response = await client.post(operation)
    assert response.status_code < 500, (operation, response.text)
    body = response.json()
    for error in body.get("errors", []):
        code = (error.get("extensions") or {}).get("code")
        assert code, (operation, error)
        assert code not in ("INTERNAL_SERVER_ERROR", "TIMEOUT"), (operation, error)
    return body


def refused(body: dict[str, Any], field: str) -> bool:
    """The mutation was refused: the answer holds an error, no payload, or userErrors."""
    payload = (body.get("data") or {}).get(field)
    return bool(body.get("errors")) or payload is None or bool(payload.get("userErrors"))


@settings(FUZZ, max_examples=150)
@given(operation=QUERIES)
async def test_generated_queries_get_clean_answers(demo_client: GraphQLClient, operation: str) -> None:
    body = await send(demo_client, "queries", operation)
    # Executed: `data` is there. Refused before execution (a limit, a literal no store keeps): no `data`, and
    # errors about the document, none at a field's path.
    refused = bool(body.get("errors")) and all("path" not in error for error in body["errors"])
    assert "data" in body or refused, (operation, body)


@settings(FUZZ, max_examples=200)
@given(generated=MUTATIONS)
async def test_generated_mutations_change_nothing_when_refused(
    demo_client: GraphQLClient, engine: AsyncEngine, generated: tuple[str, str]
) -> None:
    field, operation = generated
    before = await fingerprint(engine)
    body = await send(demo_client, "mutations", operation)
    if refused(body, field):
        assert await fingerprint(engine) == before, (operation, body)


@settings(FUZZ, max_examples=75)
@given(operation=INVALID)
async def test_generated_invalid_operations_are_refused_with_a_code(
    demo_client: GraphQLClient, engine: AsyncEngine, operation: str
) -> None:
    before = await fingerprint(engine)
    body = await send(demo_client, "invalid operations", operation)
    assert body.get("errors") and body.get("data") is None, (operation, body)
    assert await fingerprint(engine) == before, (operation, body)

