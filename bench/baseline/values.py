"""What the baseline shares between its reads and writes: kam's enums and settings, IDs, cursors and
input checks, each spelled as kam spells it."""

from __future__ import annotations

import base64
import binascii
import json
import os
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

# The enums' orders, as domain/ declares them (the test checks they still agree).
BUYING_ROLES = (
    "DECISION_MAKER",
    "INFLUENCER",
    "USER",
    "CHAMPION",
    "GATEKEEPER",
    "ECONOMIC_BUYER",
    "TECHNICAL_EVALUATOR",
)
ROLE_RANK = {role: rank for rank, role in enumerate(BUYING_ROLES)}
COVERAGE_RANK = {"NONE": 0, "ACQUAINTED": 1, "GOOD": 2, "TRUSTED_ADVISOR": 3}
ATTITUDE_SCORE = {"CHAMPION": 2, "SUPPORTER": 1, "NEUTRAL": 0, "SKEPTIC": -1, "OPPONENT": -2}
INFLUENCE_WEIGHT = {"HIGH": 3, "MEDIUM": 2, "LOW": 1}
QUADRANTS = ("DEVELOP", "STRATEGIC", "MAINTAIN", "MONITOR")
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
GRADES = ("A", "B", "C", "D")
NEED_CATEGORIES = ("FUNCTIONAL", "EMOTIONAL", "SOCIAL")
NEED_VISIBILITIES = ("EXPLICIT", "IMPLICIT")
NEED_STATUSES = ("IDENTIFIED", "VALIDATED", "BEING_ADDRESSED", "MET", "DROPPED")
PRIORITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
ACTION_STATUSES = ("TODO", "IN_PROGRESS", "DONE", "BLOCKED")

# kam's settings the answers depend on, read from the same KAM_* variables with the same defaults.
CENT = Decimal("0.01")
MAX_MONEY = Decimal(10) ** 16
SETTING_DEFAULTS = {"KAM_GROWTH_VALUE_THRESHOLD": "1000000", "KAM_GROWTH_POTENTIAL_THRESHOLD": "1000000"}


def setting(name: str) -> str:
    return os.environ.get(name, SETTING_DEFAULTS[name])


def global_id(type_name: str, row_id: int) -> str:
    """Relay's global ID: base64 of `Type:id`, as strawberry writes it."""
    return binascii.b2a_base64(f"{type_name}:{row_id}".encode(), newline=False).decode()


def cursor(key: str, value: Any, row_id: int) -> str:
    """A list's cursor as kam writes it: the sort key's name, the row's value of it (JSON) and its id."""
    raw = json.dumps([key, value, row_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def name_cursor(name: str, row_id: int) -> str:
    return cursor("name", name, row_id)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def utcnow() -> datetime:
    return datetime.now(UTC)


class Refused(Exception):
    """The request cannot be answered: the HTTP status and the GraphQL-shaped body to answer with."""

    def __init__(self, status: int, message: str, code: str, **extensions: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}


class UserErrors(Exception):
    """A mutation's input is refused: the payload carries these userErrors and nothing changes."""

    def __init__(self, field: str | None, message: str, code: str) -> None:
        super().__init__(message)
        self.errors = [{"field": field, "message": message, "code": code}]


class Conflict(Exception):
    """An UPDATE found another version than the one read: someone else wrote first."""


def with_article(type_name: str) -> str:
    """The type name after its article, as kam's `domain.errors.with_article` says the baseline's: "an Account"."""
    return f"{'an' if type_name[:1] in 'AEIOU' else 'a'} {type_name}"


def argument_id(value: Any, type_name: str, argument: str) -> int:
    row_id = _row_id(value, type_name)
    if row_id is None:
        raise Refused(200, f"`{argument}` must be the ID of {with_article(type_name)}.", "BAD_USER_INPUT", argument=argument)
    return row_id


def input_id(value: Any, type_name: str, field: str) -> int:
    row_id = _row_id(value, type_name)
    if row_id is None:
        raise UserErrors(field, f"`{field}` must be the ID of {with_article(type_name)}.", "INVALID")
    return row_id


def _row_id(value: Any, type_name: str) -> int | None:
    try:
        kind, _, raw = base64.b64decode(value).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError, TypeError, ValueError):
        return None
    if kind != type_name or not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)


def required_text(value: Any, field: str, max_length: int) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise UserErrors(field, f"`{field}` must not be blank.", "REQUIRED")
    if len(cleaned) > max_length:
        raise UserErrors(field, f"`{field}` is longer than {max_length} characters.", "OUT_OF_RANGE")
    return cleaned  # type: ignore[no-any-return]


def optional_text(value: Any, field: str, max_length: int) -> str | None:
    if value is None or not value.strip():
        return None
    return required_text(value, field, max_length)


def choice(value: Any, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise Refused(200, f"Variable `{field}` got an invalid value.", "BAD_USER_INPUT")
    return value  # type: ignore[no-any-return]


def money_input(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise Refused(200, f"Variable `{field}` is not a decimal.", "BAD_USER_INPUT") from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_MONEY:
        raise UserErrors(field, f"`{field}` must be a non-negative amount below {MAX_MONEY:,}.", "OUT_OF_RANGE")
    if amount != amount.quantize(CENT):
        raise UserErrors(field, f"`{field}` has more than two decimals.", "OUT_OF_RANGE")
    return amount


def enum_list(values: Any, allowed: tuple[str, ...], field: str) -> list[str]:
    """A list of enum names in the enum's order, each once."""
    present = {choice(v, allowed, field) for v in values or ()}
    return [v for v in allowed if v in present]
