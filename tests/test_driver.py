"""Reads sent to the driver itself (resolvers/driver.py) give the values SQLAlchemy's execution gives,
type for type, on both stores: timestamps in UTC, dates, amounts as Decimal, enums, booleans, nulls."""

from __future__ import annotations

import pytest
from sqlalchemy import Integer, bindparam, literal, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from domain.account import Account
from domain.growth import GrowthAssessment, MatrixThresholds
from domain.need import Need
from domain.plan import Action, ActionPlan, Objective
from domain.stakeholder import Coverage, InfluenceLink, Stakeholder
from domain.team import TeamMember
from domain.token import ApiToken
from kam.demo import load_demo
from kam.portfolio.load import load_portfolio
from resolvers.driver import session_rows
from tests.conftest import StatementCounter, add_member

MODELS = [Account, Stakeholder, Need, ActionPlan, Objective, Action, TeamMember, Coverage, InfluenceLink, GrowthAssessment, ApiToken]


@pytest.fixture
async def portfolio(engine: AsyncEngine, database_url: str) -> AsyncEngine:
    await load_demo(database_url, only_if_empty=True)
    await load_portfolio(engine, 3, thresholds=MatrixThresholds(current_value=100_000, potential=250_000), seed=3)
    await add_member(engine, "VIEWER")
    return engine


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
async def test_every_column_reads_as_sqlalchemy_reads_it(portfolio: AsyncEngine, model: type) -> None:
    stmt = select(*model.__table__.columns).order_by(model.__table__.c.id).limit(200)
    async with AsyncSession(portfolio) as session:
        expected = [tuple(row) for row in (await session.execute(stmt)).all()]
        got = await session_rows(session, stmt)
    assert expected, f"the portfolio holds no {model.__name__}"
    assert got == expected
    for mine, theirs in zip(got, expected, strict=True):
        assert [type(v) for v in mine] == [type(v) for v in theirs]


async def test_values_given_for_parameters_and_lists_of_ids(portfolio: AsyncEngine, sql: StatementCounter) -> None:
    async with AsyncSession(portfolio) as session:
        ids = list((await session.scalars(select(Stakeholder.id).order_by(Stakeholder.id).limit(7))).all())
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy import ARRAY, any_

            among = Stakeholder.id == any_(bindparam("ids", type_=ARRAY(Integer)))
        else:
            among = Stakeholder.id.in_(bindparam("ids", expanding=True))
        stmt = select(Stakeholder.id, Stakeholder.name).where(among, Stakeholder.account_id >= bindparam("least"))
        sql.reset()
        for wanted in (ids[:2], ids, ids[3:4]):
            got = await session_rows(session, stmt, {"ids": wanted, "least": 0})
            assert [row[0] for row in sorted(got)] == sorted(wanted)
        assert sql.count == 3  # each read announces itself to statement listeners
        for size in (3, 5, 3):  # a limit written into the SQL as a literal, as pages write theirs
            limited = select(Stakeholder.id).order_by(Stakeholder.id).limit(literal(size, Integer, literal_execute=True))
            assert [row[0] for row in await session_rows(session, limited)] == ids[:size]
