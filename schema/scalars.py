"""Stricter readings of strawberry's `DateTime` and `Decimal` scalars (same names, same output).

strawberry reads a `DateTime` with dateutil and a `Decimal` with `decimal.Decimal`,
which take more than a client should send: `" 1"`, `"1_000"`, `"NaN"` and floats
for money, and times whose offset puts them before year 1 or after year 9999
in UTC, which then fail deep inside the store. Here a value is refused where it
enters, with an error that says what is expected.
"""

from __future__ import annotations

import decimal
from datetime import UTC, datetime
from operator import methodcaller

from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.types.scalar import ScalarDefinition

from domain.base import decimal_from_text

def parse_decimal(value: object) -> decimal.Decimal:
    """A decimal from its text (`"1250.50"`) or a JSON number written plainly (`1250.5`, not `1e3`)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = repr(value)
    try:
        if isinstance(value, str):
            return decimal_from_text(value)
    except ValueError:
        pass
    raise StrawberryInputCoercionError(
        f'Decimal values are strings of digits with an optional sign and decimal point, such as "1250.50"; got {shown(value)}.'
    )


def parse_datetime(value: object) -> datetime:
    """An ISO-8601 date and time, in UTC when it has an offset (one without is left for the field to judge);
    it must fall within years 1 to 9999 in UTC."""
    if not isinstance(value, str) or len(value) > 64:
        raise StrawberryInputCoercionError(f"DateTime values are ISO-8601 strings; got {shown(value)}.")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise StrawberryInputCoercionError(
            f"DateTime values are ISO-8601 strings such as \"2026-12-06T09:30:00Z\"; got {shown(value)}."
        ) from None
    if parsed.tzinfo is None:
        return parsed
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise StrawberryInputCoercionError(
            f"{shown(value)} falls outside years 1 to 9999 once converted to UTC."
        ) from None


def shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


DecimalScalar = ScalarDefinition(
    name="Decimal",
    description="Decimal (fixed-point)",
    specified_by_url=None,
    serialize=str,
    parse_value=parse_decimal,
    parse_literal=None,
    origin=decimal.Decimal,
)

DateTimeScalar = ScalarDefinition(
    name="DateTime",
    description="Date with time (isoformat)",
    specified_by_url=None,
    serialize=methodcaller("isoformat"),
    parse_value=parse_datetime,
    parse_literal=None,
    origin=datetime,
)

SCALAR_OVERRIDES = {decimal.Decimal: DecimalScalar, datetime: DateTimeScalar}
