"""Writing interactions: who took part must belong to the account (or be one of our members), the date is
never in the future, and every write recounts the recency of the account and the people it touched."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from domain.base import utcnow
from domain.errors import DomainError, ErrorCode
from domain.interaction import (
    MAX_DURATION_MINUTES,
    Interaction,
    InteractionDirection,
    InteractionMember,
    InteractionStakeholder,
    occurred_problem,
)
from domain.need import Need
from domain.opportunity import Opportunity
from domain.stakeholder import Stakeholder
from domain.team import TeamMember
from resolvers import validation as v
from resolvers.access import access_of
from resolvers.accounts.ownership import open_account, row_of_account
from resolvers.ids import input_id
from resolvers.interactions.recency import lock_account, refresh_accounts, refresh_stakeholders
from resolvers.judgments.judging import rejudge

LONG_TEXT = 5000
MAX_PARTICIPANTS = 50  # of each side: a town hall is an EVENT with a note, not 500 participants


def _clean(data: dict[str, Any], now: datetime) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "subject" in data:
        out["subject"] = v.required_text(data["subject"], "subject", 300)
    for key in ("summary", "outcome", "next_step"):
        if key in data:
            out[key] = v.optional_text(data[key], v.camel(key), LONG_TEXT)
    for key in ("kind", "direction", "occurred_at"):
        if key in data:
            out[key] = v.not_null(data, key)
    if "occurred_at" in out:
        if out["occurred_at"].tzinfo is None:
            raise DomainError.single(
                "occurredAt", "`occurredAt` needs a UTC offset, e.g. 2026-01-31T09:30:00Z.", ErrorCode.INVALID
            )
        problem = occurred_problem(out["occurred_at"], now)
        if problem is not None:
            raise DomainError.single("occurredAt", problem, ErrorCode.OUT_OF_RANGE)
    if "duration_minutes" in data:
        minutes = data["duration_minutes"]
        if minutes is not None and not 0 <= minutes <= MAX_DURATION_MINUTES:
            raise DomainError.single(
                "durationMinutes",
                f"`durationMinutes` must be between 0 and {MAX_DURATION_MINUTES} (a week).",
                ErrorCode.OUT_OF_RANGE,
            )
        out["duration_minutes"] = minutes
    return out


def _distinct_ids(values: list[str], type_name: str, field: str) -> list[int]:
    if len(values) > MAX_PARTICIPANTS * 2:
        raise DomainError.single(field, f"`{field}` holds more than {MAX_PARTICIPANTS} people.", ErrorCode.OUT_OF_RANGE)
    ids = list(dict.fromkeys(input_id(value, type_name, field) for value in values))
    if len(ids) > MAX_PARTICIPANTS:
        raise DomainError.single(field, f"`{field}` holds more than {MAX_PARTICIPANTS} people.", ErrorCode.OUT_OF_RANGE)
    return ids


async def _stakeholder_ids(session: AsyncSession, values: list[str], account_id: int) -> list[int]:
    """Stakeholders of this account: NOT_FOUND for one that does not exist or is hidden, CROSS_ACCOUNT for
    one of another account (one SELECT for all of them)."""
    ids = _distinct_ids(values, "Stakeholder", "stakeholderIds")
    if not ids:
        return []
    rows = {s.id: s for s in (await session.scalars(select(Stakeholder).where(Stakeholder.id.in_(ids)))).all()}
    access = access_of(session)
    for row_id in ids:
        row = rows.get(row_id)
        if row is None or not await access.visible(row):
            raise DomainError.single("stakeholderIds", "No Stakeholder has this `stakeholderIds`.", ErrorCode.NOT_FOUND)
        if row.account_id != account_id:
            raise DomainError.single(
                "stakeholderIds", "The stakeholder belongs to another account.", ErrorCode.CROSS_ACCOUNT
            )
    return ids


async def _member_ids(session: AsyncSession, values: list[str]) -> list[int]:
    ids = _distinct_ids(values, "TeamMember", "memberIds")
    if ids:
        found = set((await session.scalars(select(TeamMember.id).where(TeamMember.id.in_(ids)))).all())
        if any(i not in found for i in ids):
            raise DomainError.single("memberIds", "No TeamMember has this `memberIds`.", ErrorCode.NOT_FOUND)
    return ids


async def _need_id(session: AsyncSession, value: str | None, account_id: int) -> int | None:
    need = await row_of_account(session, Need, value, account_id, "needId")
    return None if need is None else need.id


async def _opportunity_id(session: AsyncSession, value: str | None, account_id: int) -> int | None:
    deal = await row_of_account(session, Opportunity, value, account_id, "opportunityId")
    return None if deal is None else deal.id


async def _load_participants(session: AsyncSession, interaction: Interaction) -> None:
    """Participants never load with the interaction: read them before comparing, replacing or deleting them."""
    loaded = inspect(interaction).dict
    for key, model in (("stakeholder_rows", InteractionStakeholder), ("member_rows", InteractionMember)):
        if key not in loaded:
            rows = await session.scalars(select(model).where(model.interaction_id == interaction.id))
            set_committed_value(interaction, key, list(rows))


async def _writable(session: AsyncSession, value: str, field: str = "id") -> Interaction:
    interaction = await v.get_row(session, Interaction, input_id(value, "Interaction", field), field)
    await open_account(session, interaction.account_id, field)
    return interaction


async def _recount(session: AsyncSession, account_id: int, stakeholder_ids: set[int], now: datetime) -> None:
    await session.flush()
    await refresh_accounts(session, [account_id], now.date())
    rejudge(session, account_id)
    await refresh_stakeholders(session, stakeholder_ids, now.date())


async def create_interaction(session: AsyncSession, data: dict[str, Any]) -> Interaction:
    now = utcnow()
    account = await open_account(session, input_id(data["account_id"], "Account", "accountId"), "accountId")
    await lock_account(session, account.id)
    values = _clean({"direction": InteractionDirection.OUTBOUND, "occurred_at": now, **data}, now)
    values["need_id"] = await _need_id(session, data.get("need_id"), account.id)
    values["opportunity_id"] = await _opportunity_id(session, data.get("opportunity_id"), account.id)
    stakeholders = await _stakeholder_ids(session, data.get("stakeholder_ids") or [], account.id)
    me = access_of(session).member_id
    members = await _member_ids(session, data["member_ids"]) if data.get("member_ids") is not None else [me]
    interaction = Interaction(account_id=account.id, **values)
    interaction.stakeholder_rows, interaction.member_rows = [], []
    interaction.stakeholder_ids, interaction.member_ids = stakeholders, [m for m in members if m]
    session.add(interaction)
    await _recount(session, account.id, set(stakeholders), now)
    return interaction


async def update_interaction(session: AsyncSession, data: dict[str, Any]) -> Interaction:
    now = utcnow()
    interaction = await _writable(session, data.pop("id"))
    await lock_account(session, interaction.account_id)
    v.check_version(interaction, data.pop("version", None))
    values = _clean(data, now)
    if "need_id" in data:
        values["need_id"] = await _need_id(session, data["need_id"], interaction.account_id)
    if "opportunity_id" in data:
        values["opportunity_id"] = await _opportunity_id(session, data["opportunity_id"], interaction.account_id)
    stakeholders = members = None
    if "stakeholder_ids" in data:
        stakeholders = await _stakeholder_ids(session, v.not_null(data, "stakeholder_ids"), interaction.account_id)
    if "member_ids" in data:
        members = await _member_ids(session, v.not_null(data, "member_ids"))
    # Read first: the query flushes pending changes, and a second flush would bump the version again.
    await _load_participants(session, interaction)
    touched = set(interaction.stakeholder_ids)
    v.apply(interaction, values)
    changed_lists = False
    if stakeholders is not None and set(stakeholders) != set(interaction.stakeholder_ids):
        interaction.stakeholder_ids = stakeholders
        changed_lists = True
    if members is not None and set(members) != set(interaction.member_ids):
        interaction.member_ids = members
        changed_lists = True
    if changed_lists:
        # Participants live in their own tables; changing them still changes the interaction (and its version).
        interaction.updated_at = now
    await _recount(session, interaction.account_id, touched | set(interaction.stakeholder_ids), now)
    return interaction


async def delete_interaction(session: AsyncSession, value: str) -> str:
    now = utcnow()
    interaction = await _writable(session, value)
    await lock_account(session, interaction.account_id)
    # The audit trail records the participants that go with the interaction.
    await _load_participants(session, interaction)
    touched = set(interaction.stakeholder_ids)
    account_id = interaction.account_id
    await session.delete(interaction)
    await _recount(session, account_id, touched, now)
    return value
