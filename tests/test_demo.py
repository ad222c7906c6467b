"""The demo portfolio: complete enough to show every screen, consistent with the business rules."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import selectinload

from domain.base import utcnow
from domain import (
    Account,
    Action,
    ActionPlan,
    ActionStatus,
    Attitude,
    BuyingRole,
    Coverage,
    GrowthAssessment,
    InfluenceLink,
    LifecycleStage,
    Need,
    NeedCategory,
    NeedPeakQuarter,
    NeedStatus,
    NeedVisibility,
    Objective,
    Quarter,
    Stakeholder,
    TeamMember,
)
from domain.growth import latest
from domain.hierarchy import creates_cycle
from domain.interaction import Interaction, InteractionStakeholder
from domain.plan import check_due_within_plan, check_plan_dates
from domain.relationship_map import MapCoverage, MapPerson, summarize
from kam.db import session_factory
from kam.demo import load_demo
from tests.conftest import GraphQLClient

ACCOUNTS = """
{
  accounts(first: 20) {
    totalCount
    nodes { name isKeyAccount lifecycleStage currentAnnualValue { currency } owner { name } team { teamRole member { name } } }
  }
}"""


README = Path(__file__).resolve().parent.parent / "README.md"
# A GraphQL example, optionally followed directly by a JSON block with its variables.
EXAMPLE = re.compile(r"```graphql\n(.*?)```(?:\s*```json\n(.*?)```)?", re.DOTALL)


@pytest.fixture
async def demo(database_url: str) -> str:
    assert await load_demo(database_url, only_if_empty=True) is True
    return database_url


async def rows(engine: AsyncEngine, model: type, *options: Any) -> list:
    async with session_factory(engine)() as session:
        return list(await session.scalars(select(model).options(*options)))


async def test_accounts_are_listed_with_owner_and_team(demo: str, client: GraphQLClient) -> None:
    data = (await client.execute(ACCOUNTS))["accounts"]
    assert data["totalCount"] == 6
    for account in data["nodes"]:
        assert account["owner"] is not None, account["name"]
        owners = [t["member"]["name"] for t in account["team"] if t["teamRole"] == "OWNER"]
        assert owners == [account["owner"]["name"]], account["name"]
        assert len(account["team"]) >= 2, account["name"]
        assert account["currentAnnualValue"]["currency"] == "EUR"
    assert any(a["isKeyAccount"] for a in data["nodes"]) and not all(a["isKeyAccount"] for a in data["nodes"])
    assert "AT_RISK" in {a["lifecycleStage"] for a in data["nodes"]}


async def test_team_has_every_role_and_a_reporting_line(demo: str, engine: AsyncEngine) -> None:
    members = await rows(engine, TeamMember)
    assert len(members) == 8
    assert {m.role.name for m in members} == {"ADMIN", "MANAGER", "ACCOUNT_MANAGER", "VIEWER"}
    by_id = {m.id: m for m in members}
    for m in members:
        if m.role.name == "ACCOUNT_MANAGER":
            assert by_id[m.manager_id].role.name == "MANAGER", m.name


async def test_relationship_maps_show_the_gaps_planners_look_for(demo: str, engine: AsyncEngine) -> None:
    people = await rows(engine, Stakeholder, selectinload(Stakeholder.role_rows))
    coverage = await rows(engine, Coverage)
    links = await rows(engine, InfluenceLink)
    assert {p.attitude for p in people} >= {Attitude.CHAMPION, Attitude.OPPONENT}
    assert any(len(p.buying_roles) > 1 for p in people)

    account_of = {p.id: p.account_id for p in people}
    summaries = {}
    for account_id in set(account_of.values()):
        mine = [p for p in people if p.account_id == account_id]
        assert 6 <= len(mine) <= 10
        assert any(BuyingRole.DECISION_MAKER in p.buying_roles for p in mine)
        summaries[account_id] = summarize(
            [MapPerson(p.id, tuple(p.buying_roles), p.attitude, p.influence) for p in mine],
            [MapCoverage(c.stakeholder_id, c.member_id, c.strength) for c in coverage if c.account_id == account_id],
        )
    assert any(s.uncovered_decision_maker_ids for s in summaries.values())
    assert any(s.single_threaded for s in summaries.values())
    assert not all(s.single_threaded for s in summaries.values())

    # Org chart and influence lines stay inside one account, and the org chart has no loops.
    parent_of = {p.id: p.reports_to_id for p in people}
    for p in people:
        if p.reports_to_id is not None:
            assert account_of[p.reports_to_id] == p.account_id
            assert not creates_cycle(p.id, p.reports_to_id, {**parent_of, p.id: None})
    for link in links:
        assert account_of[link.source_id] == account_of[link.target_id] == link.account_id
    for c in coverage:
        assert account_of[c.stakeholder_id] == c.account_id


async def test_needs_fill_all_four_quarters(demo: str, engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        quarters = set(await session.scalars(select(NeedPeakQuarter.quarter).distinct()))
    needs = await rows(engine, Need)
    assert quarters == set(Quarter)
    assert {n.category for n in needs} == set(NeedCategory)
    assert {n.visibility for n in needs} == set(NeedVisibility)
    assert {n.status for n in needs} == set(NeedStatus)
    per_account = Counter(n.account_id for n in needs)
    assert len(per_account) == 6 and all(3 <= count <= 6 for count in per_account.values())


async def test_assessments_show_movement_through_the_matrix(demo: str, engine: AsyncEngine) -> None:
    assessments = await rows(engine, GrowthAssessment)
    accounts = {a.id: a for a in await rows(engine, Account)}
    history: dict[int, list[GrowthAssessment]] = defaultdict(list)
    for a in assessments:
        history[a.account_id].append(a)
    assert set(history) == set(accounts)
    for account_id, items in history.items():
        assert 3 <= len(items) <= 4
        assert all(a.assessed_by_id is not None for a in items)
        assert accounts[account_id].quadrant is latest(items).quadrant
    moved = [items for items in history.values() if len({a.quadrant for a in items}) >= 2]
    assert moved
    assert len({a.quadrant for a in accounts.values()}) == 4


async def test_plans_obey_the_plan_rules(demo: str, engine: AsyncEngine) -> None:
    plans = {p.id: p for p in await rows(engine, ActionPlan)}
    actions = await rows(engine, Action)
    assert {p.account_id for p in plans.values()} == {a.id for a in await rows(engine, Account)}
    for plan in plans.values():
        check_plan_dates(plan.starts_on, plan.ends_on)
    for objective in await rows(engine, Objective):
        check_due_within_plan(plans[objective.plan_id], objective.due_on)
    now = utcnow()
    for action in actions:
        check_due_within_plan(plans[action.plan_id], action.due_on)
        if action.status is ActionStatus.DONE:
            assert action.completed_at is not None and action.completed_at < now
        else:
            assert action.completed_at is None
    assert {a.status for a in actions} == set(ActionStatus)
    assert any(a.need_id for a in actions) and any(a.stakeholder_id for a in actions)


async def test_loading_again_when_not_empty_loads_nothing(demo: str, engine: AsyncEngine) -> None:
    assert await load_demo(demo, only_if_empty=True) is False
    async with session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(Account)) == 6


async def test_loading_into_a_database_with_data_reuses_team_members(demo: str, engine: AsyncEngine) -> None:
    assert await load_demo(demo, only_if_empty=False) is True
    async with session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(Account)) == 12
        assert await session.scalar(select(func.count()).select_from(TeamMember)) == 8
        at_risk = await session.scalar(
            select(func.count()).select_from(Account).where(Account.lifecycle_stage == LifecycleStage.AT_RISK)
        )
    assert at_risk == 2


async def test_readme_examples_run_against_the_demo(demo: str, client: GraphQLClient) -> None:
    examples = EXAMPLE.findall(README.read_text(encoding="utf-8"))
    assert len(examples) >= 4
    results = []
    for document, variables in examples:
        data = await client.execute(document, json.loads(variables) if variables else None)
        assert all(value is not None for value in data.values()), (document, data)
        for payload in data.values():
            if isinstance(payload, dict) and "userErrors" in payload:
                assert payload["userErrors"] == [], (document, payload)
        results.append(data)
    # The ID the README quotes for Nordwerk is the one its first example finds.
    assert results[0]["accounts"]["nodes"] == [{"id": "QWNjb3VudDox", "name": "Nordwerk Maschinenbau AG"}]


NOT_CONTACTED = """
query($since: Date!) {
  accounts(filter: {lastInteractionBefore: $since, isKeyAccount: true}, orderBy: {field: LAST_INTERACTION}) {
    nodes { name lifecycleStage interactionRecency { lastInteractionAt last90Days } }
  }
}"""


async def test_a_key_account_nobody_called_for_two_months_is_found_in_one_query(demo: str, client: GraphQLClient) -> None:
    today = utcnow().date()
    since = today.fromordinal(today.toordinal() - 60).isoformat()
    nodes = (await client.execute(NOT_CONTACTED, {"since": since}))["accounts"]["nodes"]
    assert [n["name"] for n in nodes] == ["St. Aurelia Health Network"]
    (aurelia,) = nodes
    assert aurelia["lifecycleStage"] == "AT_RISK"
    last = datetime.fromisoformat(aurelia["interactionRecency"]["lastInteractionAt"])
    assert (today - last.date()).days > 60
    assert aurelia["interactionRecency"]["last90Days"] == 1


async def test_every_account_has_interactions_with_its_own_people(demo: str, engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        per_account = dict((await session.execute(select(Interaction.account_id, func.count()).group_by(Interaction.account_id))).all())
        mismatched = await session.scalar(
            select(func.count())
            .select_from(InteractionStakeholder)
            .join(Interaction, Interaction.id == InteractionStakeholder.interaction_id)
            .join(Stakeholder, Stakeholder.id == InteractionStakeholder.stakeholder_id)
            .where(Stakeholder.account_id != Interaction.account_id)
        )
        accounts = (await session.scalars(select(Account.id))).all()
    assert set(per_account) == set(accounts)
    assert mismatched == 0


PIPELINE = """
{
  funnel {
    deals won lost winRate
    stages { stage count amounts { amount currency } weightedAmounts { amount } }
    conversion { stage entered progressed rate }
  }
  opportunities(filter: {stages: [QUOTATION]}, orderBy: {field: AMOUNT, direction: DESC}) {
    nodes { name stageEnteredOn account { name } }
  }
}"""


async def test_the_pipeline_per_stage_and_its_conversion_come_in_one_query(demo: str, client: GraphQLClient) -> None:
    data = await client.execute(PIPELINE)
    funnel = data["funnel"]
    assert (funnel["deals"], funnel["won"], funnel["lost"], funnel["winRate"]) == (9, 2, 1, 2 / 3)
    by_stage = {s["stage"]: s for s in funnel["stages"]}
    assert by_stage["QUOTATION"]["count"] == 2
    assert by_stage["QUOTATION"]["amounts"] == [{"amount": "980000.00", "currency": "EUR"}]
    assert by_stage["QUOTATION"]["weightedAmounts"] == [{"amount": "686000.00"}]  # 70% of 380,000 + 600,000
    assert sum(s["count"] for s in funnel["stages"]) == 6
    assert all(c["progressed"] <= c["entered"] for c in funnel["conversion"])
    stuck = data["opportunities"]["nodes"]
    assert [(d["name"], d["account"]["name"]) for d in stuck] == [
        ("Ward scheduling renewal", "St. Aurelia Health Network"),
        ("Replenishment screens, 40 stores", "Lumen Retail Group"),
    ]
    today = utcnow().date()
    assert (today - date.fromisoformat(stuck[1]["stageEnteredOn"])).days == 85


BOUGHT = """
query($id: ID!, $from: Date!, $to: Date!) {
  account(id: $id) {
    name currentAnnualValue { amount } currentAnnualValueSource
    revenue {
      trailingTwelveMonths { amount currency } ordersLast12Months marginToDate { amount }
      byPeriod(grain: YEAR, from: $from, to: $to) { start amount { amount } orders }
    }
  }
}"""


async def test_what_an_account_bought_over_three_years_comes_in_one_query(demo: str, client: GraphQLClient) -> None:
    ids = {n["name"]: n["id"] for n in (await client.execute("{ accounts { nodes { id name } } }"))["accounts"]["nodes"]}
    today = utcnow().date()
    window = {"from": today.replace(year=today.year - 3).isoformat(), "to": today.isoformat()}

    def yearly(account: dict[str, Any]) -> list[float]:
        return [float(p["amount"]["amount"]) for p in account["revenue"]["byPeriod"]]

    lumen = (await client.execute(BOUGHT, {"id": ids["Lumen Retail Group"], **window}))["account"]
    assert lumen["currentAnnualValueSource"] == "TRAILING_TWELVE_MONTHS"
    assert lumen["currentAnnualValue"]["amount"] == lumen["revenue"]["trailingTwelveMonths"]["amount"]
    assert lumen["revenue"]["ordersLast12Months"] == 12
    assert sum(p["orders"] for p in lumen["revenue"]["byPeriod"]) == 36
    # Falling revenue: the twelve months before the latest twelve bought more than the latest twelve.
    monthly = await client.execute(
        """query($id: ID!, $from: Date!, $to: Date!) { account(id: $id) { revenue {
             byPeriod(grain: MONTH, from: $from, to: $to) { amount { amount } orders } } } }""",
        {"id": ids["Lumen Retail Group"], **window},
    )
    months = [float(p["amount"]["amount"]) for p in monthly["account"]["revenue"]["byPeriod"] if p["orders"]]
    assert sum(months[-24:-12]) > sum(months[-12:]) * 1.3

    nordwerk = (await client.execute(BOUGHT, {"id": ids["Nordwerk Maschinenbau AG"], **window}))["account"]
    assert sum(p["orders"] for p in nordwerk["revenue"]["byPeriod"]) == 36 and yearly(nordwerk)
    meridian = (await client.execute(BOUGHT, {"id": ids["Meridian Capital Bank plc"], **window}))["account"]
    assert meridian["currentAnnualValueSource"] == "ENTERED" and all(p["orders"] == 0 for p in meridian["revenue"]["byPeriod"])


JUDGED = """
{
  accounts(first: 20) {
    nodes {
      name grade
      judgment {
        grade score cadenceDays daysOverdue lifecycleStage
        factors { factor points count of stage }
        health { score band churnWarning warningFactors }
      }
    }
  }
}"""


async def test_the_judgments_tell_the_demo_story(demo: str, client: GraphQLClient) -> None:
    judged = {n["name"]: n for n in (await client.execute(JUDGED))["accounts"]["nodes"]}
    # The planner keeps Nordwerk an A; the rules judge a B and say why: half of its needs are clear, 6 interactions
    # in 90 days where an A expects 12.86, the furthest open deal only in NEEDS_ANALYSIS.
    nordwerk = judged["Nordwerk Maschinenbau AG"]
    assert (nordwerk["grade"], nordwerk["judgment"]["grade"], nordwerk["judgment"]["score"]) == ("A", "B", 64.17)
    assert [(f["factor"], f["points"]) for f in nordwerk["judgment"]["factors"]] == [
        ("NEED_CLARITY", 12.5), ("VALUE", 25.0), ("INTERACTION_FREQUENCY", 11.67), ("SALES_STAGE", 15.0)
    ]
    # Boreal earns its A (12 interactions in 90 days), but the weekly check-in slipped: the last was 10 days ago, an
    # A's cadence is 7.
    boreal = judged["Boreal Energy ASA"]["judgment"]
    assert (boreal["grade"], boreal["score"], boreal["cadenceDays"], boreal["daysOverdue"]) == ("A", 78.33, 7, 3)
    # St. Aurelia: nobody called for 68 days, the new CEO and the CFO stand against us, revenue fell by more than a
    # third, two of the plan's three open actions are late: a churn warning that puts the customer AT_RISK.
    aurelia = judged["St. Aurelia Health Network"]["judgment"]
    assert (aurelia["health"]["band"], aurelia["health"]["churnWarning"], aurelia["lifecycleStage"]) == ("AT_RISK", True, "AT_RISK")
    assert aurelia["health"]["score"] < 40
    assert aurelia["health"]["warningFactors"] == ["RECENCY", "ORGANISATIONAL_SUPPORT", "REVENUE_TREND", "PLAN_PROGRESS"]
    # The only churn warning of the portfolio.
    assert [name for name, n in judged.items() if n["judgment"]["health"]["churnWarning"]] == ["St. Aurelia Health Network"]
