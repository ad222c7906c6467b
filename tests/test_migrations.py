"""Migrations: they build exactly the schema the models describe, and take it down again."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import domain
from kam.migrate import alembic_config, downgrade, upgrade


def urls(tmp_path: Path) -> tuple[str, str]:
    """The async URL kam uses and a sync URL of the same file for inspection."""
    path = tmp_path / "migrations.db"
    return f"sqlite+aiosqlite:///{path}", f"sqlite:///{path}"


def application_tables(sync_url: str) -> set[str]:
    engine = sa.create_engine(sync_url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_brings_an_empty_database_to_head_matching_the_models(tmp_path: Path) -> None:
    url, sync_url = urls(tmp_path)
    upgrade(url)

    engine = sa.create_engine(sync_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            current = context.get_current_revision()
            differences = compare_metadata(context, domain.Base.metadata)
    finally:
        engine.dispose()

    assert current == ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert differences == [], f"models and migrations differ; regenerate the migration: {differences}"
    assert application_tables(sync_url) == set(domain.Base.metadata.tables)


def test_downgrade_to_base_removes_every_application_table(tmp_path: Path) -> None:
    url, sync_url = urls(tmp_path)
    upgrade(url)
    downgrade(url, "base")
    assert application_tables(sync_url) == set()

    upgrade(url)
    assert application_tables(sync_url) == set(domain.Base.metadata.tables)
