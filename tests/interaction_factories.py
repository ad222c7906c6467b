"""Record interactions through the public API, and dates relative to now as a client sends them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

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
    return datetime.now(UTC)


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
