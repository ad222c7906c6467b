"""Issuing, listing and revoking API tokens: what `kam token ...` and the demo do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.base import utcnow
from domain.team import TeamMember
from domain.token import ApiToken, generate_token, is_api_token


class TokenError(Exception):
    """A token command cannot be carried out; the message says why."""


@dataclass(frozen=True)
class TokenListing:
    """One token as `kam token list` shows it: everything but the secret, which kam does not have."""

    prefix: str
    member_email: str
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


async def member_by_email(session: AsyncSession, email: str) -> TeamMember:
    member = await session.scalar(select(TeamMember).where(TeamMember.email == email.strip().lower()))
    if member is None:
        raise TokenError(f"No team member has the email address {email}.")
    return member


async def issue_token(
    session: AsyncSession, member: TeamMember, name: str, expires_at: datetime | None = None
) -> str:
    """Add a token for `member` to the session and return it: the only time it exists in clear."""
    if not member.active:
        raise TokenError(f"{member.email} is inactive; activate the member before issuing a token.")
    issued = generate_token()
    while await session.scalar(select(ApiToken.id).where(ApiToken.prefix == issued.prefix)) is not None:
        issued = generate_token()
    session.add(
        ApiToken(
            member_id=member.id,
            name=name,
            prefix=issued.prefix,
            token_hash=issued.token_hash,
            created_at=utcnow(),
            expires_at=expires_at,
        )
    )
    await session.flush()
    return issued.token


async def list_tokens(session: AsyncSession, email: str | None = None) -> list[TokenListing]:
    stmt = (
        select(ApiToken, TeamMember.email)
        .join(TeamMember, TeamMember.id == ApiToken.member_id)
        .order_by(TeamMember.email, ApiToken.created_at, ApiToken.id)
    )
    if email is not None:
        stmt = stmt.where(ApiToken.member_id == (await member_by_email(session, email)).id)
    return [
        TokenListing(
            prefix=token.prefix,
            member_email=member_email,
            name=token.name,
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            last_used_at=token.last_used_at,
        )
        for token, member_email in (await session.execute(stmt)).all()
    ]


def prefix_of(text: str) -> str:
    """The prefix named on the command line: the prefix itself, or a whole token it is part of."""
    value = text.strip()
    if is_api_token(value):
        return value.split("_")[1]
    return value.lower()


async def revoke_token(session: AsyncSession, prefix_or_token: str) -> tuple[ApiToken, bool]:
    """Revoke the token with this prefix; the bool is False when it was revoked already."""
    prefix = prefix_of(prefix_or_token)
    token = await session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    if token is None:
        raise TokenError(f"No API token has the prefix {prefix}.")
    if token.revoked_at is not None:
        return token, False
    token.revoked_at = utcnow()
    return token, True
