"""Buying roles and peak quarters load only when a query asks for them, in one statement per request.

They live in their own tables (stakeholder_buying_role, need_peak_quarter); loading them with
every stakeholder or need would cost a statement per 500 rows and ORM objects nobody reads.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain import (
    Account,
    BuyingRole,
    Grade,
    LifecycleStage,
    Need,
    NeedCategory,
    NeedPeakQuarter,
    NeedStatus,
    NeedVisibility,
    Priority,
    Quarter,
    RelationshipStage,
    Stakeholder,
    StakeholderBuyingRole,
    ValueTier,
)
from kam.db import session_factory
from kam.settings import Settings
from resolvers.ids import to_global_id
from tests.conftest import GraphQLClient, StatementCounter
from tests.factories import create_account
from tests.plan_factories import create_need
from tests.stakeholder_factories import create_stakeholder


@pytest.fixture(params=[False, True], ids=["executor", "compiled"])
def settings(request: pytest.FixtureRequest, database_url: str) -> Settings:
    """Every test runs through the general executor and through compiled reads (where they cover the query)."""
    return Settings(database_url=database_url, compiled_reads=request.param)


ROLE_TABLE = "stakeholder_buying_role"
QUARTER_TABLE = "need_peak_quarter"

# The benchmark's account page (bench/queries/account_page.graphql), with the needs' peak quarters.
ACCOUNT_PAGE = """
query($first: Int!) {
  accounts(first: $first) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name grade quadrant
      stakeholders(first: 20) {
        nodes {
          id name title attitude influence buyingRoles
          needs { id title priority status peakQuarters }
        }
      }
    }
  }
}"""

# The same page and more, asking for neither buying roles nor peak quarters.
WITHOUT_ROLES_OR_QUARTERS = """
query($first: Int!) {
  accounts(first: $first) {
    nodes {
      name
      stakeholders(first: 20) { nodes { name attitude manager { name } needs { title status } } }
      needs(first: 20) { nodes { title priority stakeholder { name } } }
      relationshipMap {
        nodes { stakeholder { name } attitude influence coveredByCount }
        summary { supportIndex singleThreaded coveredStakeholderCount influentialOpponents { name } }
      }
    }
  }
}"""

ONE_STAKEHOLDER = """
query($id: ID!) {
  node(id: $id) { ... on Stakeholder { name needs { title } } }
}"""

RENAME = """
mutation($input: StakeholderUpdateInput!) {
  stakeholderUpdate(input: $input) { stakeholder { name version } userErrors { field message code } }
}"""

UPDATE_STAKEHOLDER = """
mutation($input: StakeholderUpdateInput!) {
  stakeholderUpdate(input: $input) { stakeholder { name buyingRoles version } userErrors { field message code } }
}"""

UPDATE_NEED = """
mutation($input: NeedUpdateInput!) {
  needUpdate(input: $input) { need { title peakQuarters version } userErrors { field message code } }
}"""

# Each person holds these roles, written in reverse enum order; the API lists them in the enum's order.
ROLES = [BuyingRole.TECHNICAL_EVALUATOR, BuyingRole.CHAMPION, BuyingRole.DECISION_MAKER]
QUARTERS = [Quarter.Q4, Quarter.Q2]


async def seed(engine: AsyncEngine, accounts: int, people: int) -> None:
    """`accounts` accounts of `people` stakeholders each; every stakeholder holds roles and one need with peaks."""
    common = {"version": 1}
    async with session_factory(engine)() as session, session.begin():
        account_ids = list(
            await session.scalars(
                insert(Account).returning(Account.id),
                [
                    {
                        **common, "name": f"Account {a:03}", "grade": Grade.A, "value_tier": ValueTier.HIGH,
                        "relationship_stage": RelationshipStage.REPEAT_CUSTOMER,
                        "lifecycle_stage": LifecycleStage.RETENTION, "currency": "EUR",
                        "current_annual_value": Decimal(0), "estimated_wallet": Decimal(0),
                    }
                    for a in range(accounts)
                ],
            )
        )
        person_ids = list(
            await session.scalars(
                insert(Stakeholder).returning(Stakeholder.id),
                [
                    {**common, "account_id": account_id, "name": f"Person {a:03}-{p:03}"}
                    for a, account_id in enumerate(account_ids)
                    for p in range(people)
                ],
            )
        )
        await session.execute(
            insert(StakeholderBuyingRole), [{"stakeholder_id": i, "role": r} for i in person_ids for r in ROLES]
        )
        owners = list(await session.execute(select(Stakeholder.id, Stakeholder.account_id)))
        need_ids = list(
            await session.scalars(
                insert(Need).returning(Need.id),
                [
                    {
                        **common, "account_id": account_id, "stakeholder_id": person_id,
                        "title": f"Need of {person_id}", "category": NeedCategory.FUNCTIONAL,
                        "visibility": NeedVisibility.EXPLICIT, "priority": Priority.HIGH, "status": NeedStatus.IDENTIFIED,
                    }
                    for person_id, account_id in owners
                ],
            )
        )
        await session.execute(
            insert(NeedPeakQuarter), [{"need_id": i, "quarter": q} for i in need_ids for q in QUARTERS]
        )


def touching(sql: StatementCounter, table: str) -> list[str]:
    return [s for s in sql.statements if table in s]


async def test_account_page_sends_as_many_statements_for_600_stakeholders_as_for_40(
    client: GraphQLClient, engine: AsyncEngine, sql: StatementCounter
) -> None:
    await seed(engine, accounts=30, people=20)

    sql.reset()
    small = (await client.execute(ACCOUNT_PAGE, {"first": 2}))["accounts"]["nodes"]
    small_count = sql.count
    sql.reset()
    large = (await client.execute(ACCOUNT_PAGE, {"first": 30}))["accounts"]["nodes"]
    large_count = sql.count

    people = [p for account in large for p in account["stakeholders"]["nodes"]]
    needs = [n for p in people for n in p["needs"]]
    assert len(small) == 2 and len(people) == 600 and len(needs) == 600
    assert large_count == small_count, f"{small_count} statements for 40 stakeholders, {large_count} for 600"
    assert len(touching(sql, ROLE_TABLE)) == 1 and len(touching(sql, QUARTER_TABLE)) == 1
    assert all(p["buyingRoles"] == ["DECISION_MAKER", "CHAMPION", "TECHNICAL_EVALUATOR"] for p in people)
    assert all(n["peakQuarters"] == ["Q2", "Q4"] for n in needs)


async def test_roles_and_quarters_are_not_read_when_no_field_asks_for_them(
    client: GraphQLClient, engine: AsyncEngine, sql: StatementCounter
) -> None:
    await seed(engine, accounts=3, people=4)

    sql.reset()
    data = await client.execute(WITHOUT_ROLES_OR_QUARTERS, {"first": 3})
    person = data["accounts"]["nodes"][0]["stakeholders"]["nodes"][0]
    assert person["needs"] == [{"title": person["needs"][0]["title"], "status": "IDENTIFIED"}]
    summary = data["accounts"]["nodes"][0]["relationshipMap"]["summary"]
    assert summary["singleThreaded"] is True and summary["coveredStakeholderCount"] == 0

    async with session_factory(engine)() as session:
        first = await session.scalar(select(Stakeholder.id).order_by(Stakeholder.id).limit(1))
    stakeholder_id = to_global_id("Stakeholder", first)
    assert (await client.execute(ONE_STAKEHOLDER, {"id": stakeholder_id}))["node"]["name"] == "Person 000-000"
    renamed = await client.mutate(RENAME, {"id": stakeholder_id, "name": "Renamed", "version": 1})
    assert renamed == {"stakeholder": {"name": "Renamed", "version": 2}, "userErrors": []}

    assert sql.count > 0
    assert touching(sql, ROLE_TABLE) == [] and touching(sql, QUARTER_TABLE) == []


@pytest.mark.parametrize("asked", ["buyingRoles", "peakQuarters"])
async def test_a_field_asked_for_reads_only_its_own_table(
    client: GraphQLClient, engine: AsyncEngine, sql: StatementCounter, asked: str
) -> None:
    await seed(engine, accounts=2, people=3)
    query = ACCOUNT_PAGE.replace("buyingRoles" if asked == "peakQuarters" else "peakQuarters", "")

    sql.reset()
    await client.execute(query, {"first": 2})

    read, unread = (ROLE_TABLE, QUARTER_TABLE) if asked == "buyingRoles" else (QUARTER_TABLE, ROLE_TABLE)
    assert len(touching(sql, read)) == 1 and touching(sql, unread) == []


async def test_changing_a_list_and_other_fields_together_is_one_new_version(client: GraphQLClient) -> None:
    account = await create_account(client)
    person = await create_stakeholder(client, account["id"], buyingRoles=["USER"])
    need = await create_need(client, account["id"], peakQuarters=["Q3"])

    changed = await client.mutate(
        UPDATE_STAKEHOLDER, {"id": person["id"], "version": 1, "name": "Nina", "buyingRoles": ["CHAMPION", "DECISION_MAKER"]}
    )
    assert changed == {
        "stakeholder": {"name": "Nina", "buyingRoles": ["DECISION_MAKER", "CHAMPION"], "version": 2}, "userErrors": [],
    }
    moved = await client.mutate(UPDATE_NEED, {"id": need["id"], "version": 1, "title": "Renewal", "peakQuarters": ["Q4", "Q1"]})
    assert moved == {"need": {"title": "Renewal", "peakQuarters": ["Q1", "Q4"], "version": 2}, "userErrors": []}
