"""An object the caller may not see answers like one that does not exist, in its bytes and in the work behind
them: the same SQL statements run for both, so waiting for the answer tells nothing either."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

import domain
from kam.settings import Settings
from resolvers.ids import to_global_id
from tests.conftest import ClientFor, GraphQLClient, StatementCounter
from tests.test_hard_delete import furnished_account

MAX_COST = Settings().max_query_cost
NODE = "query($id: ID!) { node(id: $id) { id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
TYPES = [
    "Account", "Stakeholder", "InfluenceLink", "Coverage", "Need", "GrowthAssessment", "ActionPlan", "Objective", "Action",
    "AuditEvent",
]


def shape(statement: str) -> str:
    """A statement without its parameter values and literal ids."""
    return re.sub(r"\b\d+\b", "N", " ".join(statement.split()))


async def first_id(engine: AsyncEngine, type_name: str) -> int:
    model = next(m.class_ for m in domain.Base.registry.mappers if m.class_.__name__ == type_name)
    async with engine.connect() as conn:
        return (await conn.execute(select(model.id).order_by(model.id.desc()).limit(1))).scalar_one()


@pytest.mark.parametrize("role", ["ACCOUNT_MANAGER", "VIEWER"])
@pytest.mark.parametrize("type_name", TYPES)
async def test_a_hidden_object_costs_what_a_missing_one_does(
    client: GraphQLClient, client_for: ClientFor, engine: AsyncEngine, sql: StatementCounter, role: str, type_name: str
) -> None:
    await furnished_account(client, "Hidden")
    outsider = await client_for(role)
    row_id = await first_id(engine, type_name)
    hidden, missing = to_global_id(type_name, row_id), to_global_id(type_name, row_id + 1000)

    answers, work = [], []
    for global_id in (hidden, missing, hidden):  # hidden twice: the first may warm caches the second does not
        sql.reset()
        response = await outsider.post(NODE, {"id": global_id})
        answers.append(response.content)
        work.append([shape(s) for s in sql.statements])
    assert answers[0] == answers[1] == answers[2] == b'{"data":{"node":null},"extensions":{"cost":{"requested":1,"maximum":%d}}}' % MAX_COST
    assert work[1] == work[2], f"missing {type_name}: {work[1]}\nhidden: {work[2]}"
    assert work[1], "no statement seen: the comparison would prove nothing"


async def test_hidden_and_missing_objects_in_one_nodes_call_answer_alike(
    client: GraphQLClient, client_for: ClientFor, engine: AsyncEngine
) -> None:
    await furnished_account(client, "Hidden")
    outsider = await client_for("ACCOUNT_MANAGER")
    ids = [to_global_id(t, await first_id(engine, t)) for t in TYPES]
    missing = [to_global_id(t, await first_id(engine, t) + 1000) for t in TYPES]
    seen = (await outsider.execute(NODES, {"ids": ids + missing}))["nodes"]
    assert seen == [None] * (2 * len(TYPES))
