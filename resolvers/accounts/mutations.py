"""Creating, updating, archiving and deleting accounts, and assigning their teams."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.access import (
    Attachment,
    can_create_account,
    can_delete_account,
    creator_team_role,
)
from domain.account import Account
from domain.base import utcnow
from domain.errors import DomainError, ErrorCode
from domain.key_account import MAX_RATING, MIN_RATING
from domain.opportunity import Opportunity
from domain.revenue import AnnualValueSource, RevenueRecord
from domain.team import AccountTeamMember, TeamMember, TeamRole
from resolvers import validation as v
from resolvers.access import access_of
from resolvers.accounts.ownership import ensure_open, writable_account
from resolvers.ids import input_id
from resolvers.judgments.judging import rejudge

REQUIRED_ON_CREATE = ("grade", "value_tier", "relationship_stage", "lifecycle_stage")
TEXT_FIELDS = {"industry": 100, "region": 100, "website": 500}


def strategic_fit(rating: int | None) -> int | None:
    if rating is not None and not MIN_RATING <= rating <= MAX_RATING:
        raise DomainError.single(
            "strategicFit", f"A strategic-fit rating lies between {MIN_RATING} and {MAX_RATING}; got {rating}.", ErrorCode.OUT_OF_RANGE
        )
    return rating


async def _clean(session: AsyncSession, data: dict[str, Any], default_currency: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in data:
        out["name"] = v.required_text(data["name"], "name", 200)
    for key, limit in TEXT_FIELDS.items():
        if key in data:
            out[key] = v.optional_text(data[key], v.camel(key), limit)
    for key in (*REQUIRED_ON_CREATE, "is_key_account"):
        if key in data:
            out[key] = v.not_null(data, key)
    for key in ("current_annual_value", "estimated_wallet"):
        if key in data:
            out[key] = v.money(v.not_null(data, key), v.camel(key))
    if "strategic_fit" in data:
        out["strategic_fit"] = strategic_fit(data["strategic_fit"])
    if "currency" in data:
        out["currency"] = v.currency(data["currency"] or default_currency)
    if "owner_id" in data:
        owner = data["owner_id"]
        out["owner_id"] = None
        if owner is not None:
            out["owner_id"] = input_id(owner, "TeamMember", "ownerId")
            await v.get_row(session, TeamMember, out["owner_id"], "ownerId")
    return out


async def create_account(session: AsyncSession, data: dict[str, Any], default_currency: str) -> Account:
    """A creator who could not otherwise work on the new account gets a seat on its team (domain.access)."""
    access = access_of(session)
    access.require(can_create_account, "Viewers cannot create accounts.")
    values = await _clean(session, data, default_currency)
    values.setdefault("currency", default_currency)
    values["entered_annual_value"] = values.get("current_annual_value", Decimal(0))
    owner = await session.get(TeamMember, values["owner_id"]) if values.get("owner_id") is not None else None
    seat = creator_team_role(
        access.member.role,  # type: ignore[union-attr]
        access.member_id,
        None if owner is None else Attachment(owner.id, owner.manager_id),
    )
    if seat is TeamRole.OWNER:
        values["owner_id"] = access.member_id
    account = Account(**values)
    session.add(account)
    await session.flush()
    if account.owner_id is not None:
        session.add(AccountTeamMember(account_id=account.id, member_id=account.owner_id, team_role=TeamRole.OWNER))
    if seat is TeamRole.SUPPORT:
        session.add(AccountTeamMember(account_id=account.id, member_id=access.member_id, team_role=TeamRole.SUPPORT))
    rejudge(session, account.id)
    return account


async def load_account(session: AsyncSession, value: str, field: str = "id") -> Account:
    """The account a mutation changes: visible to the caller (else NOT_FOUND) and writable (else FORBIDDEN)."""
    return await writable_account(session, input_id(value, "Account", field), field)


async def update_account(session: AsyncSession, data: dict[str, Any], default_currency: str) -> Account:
    account = await load_account(session, data.pop("id"))
    v.check_version(account, data.pop("version", None))
    ensure_open(account, "id")
    values = await _clean(session, data, default_currency)
    if "current_annual_value" in values:
        # What a person enters is kept; it is the current value only while no revenue records say otherwise.
        values["entered_annual_value"] = values["current_annual_value"]
        if account.annual_value_source != AnnualValueSource.ENTERED.name:
            del values["current_annual_value"]
    if values.get("currency", account.currency) != account.currency:
        await _refuse_currency_change(session, account)
    v.apply(account, values)
    rejudge(session, account.id)
    return account


async def _refuse_currency_change(session: AsyncSession, account: Account) -> None:
    """Deals and revenue records are in the account's currency; kam holds no exchange rates to convert them."""
    for model, what in ((Opportunity, "deals"), (RevenueRecord, "revenue records")):
        if await session.scalar(select(model.id).where(model.account_id == account.id).limit(1)) is not None:
            raise DomainError.single(
                "currency", f"The account has {what} in {account.currency}; its currency cannot change.", ErrorCode.INVALID
            )


async def archive_account(session: AsyncSession, value: str, version: int | None, archived: bool) -> Account:
    """Archiving hides an account from lists but keeps everything; restoring brings it back."""
    account = await load_account(session, value)
    v.check_version(account, version)
    if archived and account.archived_at is not None:
        raise DomainError.single("id", "The account is already archived.", ErrorCode.ARCHIVED)
    if not archived and account.archived_at is None:
        raise DomainError.single("id", "The account is not archived.", ErrorCode.INVALID)
    account.archived_at = utcnow() if archived else None
    return account


async def delete_account(session: AsyncSession, value: str) -> str:
    """Removes the account and, through ON DELETE CASCADE, everything that belongs to it."""
    access_of(session).require(can_delete_account, "Only ADMINs delete accounts for good; archive it instead.")
    account = await load_account(session, value)
    await session.delete(account)
    return value


async def set_team_member(session: AsyncSession, account_value: str, member_value: str, team_role: Any) -> Account:
    account = await load_account(session, account_value, "accountId")
    member_id = input_id(member_value, "TeamMember", "memberId")
    await v.get_row(session, TeamMember, member_id, "memberId")
    row = await session.get(AccountTeamMember, (account.id, member_id))
    if row is None:
        session.add(AccountTeamMember(account_id=account.id, member_id=member_id, team_role=team_role))
    else:
        row.team_role = team_role
    return account


async def remove_team_member(session: AsyncSession, account_value: str, member_value: str) -> Account:
    account = await load_account(session, account_value, "accountId")
    member_id = input_id(member_value, "TeamMember", "memberId")
    row = await session.get(AccountTeamMember, (account.id, member_id))
    if row is None:
        raise DomainError.single("memberId", "This member is not on the account team.", ErrorCode.NOT_FOUND)
    await session.delete(row)
    return account
