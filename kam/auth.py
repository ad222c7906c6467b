"""Who is calling: the request's bearer token, mapped to an active team member.

Two kinds of token are accepted in `Authorization: Bearer <token>`:

- API tokens that kam issues (`kam token create`), found by the SHA-256 hash of
  the token, since only the hash is stored;
- JWTs from an external identity provider, recognised by their two dots, checked
  with PyJWT against the configured key, algorithms, issuer and audience; the
  member is the one whose email the configured claim holds.

A missing, malformed, unknown, expired or revoked token, or one whose member is
unknown or inactive, is refused with an `AuthenticationError`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

import jwt
from jwt.algorithms import get_default_algorithms
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.base import utcnow
from domain.team import Caller, TeamMember
from domain.token import (
    LAST_USED_RESOLUTION,
    ApiToken,
    TokenState,
    hash_token,
    is_api_token,
    needs_last_used_update,
    token_state,
)
from kam.settings import Settings
from resolvers.driver import Kept

log = logging.getLogger("kam.auth")


class AuthenticationError(Exception):
    """The request does not prove who is calling; `message` tells the client why."""

    def __init__(self, message: str, *, token_given: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.token_given = token_given

    @property
    def challenge(self) -> str:
        """The `WWW-Authenticate` value (RFC 6750): names the error only when a token was sent."""
        if not self.token_given:
            return 'Bearer realm="kam"'
        return f'Bearer realm="kam", error="invalid_token", error_description="{self.message}"'


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header."""
    if not authorization or not authorization.strip():
        raise AuthenticationError(
            "Authentication required: send `Authorization: Bearer <token>`.", token_given=False
        )
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("The Authorization header must read `Bearer <token>`.")
    return token.strip()


def is_jwt(token: str) -> bool:
    return token.count(".") == 2


class JwtVerifier:
    """Checks JWTs against the configured key; the key is checked once, when the server starts."""

    def __init__(self, settings: Settings) -> None:
        if settings.jwt_key is None:
            raise ValueError("KAM_JWT_KEY is not set")
        self.algorithms = settings.jwt_algorithm_list
        known = get_default_algorithms()
        for name in self.algorithms:
            if name.lower() == "none" or name not in known:
                raise ValueError(f"KAM_JWT_ALGORITHMS: {name!r} is not a signature algorithm PyJWT offers")
        raw = settings.jwt_key.get_secret_value()
        try:
            prepared = [known[name].prepare_key(raw) for name in self.algorithms]
        except jwt.InvalidKeyError as exc:
            raise ValueError(f"KAM_JWT_KEY does not suit KAM_JWT_ALGORITHMS: {exc}") from exc
        self.key = prepared[0]
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        self.claim = settings.jwt_member_claim
        self.leeway = settings.jwt_leeway

    def email(self, token: str) -> str:
        """The member's email from a valid JWT."""
        try:
            claims = jwt.decode(
                token,
                self.key,
                algorithms=self.algorithms,
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", self.claim]},
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("The JWT has expired.") from None
        except jwt.InvalidAudienceError:
            raise AuthenticationError("The JWT is not meant for this server (wrong audience).") from None
        except jwt.InvalidIssuerError:
            raise AuthenticationError("The JWT comes from an issuer this server does not trust.") from None
        except jwt.MissingRequiredClaimError as exc:
            raise AuthenticationError(f"The JWT lacks the `{exc.claim}` claim.") from None
        except jwt.InvalidTokenError:
            raise AuthenticationError("The JWT is not valid: bad signature, algorithm or format.") from None
        value = claims[self.claim]
        if not isinstance(value, str) or not value.strip():
            raise AuthenticationError(f"The JWT's `{self.claim}` claim holds no email address.")
        return value.strip().lower()


# What a request needs of its member: who, what they may do, whether they still may.
CALLER_COLUMNS = (TeamMember.id, TeamMember.role, TeamMember.active)
_BY_TOKEN_HASH = Kept(
    select(ApiToken.id, ApiToken.expires_at, ApiToken.revoked_at, ApiToken.last_used_at, *CALLER_COLUMNS)
    .join(TeamMember, TeamMember.id == ApiToken.member_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)
_BY_EMAIL = Kept(select(*CALLER_COLUMNS).where(TeamMember.email == bindparam("email")))


def _caller(values: Sequence[Any]) -> Caller:
    """The caller in a row of `CALLER_COLUMNS` (id, role, active)."""
    return Caller(values[0], values[1])


Rows = Callable[[Any, dict[str, Any]], Awaitable[Sequence[Sequence[Any]]]]


class Authenticator:
    """Maps a request's Authorization header to the calling team member, with one SELECT.

    It reads through the connection the request then works with (`rows`: its
    session's, or a direct read's reader), so a request takes one connection
    from the pool, not one to authenticate and another to answer; the row is
    read on the driver's connection (resolvers/driver.py), as it precedes every
    request. A token's `last_used_at` is recorded in a session of its own.
    """

    def __init__(self, settings: Settings, sessions: Callable[[], AsyncSession]) -> None:
        self.jwt = JwtVerifier(settings) if settings.jwt_key is not None else None
        self.sessions = sessions

    async def authenticate(self, authorization: str | None, rows: Rows) -> Caller:
        """The caller: a value, not a row of a session, so nothing later in the request changes it."""
        token = bearer_token(authorization)
        if is_jwt(token):
            return await self._by_jwt(token, rows)
        if is_api_token(token):
            return await self._by_api_token(token, rows)
        raise AuthenticationError("The bearer token is neither a kam API token nor a JWT.")

    async def _by_jwt(self, token: str, rows: Rows) -> Caller:
        if self.jwt is None:
            raise AuthenticationError("This server accepts no JWTs; use a kam API token.")
        email = self.jwt.email(token)
        found = await rows(_BY_EMAIL, {"email": email})
        if not found or not found[0][2]:
            raise AuthenticationError("No active team member has the email address the JWT names.")
        return _caller(found[0])

    async def _by_api_token(self, token: str, rows: Rows) -> Caller:
        now = utcnow()
        found = await rows(_BY_TOKEN_HASH, {"token_hash": hash_token(token)})
        if not found:
            raise AuthenticationError("The API token is not known.")
        token_id, expires_at, revoked_at, last_used_at, *member = found[0]
        state = token_state(expires_at, revoked_at, now)
        if state is TokenState.REVOKED:
            raise AuthenticationError("The API token was revoked.")
        if state is TokenState.EXPIRED:
            raise AuthenticationError("The API token has expired.")
        if not member[2]:
            raise AuthenticationError("The API token's team member is inactive.")
        if needs_last_used_update(last_used_at, now):
            async with self.sessions() as session:
                await _record_use(session, token_id, now)
        return _caller(member)


async def _record_use(session: AsyncSession, token_id: int, now: datetime) -> None:
    """Best effort: a busy database must not turn a valid request away over `last_used_at`."""
    stale = now - LAST_USED_RESOLUTION
    stmt = (
        update(ApiToken)
        .where(ApiToken.id == token_id, or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= stale))
        .values(last_used_at=now)
    )
    try:
        await session.execute(stmt)
        await session.commit()
    except SQLAlchemyError:
        await session.rollback()
        log.warning("could not record the use of API token %s", token_id, exc_info=True)
