"""The parts of SQLAlchemy below its public API that resolvers/driver.py uses are still there, as it uses them.

A release that renames, removes or changes one fails here by name, before any
read gives a wrong value (tests/test_driver.py compares the values themselves).
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import Integer, bindparam, column, literal, select, table
from sqlalchemy.dialects import postgresql, sqlite

from resolvers.driver import INTERNALS, STATEMENTS, Template

TESTED = "2.1"


def _owner(path: str) -> type:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("owner", "attribute", "parameters"), INTERNALS, ids=lambda v: v if isinstance(v, str) else None)
def test_each_internal_is_there(owner: str, attribute: str, parameters: tuple[str, ...]) -> None:
    found = _owner(owner)
    where = f"resolvers/driver.py uses {owner}.{attribute} (SQLAlchemy {sqlalchemy.__version__}, tested on {TESTED})"
    if isinstance(found, type) and issubclass(found, tuple) and hasattr(found, "_fields"):
        assert attribute in found._fields, f"{where}: it is gone"
        return
    if not parameters:
        # Attributes set per instance are found on a compiled statement below; here the name must be known.
        assert hasattr(found, attribute) or attribute in _instance_attributes(found), f"{where}: it is gone"
        return
    member = getattr(found, attribute, None)
    assert callable(member), f"{where}: it is gone"
    signature = inspect.signature(member)
    missing = [p for p in parameters if p not in signature.parameters]
    assert not missing, f"{where}: it no longer takes {missing}"


def _instance_attributes(owner: type) -> set[str]:
    """Attributes a compiled statement and its expanded state carry, from one compiled here."""
    stmt = select(column("a")).select_from(table("t")).where(column("a").in_(bindparam("ids", expanding=True)))
    compiled = stmt.compile(dialect=sqlite.dialect())
    names = set(vars(compiled))
    names |= set(dir(compiled._process_parameters_for_postcompile({"ids": [1, 2]})))
    return names


def test_the_version_is_the_one_tested() -> None:
    assert sqlalchemy.__version__.startswith(TESTED + "."), (
        f"SQLAlchemy {sqlalchemy.__version__}: resolvers/driver.py was tested on {TESTED}; check INTERNALS and "
        "tests/test_driver.py on it, then widen the range in pyproject.toml"
    )


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.asyncpg.dialect()], ids=["sqlite", "postgresql"])
def test_bound_sql_and_values_are_those_sqlalchemy_renders(dialect: Any) -> None:
    """The SQL and positional values the driver sends for a statement with an expanding list, a literal page
    limit and a value of its own are those SQLAlchemy renders for the same statement and values."""
    t = table("t", column("a", Integer), column("b", Integer))
    stmt = (
        select(t.c.a)
        .where(t.c.a.in_(bindparam("ids", expanding=True)), t.c.b > literal(5))
        .limit(bindparam("n", literal_execute=True, type_=Integer))
    )
    given = {"ids": [3, 4], "n": 7}
    form, cache_key = STATEMENTS.form(stmt, dialect)
    state = stmt.compile(dialect=dialect).construct_expanded_state(given)  # SQLAlchemy's public way
    expected = (state.statement, list(state.positional_parameters))
    assert form.bound(cache_key, given) == expected
    template = Template.of(form.compiled, cache_key)
    assert template is not None
    assert form.bound(cache_key, given, template) == expected
