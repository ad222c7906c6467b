"""The needs' tally: whole-portfolio and per-region need counts come from the ledger the database keeps, equal
to counting the needs themselves after every kind of write (a need created, changed or deleted; an account
moved to another region, archived, restored or deleted), and folding the ledger changes no count."""

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
UPDATE_ACCOUNT = "mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) { userErrors { code } } }"
ARCHIVE = "mutation($input: AccountArchiveInput!) { accountArchive(input: $input) { userErrors { code } } }"
RESTORE = "mutation($input: AccountArchiveInput!) { accountRestore(input: $input) { userErrors { code } } }"
BY = ["CATEGORY", "PEAK_QUARTER"]


def keyed(answer: dict[str, Any]) -> tuple[int, dict[tuple[Any, ...], int]]:
    found = answer["needsAggregate"]
    assert found["groups"]["hasMore"] is False
    return found["count"], {tuple(n["key"].values()): n["count"] for n in found["groups"]["nodes"]}


async def counts(client: GraphQLClient, by: list[str], accounts: dict[str, Any] | None = None) -> tuple[int, dict[tuple[Any, ...], int]]:
    return keyed(await client.execute(COUNTS, {"by": by, "accounts": accounts}))


async def tallied(client: GraphQLClient, sql: StatementCounter, accounts: dict[str, Any] | None) -> tuple[int, dict[tuple[Any, ...], int]]:
    """The counts as the tally answers them, checked against the needs counted (one condition more on the
    accounts, which the tally does not keep, makes the needs be read)."""
    sql.reset()
    found = await counts(client, BY, accounts)
    read = " ".join(sql.statements).lower()
    assert "need_tally" in read and " need " not in read.replace("need_tally", ""), sql.statements
    counted = {**(accounts or {"includeArchived": True}), "grades": ["A", "B", "C", "D"]}
    sql.reset()
    assert await counts(client, BY, counted) == found
    assert "need_tally" not in " ".join(sql.statements).lower()
    return found


async def test_region_counts_follow_the_accounts(client: GraphQLClient, sql: StatementCounter) -> None:
    north, south = await create_account(client, region="North"), await create_account(client, region="South")
    unplaced = await create_account(client)
    await create_need(client, north["id"], peakQuarters=["Q1"])
    await create_need(client, north["id"], category="SOCIAL")
    await create_need(client, south["id"], peakQuarters=["Q1", "Q2"])
    await create_need(client, unplaced["id"])

    assert await tallied(client, sql, {"regions": ["North"]}) == (2, {("FUNCTIONAL", None, "Q1"): 1, ("SOCIAL", None, None): 1})
    assert await tallied(client, sql, {"regions": ["North", "South"]}) == (
        3, {("FUNCTIONAL", None, "Q1"): 2, ("FUNCTIONAL", None, "Q2"): 1, ("SOCIAL", None, None): 1}
    )

    # Moved south: its needs go with it; archived: out of every region, still in the whole portfolio.
    assert (await client.mutate(UPDATE_ACCOUNT, {"id": north["id"], "region": "South"}))["userErrors"] == []
    assert await tallied(client, sql, {"regions": ["North"]}) == (0, {})
    assert (await tallied(client, sql, {"regions": ["South"]}))[0] == 3
    assert (await client.mutate(ARCHIVE, {"id": south["id"]}))["userErrors"] == []
    assert await tallied(client, sql, {"regions": ["South"]}) == (2, {("FUNCTIONAL", None, "Q1"): 1, ("SOCIAL", None, None): 1})
    assert (await tallied(client, sql, None))[0] == 4
    assert (await client.mutate(RESTORE, {"id": south["id"]}))["userErrors"] == []
    assert (await tallied(client, sql, {"regions": ["South"]}))[0] == 3
    assert (await client.mutate(UPDATE_ACCOUNT, {"id": unplaced["id"], "region": "South"}))["userErrors"] == []
    assert (await tallied(client, sql, {"regions": ["South"]}))[0] == 4
    assert (await client.mutate(DELETE_ACCOUNT, {"id": north["id"]}))["userErrors"] == []
    assert await tallied(client, sql, {"regions": ["South"]}) == (
        2, {("FUNCTIONAL", None, "Q1"): 1, ("FUNCTIONAL", None, "Q2"): 1, ("FUNCTIONAL", None, None): 1}
    )
    assert (await tallied(client, sql, None))[0] == 2


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
