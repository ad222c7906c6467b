"""Input checks shared by every mutation; each failure names the input field it is about."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, ErrorCode
from resolvers.access import access_of

M = TypeVar("M")

CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_MONEY = Decimal(10) ** 16


def camel(name: str) -> str:
    """The GraphQL spelling of a Python field name, for error messages and `field`."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def not_null(data: dict[str, Any], key: str) -> Any:
    """A field that may be left out of an update, but not set to null."""
    if data[key] is None:
        raise DomainError.single(camel(key), f"`{camel(key)}` cannot be null.", ErrorCode.REQUIRED)
    return data[key]


def required_text(value: str, field: str, max_length: int) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise DomainError.single(field, f"`{field}` must not be blank.", ErrorCode.REQUIRED)
    if len(cleaned) > max_length:
        raise DomainError.single(
            field, f"`{field}` is longer than {max_length} characters.", ErrorCode.OUT_OF_RANGE
        )
    return cleaned


def optional_text(value: str | None, field: str, max_length: int) -> str | None:
    """Blank optional text is stored as no value."""
    if value is None or not value.strip():
        return None
    return required_text(value, field, max_length)


def money(value: Decimal, field: str) -> Decimal:
    if not value.is_finite() or value < 0 or value >= MAX_MONEY:
        raise DomainError.single(
            field, f"`{field}` must be a non-negative amount below {MAX_MONEY:,}.", ErrorCode.OUT_OF_RANGE
        )
    if value != value.quantize(Decimal("0.01")):
        raise DomainError.single(field, f"`{field}` has more than two decimals.", ErrorCode.OUT_OF_RANGE)
    return value


def currency(value: str, field: str = "currency") -> str:
    code = (value or "").strip().upper()
    if not CURRENCY.match(code):
        raise DomainError.single(field, f"`{field}` must be a three-letter ISO 4217 code.", ErrorCode.INVALID)
    return code


def email(value: str, field: str = "email") -> str:
    cleaned = required_text(value, field, 320).lower()
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", cleaned):
        raise DomainError.single(field, f"`{field}` is not an email address.", ErrorCode.INVALID)
    return cleaned


async def get_row(session: AsyncSession, model: type[M], row_id: int | None, field: str) -> M:
    """The row an input points at, or a NOT_FOUND userError, also when the caller may not see it."""
    row = await session.get(model, row_id) if row_id is not None else None
    if row is None or not await access_of(session).visible(row):
        raise DomainError.single(field, f"No {model.__name__} has this `{field}`.", ErrorCode.NOT_FOUND)
    return row


def check_version(row: Any, version: int | None, field: str = "version") -> None:
    """The client's read version must still be current; the UPDATE itself re-checks it."""
    if version is not None and version != row.version:
        raise DomainError.single(
            field,
            f"This object changed since you read it (you sent version {version}, it is at {row.version}).",
            ErrorCode.CONFLICT,
        )


def apply(row: Any, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(row, name, value)
