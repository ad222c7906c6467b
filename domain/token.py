"""API tokens kam issues to its members: only a hash of each token is stored, never the token.

A token reads `kam_<prefix>_<secret>`. The prefix names the token in listings
and in `kam token revoke`; the secret makes it unguessable. Whoever reads the
database learns the prefixes but cannot rebuild a token from its hash.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.base import Base, UTCDateTime, utcnow

TOKEN_SCHEME = "kam"
PREFIX_LENGTH = 8
TOKEN_PATTERN = re.compile(rf"^{TOKEN_SCHEME}_([0-9a-f]{{{PREFIX_LENGTH}}})_([A-Za-z0-9_-]{{20,}})$")
# A token used again within this interval does not get its `last_used_at` written again.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("team_member.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(PREFIX_LENGTH), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly generated token: `token` is shown once, `prefix` and `token_hash` are stored."""

    token: str
    prefix: str
    token_hash: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def generate_token() -> IssuedToken:
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    token = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    return IssuedToken(token=token, prefix=prefix, token_hash=hash_token(token))


def is_api_token(text: str) -> bool:
    """Whether `text` has the shape of a kam token (it may still be unknown or revoked)."""
    return TOKEN_PATTERN.match(text) is not None


class TokenState(enum.Enum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


def token_state(expires_at: datetime | None, revoked_at: datetime | None, now: datetime) -> TokenState:
    if revoked_at is not None:
        return TokenState.REVOKED
    if expires_at is not None and expires_at <= now:
        return TokenState.EXPIRED
    return TokenState.ACTIVE


def needs_last_used_update(last_used_at: datetime | None, now: datetime) -> bool:
    """Record use at most once per LAST_USED_RESOLUTION, so reading with a token is not a write per request."""
    return last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION


DURATION = re.compile(r"^(\d{1,5})([dhm])$")
UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_expiry(text: str, now: datetime) -> datetime:
    """When a token given `--expires TEXT` stops working.

    `30d`, `12h` or `90m` count from now; an ISO date keeps the token valid through
    that whole day (UTC); an ISO date-time is taken as is (UTC when it has no offset).
    """
    value = text.strip()
    duration = DURATION.match(value.lower())
    if duration:
        amount = int(duration.group(1))
        if amount == 0:
            raise ValueError("a token must live for longer than no time at all")
        return now + timedelta(**{UNITS[duration.group(2)]: amount})
    try:
        day = date.fromisoformat(value)
    except ValueError:
        day = None
    if day is not None:
        expires = datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)
    else:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{text!r} is neither a duration like 30d, 12h or 90m nor an ISO date") from None
        expires = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if expires <= now:
        raise ValueError(f"{text!r} lies in the past")
    return expires
