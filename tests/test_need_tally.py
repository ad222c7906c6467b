"""The needs' tally: whole-portfolio need counts come from the ledger the database keeps, equal to counting the
needs themselves after every kind of write (create, change, delete, an account's delete), and folding the
ledger changes no count."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain import need_tally
from domain.need_tally import NeedTally
from tests.conftest import ClientFor, GraphQLClient, StatementCounter
from tests.factories import create_account
from tests.plan_factories import create_need

COUNTS = """
query($accounts: AccountFilter, $by: [NeedDimension!]!) {
  needsAggregate(accounts: $accounts) { count groups(by: $by) { hasMore nodes { key { category status peakQuarter } count } } }
}"""

UPDATE = "mutation($input: NeedUpdateInput!) { needUpdate(input: $input) { userErrors { code } } }"
DELETE_NEED = "mutation($input: NeedDeleteInput!) { needDelete(input: $input) { userErrors { code } } }"
DELETE_ACCOUNT = "mutation($input: AccountDeleteInput!) { accountDelete(input: $input) { userErrors { code } } }"


def keyed(answer: dict[str, Any]) -> tuple[int, dict[tuple[Any, ...], int]]:
    found = answer["needsAggregate"]
    assert found["groups"]["hasMore"] is False
    return found["count"], {tuple(n["key"].values()): n["count"] for n in found["groups"]["nodes"]}


async def counts(client: GraphQLClient, by: list[str], accounts: dict[str, Any] | None = None) -> tuple[int, dict[tuple[Any, ...], int]]:
    return keyed(await client.execute(COUNTS, {"by": by, "accounts": accounts}))


async def test_whole_portfolio_counts_follow_every_write(client: GraphQLClient, client_for: ClientFor, sql: StatementCounter) -> None:
    first, second = await create_account(client), await create_account(client)
    winter = await create_need(client, first["id"], peakQuarters=["Q1", "Q4"])
    await create_need(client, first["id"], category="SOCIAL")
    spring = await create_need(client, first["id"], category="EMOTIONAL", peakQuarters=["Q2"])
    await create_need(client, second["id"], peakQuarters=["Q4"], status="VALIDATED")
    await create_need(client, second["id"], category="SOCIAL", peakQuarters=["Q3"])

    # Moved: a category, a status, quarters gained and lost; then one need and a whole account gone.
    assert (await client.mutate(UPDATE, {"id": winter["id"], "peakQuarters": ["Q4"], "status": "VALIDATED"}))["userErrors"] == []
    assert (await client.mutate(UPDATE, {"id": spring["id"], "category": "SOCIAL", "peakQuarters": []}))["userErrors"] == []
    assert (await client.mutate(UPDATE, {"id": spring["id"], "title": "Only the title"}))["userErrors"] == []

    sql.reset()
    total, by_quarter = await counts(client, ["CATEGORY", "PEAK_QUARTER"])
    assert total == 5
    assert by_quarter == {
        ("FUNCTIONAL", None, "Q4"): 2,
        ("SOCIAL", None, "Q3"): 1,
        ("SOCIAL", None, None): 2,
    }
    read = " ".join(sql.statements).lower()
    assert "need_tally" in read and " need " not in read.replace("need_tally", "")
    assert (await counts(client, ["STATUS"]))[1] == {(None, "IDENTIFIED", None): 3, (None, "VALIDATED", None): 2}

    # The same counts read from the needs themselves: a VIEWER of both accounts, or any condition on the accounts.
    viewer = await client_for("VIEWER", on=[first["id"], second["id"]])
    assert await counts(viewer, ["CATEGORY", "PEAK_QUARTER"]) == (total, by_quarter)
    assert await counts(client, ["CATEGORY", "PEAK_QUARTER"], {"grades": ["A", "B", "C", "D"]}) == (total, by_quarter)

    assert (await client.mutate(DELETE_NEED, {"id": winter["id"]}))["userErrors"] == []
    assert (await client.mutate(DELETE_ACCOUNT, {"id": second["id"]}))["userErrors"] == []
    assert await counts(client, ["CATEGORY", "PEAK_QUARTER"]) == (2, {("SOCIAL", None, None): 2})


async def test_folding_the_ledger_changes_no_count(client: GraphQLClient, engine: AsyncEngine) -> None:
    account = await create_account(client)
    needs = [await create_need(client, account["id"], peakQuarters=["Q1"]) for _ in range(3)]
    for need in needs[:2]:
        assert (await client.mutate(UPDATE, {"id": need["id"], "category": "EMOTIONAL"}))["userErrors"] == []
    before = await counts(client, ["CATEGORY", "PEAK_QUARTER"])
    assert before == (3, {("FUNCTIONAL", None, "Q1"): 1, ("EMOTIONAL", None, "Q1"): 2})

    async with engine.begin() as conn:
        ledger = await conn.scalar(select(func.count()).select_from(NeedTally))
        await need_tally.fold(conn)
        folded = (await conn.execute(select(NeedTally.category, NeedTally.needs).order_by(NeedTally.category))).all()
    assert ledger == 7  # three created, two moved away and in again
    assert [(c.name, n) for c, n in folded] == [("EMOTIONAL", 2), ("FUNCTIONAL", 1)]
    assert await counts(client, ["CATEGORY", "PEAK_QUARTER"]) == before
