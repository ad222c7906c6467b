"""Checks every write about an account's own data shares: the caller may change the account, it is open,
the rows are its own."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from domain.account import Account
from domain.errors import DomainError, ErrorCode
from resolvers import validation as v
from resolvers.access import access_of
from resolvers.ids import input_id

M = TypeVar("M")


def ensure_open(account: Account, field: str) -> Account:
    """Archived accounts are read-only until restored."""
    if account.archived_at is not None:
        raise DomainError.single(field, "The account is archived; restore it before changing it.", ErrorCode.ARCHIVED)
    return account


async def writable_account(session: AsyncSession, account_id: int, field: str) -> Account:
    """The account a change is about: NOT_FOUND when it does not exist or the caller may not see it
    (the two look the same), FORBIDDEN when the caller may see it but not change it."""
    account = await v.get_row(session, Account, account_id, field)
    await access_of(session).require_write(account.id)
    return account


async def open_account(session: AsyncSession, account_id: int, field: str) -> Account:
    """The account a change belongs to, which must exist, be writable by the caller and not be archived."""
    return ensure_open(await writable_account(session, account_id, field), field)


async def row_of_account(
    session: AsyncSession, model: type[M], value: str | None, account_id: int, field: str
) -> M | None:
    """The row an optional input points at, which must belong to `account_id` (else CROSS_ACCOUNT)."""
    if value is None:
        return None
    row = await v.get_row(session, model, input_id(value, model.__name__, field), field)
    if row.account_id != account_id:  # type: ignore[attr-defined]
        raise DomainError.single(
            field, f"The {model.__name__.lower()} belongs to another account.", ErrorCode.CROSS_ACCOUNT
        )
    return row
