"""Introspection answered from the worker's kept answers (`kam.introspection`) is the executor's answer, byte for
byte, whatever the document's whitespace, comments and aliases, and never another document's or variables'."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from graphql import get_introspection_query, graphql_sync

from kam.introspection import answers_of
from tests.conftest import GraphQLClient

FULL = get_introspection_query(descriptions=True)
TYPE_BY_NAME = """query Named($name: String!) { __type(name: $name) { name kind fields { name } } }"""


def executor(client_app: Any, query: str, variables: dict[str, Any] | None = None) -> Any:
    """What graphql-core's executor answers, on the schema the app serves."""
    result = graphql_sync(schema_of(client_app), query, variable_values=variables)
    assert not result.errors, result.errors
    return result.data


def schema_of(app: Any) -> Any:
    return app.state.graphql.schema._schema


def canonical(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


async def test_the_full_introspection_is_the_executors_answer_and_computed_once(app: Any, client: GraphQLClient) -> None:
    kept = answers_of(schema_of(app))
    before = kept.computed
    first = await client.execute(FULL)
    # The same operation again, with other whitespace, a comment and an alias: answered from what was kept.
    jumbled = FULL.replace("__schema", "# a comment\n  whole:   __schema", 1)
    again = await client.execute(re.sub(r"\n\s+", "\n ,, ", jumbled))
    assert kept.computed == before + 1
    assert canonical(first) == canonical(executor(app, FULL))
    assert canonical(again["whole"]) == canonical(first["__schema"])


async def test_variables_are_part_of_the_answer(app: Any, client: GraphQLClient) -> None:
    for name in ("Account", "Stakeholder", "Account", "NoSuchType"):
        got = await client.execute(TYPE_BY_NAME, {"name": name})
        assert canonical(got) == canonical(executor(app, TYPE_BY_NAME, {"name": name}))
    assert (await client.execute(TYPE_BY_NAME, {"name": "Account"}))["__type"]["name"] == "Account"


async def test_fragments_of_one_name_in_two_documents_answer_each_their_own(client: GraphQLClient) -> None:
    names = '{ __type(name: "Account") { ...T } } fragment T on __Type { name }'
    kinds = '{ __type(name: "Account") { ...T } } fragment T on __Type { kind }'
    assert await client.execute(names) == {"__type": {"name": "Account"}}
    assert await client.execute(kinds) == {"__type": {"kind": "OBJECT"}}


async def test_directives_below_the_root_follow_the_variables(client: GraphQLClient) -> None:
    query = 'query($on: Boolean!) { __type(name: "Need") { name kind @include(if: $on) } }'
    assert await client.execute(query, {"on": True}) == {"__type": {"name": "Need", "kind": "OBJECT"}}
    assert await client.execute(query, {"on": False}) == {"__type": {"name": "Need"}}


async def test_several_root_fields_and_typename(app: Any, client: GraphQLClient) -> None:
    query = '{ __typename a: __type(name: "Need") { name } b: __type(name: "Action") { name } __typename }'
    got = await client.execute(query)
    assert list(got) == ["__typename", "a", "b"]
    assert canonical(got) == canonical(executor(app, query))


async def test_an_operation_that_also_reads_data_is_the_executors(app: Any, client: GraphQLClient) -> None:
    kept = answers_of(schema_of(app))
    before = kept.computed
    got = await client.execute('{ __type(name: "Need") { name } accounts { totalCount } }')
    assert got == {"__type": {"name": "Need"}, "accounts": {"totalCount": 0}}
    assert kept.computed == before


@pytest.mark.parametrize(
    "variables",
    [{"name": 2**70}, {"name": None}, {"name": "\ud800"}, {"name": ["Account"]}],
    ids=["huge-integer", "null", "lone-surrogate", "list"],
)
async def test_bad_variables_are_client_errors(client: GraphQLClient, variables: dict[str, Any]) -> None:
    response = await client.http.post(
        "/graphql",
        content=json.dumps({"query": TYPE_BY_NAME, "variables": variables}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code in (200, 400), response.text
    codes = {error["extensions"]["code"] for error in response.json()["errors"]}
    assert codes <= {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST"}, response.text


@pytest.mark.parametrize("settings", [{"introspection": False}], indirect=True)
async def test_disabled_introspection_is_still_refused(client: GraphQLClient) -> None:
    errors = await client.errors('{ __type(name: "Need") { name } }')
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
