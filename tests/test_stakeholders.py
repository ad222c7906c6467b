"""Stakeholders, the org chart, influence links and coverage through the GraphQL API."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain import Need, NeedCategory, NeedStatus, NeedVisibility, Priority
from kam.db import session_factory
from resolvers.ids import parse_global_id, to_global_id
from tests.conftest import GraphQLClient, StatementCounter
from tests.factories import create_account, create_member
from tests.stakeholder_factories import (
    ADD_LINK,
    CREATE_STAKEHOLDER,
    SET_COVERAGE,
    add_link,
    create_stakeholder,
    set_coverage,
)

STAKEHOLDER = """
query($id: ID!) {
  stakeholder(id: $id) {
    id name title department email phone buyingRoles attitude influence decisionLevel buyingMotive
    version createdAt updatedAt
    account { id name }
    manager { id name }
    directReports { name }
    influences { id strength target { name } }
    influencedBy { id strength source { name } }
    coverage { id strength member { name } stakeholder { name } }
  }
}"""

LIST = """
query($id: ID!, $filter: StakeholderFilter, $orderBy: StakeholderOrder, $first: Int, $after: String, $last: Int, $before: String) {
  account(id: $id) {
    stakeholders(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges { cursor node { name } }
      pageInfo { hasNextPage hasPreviousPage endCursor }
    }
  }
}"""

UPDATE = """
mutation($input: StakeholderUpdateInput!) {
  stakeholderUpdate(input: $input) {
    stakeholder { id name title email buyingRoles attitude influence decisionLevel buyingMotive version manager { name } }
    userErrors { field message code }
  }
}"""

SET_REPORTS_TO = """
mutation($input: StakeholderSetReportsToInput!) {
  stakeholderSetReportsTo(input: $input) {
    stakeholder { name version manager { name } }
    userErrors { field code }
  }
}"""

DELETE = """
mutation($input: StakeholderDeleteInput!) { stakeholderDelete(input: $input) { deletedId userErrors { field code } } }
"""

UPDATE_LINK = """
mutation($input: InfluenceLinkUpdateInput!) {
  influenceLinkUpdate(input: $input) { influenceLink { id strength } userErrors { field code } }
}"""

REMOVE_LINK = """
mutation($input: InfluenceLinkRemoveInput!) { influenceLinkRemove(input: $input) { deletedId userErrors { field code } } }
"""

REMOVE_COVERAGE = """
mutation($input: CoverageRemoveInput!) { coverageRemove(input: $input) { deletedId userErrors { field code } } }
"""

ARCHIVE = """
mutation($input: AccountArchiveInput!) { accountArchive(input: $input) { userErrors { code } } }
"""

NODE = """
query($id: ID!) {
  node(id: $id) { id ... on InfluenceLink { linkStrength: strength } ... on Coverage { coverageStrength: strength } ... on Stakeholder { name } }
}
"""

NESTED = """
query($first: Int!) {
  accounts(first: $first) {
    nodes {
      stakeholders(first: 50) {
        totalCount
        nodes {
          name buyingRoles account { name } manager { name } directReports { name }
          influences { strength target { name } } influencedBy { source { name } }
          coverage { strength member { name } } needs { title }
        }
      }
      champions: stakeholders(filter: { attitudes: [CHAMPION], buyingRoles: [DECISION_MAKER] }) { totalCount nodes { name } }
    }
  }
}"""


async def read(client: GraphQLClient, stakeholder_id: str) -> dict | None:
    return (await client.execute(STAKEHOLDER, {"id": stakeholder_id}))["stakeholder"]


async def names(client: GraphQLClient, account_id: str, **variables: object) -> list[str]:
    data = await client.execute(LIST, {"id": account_id, **variables})
    return [e["node"]["name"] for e in data["account"]["stakeholders"]["edges"]]


async def test_create_and_read_stakeholder(client: GraphQLClient) -> None:
    account = await create_account(client, name="ACME")
    boss = await create_stakeholder(client, account["id"], name="Bea Boss", buyingRoles=["DECISION_MAKER"])
    created = await create_stakeholder(
        client,
        account["id"],
        name="  Carl Champion ",
        title="Head of IT",
        department="IT",
        email="Carl@ACME.example",
        phone="+49 30 1234",
        buyingRoles=["USER", "CHAMPION", "USER", "INFLUENCER"],
        attitude="CHAMPION",
        influence="HIGH",
        decisionLevel="SENIOR_MANAGER",
        buyingMotive="A smooth migration",
        reportsToId=boss["id"],
    )
    person = await read(client, created["id"])
    assert person is not None
    assert person["name"] == "Carl Champion" and person["email"] == "carl@acme.example"
    assert person["buyingRoles"] == ["INFLUENCER", "USER", "CHAMPION"]
    assert (person["attitude"], person["influence"], person["decisionLevel"]) == ("CHAMPION", "HIGH", "SENIOR_MANAGER")
    assert person["account"] == {"id": account["id"], "name": "ACME"}
    assert person["manager"] == {"id": boss["id"], "name": "Bea Boss"}
    assert person["version"] == 1 and person["createdAt"].endswith("+00:00")
    assert (await read(client, boss["id"]))["directReports"] == [{"name": "Carl Champion"}]
    defaults = await create_stakeholder(client, account["id"], name="Dora Default")
    assert (defaults["buyingRoles"], defaults["attitude"], defaults["influence"], defaults["decisionLevel"]) == (
        [], "NEUTRAL", "MEDIUM", "STAFF"
    )
    assert defaults["manager"] is None and defaults["email"] is None


async def test_stakeholder_lookup_by_id(client: GraphQLClient) -> None:
    account = await create_account(client)
    person = await create_stakeholder(client, account["id"], name="Nina Node")
    assert (await client.execute(NODE, {"id": person["id"]}))["node"] == {"id": person["id"], "name": "Nina Node"}
    assert await read(client, to_global_id("Stakeholder", 999)) is None
    for bad in ("garbage", account["id"]):
        errors = await client.errors(STAKEHOLDER, {"id": bad})
        assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "id"}


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"name": "  "}, "name", "REQUIRED"),
        ({"name": "x" * 201}, "name", "OUT_OF_RANGE"),
        ({"email": "not-an-email"}, "email", "INVALID"),
        ({"phone": "9" * 51}, "phone", "OUT_OF_RANGE"),
        ({"accountId": "nonsense"}, "accountId", "INVALID"),
        ({"accountId": "VGVhbU1lbWJlcjox"}, "accountId", "INVALID"),  # a TeamMember's ID
        ({"accountId": "QWNjb3VudDo5OTk="}, "accountId", "NOT_FOUND"),
        ({"reportsToId": "U3Rha2Vob2xkZXI6OTk5"}, "reportsToId", "NOT_FOUND"),
    ],
)
async def test_bad_create_input_is_a_user_error_and_changes_nothing(
    client: GraphQLClient, fields: dict, field: str, code: str
) -> None:
    account = await create_account(client)
    payload = await client.mutate(CREATE_STAKEHOLDER, {"accountId": account["id"], "name": "Good", **fields})
    assert payload["stakeholder"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert (await client.execute(LIST, {"id": account["id"]}))["account"]["stakeholders"]["totalCount"] == 0


async def test_manager_must_belong_to_the_same_account(client: GraphQLClient) -> None:
    home, other = await create_account(client), await create_account(client)
    stranger = await create_stakeholder(client, other["id"])
    payload = await client.mutate(CREATE_STAKEHOLDER, {"accountId": home["id"], "name": "New", "reportsToId": stranger["id"]})
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("reportsToId", "CROSS_ACCOUNT")]
    assert await names(client, home["id"]) == []

    person = await create_stakeholder(client, home["id"], name="Home Person")
    moved = await client.mutate(SET_REPORTS_TO, {"stakeholderId": person["id"], "reportsToId": stranger["id"]})
    assert moved["userErrors"] == [{"field": "reportsToId", "code": "CROSS_ACCOUNT"}]
    updated = await client.mutate(UPDATE, {"id": person["id"], "reportsToId": stranger["id"]})
    assert [(e["field"], e["code"]) for e in updated["userErrors"]] == [("reportsToId", "CROSS_ACCOUNT")]
    assert (await read(client, person["id"]))["manager"] is None


async def test_update_fields_version_and_null_handling(client: GraphQLClient) -> None:
    account = await create_account(client)
    person = await create_stakeholder(client, account["id"], name="Before", title="CTO", buyingRoles=["USER"])
    ok = await client.mutate(
        UPDATE,
        {"id": person["id"], "version": 1, "name": "After", "attitude": "SUPPORTER", "decisionLevel": "EXECUTIVE",
         "buyingMotive": "Fewer outages", "email": "after@acme.example"},
    )
    assert ok["userErrors"] == []
    assert ok["stakeholder"]["name"] == "After" and ok["stakeholder"]["version"] == 2
    assert ok["stakeholder"]["title"] == "CTO"  # left out, left alone
    assert (ok["stakeholder"]["attitude"], ok["stakeholder"]["decisionLevel"]) == ("SUPPORTER", "EXECUTIVE")

    stale = await client.mutate(UPDATE, {"id": person["id"], "version": 1, "name": "Lost write"})
    assert stale["stakeholder"] is None and [e["code"] for e in stale["userErrors"]] == ["CONFLICT"]

    cleared = await client.mutate(UPDATE, {"id": person["id"], "title": None, "email": None, "buyingMotive": None})
    assert (cleared["stakeholder"]["title"], cleared["stakeholder"]["email"], cleared["stakeholder"]["buyingMotive"]) == (
        None, None, None
    )
    for field in ("name", "attitude", "influence", "decisionLevel", "buyingRoles"):
        refused = await client.mutate(UPDATE, {"id": person["id"], field: None})
        assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(field, "REQUIRED")]
    assert (await read(client, person["id"]))["name"] == "After"


async def test_update_replaces_buying_roles_and_bumps_version(client: GraphQLClient) -> None:
    account = await create_account(client)
    person = await create_stakeholder(client, account["id"], buyingRoles=["USER", "INFLUENCER"])
    replaced = await client.mutate(UPDATE, {"id": person["id"], "version": 1, "buyingRoles": ["DECISION_MAKER", "USER"]})
    assert replaced["stakeholder"]["buyingRoles"] == ["DECISION_MAKER", "USER"]
    assert replaced["stakeholder"]["version"] == 2
    same = await client.mutate(UPDATE, {"id": person["id"], "buyingRoles": ["USER", "DECISION_MAKER"]})
    assert same["stakeholder"]["version"] == 2
    emptied = await client.mutate(UPDATE, {"id": person["id"], "version": 2, "buyingRoles": []})
    assert emptied["stakeholder"]["buyingRoles"] == [] and emptied["stakeholder"]["version"] == 3
    assert (await read(client, person["id"]))["buyingRoles"] == []


async def test_org_chart_refuses_self_and_loops(client: GraphQLClient) -> None:
    account = await create_account(client)
    ceo = await create_stakeholder(client, account["id"], name="Ceo")
    cio = await create_stakeholder(client, account["id"], name="Cio", reportsToId=ceo["id"])
    dev = await create_stakeholder(client, account["id"], name="Dev")

    placed = await client.mutate(SET_REPORTS_TO, {"stakeholderId": dev["id"], "reportsToId": cio["id"]})
    assert placed == {"stakeholder": {"name": "Dev", "version": 2, "manager": {"name": "Cio"}}, "userErrors": []}
    assert (await read(client, cio["id"]))["directReports"] == [{"name": "Dev"}]

    itself = await client.mutate(SET_REPORTS_TO, {"stakeholderId": ceo["id"], "reportsToId": ceo["id"]})
    assert itself["userErrors"] == [{"field": "reportsToId", "code": "CYCLE"}]
    loop = await client.mutate(SET_REPORTS_TO, {"stakeholderId": ceo["id"], "reportsToId": dev["id"]})
    assert loop["userErrors"] == [{"field": "reportsToId", "code": "CYCLE"}]
    via_update = await client.mutate(UPDATE, {"id": ceo["id"], "reportsToId": cio["id"]})
    assert [(e["field"], e["code"]) for e in via_update["userErrors"]] == [("reportsToId", "CYCLE")]
    assert (await read(client, ceo["id"]))["manager"] is None

    stale = await client.mutate(SET_REPORTS_TO, {"stakeholderId": dev["id"], "reportsToId": ceo["id"], "version": 1})
    assert stale["userErrors"] == [{"field": "version", "code": "CONFLICT"}]
    to_top = await client.mutate(SET_REPORTS_TO, {"stakeholderId": dev["id"], "reportsToId": None, "version": 2})
    assert to_top["stakeholder"]["manager"] is None
    cleared = await client.mutate(UPDATE, {"id": cio["id"], "reportsToId": None})
    assert cleared["stakeholder"]["manager"] is None
    moved = await client.mutate(UPDATE, {"id": ceo["id"], "reportsToId": cio["id"]})
    assert moved["stakeholder"]["manager"] == {"name": "Cio"}


async def test_delete_keeps_reports_and_removes_links_and_coverage(client: GraphQLClient) -> None:
    account = await create_account(client)
    member = await create_member(client)
    boss = await create_stakeholder(client, account["id"], name="Boss")
    report = await create_stakeholder(client, account["id"], name="Report", reportsToId=boss["id"])
    link = await add_link(client, report, boss)
    coverage = await set_coverage(client, member, boss)

    deleted = await client.mutate(DELETE, {"id": boss["id"]})
    assert deleted == {"deletedId": boss["id"], "userErrors": []}
    assert await read(client, boss["id"]) is None
    survivor = await read(client, report["id"])
    assert survivor["manager"] is None and survivor["influences"] == [] and survivor["version"] == 2
    for gone in (link["id"], coverage["id"]):
        assert (await client.execute(NODE, {"id": gone}))["node"] is None
    again = await client.mutate(DELETE, {"id": boss["id"]})
    assert again["userErrors"] == [{"field": "id", "code": "NOT_FOUND"}]


async def test_influence_links(client: GraphQLClient) -> None:
    account = await create_account(client)
    ann = await create_stakeholder(client, account["id"], name="Ann")
    bob = await create_stakeholder(client, account["id"], name="Bob")
    link = await add_link(client, ann, bob, "STRONG")
    assert link["source"] == {"id": ann["id"]} and link["target"] == {"id": bob["id"]}
    assert link["account"] == {"id": account["id"]} and link["strength"] == "STRONG"
    back = await add_link(client, bob, ann, "WEAK")  # the other direction is another line

    ann_read = await read(client, ann["id"])
    assert ann_read["influences"] == [{"id": link["id"], "strength": "STRONG", "target": {"name": "Bob"}}]
    assert ann_read["influencedBy"] == [{"id": back["id"], "strength": "WEAK", "source": {"name": "Bob"}}]

    updated = await client.mutate(UPDATE_LINK, {"id": link["id"], "strength": "MODERATE"})
    assert updated == {"influenceLink": {"id": link["id"], "strength": "MODERATE"}, "userErrors": []}
    assert (await client.execute(NODE, {"id": link["id"]}))["node"]["linkStrength"] == "MODERATE"

    removed = await client.mutate(REMOVE_LINK, {"id": link["id"]})
    assert removed == {"deletedId": link["id"], "userErrors": []}
    assert (await read(client, ann["id"]))["influences"] == []
    missing = await client.mutate(REMOVE_LINK, {"id": link["id"]})
    assert missing["userErrors"] == [{"field": "id", "code": "NOT_FOUND"}]


@pytest.mark.parametrize(
    ("case", "field", "code"),
    [
        ("self", "targetId", "INVALID"),
        ("other-account", "targetId", "CROSS_ACCOUNT"),
        ("duplicate", "targetId", "DUPLICATE"),
        ("unknown-source", "sourceId", "NOT_FOUND"),
        ("malformed-target", "targetId", "INVALID"),
    ],
)
async def test_influence_link_rules(client: GraphQLClient, case: str, field: str, code: str) -> None:
    account, other = await create_account(client), await create_account(client)
    ann = await create_stakeholder(client, account["id"], name="Ann")
    bob = await create_stakeholder(client, account["id"], name="Bob")
    stranger = await create_stakeholder(client, other["id"])
    existing = await add_link(client, ann, bob)
    source, target = {
        "self": (ann["id"], ann["id"]),
        "other-account": (ann["id"], stranger["id"]),
        "duplicate": (ann["id"], bob["id"]),
        "unknown-source": (to_global_id("Stakeholder", 999), bob["id"]),
        "malformed-target": (ann["id"], "nope"),
    }[case]
    payload = await client.mutate(ADD_LINK, {"sourceId": source, "targetId": target, "strength": "STRONG"})
    assert payload["influenceLink"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    ann_read = await read(client, ann["id"])
    assert [lnk["id"] for lnk in ann_read["influences"]] == [existing["id"]]
    assert ann_read["influences"][0]["strength"] == "MODERATE"
    assert ann_read["influencedBy"] == []


async def test_coverage_is_one_row_per_pair(client: GraphQLClient) -> None:
    account = await create_account(client)
    ada = await create_member(client, name="Ada")
    ben = await create_member(client, name="Ben")
    person = await create_stakeholder(client, account["id"], name="Target")
    first = await set_coverage(client, ada, person, "ACQUAINTED")
    again = await set_coverage(client, ada, person, "TRUSTED_ADVISOR")
    assert again["id"] == first["id"] and again["strength"] == "TRUSTED_ADVISOR"
    await set_coverage(client, ben, person, "NONE")
    coverage = (await read(client, person["id"]))["coverage"]
    assert [(c["member"]["name"], c["strength"]) for c in coverage] == [("Ada", "TRUSTED_ADVISOR"), ("Ben", "NONE")]
    assert all(c["stakeholder"]["name"] == "Target" for c in coverage)

    removed = await client.mutate(REMOVE_COVERAGE, {"id": first["id"]})
    assert removed == {"deletedId": first["id"], "userErrors": []}
    assert [c["member"]["name"] for c in (await read(client, person["id"]))["coverage"]] == ["Ben"]


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"memberId": "VGVhbU1lbWJlcjo5OTk="}, "memberId", "NOT_FOUND"),
        ({"memberId": "QWNjb3VudDox"}, "memberId", "INVALID"),
        ({"stakeholderId": "U3Rha2Vob2xkZXI6OTk5"}, "stakeholderId", "NOT_FOUND"),
    ],
)
async def test_bad_coverage_input_changes_nothing(client: GraphQLClient, fields: dict, field: str, code: str) -> None:
    account = await create_account(client)
    member = await create_member(client)
    person = await create_stakeholder(client, account["id"])
    payload = await client.mutate(
        SET_COVERAGE, {"memberId": member["id"], "stakeholderId": person["id"], "strength": "GOOD", **fields}
    )
    assert payload["coverage"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert (await read(client, person["id"]))["coverage"] == []


async def test_nothing_of_an_archived_account_can_change(client: GraphQLClient) -> None:
    account = await create_account(client)
    member = await create_member(client)
    ann = await create_stakeholder(client, account["id"], name="Ann", buyingRoles=["USER"])
    bob = await create_stakeholder(client, account["id"], name="Bob")
    link = await add_link(client, ann, bob, "WEAK")
    coverage = await set_coverage(client, member, ann, "GOOD")
    before = await read(client, ann["id"])
    assert (await client.mutate(ARCHIVE, {"id": account["id"]}))["userErrors"] == []

    attempts = [
        (CREATE_STAKEHOLDER, {"accountId": account["id"], "name": "New"}, "accountId"),
        (UPDATE, {"id": ann["id"], "name": "Renamed", "buyingRoles": ["CHAMPION"]}, "id"),
        (SET_REPORTS_TO, {"stakeholderId": ann["id"], "reportsToId": bob["id"]}, "stakeholderId"),
        (DELETE, {"id": ann["id"]}, "id"),
        (ADD_LINK, {"sourceId": bob["id"], "targetId": ann["id"], "strength": "STRONG"}, "sourceId"),
        (UPDATE_LINK, {"id": link["id"], "strength": "STRONG"}, "id"),
        (REMOVE_LINK, {"id": link["id"]}, "id"),
        (SET_COVERAGE, {"memberId": member["id"], "stakeholderId": ann["id"], "strength": "NONE"}, "stakeholderId"),
        (REMOVE_COVERAGE, {"id": coverage["id"]}, "id"),
    ]
    for document, data, field in attempts:
        payload = await client.mutate(document, data)
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, "ARCHIVED")], document
    assert await read(client, ann["id"]) == before
    assert (await read(client, bob["id"]))["manager"] is None
    assert await names(client, account["id"]) == ["Ann", "Bob"]


async def test_filters_combine(client: GraphQLClient) -> None:
    account = await create_account(client)
    other = await create_account(client)
    await create_stakeholder(client, account["id"], name="Alice Adams", buyingRoles=["DECISION_MAKER", "ECONOMIC_BUYER"],
                             attitude="SUPPORTER", influence="HIGH", decisionLevel="EXECUTIVE")
    await create_stakeholder(client, account["id"], name="Bert Brown", buyingRoles=["USER"], attitude="OPPONENT",
                             influence="HIGH", decisionLevel="MANAGER")
    await create_stakeholder(client, account["id"], name="Cleo Adams", buyingRoles=["INFLUENCER", "USER"],
                             attitude="CHAMPION", influence="LOW", decisionLevel="STAFF")
    await create_stakeholder(client, account["id"], name="Dan 100%")
    await create_stakeholder(client, other["id"], name="Alice Other", buyingRoles=["DECISION_MAKER"])
    aid = account["id"]
    assert await names(client, aid) == ["Alice Adams", "Bert Brown", "Cleo Adams", "Dan 100%"]
    assert await names(client, aid, filter={"buyingRoles": ["USER"]}) == ["Bert Brown", "Cleo Adams"]
    assert await names(client, aid, filter={"buyingRoles": ["DECISION_MAKER", "INFLUENCER"]}) == ["Alice Adams", "Cleo Adams"]
    assert await names(client, aid, filter={"attitudes": ["OPPONENT", "CHAMPION"]}) == ["Bert Brown", "Cleo Adams"]
    assert await names(client, aid, filter={"influences": ["HIGH"]}) == ["Alice Adams", "Bert Brown"]
    assert await names(client, aid, filter={"decisionLevels": ["EXECUTIVE", "STAFF"]}) == ["Alice Adams", "Cleo Adams", "Dan 100%"]
    assert await names(client, aid, filter={"search": "ADAMS"}) == ["Alice Adams", "Cleo Adams"]
    assert await names(client, aid, filter={"search": "%"}) == ["Dan 100%"]
    assert await names(client, aid, filter={"buyingRoles": ["USER"], "influences": ["HIGH"]}) == ["Bert Brown"]
    assert await names(client, aid, filter={"buyingRoles": ["GATEKEEPER"]}) == []
    filtered = (await client.execute(LIST, {"id": aid, "filter": {"buyingRoles": ["USER"]}}))["account"]["stakeholders"]
    assert filtered["totalCount"] == 2


async def test_ordering_and_keyset_pagination(client: GraphQLClient) -> None:
    account = await create_account(client)
    for name in ("Eve", "Bob", "Dan", "Ann", "Cid"):
        await create_stakeholder(client, account["id"], name=name)
    aid = account["id"]
    newest_first = await names(client, aid, orderBy={"field": "CREATED_AT", "direction": "DESC"})
    assert newest_first == ["Cid", "Ann", "Dan", "Bob", "Eve"]
    assert await names(client, aid, orderBy={"field": "NAME", "direction": "DESC"}) == ["Eve", "Dan", "Cid", "Bob", "Ann"]

    seen, after = [], None
    while True:
        page = (await client.execute(LIST, {"id": aid, "first": 2, "after": after}))["account"]["stakeholders"]
        seen += [e["node"]["name"] for e in page["edges"]]
        assert page["totalCount"] == 5
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["Ann", "Bob", "Cid", "Dan", "Eve"]
    last_two = (await client.execute(LIST, {"id": aid, "last": 2}))["account"]["stakeholders"]
    assert [e["node"]["name"] for e in last_two["edges"]] == ["Dan", "Eve"]
    assert last_two["pageInfo"]["hasPreviousPage"] is True

    by_name = (await client.execute(LIST, {"id": aid, "first": 1}))["account"]["stakeholders"]["pageInfo"]["endCursor"]
    errors = await client.errors(LIST, {"id": aid, "after": by_name, "orderBy": {"field": "CREATED_AT"}})
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}
    errors = await client.errors(LIST, {"id": aid, "first": -1})
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}


async def test_needs_of_a_stakeholder(client: GraphQLClient, engine: AsyncEngine) -> None:
    account = await create_account(client)
    holder = await create_stakeholder(client, account["id"], name="Holder")
    other = await create_stakeholder(client, account["id"], name="Other")
    async with session_factory(engine)() as session, session.begin():
        for title, person in (("Faster reports", holder), ("Lower cost", holder), ("Training", other)):
            session.add(Need(
                account_id=parse_global_id(account["id"])[1], stakeholder_id=parse_global_id(person["id"])[1],
                title=title, category=NeedCategory.FUNCTIONAL, visibility=NeedVisibility.EXPLICIT,
                priority=Priority.HIGH, status=NeedStatus.IDENTIFIED,
            ))
    query = "query($id: ID!) { stakeholder(id: $id) { needs { title } } }"
    data = await client.execute(query, {"id": holder["id"]})
    assert data["stakeholder"]["needs"] == [{"title": "Faster reports"}, {"title": "Lower cost"}]


async def seed_accounts(client: GraphQLClient, count: int) -> None:
    member = await create_member(client)
    for a in range(count):
        account = await create_account(client, name=f"Account {a:02}")
        boss = await create_stakeholder(client, account["id"], name=f"Boss {a}", buyingRoles=["DECISION_MAKER"], attitude="CHAMPION")
        people = [boss]
        for p in range(3):
            people.append(await create_stakeholder(client, account["id"], name=f"Person {a}-{p}", reportsToId=boss["id"]))
        await add_link(client, people[1], boss)
        await add_link(client, people[2], people[1])
        await set_coverage(client, member, boss)


async def nested_statements(client: GraphQLClient, sql: StatementCounter, first: int) -> int:
    sql.reset()
    data = await client.execute(NESTED, {"first": first})
    nodes = data["accounts"]["nodes"]
    assert len(nodes) == first
    assert all(n["stakeholders"]["totalCount"] == 4 and n["champions"]["totalCount"] == 1 for n in nodes)
    return sql.count


async def test_nested_stakeholder_fields_do_not_query_per_row(client: GraphQLClient, sql: StatementCounter) -> None:
    await seed_accounts(client, 6)
    small = await nested_statements(client, sql, 2)
    large = await nested_statements(client, sql, 6)
    assert small == large, f"{small} statements for 2 accounts, {large} for 6"
