"""The benchmark's queries and the request bodies that drive them.

Every request of a run carries other variables (another account, page,
filter or write target), drawn from the generated portfolio, so no answer can
be served from a cache. The GraphQL server and the baseline get the very same
bodies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from domain.account import Account
from domain.judgment import JudgmentKind, JudgmentTransition
from domain.plan import Action, ActionPlan
from domain.stakeholder import Stakeholder
from kam.db import create_engine
from resolvers.accounts.reads import AccountSort
from resolvers.ids import to_global_id
from resolvers.judgments.reads import TransitionSort
from resolvers.pagination import encode_cursor

QUERY_DIR = Path(__file__).resolve().parent / "queries"

GRADES = ("A", "B", "C", "D")
QUADRANTS = ("DEVELOP", "STRATEGIC", "MAINTAIN", "MONITOR")
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
NEED_CATEGORIES = ("FUNCTIONAL", "EMOTIONAL", "SOCIAL")
PRIORITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
ACTION_STATUSES = ("TODO", "IN_PROGRESS", "DONE", "BLOCKED")
PAGE_SIZE = 50  # accounts(first: 50) in account_page.graphql
NOT_CONTACTED_DAYS = 60  # not_contacted lists the accounts with no interaction for this many days
# overdue_accounts asks for grade A half the time, else for one of these.
OTHER_GRADES = ("B", "C", "D")
# actions_done_by_owner_quarter counts the actions completed since a day at most this many days ago.
DONE_SINCE_DAYS = 730


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    # GraphQL operation name -> document file (without .graphql); the write mix has three.
    operations: dict[str, str]
    writes: bool = False


QUERIES: dict[str, Query] = {
    q.name: q
    for q in (
        Query("relationship_map", "The relationship map of one account", {"RelationshipMap": "relationship_map"}),
        Query(
            "account_page",
            "A page of 50 accounts with stakeholders (and their needs), plans and actions",
            {"AccountPage": "account_page"},
        ),
        Query("growth_matrix", "The growth matrix over the accounts of some grades", {"GrowthMatrix": "growth_matrix"}),
        Query(
            "filtered_accounts",
            "The account list filtered by grade and quadrant, first 20 with totalCount",
            {"FilteredAccounts": "filtered_accounts"},
        ),
        Query(
            "not_contacted",
            "The accounts not contacted for 60 days, least recently contacted first: 20 with owner and recency",
            {"NotContacted": "not_contacted"},
        ),
        Query(
            "overdue_accounts",
            "The accounts of a grade overdue for contact, longest overdue first: 20 with owner and due day",
            {"OverdueAccounts": "overdue_accounts"},
        ),
        Query(
            "moved_quadrant",
            "Accounts whose quadrant moved from one quadrant to another this year, newest first: 20 with the account",
            {"MovedQuadrant": "moved_quadrant"},
        ),
        Query(
            "account_timeline",
            "One account's last 20 interactions with the stakeholders and members who took part",
            {"AccountTimeline": "account_timeline"},
        ),
        Query(
            "funnel",
            "The sales funnel of the whole portfolio (half the bodies), of some grades or of one owner's deals",
            {"Funnel": "funnel"},
        ),
        Query(
            "revenue_by_quarter",
            "One account's trailing twelve months and its revenue per quarter over the last three years",
            {"RevenueByQuarter": "revenue_by_quarter"},
        ),
        Query(
            "accounts_by_grade_industry",
            "Dashboard: accounts counted and their annual value summed per currency, by judged grade and industry",
            {"AccountsByGradeIndustry": "accounts_by_grade_industry"},
        ),
        Query(
            "needs_by_category_quarter",
            "Dashboard: needs counted by category and peak quarter",
            {"NeedsByCategoryQuarter": "needs_by_category_quarter"},
        ),
        Query(
            "actions_done_by_owner_quarter",
            "Dashboard: actions done since a day, counted by owner and the quarter they were completed in",
            {"ActionsDoneByOwnerQuarter": "actions_done_by_owner_quarter"},
        ),
        Query(
            "writes",
            "Write mix: create a need, update an action, record a growth assessment (one third each)",
            {"NeedCreate": "need_create", "ActionUpdate": "action_update", "AssessmentRecord": "assessment_record"},
            writes=True,
        ),
    )
}

# The reports one client asks for, measured again at one connection (`--single`'s default): the funnel and the
# dashboards.
SINGLE = ("funnel", "accounts_by_grade_industry", "needs_by_category_quarter", "actions_done_by_owner_quarter")


def document(file: str) -> str:
    return (QUERY_DIR / f"{file}.graphql").read_text(encoding="utf-8")


def years_before(today: date, years: int) -> date:
    """The same day `years` years before (28 February for a 29th)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def three_years_before(today: date) -> date:
    """`from` of revenue_by_quarter: the same day three years before."""
    return years_before(today, 3)


def moved_since(today: date) -> tuple[date, date]:
    """The days moved_quadrant asks about moves since: 1 January of this year, and one year ago."""
    return today.replace(month=1, day=1), years_before(today, 1)


def not_contacted_before(today: date | None = None) -> date:
    """`lastInteractionBefore` of not_contacted: no interaction on this day or after (today is UTC's)."""
    return (today or datetime.now(UTC).date()) - timedelta(days=NOT_CONTACTED_DAYS)


@dataclass
class Portfolio:
    """What the bodies are drawn from: every active account in list order, and a sample's rows."""

    accounts: list[tuple[int, str]]  # (id, name), ordered as the account list is (by name, then id)
    sample: list[int]  # account ids with their stakeholders and actions below
    stakeholders: dict[int, list[int]] = field(default_factory=dict)
    actions: list[int] = field(default_factory=list)
    # The day not_contacted asks about (today - 60), and the accounts it lists as (last interaction day, id),
    # in list order.
    not_contacted_before: date = field(default_factory=not_contacted_before)
    not_contacted: list[tuple[int, int]] = field(default_factory=list)
    # Who owns active accounts (the funnel of one owner's deals), and the day the bodies were drawn (UTC).
    owners: list[int] = field(default_factory=list)
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    # Per judged grade, the accounts overdue for contact today as overdue_accounts lists them: (due day, id).
    overdue: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    # Per (from, to) pair of quadrants, its moves since the earlier of moved_since's days as moved_quadrant
    # lists them, newest first: (day, id).
    moves: dict[tuple[str, str], list[tuple[date, int]]] = field(default_factory=dict)
    # The regions of active accounts (the dashboards of one region).
    regions: list[str] = field(default_factory=list)


async def read_portfolio(database_url: str, rng: random.Random, sample_size: int = 500) -> Portfolio:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            accounts, owners, regions = [], set(), set()
            for row in await conn.execute(
                select(Account.id, Account.name, Account.owner_id, Account.region)
                .where(Account.archived_at.is_(None))
                .order_by(Account.name, Account.id)
            ):
                accounts.append((row.id, row.name))
                if row.owner_id is not None:
                    owners.add(row.owner_id)
                if row.region is not None:
                    regions.add(row.region)
            if not accounts:
                raise RuntimeError("The database holds no active account to benchmark with.")
            sample = rng.sample([a[0] for a in accounts], min(sample_size, len(accounts)))
            portfolio = Portfolio(
                accounts, sample, {a: [] for a in sample}, owners=sorted(owners), regions=sorted(regions)
            )
            people = select(Stakeholder.account_id, Stakeholder.id).where(Stakeholder.account_id.in_(sample))
            for account_id, stakeholder_id in await conn.execute(people.order_by(Stakeholder.id)):
                portfolio.stakeholders[account_id].append(stakeholder_id)
            actions = (
                select(Action.id)
                .join(ActionPlan, ActionPlan.id == Action.plan_id)
                .where(ActionPlan.account_id.in_(sample))
                .order_by(Action.id)
            )
            portfolio.actions = list((await conn.scalars(actions)).all())
            quiet = (
                select(Account.last_interaction_day, Account.id)
                .where(
                    Account.archived_at.is_(None),
                    Account.last_interaction_day < portfolio.not_contacted_before.toordinal(),
                )
                .order_by(Account.last_interaction_day, Account.id)
            )
            portfolio.not_contacted = [(day, account_id) for day, account_id in await conn.execute(quiet)]
            due = (
                select(Account.judged_grade, Account.next_contact_day, Account.id)
                .where(
                    Account.archived_at.is_(None),
                    Account.judged_grade.is_not(None),
                    Account.next_contact_day > 0,
                    Account.next_contact_day < portfolio.today.toordinal(),
                )
                .order_by(Account.next_contact_day, Account.id)
            )
            for grade, day, account_id in await conn.execute(due):
                portfolio.overdue.setdefault(grade.name, []).append((day, account_id))
            T = JudgmentTransition
            moved = (
                select(T.from_value, T.to_value, T.changed_on, T.id)
                .where(
                    T.kind == JudgmentKind.QUADRANT,
                    T.from_value.is_not(None),
                    T.changed_on >= min(moved_since(portfolio.today)),
                )
                .order_by(T.changed_on.desc(), T.id.desc())
            )
            for was, now, day, transition_id in await conn.execute(moved):
                portfolio.moves.setdefault((was, now), []).append((day, transition_id))
    finally:
        await engine.dispose()
    return portfolio


def _subset(rng: random.Random, values: tuple[str, ...], most: int) -> list[str]:
    chosen = set(rng.sample(values, rng.randint(1, most)))
    return [v for v in values if v in chosen]


def _amount(rng: random.Random, top: int) -> str:
    return str(Decimal(rng.randrange(top * 100)) / 100)


def _dashboard_accounts(portfolio: Portfolio, rng: random.Random) -> dict[str, Any] | None:
    """The accounts a dashboard reports on: all (half the requests), one region's, or one owner's."""
    draw = rng.random()
    if draw < 0.5:
        return None
    if (draw < 0.75 and portfolio.regions) or not portfolio.owners:
        return {"regions": [rng.choice(portfolio.regions)]} if portfolio.regions else None
    return {"ownerIds": [to_global_id("TeamMember", rng.choice(portfolio.owners))]}


def variables(query: str, portfolio: Portfolio, rng: random.Random) -> tuple[str, dict[str, Any]]:
    """One request's operation name and variables."""
    if query == "relationship_map":
        return "RelationshipMap", {"accountId": to_global_id("Account", rng.choice(portfolio.sample))}
    if query == "account_page":
        # Any page of the list: after the account at a random position, or the first page.
        start = rng.randrange(-1, max(len(portfolio.accounts) - PAGE_SIZE, 0))
        if start < 0:
            return "AccountPage", {"after": None}
        account_id, name = portfolio.accounts[start]
        return "AccountPage", {"after": encode_cursor(AccountSort.NAME.value, name, account_id)}
    if query == "growth_matrix":
        return "GrowthMatrix", {"grades": _subset(rng, GRADES, 3)}
    if query == "filtered_accounts":
        return "FilteredAccounts", {"grades": _subset(rng, GRADES, 2), "quadrants": _subset(rng, QUADRANTS, 2)}
    if query == "not_contacted":
        # Half the requests read the first page, the others page onward from a random account of the list.
        variables: dict[str, Any] = {"before": portfolio.not_contacted_before.isoformat(), "after": None}
        if portfolio.not_contacted and rng.random() < 0.5:
            day, account_id = rng.choice(portfolio.not_contacted)
            variables["after"] = encode_cursor(AccountSort.LAST_INTERACTION.value, day, account_id)
        return "NotContacted", variables
    if query == "overdue_accounts":
        # One grade, A half the time; half the requests page onward from a random account of its list.
        grade = "A" if rng.random() < 0.5 else rng.choice(OTHER_GRADES)
        variables = {"grades": [grade], "on": portfolio.today.isoformat(), "after": None}
        listed = portfolio.overdue.get(grade)
        if listed and rng.random() < 0.5:
            day, account_id = rng.choice(listed)
            variables["after"] = encode_cursor(AccountSort.NEXT_CONTACT_DUE.value, day, account_id)
        return "OverdueAccounts", variables
    if query == "moved_quadrant":
        # Since 1 January or one year ago; a pair of quadrants some account moved between since then (within the
        # year, if none did); half the requests page onward from a random move of that list.
        since = rng.choice(moved_since(portfolio.today))
        pairs = [p for p, moves in portfolio.moves.items() if moves[0][0] >= since] or list(portfolio.moves)
        was, now = rng.choice(sorted(pairs)) if pairs else ("DEVELOP", "STRATEGIC")
        variables = {"from": [was], "to": [now], "since": since.isoformat(), "after": None}
        listed_moves = [m for m in portfolio.moves.get((was, now), ()) if m[0] >= since]
        if listed_moves and rng.random() < 0.5:
            day, transition_id = rng.choice(listed_moves)
            variables["after"] = encode_cursor(TransitionSort.CHANGED_ON.value, day, transition_id)
        return "MovedQuadrant", variables
    if query == "account_timeline":
        return "AccountTimeline", {"id": to_global_id("Account", rng.choice(portfolio.sample))}
    if query == "funnel":
        # Half the requests ask for the whole portfolio's funnel, a quarter for some grades', a quarter for an owner's.
        draw = rng.random()
        if draw < 0.5 or (draw >= 0.75 and not portfolio.owners):
            return "Funnel", {"filter": None}
        if draw < 0.75:
            return "Funnel", {"filter": {"grades": _subset(rng, GRADES, 2)}}
        return "Funnel", {"filter": {"ownerIds": [to_global_id("TeamMember", rng.choice(portfolio.owners))]}}
    if query == "revenue_by_quarter":
        return "RevenueByQuarter", {
            "id": to_global_id("Account", rng.choice(portfolio.sample)),
            "from": three_years_before(portfolio.today).isoformat(),
            "to": portfolio.today.isoformat(),
        }
    if query == "accounts_by_grade_industry":
        return "AccountsByGradeIndustry", {"filter": _dashboard_accounts(portfolio, rng)}
    if query == "needs_by_category_quarter":
        return "NeedsByCategoryQuarter", {"accounts": _dashboard_accounts(portfolio, rng)}
    if query == "actions_done_by_owner_quarter":
        since = portfolio.today - timedelta(days=rng.randrange(DONE_SINCE_DAYS))
        return "ActionsDoneByOwnerQuarter", {"from": since.isoformat()}
    if query == "writes":
        return _write(portfolio, rng)
    raise ValueError(f"unknown query {query!r}")


def _write(portfolio: Portfolio, rng: random.Random) -> tuple[str, dict[str, Any]]:
    kind = rng.randrange(3 if portfolio.actions else 2)
    tag = rng.randrange(10**9)
    account_id = rng.choice(portfolio.sample)
    if kind == 0:
        people = portfolio.stakeholders.get(account_id) or []
        need: dict[str, Any] = {
            "accountId": to_global_id("Account", account_id),
            "title": f"Bench need {tag}",
            "category": rng.choice(NEED_CATEGORIES),
            "priority": rng.choice(PRIORITIES),
            "peakQuarters": _subset(rng, QUARTERS, 2),
        }
        if people:
            need["stakeholderId"] = to_global_id("Stakeholder", rng.choice(people))
        return "NeedCreate", {"input": need}
    if kind == 1:
        return "AssessmentRecord", {
            "input": {
                "accountId": to_global_id("Account", account_id),
                "currentValue": _amount(rng, 3_000_000),
                "potential": _amount(rng, 3_000_000),
            }
        }
    return "ActionUpdate", {
        "input": {
            "id": to_global_id("Action", rng.choice(portfolio.actions)),
            "title": f"Bench action {tag}",
            "status": rng.choice(ACTION_STATUSES),
        }
    }


def bodies(query: str, portfolio: Portfolio, rng: random.Random, count: int) -> list[dict[str, Any]]:
    """`count` request bodies of `query`, each a GraphQL request with its own variables."""
    spec = QUERIES[query]
    documents = {op: document(file) for op, file in spec.operations.items()}
    out = []
    for _ in range(count):
        operation, values = variables(query, portfolio, rng)
        out.append({"query": documents[operation], "operationName": operation, "variables": values})
    return out
