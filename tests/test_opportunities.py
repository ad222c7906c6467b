"""Opportunities and the funnel through the GraphQL API: deals, contacts, needs, dated stage moves (skips,
losses, reopening), bad input refused, and funnel figures checked against numbers worked out by hand."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.base import utcnow
from tests.conftest import ClientFor, GraphQLClient
from tests.factories import create_account, create_member
from tests.plan_factories import create_need, create_stakeholder

DEAL = """id name stage probability probabilitySet amount { amount currency } weightedAmount { amount }
  openedOn stageEnteredOn closedOn lostReason version isOpen
  contacts { role isPrimary stakeholder { name } } needs { title }
  stageHistory { fromStage toStage movedOn reason daysInStage skipped movedBy { id } }"""

CREATE = f"""
mutation($input: OpportunityCreateInput!) {{
  opportunityCreate(input: $input) {{ opportunity {{ {DEAL} }} userErrors {{ field message code }} }}
}}"""

UPDATE = f"""
mutation($input: OpportunityUpdateInput!) {{
  opportunityUpdate(input: $input) {{ opportunity {{ {DEAL} }} userErrors {{ field message code }} }}
}}"""

MOVE = f"""
mutation($input: OpportunityMoveStageInput!) {{
  opportunityMoveStage(input: $input) {{ opportunity {{ {DEAL} }} userErrors {{ field message code }} }}
}}"""

FUNNEL = """
query($filter: FunnelFilter) {
  funnel(filter: $filter) {
    deals won lost winRate
    stages { stage count amounts { amount currency } weightedAmounts { amount currency } }
    conversion { stage entered progressed rate }
    daysInStage { stage stays averageDays }
    paths { stages count }
  }
}"""


def day(offset: int) -> str:
    return (utcnow().date() + timedelta(days=offset)).isoformat()


async def open_deal(client: GraphQLClient, account_id: str, amount: str, **fields: Any) -> dict[str, Any]:
    payload = await client.mutate(CREATE, {"accountId": account_id, "name": f"Deal {amount}", "amount": amount, **fields})
    assert payload["userErrors"] == [], payload
    return payload["opportunity"]


async def move(client: GraphQLClient, deal: dict[str, Any], stage: str, on: int, **fields: Any) -> dict[str, Any]:
    payload = await client.mutate(MOVE, {"id": deal["id"], "stage": stage, "on": day(on), **fields})
    assert payload["userErrors"] == [], payload
    return payload["opportunity"]


async def test_a_deal_opens_moves_skips_is_lost_and_reopened(client: GraphQLClient) -> None:
    account = await create_account(client)
    boss = await create_stakeholder(client, account["id"], name="Ines CFO")
    user = await create_stakeholder(client, account["id"], name="Tom Ops")
    need = await create_need(client, account["id"], title="Cut cost")
    deal = await open_deal(
        client,
        account["id"],
        "1200.50",
        openedOn=day(-30),
        needIds=[need["id"]],
        contacts=[{"stakeholderId": user["id"], "role": "USER"}, {"stakeholderId": boss["id"], "role": "ECONOMIC_BUYER", "isPrimary": True}],
    )
    assert deal["stage"] == "INITIAL_CONTACT" and deal["probability"] == 10 and deal["probabilitySet"] is False
    assert deal["amount"] == {"amount": "1200.50", "currency": "EUR"} and deal["weightedAmount"] == {"amount": "120.05"}
    assert [c["stakeholder"]["name"] for c in deal["contacts"]] == ["Ines CFO", "Tom Ops"]
    assert deal["needs"] == [{"title": "Cut cost"}]
    assert [(h["fromStage"], h["toStage"], h["movedOn"]) for h in deal["stageHistory"]] == [(None, "INITIAL_CONTACT", day(-30))]

    deal = await move(client, deal, "QUOTATION", -20)
    assert deal["probability"] == 70 and deal["stageEnteredOn"] == day(-20)
    assert deal["stageHistory"][-1] | {"movedBy": None} == {
        "fromStage": "INITIAL_CONTACT", "toStage": "QUOTATION", "movedOn": day(-20), "reason": None,
        "daysInStage": 10, "skipped": 2, "movedBy": None,
    }
    deal = await move(client, deal, "LOST", -5, lostReason="Price")
    assert (deal["isOpen"], deal["closedOn"], deal["lostReason"], deal["probability"]) == (False, day(-5), "Price", 0)

    refused = await client.mutate(MOVE, {"id": deal["id"], "stage": "NEEDS_ANALYSIS"})
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [("reason", "REQUIRED")]
    deal = await move(client, deal, "NEEDS_ANALYSIS", 0, reason="New budget")
    assert (deal["isOpen"], deal["closedOn"], deal["lostReason"], deal["probability"]) == (True, None, None, 25)
    assert [h["toStage"] for h in deal["stageHistory"]] == ["INITIAL_CONTACT", "QUOTATION", "LOST", "NEEDS_ANALYSIS"]
    assert deal["stageHistory"][-1]["reason"] == "New budget" and deal["version"] == 4


async def test_a_set_probability_stays_until_cleared(client: GraphQLClient) -> None:
    account = await create_account(client)
    deal = await open_deal(client, account["id"], "100", probability=35)
    deal = await move(client, deal, "SOLUTION_DESIGN", 0)
    assert (deal["probability"], deal["probabilitySet"]) == (35, True)
    cleared = await client.mutate(UPDATE, {"id": deal["id"], "probability": None})
    assert (cleared["opportunity"]["probability"], cleared["opportunity"]["probabilitySet"]) == (50, False)


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"amount": "-1"}, "amount", "OUT_OF_RANGE"),
        ({"amount": "1.001"}, "amount", "OUT_OF_RANGE"),
        ({"probability": 101}, "probability", "OUT_OF_RANGE"),
        ({"probability": -1}, "probability", "OUT_OF_RANGE"),
        ({"currency": "USD"}, "currency", "INVALID"),
        ({"currency": "dollars"}, "currency", "INVALID"),
        ({"name": "  "}, "name", "REQUIRED"),
        ({"stage": "WON"}, "stage", "INVALID"),
        ({"openedOn": "2999-01-01"}, "openedOn", "OUT_OF_RANGE"),
        ({"openedOn": "1969-12-31"}, "openedOn", "OUT_OF_RANGE"),
        ({"needIds": ["bm90IGFuIGlk"]}, "needIds", "INVALID"),
    ],
)
async def test_bad_deals_are_refused_and_change_nothing(
    client: GraphQLClient, fields: dict[str, Any], field: str, code: str
) -> None:
    account = await create_account(client)
    payload = await client.mutate(CREATE, {"accountId": account["id"], "name": "Deal", "amount": "10", **fields})
    assert (payload["opportunity"], [(e["field"], e["code"]) for e in payload["userErrors"]]) == (None, [(field, code)])
    assert (await client.execute("{ opportunities { totalCount } }"))["opportunities"]["totalCount"] == 0


async def test_contacts_and_needs_of_another_account_are_refused(client: GraphQLClient) -> None:
    ours, theirs = await create_account(client), await create_account(client)
    stranger = await create_stakeholder(client, theirs["id"])
    need = await create_need(client, theirs["id"])
    friend = await create_stakeholder(client, ours["id"])
    cases = [
        ({"contacts": [{"stakeholderId": stranger["id"], "role": "USER"}]}, "contacts", "CROSS_ACCOUNT"),
        ({"needIds": [need["id"]]}, "needIds", "CROSS_ACCOUNT"),
        (
            {"contacts": [{"stakeholderId": friend["id"], "role": "USER", "isPrimary": True}] * 2},
            "contacts",
            "DUPLICATE",
        ),
    ]
    for fields, field, code in cases:
        payload = await client.mutate(CREATE, {"accountId": ours["id"], "name": "Deal", "amount": "10", **fields})
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]


async def test_moves_are_checked(client: GraphQLClient) -> None:
    account = await create_account(client)
    deal = await open_deal(client, account["id"], "10", openedOn=day(-3))
    cases = [
        ({"stage": "INITIAL_CONTACT"}, [("stage", "INVALID")]),
        ({"stage": "NEEDS_ANALYSIS", "on": day(1)}, [("on", "OUT_OF_RANGE")]),
        ({"stage": "NEEDS_ANALYSIS", "on": day(-4)}, [("on", "OUT_OF_RANGE")]),
        ({"stage": "LOST"}, [("lostReason", "REQUIRED")]),
        ({"stage": "NEEDS_ANALYSIS", "version": 7}, [("version", "CONFLICT")]),
    ]
    for fields, errors in cases:
        payload = await client.mutate(MOVE, {"id": deal["id"], **fields})
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == errors, fields
    again = (await client.execute("query($id: ID!) { node(id: $id) { ... on Opportunity { stage version } } }", {"id": deal["id"]}))
    assert again["node"] == {"stage": "INITIAL_CONTACT", "version": 1}


async def funnel_fixture(client: GraphQLClient, account_id: str) -> None:
    """Six deals, opened 60 days ago (the moves' days are offsets from today):
    D1 1000: IC -> NA (10 days later) -> SD (10) -> QUOTATION (10) -> SIGNING (10) -> WON (5)
    D2 2000: IC -> NA (5) -> QUOTATION (10; SD skipped) -> LOST (10)
    D3 3000: opened in NA -> SD (10), still there
    D4 4000: IC, probability set to 50
    D5  500: IC -> LOST (3) -> reopened to NA (5)
    D6 1000: IC"""
    d1 = await open_deal(client, account_id, "1000", openedOn=day(-60))
    for stage, on in (("NEEDS_ANALYSIS", -50), ("SOLUTION_DESIGN", -40), ("QUOTATION", -30), ("SIGNING", -20), ("WON", -15)):
        d1 = await move(client, d1, stage, on)
    d2 = await open_deal(client, account_id, "2000", openedOn=day(-60))
    d2 = await move(client, d2, "NEEDS_ANALYSIS", -55)
    d2 = await move(client, d2, "QUOTATION", -45)
    await move(client, d2, "LOST", -35, lostReason="Price")
    d3 = await open_deal(client, account_id, "3000", openedOn=day(-60), stage="NEEDS_ANALYSIS")
    await move(client, d3, "SOLUTION_DESIGN", -50)
    await open_deal(client, account_id, "4000", openedOn=day(-60), probability=50)
    d5 = await open_deal(client, account_id, "500", openedOn=day(-60))
    d5 = await move(client, d5, "LOST", -57, lostReason="No budget")
    await move(client, d5, "NEEDS_ANALYSIS", -52, reason="Budget found")
    await open_deal(client, account_id, "1000", openedOn=day(-60))


def money(amount: str) -> list[dict[str, str]]:
    return [{"amount": amount, "currency": "EUR"}]


async def test_the_funnel_matches_figures_worked_out_by_hand(client: GraphQLClient) -> None:
    account = await create_account(client)
    await funnel_fixture(client, account["id"])
    funnel = (await client.execute(FUNNEL))["funnel"]

    assert (funnel["deals"], funnel["won"], funnel["lost"], funnel["winRate"]) == (6, 1, 1, 0.5)
    assert funnel["stages"] == [
        # D4 (4000 at 50%) and D6 (1000 at the default 10%)
        {"stage": "INITIAL_CONTACT", "count": 2, "amounts": money("5000.00"), "weightedAmounts": money("2100.00")},
        # D5 (500 at 25%)
        {"stage": "NEEDS_ANALYSIS", "count": 1, "amounts": money("500.00"), "weightedAmounts": money("125.00")},
        # D3 (3000 at 50%)
        {"stage": "SOLUTION_DESIGN", "count": 1, "amounts": money("3000.00"), "weightedAmounts": money("1500.00")},
        {"stage": "QUOTATION", "count": 0, "amounts": [], "weightedAmounts": []},
        {"stage": "SIGNING", "count": 0, "amounts": [], "weightedAmounts": []},
    ]
    assert funnel["conversion"] == [
        # IC entered by D1 D2 D4 D5 D6; D1, D2 and D5 went further
        {"stage": "INITIAL_CONTACT", "entered": 5, "progressed": 3, "rate": 0.6},
        # NA entered by D1 D2 D3 D5; D1 (SD), D2 (QUOTATION), D3 (SD) went further
        {"stage": "NEEDS_ANALYSIS", "entered": 4, "progressed": 3, "rate": 0.75},
        # SD entered by D1 and D3 (D2 skipped it); only D1 went further
        {"stage": "SOLUTION_DESIGN", "entered": 2, "progressed": 1, "rate": 0.5},
        {"stage": "QUOTATION", "entered": 2, "progressed": 1, "rate": 0.5},
        {"stage": "SIGNING", "entered": 1, "progressed": 1, "rate": 1.0},
    ]
    assert funnel["daysInStage"] == [
        # completed stays: IC D1 10, D2 5, D5 3; NA D1 10, D2 10, D3 10; SD D1 10; QUOTATION D1 10, D2 10; SIGNING D1 5
        {"stage": "INITIAL_CONTACT", "stays": 3, "averageDays": 6.0},
        {"stage": "NEEDS_ANALYSIS", "stays": 3, "averageDays": 10.0},
        {"stage": "SOLUTION_DESIGN", "stays": 1, "averageDays": 10.0},
        {"stage": "QUOTATION", "stays": 2, "averageDays": 10.0},
        {"stage": "SIGNING", "stays": 1, "averageDays": 5.0},
    ]
    assert funnel["paths"] == [
        {"stages": ["INITIAL_CONTACT"], "count": 2},
        {"stages": ["INITIAL_CONTACT", "LOST", "NEEDS_ANALYSIS"], "count": 1},
        {"stages": ["INITIAL_CONTACT", "NEEDS_ANALYSIS", "QUOTATION", "LOST"], "count": 1},
        {"stages": ["INITIAL_CONTACT", "NEEDS_ANALYSIS", "SOLUTION_DESIGN", "QUOTATION", "SIGNING", "WON"], "count": 1},
        {"stages": ["NEEDS_ANALYSIS", "SOLUTION_DESIGN"], "count": 1},
    ]


async def test_the_funnel_counts_only_what_the_filter_and_the_caller_may_see(
    client: GraphQLClient, client_for: ClientFor
) -> None:
    seen = await create_account(client, grade="A", industry="Energy")
    hidden = await create_account(client, grade="C", industry="Retail")
    owner = await create_member(client)
    await open_deal(client, seen["id"], "100", openedOn=day(-10), ownerId=owner["id"])
    await open_deal(client, seen["id"], "200", openedOn=day(-100))
    await open_deal(client, hidden["id"], "400", openedOn=day(-10))

    async def deals(who: GraphQLClient, **flt: Any) -> int:
        return (await who.execute("query($f: FunnelFilter) { funnel(filter: $f) { deals } }", {"f": flt}))["funnel"]["deals"]

    assert await deals(client) == 3
    assert await deals(client, grades=["A"]) == 2
    assert await deals(client, industries=["Retail"]) == 1
    assert await deals(client, ownerIds=[owner["id"]]) == 1
    assert await deals(client, openedFrom=day(-30)) == 2
    assert await deals(client, openedFrom=day(-30), openedTo=day(-20)) == 0
    viewer = await client_for("VIEWER", on=[seen["id"]])
    assert await deals(viewer) == 2
    errors = await client.errors("{ funnel(filter: {openedFrom: \"2026-02-01\", openedTo: \"2026-01-01\"}) { deals } }")
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_funnel_is_two_statements_at_most_each_run_only_when_asked(client: GraphQLClient, sql: Any) -> None:
    account = await create_account(client)
    await funnel_fixture(client, account["id"])
    await funnel_fixture(client, (await create_account(client))["id"])

    async def aggregates(query: str) -> list[str]:
        sql.statements.clear()
        await client.execute(query)
        # The caller's token and access are read first.
        return [s for s in sql.statements if "opportunity" in s]

    assert len(await aggregates(FUNNEL)) == 2  # the pipeline; one grouping by path for the rest
    assert len(await aggregates("{ funnel { deals won lost winRate conversion { rate } daysInStage { stays } paths { count } } }")) == 1
    assert len(await aggregates("{ funnel { stages { count } } }")) == 1
    assert await aggregates("{ funnel { __typename } }") == []


async def test_an_interaction_may_be_about_a_deal_of_its_account(client: GraphQLClient) -> None:
    ours, theirs = await create_account(client), await create_account(client)
    deal = await open_deal(client, ours["id"], "10")
    other = await open_deal(client, theirs["id"], "10")
    create = """mutation($input: InteractionCreateInput!) {
      interactionCreate(input: $input) { interaction { opportunity { name } } userErrors { field code } } }"""
    made = await client.mutate(create, {"accountId": ours["id"], "kind": "CALL", "subject": "Price", "opportunityId": deal["id"]})
    assert made == {"interaction": {"opportunity": {"name": "Deal 10"}}, "userErrors": []}
    refused = await client.mutate(create, {"accountId": ours["id"], "kind": "CALL", "subject": "Price", "opportunityId": other["id"]})
    assert refused["userErrors"] == [{"field": "opportunityId", "code": "CROSS_ACCOUNT"}]
    listed = await client.execute(
        "query($ids: [ID!]) { interactions(filter: {opportunityIds: $ids}) { totalCount } }", {"ids": [deal["id"]]}
    )
    assert listed["interactions"]["totalCount"] == 1


PAGE = """
{
  accounts(first: 10) {
    nodes {
      name
      opportunities(first: 5) {
        totalCount
        nodes {
          name amount { amount } owner { name } needs { title } stageHistory { toStage movedBy { name } }
          contacts { role stakeholder { name } }
        }
      }
      revenue { trailingTwelveMonths { amount } byPeriod(grain: QUARTER, from: "2025-01-01", to: "2025-12-31") { amount { amount } } }
    }
  }
}"""


async def furnish(client: GraphQLClient, n: int) -> None:
    for _ in range(n):
        account = await create_account(client)
        person = await create_stakeholder(client, account["id"])
        need = await create_need(client, account["id"])
        for amount in ("10", "20"):
            deal = await open_deal(
                client, account["id"], amount, needIds=[need["id"]], contacts=[{"stakeholderId": person["id"], "role": "USER"}]
            )
            await move(client, deal, "NEEDS_ANALYSIS", 0)
        revenue = """mutation($input: RevenueImportInput!) { revenueImport(input: $input) { userErrors { code } } }"""
        records = [{"account": account["id"], "date": "2025-05-05", "amount": "5", "reference": "R-1"}]
        assert (await client.mutate(revenue, {"records": records}))["userErrors"] == []


async def test_deals_and_revenue_of_a_page_of_accounts_take_the_same_statements_for_2_or_6(
    client: GraphQLClient, sql: Any
) -> None:
    await furnish(client, 2)
    sql.reset()
    await client.execute(PAGE)
    two = sql.count
    await furnish(client, 4)
    sql.reset()
    data = await client.execute(PAGE)
    assert len(data["accounts"]["nodes"]) == 6
    assert sql.count == two, sql.statements


async def test_deals_follow_the_account_access_rules(client: GraphQLClient, client_for: ClientFor) -> None:
    ours, theirs = await create_account(client), await create_account(client)
    mine = await open_deal(client, ours["id"], "10")
    hidden = await open_deal(client, theirs["id"], "20")
    manager = await client_for("ACCOUNT_MANAGER", on=[ours["id"]])
    listed = await manager.execute("{ opportunities { totalCount nodes { id } } }")
    assert listed["opportunities"] == {"totalCount": 1, "nodes": [{"id": mine["id"]}]}
    node = await manager.execute("query($id: ID!) { node(id: $id) { id } }", {"id": hidden["id"]})
    assert node["node"] is None
    refused = await manager.mutate(MOVE, {"id": hidden["id"], "stage": "NEEDS_ANALYSIS"})
    assert [e["code"] for e in refused["userErrors"]] == ["NOT_FOUND"]
    viewer = await client_for("VIEWER", on=[ours["id"]])
    forbidden = await viewer.errors(
        "mutation($input: OpportunityMoveStageInput!) { opportunityMoveStage(input: $input) { userErrors { code } } }",
        {"input": {"id": mine["id"], "stage": "NEEDS_ANALYSIS"}},
    )
    assert forbidden[0]["extensions"]["code"] == "FORBIDDEN"
