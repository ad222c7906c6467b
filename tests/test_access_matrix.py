"""Authorisation on every path: each role against each query root and each kind of mutation.

Two accounts with a full set of children: OURS, which the caller works on, and
THEIRS, which they do not. The ADMIN sees and changes both; the MANAGER (whose
report is on OURS' team) reads both but changes only OURS; the ACCOUNT_MANAGER
(on OURS' team) reads and changes only OURS; the VIEWER (on OURS' team) only
reads OURS. What a caller may not see answers exactly like something that does
not exist; what they may not change stays as it was.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain import ApiToken, Base
from kam.app import create_app
from kam.db import create_engine
from kam.settings import Settings
from resolvers.ids import to_global_id
from tests.conftest import (
    ClientFor,
    GraphQLClient,
    StatementCounter,
    add_member,
    http_client,
)
from tests.factories import create_account
from tests.plan_factories import (
    create_action,
    create_need,
    create_objective,
    create_plan,
    create_stakeholder,
    record_assessment,
)
from tests.stakeholder_factories import add_link, set_coverage
from tests.stores import Store

ROLES = ["ADMIN", "MANAGER", "ACCOUNT_MANAGER", "VIEWER"]
READS_THEIRS = {"ADMIN": True, "MANAGER": True, "ACCOUNT_MANAGER": False, "VIEWER": False}
NODE_TYPES = ["Account", "Stakeholder", "InfluenceLink", "Coverage", "Need", "GrowthAssessment", "ActionPlan", "Objective", "Action"]
MISSING = {name: to_global_id(name, 999_999) for name in [*NODE_TYPES, "TeamMember"]}


@dataclass
class World:
    ours: dict[str, str]  # GraphQL type name -> global ID of a row of OURS
    theirs: dict[str, str]
    second_stakeholder: dict[str, str]  # "ours"/"theirs" -> another stakeholder of that account
    admin: GraphQLClient


async def populate(admin: GraphQLClient, name: str) -> tuple[dict[str, str], str]:
    account = await create_account(admin, name=name)
    first = await create_stakeholder(admin, account["id"], name=f"{name} CEO")
    second = await create_stakeholder(admin, account["id"], name=f"{name} CFO")
    link = await add_link(admin, first, second)
    coverage = await set_coverage(admin, admin.member, first)  # type: ignore[arg-type]
    need = await create_need(admin, account["id"])
    assessment = await record_assessment(admin, account["id"], currentValue="5", potential="5")
    plan = await create_plan(admin, account["id"])
    objective = await create_objective(admin, plan["id"])
    action = await create_action(admin, plan["id"])
    rows = {
        "Account": account["id"], "Stakeholder": first["id"], "InfluenceLink": link["id"], "Coverage": coverage["id"],
        "Need": need["id"], "GrowthAssessment": assessment["id"], "ActionPlan": plan["id"],
        "Objective": objective["id"], "Action": action["id"],
    }
    return rows, second["id"]


@pytest.fixture(scope="module")
async def world_template(store: Store) -> AsyncIterator[tuple[str, World]]:
    """Both accounts built once through the API; every test starts from a copy of that database."""
    url = store.copy(store.base)
    engine = create_engine(url)
    try:
        admin = await add_member(engine, "ADMIN")
        async with http_client(create_app(Settings(database_url=url), engine=engine), admin["token"]) as http:
            builder = GraphQLClient(http, admin)
            ours, ours_second = await populate(builder, "Ours")
            theirs, theirs_second = await populate(builder, "Theirs")
    finally:
        await engine.dispose()
    yield url, World(ours, theirs, {"ours": ours_second, "theirs": theirs_second}, builder)
    store.drop(url)


@pytest.fixture
def database_url(world_template: tuple[str, World], store: Store) -> Iterator[str]:
    url = store.copy(world_template[0])
    yield url
    store.drop(url)


@pytest.fixture
def world(world_template: tuple[Path, World], client: GraphQLClient) -> World:
    return dataclasses.replace(world_template[1], admin=client)


async def member_of_role(role: str, world: World, client_for: ClientFor) -> GraphQLClient:
    """A caller of `role` who works on OURS (the MANAGER through a member they manage) and not on THEIRS."""
    if role == "ADMIN":
        return await client_for("ADMIN")
    if role == "MANAGER":
        manager = await client_for("MANAGER")
        await client_for("ACCOUNT_MANAGER", on=[world.ours["Account"]], manager_id=manager.member["id"])  # type: ignore[index]
        return manager
    return await client_for(role, on=[world.ours["Account"]])


@pytest.fixture(params=ROLES)
async def caller(request: pytest.FixtureRequest, world: World, client_for: ClientFor) -> GraphQLClient:
    return await member_of_role(request.param, world, client_for)


def role(caller: GraphQLClient) -> str:
    return caller.member["role"]  # type: ignore[index]


async def fingerprint(engine: AsyncEngine) -> str:
    """Every row of every table but the tokens' (whose `last_used_at` moves when they are used)."""
    digest = hashlib.sha256()
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table is ApiToken.__table__:
                continue
            for row in await conn.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr((table.name, tuple(row))).encode())
    return digest.hexdigest()


# Reads

ACCOUNTS = "{ accounts(filter: {includeArchived: true}) { totalCount nodes { id } } }"
SEARCH = "query($name: String!) { accounts(filter: {search: $name}) { totalCount nodes { id } pageInfo { hasNextPage } } }"
ACCOUNT = "query($id: ID!) { account(id: $id) { id name stakeholders { totalCount } needs { totalCount } } }"
NODE = "query($id: ID!) { node(id: $id) { id } }"
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
STAKEHOLDER = "query($id: ID!) { stakeholder(id: $id) { id name account { id } } }"
MAP = "query($id: ID!) { relationshipMap(accountId: $id) { account { id } nodes { stakeholder { id } } coverage { id } } }"
MATRIX = """{ growthMatrix(filter: {includeArchived: true}) {
  unassessedCount quadrants { quadrant accountCount totalCurrentValue { amount } accounts { totalCount nodes { id } } }
} }"""
TEAM_MEMBERS = "{ teamMembers(first: 100) { totalCount nodes { id } } }"


def visible_accounts(world: World, who: str) -> set[str]:
    return {world.ours["Account"], world.theirs["Account"]} if READS_THEIRS[who] else {world.ours["Account"]}


async def test_accounts_list_and_count_hold_only_readable_accounts(caller: GraphQLClient, world: World) -> None:
    data = (await caller.execute(ACCOUNTS))["accounts"]
    expected = visible_accounts(world, role(caller))
    assert {n["id"] for n in data["nodes"]} == expected
    assert data["totalCount"] == len(expected)


async def test_searching_for_a_hidden_account_finds_nothing(caller: GraphQLClient) -> None:
    found = await caller.post(SEARCH, {"name": "Theirs"})
    nothing = await caller.post(SEARCH, {"name": "No such account"})
    if READS_THEIRS[role(caller)]:
        assert found.json()["data"]["accounts"]["totalCount"] == 1
    else:
        assert found.json() == nothing.json()


async def assert_hidden_like_missing(caller: GraphQLClient, query: str, hidden: dict[str, Any], missing: dict[str, Any]) -> None:
    seen = await caller.post(query, hidden)
    absent = await caller.post(query, missing)
    assert seen.status_code == absent.status_code == 200
    assert seen.json() == absent.json()
    assert set(seen.json()["data"].values()) == {None}


async def test_account_by_id(caller: GraphQLClient, world: World) -> None:
    ours = (await caller.execute(ACCOUNT, {"id": world.ours["Account"]}))["account"]
    assert ours["stakeholders"]["totalCount"] == 2 and ours["needs"]["totalCount"] == 1
    if READS_THEIRS[role(caller)]:
        assert (await caller.execute(ACCOUNT, {"id": world.theirs["Account"]}))["account"]["name"] == "Theirs"
    else:
        await assert_hidden_like_missing(caller, ACCOUNT, {"id": world.theirs["Account"]}, {"id": MISSING["Account"]})


@pytest.mark.parametrize("type_name", NODE_TYPES)
async def test_node_of_every_type(caller: GraphQLClient, world: World, type_name: str) -> None:
    assert (await caller.execute(NODE, {"id": world.ours[type_name]}))["node"] == {"id": world.ours[type_name]}
    theirs = world.theirs[type_name]
    if READS_THEIRS[role(caller)]:
        assert (await caller.execute(NODE, {"id": theirs}))["node"] == {"id": theirs}
    else:
        await assert_hidden_like_missing(caller, NODE, {"id": theirs}, {"id": MISSING[type_name]})


HISTORY = "query($id: ID!) { account(id: $id) { history(first: 1) { nodes { id } } } }"


async def test_audit_events_go_with_their_account(caller: GraphQLClient, world: World) -> None:
    events = {}
    for side in ("ours", "theirs"):
        data = await world.admin.execute(HISTORY, {"id": getattr(world, side)["Account"]})
        (events[side],) = [n["id"] for n in data["account"]["history"]["nodes"]]
    assert (await caller.execute(HISTORY, {"id": world.ours["Account"]}))["account"]["history"]["nodes"] == [
        {"id": events["ours"]}
    ]
    assert (await caller.execute(NODE, {"id": events["ours"]}))["node"] == {"id": events["ours"]}
    if READS_THEIRS[role(caller)]:
        assert (await caller.execute(NODE, {"id": events["theirs"]}))["node"] == {"id": events["theirs"]}
    else:
        await assert_hidden_like_missing(caller, NODE, {"id": events["theirs"]}, {"id": to_global_id("AuditEvent", 999_999)})


async def test_team_members_are_visible_to_every_member(caller: GraphQLClient, world: World) -> None:
    admin_view = await world.admin.execute(TEAM_MEMBERS)
    assert await caller.execute(TEAM_MEMBERS) == admin_view
    someone = admin_view["teamMembers"]["nodes"][0]["id"]
    assert (await caller.execute(NODE, {"id": someone}))["node"] == {"id": someone}


async def test_me_is_the_caller_with_their_role(caller: GraphQLClient) -> None:
    data = await caller.execute("{ me { id email role } }")
    assert data["me"] == {k: caller.member[k] for k in ("id", "email", "role")}  # type: ignore[index]


async def test_nodes_null_exactly_the_hidden_and_the_missing(caller: GraphQLClient, world: World) -> None:
    ids = [world.ours[t] for t in NODE_TYPES] + [world.theirs[t] for t in NODE_TYPES] + [MISSING["Need"]]
    data = (await caller.execute(NODES, {"ids": ids}))["nodes"]
    shown = [None if node is None else node["id"] for node in data]
    theirs = [world.theirs[t] for t in NODE_TYPES] if READS_THEIRS[role(caller)] else [None] * len(NODE_TYPES)
    assert shown == [world.ours[t] for t in NODE_TYPES] + theirs + [None]


async def test_stakeholder_by_id(caller: GraphQLClient, world: World) -> None:
    ours = (await caller.execute(STAKEHOLDER, {"id": world.ours["Stakeholder"]}))["stakeholder"]
    assert ours["account"] == {"id": world.ours["Account"]}
    if READS_THEIRS[role(caller)]:
        assert (await caller.execute(STAKEHOLDER, {"id": world.theirs["Stakeholder"]}))["stakeholder"] is not None
    else:
        await assert_hidden_like_missing(
            caller, STAKEHOLDER, {"id": world.theirs["Stakeholder"]}, {"id": MISSING["Stakeholder"]}
        )


async def test_relationship_map(caller: GraphQLClient, world: World) -> None:
    ours = (await caller.execute(MAP, {"id": world.ours["Account"]}))["relationshipMap"]
    assert len(ours["nodes"]) == 2 and ours["coverage"] == [{"id": world.ours["Coverage"]}]
    if READS_THEIRS[role(caller)]:
        assert (await caller.execute(MAP, {"id": world.theirs["Account"]}))["relationshipMap"] is not None
    else:
        await assert_hidden_like_missing(caller, MAP, {"id": world.theirs["Account"]}, {"id": MISSING["Account"]})


async def test_growth_matrix_counts_and_lists_only_readable_accounts(caller: GraphQLClient, world: World) -> None:
    matrix = (await caller.execute(MATRIX))["growthMatrix"]
    expected = visible_accounts(world, role(caller))
    listed = {n["id"] for q in matrix["quadrants"] for n in q["accounts"]["nodes"]}
    assert listed == expected
    assert sum(q["accountCount"] for q in matrix["quadrants"]) + matrix["unassessedCount"] == len(expected)
    assert sum(q["accounts"]["totalCount"] for q in matrix["quadrants"]) == len(expected)
    totals = [m["amount"] for q in matrix["quadrants"] for m in q["totalCurrentValue"]]
    assert totals == [f"{5 * len(expected)}.00"]


async def test_a_team_member_leads_to_no_account() -> None:
    """Team members are visible to everyone, so nothing on them may lead to an account's data."""
    from schema.api import build_schema

    schema = build_schema()._schema
    leaf_or_member = {"TeamMember", "String", "ID", "Boolean", "DateTime", "MemberRole", "Int"}
    fields = schema.type_map["TeamMember"].fields  # type: ignore[union-attr]
    reachable = set()
    for field in fields.values():
        kind = field.type
        while hasattr(kind, "of_type"):
            kind = kind.of_type
        reachable.add(kind.name)
    assert reachable <= leaf_or_member, reachable - leaf_or_member


async def test_checking_nodes_costs_no_statement_per_row(
    world: World, client_for: ClientFor, sql: StatementCounter
) -> None:
    viewer = await member_of_role("VIEWER", world, client_for)
    sql.reset()
    await viewer.execute(NODES, {"ids": [world.ours[t] for t in NODE_TYPES]})
    nine = sql.count
    sql.reset()
    await viewer.execute(NODES, {"ids": [world.ours[t] for t in NODE_TYPES] + [world.theirs[t] for t in NODE_TYPES]})
    assert sql.count == nine
    # The token, the caller's accounts and one batch per type: buying roles and peak quarters load only when asked.
    assert nine == 2 + len(NODE_TYPES)


# Mutations

ALLOWED, FORBIDDEN, NOT_FOUND = "allowed", "forbidden", "not found"


@dataclass(frozen=True)
class Case:
    """One mutation: its name, and its input against OURS, THEIRS or a missing object."""

    mutation: str
    input_type: str
    build: Callable[[World, str, GraphQLClient], dict[str, Any]]
    rule: str = "account"  # "account": per account; "admin": ADMINs only; "create": all but VIEWERs

    @property
    def document(self) -> str:
        return (
            f"mutation($input: {self.input_type}!) {{ {self.mutation}(input: $input) "
            "{ userErrors { field message code } } }"
        )


def row(world: World, side: str, type_name: str) -> str:
    return MISSING[type_name] if side == "missing" else getattr(world, side)[type_name]


def account_of(world: World, side: str) -> str:
    return row(world, side, "Account")


CASES = [
    Case("accountCreate", "AccountCreateInput", lambda w, s, c: {"name": "New", "grade": "B", "valueTier": "LOW"}, "create"),
    Case("accountUpdate", "AccountUpdateInput", lambda w, s, c: {"id": account_of(w, s), "name": "Renamed"}),
    Case("accountArchive", "AccountArchiveInput", lambda w, s, c: {"id": account_of(w, s)}),
    Case("accountDelete", "AccountDeleteInput", lambda w, s, c: {"id": account_of(w, s)}, "admin"),
    Case(
        "accountTeamMemberSet",
        "AccountTeamMemberSetInput",
        lambda w, s, c: {"accountId": account_of(w, s), "memberId": c.member["id"], "teamRole": "OWNER"},  # type: ignore[index]
    ),
    Case(
        "teamMemberCreate",
        "TeamMemberCreateInput",
        lambda w, s, c: {"name": "New Hire", "email": "new.hire@kam.test", "role": "ADMIN"},
        "admin",
    ),
    Case("teamMemberUpdate", "TeamMemberUpdateInput", lambda w, s, c: {"id": c.member["id"], "role": "ADMIN", "title": "Promoted"}, "admin"),  # type: ignore[index]
    Case("stakeholderCreate", "StakeholderCreateInput", lambda w, s, c: {"accountId": account_of(w, s), "name": "Pat"}),
    Case("stakeholderUpdate", "StakeholderUpdateInput", lambda w, s, c: {"id": row(w, s, "Stakeholder"), "name": "Pat"}),
    Case(
        "influenceLinkAdd",
        "InfluenceLinkAddInput",
        lambda w, s, c: {
            "sourceId": row(w, s, "Stakeholder") if s == "missing" else w.second_stakeholder[s],
            "targetId": w.ours["Stakeholder"] if s == "missing" else row(w, s, "Stakeholder"),
            "strength": "STRONG",
        },
    ),
    Case(
        "coverageSet",
        "CoverageSetInput",
        lambda w, s, c: {"memberId": c.member["id"], "stakeholderId": row(w, s, "Stakeholder"), "strength": "GOOD"},  # type: ignore[index]
    ),
    Case("needCreate", "NeedCreateInput", lambda w, s, c: {"accountId": account_of(w, s), "title": "More", "category": "SOCIAL"}),
    Case("growthAssessmentRecord", "GrowthAssessmentRecordInput", lambda w, s, c: {"accountId": account_of(w, s)}),
    Case(
        "actionPlanCreate",
        "ActionPlanCreateInput",
        lambda w, s, c: {"accountId": account_of(w, s), "title": "Next year", "startsOn": "2027-01-01"},
    ),
    Case(
        "objectiveCreate",
        "ObjectiveCreateInput",
        lambda w, s, c: {"planId": row(w, s, "ActionPlan"), "description": "Grow", "metric": "revenue", "target": "1"},
    ),
    Case("actionCreate", "ActionCreateInput", lambda w, s, c: {"planId": row(w, s, "ActionPlan"), "title": "Visit"}),
    Case("actionComplete", "ActionCompleteInput", lambda w, s, c: {"id": row(w, s, "Action")}),
]
PER_ACCOUNT = [case for case in CASES if case.rule == "account"] + [c for c in CASES if c.mutation == "accountDelete"]


def expected(case: Case, who: str, side: str | None) -> str:
    if case.rule == "admin":
        return ALLOWED if who == "ADMIN" else FORBIDDEN
    if case.rule == "create":
        return FORBIDDEN if who == "VIEWER" else ALLOWED
    if side == "ours":
        return FORBIDDEN if who == "VIEWER" else ALLOWED
    if who == "ADMIN":
        return ALLOWED
    return FORBIDDEN if READS_THEIRS[who] else NOT_FOUND


async def check(case: Case, caller: GraphQLClient, world: World, engine: AsyncEngine, side: str) -> None:
    outcome = expected(case, role(caller), side)
    before = await fingerprint(engine)
    response = await caller.post(case.document, {"input": case.build(world, side, caller)})
    body = response.json()
    assert response.status_code == 200, body
    if outcome == ALLOWED:
        assert "errors" not in body, body
        assert body["data"][case.mutation]["userErrors"] == [], body
        assert await fingerprint(engine) != before
        return
    if outcome == FORBIDDEN:
        assert body["data"] is None, body
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "FORBIDDEN" and error["path"] == [case.mutation]
    else:
        missing = (await caller.post(case.document, {"input": case.build(world, "missing", caller)})).json()
        assert body == missing, (body, missing)
        assert body["data"][case.mutation]["userErrors"][0]["code"] == "NOT_FOUND"
    assert await fingerprint(engine) == before, f"{case.mutation} refused but changed data"


@pytest.mark.parametrize("case", PER_ACCOUNT, ids=lambda c: c.mutation)
@pytest.mark.parametrize("side", ["ours", "theirs"])
async def test_mutations_on_an_account(
    caller: GraphQLClient, world: World, engine: AsyncEngine, case: Case, side: str
) -> None:
    await check(case, caller, world, engine, side)


@pytest.mark.parametrize("case", [c for c in CASES if c.rule != "account" and c.mutation != "accountDelete"], ids=lambda c: c.mutation)
async def test_mutations_by_role(caller: GraphQLClient, world: World, engine: AsyncEngine, case: Case) -> None:
    await check(case, caller, world, engine, "ours")


def test_every_mutation_field_has_a_rule() -> None:
    """A new mutation must come with its own access test (here or next to it), so the list is reviewed."""
    from schema.api import build_schema

    fields = set(build_schema()._schema.mutation_type.fields)  # type: ignore[union-attr]
    covered = {case.mutation for case in CASES}
    assert covered <= fields
    assert len(covered) >= 16


# Paths to an account other than the team table


OWNER_UPDATE = "mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) { userErrors { code } } }"
TEAM_REMOVE = "mutation($input: AccountTeamMemberRemoveInput!) { accountTeamMemberRemove(input: $input) { userErrors { code } } }"
CREATE = "mutation($input: AccountCreateInput!) { accountCreate(input: $input) { account { id owner { id } team { teamRole member { id } } } userErrors { code } } }"
RENAME = "mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) { account { name } userErrors { code } } }"


async def test_the_owner_reads_and_writes_without_being_on_the_team(world: World, client_for: ClientFor) -> None:
    owner = await client_for("ACCOUNT_MANAGER")
    manager = await client_for("MANAGER")
    report_owner = await client_for("ACCOUNT_MANAGER", manager_id=manager.member["id"])  # type: ignore[index]
    account = world.theirs["Account"]
    assert (await owner.execute(ACCOUNT, {"id": account}))["account"] is None
    for someone in (owner, report_owner):
        payload = await world.admin.mutate(OWNER_UPDATE, {"id": account, "ownerId": someone.member["id"]})  # type: ignore[index]
        assert payload["userErrors"] == []
    # The owner is not on the team (accountUpdate does not add them) and still works on the account.
    assert (await report_owner.execute(ACCOUNT, {"id": account}))["account"]["name"] == "Theirs"
    renamed = await report_owner.mutate(RENAME, {"id": account, "name": "Owned"})
    assert renamed["userErrors"] == [] and renamed["account"]["name"] == "Owned"
    # Their manager changes what they own; the previous owner lost the account.
    assert (await manager.mutate(RENAME, {"id": account, "name": "Managed"}))["userErrors"] == []
    assert (await owner.execute(ACCOUNT, {"id": account}))["account"] is None


async def test_a_manager_on_the_team_writes_and_only_direct_reports_count(world: World, client_for: ClientFor) -> None:
    on_team = await client_for("MANAGER", on=[world.theirs["Account"]])
    assert (await on_team.mutate(RENAME, {"id": world.theirs["Account"], "name": "Ours too"}))["userErrors"] == []
    boss = await client_for("MANAGER")
    middle = await client_for("MANAGER", manager_id=boss.member["id"])  # type: ignore[index]
    await client_for("ACCOUNT_MANAGER", manager_id=middle.member["id"], on=[world.ours["Account"]])  # type: ignore[index]
    assert (await middle.mutate(RENAME, {"id": world.ours["Account"], "name": "Via report"}))["userErrors"] == []
    (error,) = await boss.errors(RENAME, {"input": {"id": world.ours["Account"], "name": "Via report's report"}})
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_leaving_the_team_takes_the_account_out_of_sight(world: World, client_for: ClientFor) -> None:
    am = await client_for("ACCOUNT_MANAGER", on=[world.ours["Account"]])
    assert (await am.execute(ACCOUNTS))["accounts"]["totalCount"] == 1
    payload = await am.mutate(TEAM_REMOVE, {"accountId": world.ours["Account"], "memberId": am.member["id"]})  # type: ignore[index]
    assert payload["userErrors"] == []
    assert (await am.execute(ACCOUNTS))["accounts"]["totalCount"] == 0
    assert (await am.execute(ACCOUNT, {"id": world.ours["Account"]}))["account"] is None


@pytest.mark.parametrize("who", ["MANAGER", "ACCOUNT_MANAGER"])
async def test_creators_keep_working_on_what_they_create(world: World, client_for: ClientFor, who: str) -> None:
    creator = await client_for(who)
    me = creator.member["id"]  # type: ignore[index]
    mine = (await creator.mutate(CREATE, {"name": "Mine", "grade": "C", "valueTier": "LOW"}))["account"]
    assert mine["owner"] == {"id": me} and mine["team"] == [{"teamRole": "OWNER", "member": {"id": me}}]
    other_owner = world.admin.member["id"]  # type: ignore[index]
    theirs = (await creator.mutate(CREATE, {"name": "For them", "grade": "C", "valueTier": "LOW", "ownerId": other_owner}))
    assert theirs["account"]["owner"] == {"id": other_owner}
    assert {"teamRole": "SUPPORT", "member": {"id": me}} in theirs["account"]["team"]
    for account in (mine, theirs["account"]):
        assert (await creator.mutate(RENAME, {"id": account["id"], "name": "Still mine"}))["userErrors"] == []
