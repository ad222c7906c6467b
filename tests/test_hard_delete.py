"""Archive versus hard delete: archiving keeps everything; `accountDelete` removes an account's dependants
in one transaction, and the audit trail records what it removed."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

import resolvers.accounts.mutations as account_mutations
from domain import (
    Account,
    JudgmentOverride,
    AccountTeamMember,
    Action,
    ActionPlan,
    Coverage,
    GrowthAssessment,
    InfluenceLink,
    Interaction,
    InteractionMember,
    InteractionStakeholder,
    Need,
    NeedPeakQuarter,
    Objective,
    Opportunity,
    OpportunityContact,
    OpportunityNeed,
    RevenueRecord,
    StageChange,
    Stakeholder,
    StakeholderBuyingRole,
    TeamMember,
)
from domain.errors import DomainError, ErrorCode
from tests.conftest import ClientFor, GraphQLClient
from tests.factories import create_account, create_member
from tests.plan_factories import (
    create_action,
    create_need,
    create_objective,
    create_plan,
    record_assessment,
)
from tests.stakeholder_factories import add_link, create_stakeholder, set_coverage

DEPENDANTS = (
    Stakeholder, StakeholderBuyingRole, InfluenceLink, Coverage, Need, NeedPeakQuarter,
    GrowthAssessment, ActionPlan, Objective, Action, AccountTeamMember, Interaction, InteractionStakeholder,
    InteractionMember, Opportunity, OpportunityContact, OpportunityNeed, StageChange, RevenueRecord, JudgmentOverride,
)

DELETE = """
mutation($input: AccountDeleteInput!) { accountDelete(input: $input) { deletedId userErrors { field code } } }
"""

ARCHIVE = """
mutation($input: AccountArchiveInput!) { accountArchive(input: $input) { account { archivedAt } userErrors { code } } }
"""

RESTORE = """
mutation($input: AccountArchiveInput!) { accountRestore(input: $input) { account { archivedAt } userErrors { code } } }
"""

EVENTS = """
query($filter: AuditEventFilter) {
  auditEvents(filter: $filter, first: 100) { nodes { operation entityType entityId change before after account { id } } }
}"""

INTERACT = """
mutation($input: InteractionCreateInput!) { interactionCreate(input: $input) { userErrors { field code } } }
"""

DEAL = """
mutation($input: OpportunityCreateInput!) { opportunityCreate(input: $input) { userErrors { field code } } }
"""

REVENUE = """
mutation($input: RevenueImportInput!) { revenueImport(input: $input) { created userErrors { field code } } }
"""

OVERRIDE = """
mutation($input: JudgmentOverrideSetInput!) { judgmentOverrideSet(input: $input) { userErrors { field code } } }
"""
FACT = """
mutation($input: StakeholderFactSetInput!) { stakeholderFactSet(input: $input) { userErrors { field code } } }
"""

TEAM_SET = """
mutation($input: AccountTeamMemberSetInput!) { accountTeamMemberSet(input: $input) { userErrors { code } } }
"""


async def rows(engine: AsyncEngine) -> dict[str, int]:
    """How many rows each table holds."""
    async with engine.connect() as conn:
        return {
            model.__name__: int(await conn.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Account, TeamMember, *DEPENDANTS)
        }


async def furnished_account(client: GraphQLClient, name: str) -> dict[str, Any]:
    """An account with one or more rows of every kind that belongs to an account."""
    owner = await create_member(client)
    helper = await create_member(client)
    account = await create_account(client, name=name, ownerId=owner["id"], estimatedWallet="100000")
    assert (await client.mutate(TEAM_SET, {"accountId": account["id"], "memberId": helper["id"], "teamRole": "SUPPORT"}))["userErrors"] == []
    boss = await create_stakeholder(client, account["id"], buyingRoles=["DECISION_MAKER", "ECONOMIC_BUYER"])
    person = await create_stakeholder(client, account["id"], reportsToId=boss["id"], buyingRoles=["USER"])
    await add_link(client, person, boss)
    await set_coverage(client, helper, boss)
    fact = {"stakeholderId": boss["id"], "fact": "ATTITUDE", "source": "MEETING", "confidence": "CONFIRMED"}
    assert (await client.mutate(FACT, fact))["userErrors"] == []
    need = await create_need(client, account["id"], stakeholderId=person["id"], peakQuarters=["Q1", "Q4"])
    await record_assessment(client, account["id"])
    plan = await create_plan(client, account["id"])
    await create_objective(client, plan["id"])
    await create_action(client, plan["id"], needId=need["id"], stakeholderId=boss["id"], ownerId=helper["id"])
    meeting = {"accountId": account["id"], "kind": "MEETING", "subject": "Review", "needId": need["id"]}
    meeting |= {"stakeholderIds": [boss["id"], person["id"]], "memberIds": [helper["id"]]}
    assert (await client.mutate(INTERACT, meeting))["userErrors"] == []
    deal = {"accountId": account["id"], "name": "Deal", "amount": "100", "needIds": [need["id"]]}
    deal |= {"contacts": [{"stakeholderId": boss["id"], "role": "DECISION_MAKER", "isPrimary": True}]}
    assert (await client.mutate(DEAL, deal))["userErrors"] == []
    record = {"account": account["id"], "date": "2026-01-15", "amount": "250.00", "reference": f"INV-{name}"}
    assert (await client.mutate(REVENUE, {"records": [record]}))["userErrors"] == []
    override = {"accountId": account["id"], "grade": "A", "reason": "Strategic for the region"}
    assert (await client.mutate(OVERRIDE, override))["userErrors"] == []
    return {"account": account, "owner": owner, "helper": helper, "boss": boss, "person": person}


async def test_archive_keeps_everything_and_restore_brings_the_account_back(
    client: GraphQLClient, engine: AsyncEngine
) -> None:
    account = (await furnished_account(client, "Archived"))["account"]
    counted = await rows(engine)

    assert (await client.mutate(ARCHIVE, {"id": account["id"]}))["account"]["archivedAt"] is not None
    assert await rows(engine) == counted
    listed = await client.execute("{ accounts { nodes { id } } }")
    assert account["id"] not in [a["id"] for a in listed["accounts"]["nodes"]]

    assert (await client.mutate(RESTORE, {"id": account["id"]}))["account"]["archivedAt"] is None
    listed = await client.execute("{ accounts { nodes { id } } }")
    assert account["id"] in [a["id"] for a in listed["accounts"]["nodes"]]


async def test_hard_delete_removes_every_dependant_and_nothing_else(client: GraphQLClient, engine: AsyncEngine) -> None:
    doomed = await furnished_account(client, "Doomed")
    await furnished_account(client, "Kept")
    counted = await rows(engine)
    assert all(counted[model.__name__] >= 2 for model in DEPENDANTS), counted

    payload = await client.mutate(DELETE, {"id": doomed["account"]["id"]})
    assert payload == {"deletedId": doomed["account"]["id"], "userErrors": []}

    after = await rows(engine)
    # Exactly the other account's rows remain; nobody of our own team goes with the account.
    assert after == {name: n // 2 for name, n in counted.items() if name != "TeamMember"} | {
        "TeamMember": counted["TeamMember"]
    }
    gone = await client.execute("query($id: ID!) { node(id: $id) { id } }", {"id": doomed["boss"]["id"]})
    assert gone["node"] is None


async def test_only_an_admin_may_hard_delete(client: GraphQLClient, client_for: ClientFor, engine: AsyncEngine) -> None:
    """Members who may change the account are refused the hard delete; archiving is theirs."""
    account_id = (await furnished_account(client, "Guarded"))["account"]["id"]
    writers = [await client_for(role, on=[account_id], team_role="OWNER") for role in ("MANAGER", "ACCOUNT_MANAGER")]
    counted = await rows(engine)

    for writer in writers:
        (error,) = await writer.errors(DELETE, {"input": {"id": account_id}})
        assert error["extensions"]["code"] == "FORBIDDEN", writer.member
    assert await rows(engine) == counted
    assert (await writers[1].mutate(ARCHIVE, {"id": account_id}))["userErrors"] == []


async def test_hard_delete_is_one_transaction(
    client: GraphQLClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database had already cascaded when the mutation failed: every row comes back."""
    doomed = await furnished_account(client, "Survivor")
    counted = await rows(engine)
    delete = account_mutations.delete_account

    async def delete_then_fail(session: Any, value: str) -> str:
        await delete(session, value)
        await session.flush()
        raise DomainError.single("id", "Refused after deleting.", ErrorCode.INVALID)

    monkeypatch.setattr(account_mutations, "delete_account", delete_then_fail)
    payload = await client.mutate(DELETE, {"id": doomed["account"]["id"]})
    assert payload == {"deletedId": None, "userErrors": [{"field": "id", "code": "INVALID"}]}
    assert await rows(engine) == counted
    assert (await client.execute(EVENTS, {"filter": {"operations": ["accountDelete"]}}))["auditEvents"]["nodes"] == []


async def test_hard_delete_records_the_account_and_everything_it_removed(client: GraphQLClient) -> None:
    doomed = await furnished_account(client, "Recorded")
    account_id = doomed["account"]["id"]
    history = (await client.execute(EVENTS, {"filter": {"accountIds": [account_id]}}))["auditEvents"]["nodes"]
    created = {e["entityId"]: e["entityType"] for e in history if e["change"] == "CREATE"}

    assert (await client.mutate(DELETE, {"id": account_id}))["userErrors"] == []

    removed = (await client.execute(EVENTS, {"filter": {"operations": ["accountDelete"]}}))["auditEvents"]["nodes"]
    assert all(e["change"] == "DELETE" and e["after"] is None for e in removed)
    assert {e["entityId"]: e["entityType"] for e in removed} == created
    by_id = {e["entityId"]: e for e in removed}
    root = by_id[account_id]
    assert root["before"]["name"] == "Recorded" and root["before"]["estimatedWallet"] == "100000.00"
    assert root["before"]["quadrant"] == "MONITOR"
    assert root["before"]["team"] == {doomed["owner"]["id"]: "OWNER", doomed["helper"]["id"]: "SUPPORT"}
    boss = by_id[doomed["boss"]["id"]]["before"]
    assert boss["buyingRoles"] == ["DECISION_MAKER", "ECONOMIC_BUYER"] and boss["accountId"] == account_id
    assert by_id[doomed["person"]["id"]]["before"]["reportsToId"] == doomed["boss"]["id"]
    (need,) = [e for e in removed if e["entityType"] == "Need"]
    assert need["before"]["peakQuarters"] == ["Q1", "Q4"]
    # The account is gone, so `account` is null; every event still carries its ID, objectives and actions
    # (which reach the account through their plan) included, so the account's filter finds them all.
    assert all(e["account"] is None for e in removed)
    kept = (await client.execute(EVENTS, {"filter": {"accountIds": [account_id]}}))["auditEvents"]["nodes"]
    assert {e["entityId"] for e in kept} >= set(created)
    assert len([e for e in kept if e["change"] == "DELETE"]) == len(removed)
