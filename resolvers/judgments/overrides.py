"""Setting and clearing a person's override of a judgment: the account's writers only, with a reason, an
expiry after today if any; the account is judged again in the same transaction, and the value in force
that moves is the person's transition."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.account import Account
from domain.base import utcnow
from domain.errors import DomainError, ErrorCode, UserError
from domain.judgment_override import MAX_REASON, OVERRIDE_VALUES, JudgmentOverride, OverrideKind
from resolvers import validation as v
from resolvers.access import access_of
from resolvers.accounts.ownership import open_account
from resolvers.ids import input_id
from resolvers.judgments.judging import overridden

# The input field that carries each kind's value.
VALUE_FIELDS: dict[OverrideKind, str] = {
    OverrideKind.GRADE: "grade",
    OverrideKind.VALUE_TIER: "value_tier",
    OverrideKind.LIFECYCLE_STAGE: "lifecycle_stage",
    OverrideKind.RELATIONSHIP_STAGE: "relationship_stage",
}


def _value(data: dict[str, Any]) -> tuple[OverrideKind, enum.Enum]:
    """The one value the input sets, and its kind."""
    given = [(kind, data[f]) for kind, f in VALUE_FIELDS.items() if data.get(f) is not None]
    if len(given) != 1:
        names = ", ".join(f"`{v.camel(f)}`" for f in VALUE_FIELDS.values())
        raise DomainError.single(None, f"Give exactly one of {names}; {len(given)} given.", ErrorCode.REQUIRED if not given else ErrorCode.INVALID)
    kind, value = given[0]
    assert isinstance(value, OVERRIDE_VALUES[kind])  # GraphQL checked the enum
    return kind, value


def _expiry(expires_on: date | None, today: date) -> date | None:
    if expires_on is not None and expires_on <= today:
        raise DomainError.single(
            "expiresOn", f"An override must hold at least one day: `expiresOn` must be after today ({today}); got {expires_on}.",
            ErrorCode.INVALID_DATE_RANGE,
        )
    return expires_on


async def set_override(session: AsyncSession, data: dict[str, Any]) -> Account:
    """Set (or replace) the override of one judgment of an account."""
    account = await open_account(session, input_id(data["account_id"], "Account", "accountId"), "accountId")
    kind, value = _value(data)
    reason = v.required_text(data["reason"], "reason", MAX_REASON)
    today = utcnow().date()
    expires_on = _expiry(data.get("expires_on"), today)
    member_id = access_of(session).member_id
    found = await session.scalar(
        select(JudgmentOverride).where(JudgmentOverride.account_id == account.id, JudgmentOverride.kind == kind)
    )
    if found is None:
        session.add(JudgmentOverride(
            account_id=account.id, kind=kind, value=value.name, reason=reason, set_by_id=member_id, set_on=today,
            expires_on=expires_on,
        ))
    else:
        v.apply(found, {"value": value.name, "reason": reason, "set_by_id": member_id, "set_on": today, "expires_on": expires_on})
    overridden(session, account.id, kind, member_id, reason)
    return account


async def clear_override(session: AsyncSession, data: dict[str, Any]) -> Account:
    """End a person's override now: the rules' value is in force again."""
    account = await open_account(session, input_id(data["account_id"], "Account", "accountId"), "accountId")
    kind: OverrideKind = data["kind"]
    reason = v.required_text(data["reason"], "reason", MAX_REASON)
    found = await session.scalar(
        select(JudgmentOverride).where(JudgmentOverride.account_id == account.id, JudgmentOverride.kind == kind)
    )
    if found is None or not found.holds(utcnow().date()):
        raise DomainError(UserError("kind", f"The account has no {kind.name} override in force.", ErrorCode.NOT_FOUND))
    await session.delete(found)
    await session.flush()
    overridden(session, account.id, kind, access_of(session).member_id, reason)
    return account
