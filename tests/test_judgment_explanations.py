"""The explanations of an account's judgments through the API, against figures worked out by hand on small
accounts: health over its known factors and the churn warning, the stages and their transitions, the
key-account recommendation, the lifetime value; a page of accounts reads them in one statement; bad arguments
are client errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.conftest import GraphQLClient
from tests.factories import create_account
from tests.interaction_factories import create_interaction, days_ago, today, update_interaction
from tests.plan_factories import create_action, create_plan, record_assessment
from tests.stakeholder_factories import create_stakeholder
from tests.test_opportunities import move, open_deal
from tests.test_revenue import load, record

HEALTH = """
  health {
    score band churnWarning warningFactors unknownFactors
    factors { factor known points maxPoints days daysSinceCreated cadenceDays supportIndex count of amount { amount } previous { amount } ratio }
  }"""
KEY_ACCOUNT = """
  keyAccount {
    recommended score unknownFactors
    reasons { factor known points maxPoints amount { amount } target { amount } years targetYears firstDealOn rating }
  }"""
STAGES = """
  stageEvidence {
    relationshipReason purchases wonDeals orders enteredRelationshipStage lifecycleReason daysSinceLastPurchase lapsedAfterDays
  }"""
LIFETIME = """
  lifetimeValue {
    historical { amount currency } predicted { amount } averageAnnualMargin { amount } yearsAsCustomer
    retentionRate discountRate expectedRemainingYears maxYears
  }"""


def explaining(*parts: str) -> str:
    """A query of an account's judgment in force, what the rules say, and these parts of the explanation."""
    return f"""query($id: ID!) {{ account(id: $id) {{ judgment {{
      grade lifecycleStage relationshipStage cadenceDays rules {{ grade lifecycleStage relationshipStage }} {"".join(parts)}
    }} }} }}"""


HISTORY = """
query($id: ID!, $kinds: [JudgmentKind!]) {
  account(id: $id) {
    judgmentHistory(kinds: $kinds, first: 20) { nodes { kind fromValue toValue changedOn cause policyVersion score } }
  }
}"""

UPDATE_ACCOUNT = """
mutation($input: AccountUpdateInput!) { accountUpdate(input: $input) { userErrors { field message code } } }
"""


async def explain(client: GraphQLClient, account_id: str, *parts: str) -> Any:
    """The account's judgment with these parts of the explanation."""
    return (await client.execute(explaining(*parts), {"id": account_id}))["account"]["judgment"]


def factors(found: Any, part: str = "health") -> dict[str, Any]:
    key = "factors" if part == "health" else "reasons"
    return {f["factor"]: f for f in found[part][key]}


def health_summary(found: Any) -> tuple[Any, ...]:
    health = found["health"]
    return health["score"], health["band"], health["churnWarning"], health["warningFactors"]


def day(offset: int) -> str:
    return (today() + timedelta(days=offset)).isoformat()


async def history(client: GraphQLClient, account_id: str, kind: str) -> list[tuple[Any, ...]]:
    """The account's transitions of one kind, newest first: (from, to, cause, policy version)."""
    nodes = (await client.execute(HISTORY, {"id": account_id, "kinds": [kind]}))["account"]["judgmentHistory"]["nodes"]
    assert all(n["kind"] == kind and n["changedOn"] == today().isoformat() for n in nodes)
    return [(n["fromValue"], n["toValue"], n["cause"], n["policyVersion"]) for n in nodes]


async def live_plan(client: GraphQLClient, account_id: str, *due: tuple[int, str]) -> None:
    """An ACTIVE plan with actions due on these days from today, in these statuses."""
    plan = await create_plan(client, account_id, startsOn=day(-60), endsOn=day(300), status="ACTIVE")
    for offset, status in due:
        await create_action(client, plan["id"], dueOn=day(offset), status=status)


async def test_health_is_scored_over_the_known_factors_as_the_evidence_comes_in(client: GraphQLClient) -> None:
    account = await create_account(client)
    found = await explain(client, account["id"], HEALTH)
    # Never called, but created today: recency counts from the creation, within the D's 90-day cadence (30 of 30),
    # and no action is late (PLAN_PROGRESS 10 of 10): 40 of the 40 known points, 100.00. A new account is given a
    # cadence to be contacted, not a churn warning on its first day.
    assert health_summary(found) == (100.0, "HEALTHY", False, [])
    assert found["health"]["unknownFactors"] == ["SATISFACTION", "COMPLAINTS", "ORGANISATIONAL_SUPPORT", "REVENUE_TREND"]
    by = factors(found)
    recency = by["RECENCY"]
    assert (recency["known"], recency["points"], recency["days"], recency["daysSinceCreated"], recency["cadenceDays"]) == (True, 30.0, None, 0, 90)
    assert (by["PLAN_PROGRESS"]["points"], by["PLAN_PROGRESS"]["count"], by["PLAN_PROGRESS"]["of"]) == (10.0, 0, 0)
    assert [(f["factor"], f["points"], f["maxPoints"]) for f in found["health"]["factors"] if not f["known"]] == [
        ("SATISFACTION", None, 20), ("COMPLAINTS", None, 15), ("ORGANISATIONAL_SUPPORT", None, 15), ("REVENUE_TREND", None, 10),
    ]
    assert found["lifecycleStage"] == "ACQUISITION"

    # The map: a champion (+2) and an opponent (-2) of HIGH influence (3 each), a supporter (+1) of MEDIUM (2):
    # (6 - 6 + 2) / 8 = 0.25; (0.25 + 2) / 4 x 15 = 8.4375. 48.4375 of 55 known points: 88.07.
    for attitude, influence in (("CHAMPION", "HIGH"), ("OPPONENT", "HIGH"), ("SUPPORTER", "MEDIUM")):
        await create_stakeholder(client, account["id"], attitude=attitude, influence=influence)
    found = await explain(client, account["id"], HEALTH)
    assert health_summary(found) == (88.07, "HEALTHY", False, [])
    support = factors(found)["ORGANISATIONAL_SUPPORT"]
    assert (support["known"], support["supportIndex"], support["points"]) == (True, 0.25, 8.44)

    # A call 120 days ago; a D's cadence is 90 days, none left at 3 x 90 = 270: (270 - 120) / (270 - 90) x 30 = 25.
    # 25 + 8.4375 + 10 = 43.4375 of 55: 78.98, HEALTHY.
    await create_interaction(client, account["id"], occurredAt=days_ago(120))
    found = await explain(client, account["id"], HEALTH)
    assert health_summary(found) == (78.98, "HEALTHY", False, [])
    recency = factors(found)["RECENCY"]
    assert (recency["points"], recency["days"], recency["cadenceDays"]) == (25.0, 120, 90)

    # Revenue: 600 in the last twelve months against 1,000 in the twelve before, a ratio of 0.6: (0.6 - 0.5) / 0.5 x 10
    # = 2. Two orders make a repeat customer (sales stage 0.6 x 25 = 15, still a D). 45.4375 of 65: 69.90, WATCH.
    loaded = await load(client, [record(account["id"], 30, "600.00", "R-1"), record(account["id"], 400, "1000.00", "R-2")])
    assert loaded["userErrors"] == []
    found = await explain(client, account["id"], HEALTH)
    assert health_summary(found) == (69.9, "WATCH", False, ["REVENUE_TREND"])
    trend = factors(found)["REVENUE_TREND"]
    assert (trend["points"], trend["ratio"], trend["amount"], trend["previous"]) == (
        2.0, "0.6000", {"amount": "600.00"}, {"amount": "1000.00"}
    )
    assert found["health"]["unknownFactors"] == ["SATISFACTION", "COMPLAINTS"] and found["grade"] == "D"

    # One of the two open actions of an active plan is late: (1 - 1/2) x 10 = 5. 40.4375 of 65: 62.21. Losing exactly
    # half its points does not name PLAN_PROGRESS; only more than half does.
    await live_plan(client, account["id"], (-5, "TODO"), (10, "IN_PROGRESS"))
    found = await explain(client, account["id"], HEALTH)
    assert health_summary(found) == (62.21, "WATCH", False, ["REVENUE_TREND"])
    plan = factors(found)["PLAN_PROGRESS"]
    assert (plan["points"], plan["count"], plan["of"]) == (5.0, 1, 2)

    # A call three days ago, within the cadence: all 30 recency points. 45.4375 of 65: 69.90 again.
    await create_interaction(client, account["id"], occurredAt=days_ago(3))
    found = await explain(client, account["id"], HEALTH)
    assert health_summary(found) == (69.9, "WATCH", False, ["REVENUE_TREND"])
    assert (factors(found)["RECENCY"]["points"], factors(found)["RECENCY"]["days"]) == (30.0, 3)


async def test_a_customer_falling_below_40_gets_a_churn_warning_and_moves_to_at_risk(client: GraphQLClient) -> None:
    account = await create_account(client)
    call = await create_interaction(client, account["id"], occurredAt=days_ago(2))
    # Bought 1,000 in the twelve months before and 400 in the last twelve: ratio 0.4, no trend points. RECENCY 30,
    # PLAN_PROGRESS 10, REVENUE_TREND 0: 40 of 50, 80.00. A customer now: RETENTION.
    await load(client, [record(account["id"], 400, "1000.00", "C-1"), record(account["id"], 30, "400.00", "C-2")])
    found = await explain(client, account["id"], HEALTH, STAGES)
    assert health_summary(found) == (80.0, "HEALTHY", False, ["REVENUE_TREND"])
    assert found["lifecycleStage"] == "RETENTION"
    # An opponent of HIGH influence (-2 x 3) and a supporter of LOW (+1 x 1): -5 / 4 = -1.25;
    # (-1.25 + 2) / 4 x 15 = 2.8125. 42.8125 of 65: 65.87.
    await create_stakeholder(client, account["id"], attitude="OPPONENT", influence="HIGH")
    await create_stakeholder(client, account["id"], attitude="SUPPORTER", influence="LOW")
    assert health_summary(await explain(client, account["id"], HEALTH, STAGES))[:2] == (65.87, "WATCH")
    # One of two actions late: 5 of 10. 37.8125 of 65: 58.17.
    await live_plan(client, account["id"], (-10, "TODO"), (20, "IN_PROGRESS"))
    assert health_summary(await explain(client, account["id"], HEALTH, STAGES))[:2] == (58.17, "WATCH")

    # The only call turns out to have been 300 days ago: past 270 days a D's recency gives nothing.
    # 0 + 2.8125 + 5 + 0 = 7.8125 of 65: 12.02. Named by points lost: RECENCY 30, ORGANISATIONAL_SUPPORT 12.19,
    # REVENUE_TREND 10; PLAN_PROGRESS lost only half of its 10.
    await update_interaction(client, call["id"], occurredAt=days_ago(300))
    found = await explain(client, account["id"], HEALTH, STAGES)
    assert health_summary(found) == (12.02, "AT_RISK", True, ["RECENCY", "ORGANISATIONAL_SUPPORT", "REVENUE_TREND"])
    by = factors(found)
    assert [(by[k]["points"], by[k]["maxPoints"]) for k in ("RECENCY", "ORGANISATIONAL_SUPPORT", "PLAN_PROGRESS", "REVENUE_TREND")] == [
        (0.0, 30), (2.81, 15), (5.0, 10), (0.0, 10)
    ]
    assert (by["RECENCY"]["days"], by["ORGANISATIONAL_SUPPORT"]["supportIndex"], by["REVENUE_TREND"]["ratio"]) == (300, -1.25, "0.4000")
    # Bought 30 days ago, well within two years: a retained customer under a churn warning is AT_RISK.
    assert (found["lifecycleStage"], found["rules"]["lifecycleStage"]) == ("AT_RISK", "AT_RISK")
    evidence = found["stageEvidence"]
    assert (evidence["lifecycleReason"], evidence["daysSinceLastPurchase"], evidence["lapsedAfterDays"]) == ("CHURN_WARNING", 30, 730)
    assert await history(client, account["id"], "LIFECYCLE_STAGE") == [
        ("RETENTION", "AT_RISK", "RULE", 1), ("ACQUISITION", "RETENTION", "RULE", 1), (None, "ACQUISITION", "RULE", 1),
    ]


async def test_a_won_deal_makes_a_prospect_a_first_deal_customer(client: GraphQLClient) -> None:
    account = await create_account(client)
    found = await explain(client, account["id"], STAGES)
    assert (found["relationshipStage"], found["lifecycleStage"]) == ("PROSPECT", "ACQUISITION")
    assert found["stageEvidence"] == {
        "relationshipReason": "NO_PURCHASE", "purchases": 0, "wonDeals": 0, "orders": 0, "enteredRelationshipStage": "PROSPECT",
        "lifecycleReason": "NEVER_BOUGHT", "daysSinceLastPurchase": None, "lapsedAfterDays": 730,
    }
    await create_interaction(client, account["id"], occurredAt=days_ago(1))  # contacted: no churn warning
    deal = await open_deal(client, account["id"], "50000")
    assert (await explain(client, account["id"], STAGES))["lifecycleStage"] == "ACQUISITION"  # INITIAL_CONTACT is not yet a deal in progress
    await move(client, deal, "NEEDS_ANALYSIS", 0)
    found = await explain(client, account["id"], STAGES)
    assert (found["lifecycleStage"], found["stageEvidence"]["lifecycleReason"]) == ("CONVERSION", "DEAL_IN_PROGRESS")

    await move(client, deal, "WON", 0)
    found = await explain(client, account["id"], STAGES)
    assert (found["relationshipStage"], found["lifecycleStage"]) == ("FIRST_DEAL", "RETENTION")
    assert found["rules"] == {"grade": found["grade"], "lifecycleStage": "RETENTION", "relationshipStage": "FIRST_DEAL"}
    evidence = found["stageEvidence"]
    assert (evidence["relationshipReason"], evidence["purchases"], evidence["wonDeals"], evidence["orders"]) == ("FIRST_PURCHASE", 1, 1, 0)
    assert (evidence["lifecycleReason"], evidence["daysSinceLastPurchase"]) == ("ACTIVE_CUSTOMER", 0)
    # The person's stage on the account stays as it was; the judged one moved.
    assert evidence["enteredRelationshipStage"] == "PROSPECT"
    assert await history(client, account["id"], "RELATIONSHIP_STAGE") == [
        ("PROSPECT", "FIRST_DEAL", "RULE", 1), (None, "PROSPECT", "RULE", 1)
    ]
    assert await history(client, account["id"], "LIFECYCLE_STAGE") == [
        ("CONVERSION", "RETENTION", "RULE", 1), ("ACQUISITION", "CONVERSION", "RULE", 1), (None, "ACQUISITION", "RULE", 1),
    ]


async def test_the_key_account_recommendation_adds_up_its_reasons(client: GraphQLClient) -> None:
    account = await create_account(client, estimatedWallet="3000000")
    found = await explain(client, account["id"], KEY_ACCOUNT)
    # Wallet 3,000,000 of 5,000,000 x 35 = 21. No assessment, no rating: unknown, no points (not rescaled away).
    # No deal: a relationship of no length, known.
    by = factors(found, "keyAccount")
    assert (by["PURCHASING_POWER"]["points"], by["PURCHASING_POWER"]["amount"], by["PURCHASING_POWER"]["target"]) == (
        21.0, {"amount": "3000000.00"}, {"amount": "5000000"}
    )
    assert (by["RELATIONSHIP_LENGTH"]["known"], by["RELATIONSHIP_LENGTH"]["points"], by["RELATIONSHIP_LENGTH"]["years"]) == (True, 0.0, "0.00")
    assert found["keyAccount"]["score"] == 21.0 and found["keyAccount"]["recommended"] is False
    assert found["keyAccount"]["unknownFactors"] == ["COOPERATION_POTENTIAL", "STRATEGIC_FIT"]

    # Growth potential 500,000 of 2,000,000 x 25 = 6.25.
    await record_assessment(client, account["id"], currentValue="100000", potential="500000")
    # A deal won 730 days ago: 730 / 365.25 = 2.00 years of 3 x 15 = 9.99 (9.9932 exactly).
    deal = await open_deal(client, account["id"], "80000", openedOn=day(-800))
    await move(client, deal, "WON", -730)
    found = await explain(client, account["id"], KEY_ACCOUNT)
    by = factors(found, "keyAccount")
    assert (by["COOPERATION_POTENTIAL"]["known"], by["COOPERATION_POTENTIAL"]["points"]) == (True, 6.25)
    length = by["RELATIONSHIP_LENGTH"]
    assert (length["points"], length["years"], length["targetYears"], length["firstDealOn"]) == (9.99, "2.00", "3", day(-730))
    # 21 + 6.25 + 9.9932 = 37.24, below the 60 that recommends; only the planner's rating is missing.
    assert (found["keyAccount"]["score"], found["keyAccount"]["recommended"]) == (37.24, False)
    assert found["keyAccount"]["unknownFactors"] == ["STRATEGIC_FIT"]

    # A strategic fit of 5 earns all 25: 62.24, recommended.
    assert (await client.mutate(UPDATE_ACCOUNT, {"id": account["id"], "strategicFit": 5}))["userErrors"] == []
    found = await explain(client, account["id"], KEY_ACCOUNT)
    assert (found["keyAccount"]["score"], found["keyAccount"]["recommended"], found["keyAccount"]["unknownFactors"]) == (62.24, True, [])
    assert (factors(found, "keyAccount")["STRATEGIC_FIT"]["rating"], factors(found, "keyAccount")["STRATEGIC_FIT"]["points"]) == (5, 25.0)


async def test_the_lifetime_value_is_the_margin_to_date_and_the_margin_still_expected(client: GraphQLClient) -> None:
    never = await create_account(client)
    assert (await explain(client, never["id"], LIFETIME))["lifetimeValue"] is None  # no orders: nothing to extrapolate

    # A customer of 200 days with 300 + 500 of margin: counted as one year, 800 a year. Each coming year t = 1..10 is
    # worth 800 x (0.8 / 1.08)^t = 800 x (20/27)^t; they add up to 800 x 2.7150428 = 2,172.03.
    young = await create_account(client)
    await load(client, [
        record(young["id"], 200, "2000.00", "Y-1", margin="300.00"), record(young["id"], 100, "3000.00", "Y-2", margin="500.00"),
    ])
    assert (await explain(client, young["id"], LIFETIME))["lifetimeValue"] == {
        "historical": {"amount": "800.00", "currency": "EUR"}, "predicted": {"amount": "2172.03"},
        "averageAnnualMargin": {"amount": "800.00"}, "yearsAsCustomer": "0.55", "retentionRate": "0.8",
        "discountRate": "0.08", "expectedRemainingYears": "4.00", "maxYears": 10,
    }

    # A customer since 1,461 days (4.00 years of 365.25 days) with 1,000 + 1,000 of margin: 500 a year;
    # 500 x 2.7150428 = 1,357.52. Expected to stay 0.8 / (1 - 0.8) = 4 years.
    old = await create_account(client)
    await load(client, [
        record(old["id"], 1461, "4000.00", "O-1", margin="1000.00"), record(old["id"], 30, "4000.00", "O-2", margin="1000.00"),
    ])
    value = (await explain(client, old["id"], LIFETIME))["lifetimeValue"]
    assert (value["historical"]["amount"], value["yearsAsCustomer"], value["averageAnnualMargin"]["amount"]) == ("2000.00", "4.00", "500.00")
    assert value["predicted"] == {"amount": "1357.52"}


async def test_the_explanations_of_many_accounts_are_one_statement(client: GraphQLClient, sql: Any) -> None:
    for n in range(5):
        account = await create_account(client)
        await load(client, [record(account["id"], 10 + n, "1000.00", f"S-{n}", margin="100.00")])
    query = """{ accounts(first: 50) { nodes { judgment {
      health { score } keyAccount { score } lifetimeValue { predicted { amount } } rules { grade } } } } }"""
    sql.statements.clear()
    nodes = (await client.execute(query))["accounts"]["nodes"]
    assert len(nodes) >= 5 and all(n["judgment"]["lifetimeValue"] is not None for n in nodes)
    assert len([s for s in sql.statements if "account_judgment" in s]) == 1


async def test_bad_arguments_of_the_history_are_client_errors(client: GraphQLClient) -> None:
    account = await create_account(client)
    literal = 'query($id: ID!) { account(id: $id) { judgmentHistory(kinds: [NO_SUCH_KIND]) { totalCount } } }'
    errors = await client.errors(literal, {"id": account["id"]})
    assert errors[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED" and "NO_SUCH_KIND" in errors[0]["message"]
    errors = await client.errors(HISTORY, {"id": account["id"], "kinds": ["NO_SUCH_KIND"]})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    errors = await client.errors(HISTORY, {"id": account["id"], "kinds": [None]})
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    negative = 'query($id: ID!) { account(id: $id) { judgmentHistory(first: -1) { totalCount } } }'
    assert (await client.errors(negative, {"id": account["id"]}))[0]["extensions"]["code"] == "BAD_USER_INPUT"
    # Asking for none of the kinds lists none of the moves.
    empty = (await client.execute(HISTORY, {"id": account["id"], "kinds": []}))["account"]["judgmentHistory"]["nodes"]
    assert empty == []
