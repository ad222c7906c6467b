"""Compiled reads (kam/compiled/) answer exactly as the general executor does, in no more statements.

Every document runs twice against the same generated portfolio: through a
server with compiled reads and through one without; the two answers must be
equal, errors included. Documents outside what plans cover fall back to the
executor, and so do arguments the resolvers refuse.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import GraphQLBoolean, GraphQLField, GraphQLInt, GraphQLString, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema, nodes
from sqlalchemy import event

from domain.growth import MatrixThresholds
from kam.app import create_app
from kam.compiled import coverage
from kam.compiled.aggregates import AggregateOf
from kam.compiled.planner import Planner, cursor_variables
from resolvers.aggregates.buckets import Bucket
from resolvers.aggregates.kinds import MEMBER_KEYS
from schema.aggregates import ROOTS as AGGREGATE_ROOTS
from schema.aggregates import camel
from kam.db import create_engine
from kam.portfolio.load import load_portfolio
from kam.settings import Settings
from kam.compiled.run import Run
from resolvers.ids import to_global_id
from schema.api import build_schema, sdl
from tests.conftest import GraphQLClient, StatementCounter, add_member, http_client
from tests.stores import Store

ACCOUNT = """
fragment AccountFields on Account {
  id name industry region website grade valueTier isKeyAccount relationshipStage lifecycleStage quadrant
  archivedAt createdAt updatedAt version __typename
  currentAnnualValue { amount currency __typename } estimatedWallet { currency amount }
  owner { id name email title role active createdAt updatedAt version manager { id name } }
  latestAssessment {
    id assessedOn quadrant note createdAt __typename currentValue { amount currency } potential { amount currency }
    account { id name } assessedBy { id name }
  }
}
"""
STAKEHOLDER = """
fragment StakeholderFields on Stakeholder {
  id name title department email phone buyingRoles attitude influence decisionLevel buyingMotive
  createdAt updatedAt version __typename
  account { id name } manager { id name manager { id } }
  needs { id title peakQuarters isOpen }
}
"""
NEED = """
fragment NeedFields on Need {
  id title description painPoints category visibility priority status peakQuarters isOpen
  createdAt updatedAt version account { id } stakeholder { id name }
}
"""
PLAN = """
fragment PlanFields on ActionPlan {
  id title description status startsOn endsOn createdAt updatedAt version account { name } owner { id name }
  objectives { id description metric target dueOn createdAt updatedAt version plan { id } }
}
"""
ACTION = """
fragment ActionFields on Action {
  id title dueOn status completedAt createdAt updatedAt version
  plan { id title } owner { id } need { id title } stakeholder { id name }
}
"""
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }"
MAP = """
  __typename
  account { id name }
  nodes {
    __typename stakeholder { ...StakeholderFields } buyingRoles attitude influence decisionLevel
    coveredByCount strongestCoverage coverage { id strength member { name } stakeholder { id } }
  }
  edges { __typename kind source { id name } target { name } strength influenceLink { id strength source { id } target { name } account { id } } }
  coverage { id member { id name } stakeholder { name title } strength __typename }
  summary {
    __typename
    stakeholdersByRole { role count __typename }
    uncoveredDecisionMakers { id name }
    influentialOpponents { name }
    coveredStakeholderCount singleThreaded supportIndex
    unreachableDecisionMakers { id name }
  }
  influencePaths {
    __typename decisionMaker { id name } start { name } startReasons strength length
    steps { __typename kind source { id } target { name title } strength factor influenceLink { id strength } }
  }
"""

EVERYTHING = (
    ACCOUNT + STAKEHOLDER + NEED + PLAN + ACTION
    + """
query Everything($first: Int) {
  accounts(first: $first) {
    __typename totalCount """ + PAGE_INFO + """
    edges { __typename cursor node { ...AccountFields } }
    nodes {
      ...AccountFields
      stakeholders(first: 4) { totalCount """ + PAGE_INFO + """ edges { cursor node { ...StakeholderFields } } }
      needs(first: 3) { totalCount nodes { ...NeedFields } }
      plans(first: 2) { totalCount nodes { ...PlanFields actions(first: 3) { totalCount """ + PAGE_INFO + """ nodes { ...ActionFields } } } }
    }
  }
}"""
)
ORDERED = """
query Ordered($order: AccountOrder, $first: Int, $after: String, $last: Int, $before: String) {
  accounts(orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name grade createdAt currentAnnualValue { amount } } }
  }
}"""
FILTERED = """
query Filtered($filter: AccountFilter) {
  accounts(filter: $filter, first: 10) {
    totalCount nodes { id name grade quadrant valueTier isKeyAccount archivedAt owner { name } }
  }
}"""
CHILD_LISTS = """
query Children($stakeholders: StakeholderFilter, $order: StakeholderOrder, $needs: NeedFilter, $needOrder: NeedOrder,
               $plans: ActionPlanFilter, $actions: ActionFilter) {
  accounts(first: 4) {
    nodes {
      name
      stakeholders(filter: $stakeholders, orderBy: $order, first: 3) { totalCount edges { cursor node { name buyingRoles } } }
      backwards: stakeholders(last: 2) { pageInfo { hasNextPage hasPreviousPage startCursor } nodes { name } }
      needs(filter: $needs, orderBy: $needOrder, first: 4) { totalCount edges { cursor node { title priority } } }
      plans(filter: $plans) { totalCount nodes { title actions(filter: $actions, last: 2) { totalCount pageInfo { hasPreviousPage } edges { cursor node { title dueOn } } } } }
    }
  }
}"""
ACCOUNT_BY_ID = ACCOUNT + """
query One($id: ID!) { account(id: $id) { ...AccountFields relationshipMap { summary { supportIndex } } } }"""
MAP_OF = STAKEHOLDER + "query Map($id: ID!) { relationshipMap(accountId: $id) {" + MAP + "} }"
MAPS = STAKEHOLDER + "{ accounts(first: 5) { nodes { name relationshipMap {" + MAP + "} } } }"
SHAPES = """
fragment Named on Account { name ... on Node { id } }
query Shapes {
  __typename
  a: accounts(first: 2) { nodes { id ...Named } }
  b: accounts(first: 2) { nodes { ... { grade } ...Named } nodes { quadrant } }
  accounts(first: 1) { nodes { first: stakeholders(first: 1) { nodes { name } } second: stakeholders(first: 2) { nodes { id } } } }
}"""
DEFAULTS = "query Defaults($n: Int = 2) { accounts(first: $n) { nodes { name } } }"
MATRIX = ACCOUNT + """
query Matrix($filter: AccountFilter, $order: AccountOrder, $first: Int, $after: String, $last: Int, $before: String) {
  growthMatrix(filter: $filter) {
    __typename
    thresholds { currentValue potential __typename }
    unassessedCount
    quadrants {
      __typename quadrant accountCount
      totalCurrentValue { amount currency __typename }
      totalPotential { currency amount }
      accounts(orderBy: $order, first: $first, after: $after, last: $last, before: $before) {
        __typename totalCount """ + PAGE_INFO + """
        edges { cursor node { ...AccountFields } }
      }
      few: accounts(first: 1) { nodes { name latestAssessment { quadrant } } }
    }
  }
}"""

# Reads of the roots plans cover, generated from the schema; IDs of the generated portfolio's first rows mixed with junk.
IDS = st.sampled_from([to_global_id(t, i) for t in ("Account", "Stakeholder") for i in (1, 2, 3)] + ["", "x"])
GENERATED_READS = from_schema(
    sdl(),
    fields=["accounts", "account", "relationshipMap"],
    custom_scalars={
        "ID": IDS.map(nodes.String),
        "DateTime": st.just(nodes.String("2026-01-01T00:00:00+00:00")),
        "Date": st.just(nodes.String("2026-01-01")),
        "Decimal": st.just(nodes.String("1.50")),
    },
)

COMPILED = [EVERYTHING, ORDERED, FILTERED, CHILD_LISTS, ACCOUNT_BY_ID, MAP_OF, MAPS, SHAPES, DEFAULTS, MATRIX]


@dataclass
class Servers:
    """The same database behind a server with compiled reads and one without, for the same callers."""

    compiled: dict[str, GraphQLClient]
    general: dict[str, GraphQLClient]
    statements: StatementCounter
    accounts: list[str]  # global IDs, by name
    theirs: str  # an account the VIEWER does not work on
    fallbacks: Any  # the compiled app's count of queries answered uncompiled

    async def both(self, query: str, variables: dict[str, Any] | None = None, who: str = "ADMIN") -> dict[str, Any]:
        """The response body, after checking that both servers give it; the statements of each are kept."""
        self.statements.reset()
        fast = (await self.compiled[who].post(query, variables)).json()
        self.fast_statements = self.statements.count
        self.statements.reset()
        slow = (await self.general[who].post(query, variables)).json()
        self.slow_statements = self.statements.count
        assert fast == slow
        return fast  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
async def servers(store: Store) -> AsyncIterator[Servers]:
    url = store.copy(store.base)
    engine = create_engine(url)
    statements = StatementCounter()
    try:
        await load_portfolio(engine, 9, thresholds=MatrixThresholds(current_value=100_000, potential=250_000), seed=7)
        admin = await add_member(engine, "ADMIN")
        names = await _accounts(engine, url, admin["token"])
        viewer = await add_member(engine, "VIEWER", on=names[:3])
        event.listen(engine.sync_engine, "before_cursor_execute", statements)
        clients: dict[str, dict[str, GraphQLClient]] = {}
        fallbacks = None
        async with contextlib.AsyncExitStack() as stack:
            for mode, compiled in (("compiled", True), ("general", False)):
                app = create_app(Settings(database_url=url, compiled_reads=compiled), engine=engine)
                fallbacks = app.state.fallbacks if compiled else fallbacks
                clients[mode] = {
                    m["role"]: GraphQLClient(await stack.enter_async_context(http_client(app, m["token"])), m)
                    for m in (admin, viewer)
                }
            yield Servers(clients["compiled"], clients["general"], statements, names, names[-1], fallbacks)
    finally:
        await engine.dispose()
        store.drop(url)


async def _accounts(engine: Any, url: str, token: str) -> list[str]:
    async with http_client(create_app(Settings(database_url=url), engine=engine), token) as http:
        data = (await GraphQLClient(http).execute("{ accounts(first: 50) { nodes { id } } }"))["accounts"]["nodes"]
    return [n["id"] for n in data]


def test_the_documents_here_have_plans() -> None:
    planner = Planner(build_schema(), maxsize=16)
    for document in COMPILED:
        assert planner.plan(document, parse(document), None) is not None, document


async def test_a_page_of_accounts_with_everything_below_it(servers: Servers) -> None:
    data = (await servers.both(EVERYTHING, {"first": 4}))["data"]
    nodes = data["accounts"]["nodes"]
    assert len(nodes) == 4 and all(n["stakeholders"]["edges"] and n["plans"]["nodes"] for n in nodes)
    assert servers.fast_statements <= servers.slow_statements
    await servers.both(EVERYTHING, {"first": 0})


@pytest.mark.parametrize("field", ["NAME", "CREATED_AT", "CURRENT_ANNUAL_VALUE", "GRADE"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_every_ordering_pages_alike(servers: Servers, field: str, direction: str) -> None:
    order = {"field": field, "direction": direction}
    first = (await servers.both(ORDERED, {"order": order, "first": 3}))["data"]
    end = first["accounts"]["pageInfo"]["endCursor"]
    second = (await servers.both(ORDERED, {"order": order, "first": 3, "after": end}))["data"]
    assert second["accounts"]["pageInfo"]["hasPreviousPage"] is True
    start = second["accounts"]["pageInfo"]["startCursor"]
    back = (await servers.both(ORDERED, {"order": order, "last": 2, "before": start}))["data"]
    assert [e["node"] for e in back["accounts"]["edges"]] == [e["node"] for e in first["accounts"]["edges"]][1:]
    await servers.both(ORDERED, {"order": order, "last": 4})


SORTED = """
query Sorted($sort: [AccountOrder!], $needs: [NeedOrder!], $people: [StakeholderOrder!], $first: Int, $after: String,
             $last: Int, $before: String) {
  accounts(sort: $sort, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node {
      name grade currentAnnualValue { amount }
      needs(sort: $needs, first: 3) { edges { cursor node { title priority } } }
      stakeholders(sort: $people, last: 2) { pageInfo { hasPreviousPage } edges { cursor node { name } } }
    } }
  }
  growthMatrix { quadrants { accounts(sort: $sort, first: 2) { edges { cursor node { name grade } } } } }
}"""


@pytest.mark.parametrize(
    "sort",
    [
        [{"field": "GRADE"}, {"field": "CURRENT_ANNUAL_VALUE", "direction": "DESC"}],  # directions differ
        [{"field": "GRADE", "direction": "DESC"}, {"field": "NAME", "direction": "DESC"}],  # one row comparison
        [{"field": "NAME"}],
    ],
)
async def test_lists_sorted_by_several_keys_are_planned_and_page_alike(servers: Servers, sort: list[dict[str, str]]) -> None:
    before = servers.fallbacks.requests()
    variables = {"sort": sort, "needs": [{"field": "PRIORITY"}, {"field": "TITLE", "direction": "DESC"}],
                 "people": [{"field": "CREATED_AT", "direction": "DESC"}, {"field": "NAME"}]}
    first = (await servers.both(SORTED, {**variables, "first": 3}))["data"]["accounts"]
    second = (await servers.both(SORTED, {**variables, "first": 3, "after": first["pageInfo"]["endCursor"]}))["data"]["accounts"]
    assert second["pageInfo"]["hasPreviousPage"] is True
    back = (await servers.both(SORTED, {**variables, "last": 2, "before": second["pageInfo"]["startCursor"]}))["data"]["accounts"]
    assert [e["node"]["name"] for e in back["edges"]] == [e["node"]["name"] for e in first["edges"]][1:]
    assert servers.fallbacks.requests() == before
    # A cursor of one ordering is refused by another, on both paths alike.
    await servers.both(ORDERED, {"order": {"field": "GRADE"}, "first": 1, "after": first["pageInfo"]["endCursor"]})


@pytest.mark.parametrize(
    "criteria",
    [
        {},
        {"grades": ["A", "B"], "quadrants": ["STRATEGIC", "DEVELOP"]},
        {"isKeyAccount": True, "includeArchived": True},
        {"search": "a", "valueTiers": ["HIGH", "MEDIUM"]},
        {"grades": ["D"], "search": "no such account"},
        {"or": [{"grades": ["A"]}, {"isKeyAccount": True}], "not": {"search": "zz"}, "currentAnnualValue": {"gte": "0"}},
        {"and": [{"isNotNull": ["OWNER"]}, {"not": {"or": [{"grades": ["B"]}, {"isNull": ["QUADRANT"]}]}}], "grades": ["A", "C"]},
    ],
)
async def test_filtered_lists(servers: Servers, criteria: dict[str, Any]) -> None:
    await servers.both(FILTERED, {"filter": criteria})


@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"order": {"field": "CREATED_AT", "direction": "DESC"}, "stakeholders": {"buyingRoles": ["DECISION_MAKER", "USER"]}},
        {"stakeholders": {"attitudes": ["CHAMPION", "SUPPORTER"], "search": "e"}, "needs": {"statuses": ["IDENTIFIED"]}},
        {"needOrder": {"field": "TITLE", "direction": "DESC"}, "needs": {"quarters": ["Q1", "Q4"]}},
        {"needOrder": {"field": "PRIORITY"}, "plans": {"statuses": ["ACTIVE"]}, "actions": {"statuses": ["OPEN", "DONE"]}},
    ],
)
async def test_child_lists_with_filters_orders_and_pages_backwards(servers: Servers, variables: dict[str, Any]) -> None:
    await servers.both(CHILD_LISTS, variables)


async def test_one_account_and_its_map(servers: Servers) -> None:
    data = (await servers.both(ACCOUNT_BY_ID, {"id": servers.accounts[0]}))["data"]
    assert data["account"]["id"] == servers.accounts[0]
    assert (await servers.both(ACCOUNT_BY_ID, {"id": to_global_id("Account", 999_999)}))["data"] == {"account": None}


async def test_relationship_maps(servers: Servers) -> None:
    data = (await servers.both(MAP_OF, {"id": servers.accounts[1]}))["data"]
    assert data["relationshipMap"]["nodes"] and data["relationshipMap"]["edges"]
    assert 1 < servers.fast_statements <= servers.slow_statements  # reads on the driver are counted too
    await servers.both(MAPS)
    assert (await servers.both(MAP_OF, {"id": to_global_id("Account", 999_999)}))["data"] == {"relationshipMap": None}


async def test_reads_below_one_row_compare_with_its_id(servers: Servers) -> None:
    """Below one account, its people, coverage and links are read by `account_id = <its id>` (PostgreSQL's
    generic plan for `= ANY(<array>)` expects ten ids, and sorts what the index gives in order); below
    several accounts, by the list of their ids, in one statement all the same."""

    def people_filters() -> list[str]:
        flat = (" ".join(statement.split()) for statement in servers.statements.statements)
        return [s.split("WHERE", 1)[1].split("ORDER BY")[0] for s in flat if "FROM stakeholder WHERE" in s]

    servers.statements.reset()
    await servers.compiled["ADMIN"].execute(MAP_OF, {"id": servers.accounts[1]})
    assert [f.split(" = ")[1].split()[0] for f in people_filters()] in (["$1::INTEGER"], ["?"])
    servers.statements.reset()
    data = await servers.compiled["ADMIN"].execute(MAPS)
    assert len(data["accounts"]["nodes"]) == 5
    (listed,) = people_filters()
    assert " IN (" in listed or "= ANY (" in listed


@pytest.mark.parametrize(
    "variables",
    [
        {"first": 2},
        {"filter": {"grades": ["A", "B"]}, "first": 3},
        {"filter": {"grades": ["C"], "isKeyAccount": False, "includeArchived": True}},
        {"order": {"field": "CURRENT_ANNUAL_VALUE", "direction": "DESC"}, "last": 2},
        {"first": 0},
    ],
)
async def test_the_growth_matrix(servers: Servers, variables: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="kam.compiled"):
        data = (await servers.both(MATRIX, variables))["data"]["growthMatrix"]
    assert not caplog.records, "answered from the plan, not after it failed"
    # Each quadrant's totalCount is its accountCount: no COUNT per quadrant, unlike the executor.
    assert servers.fast_statements < servers.slow_statements
    cells = data["quadrants"]
    if variables.get("first") != 0:
        assert sum(len(c["accounts"]["edges"]) for c in cells) > 0
    assert all(c["accounts"]["totalCount"] == c["accountCount"] for c in cells)
    for cell in cells:
        info = cell["accounts"]["pageInfo"]
        if info["hasNextPage"]:  # the next page of a quadrant, and back
            after = {**variables, "after": info["endCursor"], "last": None}
            page = (await servers.both(MATRIX, after))["data"]["growthMatrix"]
            start = next(c for c in page["quadrants"] if c["quadrant"] == cell["quadrant"])["accounts"]["pageInfo"]
            await servers.both(MATRIX, {"first": None, "last": 1, "before": start["startCursor"]})
    viewer = (await servers.both(MATRIX, variables, who="VIEWER"))["data"]["growthMatrix"]
    assert sum(c["accountCount"] for c in viewer["quadrants"]) + viewer["unassessedCount"] <= 3


async def test_fragments_aliases_and_merged_fields(servers: Servers) -> None:
    data = (await servers.both(SHAPES))["data"]
    assert data["__typename"] == "Query" and set(data["b"]["nodes"][0]) == {"grade", "name", "id", "quadrant"}
    await servers.both(DEFAULTS)
    await servers.both(DEFAULTS, {"n": 1})


async def test_a_restricted_caller_sees_the_same_accounts_either_way(servers: Servers) -> None:
    data = (await servers.both(FILTERED, {"filter": {}}, who="VIEWER"))["data"]
    assert data["accounts"]["totalCount"] == 3
    assert (await servers.both(ACCOUNT_BY_ID, {"id": servers.theirs}, who="VIEWER"))["data"] == {"account": None}
    assert (await servers.both(MAP_OF, {"id": servers.theirs}, who="VIEWER"))["data"] == {"relationshipMap": None}
    await servers.both(MAP_OF, {"id": servers.accounts[0]}, who="VIEWER")


async def test_arguments_turned_into_sql_once_are_kept_per_caller(servers: Servers) -> None:
    """The same document and variables, alternately from callers who may read different accounts."""
    for _ in range(2):
        for who, count in (("ADMIN", 9), ("VIEWER", 3)):
            data = (await servers.both(FILTERED, {"filter": {"includeArchived": True}}, who=who))["data"]
            assert data["accounts"]["totalCount"] == count


async def test_paging_through_a_list_turns_its_arguments_into_sql_once(
    servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages that differ only in their cursors share one request (and its statements): its cursors' values are
    parameters. Every page is still the right one, and a bad cursor is still refused."""
    built: list[dict[str, Any]] = []
    accounts = coverage._accounts

    def counted(ctx: Any, **arguments: Any) -> Any:
        built.append(arguments)
        return accounts(ctx, **arguments)

    monkeypatch.setattr(coverage, "_accounts", counted)
    query = ORDERED.replace("query Ordered(", "query Paging(")  # a document of its own: planned with the spy
    order = {"field": "NAME", "direction": "DESC"}
    seen, after = [], None
    while True:
        page = (await servers.both(query, {"order": order, "first": 2, "after": after}))["data"]["accounts"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    everything = (await servers.both(query, {"order": order, "first": 50}))["data"]["accounts"]["edges"]
    assert seen == [edge["node"]["id"] for edge in everything] and len(seen) > 4
    assert len(built) == 3  # the first page, every later page, and the whole list

    before, back, last = page["pageInfo"]["startCursor"], [], len(page["edges"])
    while before is not None:
        page = (await servers.both(query, {"order": order, "last": 2, "before": before}))["data"]["accounts"]
        back = [edge["node"]["id"] for edge in page["edges"]] + back
        before = page["pageInfo"]["startCursor"] if page["pageInfo"]["hasPreviousPage"] else None
    assert back == seen[: len(seen) - last] and len(built) == 4

    other_order = (await servers.both(query, {"order": {"field": "GRADE"}, "first": 1}))["data"]["accounts"]
    for cursor in ("not a cursor", other_order["pageInfo"]["endCursor"], "W10", after[:-2]):
        body = await servers.both(query, {"order": order, "first": 2, "after": cursor})
        assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}, cursor
    again = (await servers.both(query, {"order": order, "first": 2, "after": after}))["data"]["accounts"]
    assert [edge["node"]["id"] for edge in again["edges"]] == seen[-len(again["edges"]):]

    counts = []
    for who in ("VIEWER", "ADMIN"):  # the caller's access keys the request: a viewer pages their own accounts
        mine = (await servers.both(query, {"order": order, "first": 1}, who=who))["data"]["accounts"]
        rest = {"order": order, "first": 50, "after": mine["pageInfo"]["endCursor"]}
        listed = (await servers.both(query, rest, who=who))["data"]["accounts"]
        assert len(listed["edges"]) == mine["totalCount"] - 1
        counts.append(mine["totalCount"])
    assert 1 < counts[0] < counts[1] == len(seen)


BRANCHED = """
query Branched($after: String, $before: String, $first: Int, $last: Int) {
  accounts(filter: { grades: [A, B, C], quadrants: [STRATEGIC, DEVELOP, MAINTAIN] }, orderBy: { field: NAME },
           first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id grade quadrant }
  }
}"""


async def test_a_list_read_branch_by_branch_pages_with_cursors_as_parameters(servers: Servers) -> None:
    """A filter on several values of an index's leading columns reads each branch in order, each with the
    cursor's condition: the same parameters in several places of one statement."""
    everything = (await servers.both(BRANCHED, {"first": 50}))["data"]["accounts"]["nodes"]
    seen, after = [], None
    while True:
        page = (await servers.both(BRANCHED, {"first": 1, "after": after}))["data"]["accounts"]
        seen += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == everything and len(everything) > 2
    back = (await servers.both(BRANCHED, {"last": 50, "before": after}))["data"]["accounts"]["nodes"]
    assert back == everything[:-2]


@pytest.mark.parametrize(
    ("arguments", "cursors"),
    [
        ("first: $n, after: $a, last: $l, before: $b", {"a": "after", "b": "before"}),
        ("first: 2, after: $a", {"a": "after"}),
        ('after: "WyJuYW1lIl0", before: $b', {"b": "before"}),
        ("filter: { search: $a }, after: $a", {}),  # a cursor's variable used elsewhere keys by its value
        ("after: $a, before: $a", {}),
        ("first: $a", {}),
    ],
)
def test_the_variables_only_a_cursor_takes(arguments: str, cursors: dict[str, str]) -> None:
    field = parse(f"{{ accounts({arguments}) {{ totalCount }} }}").definitions[0].selection_set.selections[0]
    assert cursor_variables(field) == cursors


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (ORDERED, {"first": -1}),
        (ORDERED, {"first": 1000}),
        (ORDERED, {"first": 2, "last": 2}),
        (ORDERED, {"first": 2, "after": "not a cursor"}),
        (ORDERED, {"order": {"field": "GRADE"}, "first": 2, "after": "WyJuYW1lIiwiQSIsMV0"}),
        (ORDERED, {"first": "two"}),
        (ACCOUNT_BY_ID, {"id": to_global_id("Stakeholder", 1)}),
        (ACCOUNT_BY_ID, {"id": "%%%"}),
        (MAP_OF, {"id": "QWNjb3VudDp4"}),
        ("{ accounts { nodes { stakeholders(first: -3) { nodes { id } } } } }", None),
        ("{ accounts { nodes { plans { nodes { actions(last: 500) { nodes { id } } } } } } }", None),
    ],
)
async def test_arguments_the_resolvers_refuse_get_their_errors(servers: Servers, query: str, variables: Any) -> None:
    body = await servers.both(query, variables)
    assert body["errors"] and body["errors"][0]["extensions"]["code"] in ("BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED")


@pytest.mark.parametrize(
    "query",
    [
        "query($on: Boolean!) { accounts(first: 2) { nodes { name grade @include(if: $on) } } }",
        "{ accounts(first: 2) { nodes { name growthHistory { nodes { assessedOn } } fourSeasons { quarter } } } }",
        "{ accounts(first: 2) { nodes { name team { teamRole member { name } } } } }",
        "{ accounts(first: 2) { nodes { id } } teamMembers(first: 2) { nodes { name } } }",
    ],
)
async def test_what_plans_do_not_cover_is_answered_by_the_executor(servers: Servers, query: str) -> None:
    assert Planner(build_schema(), maxsize=4).plan(query, parse(query), None) is None
    body = await servers.both(query, {"on": True})
    assert "errors" not in body


async def test_a_compiled_read_that_fails_is_answered_by_the_executor(
    servers: Servers, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*_args: object) -> None:
        raise RuntimeError("the database went away")

    expected = await servers.both(FILTERED, {"filter": {}})
    monkeypatch.setattr(Run, "rows", broken)
    with caplog.at_level(logging.WARNING, logger="kam.compiled"):
        body = (await servers.compiled["ADMIN"].post(FILTERED, {"filter": {}})).json()
    assert body == expected
    assert any(r.exc_info and isinstance(r.exc_info[1], RuntimeError) for r in caplog.records)


async def test_a_compiled_read_past_the_time_limit_is_stopped(
    servers: Servers, monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    original = Run.rows

    async def slow(self: Run, stmt: Any, params: Any = None) -> Any:
        await asyncio.sleep(30)
        return await original(self, stmt, params)

    url = store.copy(store.base)
    engine = create_engine(url)
    try:
        admin = await add_member(engine, "ADMIN")
        app = create_app(Settings(database_url=url, request_timeout=0.3), engine=engine)
        monkeypatch.setattr(Run, "rows", slow)
        async with http_client(app, admin["token"]) as http:
            body = (await GraphQLClient(http).post(FILTERED, {"filter": {}})).json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
        assert engine.pool.checkedout() == 0
    finally:
        await engine.dispose()
        store.drop(url)



@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(query=GENERATED_READS)
async def test_generated_reads_are_answered_alike(servers: Servers, query: str) -> None:
    body = await servers.both(query)
    # Executed: `data` is there. Refused before execution (invalid, a limit, bad variables): errors at no field's path.
    assert "data" in body or all("path" not in error for error in body["errors"]), body


PLANTED = [
    # A field with a resolver of its own on a value type the planner answers by hand.
    ("GrowthMatrixQuadrant", "planted", GraphQLBoolean, lambda _cell, _info: False,
     "{ growthMatrix { quadrants { quadrant planted } } }"),
    # A field on Money, below a node type and below the matrix.
    ("Money", "planted", GraphQLString, lambda money, _info: f"{money.currency}!",
     "{ accounts(first: 3) { nodes { name currentAnnualValue { amount planted } } } }"),
    ("Money", "planted", GraphQLString, lambda money, _info: f"{money.currency}!",
     "{ growthMatrix { quadrants { totalPotential { planted currency } } } }"),
    # A column of a node type that has a resolver (a field answered by the model's attribute would be a guess).
    ("Account", "planted", GraphQLString, lambda account, _info: account.name.upper(),
     "{ account: accounts(first: 2) { nodes { planted } } }"),
    # A field of a relationship map's node.
    ("RelationshipMapNode", "planted", GraphQLInt, lambda _node, _info: 7,
     "{ accounts(first: 2) { nodes { relationshipMap { nodes { attitude planted } } } } }"),
]


@pytest.mark.parametrize(("type_name", "name", "graphql_type", "resolve", "query"), PLANTED, ids=lambda v: v if isinstance(v, str) and " " not in v else None)
async def test_a_field_the_planner_does_not_know_is_answered_by_the_executor(
    store: Store, type_name: str, name: str, graphql_type: Any, resolve: Any, query: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A field added to a type the plans cover, and not to the planner, sends its documents to the executor:
    never a default from a branch that does not know it, never an internal error. It is counted and logged."""
    url = store.copy(store.base)
    engine = create_engine(url)
    try:
        await load_portfolio(engine, 3, thresholds=MatrixThresholds(current_value=100_000, potential=250_000), seed=5)
        admin = await add_member(engine, "ADMIN")
        bodies = []
        for compiled in (True, False):
            app = create_app(Settings(database_url=url, compiled_reads=compiled), engine=engine)
            app.state.graphql.schema._schema.get_type(type_name).fields[name] = GraphQLField(graphql_type, resolve=resolve)
            async with http_client(app, admin["token"]) as http:
                client = GraphQLClient(http)
                with caplog.at_level(logging.INFO, logger="kam.compiled"):
                    first, again = (await client.post(query)).content, (await client.post(query)).content
            assert first == again
            bodies.append(first)
            if compiled:
                counted = app.state.fallbacks.figures()
                assert [(f.requests, f"{type_name}.{name}" in f.reason) for f in counted] == [(2, True)]
                logged = [r for r in caplog.records if r.name == "kam.compiled" and r.levelno == logging.INFO]
                assert len(logged) == 1 and f"{type_name}.{name}" in logged[0].getMessage()
        assert bodies[0] == bodies[1]
        assert b'"errors"' not in bodies[0] and name.encode() in bodies[0]
    finally:
        await engine.dispose()
        store.drop(url)


async def test_queries_with_plans_are_not_counted_as_fallbacks(servers: Servers) -> None:
    before = servers.fallbacks.requests()
    await servers.both(FILTERED, {"filter": {}})
    assert servers.fallbacks.requests() == before
    await servers.both("{ me { name } }")
    assert servers.fallbacks.requests() == before + 1
    await servers.both("mutation { __typename }")  # not a read: never counted
    assert servers.fallbacks.requests() == before + 1


async def test_a_map_of_a_past_day_goes_to_the_executor(servers: Servers) -> None:
    """`relationshipMap` compiles when `asOf` is left out; given (even as null), the executor answers."""
    before = servers.fallbacks.requests()
    await servers.both(MAP_OF, {"id": servers.accounts[1]})
    assert servers.fallbacks.requests() == before
    today = STAKEHOLDER + "query Map($id: ID!, $day: Date) { relationshipMap(accountId: $id, asOf: $day) {" + MAP + "} }"
    now = await servers.both(today, {"id": servers.accounts[1], "day": None})
    assert servers.fallbacks.requests() == before + 1
    assert now == await servers.both(MAP_OF, {"id": servers.accounts[1]})


OVERDUE = """
query($on: Date!, $after: String) {
  accounts(filter: { judgedGrades: [A, B, C, D], contactOverdueOn: $on }, orderBy: { field: NEXT_CONTACT_DUE }, first: 5, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id name judgment { nextContactDue daysOverdue score policyVersion judgedOn } }
  }
}"""


async def test_the_overdue_list_with_its_due_days_is_planned(servers: Servers) -> None:
    planner = Planner(build_schema(), maxsize=16)
    assert planner.plan(OVERDUE, parse(OVERDUE), None) is not None
    on = "9999-12-31"  # every judged account is overdue on the last day of the calendar
    first = (await servers.both(OVERDUE, {"on": on}))["data"]["accounts"]
    dues = [n["judgment"]["nextContactDue"] for n in first["nodes"]]
    assert dues and dues == sorted(dues) and all(n["judgment"]["daysOverdue"] >= 0 for n in first["nodes"])
    await servers.both(OVERDUE, {"on": on, "after": first["pageInfo"]["endCursor"]})
    # The values in force and the explanations are not planned: the executor answers them.
    in_force = "{ accounts(first: 3) { nodes { judgment { grade health { score } } } } }"
    assert planner.plan(in_force, parse(in_force), None) is None
    await servers.both(in_force)


MOVES = """
query($filter: JudgmentTransitionFilter, $first: Int, $after: String, $last: Int, $before: String) {
  judgmentTransitions(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { kind fromValue toValue changedOn cause policyVersion score reason by { id name } account { id name quadrant } }
  }
}"""


OWNED = """
query($first: Int, $last: Int, $before: String) {
  accounts(orderBy: { field: NAME, direction: DESC }, first: $first, last: $last, before: $before) {
    pageInfo { startCursor }
    nodes { id owner { id name role } lead: owner { name } deep: owner { manager { name } } }
  }
}"""


async def test_the_objects_a_page_points_at_are_read_with_it(servers: Servers) -> None:
    """An account's owner (a row of its own, flat) comes with the page's statement; an owner asked for more
    than its own row is read by id afterwards, as before."""
    flat = OWNED.replace(" deep: owner { manager { name } }", "")
    page = (await servers.both(flat, {"first": 4}))["data"]["accounts"]
    assert len(page["nodes"]) == 4 and all(n["owner"]["name"] == n["lead"]["name"] for n in page["nodes"])
    assert servers.fast_statements == 2 < servers.slow_statements  # the caller's token; the page with its owners
    back = {"last": 2, "before": page["pageInfo"]["startCursor"]}
    await servers.both(flat, {"first": 0})
    await servers.both(OWNED, {"first": 3})
    assert servers.fast_statements == 4  # the owners asked for their managers, then those: two more
    await servers.both(flat, back, who="VIEWER")


@pytest.mark.parametrize(
    "criteria",
    [None, {"kinds": ["QUADRANT"]}, {"kinds": ["QUADRANT"], "to": ["STRATEGIC", "DEVELOP"], "changedSince": "2020-01-01"}, {"kinds": ["GRADE", "HEALTH_BAND"]}],
)
async def test_transitions_across_accounts_are_planned(servers: Servers, criteria: Any) -> None:
    planner = Planner(build_schema(), maxsize=16)
    assert planner.plan(MOVES, parse(MOVES), None) is not None
    first = (await servers.both(MOVES, {"filter": criteria, "first": 4}))["data"]["judgmentTransitions"]
    assert first["nodes"] and first["totalCount"] >= len(first["nodes"])
    following = {"filter": criteria, "first": 4, "after": first["pageInfo"]["endCursor"]}
    second = (await servers.both(MOVES, following))["data"]["judgmentTransitions"]
    if second["nodes"]:
        back = {"filter": criteria, "last": 4, "before": second["pageInfo"]["startCursor"]}
        assert (await servers.both(MOVES, back))["data"]["judgmentTransitions"]["nodes"] == first["nodes"]
    await servers.both(MOVES, {"filter": criteria, "first": 3}, who="VIEWER")


def _aggregate_document(field: str, totals: str = "all") -> str:
    """Every field of a root aggregate, its groups grouped by `$by` (and again by `$also`, aliased), at most `$first`."""
    types = AGGREGATE_ROOTS[field][0]
    kind = types.kind

    def key_field(key: str) -> str:
        if key in MEMBER_KEYS:
            return f"{camel(key)} {{ id name __typename }}"
        if kind_bucket(key):
            return f"{camel(key)} {{ grain start end label __typename }}"
        return camel(key)

    def kind_bucket(key: str) -> bool:
        return any(d.key == key and d.value_type is Bucket for d in kind.dimensions.values())

    keys = " ".join(key_field(d.key) for d in kind.dimensions.values())
    money = "{ amount currency __typename }"
    measures = " ".join(f"{camel(m.key)} {money if m.money else ''}" for m in kind.measures)
    statistics = " ".join(f"{s} {{ {measures} __typename }}" for s in ("sum", "avg", "min", "max")) if measures else ""
    group = f"__typename key {{ {keys} __typename }} count {statistics}"
    asked = {"all": f"count {statistics}", "count": "count", "none": ""}[totals]
    return f"""query Aggregate($by: [{types.dimension.__name__}!]!, $also: [{types.dimension.__name__}!]!, $first: Int) {{
  {field} {{
    __typename {asked}
    groups(by: $by, first: $first) {{ __typename hasMore nodes {{ {group} }} }}
    again: groups(by: $also) {{ hasMore nodes {{ count key {{ {keys} }} }} }}
  }}
}}"""


def _groupings() -> list[tuple[str, list[str], list[str], int | None, str]]:
    """For every root aggregate: each dimension alone (with each way of asking totals) and with the next one."""
    cases = []
    for field, (types, _rows) in AGGREGATE_ROOTS.items():
        names = list(types.kind.dimensions)
        for i, name in enumerate(names):
            cases.append((field, [name], [names[i - 1]], None, ("all", "count", "none")[i % 3]))
            cases.append((field, [name, names[(i + 1) % len(names)]], [name], 2 if i % 2 else 150, "all"))
    return cases


@pytest.mark.parametrize(("field", "by", "also", "first", "totals"), _groupings())
async def test_aggregates_are_planned_and_answer_alike(
    servers: Servers, field: str, by: list[str], also: list[str], first: int | None, totals: str,
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    document = _aggregate_document(field, totals)
    assert Planner(_schema(), maxsize=4).plan(document, parse(document), None) is not None
    before = servers.fallbacks.requests()
    answered = []
    load = AggregateOf.load

    async def counted(self: AggregateOf, *args: Any) -> Any:
        answered.append(self)
        return await load(self, *args)

    monkeypatch.setattr(AggregateOf, "load", counted)
    with caplog.at_level(logging.WARNING, logger="kam.compiled"):
        for who in ("ADMIN", "VIEWER"):
            body = await servers.both(document, {"by": by, "also": also, "first": first}, who=who)
            assert "errors" not in body, body["errors"]
            data = body["data"][field]
            assert servers.fast_statements <= servers.slow_statements
    assert not caplog.records, "answered from the plan, not after it failed"
    assert servers.fallbacks.requests() == before
    assert len(answered) == 2, "each caller's request answered by the plan"
    if totals != "none" and not data["groups"]["hasMore"] and len(by) == 1 and by[0] not in ("BUYING_ROLE", "PEAK_QUARTER"):
        assert data["count"] == sum(g["count"] for g in data["groups"]["nodes"])


@pytest.mark.parametrize(
    ("field", "variables"),
    [
        ("accountsAggregate", {"filter": {"grades": ["A", "B"]}}),
        ("accountsAggregate", {"filter": {"or": [{"industries": ["Retail"]}, {"isKeyAccount": True}]}}),
        ("needsAggregate", {"accounts": {"grades": ["A"]}}),
        ("actionsAggregate", {"filter": {"statuses": ["DONE"]}}),
        ("opportunitiesAggregate", {"accounts": {"includeArchived": True}}),
        ("revenueAggregate", {"filter": {"bookedFrom": "2025-01-01"}}),
    ],
)
async def test_filtered_aggregates_answer_alike(servers: Servers, field: str, variables: dict[str, Any]) -> None:
    arguments = ", ".join(f"{name}: ${name}" for name in variables)
    declared = ", ".join(f"${name}: {'AccountFilter' if name == 'accounts' else _filter_type(field)}" for name in variables)
    document = f"query F({declared}) {{ {field}({arguments}) {{ count groups(by: [ACCOUNT_GRADE]) {{ nodes {{ key {{ accountGrade }} count }} }} }} }}"
    if field == "accountsAggregate":
        document = document.replace("ACCOUNT_GRADE", "GRADE").replace("accountGrade", "grade")
    for who in ("ADMIN", "VIEWER"):
        await servers.both(document, variables, who=who)
    # Totals asking what the groups do not (a greatest value, a measure) come from a statement of their own.
    mixed = """{ accountsAggregate { max { currentAnnualValue { amount currency } } min { healthScore }
      groups(by: [GRADE]) { nodes { key { grade } sum { currentAnnualValue { amount } } } }
      other: groups(by: [REGION]) { nodes { max { currentAnnualValue { amount } } } } } }"""
    data = (await servers.both(mixed))["data"]["accountsAggregate"]
    assert data["max"]["currentAnnualValue"] and data["groups"]["nodes"]
    # Arguments the resolvers refuse are answered by them, the same on both paths.
    await servers.both(f"{{ {field} {{ groups(by: []) {{ hasMore }} }} }}")
    await servers.both(f"{{ {field} {{ groups(by: [], first: 1001) {{ hasMore }} }} }}")


def _filter_type(field: str) -> str:
    return _schema()._schema.query_type.fields[field].args["filter"].type.name  # type: ignore[no-any-return]


@functools.cache
def _schema() -> Any:
    return build_schema()
