"""The benchmark's baseline is honest: it answers exactly what GraphQL answers, and writes what kam writes.

The GraphQL/baseline ratio the benchmark reports means something only if the
baseline does the same work. For every benchmark query, on the demo portfolio
(plus an account with nothing in it and an archived one), the baseline's
answer equals the `data` of kam's; for every mutation of the write mix, run on
twin databases, the answers and the rows left behind (the audit trail
included) are the same.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bench import workload
from bench.baseline import create_app as create_baseline
from bench.baseline import reads as baseline_reads
from bench.baseline import values as baseline
from domain.account import Account, Grade, LifecycleStage, RelationshipStage, ValueTier
from domain.audit import AuditEvent
from domain.growth import GrowthAssessment, GrowthQuadrant
from domain.judgment import JUDGMENT_COLUMNS, JudgmentKind, JudgmentTransition
from domain.need import (
    Need,
    NeedCategory,
    NeedPeakQuarter,
    NeedStatus,
    NeedVisibility,
    Priority,
    Quarter,
)
from domain.plan import Action, ActionStatus
from domain.stakeholder import Attitude, BuyingRole, CoverageStrength, Influence
from kam.db import create_engine, session_factory
from domain.growth import MatrixThresholds
from kam.demo import load_demo
from kam.portfolio.load import load_portfolio
from kam.settings import Settings
from resolvers.accounts.reads import AccountSort
from resolvers.ids import to_global_id
from resolvers.judgments.reads import TransitionSort
from resolvers.pagination import encode_cursor
from tests.conftest import GraphQLClient
from tests.stores import Store

READS = [name for name, query in workload.QUERIES.items() if not query.writes]
THRESHOLDS = MatrixThresholds(Settings().growth_value_threshold, Settings().growth_potential_threshold)


@pytest.fixture(scope="module")
async def demo_template(store: Store) -> AsyncIterator[str]:
    """The demo portfolio, an account with nothing in it, and an archived account; copied for every test."""
    url = store.copy(store.base)
    await load_demo(url, only_if_empty=False)
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            for name, archived_at in (("Aaron Empty Ltd", None), ("Archived Holdings", datetime.now(UTC))):
                session.add(
                    Account(
                        name=name,
                        grade=Grade.B,
                        value_tier=ValueTier.LOW,
                        relationship_stage=RelationshipStage.PROSPECT,
                        lifecycle_stage=LifecycleStage.ACQUISITION,
                        currency="EUR",
                        archived_at=archived_at,
                    )
                )
    finally:
        await engine.dispose()
    yield url
    store.drop(url)


@pytest.fixture
def database_url(demo_template: str, store: Store) -> Iterator[str]:
    url = store.copy(demo_template)
    yield url
    store.drop(url)


class Baseline:
    """The baseline app over HTTP (in-process), with the same token as the GraphQL client."""

    def __init__(self, database_url: str, token: str) -> None:
        self.app = create_baseline(database_url)
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://baseline.test",
            headers={"Authorization": f"Bearer {token}"},
        )

    async def post(self, query: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post(f"/bench/{query}", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def close(self) -> None:
        await self.http.aclose()
        await self.app.state.db.close()


async def graphql(client: GraphQLClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(body["query"], body["variables"], operationName=body["operationName"])
    answer = response.json()
    assert response.status_code == 200 and "errors" not in answer, answer
    return answer


def request(query: str, operation: str, variables: dict[str, Any]) -> dict[str, Any]:
    return {
        "query": workload.document(workload.QUERIES[query].operations[operation]),
        "operationName": operation,
        "variables": variables,
    }


def cursor(account: tuple[int, str]) -> str:
    return encode_cursor(AccountSort.NAME.value, account[1], account[0])


def day_cursor(row: tuple[int, int]) -> str:
    return encode_cursor(AccountSort.LAST_INTERACTION.value, row[0], row[1])


async def contact_order(database_url: str) -> list[tuple[int, int]]:
    """(last interaction's day, id) of every open account, as the list by last interaction orders them."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            stmt = (
                select(Account.last_interaction_day, Account.id)
                .where(Account.archived_at.is_(None))
                .order_by(Account.last_interaction_day, Account.id)
            )
            return [(day, account_id) for day, account_id in await conn.execute(stmt)]
    finally:
        await engine.dispose()


def due_cursor(row: tuple[str | None, int, int]) -> str:
    return encode_cursor(AccountSort.NEXT_CONTACT_DUE.value, row[1], row[2])


def move_cursor(row: tuple[str | None, str, Any, int]) -> str:
    return encode_cursor(TransitionSort.CHANGED_ON.value, row[2], row[3])


async def due_order(database_url: str) -> list[tuple[str | None, int, int]]:
    """(judged grade, next contact's day, id) of every open account with a due day, in the order of that day."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            stmt = (
                select(Account.judged_grade, Account.next_contact_day, Account.id)
                .where(Account.archived_at.is_(None), Account.next_contact_day > 0)
                .order_by(Account.next_contact_day, Account.id)
            )
            return [(None if g is None else g.name, day, account_id) for g, day, account_id in await conn.execute(stmt)]
    finally:
        await engine.dispose()


async def quadrant_moves(database_url: str) -> list[tuple[str | None, str, Any, int]]:
    """(from, to, day, id) of every quadrant transition, newest first."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            t = JudgmentTransition
            stmt = (
                select(t.from_value, t.to_value, t.changed_on, t.id)
                .where(t.kind == JudgmentKind.QUADRANT)
                .order_by(t.changed_on.desc(), t.id.desc())
            )
            return [(was, now, day, move_id) for was, now, day, move_id in await conn.execute(stmt)]
    finally:
        await engine.dispose()


def overdue_cases(today: str, due: list[tuple[str | None, int, int]]) -> list[dict[str, Any]]:
    """Each grade today; every grade (ranges merged) and no grade at all, due before a far day; paged."""
    far = "2100-01-01"
    cases: list[dict[str, Any]] = [{"grades": [g], "on": today, "after": None} for g in workload.GRADES]
    cases += [
        {"grades": None, "on": far, "after": None},
        {"grades": ["A", "B", "C", "D"], "on": far, "after": None},
        {"grades": ["D", "B", "D"], "on": far, "after": None},
        {"grades": ["C"], "on": "1970-01-01", "after": None},
        {"grades": ["A", "B", "C", "D"], "on": far, "after": encode_cursor(AccountSort.NEXT_CONTACT_DUE.value, 0, 0)},
    ]
    for row in (due[:1] + due[len(due) // 2 : len(due) // 2 + 1] + due[-1:]) if due else []:
        cases += [
            {"grades": None, "on": far, "after": due_cursor(row)},
            {"grades": ["A", "B", "C", "D"], "on": far, "after": due_cursor(row)},
            {"grades": [row[0] or "A"], "on": far, "after": due_cursor(row)},
        ]
    return cases


def dashboard_filters(portfolio: workload.Portfolio) -> list[dict[str, Any] | None]:
    """The account filters of the dashboards: none, an empty one, every region and owner, both, nothing found."""
    owners = [to_global_id("TeamMember", m) for m in portfolio.owners]
    filters: list[dict[str, Any] | None] = [None, {}, {"regions": None, "ownerIds": None}]
    filters += [{"regions": [r]} for r in portfolio.regions] + [{"ownerIds": [o]} for o in owners]
    filters += [
        {"regions": portfolio.regions},
        {"ownerIds": owners[:2] + owners[:1]},
        {"regions": portfolio.regions[:1], "ownerIds": owners},
        {"regions": ["Nowhere"]},
        {"ownerIds": [to_global_id("TeamMember", 9999)]},
    ]
    return filters


def moved_cases(since: str, moves: list[tuple[str | None, str, Any, int]]) -> list[dict[str, Any]]:
    """Every pair that occurs, since ever and since `since`; from or to alone; neither; several; paged."""
    ever = "2000-01-01"
    pairs = sorted({(f, t) for f, t, _, _ in moves if f is not None})
    cases: list[dict[str, Any]] = [
        {"from": [f], "to": [t], "since": day, "after": None} for f, t in pairs for day in (ever, since)
    ]
    cases += [
        {"from": ["DEVELOP", "MONITOR", "DEVELOP"], "to": None, "since": ever, "after": None},
        {"from": None, "to": ["STRATEGIC"], "since": ever, "after": None},
        {"from": None, "to": None, "since": ever, "after": None},
        {"from": ["MONITOR", "DEVELOP"], "to": ["DEVELOP", "STRATEGIC", "MAINTAIN"], "since": ever, "after": None},
        {"from": ["DEVELOP"], "to": ["STRATEGIC"], "since": "2100-01-01", "after": None},
    ]
    for row in (moves[:1] + moves[len(moves) // 2 : len(moves) // 2 + 1] + moves[-1:]) if moves else []:
        cases += [
            {"from": None, "to": None, "since": ever, "after": move_cursor(row)},
            {"from": list(workload.QUADRANTS), "to": None, "since": ever, "after": move_cursor(row)},
            {"from": None if row[0] is None else [row[0]], "to": [row[1]], "since": ever, "after": move_cursor(row)},
        ]
    return cases


async def read_bodies(database_url: str, query: str) -> list[dict[str, Any]]:
    """Bodies as the benchmark draws them, plus the cases a random draw may miss."""
    portfolio = await workload.read_portfolio(database_url, random.Random(4))
    rng = random.Random(5)
    before = portfolio.not_contacted_before
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    listed = await contact_order(database_url)
    bodies = workload.bodies(query, portfolio, rng, 12)
    operation = next(iter(workload.QUERIES[query].operations))
    extra: list[dict[str, Any]] = {
        "relationship_map": [{"accountId": to_global_id("Account", a)} for a, _ in portfolio.accounts]
        + [{"accountId": to_global_id("Account", 9999)}],
        "account_page": [
            {"after": None},
            {"after": cursor(portfolio.accounts[1])},
            {"after": cursor(portfolio.accounts[-1])},
        ],
        "growth_matrix": [{"grades": ["A", "B", "C", "D"]}, {"grades": None}, {"grades": ["D"]}],
        "filtered_accounts": [
            {"grades": None, "quadrants": None},
            {"grades": ["A", "B", "C", "D"], "quadrants": None},
            {"grades": None, "quadrants": ["MONITOR"]},
            {"grades": ["D"], "quadrants": ["STRATEGIC"]},
        ],
        "not_contacted": [
            {"before": before.isoformat(), "after": None},
            {"before": "1970-01-01", "after": None},
            # Every open account, the never contacted first, then paged after the first, and after the last.
            {"before": tomorrow.isoformat(), "after": None},
            *(
                {"before": tomorrow.isoformat(), "after": day_cursor(row)}
                for row in (listed[0], listed[-1], (0, 0))
            ),
        ],
        "overdue_accounts": overdue_cases(portfolio.today.isoformat(), await due_order(database_url)),
        "moved_quadrant": moved_cases(
            workload.moved_since(portfolio.today)[0].isoformat(), await quadrant_moves(database_url)
        ),
        "account_timeline": [{"id": to_global_id("Account", a)} for a, _ in portfolio.accounts]
        + [{"id": to_global_id("Account", 9999)}],
        "funnel": [
            {"filter": None},
            {"filter": {}},
            {"filter": {"grades": ["A", "B", "C", "D"]}},
            {"filter": {"grades": ["D"]}},
            *({"filter": {"ownerIds": [to_global_id("TeamMember", m)]}} for m in portfolio.owners),
            {"filter": {"ownerIds": [to_global_id("TeamMember", 9999)]}},
            {"filter": {"grades": ["A"], "ownerIds": [to_global_id("TeamMember", m) for m in portfolio.owners]}},
        ],
        "revenue_by_quarter": [
            {"id": to_global_id("Account", a), "from": workload.three_years_before(portfolio.today).isoformat(),
             "to": portfolio.today.isoformat()}
            for a, _ in portfolio.accounts
        ]
        + [
            {"id": to_global_id("Account", 9999), "from": "2024-01-01", "to": "2024-12-31"},
            {"id": to_global_id("Account", portfolio.accounts[0][0]), "from": "2019-02-14", "to": "2019-02-14"},
            {"id": to_global_id("Account", portfolio.accounts[1][0]), "from": "2000-01-01",
             "to": portfolio.today.isoformat()},
        ],
        "accounts_by_grade_industry": [{"filter": f} for f in dashboard_filters(portfolio)],
        "needs_by_category_quarter": [{"accounts": f} for f in dashboard_filters(portfolio)],
        "actions_done_by_owner_quarter": [
            {"from": day}
            for day in (
                None,
                "2000-01-01",
                workload.years_before(portfolio.today, 1).isoformat(),
                portfolio.today.isoformat(),
                "2100-01-01",
            )
        ],
    }[query]
    return bodies + [request(query, operation, v) for v in extra]


@pytest.mark.parametrize("query", READS)
async def test_baseline_answers_what_graphql_answers(query: str, client: GraphQLClient, database_url: str) -> None:
    other = Baseline(database_url, client.member["token"])
    try:
        for body in await read_bodies(database_url, query):
            answer = await graphql(client, body)
            assert await other.post(query, body) == {"data": answer["data"]}, body["variables"]
    finally:
        await other.close()


DASHBOARDS = ["accounts_by_grade_industry", "needs_by_category_quarter", "actions_done_by_owner_quarter"]


@pytest.mark.parametrize(
    "query",
    [
        "funnel",
        "revenue_by_quarter",
        "not_contacted",
        "overdue_accounts",
        "moved_quadrant",
        "account_timeline",
        *DASHBOARDS,
    ],
)
async def test_baseline_answers_what_graphql_answers_on_a_generated_portfolio(
    query: str, client: GraphQLClient, database_url: str, engine: AsyncEngine
) -> None:
    """Many deals, paths taken equally often, revenue of every shape: what the demo's six accounts lack."""
    await load_portfolio(engine, 40, thresholds=THRESHOLDS, seed=3, batch=40)
    other = Baseline(database_url, client.member["token"])
    try:
        for body in await read_bodies(database_url, query):
            answer = await graphql(client, body)
            assert await other.post(query, body) == {"data": answer["data"]}, body["variables"]
    finally:
        await other.close()


@pytest.mark.parametrize("query", DASHBOARDS)
async def test_baseline_dashboards_answer_what_graphql_answers_with_nulls_and_groups_past_first(
    query: str, client: GraphQLClient, database_url: str, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Groups of NULL keys (an account without judged grade or industry, actions done without owner or completion
    day), and `groups(first:)` smaller than the groups: `hasMore`, the group cut at kam's bound, the totals."""
    await load_portfolio(engine, 40, thresholds=THRESHOLDS, seed=3, batch=40)
    async with engine.begin() as conn:
        done = (
            await conn.scalars(select(Action.id).where(Action.status == ActionStatus.DONE).order_by(Action.id).limit(3))
        ).all()
        await conn.execute(update(Action).where(Action.id.in_(done[:2])).values(owner_id=None))
        await conn.execute(update(Action).where(Action.id.in_(done[1:])).values(completed_at=None))
        first = await conn.scalar(select(Account.id).where(Account.archived_at.is_(None)).order_by(Account.id))
        await conn.execute(update(Account).where(Account.id == first).values(industry=None, judged_grade=None))
    await engine.dispose()
    other = Baseline(database_url, client.member["token"])
    try:
        bodies = await read_bodies(database_url, query)
        for body in bodies:
            assert await other.post(query, body) == {"data": (await graphql(client, body))["data"]}, body["variables"]
        # Fewer groups than there are: kam's document and the baseline alike.
        more = 0
        for first in (0, 1, 3):
            monkeypatch.setattr(baseline_reads, "AGGREGATE_FIRST", first)
            for body in bodies[:3] + bodies[-3:]:
                body = {**body, "query": body["query"].replace("first: 1000", f"first: {first}")}
                answer = (await graphql(client, body))["data"]
                more += next(iter(answer.values()))["groups"]["hasMore"]
                assert await other.post(query, body) == {"data": answer}, (first, body["variables"])
        assert more >= 6
    finally:
        await other.close()


# Writes: the same mutations on twin databases leave the same answers and the same rows.


def need_bodies(portfolio: workload.Portfolio) -> list[dict[str, Any]]:
    first, second = portfolio.accounts[1][0], portfolio.accounts[2][0]
    mine, theirs = portfolio.stakeholders[first][0], portfolio.stakeholders[second][0]
    inputs = [
        {
            "accountId": to_global_id("Account", first),
            "title": "  Faster onboarding  ",
            "category": "FUNCTIONAL",
            "priority": "HIGH",
            "peakQuarters": ["Q4", "Q2", "Q4"],
            "stakeholderId": to_global_id("Stakeholder", mine),
        },
        {"accountId": to_global_id("Account", second), "title": "Trust", "category": "EMOTIONAL", "peakQuarters": []},
        {
            "accountId": to_global_id("Account", first),
            "title": "Cross",
            "category": "SOCIAL",
            "stakeholderId": to_global_id("Stakeholder", theirs),
        },
        {"accountId": to_global_id("Account", 9999), "title": "Nowhere", "category": "SOCIAL"},
        {"accountId": to_global_id("Account", first), "title": "   ", "category": "SOCIAL"},
    ]
    return [request("writes", "NeedCreate", {"input": i}) for i in inputs]


async def action_bodies(engine: AsyncEngine) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(Action.id, Action.status).order_by(Action.id))).all()
    todo = next(i for i, status in rows if status is not ActionStatus.DONE)
    done = next(i for i, status in rows if status is ActionStatus.DONE)
    inputs = [
        {"id": to_global_id("Action", todo), "title": "Book the workshop", "status": "DONE"},
        {"id": to_global_id("Action", todo), "title": "Book the workshop", "status": "DONE"},
        {"id": to_global_id("Action", todo), "status": "IN_PROGRESS"},
        {"id": to_global_id("Action", todo), "title": "Book it", "status": "BLOCKED", "version": 1},
        {"id": to_global_id("Action", done), "title": "Renamed when done", "status": "DONE"},
        {"id": to_global_id("Action", done), "status": "TODO"},
        {"id": to_global_id("Action", 9999), "title": "Nothing"},
    ]
    return [request("writes", "ActionUpdate", {"input": i}) for i in inputs]


def assessment_bodies(portfolio: workload.Portfolio) -> list[dict[str, Any]]:
    first, empty = portfolio.accounts[1][0], portfolio.accounts[0][0]
    inputs = [
        {"accountId": to_global_id("Account", first), "currentValue": "2500000.5", "potential": "10"},
        {"accountId": to_global_id("Account", first), "currentValue": "2400000", "potential": "20.25"},
        {"accountId": to_global_id("Account", first)},
        {"accountId": to_global_id("Account", empty), "currentValue": "12.34"},
        {"accountId": to_global_id("Account", first), "currentValue": "1.234"},
    ]
    return [request("writes", "AssessmentRecord", {"input": i}) for i in inputs]


MOMENTS = ("createdAt", "updatedAt", "completedAt", "created_at", "updated_at", "completed_at", "occurred_at")


def without_moments(value: Any) -> Any:
    """`value` with every time of day replaced by whether there is one: the twins write at different instants."""
    if isinstance(value, dict):
        return {k: (v is not None) if k in MOMENTS else without_moments(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_moments(v) for v in value]
    return value


async def rows_written(url: str) -> dict[str, Any]:
    """What the write mix can change, every table's rows as plain values.

    Not yet the account's judged grade (domain/judgment.py), which kam's writes of needs keep and the
    baseline's do not: its writes do less than kam's, so the write ratios are, if anything, against kam."""
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            out: dict[str, Any] = {}
            for model in (Need, NeedPeakQuarter, Action, GrowthAssessment, Account, AuditEvent):
                columns = [c for c in model.__table__.columns if not (model is Account and c.key in JUDGMENT_COLUMNS)]
                rows = (await session.execute(select(*columns).order_by(*model.__table__.primary_key.columns))).all()
                out[model.__tablename__] = without_moments(
                    [dict(zip([c.key for c in columns], r, strict=True)) for r in rows]
                )
            return out
    finally:
        await engine.dispose()


@pytest.mark.parametrize("operation", ["NeedCreate", "ActionUpdate", "AssessmentRecord"])
async def test_baseline_writes_what_kam_writes(
    operation: str, client: GraphQLClient, engine: AsyncEngine, database_url: str, store: Store
) -> None:
    portfolio = await workload.read_portfolio(database_url, random.Random(6))
    bodies = {
        "NeedCreate": lambda: need_bodies(portfolio),
        "AssessmentRecord": lambda: assessment_bodies(portfolio),
    }.get(operation)
    sequence = bodies() if bodies else await action_bodies(engine)
    await engine.dispose()  # the twin is copied from this database, which PostgreSQL wants idle
    twin = store.copy(database_url)
    other = Baseline(twin, client.member["token"])
    try:
        for body in sequence:
            answer = await graphql(client, body)
            assert without_moments(await other.post("writes", body)) == without_moments({"data": answer["data"]}), body
        await engine.dispose()
        assert await rows_written(twin) == await rows_written(database_url)
    finally:
        await other.close()
        store.drop(twin)


def test_the_baseline_knows_kam_s_enums_and_settings() -> None:
    """The baseline imports nothing of kam, so it keeps its own copies; they must not drift."""
    assert baseline.BUYING_ROLES == tuple(r.name for r in BuyingRole)
    assert tuple(baseline.COVERAGE_RANK) == tuple(s.name for s in CoverageStrength)
    assert set(baseline.ATTITUDE_SCORE) == {a.name for a in Attitude}
    assert set(baseline.INFLUENCE_WEIGHT) == {i.name for i in Influence}
    assert baseline.QUADRANTS == tuple(q.name for q in GrowthQuadrant)
    assert baseline.QUARTERS == tuple(q.name for q in Quarter)
    assert baseline.GRADES == tuple(g.name for g in Grade)
    assert baseline.NEED_CATEGORIES == tuple(c.name for c in NeedCategory)
    assert baseline.NEED_VISIBILITIES == tuple(v.name for v in NeedVisibility)
    assert baseline.NEED_STATUSES == tuple(s.name for s in NeedStatus)
    assert baseline.PRIORITIES == tuple(p.name for p in Priority)
    assert baseline.ACTION_STATUSES == tuple(s.name for s in ActionStatus)
    defaults = Settings.model_fields
    assert (
        Decimal(baseline.SETTING_DEFAULTS["KAM_GROWTH_VALUE_THRESHOLD"]) == defaults["growth_value_threshold"].default
    )
    assert (
        Decimal(baseline.SETTING_DEFAULTS["KAM_GROWTH_POTENTIAL_THRESHOLD"])
        == defaults["growth_potential_threshold"].default
    )
