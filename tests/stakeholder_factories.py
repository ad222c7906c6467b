"""Create stakeholders, influence links and coverage through the public API."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient

CREATE_STAKEHOLDER = """
mutation($input: StakeholderCreateInput!) {
  stakeholderCreate(input: $input) {
    stakeholder {
      id name title department email phone buyingRoles attitude influence decisionLevel buyingMotive version
      account { id } manager { id }
    }
    userErrors { field message code }
  }
}"""

ADD_LINK = """
mutation($input: InfluenceLinkAddInput!) {
  influenceLinkAdd(input: $input) {
    influenceLink { id strength source { id } target { id } account { id } }
    userErrors { field message code }
  }
}"""

SET_COVERAGE = """
mutation($input: CoverageSetInput!) {
  coverageSet(input: $input) {
    coverage { id strength member { id } stakeholder { id } }
    userErrors { field message code }
  }
}"""

_counter = iter(range(1, 1_000_000))


async def create_stakeholder(client: GraphQLClient, account_id: str, **fields: Any) -> dict[str, Any]:
    data = {"accountId": account_id, "name": f"Person {next(_counter)}", **fields}
    payload = await client.mutate(CREATE_STAKEHOLDER, data)
    assert payload["userErrors"] == [], payload
    return payload["stakeholder"]


async def add_link(client: GraphQLClient, source: dict, target: dict, strength: str = "MODERATE") -> dict[str, Any]:
    payload = await client.mutate(ADD_LINK, {"sourceId": source["id"], "targetId": target["id"], "strength": strength})
    assert payload["userErrors"] == [], payload
    return payload["influenceLink"]


async def set_coverage(client: GraphQLClient, member: dict, stakeholder: dict, strength: str = "GOOD") -> dict[str, Any]:
    payload = await client.mutate(
        SET_COVERAGE, {"memberId": member["id"], "stakeholderId": stakeholder["id"], "strength": strength}
    )
    assert payload["userErrors"] == [], payload
    return payload["coverage"]
