"""Recording and deleting growth assessments, keeping the account's quadrant and figures on its latest one and
its quadrant moves (resolvers/growth/transitions.py) on its history."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.account import Account, account_table
from domain.growth import (
    GrowthAssessment,
    MatrixThresholds,
    check_assessed_on,
    classify_quadrant,
    default_potential,
)
from domain.team import TeamMember
from resolvers import validation as v
from resolvers.accounts.ownership import open_account
from resolvers.growth.transitions import rebuild_quadrant_moves
from resolvers.ids import input_id
from resolvers.judgments.judging import rejudge

CENT = Decimal("0.01")

# The latest assessment: newest date, then the row recorded last.
LATEST = (GrowthAssessment.assessed_on.desc(), GrowthAssessment.id.desc())


async def _sync_latest(session: AsyncSession, account: Account) -> None:
    """The account mirrors its latest assessment: its quadrant (an API field, so the change is versioned and
    audited), and the assessment's current value, potential and currency (a cache the growth matrix sums,
    written as such). The account's row is locked first, so of two assessments recorded at once the one
    that commits last sees the other and leaves the account on whichever is the latest."""
    await session.flush()
    account_id = account_table.c.id
    # FOR NO KEY UPDATE: writers of the account's assessments queue here, while the foreign-key checks of
    # inserts under the account (this transaction's own assessment included) take no conflicting lock.
    # The row is read again under the lock, so the quadrant update below checks the version another
    # assessment's commit left, not the one read before waiting.
    await session.execute(
        select(Account)
        .where(Account.id == account.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    newest = (
        await session.execute(
            select(
                GrowthAssessment.quadrant,
                GrowthAssessment.current_value,
                GrowthAssessment.potential,
                GrowthAssessment.currency,
            )
            .where(GrowthAssessment.account_id == account.id)
            .order_by(*LATEST)
            .limit(1)
        )
    ).first()
    quadrant, current, potential, currency = newest if newest is not None else (None, None, None, None)
    await session.execute(
        update(account_table)
        .where(account_id == account.id)
        .values(assessed_value=current, assessed_potential=potential, assessed_currency=currency)
    )
    if account.quadrant != quadrant:
        account.quadrant = quadrant
    # Under the same lock, so writers of one account's assessments rebuild its moves one after the other.
    await rebuild_quadrant_moves(session, [account.id])
    rejudge(session, account.id)  # the latest potential counts toward the key-account recommendation


async def record_assessment(
    session: AsyncSession, data: dict[str, Any], thresholds: MatrixThresholds, today: date
) -> GrowthAssessment:
    account = await open_account(session, input_id(data["account_id"], "Account", "accountId"), "accountId")
    assessed_on = data.get("assessed_on") or today
    check_assessed_on(assessed_on, today)
    current = data.get("current_value")
    current = account.current_annual_value if current is None else v.money(current, "currentValue")
    potential = data.get("potential")
    if potential is None:
        potential = default_potential(account.estimated_wallet, current)
    else:
        potential = v.money(potential, "potential")
    assessed_by_id = None
    if data.get("assessed_by_id") is not None:
        assessed_by_id = input_id(data["assessed_by_id"], "TeamMember", "assessedById")
        await v.get_row(session, TeamMember, assessed_by_id, "assessedById")
    current, potential = current.quantize(CENT), potential.quantize(CENT)
    assessment = GrowthAssessment(
        account_id=account.id,
        assessed_on=assessed_on,
        current_value=current,
        potential=potential,
        currency=account.currency,
        quadrant=classify_quadrant(current, potential, thresholds),
        assessed_by_id=assessed_by_id,
        note=v.optional_text(data.get("note"), "note", 5000),
    )
    session.add(assessment)
    await _sync_latest(session, account)
    return assessment


async def delete_assessment(session: AsyncSession, value: str) -> tuple[str, Account]:
    """The account falls back to the quadrant of its latest remaining assessment, or to none."""
    assessment = await v.get_row(session, GrowthAssessment, input_id(value, "GrowthAssessment", "id"), "id")
    account = await open_account(session, assessment.account_id, "id")
    await session.delete(assessment)
    await _sync_latest(session, account)
    return value, account
