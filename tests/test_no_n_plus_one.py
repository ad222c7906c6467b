"""The number of SQL statements of a nested query does not grow with the rows it returns."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain import (
    Account,
    Action,
    ActionPlan,
    ActionStatus,
    Attitude,
    BuyingRole,
    Coverage,
    CoverageStrength,
    Grade,
    GrowthAssessment,
    GrowthQuadrant,
    Influence,
    InfluenceLink,
    LifecycleStage,
    LinkStrength,
    MemberRole,
    Need,
    NeedCategory,
    NeedStatus,
    NeedVisibility,
    Objective,
    PlanStatus,
    Priority,
    Quarter,
    RelationshipStage,
    Stakeholder,
    TeamMember,
    ValueTier,
)
from kam.db import session_factory
from tests.conftest import GraphQLClient, StatementCounter

NESTED = """
query($first: Int!) {
  accounts(first: $first) {
    totalCount
    nodes {
      name owner { name } team { member { name } }
      latestAssessment { quadrant }
      stakeholders(first: 20) {
        totalCount
        nodes { name buyingRoles manager { name } needs { title peakQuarters } coverage { member { name } strength } }
      }
      needs(first: 20) { nodes { title stakeholder { name } } }
      plans(first: 10) {
        nodes { title objectives { description } actions(first: 20) { nodes { title owner { name } need { title } } } }
      }
    }
  }
}"""

MAP = """
query($first: Int!) {
  accounts(first: $first) {
    nodes {
      relationshipMap {
        nodes { stakeholder { name } buyingRoles attitude influence }
        edges { kind source { name } target { name } }
        coverage { member { name } stakeholder { name } strength }
        summary { stakeholdersByRole { role count } uncoveredDecisionMakers { name } supportIndex singleThreaded }
      }
    }
  }
}"""


async def seed(engine: AsyncEngine, accounts: int) -> None:
    """A portfolio in the shape the API serves: maps, needs, plans, assessments on every account."""
    async with session_factory(engine)() as session, session.begin():
        member = TeamMember(name="Owner", email="owner@kam.example", role=MemberRole.ACCOUNT_MANAGER)
        session.add(member)
        await session.flush()
        for a in range(accounts):
            account = Account(
                name=f"Account {a:03}", grade=Grade.A, value_tier=ValueTier.HIGH, owner_id=member.id,
                relationship_stage=RelationshipStage.REPEAT_CUSTOMER, lifecycle_stage=LifecycleStage.RETENTION,
                currency="EUR", current_annual_value=Decimal(a * 1000), estimated_wallet=Decimal(a * 5000),
            )
            session.add(account)
            await session.flush()
            people = []
            for s in range(4):
                person = Stakeholder(
                    account_id=account.id, name=f"Person {a}-{s}", attitude=list(Attitude)[s % 5],
                    influence=list(Influence)[s % 3], reports_to_id=people[0].id if people else None,
                )
                person.buying_roles = [BuyingRole.DECISION_MAKER] if s == 0 else [BuyingRole.USER, BuyingRole.INFLUENCER]
                session.add(person)
                await session.flush()
                people.append(person)
                need = Need(
                    account_id=account.id, stakeholder_id=person.id, title=f"Need {a}-{s}",
                    category=NeedCategory.FUNCTIONAL, visibility=NeedVisibility.EXPLICIT,
                    priority=Priority.HIGH, status=NeedStatus.IDENTIFIED,
                )
                need.peak_quarters = [list(Quarter)[s % 4]]
                session.add(need)
            session.add(InfluenceLink(account_id=account.id, source_id=people[1].id, target_id=people[0].id, strength=LinkStrength.STRONG))
            session.add(Coverage(account_id=account.id, stakeholder_id=people[1].id, member_id=member.id, strength=CoverageStrength.GOOD))
            session.add(GrowthAssessment(
                account_id=account.id, assessed_on=date(2026, 1, 1), current_value=Decimal(1), potential=Decimal(2),
                currency="EUR", quadrant=GrowthQuadrant.DEVELOP,
            ))
            plan = ActionPlan(account_id=account.id, title=f"Plan {a}", status=PlanStatus.ACTIVE, starts_on=date(2026, 1, 1))
            session.add(plan)
            await session.flush()
            session.add(Objective(plan_id=plan.id, description="Grow", metric="revenue", target=Decimal(100)))
            for n in range(3):
                session.add(Action(
                    plan_id=plan.id, title=f"Action {a}-{n}", owner_id=member.id, status=ActionStatus.TODO,
                    due_on=date(2026, 1, 1) + timedelta(days=n), stakeholder_id=people[n].id,
                ))


async def statements(client: GraphQLClient, sql: StatementCounter, query: str, first: int) -> int:
    sql.reset()
    data = await client.execute(query, {"first": first})
    assert len(data["accounts"]["nodes"]) == first
    return sql.count


# The nested page of 50 accounts is estimated past the default cost limit (it counts every list at a full page);
# what is measured here is how statements grow, so the limit is raised for it.
@pytest.mark.parametrize("settings", [{"max_query_cost": 250_000}], indirect=True)
@pytest.mark.parametrize("query", [NESTED, MAP], ids=["nested-account-page", "relationship-maps"])
async def test_statement_count_is_flat_from_5_to_50_accounts(
    client: GraphQLClient, engine: AsyncEngine, sql: StatementCounter, query: str
) -> None:
    await seed(engine, 50)
    small = await statements(client, sql, query, 5)
    large = await statements(client, sql, query, 50)
    assert small == large, f"{small} statements for 5 accounts, {large} for 50"
    assert small < 25
