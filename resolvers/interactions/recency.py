"""Recency kept on accounts, stakeholders and coverage: recounted from the interactions by each write.

The counts are over windows that end on `today`; a write recounts only the rows it touched. The
account's row is locked first (FOR NO KEY UPDATE on PostgreSQL), so of two writes about one account the
one that commits last counts the other's interaction too. The columns are written with plain UPDATEs:
derived figures are neither a new version of the account nor an event of the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.account import Account
from domain.interaction import Interaction, InteractionMember, InteractionStakeholder, Recency, window_starts
from domain.stakeholder import Coverage, Stakeholder
from resolvers.kept import write_kept


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def recency_columns(today: date) -> list[Any]:
    """The last interaction and the counts per window of the rows an aggregate groups."""
    counts = [func.count(case((Interaction.occurred_at >= midnight(start), 1))) for start in window_starts(today)]
    return [func.max(Interaction.occurred_at), *counts]


def account_recency(account_ids: Sequence[int], today: date) -> Select[Any]:
    return (
        select(Interaction.account_id, *recency_columns(today))
        .where(Interaction.account_id.in_(account_ids))
        .group_by(Interaction.account_id)
    )


def stakeholder_recency(stakeholder_ids: Sequence[int], today: date) -> Select[Any]:
    part = InteractionStakeholder.stakeholder_id
    return (
        select(part, *recency_columns(today))
        .join(Interaction, Interaction.id == InteractionStakeholder.interaction_id)
        .where(part.in_(stakeholder_ids))
        .group_by(part)
    )


def coverage_recency(stakeholder_ids: Sequence[int]) -> Select[Any]:
    """The last interaction each (stakeholder, member) pair took part in together."""
    return (
        select(InteractionStakeholder.stakeholder_id, InteractionMember.member_id, func.max(Interaction.occurred_at))
        .join(Interaction, Interaction.id == InteractionStakeholder.interaction_id)
        .join(InteractionMember, InteractionMember.interaction_id == InteractionStakeholder.interaction_id)
        .where(InteractionStakeholder.stakeholder_id.in_(stakeholder_ids))
        .group_by(InteractionStakeholder.stakeholder_id, InteractionMember.member_id)
    )


def as_recency(row: Sequence[Any] | None, today: date) -> Recency:
    if row is None:
        return Recency(None, 0, 0, 0, today)
    last, d30, d90, d365 = row
    return Recency(last, int(d30), int(d90), int(d365), today)


def recency_values(recency: Recency) -> dict[str, Any]:
    return {
        "last_interaction_at": recency.last_at,
        "last_interaction_day": recency.last_day,
        "interactions_30d": recency.last_30_days,
        "interactions_90d": recency.last_90_days,
        "interactions_365d": recency.last_365_days,
        "interactions_counted_on": recency.as_of,
    }


async def _rows(session: AsyncSession, stmt: Select[Any]) -> list[Any]:
    return list((await session.execute(stmt)).all())


async def refresh_accounts(session: AsyncSession, account_ids: Iterable[int], today: date) -> None:
    ids = sorted(set(account_ids))
    if not ids:
        return
    rows = {row[0]: row[1:] for row in await _rows(session, account_recency(ids, today))}
    await write_kept(session, Account, {i: recency_values(as_recency(rows.get(i), today)) for i in ids})


async def refresh_stakeholders(session: AsyncSession, stakeholder_ids: Iterable[int], today: date) -> None:
    """The stakeholders' recency and the last interaction of each of their coverage rows."""
    ids = sorted(set(stakeholder_ids))
    if not ids:
        return
    # Stakeholders deleted in this transaction have no row left to write.
    existing = set((await session.scalars(select(Stakeholder.id).where(Stakeholder.id.in_(ids)))).all())
    ids = [i for i in ids if i in existing]
    if not ids:
        return
    rows = {row[0]: row[1:] for row in await _rows(session, stakeholder_recency(ids, today))}
    await write_kept(session, Stakeholder, {i: recency_values(as_recency(rows.get(i), today)) for i in ids})
    covered = (await session.execute(select(Coverage.id, Coverage.stakeholder_id, Coverage.member_id).where(
        Coverage.stakeholder_id.in_(ids)
    ))).all()
    if not covered:
        return
    # Only the stakeholders someone covers have pairs to date (most of a portfolio's people have none).
    pairs = {
        (s, m): last
        for s, m, last in await _rows(session, coverage_recency(sorted({row[1] for row in covered})))
    }
    await write_kept(
        session, Coverage, {row_id: {"last_interaction_at": pairs.get((sid, mid))} for row_id, sid, mid in covered}
    )


async def lock_account(session: AsyncSession, account_id: int) -> None:
    """Writers of one account's interactions queue here (see the module's docstring)."""
    await session.execute(
        select(Account.id).where(Account.id == account_id).with_for_update(key_share=True)
    )
