"""Heavy operations take turns per worker (`kam.heavy`): two never run at once, a light one runs beside them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import resolvers.accounts.reads
from graphql import parse

from kam.cost import select_operation
from kam.heavy import HeavyTurns, introspects_schema
from tests.conftest import GraphQLClient

HEAVY = "{ accounts(first: 30) { nodes { name } } }"  # costs 31
LIGHT = "{ accounts { totalCount } }"  # costs 1


async def test_heavy_operations_never_overlap_while_light_ones_go_on() -> None:
    turns = HeavyTurns(threshold=10)
    running: list[str] = []
    overlapped: list[tuple[str, ...]] = []

    async def operation(name: str, cost: int) -> None:
        async with turns.admitted(turns.is_heavy(cost)):
            running.append(name)
            overlapped.append(tuple(running))
            await asyncio.sleep(0.02)
            running.remove(name)

    await asyncio.gather(operation("heavy 1", 10), operation("heavy 2", 99), operation("light", 9))
    assert not any({"heavy 1", "heavy 2"} <= set(seen) for seen in overlapped), overlapped
    assert any("light" in seen and len(seen) > 1 for seen in overlapped), overlapped


# The executor's resolver is slowed down, so compiled reads are off.
@pytest.mark.parametrize("settings", [{"heavy_query_cost": 10, "compiled_reads": False}], indirect=True)
async def test_a_heavy_request_waits_for_the_one_before_it(client: GraphQLClient, monkeypatch: pytest.MonkeyPatch) -> None:
    original = resolvers.accounts.reads.list_accounts
    log: list[str] = []

    async def slow(ctx: Any, criteria: Any, order: Any, page: Any, *args: Any) -> Any:
        log.append(f"start {page.limit}")
        await asyncio.sleep(0.2)
        log.append(f"end {page.limit}")
        return await original(ctx, criteria, order, page, *args)

    monkeypatch.setattr(resolvers.accounts.reads, "list_accounts", slow)
    first = asyncio.ensure_future(client.post(HEAVY))
    await asyncio.sleep(0.05)
    second = asyncio.ensure_future(client.post(HEAVY.replace("30", "40")))
    light = await client.post("{ accounts(first: 2) { totalCount } }")  # costs 1 + 2: beside the heavy ones
    assert light.json()["data"]["accounts"]["totalCount"] == 0
    await asyncio.gather(first, second)
    assert log.index("end 30") < log.index("start 40"), log
    assert log.index("start 2") < log.index("end 30"), log


@pytest.mark.parametrize(
    ("query", "heavy"),
    [
        ("{ __schema { queryType { name } } }", True),
        ("query Q { ...F } fragment F on Query { ... on Query { s: __schema { types { name } } } }", True),
        ('{ __type(name: "Account") { name } accounts { totalCount } }', False),
        ("{ accounts { nodes { __typename } } }", False),
    ],
)
def test_an_introspection_of_the_whole_schema_is_heavy(query: str, heavy: bool) -> None:
    document = parse(query)
    assert introspects_schema(document, select_operation(document, None)) is heavy
