"""A global ID names one object for ever: ids of deleted rows are never given out again, on either store, so
a new object never inherits a deleted one's audit trail."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

import domain
from domain.base import has_own_id
from kam.migrate import upgrade
from tests.conftest import GraphQLClient
from tests.stores import Store
from tests.test_hard_delete import DELETE, furnished_account

ID_TABLES = [table for table in domain.Base.metadata.sorted_tables if has_own_id(table)]

HISTORY = """
query($id: ID!) {
  account(id: $id) { history(first: 100) { nodes { entityType entityId before after } } }
}"""


async def ids_by_table(engine: AsyncEngine) -> dict[str, set[int]]:
    async with engine.connect() as conn:
        return {table.name: set((await conn.execute(select(table.c.id))).scalars()) for table in ID_TABLES}


async def test_a_new_account_never_takes_a_deleted_ones_ids_nor_its_history(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    before = await ids_by_table(engine)
    doomed = await furnished_account(client, "Doomed")
    doomed_ids = {name: ids - before[name] for name, ids in (await ids_by_table(engine)).items()}
    assert (await client.mutate(DELETE, {"id": doomed["account"]["id"]}))["userErrors"] == []

    kept = await ids_by_table(engine)
    fresh = await furnished_account(client, "Fresh")
    fresh_ids = {name: ids - kept[name] for name, ids in (await ids_by_table(engine)).items()}

    deleted = {name: ids - kept[name] for name, ids in doomed_ids.items() if ids - kept[name]}
    # Everything that belongs to an account went, and the new account has rows in each of those tables.
    # (The needs' tally is a ledger: an account's delete appends to it, deleting none of its rows.)
    outside_accounts = {"team_member", "api_token", "audit_event", "scoring_policy_version", "need_tally"}
    assert set(deleted) == {t.name for t in ID_TABLES} - outside_accounts, deleted
    for name, gone in deleted.items():
        assert fresh_ids[name], f"nothing new in {name}: the check would prove nothing"
        assert not fresh_ids[name] & gone, name
    assert fresh["account"]["id"] != doomed["account"]["id"]

    history = (await client.execute(HISTORY, {"id": fresh["account"]["id"]}))["account"]["history"]["nodes"]
    assert history
    own = {(type_name, i) for type_name, i in owned(fresh_ids)}
    assert all((e["entityType"], int_id(e["entityId"])) in own for e in history), history
    assert "Doomed" not in repr(history)


def owned(ids: dict[str, set[int]]) -> list[tuple[str, int]]:
    names = {mapper.local_table.name: mapper.class_.__name__ for mapper in domain.Base.registry.mappers}
    return [(names[table], i) for table, found in ids.items() for i in found]


def int_id(global_id: str) -> int:
    from resolvers.ids import parse_global_id

    return parse_global_id(global_id)[1]


async def test_every_table_with_ids_of_its_own_counts_them_past_deleted_rows(engine: AsyncEngine) -> None:
    """SQLite: AUTOINCREMENT on every such table (without it the highest deleted id comes back);
    PostgreSQL: an identity sequence, which never gives a value twice."""
    async with engine.connect() as conn:
        for table in ID_TABLES:
            if engine.dialect.name == "sqlite":
                sql = (await conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": table.name})).scalar_one()
                assert "AUTOINCREMENT" in sql, table.name
            else:
                sequence = (await conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})).scalar()
                assert sequence, table.name


def test_the_upgrade_keeps_every_row_and_counts_past_ids_deleted_before_it(store: Store) -> None:
    """Revision 0004 rebuilds SQLite's tables: no row is lost (no cascade from the dropped copies), and ids that
    were deleted before it, or that only the audit trail remembers, are not given again."""
    url = store.empty()
    try:
        upgrade(url, "0003")
        asyncio.run(_seed_at_0003(url))
        upgrade(url)
        assert asyncio.run(_after_head(url)) == {"stakeholders": [1], "new_account": 8, "indexes_ok": True}
    finally:
        store.drop(url)


async def _seed_at_0003(url: str) -> None:
    from kam.db import create_engine

    engine = create_engine(url)
    account: dict[str, Any] = dict(
        grade="B", value_tier="MEDIUM", is_key_account=False, relationship_stage="PROSPECT",
        lifecycle_stage="ACQUISITION", current_annual_value=0, estimated_wallet=0, currency="EUR", version=1,
    )
    try:
        async with engine.begin() as conn:
            # The tables as they stand at 0003.
            names = ("account", "stakeholder", "audit_event")
            existing = await conn.run_sync(lambda c: {n: {col["name"] for col in sa.inspect(c).get_columns(n)} for n in names})
            tables = {name: _as_written(name, existing[name]) for name in names}
            for n in (1, 2, 3):
                await conn.execute(tables["account"].insert().values(id=n, name=f"A{n}", **account))
            await conn.execute(
                tables["stakeholder"].insert().values(
                    id=1, account_id=1, name="Kept", attitude="NEUTRAL", influence="MEDIUM", decision_level="STAFF", version=1
                )
            )
            await conn.execute(
                tables["stakeholder"].insert().values(
                    id=2, account_id=3, name="Gone", attitude="NEUTRAL", influence="MEDIUM", decision_level="STAFF", version=1
                )
            )
            await conn.execute(tables["account"].delete().where(tables["account"].c.id == 3))
            # An account deleted and its row id reused before the upgrade: only the trail remembers id 7.
            await conn.execute(
                tables["audit_event"].insert().values(
                    operation="accountDelete", entity_type="Account", entity_id=7, account_id=7, change="DELETE"
                )
            )
    finally:
        await engine.dispose()


def _as_written(name: str, existing: set[str]) -> Any:
    """A table of the models' metadata with only the columns the database has now (later revisions add more),
    and the models' column defaults."""
    columns = [c._copy() for c in domain.Base.metadata.tables[name].columns if c.name in existing]
    return sa.Table(name, sa.MetaData(), *columns)


async def _after_head(url: str) -> dict[str, Any]:
    from kam.db import create_engine

    engine = create_engine(url)
    tables = domain.Base.metadata.tables
    try:
        async with engine.begin() as conn:
            stakeholders = list((await conn.execute(select(tables["stakeholder"].c.id))).scalars())
            new = await conn.execute(
                tables["account"].insert().values(
                    name="New", grade="B", value_tier="MEDIUM", is_key_account=False, relationship_stage="PROSPECT",
                    lifecycle_stage="ACQUISITION", current_annual_value=0, estimated_wallet=0, currency="EUR", version=1,
                )
            )
            indexes = await conn.run_sync(lambda c: {i["name"] for i in sa.inspect(c).get_indexes("account")})
        return {
            "stakeholders": stakeholders,
            "new_account": new.inserted_primary_key[0],
            "indexes_ok": {"ix_account_name_id", "ix_account_active_grade_quadrant"} <= indexes,
        }
    finally:
        await engine.dispose()
