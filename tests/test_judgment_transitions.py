"""Judgment transitions across accounts: quadrant moves kept from the assessments as they are recorded (in order,
back-dated or deleted), the root list filtered by kind, values, days and accounts, newest first, within what the
caller may read; bad filters are client errors; pages both ways; statements do not grow with the rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.growth import MatrixThresholds
from domain.judgment import JudgmentKind, JudgmentTransition
from kam.db import session_factory
from kam.portfolio.load import load_portfolio
from resolvers.growth.transitions import quadrant_moves, rebuild_quadrant_moves
from resolvers.judgments.transitions import VALUES
from tests.conftest import ClientFor, GraphQLClient, StatementCounter
from tests.factories import create_account, create_member
from tests.plan_factories import record_assessment

# (current value, potential) that place an account in each quadrant under the default thresholds (1,000,000 each).
FIGURES = {
    "DEVELOP": ("10", "2000000"),
    "STRATEGIC": ("2000000", "2000000"),
    "MAINTAIN": ("2000000", "10"),
    "MONITOR": ("10", "10"),
}

TRANSITIONS = """
query($filter: JudgmentTransitionFilter, $first: Int, $after: String, $last: Int, $before: String) {
  judgmentTransitions(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    nodes { kind fromValue toValue changedOn cause policyVersion score reason by { id } account { id name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""

DELETE = """
mutation($input: GrowthAssessmentDeleteInput!) { growthAssessmentDelete(input: $input) { userErrors { code } } }
"""


async def assess(client: GraphQLClient, account_id: str, quadrant: str, on: str, **fields: Any) -> dict[str, Any]:
    current, potential = FIGURES[quadrant]
    found = await record_assessment(client, account_id, assessedOn=on, currentValue=current, potential=potential, **fields)
    assert found["quadrant"] == quadrant
    return found


async def transitions(client: GraphQLClient, **flt: Any) -> dict[str, Any]:
    page = {k: flt.pop(k) for k in ("first", "after", "last", "before") if k in flt}
    return (await client.execute(TRANSITIONS, {"filter": flt, **page}))["judgmentTransitions"]


async def moves(client: GraphQLClient, account_id: str) -> list[tuple[str | None, str, str]]:
    """The account's quadrant moves, oldest first: (from, to, day)."""
    found = await transitions(client, kinds=["QUADRANT"], accountIds=[account_id], first=100)
    return [(n["fromValue"], n["toValue"], n["changedOn"]) for n in reversed(found["nodes"])]


async def test_quadrant_moves_follow_the_assessments_in_order_back_dated_and_deleted(client: GraphQLClient) -> None:
    account = await create_account(client)
    assessor = await create_member(client)
    await assess(client, account["id"], "DEVELOP", "2025-01-10", assessedById=assessor["id"])
    strategic = await assess(client, account["id"], "STRATEGIC", "2025-03-01")
    assert await moves(client, account["id"]) == [(None, "DEVELOP", "2025-01-10"), ("DEVELOP", "STRATEGIC", "2025-03-01")]
    first = (await transitions(client, kinds=["QUADRANT"], accountIds=[account["id"]]))["nodes"][-1]
    assert first == {
        "kind": "QUADRANT", "fromValue": None, "toValue": "DEVELOP", "changedOn": "2025-01-10", "cause": "ASSESSMENT",
        "policyVersion": None, "score": None, "reason": None, "by": {"id": assessor["id"]},
        "account": {"id": account["id"], "name": account["name"]},
    }

    # Back-dated before the first: a new first move, and the old first one now starts from MAINTAIN.
    maintain = await assess(client, account["id"], "MAINTAIN", "2024-06-01")
    assert await moves(client, account["id"]) == [
        (None, "MAINTAIN", "2024-06-01"), ("MAINTAIN", "DEVELOP", "2025-01-10"), ("DEVELOP", "STRATEGIC", "2025-03-01"),
    ]
    # Back-dated in the middle, into the quadrant that follows: the move comes earlier, the later one is no move.
    middle = await assess(client, account["id"], "DEVELOP", "2024-09-01")
    assert await moves(client, account["id"]) == [
        (None, "MAINTAIN", "2024-06-01"), ("MAINTAIN", "DEVELOP", "2024-09-01"), ("DEVELOP", "STRATEGIC", "2025-03-01"),
    ]
    # Two of one day: the one recorded later is the latest, and the moves of that day keep their order.
    await assess(client, account["id"], "MONITOR", "2025-03-01")
    assert (await moves(client, account["id"]))[-2:] == [
        ("DEVELOP", "STRATEGIC", "2025-03-01"), ("STRATEGIC", "MONITOR", "2025-03-01"),
    ]
    # Deleting takes the moves back to what the remaining assessments say.
    for deleted in (middle, strategic, maintain):
        assert (await client.mutate(DELETE, {"id": deleted["id"]}))["userErrors"] == []
    assert await moves(client, account["id"]) == [(None, "DEVELOP", "2025-01-10"), ("DEVELOP", "MONITOR", "2025-03-01")]
    # The account's own history lists them beside its grade's.
    history = """query($id: ID!) { account(id: $id) { quadrant judgmentHistory(first: 10) { nodes { kind toValue } } } }"""
    found = (await client.execute(history, {"id": account["id"]}))["account"]
    assert found["quadrant"] == "MONITOR"
    assert [n["toValue"] for n in found["judgmentHistory"]["nodes"] if n["kind"] == "QUADRANT"] == ["MONITOR", "DEVELOP"]


async def test_the_accounts_that_moved_from_develop_to_strategic_in_a_year(client: GraphQLClient) -> None:
    grown = await create_account(client, name="Grown")
    grown_twice = await create_account(client, name="Grown twice")
    earlier = await create_account(client, name="Grown the year before")
    other = await create_account(client, name="Went elsewhere")
    await assess(client, grown["id"], "DEVELOP", "2024-11-01")
    await assess(client, grown["id"], "STRATEGIC", "2025-04-01")
    for quadrant, on in (("DEVELOP", "2025-01-05"), ("STRATEGIC", "2025-02-01"), ("DEVELOP", "2025-06-01"), ("STRATEGIC", "2025-12-31")):
        await assess(client, grown_twice["id"], quadrant, on)
    await assess(client, earlier["id"], "DEVELOP", "2024-01-01")
    await assess(client, earlier["id"], "STRATEGIC", "2024-12-31")
    await assess(client, other["id"], "DEVELOP", "2025-01-01")
    await assess(client, other["id"], "MAINTAIN", "2025-05-01")

    year = {"kinds": ["QUADRANT"], "from": ["DEVELOP"], "to": ["STRATEGIC"], "changedSince": "2025-01-01", "changedUntil": "2025-12-31"}
    found = await transitions(client, **year)
    assert found["totalCount"] == 3
    assert [(n["account"]["name"], n["changedOn"]) for n in found["nodes"]] == [
        ("Grown twice", "2025-12-31"), ("Grown", "2025-04-01"), ("Grown twice", "2025-02-01"),
    ]
    # Moved to STRATEGIC from anywhere, and from DEVELOP to anywhere, over all time.
    to = await transitions(client, kinds=["QUADRANT"], to=["STRATEGIC"])
    assert to["totalCount"] == 4 and [n["changedOn"] for n in to["nodes"]] == ["2025-12-31", "2025-04-01", "2025-02-01", "2024-12-31"]
    away = await transitions(client, kinds=["QUADRANT"], **{"from": ["DEVELOP"]})
    assert away["totalCount"] == 5 and away["nodes"][0]["changedOn"] == "2025-12-31"
    assert ("DEVELOP", "MAINTAIN") in {(n["fromValue"], n["toValue"]) for n in away["nodes"]}
    # Without kinds, values of any kind; several kinds and values at once; the grade's moves are there too.
    assert (await transitions(client, **{"from": ["DEVELOP"], "to": ["STRATEGIC", "MAINTAIN"]}))["totalCount"] == 5
    both = await transitions(client, kinds=["QUADRANT", "GRADE"], to=["STRATEGIC", "C", "D"], first=100)
    kinds = {n["kind"] for n in both["nodes"]}
    assert kinds == {"QUADRANT", "GRADE"} and both["totalCount"] == len(both["nodes"])
    assert (await transitions(client, kinds=["GRADE"], changedSince="2025-01-01", changedUntil="2025-12-31"))["nodes"] == []
    # Values of two kinds no transition moves between: nothing, not everything.
    none = await transitions(client, **{"from": ["DEVELOP"], "to": ["A"]})
    assert none["nodes"] == [] and none["totalCount"] == 0
    # One account's, by its ID.
    mine = await transitions(client, kinds=["QUADRANT"], accountIds=[other["id"]])
    assert [(n["fromValue"], n["toValue"]) for n in mine["nodes"]] == [("DEVELOP", "MAINTAIN"), (None, "DEVELOP")]


async def test_a_viewer_lists_and_counts_the_moves_of_their_accounts_only(client: GraphQLClient, client_for: ClientFor) -> None:
    mine, theirs = await create_account(client, name="Mine"), await create_account(client, name="Theirs")
    for account in (mine, theirs):
        await assess(client, account["id"], "DEVELOP", "2025-01-01")
        await assess(client, account["id"], "STRATEGIC", "2025-02-01")
    viewer = await client_for("VIEWER", on=[mine["id"]])
    found = await transitions(viewer, kinds=["QUADRANT"])
    assert found["totalCount"] == 2 and {n["account"]["name"] for n in found["nodes"]} == {"Mine"}
    # Naming the hidden account finds nothing, as for one that does not exist.
    assert (await transitions(viewer, accountIds=[theirs["id"]]))["totalCount"] == 0
    assert (await transitions(client, kinds=["QUADRANT"]))["totalCount"] == 4


async def test_bad_filters_are_client_errors_naming_the_argument(client: GraphQLClient) -> None:
    account = await create_account(client)
    await assess(client, account["id"], "DEVELOP", "2025-01-01")
    bad = [
        ({"kinds": ["QUADRANT"], "from": ["STRATEGY"]}, "filter.from"),
        ({"kinds": ["QUADRANT"], "to": ["A"]}, "filter.to"),  # a grade, not a quadrant
        ({"to": ["NO_SUCH_VALUE"]}, "filter.to"),
        ({"to": ["x" * 10_000]}, "filter.to"),
        ({"to": [f"V{n}" for n in range(101)]}, "filter.to"),
        ({"changedSince": "2025-02-01", "changedUntil": "2025-01-31"}, "filter.changedSince"),
        ({"accountIds": ["not an id"]}, "filter.accountIds"),
        ({"accountIds": [account["id"].rstrip("=") + "x"]}, "filter.accountIds"),
    ]
    for flt, argument in bad:
        (error,) = await client.errors(TRANSITIONS, {"filter": flt})
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}, (flt, error)
    member = await create_member(client)
    (error,) = await client.errors(TRANSITIONS, {"filter": {"accountIds": [member["id"]]}})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    for day in ("10000-01-01", "2025-02-30", "yesterday"):
        (error,) = await client.errors(TRANSITIONS, {"filter": {"changedSince": day}})
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    for cursor in ("x", "x" * 100_000):
        (error,) = await client.errors(TRANSITIONS, {"after": cursor})
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
    # The first and last days there are: an answer, not an error.
    widest = await transitions(client, kinds=["QUADRANT"], changedSince="0001-01-01", changedUntil="9999-12-31")
    assert widest["totalCount"] == 1
    assert (await transitions(client, changedUntil="0001-01-01"))["totalCount"] == 0
    assert (await transitions(client, changedSince="9999-12-31"))["totalCount"] == 0
    # A grade letter without kinds is a value of some kind: no error, only GRADE moves to A (none here).
    assert (await transitions(client, to=["A"]))["nodes"] == []


async def test_pages_forward_and_back_by_cursor(client: GraphQLClient) -> None:
    account = await create_account(client)
    for n, quadrant in enumerate(["DEVELOP", "STRATEGIC", "MAINTAIN", "MONITOR", "DEVELOP"]):
        await assess(client, account["id"], quadrant, f"2025-0{n + 1}-01")
    flt = {"kinds": ["QUADRANT"]}
    everything = [n["changedOn"] for n in (await transitions(client, **flt))["nodes"]]
    assert everything == ["2025-05-01", "2025-04-01", "2025-03-01", "2025-02-01", "2025-01-01"]
    first = await transitions(client, **flt, first=2)
    assert [n["changedOn"] for n in first["nodes"]] == everything[:2]
    assert first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    second = await transitions(client, **flt, first=2, after=first["pageInfo"]["endCursor"])
    assert [n["changedOn"] for n in second["nodes"]] == everything[2:4]
    third = await transitions(client, **flt, first=2, after=second["pageInfo"]["endCursor"])
    assert [n["changedOn"] for n in third["nodes"]] == everything[4:] and not third["pageInfo"]["hasNextPage"]
    back = await transitions(client, **flt, last=2, before=third["pageInfo"]["startCursor"])
    assert [n["changedOn"] for n in back["nodes"]] == everything[2:4] and back["pageInfo"]["hasPreviousPage"]
    last = await transitions(client, **flt, last=3)
    assert [n["changedOn"] for n in last["nodes"]] == everything[2:] and not last["pageInfo"]["hasNextPage"]
    # The same pages of a filter read range by range (two values of `to`).
    ranged = {"kinds": ["QUADRANT"], "to": ["DEVELOP", "MAINTAIN"]}
    page = await transitions(client, **ranged, first=1)
    rest = await transitions(client, **ranged, first=5, after=page["pageInfo"]["endCursor"])
    assert [n["changedOn"] for n in page["nodes"] + rest["nodes"]] == ["2025-05-01", "2025-03-01", "2025-01-01"]


async def test_the_statements_of_a_page_do_not_grow_with_its_rows(client: GraphQLClient, sql: StatementCounter) -> None:
    assessor = await create_member(client)
    for n in range(6):
        account = await create_account(client, name=f"Account {n}")
        await assess(client, account["id"], "DEVELOP", "2025-01-01", assessedById=assessor["id"])
        await assess(client, account["id"], "STRATEGIC", f"2025-02-0{n + 1}", assessedById=assessor["id"])

    async def statements(first: int) -> int:
        sql.reset()
        found = await transitions(client, kinds=["QUADRANT"], to=["DEVELOP", "STRATEGIC"], first=first)
        assert len(found["nodes"]) == first
        return sql.count

    # The caller's token, the page, the count, the assessors, the accounts: at most five, whatever the page holds
    # (the compiled read path reads the accounts and assessors with the page: three).
    one, twelve = await statements(1), await statements(12)
    assert one == twelve and 3 <= one <= 5


async def test_a_generated_portfolio_carries_the_moves_its_assessments_give(engine: AsyncEngine) -> None:
    thresholds = MatrixThresholds(current_value=100_000, potential=250_000)
    await load_portfolio(engine, 8, thresholds=thresholds, seed=5, batch=3)

    async def kept() -> list[tuple[Any, ...]]:
        async with session_factory(engine)() as session:
            t = JudgmentTransition
            stmt = (
                select(t.account_id, t.from_value, t.to_value, t.changed_on, t.cause, t.by_id)
                .where(t.kind == JudgmentKind.QUADRANT)
                .order_by(t.account_id, t.changed_on, t.id)
            )
            return [tuple(row) for row in (await session.execute(stmt)).all()]

    generated = await kept()
    assert len({row[0] for row in generated}) == 8 and any(row[1] is not None for row in generated)
    async with session_factory(engine)() as session, session.begin():
        await rebuild_quadrant_moves(session, {row[0] for row in generated})
    assert await kept() == generated


def test_every_kind_names_its_values_and_moves_are_changes_of_quadrant() -> None:
    assert set(VALUES) == set(JudgmentKind)
    history = [("d1", "DEVELOP", 1), ("d2", "DEVELOP", 2), ("d3", "STRATEGIC", None), ("d3", "DEVELOP", 3)]
    assert list(quadrant_moves(history)) == [  # type: ignore[arg-type]
        (None, "DEVELOP", "d1", 1), ("DEVELOP", "STRATEGIC", "d3", None), ("STRATEGIC", "DEVELOP", "d3", 3),
    ]
    assert list(quadrant_moves([])) == []
