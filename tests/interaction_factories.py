"""Record interactions through the public API and read back what they keep: dates relative to now as a client
sends them, the recency of accounts and stakeholders, the timelines, and a walk through a list's keyset pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from domain.base import utcnow
from tests.conftest import GraphQLClient

ERRORS = "userErrors { field message code }"

INTERACTION_FIELDS = """
  id kind direction occurredAt durationMinutes subject summary outcome nextStep createdAt updatedAt version
  account { id } need { id } stakeholders { id } members { id }
"""

CREATE_INTERACTION = f"""
mutation($input: InteractionCreateInput!) {{
  interactionCreate(input: $input) {{ interaction {{ {INTERACTION_FIELDS} }} {ERRORS} }}
}}"""

UPDATE_INTERACTION = f"""
mutation($input: InteractionUpdateInput!) {{
  interactionUpdate(input: $input) {{ interaction {{ {INTERACTION_FIELDS} }} {ERRORS} }}
}}"""

DELETE_INTERACTION = f"""
mutation($input: InteractionDeleteInput!) {{ interactionDelete(input: $input) {{ deletedId {ERRORS} }} }}
"""

INTERACTION_NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Interaction {{ {INTERACTION_FIELDS} }} }} }}"


def now() -> datetime:
    return utcnow()


def today() -> date:
    return now().date()


def days_ago(days: float) -> str:
    """An `occurredAt` this many days before now (negative: in the future), as the API writes it back."""
    return (now() - timedelta(days=days)).isoformat()


def day(days_back: int) -> str:
    """The UTC day this many days before today, as a `Date`."""
    return (today() - timedelta(days=days_back)).isoformat()


async def create_interaction(client: GraphQLClient, account_id: str, **fields: Any) -> dict[str, Any]:
    data = {"accountId": account_id, "kind": "CALL", "subject": "Check-in", **fields}
    payload = await client.mutate(CREATE_INTERACTION, data)
    assert payload["userErrors"] == [], payload
    return payload["interaction"]


async def update_interaction(client: GraphQLClient, interaction_id: str, **fields: Any) -> dict[str, Any]:
    payload = await client.mutate(UPDATE_INTERACTION, {"id": interaction_id, **fields})
    assert payload["userErrors"] == [], payload
    return payload["interaction"]


async def delete_interaction(client: GraphQLClient, interaction_id: str) -> None:
    payload = await client.mutate(DELETE_INTERACTION, {"id": interaction_id})
    assert payload == {"deletedId": interaction_id, "userErrors": []}, payload


RECENCY = "interactionRecency { lastInteractionAt last30Days last90Days last365Days countedOn }"
ACCOUNT = f"query($id: ID!) {{ account(id: $id) {{ version {RECENCY} interactions {{ totalCount }} }} }}"
PERSON = f"""query($id: ID!) {{
  stakeholder(id: $id) {{ version {RECENCY} coverage {{ member {{ id }} strength lastInteractionAt }} }}
}}"""
VARS = "$filter: InteractionFilter, $orderBy: InteractionOrder, $first: Int, $after: String, $last: Int, $before: String"
ARGS = "filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before"
CONNECTION = "totalCount nodes { subject } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
# Each timeline: its document and where its connection is in the answer.
TIMELINES: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "root": (f"query({VARS}) {{ interactions({ARGS}) {{ {CONNECTION} }} }}", lambda d: d["interactions"]),
    "account": (
        f"query($id: ID!, {VARS}) {{ account(id: $id) {{ interactions({ARGS}) {{ {CONNECTION} }} }} }}",
        lambda d: d["account"]["interactions"],
    ),
    "stakeholder": (
        f"query($id: ID!, {VARS}) {{ stakeholder(id: $id) {{ interactions({ARGS}) {{ {CONNECTION} }} }} }}",
        lambda d: d["stakeholder"]["interactions"],
    ),
}
# Accounts with the name as `subject`, so that `walk` pages them too.
ACCOUNTS = """
query($filter: AccountFilter, $orderBy: AccountOrder, $first: Int, $after: String, $last: Int, $before: String) {
  accounts(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount nodes { subject: name } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


def codes(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


def recency(last: str | None, d30: int, d90: int, d365: int) -> dict[str, Any]:
    """`interactionRecency` as counted today."""
    counts = {"last30Days": d30, "last90Days": d90, "last365Days": d365}
    return {"lastInteractionAt": last, **counts, "countedOn": today().isoformat()}


async def account_state(client: GraphQLClient, account_id: str) -> dict[str, Any]:
    return (await client.execute(ACCOUNT, {"id": account_id}))["account"]


async def person_state(client: GraphQLClient, stakeholder_id: str) -> dict[str, Any]:
    return (await client.execute(PERSON, {"id": stakeholder_id}))["stakeholder"]


async def read(client: GraphQLClient, interaction_id: str) -> dict[str, Any] | None:
    return (await client.execute(INTERACTION_NODE, {"id": interaction_id}))["node"]


async def subjects(client: GraphQLClient, timeline: str, **variables: Any) -> list[str]:
    document, connection = TIMELINES[timeline]
    return [n["subject"] for n in connection(await client.execute(document, variables))["nodes"]]


async def walk(
    client: GraphQLClient, document: str, connection: Callable, size: int, **variables: Any
) -> tuple[list[str], list[str]]:
    """Every item's `subject` of a list paged forwards with `first/after`, then backwards with `last/before`."""
    total = connection(await client.execute(document, variables))["totalCount"]
    forwards: list[str] = []
    after = None
    while True:
        page = connection(await client.execute(document, {**variables, "first": size, "after": after}))
        assert page["totalCount"] == total and len(page["nodes"]) <= size
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        forwards += [n["subject"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    backwards: list[str] = []
    before = None
    while True:
        page = connection(await client.execute(document, {**variables, "last": size, "before": before}))
        assert page["pageInfo"]["hasNextPage"] is (before is not None)
        backwards = [n["subject"] for n in page["nodes"]] + backwards
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert len(forwards) == total
    return forwards, backwards
