"""A planned operation's variables (kam/variables.py) are coerced exactly as graphql-core coerces them."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse
from graphql.execution import values

from kam.variables import Variables
from schema.api import build_schema

OPERATION = """
query Q($id: ID!, $grades: [Grade!], $filter: AccountFilter, $first: Int = 5, $after: String, $flag: Boolean) {
  account(id: $id) { id }
}
"""
ID = "QWNjb3VudDox"


@pytest.fixture(scope="module")
def variables() -> Variables:
    operation = parse(OPERATION).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return Variables(build_schema()._schema, operation.variable_definitions)


def _plain(result: Any) -> Any:
    """A comparable form of coerced variables or of errors."""
    if isinstance(result, list):
        return [error.message for error in result]
    return result.coerced, {name: (source.signature.name, source.value) for name, source in result.sources.items()}


@pytest.mark.parametrize(
    "given",
    [
        {"id": ID},
        {"id": ID, "first": 3, "after": None, "flag": True},
        {"id": ID, "grades": ["A", "C"], "filter": {"grades": ["B"], "quadrants": ["DEVELOP"]}},
        {"id": ID, "grades": "A"},  # one value for a list: a list of one
        {"id": ID, "grades": None, "filter": None},
        {"id": ID, "unknown": 1},
    ],
)
def test_variables_that_fit_are_coerced_without_graphql_core_and_alike(
    variables: Variables, given: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = values.get_variable_values(variables.schema, variables.definitions, given)
    assert not isinstance(expected, list)
    if "first" in given:  # otherwise its default value is coerced by graphql-core
        monkeypatch.setattr("kam.variables.get_variable_values", None)
    assert _plain(variables.coerce(given)) == _plain(expected)


@pytest.mark.parametrize(
    "given",
    [
        {},  # a required variable missing
        {"id": None},
        {"id": ID, "grades": ["E"], "first": 1},
        {"id": ID, "grades": [None], "first": 1},
        {"id": ID, "first": "two"},
        {"id": ID, "first": 2**40},
        {"id": ID, "filter": {"grade": ["A"]}, "first": 1},
        {"id": ID, "filter": "A", "first": 1},
        {"id": ["a"]},
    ],
)
def test_variables_that_do_not_fit_get_graphql_cores_errors(variables: Variables, given: dict[str, Any]) -> None:
    errors = variables.coerce(given)
    assert isinstance(errors, list) and errors
    assert _plain(errors) == _plain(values.get_variable_values(variables.schema, variables.definitions, given))
