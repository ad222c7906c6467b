"""The new evidence inputs at their worst (days at year 1 and 9999, integers past 2^31, 100,000-character
texts, times at the edge of the calendar): a client error or the right answer, never an internal error."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import GraphQLClient
from tests.factories import create_account

BIG_TEXT = "x" * 100_000

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("opportunity", "opportunityCreate(input: $input) { userErrors { code } }", {"name": BIG_TEXT, "amount": "1"}),
    ("opportunity", "opportunityCreate(input: $input) { userErrors { code } }", {"name": "D", "amount": "1", "expectedCloseOn": "9999-12-31"}),
    ("opportunity", "opportunityCreate(input: $input) { userErrors { code } }", {"name": "D", "amount": "1", "expectedCloseOn": "0001-01-01"}),
    ("opportunity", "opportunityCreate(input: $input) { userErrors { code } }", {"name": "D", "amount": "1", "openedOn": "0001-01-01"}),
    ("opportunity", "opportunityCreate(input: $input) { userErrors { code } }", {"name": "D", "amount": "1", "openedOn": "9999-12-31"}),
    ("opportunity", "opportunityCreate(input: $input) { userErrors { code } }", {"name": "D", "amount": "9" * 40}),
    ("opportunity", "opportunityCreate(input: $input) { userErrors { code } }", {"name": "D", "amount": "1", "probability": 2**31}),
    ("interaction", "interactionCreate(input: $input) { userErrors { code } }", {"kind": "CALL", "subject": "S", "occurredAt": "0001-01-01T00:00:00+00:00"}),
    ("interaction", "interactionCreate(input: $input) { userErrors { code } }", {"kind": "CALL", "subject": "S", "occurredAt": "9999-12-31T23:59:59-14:00"}),
    ("interaction", "interactionCreate(input: $input) { userErrors { code } }", {"kind": "CALL", "subject": "S", "durationMinutes": 2**31}),
    ("interaction", "interactionCreate(input: $input) { userErrors { code } }", {"kind": "CALL", "subject": "S", "summary": BIG_TEXT}),
]


def _input_type(mutation: str) -> str:
    return {"opportunityCreate": "OpportunityCreateInput", "interactionCreate": "InteractionCreateInput"}[mutation.split("(")[0]]


@pytest.mark.parametrize(("kind", "field", "values"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
async def test_worst_inputs_are_client_errors_or_answers(client: GraphQLClient, kind: str, field: str, values: dict[str, Any]) -> None:
    account = await create_account(client)
    query = f"mutation($input: {_input_type(field)}!) {{ {field} }}"
    response = await client.post(query, {"input": {"accountId": account["id"], **values}})
    body = response.json()
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
    assert "INTERNAL_SERVER_ERROR" not in codes and response.status_code < 500, body
    if not body.get("errors"):
        (payload,) = body["data"].values()
        assert all(e["code"] in {"OUT_OF_RANGE", "INVALID", "REQUIRED"} for e in payload["userErrors"]), payload


@pytest.mark.parametrize(
    "query",
    [
        '{ funnel(filter: {openedFrom: "0001-01-01", openedTo: "9999-12-31"}) { deals stages { count } paths { count } } }',
        '{ accounts(filter: {lastInteractionBefore: "9999-12-31", lastInteractionSince: "0001-01-01"}) { totalCount } }',
        '{ interactions(filter: {occurredFrom: "0001-01-01", occurredTo: "9999-12-31"}) { totalCount } }',
        '{ accounts { nodes { revenue { byPeriod(grain: MONTH, from: "9999-01-01", to: "9999-12-31") { end } } } } }',
        '{ accounts { nodes { revenue { byPeriod(grain: YEAR, from: "0001-01-01", to: "0600-01-01") { end } } } } }',
    ],
)
async def test_edge_days_in_reads_answer(client: GraphQLClient, query: str) -> None:
    await create_account(client)
    body = (await client.post(query)).json()
    assert "errors" not in body, body
