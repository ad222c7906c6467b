"""A mutation operation keeps its changes only when its whole answer resolved without an error."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from kam.db import session_factory
from kam.settings import Settings
from resolvers.context import RequestContext, RequestFinished
from tests.conftest import GraphQLClient
from tests.factories import create_account

RENAME_THEN_BAD_PAGE = """
mutation($input: AccountUpdateInput!) {
  accountUpdate(input: $input) {
    account { name stakeholders(first: 1, last: 1) { totalCount } }
    userErrors { code }
  }
}"""

TWO_RENAMES = """
mutation($good: AccountUpdateInput!, $stale: AccountUpdateInput!) {
  first: accountUpdate(input: $good) { account { name version } userErrors { code } }
  second: accountUpdate(input: $stale) { account { name } userErrors { field code } }
}"""

ACCOUNT = "query($id: ID!) { account(id: $id) { name version history(first: 10) { totalCount } } }"


async def test_a_payload_that_fails_to_resolve_rolls_the_mutation_back(client: GraphQLClient) -> None:
    account = await create_account(client, name="Before")
    before = await client.execute(ACCOUNT, {"id": account["id"]})

    body = (
        await client.post(RENAME_THEN_BAD_PAGE, {"input": {"id": account["id"], "version": 1, "name": "After"}})
    ).json()

    assert body["data"] is None
    codes = [e["extensions"]["code"] for e in body["errors"]]
    assert codes == ["BAD_USER_INPUT", "ROLLED_BACK"], body
    assert await client.execute(ACCOUNT, {"id": account["id"]}) == before
    assert before["account"]["name"] == "Before"


async def test_userErrors_in_one_mutation_keep_the_others_of_the_operation(client: GraphQLClient) -> None:
    """userErrors are answers, not errors: the mutation that got them changed nothing, the others are kept."""
    account = await create_account(client, name="Before")
    good = {"id": account["id"], "version": 1, "name": "Renamed"}
    stale = {"id": account["id"], "version": 1, "name": "Lost"}

    data = await client.execute(TWO_RENAMES, {"good": good, "stale": stale})

    assert data["first"] == {"account": {"name": "Renamed", "version": 2}, "userErrors": []}
    assert data["second"] == {"account": None, "userErrors": [{"field": "version", "code": "CONFLICT"}]}
    after = (await client.execute(ACCOUNT, {"id": account["id"]}))["account"]
    assert (after["name"], after["version"]) == ("Renamed", 2)
    assert after["history"]["totalCount"] == 2  # created, renamed once


async def test_a_refused_mutation_after_an_accepted_one_does_not_undo_it(client: GraphQLClient) -> None:
    """A mutation refused by a userError is rolled back to its own savepoint only."""
    account = await create_account(client, name="Before")
    data = await client.execute(
        TWO_RENAMES,
        {"good": {"id": account["id"], "version": 1, "name": "One"}, "stale": {"id": account["id"], "version": 2, "name": ""}},
    )
    assert data["first"]["userErrors"] == []
    assert data["second"]["account"] is None and data["second"]["userErrors"][0]["field"] == "name"
    after = (await client.execute(ACCOUNT, {"id": account["id"]}))["account"]
    assert (after["name"], after["version"]) == ("One", 2)


async def test_a_finished_request_reads_nothing_more(engine: AsyncEngine, sql: Any) -> None:
    """A read GraphQL abandoned may wake after the answer went out: it must not open a new connection."""
    from kam.app import api_config

    ctx = RequestContext(config=api_config(Settings(database_url="sqlite://")), opened=session_factory(engine)())
    assert await ctx.run(lambda s: s.scalar(text("SELECT 1"))) == 1
    await ctx.finish(keep=False)
    sql.reset()
    with pytest.raises(RequestFinished):
        await ctx.run(lambda s: s.scalar(text("SELECT 1")))
    with pytest.raises(RequestFinished):
        async with ctx.transaction():
            pass
    assert sql.statements == []
