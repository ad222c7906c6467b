"""Business-rule failures as data: a mutation collects them and changes nothing."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ErrorCode(enum.Enum):
    """Machine-readable reason of a user error; clients switch on it, people read the message."""

    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    DUPLICATE = "DUPLICATE"
    CONFLICT = "CONFLICT"
    CYCLE = "CYCLE"
    CROSS_ACCOUNT = "CROSS_ACCOUNT"
    INVALID_DATE_RANGE = "INVALID_DATE_RANGE"
    ARCHIVED = "ARCHIVED"


@dataclass(frozen=True, slots=True)
class UserError:
    """One problem with the input: `field` is the path inside the mutation's input (camelCase)."""

    field: str | None
    message: str
    code: ErrorCode


class DomainError(Exception):
    """Raised by rules and resolvers to abort a mutation; the transaction is rolled back."""

    def __init__(self, *errors: UserError) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)

    @classmethod
    def single(cls, field: str | None, message: str, code: ErrorCode = ErrorCode.INVALID) -> DomainError:
        return cls(UserError(field, message, code))
