"""The synthetic portfolio (`kam demo --accounts N`): shape, business rules, repeatability, and the API over it."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.orm import selectinload
from typer.testing import CliRunner

from domain.base import utcnow
from domain import (
    Account,
    AccountTeamMember,
    Action,
    ActionPlan,
    ActionStatus,
    Coverage,
    GrowthAssessment,
    InfluenceLink,
    Interaction,
    InteractionKind,
    InteractionMember,
    InteractionStakeholder,
    Need,
    Objective,
    Stakeholder,
    TeamMember,
)
from domain.account import RelationshipStage
from domain.opportunity import (
    DEFAULT_PROBABILITY,
    MAX_MOVES,
    OPEN_STAGES,
    Move,
    Opportunity,
    OpportunityContact,
    OpportunityNeed,
    OpportunityStage,
    StageChange,
    days_column,
    is_open,
    move_problems,
)
from domain.revenue import RevenueRecord
from domain.growth import MatrixThresholds, classify_quadrant, default_potential, latest
from domain.hierarchy import creates_cycle
from domain.interaction import MAX_DURATION_MINUTES
from domain.need import quarter_mask
from domain.need_tally import NeedTally
from domain.plan import check_due_within_plan, check_plan_dates
from domain.team import MemberRole, TeamRole
from kam.cli import app
from kam.db import session_factory
from kam.demo import ACCOUNTS as DEMO_ACCOUNTS
from kam.demo import EMAIL_DOMAIN
from kam.portfolio import load as portfolio_load
from kam.portfolio.chance import Clock
from kam.portfolio.generator import PortfolioGenerator
from kam.portfolio.interactions import RECENT_DAYS
from kam.portfolio.load import PortfolioReport, Progress, load_portfolio
from kam.portfolio.names import account_name, member_name
from kam.portfolio.rows import COLUMNS, Batch, Ids
from kam.portfolio.team import generate_team
from kam.portfolio.words import BRAND_ENDINGS, BRAND_PREFIXES
from kam.settings import Settings, get_settings
from resolvers.ids import to_global_id
from resolvers.revenue.summary import rfm_updates, summary_select, summary_values
from resolvers.interactions.recency import (
    account_recency,
    as_recency,
    coverage_recency,
    recency_values,
    stakeholder_recency,
)
from tests.conftest import GraphQLClient
from tests.factories import create_account
from tests.stakeholder_factories import create_stakeholder

ACCOUNTS = 4
THRESHOLDS = MatrixThresholds(Settings().growth_value_threshold, Settings().growth_potential_threshold)

MAP = """
query($id: ID!) {
  relationshipMap(accountId: $id) {
    account { id name }
    nodes { stakeholder { id name } buyingRoles }
    edges { kind source { id } target { id } }
    coverage { member { id } stakeholder { id } strength }
    summary { coveredStakeholderCount }
  }
}"""

ACCOUNT = """
query($id: ID!) {
  account(id: $id) {
    name quadrant owner { email role }
    team { teamRole member { id } }
    stakeholders(first: 20) { totalCount }
    needs(first: 50) { totalCount }
    plans { totalCount nodes { objectives { id } actions { totalCount } } }
  }
}"""

LIST = "query { accounts(first: 100, filter: { includeArchived: true }) { totalCount nodes { id name } } }"


async def load(engine: AsyncEngine, seed: int = 7, batch: int = 3) -> PortfolioReport:
    return await load_portfolio(engine, ACCOUNTS, thresholds=THRESHOLDS, seed=seed, batch=batch)


@pytest.fixture
async def portfolio(engine: AsyncEngine) -> PortfolioReport:
    # Two chunks (3 + 1 accounts), so ids carry over from one chunk to the next.
    return await load(engine)


async def rows(engine: AsyncEngine, model: type, *options: Any) -> list:
    async with session_factory(engine)() as session:
        order = model.__mapper__.primary_key  # in key order: "the first account" is the same on every store
        return list(await session.scalars(select(model).options(*options).order_by(*order)))


async def count(engine: AsyncEngine, model: type) -> int:
    async with session_factory(engine)() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_every_account_has_the_full_shape(portfolio: PortfolioReport, engine: AsyncEngine) -> None:
    accounts = await rows(engine, Account)
    assert len(accounts) == ACCOUNTS == portfolio.accounts
    people = await rows(engine, Stakeholder, selectinload(Stakeholder.role_rows))
    needs = await rows(engine, Need, selectinload(Need.quarter_rows))
    plans = await rows(engine, ActionPlan)
    plan_account = {p.id: p.account_id for p in plans}
    per_account = {
        "stakeholders": Counter(p.account_id for p in people),
        "needs": Counter(n.account_id for n in needs),
        "plans": Counter(p.account_id for p in plans),
        "objectives": Counter(plan_account[o.plan_id] for o in await rows(engine, Objective)),
        "actions": Counter(plan_account[a.plan_id] for a in await rows(engine, Action)),
        "assessments": Counter(a.account_id for a in await rows(engine, GrowthAssessment)),
        "links": Counter(link.account_id for link in await rows(engine, InfluenceLink)),
        "coverage": Counter(c.account_id for c in await rows(engine, Coverage)),
    }
    for account in accounts:
        got = {name: counter[account.id] for name, counter in per_account.items()}
        assert got["stakeholders"] == 15 and got["needs"] == 45, got
        assert got["plans"] == 2 and got["objectives"] == 6 and got["actions"] == 10, got
        assert got["assessments"] >= 2 and got["links"] >= 3 and got["coverage"] >= 1, got
    assert Counter(n.stakeholder_id for n in needs) == {p.id: 3 for p in people}
    assert all(p.buying_roles for p in people)
    assert all(n.peak_quarters for n in needs)
    assert all(n.peak_mask == quarter_mask(n.peak_quarters) for n in needs)
    # The needs' tally, appended to by each chunk's COPY and folded at the end: one row per key, counting them all.
    tally = await rows(engine, NeedTally)
    region = {a.id: (a.region, a.archived_at is not None) for a in accounts}
    keys = Counter((*region[n.account_id], n.category, n.status, n.priority, n.visibility, n.peak_mask) for n in needs)
    assert {(t.region, t.archived, t.category, t.status, t.priority, t.visibility, t.peak_mask): t.needs for t in tally} == keys
    assert len(tally) == len(keys)
    assert sum(portfolio.rows.values()) == portfolio.total_rows
    assert portfolio.rows["stakeholder"] == 15 * ACCOUNTS and portfolio.rows["need"] == 45 * ACCOUNTS


async def test_reporting_lines_are_one_tree_per_account(portfolio: PortfolioReport, engine: AsyncEngine) -> None:
    people = await rows(engine, Stakeholder)
    account_of = {p.id: p.account_id for p in people}
    parent_of = {p.id: p.reports_to_id for p in people}
    for p in people:
        if p.reports_to_id is not None:
            assert account_of[p.reports_to_id] == p.account_id
            assert not creates_cycle(p.id, p.reports_to_id, {**parent_of, p.id: None})
    roots = Counter(p.account_id for p in people if p.reports_to_id is None)
    assert roots == dict.fromkeys(set(account_of.values()), 1)
    for link in await rows(engine, InfluenceLink):
        assert account_of[link.source_id] == account_of[link.target_id] == link.account_id
        assert link.source_id != link.target_id


async def test_coverage_comes_from_the_account_team(portfolio: PortfolioReport, engine: AsyncEngine) -> None:
    people = {p.id: p for p in await rows(engine, Stakeholder)}
    seats = await rows(engine, AccountTeamMember)
    team = defaultdict(set)
    for seat in seats:
        team[seat.account_id].add(seat.member_id)
    for c in await rows(engine, Coverage):
        assert people[c.stakeholder_id].account_id == c.account_id
        assert c.member_id in team[c.account_id]
    for account in await rows(engine, Account):
        owners = [s.member_id for s in seats if s.account_id == account.id and s.team_role is TeamRole.OWNER]
        assert owners == [account.owner_id]


async def test_our_team_has_every_role_and_reporting_lines(portfolio: PortfolioReport, engine: AsyncEngine) -> None:
    members = {m.id: m for m in await rows(engine, TeamMember)}
    assert {m.role for m in members.values()} == set(MemberRole)
    for m in members.values():
        if m.role is MemberRole.ACCOUNT_MANAGER:
            assert members[m.manager_id].role is MemberRole.MANAGER
        if m.role is MemberRole.MANAGER:
            assert members[m.manager_id].role is MemberRole.ADMIN
    assert portfolio.admin_email in {m.email for m in members.values() if m.role is MemberRole.ADMIN}
    owners = {a.owner_id for a in await rows(engine, Account)}
    assert {members[o].role for o in owners} == {MemberRole.ACCOUNT_MANAGER}


async def test_quadrant_is_that_of_the_latest_assessment(portfolio: PortfolioReport, engine: AsyncEngine) -> None:
    history = defaultdict(list)
    for a in await rows(engine, GrowthAssessment):
        assert a.quadrant is classify_quadrant(a.current_value, a.potential, THRESHOLDS)
        history[a.account_id].append(a)
    for account in await rows(engine, Account):
        newest = latest(history[account.id])
        assert account.quadrant is newest.quadrant
        # The value entered; where the account has revenue records, its current value is their last twelve months.
        assert newest.current_value == account.entered_annual_value
        assert newest.potential == default_potential(account.estimated_wallet, account.entered_annual_value)
        assert newest.currency == account.currency
        assert len({a.assessed_on for a in history[account.id]}) == len(history[account.id])


async def test_plans_obey_the_plan_rules(portfolio: PortfolioReport, engine: AsyncEngine) -> None:
    plans = {p.id: p for p in await rows(engine, ActionPlan)}
    people = {p.id: p.account_id for p in await rows(engine, Stakeholder)}
    needs = {n.id: n.account_id for n in await rows(engine, Need)}
    for plan in plans.values():
        check_plan_dates(plan.starts_on, plan.ends_on)
    for objective in await rows(engine, Objective):
        check_due_within_plan(plans[objective.plan_id], objective.due_on)
    now = utcnow()
    for action in await rows(engine, Action):
        plan = plans[action.plan_id]
        check_due_within_plan(plan, action.due_on)
        if action.status is ActionStatus.DONE:
            assert action.completed_at is not None and plan.starts_on <= action.completed_at.date()
            assert action.created_at <= action.completed_at < now
        else:
            assert action.completed_at is None
        if action.stakeholder_id is not None:
            assert people[action.stakeholder_id] == plan.account_id
        if action.need_id is not None:
            assert needs[action.need_id] == plan.account_id


async def test_rows_are_new_versions_dated_in_the_past(portfolio: PortfolioReport, engine: AsyncEngine) -> None:
    now = utcnow()
    accounts = {a.id: a for a in await rows(engine, Account)}
    for model in (TeamMember, Account, Stakeholder, Need, ActionPlan, Objective, Action, Interaction):
        for row in await rows(engine, model):
            assert row.version == 1
            assert row.created_at <= row.updated_at < now, (model.__name__, row.id)
    for person in await rows(engine, Stakeholder):
        assert person.created_at >= accounts[person.account_id].created_at
    for a in await rows(engine, GrowthAssessment):
        assert a.assessed_on <= now.date() and a.created_at < now


async def test_interactions_are_with_the_account_s_own_people_and_team(
    portfolio: PortfolioReport, engine: AsyncEngine
) -> None:
    accounts = {a.id: a for a in await rows(engine, Account)}
    people = {p.id: p.account_id for p in await rows(engine, Stakeholder)}
    needs = {n.id: n.account_id for n in await rows(engine, Need)}
    team = defaultdict(set)
    for seat in await rows(engine, AccountTeamMember):
        team[seat.account_id].add(seat.member_id)
    took_part = defaultdict(list)
    for row in await rows(engine, InteractionStakeholder):
        took_part[row.interaction_id].append(row.stakeholder_id)
    ours = defaultdict(list)
    for row in await rows(engine, InteractionMember):
        ours[row.interaction_id].append(row.member_id)
    interactions = await rows(engine, Interaction)
    assert interactions and portfolio.rows["interaction"] == len(interactions)
    assert portfolio.rows["interaction_stakeholder"] == sum(map(len, took_part.values()))
    assert portfolio.rows["interaction_member"] == sum(map(len, ours.values()))
    now = utcnow()
    for i in interactions:
        account = accounts[i.account_id]
        assert 1 <= len(took_part[i.id]) <= 3 and 1 <= len(ours[i.id]) <= 2, i.id
        assert all(people[s] == i.account_id for s in took_part[i.id]), i.id
        assert set(ours[i.id]) <= team[i.account_id], i.id
        assert i.need_id is None or needs[i.need_id] == i.account_id
        # Never in the future, after the account was created, recorded after it happened.
        assert account.created_at < i.occurred_at <= i.created_at <= i.updated_at < now, i.id
        assert account.archived_at is None or i.occurred_at < account.archived_at
        assert i.duration_minutes is None or 0 < i.duration_minutes <= MAX_DURATION_MINUTES
        assert i.subject.strip() and "{" not in i.subject and "{" not in (i.outcome or "") + (i.next_step or "")


async def test_recency_is_what_a_recount_finds_as_of_the_load_day(portfolio: PortfolioReport, engine: AsyncEngine) -> None:
    """The columns the writes keep equal a recount with the writes' own statements, as of the day of the run."""
    accounts = await rows(engine, Account)
    today = accounts[0].interactions_counted_on
    assert today == utcnow().date() or today == (utcnow() - timedelta(minutes=5)).date()
    people = await rows(engine, Stakeholder)
    async with session_factory(engine)() as session:
        by_account = {r[0]: r[1:] for r in await session.execute(account_recency([a.id for a in accounts], today))}
        by_person = {r[0]: r[1:] for r in await session.execute(stakeholder_recency([p.id for p in people], today))}
        pairs = {(s, m): last for s, m, last in await session.execute(coverage_recency([p.id for p in people]))}

    def stored(row: Any) -> dict[str, Any]:
        return {key: getattr(row, key) for key in recency_values(as_recency(None, today))}

    for account in accounts:
        assert stored(account) == recency_values(as_recency(by_account.get(account.id), today)), account.id
    for person in people:
        assert stored(person) == recency_values(as_recency(by_person.get(person.id), today)), person.id
    covered = await rows(engine, Coverage)
    for c in covered:
        assert c.last_interaction_at == pairs.get((c.stakeholder_id, c.member_id)), c.id
    assert any(c.last_interaction_at is not None for c in covered)
    assert any(p.last_interaction_at is not None for p in people)


async def test_the_api_lists_accounts_by_their_last_interaction(
    portfolio: PortfolioReport, engine: AsyncEngine, client: GraphQLClient
) -> None:
    accounts = [a for a in await rows(engine, Account) if a.archived_at is None]
    data = (
        await client.execute(
            """query { accounts(first: 10, orderBy: {field: LAST_INTERACTION}) {
                nodes { id interactionRecency { lastInteractionAt last90Days countedOn } interactions(first: 20) {
                    totalCount nodes { occurredAt stakeholders { id } members { id } } } } } }"""
        )
    )["accounts"]["nodes"]
    expected = sorted(accounts, key=lambda a: (a.last_interaction_day, a.id))
    assert [n["id"] for n in data] == [to_global_id("Account", a.id) for a in expected]
    for node, account in zip(data, expected, strict=True):
        timeline = node["interactions"]
        assert len(timeline["nodes"]) == min(20, timeline["totalCount"])
        assert node["interactionRecency"]["countedOn"] == account.interactions_counted_on.isoformat()
        if timeline["nodes"]:
            newest = datetime.fromisoformat(timeline["nodes"][0]["occurredAt"])
            assert newest == account.last_interaction_at
            assert datetime.fromisoformat(node["interactionRecency"]["lastInteractionAt"]) == newest
            assert all(n["stakeholders"] and n["members"] for n in timeline["nodes"])
        else:
            assert node["interactionRecency"]["lastInteractionAt"] is None


def test_interactions_spread_like_a_real_portfolio() -> None:
    """About 30 a year on average, weekly for some accounts and rare for others; about a tenth of the open
    accounts not contacted for more than 60 days, a few never; every kind; none in the future."""
    clock = Clock(datetime(2026, 3, 1, 12, tzinfo=UTC))
    ids = Ids({})
    team, _ = generate_team(600, ids, random.Random(9), clock)
    batch = PortfolioGenerator(team, 9, clock, THRESHOLDS, ids).chunk(0, 600)
    column = {name: COLUMNS["account"].index(name) for name in ("archived_at", "last_interaction_day", "interactions_365d")}
    open_accounts = [row for row in batch.rows["account"] if row[column["archived_at"]] is None]
    never = sum(1 for row in open_accounts if row[column["last_interaction_day"]] == 0)
    quiet = sum(1 for row in open_accounts if row[column["last_interaction_day"]] < clock.today_ord - RECENT_DAYS)
    assert 0 < never < 0.05 * len(open_accounts)
    assert 0.06 * len(open_accounts) < quiet < 0.16 * len(open_accounts)
    yearly = sorted(row[column["interactions_365d"]] for row in batch.rows["account"])
    assert 20 < sum(yearly) / len(yearly) < 40
    assert yearly[len(yearly) // 10] <= 6 and yearly[-len(yearly) // 10] >= 50  # rarely, and weekly or more
    interactions = batch.rows["interaction"]
    kinds = Counter(row[2] for row in interactions)
    assert set(kinds) == {k.name for k in InteractionKind}
    assert kinds["EMAIL"] > kinds["MEETING"] > kinds["VISIT"] > kinds["EVENT"]
    midnight = datetime(2026, 3, 1, tzinfo=UTC)
    assert all(row[4] < midnight and row[11] < midnight and row[12] < midnight for row in interactions)
    assert 0.05 < sum(1 for row in interactions if row[10] is not None) / len(interactions) < 0.3


def test_the_same_seed_gives_the_same_portfolio_whatever_the_chunks_and_hour() -> None:
    def generate(seed: int, chunks: list[tuple[int, int]], hour: int = 12) -> dict[str, list[tuple]]:
        clock = Clock(datetime(2026, 3, 1, hour, 30, tzinfo=UTC))
        ids = Ids({"account": 40, "team_member": 3})
        team, team_rows = generate_team(6, ids, random.Random(seed), clock)
        generator = PortfolioGenerator(team, seed, clock, THRESHOLDS, ids)
        out = team_rows.rows
        for start, stop in chunks:
            for name, table_rows in generator.chunk(start, stop).rows.items():
                out[name] = out[name] + table_rows
        return out

    once = generate(5, [(0, 6)])
    assert once == generate(5, [(0, 2), (2, 5), (5, 6)], hour=0) == generate(5, [(0, 6)], hour=23)
    assert once["account"][0][0] == 41 and once["team_member"][0][0] == 4
    other = generate(6, [(0, 6)])
    assert [r[1:] for r in other["stakeholder"]] != [r[1:] for r in once["stakeholder"]]


async def test_a_second_run_adds_without_collisions(portfolio: PortfolioReport, engine: AsyncEngine) -> None:
    again = await load(engine, seed=7, batch=ACCOUNTS)
    assert again.rows == portfolio.rows
    accounts = await rows(engine, Account)
    members = await rows(engine, TeamMember)
    assert len(accounts) == 2 * ACCOUNTS
    assert len({a.name for a in accounts}) == 2 * ACCOUNTS
    assert len({m.email for m in members}) == len(members) == 2 * portfolio.rows["team_member"]
    assert await count(engine, Stakeholder) == 2 * 15 * ACCOUNTS
    assert await count(engine, Need) == 2 * 45 * ACCOUNTS


async def test_the_planner_knows_the_loaded_rows(portfolio: PortfolioReport, engine: AsyncEngine) -> None:
    """Statistics are gathered after the load, so the first queries on a big portfolio get good plans."""
    async with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            estimate = await conn.scalar(sa.text("SELECT reltuples FROM pg_class WHERE relname = 'stakeholder'"))
            assert estimate == await conn.scalar(select(func.count()).select_from(Stakeholder))
        else:
            analysed = await conn.scalars(sa.text("SELECT DISTINCT tbl FROM sqlite_stat1"))
            assert {"account", "stakeholder", "need"} <= set(analysed)


async def test_progress_is_reported_after_every_chunk(engine: AsyncEngine) -> None:
    heard: list[Progress] = []
    report = await load_portfolio(engine, 5, thresholds=THRESHOLDS, seed=1, batch=2, progress=heard.append)
    assert [(p.accounts, p.total) for p in heard] == [(2, 5), (4, 5), (5, 5)]
    assert heard[-1].rows == report.total_rows
    assert heard[0].rows < heard[1].rows < heard[2].rows
    assert "5/5 accounts (100%)" in heard[-1].describe() and "ETA 0s" in heard[-1].describe()


async def test_a_failing_chunk_leaves_none_of_its_rows(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    real = portfolio_load.writer_for(engine)
    written: list[int] = []

    async def write_then_fail(conn: AsyncConnection, batch: Batch) -> None:
        await real(conn, batch)
        written.append(len(batch))
        if batch.rows["account"]:
            raise RuntimeError("the disk is full")

    monkeypatch.setattr(portfolio_load, "writer_for", lambda _engine: write_then_fail)
    with pytest.raises(RuntimeError, match="disk is full"):
        await load(engine)
    assert len(written) == 2  # our team, then the first chunk, rolled back
    for model in (Account, Stakeholder, Need, ActionPlan, Action):
        assert await count(engine, model) == 0, model.__name__
    assert await count(engine, TeamMember) > 0


async def test_the_api_reads_the_generated_map(portfolio: PortfolioReport, engine: AsyncEngine, client: GraphQLClient) -> None:
    data = (await client.execute(LIST))["accounts"]
    assert data["totalCount"] == ACCOUNTS
    account = (await rows(engine, Account))[0]
    account_id = to_global_id("Account", account.id)
    found = (await client.execute(MAP, {"id": account_id}))["relationshipMap"]
    assert found["account"] == {"id": account_id, "name": account.name}
    assert len(found["nodes"]) == 15 and all(n["buyingRoles"] for n in found["nodes"])
    kinds = Counter(e["kind"] for e in found["edges"])
    assert kinds["REPORTS_TO"] == 14 and kinds["INFLUENCES"] >= 3
    # A link of strength NONE is on the map but covers nobody (domain.relationship_map.is_coverage).
    known = {c["stakeholder"]["id"] for c in found["coverage"] if c["strength"] != "NONE"}
    assert found["summary"]["coveredStakeholderCount"] == len(known)

    read = (await client.execute(ACCOUNT, {"id": account_id}))["account"]
    assert read["quadrant"] == account.quadrant.name and read["owner"]["role"] == "ACCOUNT_MANAGER"
    assert read["stakeholders"]["totalCount"] == 15 and read["needs"]["totalCount"] == 45
    assert read["plans"]["totalCount"] == 2
    assert [(len(p["objectives"]), p["actions"]["totalCount"]) for p in read["plans"]["nodes"]] == [(3, 5)] * 2


async def test_the_api_adds_to_a_generated_portfolio(portfolio: PortfolioReport, engine: AsyncEngine, client: GraphQLClient) -> None:
    created = await create_account(client, name="Added after generation")
    person = await create_stakeholder(client, created["id"], name="New Contact")
    assert person["account"]["id"] == created["id"]
    accounts = await rows(engine, Account)
    assert len(accounts) == ACCOUNTS + 1
    # The API's ids continue after the generated ones.
    assert to_global_id("Account", max(a.id for a in accounts)) == created["id"]
    assert to_global_id("Stakeholder", max(p.id for p in await rows(engine, Stakeholder))) == person["id"]


# The command line -----------------------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "portfolio.db"
    monkeypatch.setenv("KAM_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def query(path: Path, statement: str) -> list[tuple]:
    engine = sa.create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.exec_driver_sql(statement)]
    finally:
        engine.dispose()


def test_demo_with_accounts_generates_a_portfolio(db_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--accounts", "3", "--seed", "42", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "2/3 accounts" in result.output and "3/3 accounts (100%)" in result.output and "rows/s" in result.output
    assert "seed 42" in result.output and "Bearer kam_" in result.output
    assert query(db_path, "SELECT count(*) FROM account") == [(3,)]
    assert query(db_path, "SELECT count(*) FROM stakeholder") == [(45,)]
    assert query(db_path, "SELECT count(*) FROM action") == [(30,)]
    # The hand-written demo is not loaded alongside.
    assert query(db_path, f"SELECT count(*) FROM team_member WHERE email LIKE '%@{EMAIL_DOMAIN}'") == [(0,)]


def test_seed_and_batch_need_accounts(db_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--seed", "1"])
    assert result.exit_code == 2
    assert "--accounts" in result.output
    assert not db_path.exists() or query(db_path, "SELECT count(*) FROM sqlite_master WHERE name = 'account'") == [(0,)]


def test_names_never_repeat_nor_take_those_of_the_demo() -> None:
    accounts = [account_name(n, "AG") for n in range(1, 200_001)]  # more than there are brand and descriptor pairs
    assert len({a.name for a in accounts}) == len({a.domain for a in accounts}) == len(accounts)
    members = [member_name(n) for n in range(1, 70_001)]
    assert len({m.email for m in members}) == len(members)
    assert all(m.email.isascii() for m in members)
    brands = {prefix + ending for prefix in BRAND_PREFIXES for ending in BRAND_ENDINGS}
    assert not [a.name for a in DEMO_ACCOUNTS if a.name.split()[0] in brands]


def test_values_spread_like_a_real_portfolio() -> None:
    clock = Clock(datetime(2026, 3, 1, 12, tzinfo=UTC))
    ids = Ids({})
    team, _ = generate_team(200, ids, random.Random(3), clock)
    batch = PortfolioGenerator(team, 3, clock, THRESHOLDS, ids).chunk(0, 200)
    entered_at = COLUMNS["account"].index("entered_annual_value")
    for row in batch.rows["account"]:
        entered, wallet = row[entered_at], row[12]
        assert isinstance(entered, Decimal) and 0 <= entered <= wallet
    grades = Counter(row[6] for row in batch.rows["account"])
    assert grades["A"] < grades["B"] < grades["C"] and grades["D"] > grades["A"]
    assert len({row[14] for row in batch.rows["account"]}) == 4


# Deals and revenue ------------------------------------------------------------------------------------------


async def test_deals_keep_what_their_stage_moves_keep(portfolio: PortfolioReport, engine: AsyncEngine) -> None:
    """Replaying each deal's stage history through the model's own `enter`/`opening`/`move_to` gives the stored
    stage, days, probability, reached stages, path, moves and days per stage, and the stored days in stage and skips."""
    today = utcnow().date()
    accounts = {a.id: a for a in await rows(engine, Account)}
    people = {p.id: p.account_id for p in await rows(engine, Stakeholder)}
    needs = {n.id: n.account_id for n in await rows(engine, Need)}
    team = defaultdict(set)
    for seat in await rows(engine, AccountTeamMember):
        team[seat.account_id].add(seat.member_id)
    history = defaultdict(list)
    for change in await rows(engine, StageChange):
        history[change.opportunity_id].append(change)
    contacts = defaultdict(list)
    for contact in await rows(engine, OpportunityContact):
        contacts[contact.opportunity_id].append(contact)
    deal_needs = defaultdict(list)
    for row in await rows(engine, OpportunityNeed):
        deal_needs[row.opportunity_id].append(row.need_id)
    deals = await rows(engine, Opportunity)
    assert deals and portfolio.rows["opportunity"] == len(deals)
    assert portfolio.rows["stage_change"] == sum(map(len, history.values()))
    for deal in deals:
        account = accounts[deal.account_id]
        changes = sorted(history[deal.id], key=lambda c: (c.moved_on, c.id))
        assert [c.id for c in changes] == sorted(c.id for c in changes), deal.id
        first, *moves = changes
        replay = Opportunity(
            id=deal.id, account_id=deal.account_id, probability_set=False, probability=0, reached_stages=0, path="",
            moves=0, opened_on=first.moved_on, **{days_column(stage): 0 for stage in OPEN_STAGES},
        )
        replay.enter(first.to_stage, first.moved_on)
        expected = [replay.opening(first.moved_at, first.moved_by_id)]
        for c in moves:
            problems = move_problems(
                Move(replay.stage, c.to_stage, c.moved_on, replay.stage_entered_on, c.reason,
                     deal.lost_reason if c.to_stage is OpportunityStage.LOST else None),
                today,
            )
            assert not problems or c.to_stage is OpportunityStage.LOST and c.id != changes[-1].id, (deal.id, problems)
            expected.append(replay.move_to(c.to_stage, c.moved_on, at=c.moved_at, by_id=c.moved_by_id, reason=c.reason))
        for got, want in zip(changes, expected, strict=True):
            assert (got.from_stage, got.to_stage, got.moved_on, got.days_in_stage, got.skipped, got.account_id) == (
                want.from_stage, want.to_stage, want.moved_on, want.days_in_stage, want.skipped, deal.account_id
            ), (deal.id, got.id)
            assert got.moved_at < utcnow() and got.moved_on < today
        assert (deal.stage, deal.stage_entered_on, deal.closed_on, deal.reached_stages, deal.path, deal.moves) == (
            replay.stage, replay.stage_entered_on, replay.closed_on, replay.reached_stages, replay.path, replay.moves
        ), deal.id
        days = [days_column(stage) for stage in OPEN_STAGES]
        assert [getattr(deal, name) for name in days] == [getattr(replay, name) for name in days], deal.id
        assert deal.opened_on == first.moved_on and len(deal.path.split(">")) == deal.moves <= MAX_MOVES
        if deal.probability_set:
            assert is_open(deal.stage) and 0 <= deal.probability <= 100
        else:
            assert deal.probability == replay.probability == DEFAULT_PROBABILITY[deal.stage], deal.id
        assert (deal.lost_reason is not None) == (deal.stage is OpportunityStage.LOST)
        assert deal.currency == account.currency and deal.amount > 0 and deal.owner_id in team[deal.account_id]
        assert deal.created_at <= deal.updated_at < utcnow() and deal.version == 1
        assert account.archived_at is None or not is_open(deal.stage)
        # Contacts are the account's people, one of them the primary one; needs are the account's.
        assert contacts[deal.id] and sum(c.is_primary for c in contacts[deal.id]) == 1
        assert contacts[deal.id][0].is_primary
        assert all(people[c.stakeholder_id] == deal.account_id == c.account_id for c in contacts[deal.id])
        assert len({c.stakeholder_id for c in contacts[deal.id]}) == len(contacts[deal.id])
        assert all(needs[n] == deal.account_id for n in deal_needs[deal.id])
    deal_of = {d.id: d for d in deals}
    about = [i for i in await rows(engine, Interaction) if i.opportunity_id is not None]
    assert about
    for i in about:
        deal = deal_of[i.opportunity_id]
        assert deal.account_id == i.account_id and deal.opened_on <= i.occurred_at.date()
        assert deal.closed_on is None or i.occurred_at.date() <= deal.closed_on


def test_deals_spread_like_a_real_funnel() -> None:
    """About three deals per account, won, lost and open in every stage; a few skip stages or were reopened."""
    clock = Clock(datetime(2026, 3, 1, 12, tzinfo=UTC))
    ids = Ids({})
    team, _ = generate_team(400, ids, random.Random(9), clock)
    batch = PortfolioGenerator(team, 9, clock, THRESHOLDS, ids).chunk(0, 400)
    deals = batch.rows["opportunity"]
    column = {name: n for n, name in enumerate(COLUMNS["opportunity"])}
    assert 2.3 < len(deals) / 400 < 3.7
    stages = Counter(row[column["stage"]] for row in deals)
    assert set(stages) == {s.name for s in OpportunityStage}
    assert 0.15 < sum(stages[s.name] for s in OPEN_STAGES) / len(deals) < 0.45
    assert stages["WON"] > stages["SIGNING"] and stages["LOST"] > stages["SIGNING"]
    changes = batch.rows["stage_change"]
    skipped = sum(1 for row in changes if row[10] and row[3] is not None)
    reopened = sum(1 for row in changes if row[3] in ("WON", "LOST"))
    assert 0.01 * len(deals) < skipped < 0.3 * len(deals) and 0 < reopened < 0.1 * len(deals)
    assert sum(1 for row in deals if row[column["probability_set"]]) > 0
    interactions = batch.rows["interaction"]
    assert 0.03 < sum(1 for row in interactions if row[-1] is not None) / len(interactions) < 0.25


async def test_revenue_summary_is_what_a_recount_finds_as_of_the_load_day(
    portfolio: PortfolioReport, engine: AsyncEngine
) -> None:
    """Customers have three years of orders, prospects none; the account's revenue columns equal what
    refresh_revenue writes (summary_select/summary_values), its RFM what `kam recompute` ranks."""
    accounts = await rows(engine, Account)
    today = accounts[0].revenue_counted_on
    assert today in (utcnow().date(), (utcnow() - timedelta(minutes=5)).date())
    records = await rows(engine, RevenueRecord)
    assert records and portfolio.rows["revenue_record"] == len(records)
    by_account = defaultdict(list)
    for r in records:
        by_account[r.account_id].append(r)
    async with session_factory(engine)() as session:
        found = {row[0]: summary_values(row, today) for row in await session.execute(summary_select([a.id for a in accounts], today))}
    for account in accounts:
        stored = {key: getattr(account, key) for key in found[account.id]}
        assert stored == found[account.id], account.id
        own = by_account[account.id]
        if account.relationship_stage is RelationshipStage.PROSPECT:
            assert not own and account.current_annual_value == account.entered_annual_value
        else:
            assert own and account.annual_value_source == "TRAILING_TWELVE_MONTHS"
        assert len({r.reference for r in own}) == len(own)
        for r in own:
            assert r.currency == account.currency and r.amount > 0 and r.booked_on < today
            assert r.margin is None or abs(r.margin) <= r.amount
            assert today - timedelta(days=3 * 366) < r.booked_on and r.created_at < utcnow()
            assert r.product_line
    async with engine.begin() as conn:
        before = {a.id: (a.rfm_recency, a.rfm_frequency, a.rfm_monetary) for a in accounts}
        for statement in rfm_updates(today):
            await conn.execute(statement)
    after = {a.id: (a.rfm_recency, a.rfm_frequency, a.rfm_monetary) for a in await rows(engine, Account)}
    assert after == before
    assert any(v != (None, None, None) for v in before.values())


def test_revenue_follows_the_account_s_value_and_trend() -> None:
    """A year of a customer's orders comes near its entered annual value; at-risk accounts buy less than a year
    before, churned ones stopped."""
    clock = Clock(datetime(2026, 3, 1, 12, tzinfo=UTC))
    ids = Ids({})
    team, _ = generate_team(600, ids, random.Random(4), clock)
    batch = PortfolioGenerator(team, 4, clock, THRESHOLDS, ids).chunk(0, 600)
    column = {name: n for n, name in enumerate(COLUMNS["account"])}
    ratios = []
    for row in batch.rows["account"]:
        entered, current = row[column["entered_annual_value"]], row[column["current_annual_value"]]
        if row[column["lifecycle_stage"]] == "RETENTION" and row[column["relationship_stage"]] != "FIRST_DEAL":
            ratios.append(float(current / entered))
        if row[column["lifecycle_stage"]] == "CHURNED":
            assert row[column["revenue_last_order_on"]] < clock.today - timedelta(days=40)
        if row[column["relationship_stage"]] == "PROSPECT":
            assert row[column["annual_value_source"]] == "ENTERED" and row[column["revenue_orders_12m"]] == 0
    ratios.sort()
    assert 0.8 < ratios[len(ratios) // 2] < 1.25
    assert 20 < len(batch.rows["revenue_record"]) / 600 < 60
