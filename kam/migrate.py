"""Alembic driven from code, so `kam migrate` needs no alembic.ini and works from an installed package."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config

import migrations


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def objects_of(dialect: str) -> Callable[..., bool]:
    """An Alembic `include_object` that leaves out the indexes the models declare for other stores (`ddl_if`)."""

    def include(obj: Any, _name: str | None, type_: str, reflected: bool, _compare_to: Any) -> bool:
        wanted = getattr(getattr(obj, "_ddl_if", None), "dialect", None)
        return type_ != "index" or reflected or wanted is None or wanted == dialect

    return include


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
