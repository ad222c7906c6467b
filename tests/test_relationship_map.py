"""The relationship map through the GraphQL API: graph, coverage, summary, and a flat statement count."""

from __future__ import annotations

import pytest
from graphql import parse

from kam.cost import operation_cost
from resolvers.ids import to_global_id
from schema.api import build_schema
from tests.conftest import GraphQLClient, StatementCounter
from tests.factories import create_account, create_member
from tests.stakeholder_factories import add_link, create_stakeholder, set_coverage

MAP_FIELDS = """
  account { id name }
  nodes {
    stakeholder { name } buyingRoles attitude influence decisionLevel
    coveredByCount strongestCoverage coverage { member { name } strength }
  }
  edges { kind source { name } target { name } strength influenceLink { id } }
  coverage { member { name } stakeholder { name } strength }
  summary {
    stakeholdersByRole { role count }
    uncoveredDecisionMakers { name }
    influentialOpponents { name }
    coveredStakeholderCount singleThreaded supportIndex
    unreachableDecisionMakers { name }
  }
  influencePaths {
    decisionMaker { name } start { name } startReasons strength length
    steps { kind source { name } target { name } strength factor influenceLink { id } }
  }
"""

MAP = "query($id: ID!) { relationshipMap(accountId: $id) {" + MAP_FIELDS + "} }"

ACCOUNT_MAP = "query($id: ID!) { account(id: $id) { relationshipMap {" + MAP_FIELDS + "} } }"

MAPS = "query($first: Int!) { accounts(first: $first) { nodes { relationshipMap {" + MAP_FIELDS + "} } } }"


async def acme(client: GraphQLClient) -> dict:
    """A small map: a CEO who decides, a CIO champion under her, an opposing CFO, a user."""
    account = await create_account(client, name="ACME")
    ada, ben = await create_member(client, name="Ada"), await create_member(client, name="Ben")
    ceo = await create_stakeholder(client, account["id"], name="Cora CEO", buyingRoles=["DECISION_MAKER", "ECONOMIC_BUYER"],
                                   attitude="NEUTRAL", influence="HIGH", decisionLevel="EXECUTIVE")
    cio = await create_stakeholder(client, account["id"], name="Ivan CIO", buyingRoles=["CHAMPION", "INFLUENCER"],
                                   attitude="CHAMPION", influence="HIGH", decisionLevel="SENIOR_MANAGER", reportsToId=ceo["id"])
    cfo = await create_stakeholder(client, account["id"], name="Fay CFO", buyingRoles=["DECISION_MAKER"],
                                   attitude="OPPONENT", influence="HIGH", decisionLevel="EXECUTIVE", reportsToId=ceo["id"])
    user = await create_stakeholder(client, account["id"], name="Uma User", buyingRoles=["USER"],
                                    attitude="SUPPORTER", influence="LOW", reportsToId=cio["id"])
    link = await add_link(client, cio, ceo, "STRONG")
    await set_coverage(client, ada, cio, "TRUSTED_ADVISOR")
    await set_coverage(client, ben, cio, "ACQUAINTED")
    await set_coverage(client, ben, ceo, "NONE")  # linked, but nobody actually knows her
    await set_coverage(client, ada, user, "GOOD")
    return {"account": account, "ceo": ceo, "cio": cio, "cfo": cfo, "user": user, "link": link}


async def test_map_of_an_account(client: GraphQLClient) -> None:
    seeded = await acme(client)
    account = seeded["account"]
    found = (await client.execute(MAP, {"id": account["id"]}))["relationshipMap"]
    assert found["account"] == {"id": account["id"], "name": "ACME"}

    nodes = {n["stakeholder"]["name"]: n for n in found["nodes"]}
    assert list(nodes) == ["Cora CEO", "Fay CFO", "Ivan CIO", "Uma User"]
    assert nodes["Ivan CIO"]["buyingRoles"] == ["INFLUENCER", "CHAMPION"]
    assert (nodes["Ivan CIO"]["coveredByCount"], nodes["Ivan CIO"]["strongestCoverage"]) == (2, "TRUSTED_ADVISOR")
    assert (nodes["Cora CEO"]["coveredByCount"], nodes["Cora CEO"]["strongestCoverage"]) == (0, "NONE")
    assert (nodes["Fay CFO"]["coveredByCount"], nodes["Fay CFO"]["strongestCoverage"]) == (0, None)
    assert nodes["Fay CFO"]["coverage"] == []
    assert nodes["Fay CFO"]["decisionLevel"] == "EXECUTIVE" and nodes["Uma User"]["influence"] == "LOW"

    edges = [(e["kind"], e["source"]["name"], e["target"]["name"], e["strength"]) for e in found["edges"]]
    assert edges == [
        ("REPORTS_TO", "Fay CFO", "Cora CEO", None),
        ("REPORTS_TO", "Ivan CIO", "Cora CEO", None),
        ("REPORTS_TO", "Uma User", "Ivan CIO", None),
        ("INFLUENCES", "Ivan CIO", "Cora CEO", "STRONG"),
    ]
    assert found["edges"][-1]["influenceLink"] == {"id": seeded["link"]["id"]}
    assert found["edges"][0]["influenceLink"] is None
    assert sorted((c["member"]["name"], c["stakeholder"]["name"], c["strength"]) for c in found["coverage"]) == [
        ("Ada", "Ivan CIO", "TRUSTED_ADVISOR"),
        ("Ada", "Uma User", "GOOD"),
        ("Ben", "Cora CEO", "NONE"),
        ("Ben", "Ivan CIO", "ACQUAINTED"),
    ]

    summary = found["summary"]
    assert summary["stakeholdersByRole"] == [
        {"role": "DECISION_MAKER", "count": 2},
        {"role": "INFLUENCER", "count": 1},
        {"role": "USER", "count": 1},
        {"role": "CHAMPION", "count": 1},
        {"role": "GATEKEEPER", "count": 0},
        {"role": "ECONOMIC_BUYER", "count": 1},
        {"role": "TECHNICAL_EVALUATOR", "count": 0},
    ]
    assert summary["uncoveredDecisionMakers"] == [{"name": "Cora CEO"}, {"name": "Fay CFO"}]
    assert summary["influentialOpponents"] == [{"name": "Fay CFO"}]
    assert summary["coveredStakeholderCount"] == 2
    assert summary["singleThreaded"] is False
    # (3*0 + 3*-2 + 3*2 + 1*1) / (3 + 3 + 3 + 1)
    assert summary["supportIndex"] == pytest.approx(0.1)

    via_account = (await client.execute(ACCOUNT_MAP, {"id": account["id"]}))["account"]["relationshipMap"]
    assert via_account == found


async def test_the_strongest_path_of_influence_to_each_decision_maker(client: GraphQLClient) -> None:
    """ACME worked out by hand: Ivan (champion, Ada's trusted advisor) sways Cora STRONG (0.9), which beats his
    reporting line to her (0.6); Fay reports to Cora, so Cora's MANAGES step reaches her: 0.9 x 0.6 = 0.54."""
    seeded = await acme(client)
    found = (await client.execute(MAP, {"id": seeded["account"]["id"]}))["relationshipMap"]
    paths = {p["decisionMaker"]["name"]: p for p in found["influencePaths"]}
    assert list(paths) == ["Cora CEO", "Fay CFO"] and found["summary"]["unreachableDecisionMakers"] == []
    cora, fay = paths["Cora CEO"], paths["Fay CFO"]
    assert (cora["start"], cora["startReasons"], cora["strength"], cora["length"]) == (
        {"name": "Ivan CIO"}, ["COVERED_WELL", "CHAMPION"], 0.9, 1,
    )
    assert cora["steps"] == [{
        "kind": "INFLUENCES", "source": {"name": "Ivan CIO"}, "target": {"name": "Cora CEO"}, "strength": "STRONG",
        "factor": 0.9, "influenceLink": {"id": seeded["link"]["id"]},
    }]
    assert [(s["kind"], s["source"]["name"], s["target"]["name"], s["factor"]) for s in fay["steps"]] == [
        ("INFLUENCES", "Ivan CIO", "Cora CEO", 0.9), ("MANAGES", "Cora CEO", "Fay CFO", 0.6),
    ]
    assert fay["strength"] == 0.54 and fay["steps"][1]["influenceLink"] is None

    # Without the influence line Ivan reaches Cora through his reporting line only; a new decision maker nobody
    # is linked to is a gap; Uma (known GOOD) is a start too, but her way up is weaker than Ivan's.
    remove = "mutation($input: InfluenceLinkRemoveInput!) { influenceLinkRemove(input: $input) { userErrors { code } } }"
    assert (await client.mutate(remove, {"id": seeded["link"]["id"]}))["userErrors"] == []
    await create_stakeholder(client, seeded["account"]["id"], name="Dora Director", buyingRoles=["DECISION_MAKER"])
    found = (await client.execute(MAP, {"id": seeded["account"]["id"]}))["relationshipMap"]
    paths = {p["decisionMaker"]["name"]: (p["start"]["name"], [s["kind"] for s in p["steps"]], p["strength"])
             for p in found["influencePaths"]}
    assert paths == {
        "Cora CEO": ("Ivan CIO", ["REPORTS_TO"], 0.6),
        "Fay CFO": ("Ivan CIO", ["REPORTS_TO", "MANAGES"], 0.36),
    }
    assert found["summary"]["unreachableDecisionMakers"] == [{"name": "Dora Director"}]


async def test_map_follows_changes(client: GraphQLClient) -> None:
    seeded = await acme(client)
    member = await create_member(client, name="Cy")
    await set_coverage(client, member, seeded["ceo"], "GOOD")
    remove = "mutation($input: InfluenceLinkRemoveInput!) { influenceLinkRemove(input: $input) { userErrors { code } } }"
    assert (await client.mutate(remove, {"id": seeded["link"]["id"]}))["userErrors"] == []
    found = (await client.execute(MAP, {"id": seeded["account"]["id"]}))["relationshipMap"]
    assert [e["kind"] for e in found["edges"]] == ["REPORTS_TO"] * 3
    assert found["summary"]["uncoveredDecisionMakers"] == [{"name": "Fay CFO"}]
    assert found["summary"]["coveredStakeholderCount"] == 3


async def test_empty_and_single_threaded_maps(client: GraphQLClient) -> None:
    empty = await create_account(client)
    found = (await client.execute(MAP, {"id": empty["id"]}))["relationshipMap"]
    assert found["nodes"] == [] and found["edges"] == [] and found["coverage"] == []
    assert found["summary"]["supportIndex"] is None
    assert found["summary"]["coveredStakeholderCount"] == 0 and found["summary"]["singleThreaded"] is True
    assert all(r["count"] == 0 for r in found["summary"]["stakeholdersByRole"])

    account = await create_account(client)
    member = await create_member(client)
    only = await create_stakeholder(client, account["id"], attitude="SKEPTIC", influence="MEDIUM")
    await create_stakeholder(client, account["id"], attitude="SKEPTIC", influence="HIGH")
    await set_coverage(client, member, only, "ACQUAINTED")
    summary = (await client.execute(MAP, {"id": account["id"]}))["relationshipMap"]["summary"]
    assert summary["singleThreaded"] is True and summary["coveredStakeholderCount"] == 1
    assert summary["supportIndex"] == -1.0
    assert len(summary["influentialOpponents"]) == 1


async def test_map_of_unknown_or_archived_account(client: GraphQLClient) -> None:
    assert (await client.execute(MAP, {"id": to_global_id("Account", 999)}))["relationshipMap"] is None
    account = await create_account(client)
    await create_stakeholder(client, account["id"], name="Still here")
    archive = "mutation($input: AccountArchiveInput!) { accountArchive(input: $input) { userErrors { code } } }"
    assert (await client.mutate(archive, {"id": account["id"]}))["userErrors"] == []
    found = (await client.execute(MAP, {"id": account["id"]}))["relationshipMap"]
    assert [n["stakeholder"]["name"] for n in found["nodes"]] == ["Still here"]


@pytest.mark.parametrize("bad", ["%%%", to_global_id("Stakeholder", 1), "QWNjb3VudDphYmM="])
async def test_malformed_account_id_is_bad_user_input(client: GraphQLClient, bad: str) -> None:
    errors = await client.errors(MAP, {"id": bad})
    assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "accountId"}


async def seed_map(client: GraphQLClient, account_id: str, people: int) -> None:
    members = [await create_member(client), await create_member(client)]
    created: list[dict] = []
    for n in range(people):
        created.append(await create_stakeholder(
            client, account_id, name=f"Person {n:02}",
            buyingRoles=["DECISION_MAKER"] if n % 4 == 0 else ["USER", "INFLUENCER"],
            attitude=["CHAMPION", "SUPPORTER", "NEUTRAL", "SKEPTIC", "OPPONENT"][n % 5],
            influence=["HIGH", "MEDIUM", "LOW"][n % 3],
            reportsToId=created[(n - 1) // 2]["id"] if n else None,
        ))
        if n:
            await add_link(client, created[n], created[n - 1])
        await set_coverage(client, members[n % 2], created[n], ["NONE", "ACQUAINTED", "GOOD", "TRUSTED_ADVISOR"][n % 4])


async def map_statements(client: GraphQLClient, sql: StatementCounter, account_id: str, people: int) -> int:
    sql.reset()
    found = (await client.execute(MAP, {"id": account_id}))["relationshipMap"]
    assert len(found["nodes"]) == people and len(found["edges"]) == 2 * (people - 1)
    return sql.count


async def test_statement_count_does_not_grow_with_stakeholders(client: GraphQLClient, sql: StatementCounter) -> None:
    small, large = await create_account(client), await create_account(client)
    await seed_map(client, small["id"], 3)
    await seed_map(client, large["id"], 12)
    few = await map_statements(client, sql, small["id"], 3)
    many = await map_statements(client, sql, large["id"], 12)
    assert few == many, f"{few} statements for 3 stakeholders, {many} for 12"


async def maps_statements(client: GraphQLClient, sql: StatementCounter, first: int) -> int:
    sql.reset()
    maps = [n["relationshipMap"] for n in (await client.execute(MAPS, {"first": first}))["accounts"]["nodes"]]
    assert len(maps) == first and all(len(m["nodes"]) == 3 for m in maps)
    return sql.count


async def test_statement_count_does_not_grow_with_accounts(client: GraphQLClient, sql: StatementCounter) -> None:
    for _ in range(6):
        account = await create_account(client)
        await seed_map(client, account["id"], 3)
    two = await maps_statements(client, sql, 2)
    six = await maps_statements(client, sql, 6)
    assert two == six, f"{two} statements for 2 maps, {six} for 6"
    assert two <= 8


def test_the_steps_of_a_path_cost_six_objects_at_most() -> None:
    """A path has at most six steps (domain/influence_paths.MAX_STEPS): the query cost counts six, where a list
    of unknown length counts a default page (20)."""
    schema = build_schema()
    query = "{ relationshipMap(accountId: 1) { influencePaths { steps { source { name } } } edges { source { name } } } }"
    cost = operation_cost(schema._schema, query, parse(query), None, {}, default_page_size=20, max_page_size=100, maximum=10**6)
    # the map 1 + its paths 20 x (1 + their steps 6 x (1 + a source 1)) + its edges 20 x (1 + a source 1)
    assert cost == 1 + 20 * (1 + 6 * 2) + 20 * 2
