"""Alembic environment: async engine, batch mode on SQLite, type comparison on."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import context
from sqlalchemy.engine import Connection

import domain
from domain.base import UTCDateTime
from kam.db import create_engine
from kam.migrate import objects_of

target_metadata = domain.Base.metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write kam's UTC timestamp type as the plain column type it stores."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        with foreign_keys_off(connection):
            _run(connection)
    else:
        _run(connection)


@contextmanager
def foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite rebuilds a table by copying it and dropping the old one; with foreign keys on, that drop would
    delete every row that cascades from it. The pragma only changes outside a transaction, so it is set before
    the migrations begin (`_run` checks the keys before committing) and set back after them."""
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_item=render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=objects_of(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migrations left rows pointing nowhere: {broken[:10]}")


async def _run_online(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
    finally:
        await engine.dispose()


def run() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url))


run()
