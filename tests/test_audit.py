"""The audit trail: every successful mutation records who changed which object when, before and after."""

from __future__ import annotations

from typing import Any

import pytest

import resolvers.accounts.mutations as account_mutations
from domain.audit import AuditChange
from domain.errors import DomainError, ErrorCode
from resolvers.audit.recording import Pending
from tests.conftest import ClientFor, GraphQLClient, StatementCounter
from tests.factories import create_account, create_member
from tests.plan_factories import (
    create_action,
    create_need,
    create_objective,
    create_plan,
    record_assessment,
)
from tests.stakeholder_factories import add_link, create_stakeholder, set_coverage

EVENT = """
fragment E on AuditEvent {
  id occurredAt operation entityType entityId change before after actor { id role } account { id }
}"""

EVENTS = (
    """
query($filter: AuditEventFilter, $first: Int, $after: String, $last: Int, $before: String) {
  auditEvents(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { ...E } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
    + EVENT
)

HISTORY = (
    """
query($id: ID!, $first: Int, $after: String) {
  account(id: $id) {
    history(first: $first, after: $after) {
      totalCount
      nodes { ...E }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""
    + EVENT
)

ACCOUNTS_WITH_HISTORY = """
query($first: Int!) {
  accounts(first: $first) {
    nodes { name history(first: 5) { totalCount nodes { operation change entityId actor { name } account { name } } } }
  }
}"""

NODE = "query($id: ID!) { node(id: $id) { ... on AuditEvent { id operation entityType } } }"

UPDATE_ACCOUNT = """
mutation($input: AccountUpdateInput!) {
  accountUpdate(input: $input) { account { id version } userErrors { field code } }
}"""

ARCHIVE = """
mutation($input: AccountArchiveInput!) { accountArchive(input: $input) { account { archivedAt } userErrors { code } } }
"""

DELETE_ACCOUNT = """
mutation($input: AccountDeleteInput!) { accountDelete(input: $input) { deletedId userErrors { field code } } }
"""

TEAM_SET = """
mutation($input: AccountTeamMemberSetInput!) { accountTeamMemberSet(input: $input) { userErrors { code } } }
"""

TEAM_REMOVE = """
mutation($input: AccountTeamMemberRemoveInput!) { accountTeamMemberRemove(input: $input) { userErrors { code } } }
"""

UPDATE_STAKEHOLDER = """
mutation($input: StakeholderUpdateInput!) {
  stakeholderUpdate(input: $input) { stakeholder { version } userErrors { field code } }
}"""

DELETE_STAKEHOLDER = """
mutation($input: StakeholderDeleteInput!) { stakeholderDelete(input: $input) { deletedId userErrors { code } } }
"""

UPDATE_NEED = """
mutation($input: NeedUpdateInput!) { needUpdate(input: $input) { need { version } userErrors { field code } } }
"""

DELETE_PLAN = """
mutation($input: ActionPlanDeleteInput!) { actionPlanDelete(input: $input) { deletedId userErrors { code } } }
"""

DELETE_MEMBER = """
mutation($input: TeamMemberDeleteInput!) { teamMemberDelete(input: $input) { deletedId userErrors { code } } }
"""

UPDATE_LINK = """
mutation($input: InfluenceLinkUpdateInput!) { influenceLinkUpdate(input: $input) { userErrors { code } } }
"""

UPDATE_MEMBER = """
mutation($input: TeamMemberUpdateInput!) { teamMemberUpdate(input: $input) { teamMember { version } userErrors { code } } }
"""


async def events(client: GraphQLClient, **flt: Any) -> list[dict[str, Any]]:
    """Every event matching `flt`, newest first."""
    data = await client.execute(EVENTS, {"filter": flt, "first": 100})
    return [edge["node"] for edge in data["auditEvents"]["edges"]]


async def events_of(client: GraphQLClient, entity_id: str) -> list[dict[str, Any]]:
    return await events(client, entityIds=[entity_id])


async def count(client: GraphQLClient) -> int:
    return (await client.execute(EVENTS, {"first": 1}))["auditEvents"]["totalCount"]


# Each kind of change, with the values before and after


async def test_account_create_records_every_field_with_the_team(client: GraphQLClient) -> None:
    owner = await create_member(client)
    account = await create_account(
        client, name="ACME", ownerId=owner["id"], currentAnnualValue="1250000.5", industry="Steel", currency="usd"
    )

    (event,) = await events_of(client, account["id"])
    assert event["operation"] == "accountCreate"
    assert event["change"] == "CREATE" and event["entityType"] == "Account" and event["entityId"] == account["id"]
    assert event["account"] == {"id": account["id"]}
    assert event["actor"] == {"id": client.member["id"], "role": "ADMIN"}
    assert event["before"] is None
    after = event["after"]
    assert {k: after[k] for k in ("id", "name", "grade", "valueTier", "industry", "region", "ownerId", "version")} == {
        "id": account["id"], "name": "ACME", "grade": "B", "valueTier": "MEDIUM", "industry": "Steel",
        "region": None, "ownerId": owner["id"], "version": 1,
    }
    assert after["currentAnnualValue"] == "1250000.50" and after["estimatedWallet"] == "0.00"
    assert after["currency"] == "USD" and after["archivedAt"] is None and after["createdAt"].endswith("+00:00")
    assert after["team"] == {owner["id"]: "OWNER"}


async def test_account_update_records_only_the_changed_fields(client: GraphQLClient) -> None:
    account = await create_account(client, name="Old name", industry="Steel")
    payload = await client.mutate(
        UPDATE_ACCOUNT,
        {"id": account["id"], "version": 1, "name": "New name", "grade": "A", "industry": "Steel", "estimatedWallet": "9"},
    )
    assert payload["userErrors"] == []

    update, create = await events_of(client, account["id"])
    assert create["change"] == "CREATE"
    assert update["operation"] == "accountUpdate" and update["change"] == "UPDATE"
    assert update["before"] == {"name": "Old name", "grade": "B", "estimatedWallet": "0.00", "version": 1}
    assert update["after"] == {"name": "New name", "grade": "A", "estimatedWallet": "9.00", "version": 2}


async def test_archive_and_team_changes_are_updates_of_the_account(client: GraphQLClient) -> None:
    account = await create_account(client)
    member = await create_member(client)
    for role in ("SPECIALIST", "SUPPORT"):
        ok = await client.mutate(TEAM_SET, {"accountId": account["id"], "memberId": member["id"], "teamRole": role})
        assert ok["userErrors"] == []
    assert (await client.mutate(TEAM_REMOVE, {"accountId": account["id"], "memberId": member["id"]}))["userErrors"] == []
    archived = await client.mutate(ARCHIVE, {"id": account["id"]})

    archive, remove, change, add, _create = await events_of(client, account["id"])
    assert [e["operation"] for e in (add, change, remove, archive)] == [
        "accountTeamMemberSet", "accountTeamMemberSet", "accountTeamMemberRemove", "accountArchive",
    ]
    assert (add["before"], add["after"]) == ({"team": {member["id"]: None}}, {"team": {member["id"]: "SPECIALIST"}})
    assert (change["before"], change["after"]) == ({"team": {member["id"]: "SPECIALIST"}}, {"team": {member["id"]: "SUPPORT"}})
    assert (remove["before"], remove["after"]) == ({"team": {member["id"]: "SUPPORT"}}, {"team": {member["id"]: None}})
    assert archive["before"] == {"archivedAt": None, "version": 1}
    assert archive["after"] == {"archivedAt": archived["account"]["archivedAt"], "version": 2}


async def test_buying_roles_and_peak_quarters_are_recorded_on_their_owner(client: GraphQLClient) -> None:
    account = await create_account(client)
    person = await create_stakeholder(client, account["id"], buyingRoles=["USER"], title="CTO")
    need = await create_need(client, account["id"], peakQuarters=["Q3"])

    (created,) = await events_of(client, person["id"])
    assert created["after"]["buyingRoles"] == ["USER"] and created["after"]["title"] == "CTO"
    assert created["after"]["accountId"] == account["id"]
    (need_created,) = await events_of(client, need["id"])
    assert need_created["after"]["peakQuarters"] == ["Q3"] and need_created["after"]["category"] == "FUNCTIONAL"

    roles = await client.mutate(UPDATE_STAKEHOLDER, {"id": person["id"], "version": 1, "buyingRoles": ["CHAMPION", "USER"]})
    quarters = await client.mutate(UPDATE_NEED, {"id": need["id"], "peakQuarters": ["Q1"], "priority": "CRITICAL"})
    assert roles["userErrors"] == [] and quarters["userErrors"] == []

    person_update = (await events_of(client, person["id"]))[0]
    assert person_update["before"] == {"buyingRoles": ["USER"], "version": 1}
    assert person_update["after"] == {"buyingRoles": ["USER", "CHAMPION"], "version": 2}
    need_update = (await events_of(client, need["id"]))[0]
    assert need_update["before"] == {"peakQuarters": ["Q3"], "priority": "MEDIUM", "version": 1}
    assert need_update["after"] == {"peakQuarters": ["Q1"], "priority": "CRITICAL", "version": 2}


async def test_deleting_a_stakeholder_records_what_went_and_what_was_unlinked(client: GraphQLClient) -> None:
    account = await create_account(client)
    member = await create_member(client)
    boss = await create_stakeholder(client, account["id"], name="Boss")
    person = await create_stakeholder(client, account["id"], name="Gone", buyingRoles=["GATEKEEPER"])
    link = await add_link(client, person, boss)
    coverage = await set_coverage(client, member, person)
    need = await create_need(client, account["id"], stakeholderId=person["id"])

    deleted = await client.mutate(DELETE_STAKEHOLDER, {"id": person["id"]})
    assert deleted["userErrors"] == []

    recorded = {e["entityId"]: e for e in await events(client, operations=["stakeholderDelete"])}
    assert set(recorded) == {person["id"], link["id"], coverage["id"], need["id"]}
    gone = recorded[person["id"]]
    assert gone["change"] == "DELETE" and gone["after"] is None
    assert gone["before"]["name"] == "Gone" and gone["before"]["buyingRoles"] == ["GATEKEEPER"]
    assert recorded[link["id"]]["change"] == "DELETE"
    assert recorded[link["id"]]["before"]["sourceId"] == person["id"]
    assert recorded[coverage["id"]]["before"]["memberId"] == member["id"]
    unlinked = recorded[need["id"]]
    assert (unlinked["change"], unlinked["before"], unlinked["after"]) == (
        "UPDATE", {"stakeholderId": person["id"]}, {"stakeholderId": None},
    )
    assert {e["account"]["id"] for e in recorded.values()} == {account["id"]}


async def test_plan_rows_belong_to_the_plans_account(client: GraphQLClient) -> None:
    account = await create_account(client)
    plan = await create_plan(client, account["id"])
    objective = await create_objective(client, plan["id"], dueOn="2026-06-30")
    action = await create_action(client, plan["id"])
    assert (await client.mutate(DELETE_PLAN, {"id": plan["id"]}))["userErrors"] == []

    (created,) = [e for e in await events_of(client, objective["id"]) if e["change"] == "CREATE"]
    assert created["account"] == {"id": account["id"]}
    assert created["after"]["target"] == "2000000.00" and created["after"]["dueOn"] == "2026-06-30"
    removed = {e["entityId"]: e for e in await events(client, operations=["actionPlanDelete"])}
    assert set(removed) == {plan["id"], objective["id"], action["id"]}
    assert all(e["change"] == "DELETE" and e["account"] == {"id": account["id"]} for e in removed.values())
    assert removed[action["id"]]["before"]["title"] == "Call the CFO"


async def test_assessment_records_the_assessment_and_the_accounts_new_quadrant(client: GraphQLClient) -> None:
    account = await create_account(client, estimatedWallet="5000000")
    assessment = await record_assessment(client, account["id"], note="first look")

    recorded = await events(client, operations=["growthAssessmentRecord"])
    by_type = {e["entityType"]: e for e in recorded}
    assert set(by_type) == {"GrowthAssessment", "Account"}
    assert by_type["GrowthAssessment"]["entityId"] == assessment["id"]
    assert by_type["GrowthAssessment"]["after"]["quadrant"] == "DEVELOP"
    assert by_type["Account"]["before"] == {"quadrant": None, "version": 1}
    assert by_type["Account"]["after"] == {"quadrant": "DEVELOP", "version": 2}
    assert len({e["occurredAt"] for e in recorded}) == 1


async def test_team_member_changes_belong_to_no_account(client: GraphQLClient) -> None:
    member = await create_member(client, name="Before")
    ok = await client.mutate(UPDATE_MEMBER, {"id": member["id"], "version": 1, "name": "After", "role": "VIEWER"})
    assert ok["userErrors"] == []

    update, create = await events_of(client, member["id"])
    assert create["after"]["email"] == member["email"] and create["account"] is None
    assert update["before"] == {"name": "Before", "role": "ACCOUNT_MANAGER", "version": 1}
    assert update["after"] == {"name": "After", "role": "VIEWER", "version": 2}


async def test_deleting_a_member_records_what_the_database_did_with_their_rows(
    client: GraphQLClient, client_for: ClientFor
) -> None:
    """The member's team places and coverage go, what they owned stays without owner; all on record."""
    account = await create_account(client)
    leaver = (await client_for("ACCOUNT_MANAGER", on=[account["id"]], team_role="EXECUTIVE_SPONSOR")).member
    ok = await client.mutate(UPDATE_ACCOUNT, {"id": account["id"], "ownerId": leaver["id"]})
    assert ok["userErrors"] == []
    person = await create_stakeholder(client, account["id"])
    coverage = await set_coverage(client, leaver, person)
    action = await create_action(client, (await create_plan(client, account["id"]))["id"], ownerId=leaver["id"])

    assert (await client.mutate(DELETE_MEMBER, {"id": leaver["id"]}))["userErrors"] == []

    recorded = {e["entityId"]: e for e in await events(client, operations=["teamMemberDelete"])}
    assert set(recorded) == {leaver["id"], account["id"], coverage["id"], action["id"]}
    assert recorded[leaver["id"]]["change"] == "DELETE" and recorded[leaver["id"]]["before"]["email"] == leaver["email"]
    assert recorded[leaver["id"]]["account"] is None
    assert (recorded[account["id"]]["before"], recorded[account["id"]]["after"]) == (
        {"ownerId": leaver["id"], "team": {leaver["id"]: "EXECUTIVE_SPONSOR"}},
        {"ownerId": None, "team": {leaver["id"]: None}},
    )
    assert recorded[coverage["id"]]["change"] == "DELETE"
    assert (recorded[action["id"]]["before"], recorded[action["id"]]["after"]) == ({"ownerId": leaver["id"]}, {"ownerId": None})
    assert recorded[action["id"]]["account"] == {"id": account["id"]}


async def test_link_strength_and_reporting_line_changes_are_recorded(client: GraphQLClient) -> None:
    account = await create_account(client)
    boss = await create_stakeholder(client, account["id"])
    person = await create_stakeholder(client, account["id"], reportsToId=boss["id"])
    link = await add_link(client, person, boss, "WEAK")
    assert (await client.mutate(UPDATE_LINK, {"id": link["id"], "strength": "STRONG"}))["userErrors"] == []
    moved = await client.mutate(UPDATE_STAKEHOLDER, {"id": person["id"], "reportsToId": None})
    assert moved["userErrors"] == []

    (strength, _) = await events_of(client, link["id"])
    assert (strength["before"], strength["after"]) == ({"strength": "WEAK"}, {"strength": "STRONG"})
    (line, created) = await events_of(client, person["id"])
    assert created["after"]["reportsToId"] == boss["id"]
    assert (line["before"], line["after"]) == ({"reportsToId": boss["id"], "version": 1}, {"reportsToId": None, "version": 2})


async def test_an_event_is_a_node(client: GraphQLClient) -> None:
    account = await create_account(client)
    (event,) = await events_of(client, account["id"])
    data = await client.execute(NODE, {"id": event["id"]})
    assert data["node"] == {"id": event["id"], "operation": "accountCreate", "entityType": "Account"}


async def test_only_admins_read_the_whole_trail_and_whoever_sees_an_account_reads_its_history(
    client: GraphQLClient, client_for: ClientFor
) -> None:
    account = await create_account(client)
    hidden = await create_account(client)
    (event,) = await events_of(client, account["id"])

    for role in ("MANAGER", "ACCOUNT_MANAGER", "VIEWER"):
        member = await client_for(role, on=[account["id"]])
        (error,) = await member.errors(EVENTS, {"first": 5})
        assert error["extensions"]["code"] == "FORBIDDEN", role
        history = (await member.execute(HISTORY, {"id": account["id"]}))["account"]["history"]
        assert [e["id"] for e in history["nodes"]] == [event["id"]], role

    outsider = await client_for("ACCOUNT_MANAGER")
    assert (await outsider.execute(HISTORY, {"id": hidden["id"]}))["account"] is None
    assert (await outsider.execute(NODE, {"id": event["id"]}))["node"] is None


# A failed mutation records nothing


async def test_refused_mutations_record_nothing(client: GraphQLClient) -> None:
    account = await create_account(client)
    before = await count(client)

    blank = await client.mutate(UPDATE_ACCOUNT, {"id": account["id"], "name": "  "})
    stale = await client.mutate(UPDATE_ACCOUNT, {"id": account["id"], "version": 7, "name": "Stale"})
    missing = await client.mutate(UPDATE_ACCOUNT, {"id": "QWNjb3VudDo5OTk5", "name": "Nobody"})
    assert [p["userErrors"][0]["code"] for p in (blank, stale, missing)] == ["REQUIRED", "CONFLICT", "NOT_FOUND"]

    assert await count(client) == before


async def test_a_mutation_failing_after_it_wrote_records_nothing(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The account row was flushed (and its event pending) when the refusal came: both roll back."""
    create = account_mutations.create_account

    async def create_then_refuse(*args: Any, **kwargs: Any) -> Any:
        await create(*args, **kwargs)
        raise DomainError.single("name", "Refused after writing.", ErrorCode.INVALID)

    monkeypatch.setattr(account_mutations, "create_account", create_then_refuse)
    before = await count(client)
    refused = await client.mutate(
        "mutation($input: AccountCreateInput!) { accountCreate(input: $input) { account { id } userErrors { code } } }",
        {"name": "Never", "grade": "A", "valueTier": "HIGH"},
    )
    assert refused == {"account": None, "userErrors": [{"code": "INVALID"}]}

    async def create_then_crash(*args: Any, **kwargs: Any) -> Any:
        await create(*args, **kwargs)
        raise RuntimeError("boom")

    monkeypatch.setattr(account_mutations, "create_account", create_then_crash)
    response = await client.post(
        "mutation($input: AccountCreateInput!) { accountCreate(input: $input) { account { id } } }",
        {"input": {"name": "Never either", "grade": "A", "valueTier": "HIGH"}},
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"

    assert await count(client) == before
    listed = await client.execute("{ accounts(filter: {search: \"Never\"}) { totalCount } }")
    assert listed["accounts"]["totalCount"] == 0


# Reading the trail


async def test_filters_select_events_by_account_actor_type_operation_and_time(client: GraphQLClient) -> None:
    first = await create_account(client)
    second = await create_account(client)
    person = await create_stakeholder(client, first["id"])
    await client.mutate(UPDATE_ACCOUNT, {"id": second["id"], "name": "Renamed"})
    everything = await events(client)
    newest = everything[0]

    assert [e["entityId"] for e in await events(client, accountIds=[first["id"]])] == [person["id"], first["id"]]
    assert [e["entityId"] for e in await events(client, entityTypes=["Stakeholder"])] == [person["id"]]
    assert [e["operation"] for e in await events(client, operations=["accountUpdate", "stakeholderCreate"])] == [
        "accountUpdate", "stakeholderCreate",
    ]
    assert [e["change"] for e in await events(client, entityIds=[second["id"]])] == ["UPDATE", "CREATE"]
    actor = newest["actor"]["id"]
    assert len(await events(client, actorIds=[actor])) == len(everything)
    other = await create_member(client)
    assert await events(client, actorIds=[other["id"]]) == []

    since = await events(client, occurredAfter=newest["occurredAt"])
    assert newest["id"] in [e["id"] for e in since] and everything[-1]["id"] not in [e["id"] for e in since]
    until = await events(client, occurredBefore=newest["occurredAt"])
    assert newest["id"] not in [e["id"] for e in until]
    assert len(since) + len(until) == len(await events(client))


async def test_events_page_newest_first_in_both_directions(client: GraphQLClient) -> None:
    for n in range(5):
        await create_account(client, name=f"Paged {n}")
    everything = [e["id"] for e in await events(client)]
    assert len(everything) == 5

    seen, after = [], None
    while True:
        data = (await client.execute(EVENTS, {"first": 2, "after": after}))["auditEvents"]
        assert data["totalCount"] == 5
        seen += [edge["node"]["id"] for edge in data["edges"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert seen == everything

    tail = (await client.execute(EVENTS, {"last": 2}))["auditEvents"]
    assert [edge["node"]["id"] for edge in tail["edges"]] == everything[-2:]
    assert tail["pageInfo"]["hasPreviousPage"] is True
    before = (await client.execute(EVENTS, {"last": 2, "before": tail["pageInfo"]["startCursor"]}))["auditEvents"]
    assert [edge["node"]["id"] for edge in before["edges"]] == everything[1:3]
    names = [e["after"]["name"] for e in await events(client)]
    assert names == [f"Paged {n}" for n in reversed(range(5))]


@pytest.mark.parametrize(
    ("flt", "argument"),
    [
        ({"occurredAfter": "2026-01-01T00:00:00"}, "filter.occurredAfter"),
        ({"entityIds": ["not an id"]}, "filter.entityIds"),
        ({"accountIds": ["VGVhbU1lbWJlcjox"]}, "filter.accountIds"),
    ],
    ids=["datetime-without-offset", "malformed-entity-id", "account-filter-with-member-id"],
)
async def test_malformed_filters_are_bad_user_input(client: GraphQLClient, flt: dict[str, Any], argument: str) -> None:
    (error,) = await client.errors(EVENTS, {"filter": flt})
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["argument"] == argument


async def test_account_history_lists_the_accounts_events_and_outlives_a_hard_delete(client: GraphQLClient) -> None:
    account = await create_account(client)
    other = await create_account(client)
    person = await create_stakeholder(client, account["id"])
    need = await create_need(client, account["id"])
    await client.mutate(UPDATE_ACCOUNT, {"id": account["id"], "name": "Renamed"})

    data = (await client.execute(HISTORY, {"id": account["id"], "first": 2}))["account"]["history"]
    assert data["totalCount"] == 4 and data["pageInfo"]["hasNextPage"] is True
    rest = (await client.execute(HISTORY, {"id": account["id"], "first": 10, "after": data["pageInfo"]["endCursor"]}))
    history = data["nodes"] + rest["account"]["history"]["nodes"]
    assert [(e["entityId"], e["change"]) for e in history] == [
        (account["id"], "UPDATE"), (need["id"], "CREATE"), (person["id"], "CREATE"), (account["id"], "CREATE"),
    ]
    assert other["id"] not in [e["entityId"] for e in history]

    assert (await client.mutate(DELETE_ACCOUNT, {"id": account["id"]}))["userErrors"] == []
    kept = await events(client, accountIds=[account["id"]])
    assert [e["entityId"] for e in kept[len(kept) - 4 :]] == [e["entityId"] for e in history]
    assert all(e["account"] is None for e in kept)


async def test_history_of_many_accounts_takes_no_more_statements_than_of_a_few(
    client: GraphQLClient, sql: StatementCounter
) -> None:
    member = await create_member(client)
    for n in range(12):
        account = await create_account(client, name=f"History {n:02}", ownerId=member["id"])
        await client.mutate(UPDATE_ACCOUNT, {"id": account["id"], "industry": "Steel"})

    async def statements(first: int) -> int:
        sql.reset()
        data = await client.execute(ACCOUNTS_WITH_HISTORY, {"first": first})
        assert len(data["accounts"]["nodes"]) == first
        assert all(a["history"]["totalCount"] == 2 for a in data["accounts"]["nodes"])
        return sql.count

    assert await statements(3) == await statements(12)


# Several writes of one object within one mutation make one event


def change(kind: AuditChange, before: dict[str, Any] | None, after: dict[str, Any] | None) -> Pending:
    return Pending("Account", 1, kind, before, after)


def test_a_create_then_an_update_is_a_create_with_the_final_values() -> None:
    merged = change(AuditChange.CREATE, None, {"name": "A", "team": {}}).then(
        change(AuditChange.UPDATE, {"name": "A", "team": {"m": None}}, {"name": "B", "team": {"m": "OWNER"}})
    )
    assert merged is not None
    assert (merged.change, merged.before, merged.after) == (AuditChange.CREATE, None, {"name": "B", "team": {"m": "OWNER"}})


def test_a_create_then_a_delete_leaves_nothing() -> None:
    assert change(AuditChange.CREATE, None, {"name": "A"}).then(change(AuditChange.DELETE, {"name": "A"}, None)) is None


def test_updates_keep_the_first_before_and_the_last_after() -> None:
    first = change(AuditChange.UPDATE, {"name": "A", "team": {"m": None}}, {"name": "B", "team": {"m": "OWNER"}})
    merged = first.then(change(AuditChange.UPDATE, {"name": "B", "grade": "C", "team": {"m": "OWNER"}}, {"name": "C", "grade": "A", "team": {"m": None}}))
    assert merged is not None
    assert (merged.before, merged.after) == ({"name": "A", "grade": "C"}, {"name": "C", "grade": "A"})


def test_updates_that_undo_each_other_leave_nothing() -> None:
    first = change(AuditChange.UPDATE, {"name": "A"}, {"name": "B"})
    assert first.then(change(AuditChange.UPDATE, {"name": "B"}, {"name": "A"})) is None


def test_an_update_then_a_delete_is_a_delete_of_the_values_from_before_the_mutation() -> None:
    first = change(AuditChange.UPDATE, {"name": "A", "team": {"m": "OWNER"}}, {"name": "B", "team": {"m": None}})
    merged = first.then(change(AuditChange.DELETE, {"name": "B", "grade": "C"}, None))
    assert merged is not None
    assert (merged.change, merged.before, merged.after) == (
        AuditChange.DELETE, {"name": "A", "team": {"m": "OWNER"}, "grade": "C"}, None,
    )
