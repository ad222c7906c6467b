"""kam reads the time from one clock (`domain.base.clock`): the day a write dates things on by default, the
instant it stamps and the day a read counts from all come from it, whichever part of kam asks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import domain.base
from tests.conftest import GraphQLClient
from tests.factories import create_account
from tests.test_opportunities import CREATE, MOVE

ARCHIVE = """
mutation($input: AccountArchiveInput!) { accountArchive(input: $input) { account { archivedAt } userErrors { code } } }"""


async def test_writes_date_and_stamp_by_the_one_clock(client: GraphQLClient, monkeypatch: pytest.MonkeyPatch) -> None:
    moments = [datetime(2025, 3, 1, 23, 59, 30, tzinfo=UTC)]
    monkeypatch.setattr(domain.base, "clock", lambda: moments[-1])
    account = await create_account(client)

    opened = await client.mutate(CREATE, {"accountId": account["id"], "name": "Deal", "amount": "100"})
    assert opened["userErrors"] == [], opened
    deal = opened["opportunity"]
    assert (deal["openedOn"], deal["stageEnteredOn"]) == ("2025-03-01", "2025-03-01")

    moments.append(datetime(2025, 3, 3, 0, 0, 10, tzinfo=UTC))
    moved = await client.mutate(MOVE, {"id": deal["id"], "stage": "QUOTATION"})
    assert moved["userErrors"] == [], moved
    step = moved["opportunity"]["stageHistory"][-1]
    assert (step["toStage"], step["movedOn"], step["daysInStage"], step["skipped"]) == ("QUOTATION", "2025-03-03", 2, 2)

    archived = await client.mutate(ARCHIVE, {"id": account["id"]})
    assert archived["account"]["archivedAt"] == "2025-03-03T00:00:10+00:00"
