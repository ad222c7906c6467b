"""No lost writes: concurrent updates of one account through the HTTP API, each request on its own session.

Every accepted write is in the final state and in the audit trail; every rejected one was told CONFLICT.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

import resolvers.accounts.mutations as account_mutations
from domain import Account, Action, ActionPlan, Need, Objective, Stakeholder, TeamMember
from tests.conftest import GraphQLClient
from tests.factories import create_account, create_member
from tests.plan_factories import (
    create_action,
    create_need,
    create_objective,
    create_plan,
    create_stakeholder,
    record_assessment,
)

UPDATE = """
mutation($input: AccountUpdateInput!) {
  accountUpdate(input: $input) {
    account { name version currentAnnualValue { amount } }
    userErrors { field message code }
  }
}"""

ACCOUNT = "query($id: ID!) { account(id: $id) { name version currentAnnualValue { amount } } }"

HISTORY = """
query($id: ID!) {
  account(id: $id) { history(first: 100) { nodes { operation change before after } } }
}"""

STALE_AT_WRITE = "Someone else changed this object first; read it again."


async def update(client: GraphQLClient, fields: dict[str, Any]) -> dict[str, Any]:
    return await client.mutate(UPDATE, fields)


async def updates_recorded(client: GraphQLClient, account_id: str) -> list[dict[str, Any]]:
    """The account's accountUpdate events, oldest first."""
    data = await client.execute(HISTORY, {"id": account_id})
    events = [e for e in data["account"]["history"]["nodes"] if e["operation"] == "accountUpdate"]
    return list(reversed(events))


async def test_of_many_writers_with_the_same_version_exactly_one_wins(client: GraphQLClient) -> None:
    account = await create_account(client, name="Contested")
    names = [f"Writer {n:02}" for n in range(20)]

    results = await asyncio.gather(*(update(client, {"id": account["id"], "version": 1, "name": name}) for name in names))

    accepted = [r for r in results if not r["userErrors"]]
    rejected = [r for r in results if r["userErrors"]]
    assert len(accepted) == 1
    assert all(r["account"] is None and [e["code"] for e in r["userErrors"]] == ["CONFLICT"] for r in rejected)
    assert all(r["userErrors"][0]["field"] == "version" for r in rejected)
    winner = accepted[0]["account"]
    assert winner["version"] == 2

    assert (await client.execute(ACCOUNT, {"id": account["id"]}))["account"] == winner
    (event,) = await updates_recorded(client, account["id"])
    assert event["before"] == {"name": "Contested", "version": 1}
    assert event["after"] == {"name": winner["name"], "version": 2}


async def test_writers_that_all_read_before_anyone_wrote_are_stopped_by_the_update_itself(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch, engine: AsyncEngine
) -> None:
    """Every request has read version 1 and passed the version check before any of them writes: only the
    version condition of the UPDATE statement can tell them apart, and it lets exactly one through."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite lets one mutation at a time in (BEGIN IMMEDIATE): writers cannot all read first")
    writers = 8
    account = await create_account(client, name="Raced")
    everyone_has_read = asyncio.Barrier(writers)
    update_account = account_mutations.update_account

    async def update_once_everyone_has_read(*args: Any, **kwargs: Any) -> Any:
        changed = await update_account(*args, **kwargs)
        async with asyncio.timeout(10):
            await everyone_has_read.wait()
        return changed

    monkeypatch.setattr(account_mutations, "update_account", update_once_everyone_has_read)
    results = await asyncio.gather(
        *(update(client, {"id": account["id"], "version": 1, "name": f"Racer {n}"}) for n in range(writers))
    )

    accepted = [r["account"] for r in results if not r["userErrors"]]
    assert len(accepted) == 1
    rejections = [r["userErrors"] for r in results if r["userErrors"]]
    assert rejections == [[{"field": "version", "message": STALE_AT_WRITE, "code": "CONFLICT"}]] * (writers - 1)
    assert (await client.execute(ACCOUNT, {"id": account["id"]}))["account"] == accepted[0]
    (event,) = await updates_recorded(client, account["id"])
    assert event["after"] == {"name": accepted[0]["name"], "version": 2}


async def test_read_modify_write_with_retries_loses_no_increment(client: GraphQLClient) -> None:
    """Each writer adds 1 to the annual value: read, add, write with the version read, and on CONFLICT
    read again. Every accepted write is kept, so the sum is exact and the trail holds each step once."""
    writers, increments = 10, 2
    account = await create_account(client, name="Counter")
    conflicts = 0

    async def add_one() -> dict[str, Any]:
        nonlocal conflicts
        for _ in range(100):
            current = (await client.execute(ACCOUNT, {"id": account["id"]}))["account"]
            amount = Decimal(current["currentAnnualValue"]["amount"]) + 1
            payload = await update(
                client, {"id": account["id"], "version": current["version"], "currentAnnualValue": str(amount)}
            )
            if not payload["userErrors"]:
                return payload["account"]
            assert [e["code"] for e in payload["userErrors"]] == ["CONFLICT"], payload
            conflicts += 1
        raise AssertionError("a writer never got through")

    async def writer() -> list[dict[str, Any]]:
        return [await add_one() for _ in range(increments)]

    accepted = [write for writes in await asyncio.gather(*(writer() for _ in range(writers))) for write in writes]

    total = writers * increments
    final = (await client.execute(ACCOUNT, {"id": account["id"]}))["account"]
    assert final["currentAnnualValue"]["amount"] == f"{total}.00"
    assert final["version"] == 1 + total
    assert sorted(w["version"] for w in accepted) == list(range(2, total + 2))

    events = await updates_recorded(client, account["id"])
    assert len(events) == total
    for step, event in enumerate(events, start=1):
        # The value entered is the current one while the account has no revenue records: both change.
        before, after = f"{step - 1}.00", f"{step}.00"
        assert event["before"] == {"currentAnnualValue": before, "enteredAnnualValue": before, "version": step}
        assert event["after"] == {"currentAnnualValue": after, "enteredAnnualValue": after, "version": step + 1}
    accepted_states = sorted((w["version"], w["currentAnnualValue"]["amount"]) for w in accepted)
    assert accepted_states == [(e["after"]["version"], e["after"]["currentAnnualValue"]) for e in events]


async def _stakeholder(client: GraphQLClient) -> str:
    return (await create_stakeholder(client, (await create_account(client))["id"]))["id"]


async def _need(client: GraphQLClient) -> str:
    return (await create_need(client, (await create_account(client))["id"]))["id"]


async def _plan(client: GraphQLClient) -> str:
    return (await create_plan(client, (await create_account(client))["id"]))["id"]


async def _objective(client: GraphQLClient) -> str:
    return (await create_objective(client, await _plan(client)))["id"]


async def _action(client: GraphQLClient) -> str:
    return (await create_action(client, await _plan(client)))["id"]


async def _member(client: GraphQLClient) -> str:
    return (await create_member(client))["id"]


async def _account(client: GraphQLClient) -> str:
    return (await create_account(client))["id"]


# mutation, its input type, the payload's object field, the field each writer sets, how to make the object
UPDATES = [
    ("accountUpdate", "AccountUpdateInput", "account", "name", _account),
    ("stakeholderUpdate", "StakeholderUpdateInput", "stakeholder", "title", _stakeholder),
    ("needUpdate", "NeedUpdateInput", "need", "title", _need),
    ("actionPlanUpdate", "ActionPlanUpdateInput", "actionPlan", "title", _plan),
    ("objectiveUpdate", "ObjectiveUpdateInput", "objective", "metric", _objective),
    ("actionUpdate", "ActionUpdateInput", "action", "title", _action),
    ("teamMemberUpdate", "TeamMemberUpdateInput", "teamMember", "title", _member),
]


@pytest.mark.parametrize(("mutation", "input_type", "key", "field", "make"), UPDATES, ids=[u[0] for u in UPDATES])
async def test_every_update_mutation_lets_one_of_concurrent_writers_of_a_version_through(
    client: GraphQLClient, mutation: str, input_type: str, key: str, field: str, make: Any
) -> None:
    document = (
        f"mutation($input: {input_type}!) {{ {mutation}(input: $input) "
        f"{{ {key} {{ {field} version }} userErrors {{ field code }} }} }}"
    )
    object_id = await make(client)
    values = [f"Value {n}" for n in range(10)]

    results = await asyncio.gather(
        *(client.mutate(document, {"id": object_id, "version": 1, field: value}) for value in values)
    )

    accepted = [r[key] for r in results if not r["userErrors"]]
    assert len(accepted) == 1 and accepted[0]["version"] == 2
    assert [r["userErrors"] for r in results if r["userErrors"]] == [[{"field": "version", "code": "CONFLICT"}]] * 9
    stale = await client.mutate(document, {"id": object_id, "version": 1, field: "Too late"})
    assert stale == {key: None, "userErrors": [{"field": "version", "code": "CONFLICT"}]}
    recorded = await client.execute(
        "query($ids: [ID!]) { auditEvents(filter: {entityIds: $ids}) { nodes { change after } } }", {"ids": [object_id]}
    )
    updates = [e["after"] for e in recorded["auditEvents"]["nodes"] if e["change"] == "UPDATE"]
    assert updates == [{field: accepted[0][field], "version": 2}]


def test_every_updatable_model_checks_its_version_in_the_update_statement() -> None:
    """The read-time check catches a stale version sent by the client; the version condition of the UPDATE
    (and DELETE) statement itself catches writers that read the same version at the same time."""
    for model in (Account, Stakeholder, Need, ActionPlan, Objective, Action, TeamMember):
        assert model.__mapper__.version_id_col is model.__table__.c.version, model.__name__


async def test_assessments_recorded_at_once_on_one_account_all_succeed(client: GraphQLClient) -> None:
    """Each one locks the account's row after inserting its assessment: a lock that conflicted with the
    foreign-key check of the other's insert would deadlock them on PostgreSQL."""
    account = await create_account(client)
    values = [str(100_000 * n) for n in range(1, 9)]
    await asyncio.gather(
        *(record_assessment(client, account["id"], currentValue=v, potential=v, assessedOn="2026-03-01") for v in values)
    )
    data = await client.execute(
        "query($id: ID!) { account(id: $id) { growthHistory { totalCount } latestAssessment { currentValue { amount } } } }",
        {"id": account["id"]},
    )
    assert data["account"]["growthHistory"]["totalCount"] == len(values)
    assert data["account"]["latestAssessment"]["currentValue"]["amount"] in {f"{v}.00" for v in values}
