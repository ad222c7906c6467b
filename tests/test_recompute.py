"""`kam recompute` (kam/recompute.py): the counts the writes keep follow the passage of days, batch by batch,
and a recount running beside the API's writes loses none of them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.base import utcnow
from kam.recompute import recompute
from tests.conftest import GraphQLClient
from tests.factories import create_account
from tests.plan_factories import create_stakeholder

CREATE = """
mutation($input: InteractionCreateInput!) {
  interactionCreate(input: $input) { interaction { id } userErrors { field code message } }
}"""

RECENCY = """
query($id: ID!) {
  account(id: $id) {
    interactionRecency { last30Days last90Days last365Days countedOn }
    stakeholders { nodes { interactionRecency { last30Days last90Days last365Days countedOn } } }
  }
}"""


async def interact(client: GraphQLClient, account_id: str, days_ago: int, people: list[str]) -> None:
    when = (utcnow() - timedelta(days=days_ago)).isoformat()
    payload = await client.mutate(
        CREATE, {"accountId": account_id, "kind": "CALL", "subject": "Check-in", "occurredAt": when, "stakeholderIds": people}
    )
    assert payload["userErrors"] == [], payload


async def recency(client: GraphQLClient, account_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    account = (await client.execute(RECENCY, {"id": account_id}))["account"]
    return account["interactionRecency"], [n["interactionRecency"] for n in account["stakeholders"]["nodes"]]


async def test_counts_follow_the_days_that_pass(client: GraphQLClient, engine: AsyncEngine) -> None:
    account = await create_account(client)
    person = await create_stakeholder(client, account["id"], name="Ana Ops")
    for days_ago in (0, 25, 80, 300):
        await interact(client, account["id"], days_ago, [person["id"]])
    today = utcnow().date()
    counted, (person_counted,) = await recency(client, account["id"])
    assert counted == {"last30Days": 2, "last90Days": 3, "last365Days": 4, "countedOn": today.isoformat()}
    assert person_counted == counted

    later = today + timedelta(days=10)
    done = await recompute(engine, later, batch=1)
    assert done.accounts >= 1 and done.stakeholders >= 1
    counted, (person_counted,) = await recency(client, account["id"])
    assert counted == {"last30Days": 1, "last90Days": 2, "last365Days": 4, "countedOn": later.isoformat()}
    assert person_counted == counted


async def test_every_account_is_recounted_batch_by_batch(client: GraphQLClient, engine: AsyncEngine) -> None:
    accounts = [await create_account(client) for _ in range(5)]
    for account in accounts:
        await interact(client, account["id"], 100, [])
    seen: list[tuple[int, int]] = []
    later = utcnow().date() + timedelta(days=300)
    done = await recompute(engine, later, batch=2, progress=lambda n, total: seen.append((n, total)))
    assert done.accounts == 5
    assert [n for n, _ in seen] == [2, 4, 5]
    for account in accounts:
        counted, _ = await recency(client, account["id"])
        assert counted == {"last30Days": 0, "last90Days": 0, "last365Days": 0, "countedOn": later.isoformat()}


async def test_a_recount_beside_the_writes_loses_none_of_them(client: GraphQLClient, engine: AsyncEngine) -> None:
    account = await create_account(client)
    person = await create_stakeholder(client, account["id"], name="Ana Ops")
    writes = [interact(client, account["id"], 1, [person["id"]]) for _ in range(8)]
    recounts = [recompute(engine, utcnow().date(), batch=1) for _ in range(3)]
    await asyncio.gather(*writes, *recounts)
    counted, (person_counted,) = await recency(client, account["id"])
    assert counted["last30Days"] == 8
    assert person_counted["last30Days"] == 8
