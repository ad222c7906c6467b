"""Names that never repeat: each account id and each team member id has a name and an address of its own.

Ids are spread over the combinations of the vocabulary by a permutation (a
multiplication modulo the number of combinations), so neighbouring ids get
unrelated names. Once every combination is used, a qualifier or a number is
added; a name is therefore never given twice, also across several runs of the
generator on one database, since every run continues after the highest id.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import NamedTuple

from kam.portfolio.words import (
    BRAND_ENDINGS,
    BRAND_PREFIXES,
    DESCRIPTORS,
    NAME_QUALIFIERS,
    TEAM_EMAIL_DOMAIN,
    TEAM_FIRST_NAMES,
    TEAM_LAST_NAMES,
)

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# Letters that are not an ASCII letter plus accents, so that decomposing them would lose them.
_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "ß": "ss", "đ": "d", "Đ": "D"})


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text.translate(_LETTERS)).encode("ascii", "ignore").decode()


def slug(text: str, separator: str = "-") -> str:
    """Lower-case ASCII letters and digits, runs of anything else replaced by `separator`."""
    return _NOT_ALNUM.sub(separator, ascii_fold(text).lower()).strip(separator)


def mailbox(text: str) -> str:
    """The part of a name that goes into an email address: `O'Brien` and `van den Berg` become `obrien`, `vandenberg`."""
    return slug(text, "")


class Permutation:
    """A bijection of [0, size): multiplication by a stride that shares no factor with `size`, then a shift."""

    def __init__(self, size: int) -> None:
        self.size = size
        stride = max(1, int(size * 0.6180339887))
        while math.gcd(stride, size) != 1:
            stride += 1
        self.stride = stride
        self.shift = size // 3

    def __call__(self, index: int) -> int:
        return (index * self.stride + self.shift) % self.size


def _distinct_mailboxes(names: tuple[str, ...]) -> tuple[str, ...]:
    """Keep one name per mailbox part, so that Martin and Martín cannot share an address."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(mailbox(name), name)
    return tuple(seen.values())


FIRST = _distinct_mailboxes(TEAM_FIRST_NAMES)
LAST = _distinct_mailboxes(TEAM_LAST_NAMES)
_members = Permutation(len(FIRST) * len(LAST))
_brands = len(BRAND_PREFIXES) * len(BRAND_ENDINGS)
_accounts = Permutation(_brands * len(DESCRIPTORS))


class AccountName(NamedTuple):
    name: str
    industry: str
    domain: str  # the customer's email and web domain


class MemberName(NamedTuple):
    name: str
    email: str


def account_name(account_id: int, legal_form: str) -> AccountName:
    """"Alpwerk Maschinenbau AG": a brand, a descriptor that names the industry, and the legal form."""
    cycle, rest = divmod(account_id - 1, _accounts.size)
    brand, descriptor = divmod(_accounts(rest), len(DESCRIPTORS))
    prefix, ending = divmod(brand, len(BRAND_ENDINGS))
    words, industry = DESCRIPTORS[descriptor]
    core = f"{BRAND_PREFIXES[prefix]}{BRAND_ENDINGS[ending]} {words}"
    if cycle:
        round_, qualifier = divmod(cycle - 1, len(NAME_QUALIFIERS))
        core = f"{core} {NAME_QUALIFIERS[qualifier]}" + (f" {round_ + 1}" if round_ else "")
    return AccountName(f"{core} {legal_form}", industry, f"{slug(core)}.example")


def member_name(member_id: int) -> MemberName:
    """A team member's name and company address; the address carries a number once names repeat."""
    cycle, rest = divmod(member_id - 1, _members.size)
    first, last = divmod(_members(rest), len(LAST))
    number = str(cycle + 1) if cycle else ""
    return MemberName(
        f"{FIRST[first]} {LAST[last]}", f"{mailbox(FIRST[first])}.{mailbox(LAST[last])}{number}@{TEAM_EMAIL_DOMAIN}"
    )
