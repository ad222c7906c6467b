"""Migrations: they build exactly the schema the models describe, and take it down again, on each store."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import domain
from kam.db import create_engine
from kam.demo import load_demo
from domain.opportunity import OPEN_STAGES, days_column
from kam.migrate import alembic_config, downgrade, objects_of, upgrade
from tests.stores import Store


@pytest.fixture
def empty_url(store: Store) -> Iterator[str]:
    url = store.empty()
    yield url
    store.drop(url)


def inspect(url: str, look: Any) -> Any:
    return asyncio.run(_inspect(url, look))


async def _inspect(url: str, look: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(look)
    finally:
        await engine.dispose()


def application_tables(connection: sa.Connection) -> set[str]:
    return set(sa.inspect(connection).get_table_names()) - {"alembic_version"}


def revision_and_differences(connection: sa.Connection) -> tuple[str | None, list[Any]]:
    opts = {"compare_type": True, "include_object": objects_of(connection.dialect.name)}
    context = MigrationContext.configure(connection, opts=opts)
    return context.get_current_revision(), compare_metadata(context, domain.Base.metadata)


def test_upgrade_brings_an_empty_database_to_head_matching_the_models(empty_url: str) -> None:
    upgrade(empty_url)

    current, differences = inspect(empty_url, revision_and_differences)

    assert current == ScriptDirectory.from_config(alembic_config(empty_url)).get_current_head()
    assert differences == [], f"models and migrations differ; add a migration: {differences}"
    assert inspect(empty_url, application_tables) == set(domain.Base.metadata.tables)


def test_downgrade_to_base_removes_every_application_table(empty_url: str) -> None:
    upgrade(empty_url)
    downgrade(empty_url, "base")
    assert inspect(empty_url, application_tables) == set()

    upgrade(empty_url)
    assert inspect(empty_url, application_tables) == set(domain.Base.metadata.tables)


def test_every_foreign_key_leads_an_index() -> None:
    """Joins to a parent and ON DELETE on the child side both look rows up by the foreign key."""
    unindexed = []
    for table in domain.Base.metadata.sorted_tables:
        leading = [tuple(c.name for c in index.columns) for index in table.indexes]
        leading += [tuple(c.name for c in table.primary_key.columns)]
        leading += [
            tuple(c.name for c in constraint.columns)
            for constraint in table.constraints
            if isinstance(constraint, sa.UniqueConstraint)
        ]
        for key in table.foreign_key_constraints:
            columns = tuple(c.name for c in key.columns)
            if not any(cols[: len(columns)] == columns for cols in leading):
                unindexed.append(f"{table.name}{columns}")
    assert unindexed == []


def test_the_days_in_stage_a_deal_keeps_are_filled_in_from_its_stage_changes(empty_url: str) -> None:
    """Migration 0008 fills each deal's days per open stage from its stage changes: taken down and up again, the
    demo's deals hold what their moves kept (domain/opportunity.py `move_to`)."""

    upgrade(empty_url)
    asyncio.run(load_demo(empty_url, only_if_empty=False))
    columns = [days_column(stage) for stage in OPEN_STAGES]

    def days(connection: sa.Connection) -> dict[int, tuple[int, ...]]:
        rows = connection.execute(sa.text(f"SELECT id, {', '.join(columns)} FROM opportunity"))
        return {row[0]: tuple(row[1:]) for row in rows}

    kept = inspect(empty_url, days)
    assert len(kept) > 3 and sum(map(sum, kept.values())) > 0
    downgrade(empty_url, "0007")
    upgrade(empty_url)
    assert inspect(empty_url, days) == kept


def test_quadrant_moves_are_filled_in_from_the_assessments(empty_url: str) -> None:
    """Migration 0012 writes each account's quadrant moves from its assessments, as the writes of assessments
    keep them (resolvers/growth/transitions.py): taken down (moves and indexes go) and up again, the demo's
    moves are those its load wrote."""

    upgrade(empty_url)
    asyncio.run(load_demo(empty_url, only_if_empty=False))

    def moves(connection: sa.Connection) -> list[tuple[Any, ...]]:
        rows = connection.execute(sa.text(
            "SELECT account_id, from_value, to_value, changed_on, cause, by_id FROM judgment_transition"
            " WHERE kind = 'QUADRANT' ORDER BY account_id, changed_on, id"
        ))
        return [tuple(row) for row in rows]

    def indexes(connection: sa.Connection) -> set[str]:
        return {index["name"] for index in sa.inspect(connection).get_indexes("judgment_transition")}

    kept = inspect(empty_url, moves)
    assert len(kept) > 6 and any(row[1] is not None for row in kept)
    ours = {"ix_judgment_transition_kind_to_value_changed_on_id", "ix_judgment_transition_kind_from_value_to_value_changed_on_id"}
    assert ours <= inspect(empty_url, indexes)
    downgrade(empty_url, "0011")
    assert inspect(empty_url, moves) == [] and not ours & inspect(empty_url, indexes)
    upgrade(empty_url)
    assert inspect(empty_url, moves) == kept


def test_the_needs_tally_is_started_from_the_needs(empty_url: str) -> None:
    """Migration 0016 gives each need its peak quarters as bits and starts the needs' tally with every need:
    taken down (the tally, its triggers and the bits go) and up again, the demo's needs are counted as the
    writes counted them (by region, archived account, category, ...), one row per key."""

    upgrade(empty_url)
    asyncio.run(load_demo(empty_url, only_if_empty=False))

    def masks(connection: sa.Connection) -> dict[int, int]:
        return dict(connection.execute(sa.text("SELECT id, peak_mask FROM need")).all())

    def tally(connection: sa.Connection) -> dict[tuple[Any, ...], int]:
        rows = connection.execute(sa.text(
            "SELECT region, archived, category, status, priority, visibility, peak_mask, sum(needs) FROM need_tally"
            " GROUP BY region, archived, category, status, priority, visibility, peak_mask HAVING sum(needs) <> 0"
        ))
        return {tuple(row[:7]): row[7] for row in rows}

    kept, counted = inspect(empty_url, masks), inspect(empty_url, tally)
    assert len(kept) > 5 and {1 | 8, 1 | 2 | 4 | 8} <= set(kept.values()) and sum(counted.values()) == len(kept)
    downgrade(empty_url, "0015")
    assert "need_tally" not in inspect(empty_url, lambda c: sa.inspect(c).get_table_names())
    upgrade(empty_url)
    assert inspect(empty_url, masks) == kept
    assert inspect(empty_url, tally) == counted
    assert inspect(empty_url, lambda c: c.execute(sa.text("SELECT count(*) FROM need_tally")).scalar()) == len(counted)
