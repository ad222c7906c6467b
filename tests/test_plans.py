"""Account plans, objectives and actions through the GraphQL API, and the statement count of a nested page."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQLClient, StatementCounter
from tests.factories import create_account, create_member
from tests.plan_factories import (
    ACTION_FIELDS,
    CREATE_ACTION,
    CREATE_OBJECTIVE,
    CREATE_PLAN,
    OBJECTIVE_FIELDS,
    PLAN_FIELDS,
    create_action,
    create_need,
    create_objective,
    create_plan,
    create_stakeholder,
    record_assessment,
)

PLAN = f"""
query($id: ID!, $filter: ActionFilter, $first: Int, $after: String) {{
  node(id: $id) {{
    ... on ActionPlan {{
      {PLAN_FIELDS}
      objectives {{ description dueOn }}
      actions(filter: $filter, first: $first, after: $after) {{
        totalCount nodes {{ title dueOn status }} pageInfo {{ hasNextPage endCursor }}
      }}
      progress {{ done total blocked ratio }}
    }}
  }}
}}"""

PLANS = """
query($id: ID!, $filter: ActionPlanFilter) {
  account(id: $id) { plans(filter: $filter) { totalCount nodes { title status } } }
}"""

NODE = f"""
query($id: ID!) {{
  node(id: $id) {{ id ... on Objective {{ {OBJECTIVE_FIELDS} }} ... on Action {{ {ACTION_FIELDS} }} }}
}}"""

UPDATE_PLAN = f"""
mutation($input: ActionPlanUpdateInput!) {{
  actionPlanUpdate(input: $input) {{ actionPlan {{ {PLAN_FIELDS} }} userErrors {{ field message code }} }}
}}"""

DELETE_PLAN = """
mutation($input: ActionPlanDeleteInput!) { actionPlanDelete(input: $input) { deletedId userErrors { field code } } }
"""

UPDATE_OBJECTIVE = f"""
mutation($input: ObjectiveUpdateInput!) {{
  objectiveUpdate(input: $input) {{ objective {{ {OBJECTIVE_FIELDS} }} userErrors {{ field message code }} }}
}}"""

DELETE_OBJECTIVE = """
mutation($input: ObjectiveDeleteInput!) { objectiveDelete(input: $input) { deletedId userErrors { field code } } }
"""

UPDATE_ACTION = f"""
mutation($input: ActionUpdateInput!) {{
  actionUpdate(input: $input) {{ action {{ {ACTION_FIELDS} }} userErrors {{ field message code }} }}
}}"""

COMPLETE = f"""
mutation($input: ActionCompleteInput!) {{
  actionComplete(input: $input) {{ action {{ {ACTION_FIELDS} }} userErrors {{ field message code }} }}
}}"""

DELETE_ACTION = """
mutation($input: ActionDeleteInput!) { actionDelete(input: $input) { deletedId userErrors { field code } } }
"""

DELETE_NEED = """
mutation($input: NeedDeleteInput!) { needDelete(input: $input) { deletedId userErrors { code } } }
"""

ARCHIVE = """
mutation($input: AccountArchiveInput!) { accountArchive(input: $input) { userErrors { code } } }
"""


def problems(payload: dict) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def read_plan(client: GraphQLClient, plan_id: str, **variables: object) -> dict:
    return (await client.execute(PLAN, {"id": plan_id, **variables}))["node"]


async def read_node(client: GraphQLClient, node_id: str) -> dict | None:
    return (await client.execute(NODE, {"id": node_id}))["node"]


async def test_create_and_read_plan(client: GraphQLClient) -> None:
    account = await create_account(client)
    owner = await create_member(client)
    plan = await create_plan(
        client, account["id"], title="  FY26 growth ", description="Win the EMEA rollout", ownerId=owner["id"],
        status="ACTIVE",
    )
    assert plan["title"] == "FY26 growth" and plan["status"] == "ACTIVE"
    assert (plan["startsOn"], plan["endsOn"], plan["version"]) == ("2026-01-01", "2026-12-31", 1)
    assert plan["owner"] == {"id": owner["id"]} and plan["account"] == {"id": account["id"]}
    read = await read_plan(client, plan["id"])
    assert read["objectives"] == [] and read["actions"]["totalCount"] == 0
    assert read["progress"] == {"done": 0, "total": 0, "blocked": 0, "ratio": None}
    draft = await create_plan(client, account["id"], endsOn=None)
    assert draft["status"] == "DRAFT" and draft["endsOn"] is None and draft["owner"] is None


async def test_account_plans_list_latest_start_first_and_filter_by_status(client: GraphQLClient) -> None:
    account = await create_account(client)
    other = await create_account(client)
    await create_plan(client, account["id"], title="2025", startsOn="2025-01-01", endsOn=None, status="COMPLETED")
    await create_plan(client, account["id"], title="2026", startsOn="2026-01-01", status="ACTIVE")
    await create_plan(client, account["id"], title="2024", startsOn="2024-01-01", endsOn=None, status="CANCELLED")
    await create_plan(client, other["id"], title="Elsewhere")
    plans = (await client.execute(PLANS, {"id": account["id"]}))["account"]["plans"]
    assert [p["title"] for p in plans["nodes"]] == ["2026", "2025", "2024"] and plans["totalCount"] == 3
    done = (await client.execute(PLANS, {"id": account["id"], "filter": {"statuses": ["COMPLETED", "CANCELLED"]}}))
    assert [p["title"] for p in done["account"]["plans"]["nodes"]] == ["2025", "2024"]


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"startsOn": "2026-06-01", "endsOn": "2026-05-31"}, "endsOn", "INVALID_DATE_RANGE"),
        ({"title": " "}, "title", "REQUIRED"),
        ({"ownerId": "VGVhbU1lbWJlcjo5OTk="}, "ownerId", "NOT_FOUND"),
        ({"ownerId": "QWNjb3VudDox"}, "ownerId", "INVALID"),
    ],
)
async def test_bad_plan_input_changes_nothing(client: GraphQLClient, fields: dict, field: str, code: str) -> None:
    account = await create_account(client)
    payload = await client.mutate(
        CREATE_PLAN, {"accountId": account["id"], "title": "Plan", "startsOn": "2026-01-01", **fields}
    )
    assert payload["actionPlan"] is None and problems(payload) == [(field, code)]
    assert (await client.execute(PLANS, {"id": account["id"]}))["account"]["plans"]["totalCount"] == 0


async def test_objectives_due_inside_the_plan_ordered_by_due_date(client: GraphQLClient) -> None:
    account = await create_account(client)
    plan = await create_plan(client, account["id"])
    undated = await create_objective(client, plan["id"], description="Undated", target="3")
    late = await create_objective(client, plan["id"], description="Late", dueOn="2026-12-31", target="1.5")
    early = await create_objective(client, plan["id"], description="Early", dueOn="2026-01-01")
    assert late["target"] == "1.50" and late["plan"] == {"id": plan["id"]} and late["metric"] == "annual revenue"
    objectives = (await read_plan(client, plan["id"]))["objectives"]
    assert [o["description"] for o in objectives] == ["Early", "Late", "Undated"]
    for due_on in ("2025-12-31", "2027-01-01"):
        refused = await client.mutate(CREATE_OBJECTIVE, {"planId": plan["id"], "description": "X", "metric": "m", "target": "1", "dueOn": due_on})
        assert refused["objective"] is None and problems(refused) == [("dueOn", "INVALID_DATE_RANGE")]
    negative = await client.mutate(CREATE_OBJECTIVE, {"planId": plan["id"], "description": "X", "metric": "m", "target": "-1"})
    assert problems(negative) == [("target", "OUT_OF_RANGE")]
    blank = await client.mutate(CREATE_OBJECTIVE, {"planId": plan["id"], "description": "X", "metric": " ", "target": "1"})
    assert problems(blank) == [("metric", "REQUIRED")]
    no_plan = await client.mutate(CREATE_OBJECTIVE, {"planId": "QWN0aW9uUGxhbjo5OTk=", "description": "X", "metric": "m", "target": "1"})
    assert problems(no_plan) == [("planId", "NOT_FOUND")]
    assert len((await read_plan(client, plan["id"]))["objectives"]) == 3

    moved = await client.mutate(UPDATE_OBJECTIVE, {"id": undated["id"], "version": 1, "dueOn": "2026-06-30", "target": "4"})
    assert moved["userErrors"] == [] and moved["objective"]["dueOn"] == "2026-06-30"
    assert (moved["objective"]["target"], moved["objective"]["version"]) == ("4.00", 2)
    stale = await client.mutate(UPDATE_OBJECTIVE, {"id": undated["id"], "version": 1, "metric": "lost"})
    assert problems(stale) == [("version", "CONFLICT")]
    outside = await client.mutate(UPDATE_OBJECTIVE, {"id": early["id"], "dueOn": "2025-01-01"})
    assert problems(outside) == [("dueOn", "INVALID_DATE_RANGE")]
    assert (await read_node(client, early["id"]))["dueOn"] == "2026-01-01"
    deleted = await client.mutate(DELETE_OBJECTIVE, {"id": early["id"]})
    assert deleted == {"deletedId": early["id"], "userErrors": []}
    assert [o["description"] for o in (await read_plan(client, plan["id"]))["objectives"]] == ["Undated", "Late"]


async def test_actions_link_to_the_plans_account_only(client: GraphQLClient) -> None:
    account = await create_account(client)
    other = await create_account(client)
    plan = await create_plan(client, account["id"])
    owner = await create_member(client)
    need = await create_need(client, account["id"])
    person = await create_stakeholder(client, account["id"])
    foreign_need = await create_need(client, other["id"])
    stranger = await create_stakeholder(client, other["id"])
    action = await create_action(
        client, plan["id"], ownerId=owner["id"], needId=need["id"], stakeholderId=person["id"], dueOn="2026-03-01"
    )
    assert action["need"] == {"id": need["id"]} and action["stakeholder"] == {"id": person["id"]}
    assert action["owner"] == {"id": owner["id"]} and action["status"] == "TODO" and action["completedAt"] is None
    for fields, expected in [
        ({"needId": foreign_need["id"]}, ("needId", "CROSS_ACCOUNT")),
        ({"stakeholderId": stranger["id"]}, ("stakeholderId", "CROSS_ACCOUNT")),
        ({"needId": "TmVlZDo5OTk="}, ("needId", "NOT_FOUND")),
        ({"ownerId": "VGVhbU1lbWJlcjo5OTk="}, ("ownerId", "NOT_FOUND")),
        ({"dueOn": "2025-12-31"}, ("dueOn", "INVALID_DATE_RANGE")),
        ({"dueOn": "2027-01-01"}, ("dueOn", "INVALID_DATE_RANGE")),
        ({"title": ""}, ("title", "REQUIRED")),
    ]:
        refused = await client.mutate(CREATE_ACTION, {"planId": plan["id"], "title": "T", **fields})
        assert refused["action"] is None and problems(refused) == [expected], fields
        changed = await client.mutate(UPDATE_ACTION, {"id": action["id"], **fields})
        assert changed["action"] is None and problems(changed) == [expected], fields
    assert (await read_plan(client, plan["id"]))["actions"]["totalCount"] == 1
    assert await read_node(client, action["id"]) == action
    cleared = await client.mutate(UPDATE_ACTION, {"id": action["id"], "needId": None, "stakeholderId": None, "ownerId": None})
    assert (cleared["action"]["need"], cleared["action"]["stakeholder"], cleared["action"]["owner"]) == (None, None, None)


async def test_deleting_a_need_unlinks_its_actions(client: GraphQLClient) -> None:
    account = await create_account(client)
    plan = await create_plan(client, account["id"])
    need = await create_need(client, account["id"])
    action = await create_action(client, plan["id"], needId=need["id"])
    assert (await client.mutate(DELETE_NEED, {"id": need["id"]}))["userErrors"] == []
    assert (await read_node(client, action["id"]))["need"] is None


async def test_actions_by_due_date_with_undated_last_filtered_and_paged(client: GraphQLClient) -> None:
    account = await create_account(client)
    plan = await create_plan(client, account["id"])
    for title, due_on, status in [
        ("undated 1", None, "TODO"), ("march", "2026-03-01", "BLOCKED"), ("january", "2026-01-15", "DONE"),
        ("undated 2", None, "IN_PROGRESS"), ("june", "2026-06-01", "DONE"),
    ]:
        await create_action(client, plan["id"], title=title, dueOn=due_on, status=status)
    read = await read_plan(client, plan["id"])
    everything = [a["title"] for a in read["actions"]["nodes"]]
    assert everything == ["january", "march", "june", "undated 1", "undated 2"]
    assert read["progress"] == {"done": 2, "total": 5, "blocked": 1, "ratio": 0.4}
    seen, after = [], None
    while True:
        page = (await read_plan(client, plan["id"], first=2, after=after))["actions"]
        seen += [a["title"] for a in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == everything
    done = (await read_plan(client, plan["id"], filter={"statuses": ["DONE", "BLOCKED"]}))["actions"]
    assert [a["title"] for a in done["nodes"]] == ["january", "march", "june"] and done["totalCount"] == 3


async def test_completing_and_reopening_actions(client: GraphQLClient) -> None:
    account = await create_account(client)
    plan = await create_plan(client, account["id"])
    action = await create_action(client, plan["id"])
    done = (await client.mutate(COMPLETE, {"id": action["id"], "version": 1}))["action"]
    assert done["status"] == "DONE" and done["completedAt"].endswith("+00:00") and done["version"] == 2
    again = await client.mutate(COMPLETE, {"id": action["id"]})
    assert again["action"]["completedAt"] == done["completedAt"] and again["action"]["version"] == 2
    stale = await client.mutate(COMPLETE, {"id": action["id"], "version": 1})
    assert problems(stale) == [("version", "CONFLICT")]
    reopened = (await client.mutate(UPDATE_ACTION, {"id": action["id"], "status": "IN_PROGRESS"}))["action"]
    assert reopened["status"] == "IN_PROGRESS" and reopened["completedAt"] is None
    finished = (await client.mutate(UPDATE_ACTION, {"id": action["id"], "status": "DONE"}))["action"]
    assert finished["completedAt"] is not None
    born_done = await create_action(client, plan["id"], status="DONE")
    assert born_done["completedAt"] is not None
    assert (await read_plan(client, plan["id"]))["progress"] == {"done": 2, "total": 2, "blocked": 0, "ratio": 1.0}
    null_status = await client.mutate(UPDATE_ACTION, {"id": action["id"], "status": None})
    assert problems(null_status) == [("status", "REQUIRED")]


async def test_plan_dates_must_keep_everything_due_inside(client: GraphQLClient) -> None:
    account = await create_account(client)
    plan = await create_plan(client, account["id"], startsOn="2026-01-01", endsOn="2026-12-31")
    await create_objective(client, plan["id"], dueOn="2026-02-01")
    await create_action(client, plan["id"], dueOn="2026-11-30")
    await create_action(client, plan["id"])
    later_start = await client.mutate(UPDATE_PLAN, {"id": plan["id"], "startsOn": "2026-03-01"})
    assert later_start["actionPlan"] is None and problems(later_start) == [("startsOn", "INVALID_DATE_RANGE")]
    assert "2026-02-01" in later_start["userErrors"][0]["message"]
    earlier_end = await client.mutate(UPDATE_PLAN, {"id": plan["id"], "endsOn": "2026-10-31"})
    assert problems(earlier_end) == [("endsOn", "INVALID_DATE_RANGE")]
    squeezed = await client.mutate(UPDATE_PLAN, {"id": plan["id"], "startsOn": "2026-06-01", "endsOn": "2026-07-01"})
    assert problems(squeezed) == [("startsOn", "INVALID_DATE_RANGE"), ("endsOn", "INVALID_DATE_RANGE")]
    inverted = await client.mutate(UPDATE_PLAN, {"id": plan["id"], "endsOn": "2025-01-01"})
    assert problems(inverted) == [("endsOn", "INVALID_DATE_RANGE")]
    start_after_end = await client.mutate(UPDATE_PLAN, {"id": plan["id"], "startsOn": "2027-02-01"})
    assert problems(start_after_end) == [("startsOn", "INVALID_DATE_RANGE")]
    null_start = await client.mutate(UPDATE_PLAN, {"id": plan["id"], "startsOn": None})
    assert problems(null_start) == [("startsOn", "REQUIRED")]
    unchanged = await read_plan(client, plan["id"])
    assert (unchanged["startsOn"], unchanged["endsOn"], unchanged["version"]) == ("2026-01-01", "2026-12-31", 1)
    ok = await client.mutate(UPDATE_PLAN, {"id": plan["id"], "version": 1, "startsOn": "2026-02-01", "endsOn": None, "status": "ACTIVE"})
    assert ok["userErrors"] == []
    assert (ok["actionPlan"]["startsOn"], ok["actionPlan"]["endsOn"], ok["actionPlan"]["version"]) == ("2026-02-01", None, 2)
    stale = await client.mutate(UPDATE_PLAN, {"id": plan["id"], "version": 1, "title": "Lost"})
    assert problems(stale) == [("version", "CONFLICT")]


async def test_delete_plan_takes_objectives_and_actions(client: GraphQLClient) -> None:
    account = await create_account(client)
    plan = await create_plan(client, account["id"])
    objective = await create_objective(client, plan["id"])
    action = await create_action(client, plan["id"])
    assert await client.mutate(DELETE_PLAN, {"id": plan["id"]}) == {"deletedId": plan["id"], "userErrors": []}
    assert await read_node(client, objective["id"]) is None and await read_node(client, action["id"]) is None
    assert await client.mutate(DELETE_ACTION, {"id": action["id"]}) == {"deletedId": None, "userErrors": [{"field": "id", "code": "NOT_FOUND"}]}


async def test_delete_action(client: GraphQLClient) -> None:
    account = await create_account(client)
    plan = await create_plan(client, account["id"])
    action = await create_action(client, plan["id"])
    assert await client.mutate(DELETE_ACTION, {"id": action["id"]}) == {"deletedId": action["id"], "userErrors": []}
    assert (await read_plan(client, plan["id"]))["actions"]["totalCount"] == 0


async def test_archived_account_plans_are_read_only(client: GraphQLClient) -> None:
    account = await create_account(client)
    plan = await create_plan(client, account["id"])
    action = await create_action(client, plan["id"])
    await client.mutate(ARCHIVE, {"id": account["id"]})
    new_plan = await client.mutate(CREATE_PLAN, {"accountId": account["id"], "title": "P", "startsOn": "2026-01-01"})
    assert problems(new_plan) == [("accountId", "ARCHIVED")]
    assert problems(await client.mutate(UPDATE_PLAN, {"id": plan["id"], "title": "X"})) == [("id", "ARCHIVED")]
    assert problems(await client.mutate(CREATE_ACTION, {"planId": plan["id"], "title": "X"})) == [("planId", "ARCHIVED")]
    assert problems(await client.mutate(COMPLETE, {"id": action["id"]})) == [("id", "ARCHIVED")]
    assert (await read_node(client, action["id"]))["status"] == "TODO"


NESTED = """
query($first: Int!) {
  accounts(first: $first) {
    nodes {
      needs { nodes { title } }
      plans { nodes { objectives { description } actions { nodes { title } } } }
      growthHistory { nodes { quadrant } }
    }
  }
}"""


async def seed_account(client: GraphQLClient, n: int) -> None:
    account = await create_account(client, name=f"Account {n:02}")
    await create_need(client, account["id"], title=f"Need {n}", peakQuarters=["Q1"])
    await create_need(client, account["id"], title=f"Need {n}b")
    await record_assessment(client, account["id"], assessedOn="2025-01-01")
    await record_assessment(client, account["id"])
    for p in range(2):
        plan = await create_plan(client, account["id"], title=f"Plan {n}-{p}")
        await create_objective(client, plan["id"])
        await create_action(client, plan["id"], title=f"Action {n}-{p}")
        await create_action(client, plan["id"], title=f"Action {n}-{p}b", dueOn="2026-05-01")


async def test_nested_page_statement_count_does_not_grow_with_accounts(
    client: GraphQLClient, sql: StatementCounter
) -> None:
    for n in range(2):
        await seed_account(client, n)
    sql.reset()
    small = await client.execute(NESTED, {"first": 50})
    two = sql.count
    for n in range(2, 6):
        await seed_account(client, n)
    sql.reset()
    large = await client.execute(NESTED, {"first": 50})
    six = sql.count
    assert len(small["accounts"]["nodes"]) == 2 and len(large["accounts"]["nodes"]) == 6
    first = large["accounts"]["nodes"][0]
    assert len(first["needs"]["nodes"]) == 2 and len(first["growthHistory"]["nodes"]) == 2
    assert [len(p["actions"]["nodes"]) for p in first["plans"]["nodes"]] == [2, 2]
    assert two == six, f"{two} statements for 2 accounts, {six} for 6"
