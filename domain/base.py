"""Declarative base, naming convention and column types shared by every model."""

from __future__ import annotations

import enum
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import DateTime, Enum, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations diff cleanly on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Ids are INTEGER columns: 32 bits on PostgreSQL. A number past this names no row on any store.
MAX_ID = 2**31 - 1

# A decimal as text: an optional minus sign, digits, optionally a point and more digits (what `str(Decimal)`
# writes for money); no spaces, underscores, exponents, NaN or infinities, which `Decimal()` would take.
DECIMAL_TEXT = re.compile(r"-?[0-9]{1,40}(\.[0-9]{1,40})?")


NUL = "the NUL character (U+0000)"
SURROGATE = "a lone UTF-16 surrogate (U+D800 to U+DFFF)"


def text_problem(text: str) -> str | None:
    """What makes `text` unstorable, or None: PostgreSQL can neither store nor compare NUL, and a lone surrogate
    (JSON's `"\\ud800"` decodes to one) cannot be encoded as UTF-8 for any driver, log or response."""
    if "\x00" in text:
        return NUL
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return SURROGATE
    return None


def decimal_from_text(text: str) -> Decimal:
    """The decimal `text` writes; ValueError when it is not written as `DECIMAL_TEXT` says."""
    if not DECIMAL_TEXT.fullmatch(text):
        raise ValueError(f"not a decimal number: {text[:40]!r}")
    return Decimal(text)


# The earliest business day kam takes (an interaction, a deal's day, a revenue record): customer history,
# not archaeology; before it a date is a typing error.
EARLIEST_DAY = date(1970, 1, 1)


def system_now() -> datetime:
    return datetime.now(UTC)


# The one clock kam reads the time from; a test run holds its day still across midnight by replacing it.
clock: Callable[[], datetime] = system_now


def utcnow() -> datetime:
    return clock()


def today() -> date:
    """The business day things are dated on by default: today in UTC."""
    return clock().date()


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, whatever the store keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass a timezone-aware value")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum_cls: type[enum.Enum]) -> Enum:
    """Enums are stored by name as plain strings: portable, readable, and cheap to extend."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [m.name for m in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table = cls.__dict__.get("__table__")
        if table is not None and has_own_id(table):
            # A global ID is never handed out twice: without AUTOINCREMENT SQLite gives the highest deleted
            # id to the next row, and a new object would inherit the old one's audit trail.
            table.dialect_kwargs["sqlite_autoincrement"] = True


def has_own_id(table: Any) -> bool:
    """Rows keyed by one integer of their own (the others are keyed by their parents, or are one row of them)."""
    columns = list(table.primary_key.columns)
    return len(columns) == 1 and isinstance(columns[0].type, Integer) and not columns[0].foreign_keys


R = TypeVar("R")


def replaced_rows(rows: Iterable[R], wanted: Iterable[Any], key: str, make: Callable[[Any], R]) -> list[R]:
    """A list table's rows after setting its values to `wanted`: the rows whose `key` is still wanted, then a
    new row (`make(value)`) for each wanted value none holds, in the order given. Rows kept are not rewritten."""
    order = list(dict.fromkeys(wanted))
    keep = [r for r in rows if getattr(r, key) in order]
    have = {getattr(r, key) for r in keep}
    return keep + [make(value) for value in order if value not in have]


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """Optimistic locking: every UPDATE checks and bumps `version`, so no write is lost silently."""

    version: Mapped[int] = mapped_column(Integer, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}
