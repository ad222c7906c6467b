"""Interactions through the GraphQL API: record, change and delete them (with version checks and the audit
trail), the refusals of bad input, the recency they keep on accounts, stakeholders and coverage, the account
list filtered and ordered by it, the timelines (per account, per stakeholder, across accounts) with their
filters and keyset pages, who may read and write them, and statement counts that do not grow with rows.

Dates are chosen relative to the moment the test runs (interactions are never in the future); the
windows of 30, 90 and 365 days end on the day of the write.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from resolvers.ids import to_global_id
from tests.conftest import ClientFor, GraphQLClient, StatementCounter
from tests.factories import create_account, create_member
from tests.interaction_factories import (
    ACCOUNTS,
    CREATE_INTERACTION,
    DELETE_INTERACTION,
    INTERACTION_NODE,
    TIMELINES,
    UPDATE_INTERACTION,
    account_state,
    codes,
    create_interaction,
    day,
    days_ago,
    delete_interaction,
    now,
    person_state,
    read,
    recency,
    subjects,
    update_interaction,
    walk,
)
from tests.plan_factories import CREATE_NEED, create_need
from tests.stakeholder_factories import SET_COVERAGE, create_stakeholder, set_coverage
from tests.stores import SQLiteStore, Store

HISTORY = """query($id: ID!) {
  account(id: $id) { history(first: 50) { nodes { operation entityType entityId change before after } } }
}"""
ARCHIVE = "mutation($input: AccountArchiveInput!) { accountArchive(input: $input) { userErrors { code } } }"
DELETE_NEED = "mutation($input: NeedDeleteInput!) { needDelete(input: $input) { userErrors { code } } }"
DELETE_PERSON = "mutation($input: StakeholderDeleteInput!) { stakeholderDelete(input: $input) { userErrors { code } } }"


# 1. Record, read, change, delete


async def test_create_read_update_delete_round_trip(client: GraphQLClient) -> None:
    account = await create_account(client)
    alice = await create_stakeholder(client, account["id"], name="Alice")
    bob = await create_stakeholder(client, account["id"], name="Bob")
    need = await create_need(client, account["id"])
    colleague = await create_member(client)
    me = client.member["id"]  # type: ignore[index]
    when = days_ago(3)
    created = await create_interaction(
        client, account["id"], kind="MEETING", direction="INBOUND", occurredAt=when, durationMinutes=45,
        subject="  Quarterly review ", summary="Went well", outcome="Pilot agreed", nextStep="Send the quote",
        stakeholderIds=[bob["id"], alice["id"], bob["id"]], memberIds=[colleague["id"], me], needId=need["id"],
    )
    assert await read(client, created["id"]) == created
    assert (created["kind"], created["direction"], created["occurredAt"]) == ("MEETING", "INBOUND", when)
    assert (created["subject"], created["durationMinutes"], created["version"]) == ("Quarterly review", 45, 1)
    assert (created["summary"], created["outcome"], created["nextStep"]) == ("Went well", "Pilot agreed", "Send the quote")
    assert created["stakeholders"] == [{"id": alice["id"]}, {"id": bob["id"]}]
    assert created["members"] == [{"id": me}, {"id": colleague["id"]}]
    assert created["account"] == {"id": account["id"]} and created["need"] == {"id": need["id"]}

    changed = await update_interaction(client, created["id"], version=1, subject="Renewal", summary=None, durationMinutes=None)
    given = ("subject", "summary", "durationMinutes", "version", "updatedAt")
    assert [changed[k] for k in given[:4]] == ["Renewal", None, None, 2]
    assert {k: v for k, v in changed.items() if k not in given} == {k: v for k, v in created.items() if k not in given}
    fewer = await update_interaction(client, created["id"], version=2, stakeholderIds=[bob["id"]])
    assert fewer["stakeholders"] == [{"id": bob["id"]}] and fewer["version"] == 3
    assert fewer["updatedAt"] > changed["updatedAt"]
    others = await update_interaction(client, created["id"], version=3, memberIds=[colleague["id"]])
    assert others["members"] == [{"id": colleague["id"]}] and others["version"] == 4
    cleared = await update_interaction(client, created["id"], needId=None, stakeholderIds=[], memberIds=[])
    assert (cleared["need"], cleared["stakeholders"], cleared["members"], cleared["version"]) == (None, [], [], 5)

    stale = await client.mutate(UPDATE_INTERACTION, {"id": created["id"], "version": 4, "subject": "Lost"})
    assert stale["interaction"] is None and [e["code"] for e in stale["userErrors"]] == ["CONFLICT"]
    assert await read(client, created["id"]) == cleared

    await delete_interaction(client, created["id"])
    assert await read(client, created["id"]) is None
    assert (await account_state(client, account["id"]))["interactions"]["totalCount"] == 0
    again = await client.mutate(DELETE_INTERACTION, {"id": created["id"]})
    assert again["deletedId"] is None and codes(again) == [("id", "NOT_FOUND")]


async def test_defaults(client: GraphQLClient) -> None:
    account = await create_account(client)
    before = now()
    created = await create_interaction(client, account["id"], kind="EMAIL", subject="Hello", summary="   ")
    assert before <= datetime.fromisoformat(created["occurredAt"]) <= now()
    assert created["direction"] == "OUTBOUND" and created["members"] == [{"id": client.member["id"]}]  # type: ignore[index]
    assert created["stakeholders"] == [] and created["need"] is None
    assert (created["durationMinutes"], created["summary"], created["outcome"]) == (None, None, None)
    alone = await create_interaction(client, account["id"], memberIds=[], occurredAt=None)
    assert alone["members"] == [] and before <= datetime.fromisoformat(alone["occurredAt"]) <= now()


async def test_edges_of_the_rules_are_accepted(client: GraphQLClient) -> None:
    account = await create_account(client)
    first = await create_interaction(client, account["id"], occurredAt="1970-01-01T00:00:00Z", durationMinutes=0)
    assert (first["occurredAt"], first["durationMinutes"]) == ("1970-01-01T00:00:00+00:00", 0)
    week = await create_interaction(client, account["id"], durationMinutes=10080, subject="x" * 300)
    assert week["durationMinutes"] == 10080 and len(week["subject"]) == 300
    # An offset is converted to UTC (and the UTC day is what filters and windows count in).
    shifted = await create_interaction(client, account["id"], occurredAt=f"{day(10)}T02:00:00+05:00")
    assert shifted["occurredAt"] == f"{day(11)}T21:00:00+00:00"


async def test_audit_trail_records_interactions_with_their_participants(client: GraphQLClient) -> None:
    account = await create_account(client)
    alice = await create_stakeholder(client, account["id"])
    bob = await create_stakeholder(client, account["id"])
    me = client.member["id"]  # type: ignore[index]
    created = await create_interaction(client, account["id"], stakeholderIds=[bob["id"], alice["id"]])
    await update_interaction(client, created["id"], stakeholderIds=[bob["id"]])
    await update_interaction(client, created["id"], subject="New subject")
    await delete_interaction(client, created["id"])
    events = (await client.execute(HISTORY, {"id": account["id"]}))["account"]["history"]["nodes"]
    mine = [e for e in events if e["entityType"] == "Interaction"]
    assert all(e["entityId"] == created["id"] for e in mine)
    assert [(e["operation"], e["change"]) for e in mine] == [
        ("interactionDelete", "DELETE"), ("interactionUpdate", "UPDATE"), ("interactionUpdate", "UPDATE"),
        ("interactionCreate", "CREATE"),
    ]
    deleted, renamed, moved, made = mine
    assert made["before"] is None and made["after"]["stakeholderIds"] == [alice["id"], bob["id"]]
    assert made["after"]["memberIds"] == [me] and made["after"]["subject"] == "Check-in"
    assert made["after"]["accountId"] == account["id"]
    assert moved["before"] == {"stakeholderIds": [alice["id"], bob["id"]], "version": 1}
    assert moved["after"] == {"stakeholderIds": [bob["id"]], "version": 2}
    assert renamed["before"] == {"subject": "Check-in", "version": 2}
    assert renamed["after"] == {"subject": "New subject", "version": 3}
    assert deleted["after"] is None and deleted["before"]["stakeholderIds"] == [bob["id"]]
    assert deleted["before"]["memberIds"] == [me] and deleted["before"]["subject"] == "New subject"
    # The recency kept on the account and the people is derived: no new version, no event of theirs.
    assert {e["entityType"] for e in events if e["change"] == "UPDATE"} == {"Interaction"}
    assert (await account_state(client, account["id"]))["version"] == 1
    assert (await person_state(client, alice["id"]))["version"] == 1


async def test_deleting_a_need_or_a_person_keeps_the_interaction(client: GraphQLClient) -> None:
    account = await create_account(client)
    alice = await create_stakeholder(client, account["id"])
    bob = await create_stakeholder(client, account["id"])
    need = await create_need(client, account["id"])
    created = await create_interaction(client, account["id"], stakeholderIds=[alice["id"], bob["id"]], needId=need["id"])
    assert (await client.mutate(DELETE_NEED, {"id": need["id"]}))["userErrors"] == []
    assert (await client.mutate(DELETE_PERSON, {"id": alice["id"]}))["userErrors"] == []
    kept = await read(client, created["id"])
    assert kept is not None and kept["need"] is None and kept["stakeholders"] == [{"id": bob["id"]}]
    assert await subjects(client, "root", filter={"stakeholderIds": [alice["id"]]}) == []
    state = await account_state(client, account["id"])
    assert state["interactionRecency"] == recency(created["occurredAt"], 1, 1, 1)


# 2. Refusals: a userError (or BAD_USER_INPUT), and nothing changes

MISSING = {name: to_global_id(name, 999_999) for name in ("Account", "Stakeholder", "Need", "TeamMember", "Interaction")}

# (fields given the account, the other account's stakeholder and need, the field in error, the code)
VALUE_REFUSALS: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]], str, str]] = [
    ("future", lambda w: {"occurredAt": days_ago(-1)}, "occurredAt", "OUT_OF_RANGE"),
    ("before-1970", lambda w: {"occurredAt": "1969-12-31T23:59:59Z"}, "occurredAt", "OUT_OF_RANGE"),
    ("before-1970-in-utc", lambda w: {"occurredAt": "1970-01-01T00:30:00+01:00"}, "occurredAt", "OUT_OF_RANGE"),
    ("negative-duration", lambda w: {"durationMinutes": -1}, "durationMinutes", "OUT_OF_RANGE"),
    ("duration-over-a-week", lambda w: {"durationMinutes": 10081}, "durationMinutes", "OUT_OF_RANGE"),
    ("blank-subject", lambda w: {"subject": " \t "}, "subject", "REQUIRED"),
    ("long-subject", lambda w: {"subject": "x" * 301}, "subject", "OUT_OF_RANGE"),
    ("long-summary", lambda w: {"summary": "x" * 5001}, "summary", "OUT_OF_RANGE"),
    ("other-accounts-stakeholder", lambda w: {"stakeholderIds": [w["stranger"]]}, "stakeholderIds", "CROSS_ACCOUNT"),
    ("other-accounts-need", lambda w: {"needId": w["foreign_need"]}, "needId", "CROSS_ACCOUNT"),
    ("malformed-stakeholder", lambda w: {"stakeholderIds": ["junk"]}, "stakeholderIds", "INVALID"),
    ("account-as-stakeholder", lambda w: {"stakeholderIds": [w["account"]]}, "stakeholderIds", "INVALID"),
    ("missing-stakeholder", lambda w: {"stakeholderIds": [MISSING["Stakeholder"]]}, "stakeholderIds", "NOT_FOUND"),
    ("account-as-need", lambda w: {"needId": w["account"]}, "needId", "INVALID"),
    ("missing-need", lambda w: {"needId": MISSING["Need"]}, "needId", "NOT_FOUND"),
    ("unknown-member", lambda w: {"memberIds": [MISSING["TeamMember"]]}, "memberIds", "NOT_FOUND"),
    ("stakeholder-as-member", lambda w: {"memberIds": [w["stranger"]]}, "memberIds", "INVALID"),
    ("51-members", lambda w: {"memberIds": [to_global_id("TeamMember", i) for i in range(1, 52)]}, "memberIds", "OUT_OF_RANGE"),
]
CREATE_REFUSALS = VALUE_REFUSALS + [
    ("malformed-account", lambda w: {"accountId": "junk"}, "accountId", "INVALID"),
    ("need-as-account", lambda w: {"accountId": w["foreign_need"]}, "accountId", "INVALID"),
    ("missing-account", lambda w: {"accountId": MISSING["Account"]}, "accountId", "NOT_FOUND"),
]
UPDATE_REFUSALS = VALUE_REFUSALS + [
    (f"null-{key}", lambda w, key=key: {key: None}, key, "REQUIRED")  # type: ignore[misc]
    for key in ("stakeholderIds", "memberIds", "kind", "direction", "occurredAt", "subject")
] + [
    ("malformed-id", lambda w: {"id": "junk"}, "id", "INVALID"),
    ("need-as-id", lambda w: {"id": w["foreign_need"]}, "id", "INVALID"),
    ("missing-id", lambda w: {"id": MISSING["Interaction"]}, "id", "NOT_FOUND"),
]


@pytest.fixture
async def scene(client: GraphQLClient) -> dict[str, Any]:
    """An account with a person and one interaction, and another account with a person and a need."""
    account = await create_account(client)
    other = await create_account(client)
    person = await create_stakeholder(client, account["id"])
    interaction = await create_interaction(client, account["id"], stakeholderIds=[person["id"]], occurredAt=days_ago(40))
    return {
        "account": account["id"], "person": person["id"], "interaction": interaction,
        "stranger": (await create_stakeholder(client, other["id"]))["id"],
        "foreign_need": (await create_need(client, other["id"]))["id"],
        "state": await account_state(client, account["id"]), "person_state": await person_state(client, person["id"]),
    }


async def assert_unchanged(client: GraphQLClient, scene: dict[str, Any]) -> None:
    assert await read(client, scene["interaction"]["id"]) == scene["interaction"]
    assert await account_state(client, scene["account"]) == scene["state"]
    assert await person_state(client, scene["person"]) == scene["person_state"]


@pytest.mark.parametrize(("build", "field", "code"), [c[1:] for c in CREATE_REFUSALS], ids=[c[0] for c in CREATE_REFUSALS])
async def test_bad_create_input_changes_nothing(
    client: GraphQLClient, scene: dict, build: Callable, field: str, code: str
) -> None:
    data = {"accountId": scene["account"], "kind": "CALL", "subject": "T", "stakeholderIds": [scene["person"]]}
    data.update(build(scene))
    payload = await client.mutate(CREATE_INTERACTION, data)
    assert payload["interaction"] is None and codes(payload) == [(field, code)]
    await assert_unchanged(client, scene)


@pytest.mark.parametrize(("build", "field", "code"), [c[1:] for c in UPDATE_REFUSALS], ids=[c[0] for c in UPDATE_REFUSALS])
async def test_bad_update_input_changes_nothing(
    client: GraphQLClient, scene: dict, build: Callable, field: str, code: str
) -> None:
    payload = await client.mutate(UPDATE_INTERACTION, {"id": scene["interaction"]["id"], "version": 1, **build(scene)})
    assert payload["interaction"] is None and codes(payload) == [(field, code)]
    await assert_unchanged(client, scene)


async def test_at_most_50_stakeholders(client: GraphQLClient) -> None:
    account = await create_account(client)
    people = [(await create_stakeholder(client, account["id"]))["id"] for _ in range(51)]
    town_hall = {"accountId": account["id"], "kind": "EVENT", "subject": "Town hall", "stakeholderIds": people}
    refused = await client.mutate(CREATE_INTERACTION, town_hall)
    assert codes(refused) == [("stakeholderIds", "OUT_OF_RANGE")]
    assert (await account_state(client, account["id"]))["interactions"]["totalCount"] == 0
    fifty = await create_interaction(client, account["id"], stakeholderIds=people[:50] + people[:1])
    assert len(fifty["stakeholders"]) == 50
    too_many = await client.mutate(UPDATE_INTERACTION, {"id": fifty["id"], "stakeholderIds": people})
    assert codes(too_many) == [("stakeholderIds", "OUT_OF_RANGE")]
    assert len((await read(client, fifty["id"]))["stakeholders"]) == 50  # type: ignore[index]


async def test_nothing_of_an_archived_account_changes(client: GraphQLClient, scene: dict[str, Any]) -> None:
    assert (await client.mutate(ARCHIVE, {"id": scene["account"]}))["userErrors"] == []
    scene["state"] = await account_state(client, scene["account"])
    created = await client.mutate(CREATE_INTERACTION, {"accountId": scene["account"], "kind": "CALL", "subject": "T"})
    assert codes(created) == [("accountId", "ARCHIVED")]
    updated = await client.mutate(UPDATE_INTERACTION, {"id": scene["interaction"]["id"], "subject": "Changed"})
    assert codes(updated) == [("id", "ARCHIVED")]
    deleted = await client.mutate(DELETE_INTERACTION, {"id": scene["interaction"]["id"]})
    assert codes(deleted) == [("id", "ARCHIVED")]
    await assert_unchanged(client, scene)


def raw_body(query: str, input_json: str) -> bytes:
    return b'{"query": ' + json.dumps(query).encode() + b', "variables": {"input": ' + input_json.encode() + b"}}"


async def test_a_lone_surrogate_in_the_summary_is_bad_user_input(client: GraphQLClient, scene: dict[str, Any]) -> None:
    headers = {"Content-Type": "application/json"}
    create = f'{{"accountId": "{scene["account"]}", "kind": "CALL", "subject": "T", "summary": "a\\ud800b"}}'
    update = f'{{"id": "{scene["interaction"]["id"]}", "summary": "\\udfff"}}'
    for document, given in ((CREATE_INTERACTION, create), (UPDATE_INTERACTION, update)):
        response = await client.http.post("/graphql", content=raw_body(document, given), headers=headers)
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and "surrogate" in error["message"]
    await assert_unchanged(client, scene)


async def test_an_occurred_at_without_offset_is_refused_not_an_internal_error(client: GraphQLClient, scene: dict) -> None:
    for document, given in (
        (CREATE_INTERACTION, {"accountId": scene["account"], "kind": "CALL", "subject": "T"}),
        (UPDATE_INTERACTION, {"id": scene["interaction"]["id"]}),
    ):
        body = (await client.post(document, {"input": {**given, "occurredAt": "2024-01-01T10:00:00"}})).json()
        found = [e["extensions"]["code"] for e in body.get("errors", [])]
        found += [e["code"] for payload in (body.get("data") or {}).values() for e in payload["userErrors"]]
        assert found in (["BAD_USER_INPUT"], ["INVALID"]), body
    await assert_unchanged(client, scene)


# 3. Recency on accounts, stakeholders and coverage


async def test_recency_follows_creates_updates_and_deletes(client: GraphQLClient) -> None:
    account = await create_account(client)
    untouched = await create_account(client)
    ann = await create_stakeholder(client, account["id"])
    ben = await create_stakeholder(client, account["id"])
    assert (await account_state(client, account["id"]))["interactionRecency"]["countedOn"] is None
    now_ = await create_interaction(client, account["id"], stakeholderIds=[ann["id"]])
    d20 = await create_interaction(client, account["id"], occurredAt=days_ago(20), stakeholderIds=[ann["id"], ben["id"]])
    d60 = await create_interaction(client, account["id"], occurredAt=days_ago(60), stakeholderIds=[ben["id"]])
    await create_interaction(client, account["id"], occurredAt=days_ago(200), stakeholderIds=[ann["id"]])
    await create_interaction(client, account["id"], occurredAt=days_ago(400), stakeholderIds=[ann["id"]])

    async def check(account_expected: dict, ann_expected: dict, ben_expected: dict) -> None:
        assert (await account_state(client, account["id"]))["interactionRecency"] == account_expected
        assert (await person_state(client, ann["id"]))["interactionRecency"] == ann_expected
        assert (await person_state(client, ben["id"]))["interactionRecency"] == ben_expected

    last, d20_at = now_["occurredAt"], d20["occurredAt"]
    await check(recency(last, 2, 3, 4), recency(last, 2, 2, 3), recency(d20_at, 1, 2, 2))
    assert (await account_state(client, untouched["id"]))["interactionRecency"] == {
        "lastInteractionAt": None, "last30Days": 0, "last90Days": 0, "last365Days": 0, "countedOn": None
    }
    moved = await update_interaction(client, now_["id"], occurredAt=days_ago(100))
    await check(recency(d20_at, 1, 2, 4), recency(d20_at, 1, 1, 3), recency(d20_at, 1, 2, 2))
    await update_interaction(client, d20["id"], stakeholderIds=[ben["id"]])
    await check(recency(d20_at, 1, 2, 4), recency(moved["occurredAt"], 0, 0, 2), recency(d20_at, 1, 2, 2))
    await delete_interaction(client, d20["id"])
    d60_at = d60["occurredAt"]
    await check(recency(d60_at, 0, 1, 3), recency(moved["occurredAt"], 0, 0, 2), recency(d60_at, 0, 1, 1))
    await delete_interaction(client, d60["id"])
    await check(recency(moved["occurredAt"], 0, 0, 2), recency(moved["occurredAt"], 0, 0, 2), recency(None, 0, 0, 0))


async def test_windows_hold_today_and_the_days_before(client: GraphQLClient) -> None:
    account = await create_account(client)
    first_moments = {29: "00:00:00", 89: "00:00:00", 364: "00:00:00"}
    last_moments = {30: "23:59:59.999999", 90: "23:59:59", 365: "23:59:59"}
    for days_back, time in {**first_moments, **last_moments}.items():
        await create_interaction(client, account["id"], occurredAt=f"{day(days_back)}T{time}+00:00")
    last = f"{day(29)}T00:00:00+00:00"
    assert (await account_state(client, account["id"]))["interactionRecency"] == recency(last, 1, 3, 5)


async def test_coverage_keeps_the_last_interaction_of_the_member_with_the_person(client: GraphQLClient) -> None:
    account = await create_account(client)
    pat = await create_stakeholder(client, account["id"])
    quinn = await create_stakeholder(client, account["id"])
    colleague = await create_member(client)
    me = {"id": client.member["id"]}  # type: ignore[index]
    await set_coverage(client, colleague, pat)

    async def last_met(person: dict) -> dict[str, str | None]:
        return {c["member"]["id"]: c["lastInteractionAt"] for c in (await person_state(client, person["id"]))["coverage"]}

    assert await last_met(pat) == {colleague["id"]: None}
    d10 = await create_interaction(
        client, account["id"], occurredAt=days_ago(10), stakeholderIds=[pat["id"]], memberIds=[colleague["id"]]
    )
    d5 = await create_interaction(client, account["id"], occurredAt=days_ago(5), stakeholderIds=[pat["id"], quinn["id"]])
    assert await last_met(pat) == {colleague["id"]: d10["occurredAt"]}
    await set_coverage(client, me, pat)
    await set_coverage(client, colleague, quinn)
    assert await last_met(pat) == {colleague["id"]: d10["occurredAt"], me["id"]: d5["occurredAt"]}
    assert await last_met(quinn) == {colleague["id"]: None}
    both = [colleague["id"], me["id"]]
    d2 = await create_interaction(client, account["id"], occurredAt=days_ago(2), stakeholderIds=[pat["id"]], memberIds=both)
    assert await last_met(pat) == {colleague["id"]: d2["occurredAt"], me["id"]: d2["occurredAt"]}
    await update_interaction(client, d2["id"], memberIds=[me["id"]])
    assert await last_met(pat) == {colleague["id"]: d10["occurredAt"], me["id"]: d2["occurredAt"]}
    await update_interaction(client, d5["id"], memberIds=[colleague["id"]])
    assert await last_met(quinn) == {colleague["id"]: d5["occurredAt"]}
    await set_coverage(client, colleague, pat, strength="TRUSTED_ADVISOR")  # a change of strength keeps what is known
    assert await last_met(pat) == {colleague["id"]: d5["occurredAt"], me["id"]: d2["occurredAt"]}
    await delete_interaction(client, d2["id"])
    assert await last_met(pat) == {colleague["id"]: d5["occurredAt"], me["id"]: None}


async def test_a_new_coverage_does_not_undo_a_concurrent_interaction(client: GraphQLClient, store: Store) -> None:
    """On PostgreSQL, coverageSet of a new pair racing interactionCreate must not write back stale recency."""
    if isinstance(store, SQLiteStore):
        pytest.skip("SQLite runs one write transaction at a time")
    account = await create_account(client)
    members = [await create_member(client) for _ in range(3)]
    for _ in range(10):
        person = await create_stakeholder(client, account["id"])
        met = {"accountId": account["id"], "kind": "CALL", "subject": "T", "stakeholderIds": [person["id"]],
               "memberIds": [m["id"] for m in members], "occurredAt": days_ago(1)}
        covers = [{"memberId": m["id"], "stakeholderId": person["id"], "strength": "GOOD"} for m in members]
        answers = await asyncio.gather(
            client.mutate(CREATE_INTERACTION, met), *(client.mutate(SET_COVERAGE, c) for c in covers)
        )
        assert all(a["userErrors"] == [] for a in answers)
        state = await person_state(client, person["id"])
        assert state["interactionRecency"]["last30Days"] == 1
        assert [c["lastInteractionAt"] for c in state["coverage"]] == [met["occurredAt"]] * 3


# 4. The account list by recency


@pytest.fixture
async def portfolio(client: GraphQLClient) -> dict[str, dict[str, Any]]:
    """never: no interaction; old: 200 days ago; mid: 40 and 50 days ago; busy: 10, 11, 12 days ago; recent: now."""
    accounts = {name: await create_account(client, name=name) for name in ("never", "old", "mid", "busy", "recent")}
    for name, offsets in {"old": [200], "mid": [50, 40], "busy": [12, 11, 10], "recent": [0]}.items():
        for offset in offsets:
            await create_interaction(client, accounts[name]["id"], occurredAt=days_ago(offset))
    return accounts


async def account_names(client: GraphQLClient, **variables: Any) -> list[str]:
    return [n["subject"] for n in (await client.execute(ACCOUNTS, variables))["accounts"]["nodes"]]


@pytest.mark.usefixtures("portfolio")
async def test_filter_accounts_by_last_interaction(client: GraphQLClient) -> None:
    by_name = {"field": "NAME"}
    assert await account_names(client, orderBy=by_name, filter={"lastInteractionBefore": day(30)}) == ["mid", "never", "old"]
    assert await account_names(client, orderBy=by_name, filter={"lastInteractionBefore": day(40)}) == ["never", "old"]
    assert await account_names(client, orderBy=by_name, filter={"lastInteractionBefore": "0001-01-01"}) == ["never"]
    assert await account_names(client, orderBy=by_name, filter={"lastInteractionSince": day(40)}) == ["busy", "mid", "recent"]
    assert await account_names(client, orderBy=by_name, filter={"lastInteractionSince": day(0)}) == ["recent"]
    assert await account_names(client, orderBy=by_name, filter={"lastInteractionSince": "9999-12-31"}) == []
    both = {"lastInteractionSince": day(200), "lastInteractionBefore": day(10)}
    assert await account_names(client, orderBy=by_name, filter=both) == ["mid", "old"]
    assert (await client.execute(ACCOUNTS, {"filter": both}))["accounts"]["totalCount"] == 2


@pytest.mark.usefixtures("portfolio")
@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ({"field": "LAST_INTERACTION"}, ["never", "old", "mid", "busy", "recent"]),
        ({"field": "LAST_INTERACTION", "direction": "DESC"}, ["recent", "busy", "mid", "old", "never"]),
        ({"field": "INTERACTIONS_LAST_90_DAYS"}, ["never", "old", "recent", "mid", "busy"]),
        ({"field": "INTERACTIONS_LAST_90_DAYS", "direction": "DESC"}, ["busy", "mid", "recent", "old", "never"]),
    ],
    ids=["last-asc", "last-desc", "90d-asc", "90d-desc"],
)
async def test_order_accounts_by_recency_with_keyset_pages(client: GraphQLClient, order: dict, expected: list[str]) -> None:
    assert await account_names(client, orderBy=order) == expected
    for size in (1, 2):
        assert await walk(client, ACCOUNTS, lambda d: d["accounts"], size, orderBy=order) == (expected, expected)


@pytest.mark.usefixtures("portfolio")
async def test_cursors_of_another_order_or_forged_are_bad_user_input(client: GraphQLClient) -> None:
    by_name = (await client.execute(ACCOUNTS, {"first": 1, "orderBy": {"field": "NAME"}}))["accounts"]
    by_name = by_name["pageInfo"]["endCursor"]

    def forged(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(["lastInteraction", value, 1]).encode()).decode()

    for cursor in (by_name, forged("2026-01-01"), forged(10**30), forged(None), "not a cursor"):
        for argument in ("after", "before"):
            (error,) = await client.errors(ACCOUNTS, {"orderBy": {"field": "LAST_INTERACTION"}, argument: cursor})
            assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}, cursor


# 5. Timelines


@pytest.fixture
async def timeline(client: GraphQLClient) -> dict[str, str]:
    """Account A (people s1, s2, need n) and account B (person t1); a3 and b1 happened at the same moment.

    newest first: a4 (now, A), b1 (2 days, B), a3 (2 days, A), a2 (5 days, A), a1 (10 days, A)."""
    a, b = await create_account(client), await create_account(client)
    s1, s2 = await create_stakeholder(client, a["id"]), await create_stakeholder(client, a["id"])
    t1 = await create_stakeholder(client, b["id"])
    need = await create_need(client, a["id"])
    m = await create_member(client)
    me = client.member["id"]  # type: ignore[index]
    same_moment = days_ago(2)
    await create_interaction(client, a["id"], subject="a1", occurredAt=days_ago(10), stakeholderIds=[s1["id"]])
    await create_interaction(
        client, a["id"], subject="a2", kind="EMAIL", direction="INBOUND", occurredAt=days_ago(5),
        stakeholderIds=[s1["id"], s2["id"]], needId=need["id"], memberIds=[m["id"]],
    )
    await create_interaction(
        client, a["id"], subject="a3", kind="MEETING", direction="MUTUAL", occurredAt=same_moment,
        stakeholderIds=[s2["id"]], memberIds=[me, m["id"]],
    )
    await create_interaction(
        client, b["id"], subject="b1", direction="INBOUND", occurredAt=same_moment, stakeholderIds=[t1["id"]]
    )
    await create_interaction(client, a["id"], subject="a4", kind="VISIT")
    ids = {"A": a, "B": b, "s1": s1, "s2": s2, "t1": t1, "n": need, "m": m}
    return {"me": me, **{key: row["id"] for key, row in ids.items()}}


async def test_timelines_newest_first_or_oldest_first(client: GraphQLClient, timeline: dict[str, str]) -> None:
    oldest_first = {"field": "OCCURRED_AT", "direction": "ASC"}
    assert await subjects(client, "root") == ["a4", "b1", "a3", "a2", "a1"]
    assert await subjects(client, "root", orderBy=oldest_first) == ["a1", "a2", "a3", "b1", "a4"]
    assert await subjects(client, "account", id=timeline["A"]) == ["a4", "a3", "a2", "a1"]
    assert await subjects(client, "account", id=timeline["A"], orderBy=oldest_first) == ["a1", "a2", "a3", "a4"]
    assert await subjects(client, "account", id=timeline["B"]) == ["b1"]
    assert await subjects(client, "stakeholder", id=timeline["s1"]) == ["a2", "a1"]
    assert await subjects(client, "stakeholder", id=timeline["s2"], orderBy=oldest_first) == ["a2", "a3"]


@pytest.mark.parametrize(
    ("timeline_name", "owner", "order"),
    [("root", None, "DESC"), ("root", None, "ASC"), ("account", "A", "DESC"), ("account", "A", "ASC"),
     ("stakeholder", "s2", "DESC"), ("stakeholder", "s1", "ASC")],
)
async def test_timelines_page_both_ways(
    client: GraphQLClient, timeline: dict[str, str], timeline_name: str, owner: str | None, order: str
) -> None:
    document, connection = TIMELINES[timeline_name]
    variables: dict[str, Any] = {"orderBy": {"field": "OCCURRED_AT", "direction": order}}
    if owner is not None:
        variables["id"] = timeline[owner]
    everything = await subjects(client, timeline_name, **variables)
    for size in (1, 2, 3):
        assert await walk(client, document, connection, size, **variables) == (everything, everything)


FILTERS: list[tuple[Callable[[dict[str, str]], dict[str, Any]], list[str]]] = [
    (lambda t: {"accountIds": [t["B"]]}, ["b1"]),
    (lambda t: {"accountIds": [t["A"], t["B"]]}, ["a4", "b1", "a3", "a2", "a1"]),
    (lambda t: {"stakeholderIds": [t["s1"]]}, ["a2", "a1"]),
    (lambda t: {"stakeholderIds": [t["s2"], t["t1"]]}, ["b1", "a3", "a2"]),
    (lambda t: {"memberIds": [t["m"]]}, ["a3", "a2"]),
    (lambda t: {"memberIds": [t["me"]]}, ["a4", "b1", "a3", "a1"]),
    (lambda t: {"kinds": ["CALL"]}, ["b1", "a1"]),
    (lambda t: {"directions": ["INBOUND", "MUTUAL"]}, ["b1", "a3", "a2"]),
    (lambda t: {"needIds": [t["n"]]}, ["a2"]),
    (lambda t: {"occurredFrom": day(5)}, ["a4", "b1", "a3", "a2"]),
    (lambda t: {"occurredTo": day(5)}, ["a2", "a1"]),
    (lambda t: {"occurredFrom": day(2), "occurredTo": day(2)}, ["b1", "a3"]),
    (lambda t: {"occurredFrom": day(9), "occurredTo": day(3)}, ["a2"]),
    (lambda t: {"occurredTo": "9999-12-31"}, ["a4", "b1", "a3", "a2", "a1"]),
    (lambda t: {"occurredFrom": "0001-01-01", "occurredTo": "9999-12-31"}, ["a4", "b1", "a3", "a2", "a1"]),
    (lambda t: {"kinds": ["CALL"], "accountIds": [t["A"]], "memberIds": [t["me"]]}, ["a1"]),
    (lambda t: {"kinds": ["OTHER"]}, []),
]


@pytest.mark.parametrize(("build", "expected"), FILTERS)
async def test_each_filter_on_every_timeline(
    client: GraphQLClient, timeline: dict[str, str], build: Callable, expected: list[str]
) -> None:
    flt = build(timeline)
    document, connection = TIMELINES["root"]
    assert connection(await client.execute(document, {"filter": flt}))["totalCount"] == len(expected)
    assert await subjects(client, "root", filter=flt) == expected
    assert await subjects(client, "account", id=timeline["A"], filter=flt) == [s for s in expected if s.startswith("a")]
    for person, theirs in (("s1", {"a1", "a2"}), ("s2", {"a2", "a3"})):
        assert await subjects(client, "stakeholder", id=timeline[person], filter=flt) == [s for s in expected if s in theirs]


@pytest.mark.parametrize("timeline_name", ["root", "account", "stakeholder"])
async def test_bad_timeline_arguments_are_bad_user_input(
    client: GraphQLClient, timeline: dict[str, str], timeline_name: str
) -> None:
    document, _ = TIMELINES[timeline_name]
    owner = {"root": {}, "account": {"id": timeline["A"]}, "stakeholder": {"id": timeline["s1"]}}[timeline_name]
    for variables, argument in (
        ({"filter": {"occurredFrom": day(1), "occurredTo": day(2)}}, "filter.occurredFrom"),
        ({"filter": {"stakeholderIds": ["junk"]}}, "filter.stakeholderIds"),
        ({"filter": {"needIds": [timeline["A"]]}}, "filter.needIds"),
        ({"after": "not a cursor"}, "after"),
        ({"first": 1, "last": 1}, "first"),
    ):
        (error,) = await client.errors(document, {**owner, **variables})
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}, variables


# 6. Who may read and write them


async def test_interactions_of_other_teams_accounts_are_out_of_sight(client: GraphQLClient, client_for: ClientFor) -> None:
    ours, theirs = await create_account(client, name="Ours"), await create_account(client, name="Theirs")
    their_person = await create_stakeholder(client, theirs["id"])
    mine = await create_interaction(client, ours["id"], subject="ours")
    hidden = await create_interaction(client, theirs["id"], subject="theirs", stakeholderIds=[their_person["id"]])
    for role in ("VIEWER", "ACCOUNT_MANAGER"):
        caller = await client_for(role, on=[ours["id"]])
        document, connection = TIMELINES["root"]
        everything = connection(await caller.execute(document))
        assert ([n["subject"] for n in everything["nodes"]], everything["totalCount"]) == (["ours"], 1)
        for flt in ({"accountIds": [theirs["id"]]}, {"stakeholderIds": [their_person["id"]]}):
            assert connection(await caller.execute(document, {"filter": flt}))["totalCount"] == 0
        assert (await caller.execute(INTERACTION_NODE, {"id": mine["id"]}))["node"]["subject"] == "ours"
        seen = (await caller.post(INTERACTION_NODE, {"id": hidden["id"]})).json()
        assert seen == (await caller.post(INTERACTION_NODE, {"id": MISSING["Interaction"]})).json()
        assert seen["data"] == {"node": None}


def refusal(body: dict[str, Any]) -> Any:
    """What a refused mutation answered: the top-level error code, or its userErrors."""
    if body.get("errors"):
        return [e["extensions"]["code"] for e in body["errors"]]
    (payload,) = body["data"].values()
    return codes(payload)


@pytest.mark.parametrize(("role", "side", "expected"), [
    ("VIEWER", "ours", ["FORBIDDEN"]),
    ("VIEWER", "theirs", [("accountId", "NOT_FOUND")]),
    ("ACCOUNT_MANAGER", "theirs", [("accountId", "NOT_FOUND")]),
])
async def test_writes_are_refused_as_they_are_for_needs(
    client: GraphQLClient, client_for: ClientFor, role: str, side: str, expected: list
) -> None:
    accounts = {"ours": await create_account(client), "theirs": await create_account(client)}
    account = accounts[side]["id"]
    existing = await create_interaction(client, account)
    caller = await client_for(role, on=[accounts["ours"]["id"]])
    need = (await caller.post(CREATE_NEED, {"input": {"accountId": account, "title": "T", "category": "SOCIAL"}})).json()
    create = {"accountId": account, "kind": "CALL", "subject": "T"}
    created = (await caller.post(CREATE_INTERACTION, {"input": create})).json()
    assert refusal(created) == refusal(need) == expected
    for document, given in ((UPDATE_INTERACTION, {"subject": "Changed"}), (DELETE_INTERACTION, {})):
        body = (await caller.post(document, {"input": {"id": existing["id"], **given}})).json()
        assert refusal(body) == (["FORBIDDEN"] if expected == ["FORBIDDEN"] else [("id", "NOT_FOUND")])
    assert await read(client, existing["id"]) == existing
    assert (await account_state(client, account))["interactions"]["totalCount"] == 1


async def test_an_account_manager_records_on_their_account_only_with_its_people(
    client: GraphQLClient, client_for: ClientFor
) -> None:
    ours, theirs = await create_account(client), await create_account(client)
    mine, hidden = await create_stakeholder(client, ours["id"]), await create_stakeholder(client, theirs["id"])
    hidden_need = await create_need(client, theirs["id"])
    am = await client_for("ACCOUNT_MANAGER", on=[ours["id"]])
    created = await create_interaction(am, ours["id"], stakeholderIds=[mine["id"]])
    assert created["members"] == [{"id": am.member["id"]}]  # type: ignore[index]
    # Another team's people and needs answer like missing ones, not CROSS_ACCOUNT, which would tell they exist.
    for fields, field in (({"stakeholderIds": [hidden["id"]]}, "stakeholderIds"), ({"needId": hidden_need["id"]}, "needId")):
        payload = await am.mutate(CREATE_INTERACTION, {"accountId": ours["id"], "kind": "CALL", "subject": "T", **fields})
        assert codes(payload) == [(field, "NOT_FOUND")]
    assert (await account_state(client, ours["id"]))["interactions"]["totalCount"] == 1


# 7. Statement counts do not grow with rows

ACCOUNT_TIMELINES = """query($first: Int!) { accounts(first: $first) { nodes {
  name interactions(first: 5) { totalCount nodes { subject need { title } stakeholders { name } members { name } } }
} } }"""
PERSON_TIMELINES = """query($first: Int!) { accounts(first: $first) { nodes { stakeholders { nodes {
  name interactionRecency { last90Days } coverage { lastInteractionAt } interactions { totalCount nodes { subject } }
} } } } }"""


@pytest.mark.parametrize("query", [ACCOUNT_TIMELINES, PERSON_TIMELINES], ids=["account-timelines", "stakeholder-timelines"])
async def test_statement_count_is_flat_from_2_to_6_accounts(client: GraphQLClient, sql: StatementCounter, query: str) -> None:
    for n in range(6):
        account = await create_account(client, name=f"Account {n}")
        people = [(await create_stakeholder(client, account["id"]))["id"] for _ in range(2)]
        await set_coverage(client, client.member, {"id": people[0]})  # type: ignore[arg-type]
        need = await create_need(client, account["id"])
        for k in range(3):
            await create_interaction(client, account["id"], occurredAt=days_ago(k), stakeholderIds=people, needId=need["id"])
    counts = {}
    for first in (2, 6, 2):
        sql.reset()
        data = await client.execute(query, {"first": first})
        assert len(data["accounts"]["nodes"]) == first
        counts[first] = sql.count
    assert counts[2] == counts[6] < 20, counts
