"""Create test data through the public API, the way a client would."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient

CREATE_MEMBER = """
mutation($input: TeamMemberCreateInput!) {
  teamMemberCreate(input: $input) { teamMember { id name email role version } userErrors { field message code } }
}"""

CREATE_ACCOUNT = """
mutation($input: AccountCreateInput!) {
  accountCreate(input: $input) {
    account { id name grade valueTier version currentAnnualValue { amount currency } }
    userErrors { field message code }
  }
}"""

_counter = iter(range(1, 1_000_000))


async def create_member(client: GraphQLClient, **fields: Any) -> dict[str, Any]:
    n = next(_counter)
    data = {"name": f"Member {n}", "email": f"member{n}@kam.example", "role": "ACCOUNT_MANAGER", **fields}
    payload = await client.mutate(CREATE_MEMBER, data)
    assert payload["userErrors"] == [], payload
    return payload["teamMember"]


async def create_account(client: GraphQLClient, **fields: Any) -> dict[str, Any]:
    n = next(_counter)
    data = {"name": f"Account {n}", "grade": "B", "valueTier": "MEDIUM", **fields}
    payload = await client.mutate(CREATE_ACCOUNT, data)
    assert payload["userErrors"] == [], payload
    return payload["account"]
