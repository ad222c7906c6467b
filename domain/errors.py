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


# Words that start with a vowel letter but are said with a consonant (a User, a Unit, a One-off), and words that
# start with a silent h (an Hour): the article follows the sound, not the letter.
_SAID_WITH_A_CONSONANT = ("eu", "one", "once", "uni", "usa", "use", "usu", "uti", "ura", "ure", "uro")
_SILENT_H = ("heir", "honest", "honor", "honour", "hour")
# Letters whose names start with a vowel sound, for abbreviations said letter by letter (an ID, an SLA, a URL).
_LETTERS_SAID_WITH_A_VOWEL = frozenset("AEFHILMNORSX")


def with_article(noun: str) -> str:
    """`noun` after the indefinite article it takes, for messages: "an Account", "an ActionPlan", "a Stakeholder".

    Every message that puts "a" or "an" before a name it is given forms it here."""
    word = noun.lower()
    if noun.isupper():
        an = noun[0] in _LETTERS_SAID_WITH_A_VOWEL
    elif word.startswith(_SILENT_H):
        an = True
    else:
        an = word[:1] in ("a", "e", "i", "o", "u") and not word.startswith(_SAID_WITH_A_CONSONANT)
    return f"{'an' if an else 'a'} {noun}"
