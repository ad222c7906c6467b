"""Create needs, assessments, plans, objectives, actions and stakeholders through the public API."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient

ERRORS = "userErrors { field message code }"

CREATE_STAKEHOLDER = """
mutation($input: StakeholderCreateInput!) {
  stakeholderCreate(input: $input) { stakeholder { id name } userErrors { field message code } }
}"""

NEED_FIELDS = """
  id title description painPoints category visibility priority status peakQuarters isOpen version createdAt updatedAt
  account { id } stakeholder { id name }
"""

CREATE_NEED = f"""
mutation($input: NeedCreateInput!) {{
  needCreate(input: $input) {{ need {{ {NEED_FIELDS} }} {ERRORS} }}
}}"""

RECORD_ASSESSMENT = f"""
mutation($input: GrowthAssessmentRecordInput!) {{
  growthAssessmentRecord(input: $input) {{
    growthAssessment {{
      id assessedOn quadrant note createdAt
      currentValue {{ amount currency }} potential {{ amount currency }}
      assessedBy {{ id }} account {{ id quadrant }}
    }}
    {ERRORS}
  }}
}}"""

PLAN_FIELDS = "id title description status startsOn endsOn version owner { id } account { id }"

CREATE_PLAN = f"""
mutation($input: ActionPlanCreateInput!) {{
  actionPlanCreate(input: $input) {{ actionPlan {{ {PLAN_FIELDS} }} {ERRORS} }}
}}"""

OBJECTIVE_FIELDS = "id description metric target dueOn version plan { id }"

CREATE_OBJECTIVE = f"""
mutation($input: ObjectiveCreateInput!) {{
  objectiveCreate(input: $input) {{ objective {{ {OBJECTIVE_FIELDS} }} {ERRORS} }}
}}"""

ACTION_FIELDS = "id title dueOn status completedAt version plan { id } owner { id } need { id } stakeholder { id }"

CREATE_ACTION = f"""
mutation($input: ActionCreateInput!) {{
  actionCreate(input: $input) {{ action {{ {ACTION_FIELDS} }} {ERRORS} }}
}}"""


async def _ok(client: GraphQLClient, document: str, data: dict[str, Any], key: str) -> dict[str, Any]:
    payload = await client.mutate(document, data)
    assert payload["userErrors"] == [], payload
    return payload[key]


async def create_stakeholder(client: GraphQLClient, account_id: str, **fields: Any) -> dict[str, Any]:
    return await _ok(client, CREATE_STAKEHOLDER, {"accountId": account_id, "name": "Pat Buyer", **fields}, "stakeholder")


async def create_need(client: GraphQLClient, account_id: str, **fields: Any) -> dict[str, Any]:
    data = {"accountId": account_id, "title": "Faster delivery", "category": "FUNCTIONAL", **fields}
    return await _ok(client, CREATE_NEED, data, "need")


async def record_assessment(client: GraphQLClient, account_id: str, **fields: Any) -> dict[str, Any]:
    return await _ok(client, RECORD_ASSESSMENT, {"accountId": account_id, **fields}, "growthAssessment")


async def create_plan(client: GraphQLClient, account_id: str, **fields: Any) -> dict[str, Any]:
    data = {"accountId": account_id, "title": "Grow ACME", "startsOn": "2026-01-01", "endsOn": "2026-12-31", **fields}
    return await _ok(client, CREATE_PLAN, data, "actionPlan")


async def create_objective(client: GraphQLClient, plan_id: str, **fields: Any) -> dict[str, Any]:
    data = {"planId": plan_id, "description": "Double revenue", "metric": "annual revenue", "target": "2000000", **fields}
    return await _ok(client, CREATE_OBJECTIVE, data, "objective")


async def create_action(client: GraphQLClient, plan_id: str, **fields: Any) -> dict[str, Any]:
    return await _ok(client, CREATE_ACTION, {"planId": plan_id, "title": "Call the CFO", **fields}, "action")
